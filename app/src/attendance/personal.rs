//! A person's data (RODO requests): find every sign-in of one person by
//! name or e-mail across the meetings the user may see, export it, erase it.

use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Shortest search accepted, so a request cannot list everyone.
pub const MIN_QUERY: usize = 3;

/// One sign-in of the person, with where it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonEntry {
    pub sign_in_id: Uuid,
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub meeting_starts_at: Option<String>,
    pub library_name: String,
    /// The sign-in as stored: name, organization, consents, clause version,
    /// time, device, signature.
    pub data: Map<String, Value>,
    /// Whether the user may erase it.
    pub erasable: bool,
}

#[server(prefix = "/api", endpoint = "personal-data/find", input = Json, output = Json)]
pub async fn find_person(query: String) -> Result<Vec<PersonEntry>, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::find(&pool, &actor, &query).await }).await
}

/// Erases the given sign-ins; all or none (a sign-in the user may not erase
/// refuses the whole request). Returns how many were erased.
#[server(prefix = "/api", endpoint = "personal-data/erase", input = Json, output = Json)]
pub async fn erase_person(ids: Vec<Uuid>) -> Result<u64, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::erase(&pool, &actor, &ids).await }).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{MIN_QUERY, PersonEntry};
    use crate::{
        accounts::access::{Action, Actor, Scope, Target},
        attendance::retention::{self, Reason},
        errors::{AppError, Field, Problem},
    };
    use serde_json::Value;
    use sqlx::PgPool;
    use uuid::Uuid;

    pub async fn find(
        pool: &PgPool,
        actor: &Actor,
        query: &str,
    ) -> Result<Vec<PersonEntry>, AppError> {
        let query = query.trim();
        if query.chars().count() < MIN_QUERY {
            return Err(AppError::invalid(Field::FullName, Problem::TooShort));
        }
        let filter = match actor.visible_libraries() {
            Scope::All => None,
            Scope::Only(ids) => Some(ids),
        };
        let rows: Vec<(Uuid, Uuid, Value, Option<Value>, String)> = sqlx::query_as(
            "select s.id, s.library_id, s.data, m.data, l.name
             from records s
             join libraries l on l.id = s.library_id
             left join records m on m.entity = 'meeting' and m.id::text = s.data ->> 'meeting_id'
             where s.entity = 'sign_in' and not s.deleted
               and ($2::uuid[] is null or s.library_id = any($2))
               and (strpos(lower(s.data ->> 'full_name'), lower($1)) > 0
                    or lower(btrim(s.data ->> 'contact')) = lower($1))
             order by s.data ->> 'signed_at'
             limit 1000",
        )
        .bind(query)
        .bind(&filter)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, library_id, data, meeting, library_name)| {
                let meeting = meeting.unwrap_or(Value::Null);
                let text = |field: &str| {
                    meeting
                        .get(field)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                let data = data.as_object().cloned().unwrap_or_default();
                PersonEntry {
                    sign_in_id: id,
                    meeting_id: data
                        .get("meeting_id")
                        .and_then(Value::as_str)
                        .and_then(|m| Uuid::parse_str(m).ok())
                        .unwrap_or_default(),
                    meeting_title: text("title").unwrap_or_default(),
                    meeting_starts_at: text("starts_at"),
                    library_name,
                    data,
                    erasable: actor.may(Action::Edit, Target::Library(library_id)),
                }
            })
            .collect())
    }

    pub async fn erase(pool: &PgPool, actor: &Actor, ids: &[Uuid]) -> Result<u64, AppError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = pool.begin().await?;
        let libraries: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "select id, library_id from records
             where entity = 'sign_in' and id = any($1) for update",
        )
        .bind(ids)
        .fetch_all(&mut *tx)
        .await?;
        let unique: std::collections::BTreeSet<Uuid> = ids.iter().copied().collect();
        let allowed = libraries.len() == unique.len()
            && libraries
                .iter()
                .all(|(_, library)| actor.may(Action::Edit, Target::Library(*library)));
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let erased = retention::erase(&mut tx, ids, Some(actor.user_id), Reason::Request).await?;
        tx.commit().await?;
        Ok(erased)
    }
}
