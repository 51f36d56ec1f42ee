//! `POST /api/partnerships`: the partnerships whose meetings the person may
//! see or edit. The browser keeps the answer in its local store, so the
//! meeting screens work offline.

use super::PartnershipRef;
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};

#[server(prefix = "/api", endpoint = "partnerships", input = Json, output = Json)]
pub async fn my_partnerships() -> Result<Vec<PartnershipRef>, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move { ssr::partnerships(&pool, &actor).await }).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::PartnershipRef;
    use crate::{
        accounts::access::{Action, Actor, Scope, Target},
        attendance::Clause,
        errors::AppError,
    };
    use sqlx::PgPool;
    use uuid::Uuid;

    type Row = (
        Uuid,
        String,
        Uuid,
        String,
        Uuid,
        String,
        Option<String>,
        Option<i32>,
        Option<String>,
        Option<String>,
    );

    pub async fn partnerships(
        pool: &PgPool,
        actor: &Actor,
    ) -> Result<Vec<PartnershipRef>, AppError> {
        let filter = match actor.visible_libraries() {
            Scope::All => None,
            Scope::Only(ids) => Some(ids),
        };
        let rows: Vec<Row> = sqlx::query_as(
            r#"select p.id, p.name, l.id, l.name, pr.id, pr.name, pr.funding_line,
                      c.version, c.short_text, c.full_text
               from partnerships p
               join libraries l on l.id = p.lead_library_id
               join programs pr on pr.id = p.program_id
               left join lateral (
                   select version, short_text, full_text from information_clauses
                   where program_id = pr.id order by version desc limit 1
               ) c on true
               where $1::uuid[] is null or l.id = any($1)
               order by l.name collate "pl-x-icu", p.name collate "pl-x-icu""#,
        )
        .bind(&filter)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    name,
                    library_id,
                    library_name,
                    program_id,
                    program_name,
                    funding_line,
                    version,
                    short_text,
                    full_text,
                )| {
                    PartnershipRef {
                        id,
                        name,
                        library_id,
                        library_name,
                        program_name,
                        program_id,
                        editable: actor.may(Action::Edit, Target::Library(library_id)),
                        funding_line,
                        clause: match (version, short_text, full_text) {
                            (Some(version), Some(short_text), Some(full_text)) => Some(Clause {
                                version,
                                short_text,
                                full_text,
                            }),
                            _ => None,
                        },
                    }
                },
            )
            .collect())
    }
}
