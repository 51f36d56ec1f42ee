//! `POST /api/sync`: push mutations, pull changes, in one round trip.
// The wire contract's fields are top-level arguments (sync.md): the
// endpoint reads the same JSON as before plus the optional `Holding`
// fields, so the function (and the client code its macro writes) has many.
#![allow(clippy::too_many_arguments)]

use super::{Fill, Mutation, SyncResponse};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "sync", input = Json, output = Json)]
pub async fn sync(
    device_id: Uuid,
    cursor: i64,
    pull_limit: u32,
    mutations: Vec<Mutation>,
    // What the device holds (`Holding`); absent from older clients.
    held: Option<Vec<Uuid>>,
    offline: Option<Vec<Uuid>>,
    fill: Option<Fill>,
    editing: Option<Vec<Uuid>>,
) -> Result<SyncResponse, AppError> {
    use crate::server_context as ctx;
    ctx::with_pool(|pool| async move {
        let writer = ctx::sync_writer()?;
        // A kiosk tablet: sign-ins for its meeting in, nothing out.
        if let Some(token) = ctx::bearer_token() {
            let grant = writer.grant(&token).await?.ok_or(AppError::Unauthorized)?;
            let results =
                super::server::push_with_token(&writer, &grant, device_id, &mutations).await?;
            return Ok(SyncResponse {
                results,
                changes: Vec::new(),
                cursor,
                more: false,
                scope: None,
                fill: None,
                editing: None,
            });
        }
        let actor = ctx::actor().await?;
        let holding = super::Holding {
            held,
            offline: offline.unwrap_or_default(),
            fill,
            editing,
        };
        holding.check()?;
        let results = writer.push(&actor, device_id, mutations).await?;
        let page = super::server::pull(
            &pool,
            writer.registry(),
            &actor,
            cursor,
            pull_limit,
            &holding,
        )
        .await?;
        Ok(SyncResponse {
            results,
            changes: page.changes,
            cursor: page.cursor,
            more: page.more,
            scope: Some(page.scope),
            fill: page.fill,
            editing: Some(page.editing),
        })
    })
    .await
}
