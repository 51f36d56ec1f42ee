//! `POST /api/sync`: push mutations, pull changes, in one round trip.

use super::{Mutation, SyncResponse};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "sync", input = Json, output = Json)]
pub async fn sync(
    device_id: Uuid,
    cursor: i64,
    pull_limit: u32,
    mutations: Vec<Mutation>,
) -> Result<SyncResponse, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            let actor = ctx::actor().await?;
            let pool = ctx::pool()?;
            let results = super::server::push(&pool, &actor, device_id, &mutations).await?;
            let (changes, cursor, more) =
                super::server::pull(&pool, &actor, cursor, pull_limit).await?;
            Ok(SyncResponse {
                results,
                changes,
                cursor,
                more,
            })
        }
        .await,
    )
}
