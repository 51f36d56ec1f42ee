//! Signatures a device does not hold. A tutor's or coordinator's device gets
//! a list's names without the drawn signatures (they are the heavy part of
//! a list and not theirs to keep); the list shows them from the server when
//! online and says where they are when not.

use crate::attendance::model::Signature;
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use std::collections::HashMap;
use uuid::Uuid;

/// The signatures of a meeting's list, by sign-in, read from the server.
pub type Signatures = HashMap<Uuid, Signature>;

/// `POST /api/meeting-signatures`: the signatures on one meeting's list,
/// for anyone who may see the meeting's library.
#[server(prefix = "/api", endpoint = "meeting-signatures", input = Json, output = Json)]
pub async fn meeting_signatures(meeting_id: Uuid) -> Result<Vec<(Uuid, Signature)>, AppError> {
    use crate::{
        accounts::access::{Action, Target},
        server_context as ctx,
    };
    ctx::as_actor(|actor, pool| async move {
        let library: Option<Uuid> = sqlx::query_scalar(
            "select library_id from records where entity = 'meeting' and id = $1 and not deleted",
        )
        .bind(meeting_id)
        .fetch_optional(&pool)
        .await?;
        let Some(library) = library.filter(|l| actor.may(Action::View, Target::Library(*l))) else {
            return Err(AppError::NotFound);
        };
        let rows: Vec<(Uuid, serde_json::Value)> = sqlx::query_as(
            "select id, data->'signature' from records
             where entity = 'sign_in' and not deleted and library_id = $1
               and data->>'meeting_id' = $2 and data ? 'signature'",
        )
        .bind(library)
        .bind(meeting_id.to_string())
        .fetch_all(&pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, value)| Signature::parse(&value).ok().map(|s| (id, s)))
            .collect())
    })
    .await
}

/// The signatures a list shows from the server: `None` until they come
/// (or while offline).
#[derive(Clone, Copy)]
pub(super) struct OnlineSignatures(pub(super) RwSignal<Option<Signatures>>);

/// Asks the server for `meeting`'s signatures once the page is live; rows
/// read them through `OnlineSignatures`.
pub(super) fn provide_online_signatures(meeting: Uuid, wanted: bool) {
    let found = RwSignal::new(None::<Signatures>);
    provide_context(OnlineSignatures(found));
    if !wanted {
        return;
    }
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(list) = meeting_signatures(meeting).await {
                let _ = found.try_set(Some(list.into_iter().collect()));
            }
        });
    });
}
