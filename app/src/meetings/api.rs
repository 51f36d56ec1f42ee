//! `POST /api/partnerships`: the partnerships whose meetings the person may
//! see or edit. The browser keeps the answer in its local store, so the
//! meeting screens work offline.

use super::PartnershipRef;
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Those of the libraries a device holds: the person's own and the
/// `offline` ones she chose.
#[server(prefix = "/api", endpoint = "partnerships", input = Json, output = Json)]
pub async fn my_partnerships(offline: Option<Vec<Uuid>>) -> Result<Vec<PartnershipRef>, AppError> {
    use crate::server_context as ctx;
    let offline = crate::sync::offline_list(offline)?;
    ctx::as_actor(|actor, pool| async move { ssr::partnerships(&pool, &actor, &offline).await })
        .await
}

/// Meetings a page of a library's meetings shows.
pub const LIBRARY_MEETINGS_PAGE: u32 = 20;

/// One meeting as a library's page lists it from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub id: Uuid,
    pub title: String,
    pub kind: String,
    pub starts_at: String,
    pub status: String,
    pub partnership: String,
    /// Sign-ins on its list, struck ones aside.
    pub sign_ins: u32,
}

/// A page of a library's meetings, latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingList {
    pub items: Vec<MeetingSummary>,
    pub total: u32,
    pub page: u32,
}

/// `POST /api/library-meetings`: a library's meetings from the server, for
/// those whose device does not hold the library (a coordinator).
#[server(prefix = "/api", endpoint = "library-meetings", input = Json, output = Json)]
pub async fn library_meetings(library_id: Uuid, page: u32) -> Result<MeetingList, AppError> {
    use crate::{
        accounts::access::{Action, Target},
        server_context as ctx,
    };
    ctx::as_actor(|actor, pool| async move {
        if !actor.may(Action::View, Target::Library(library_id)) {
            return Err(AppError::NotFound);
        }
        ssr::library_meetings(&pool, library_id, page).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::PartnershipRef;
    use super::{LIBRARY_MEETINGS_PAGE, MeetingList, MeetingSummary};
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

    /// The partnerships of the libraries a device of `actor` holds.
    pub async fn partnerships(
        pool: &PgPool,
        actor: &Actor,
        offline: &[Uuid],
    ) -> Result<Vec<PartnershipRef>, AppError> {
        let held: Vec<Uuid> = actor.device_scope(offline).into_iter().collect();
        partnerships_where(pool, actor, Some(held), None).await
    }

    /// One partnership, if the person may see its library.
    pub async fn partnership(
        pool: &PgPool,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Option<PartnershipRef>, AppError> {
        let filter = match actor.visible_libraries() {
            Scope::All => None,
            Scope::Only(ids) => Some(ids),
        };
        Ok(partnerships_where(pool, actor, filter, Some(id))
            .await?
            .pop())
    }

    /// `filter`: the libraries whose partnerships (`None`: all).
    async fn partnerships_where(
        pool: &PgPool,
        actor: &Actor,
        filter: Option<Vec<Uuid>>,
        only: Option<Uuid>,
    ) -> Result<Vec<PartnershipRef>, AppError> {
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
               where ($1::uuid[] is null or l.id = any($1)) and ($2::uuid is null or p.id = $2)
               order by l.name collate "pl-x-icu", p.name collate "pl-x-icu""#,
        )
        .bind(&filter)
        .bind(only)
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

    type SummaryRow = (Uuid, String, String, String, String, String, i64, i64);

    /// Page `page` (from 1) of `library`'s meetings, latest first, with how
    /// many signed each one's list.
    pub async fn library_meetings(
        pool: &PgPool,
        library: Uuid,
        page: u32,
    ) -> Result<MeetingList, AppError> {
        let page = page.max(1);
        let offset = i64::from(page - 1) * i64::from(LIBRARY_MEETINGS_PAGE);
        let rows: Vec<SummaryRow> = sqlx::query_as(
            r#"select r.id, coalesce(r.data->>'title', ''), coalesce(r.data->>'kind', ''),
                      coalesce(r.data->>'starts_at', ''), coalesce(r.data->>'status', ''),
                      coalesce(p.name, ''),
                      (select count(*) from records s
                       where s.entity = 'sign_in' and not s.deleted and s.library_id = r.library_id
                         and s.data->>'meeting_id' = r.id::text
                         and coalesce(s.data->'struck', 'null'::jsonb) = 'null'::jsonb),
                      count(*) over ()
               from records r
               left join partnerships p on p.id::text = r.data->>'partnership_id'
               where r.entity = 'meeting' and not r.deleted and r.library_id = $1
               order by r.data->>'starts_at' desc, r.id
               limit $2 offset $3"#,
        )
        .bind(library)
        .bind(i64::from(LIBRARY_MEETINGS_PAGE))
        .bind(offset)
        .fetch_all(pool)
        .await?;
        let total = match rows.first() {
            Some(row) => row.7,
            // Past the last page: say how many there are all the same.
            None => sqlx::query_scalar(
                "select count(*) from records where entity = 'meeting' and not deleted and library_id = $1",
            )
            .bind(library)
            .fetch_one(pool)
            .await?,
        };
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(MeetingList {
            items: rows
                .into_iter()
                .map(
                    |(id, title, kind, starts_at, status, partnership, sign_ins, _)| {
                        MeetingSummary {
                            id,
                            title,
                            kind,
                            starts_at,
                            status,
                            partnership,
                            sign_ins: count(sign_ins),
                        }
                    },
                )
                .collect(),
            total: count(total),
            page,
        })
    }
}
