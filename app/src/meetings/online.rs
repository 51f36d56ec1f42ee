//! `POST /api/meeting`: one meeting read from the server, for a person
//! whose device does not hold its library (a coordinator reading a
//! library's meetings). Read-only: changes are made where it is held.

use super::{PartnershipRef, model::Meeting};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A meeting as the server has it, with its partnership and how many signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerMeeting {
    pub meeting: Meeting,
    pub partnership: Option<PartnershipRef>,
    /// Sign-ins on its list, struck ones aside.
    pub sign_ins: u32,
}

#[server(prefix = "/api", endpoint = "meeting", input = Json, output = Json)]
pub async fn meeting_from_server(meeting_id: Uuid) -> Result<ServerMeeting, AppError> {
    use crate::{
        accounts::access::{Action, Target},
        server_context as ctx,
    };
    ctx::as_actor(|actor, pool| async move {
        let row: Option<(Uuid, serde_json::Value, i64)> = sqlx::query_as(
            "select r.library_id, r.data,
                    (select count(*) from records s
                     where s.entity = 'sign_in' and not s.deleted and s.library_id = r.library_id
                       and s.data->>'meeting_id' = r.id::text
                       and coalesce(s.data->'struck', 'null'::jsonb) = 'null'::jsonb)
             from records r where r.entity = 'meeting' and r.id = $1 and not r.deleted",
        )
        .bind(meeting_id)
        .fetch_optional(&pool)
        .await?;
        // Someone else's meeting reads as no meeting at all.
        let Some((library, data, sign_ins)) =
            row.filter(|(library, ..)| actor.may(Action::View, Target::Library(*library)))
        else {
            return Err(AppError::NotFound);
        };
        let meeting: Meeting = serde_json::from_value(data).unwrap_or_default();
        let partnership = match meeting.partnership_id {
            Some(id) => super::api::ssr::partnership(&pool, &actor, id)
                .await?
                .filter(|p| p.library_id == library),
            None => None,
        };
        Ok(ServerMeeting {
            meeting,
            partnership,
            sign_ins: u32::try_from(sign_ins).unwrap_or(u32::MAX),
        })
    })
    .await
}
