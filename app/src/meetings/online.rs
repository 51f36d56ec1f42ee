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
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        let Some(found) = ssr::visible_meeting(&pool, &actor, meeting_id).await? else {
            return Err(AppError::NotFound);
        };
        let sign_ins: i64 = sqlx::query_scalar(
            "select count(*) from records
             where entity = 'sign_in' and not deleted and library_id = $1
               and data->>'meeting_id' = $2
               and coalesce(data->'struck', 'null'::jsonb) = 'null'::jsonb",
        )
        .bind(found.library)
        .bind(meeting_id.to_string())
        .fetch_one(&pool)
        .await?;
        Ok(ServerMeeting {
            meeting: serde_json::from_value(serde_json::Value::Object(found.data))
                .unwrap_or_default(),
            partnership: found.partnership,
            sign_ins: u32::try_from(sign_ins).unwrap_or(u32::MAX),
        })
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::PartnershipRef;
    use crate::{
        accounts::access::{Action, Actor, Target},
        errors::AppError,
    };
    use serde_json::{Map, Value};
    use sqlx::PgPool;
    use uuid::Uuid;

    /// A meeting as stored, with its library and partnership.
    pub struct Found {
        pub library: Uuid,
        pub data: Map<String, Value>,
        pub partnership: Option<PartnershipRef>,
    }

    /// The meeting `id` if `actor` may see its library; someone else's
    /// meeting reads as no meeting at all.
    pub async fn visible_meeting(
        pool: &PgPool,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Option<Found>, AppError> {
        let row: Option<(Uuid, Value)> = sqlx::query_as(
            "select library_id, data from records where entity = 'meeting' and id = $1 and not deleted",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        let Some((library, Value::Object(data))) =
            row.filter(|(library, _)| actor.may(Action::View, Target::Library(*library)))
        else {
            return Ok(None);
        };
        let partnership = match data
            .get("partnership_id")
            .and_then(Value::as_str)
            .and_then(|p| Uuid::parse_str(p).ok())
        {
            Some(partnership) => super::super::api::ssr::partnership(pool, actor, partnership)
                .await?
                .filter(|p| p.library_id == library),
            None => None,
        };
        Ok(Some(Found {
            library,
            data,
            partnership,
        }))
    }
}
