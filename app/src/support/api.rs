//! Server functions for support hours and the libraries a person works with:
//! `POST /api/my-libraries` (kept on the device, so the partner and hours
//! forms work offline), `POST /api/program-hours` (the coordinator's table)
//! and `POST /api/library-glance` (the library page at a glance).

use super::{Glance, HoursRow, MyLibrary};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;

#[server(prefix = "/api", endpoint = "my-libraries", input = Json, output = Json)]
pub async fn my_libraries(offline: Option<Vec<Uuid>>) -> Result<Vec<MyLibrary>, AppError> {
    use crate::server_context as ctx;
    let offline = crate::sync::offline_list(offline)?;
    ctx::as_actor(|actor, pool| async move { ssr::libraries(&pool, &actor, &offline).await }).await
}

#[server(prefix = "/api", endpoint = "program-hours", input = Json, output = Json)]
pub async fn program_hours(program_id: Uuid) -> Result<Vec<HoursRow>, AppError> {
    use crate::{
        accounts::access::{Action, Target},
        server_context as ctx,
    };
    ctx::as_actor(|actor, pool| async move {
        if !actor.may(Action::Manage, Target::Program(program_id)) {
            return Err(AppError::Forbidden);
        }
        ssr::hours(&pool, None, Some(program_id)).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "library-glance", input = Json, output = Json)]
pub async fn library_glance(library_id: Uuid) -> Result<Glance, AppError> {
    use crate::{
        accounts::access::{Action, Target},
        server_context as ctx,
    };
    ctx::as_actor(|actor, pool| async move {
        if !actor.may(Action::View, Target::Library(library_id)) {
            return Err(AppError::Forbidden);
        }
        ssr::glance(&pool, library_id, crate::clock::now()).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::{
        AttendancePoint, Glance, HoursRow, MyLibrary, MyProgram, NextMeeting, TutorRef,
        model::{ConsultationTime, MeetingTime, meeting_minutes, used_minutes},
    };
    use crate::{
        accounts::access::{Action, Actor, Target},
        errors::AppError,
        meetings::model::ENTITY as ENTITY_MEETING,
        sync::local::read_as,
    };
    use serde_json::Value;
    use sqlx::PgPool;
    use std::collections::BTreeMap;
    use uuid::Uuid;

    /// A library with one of its programs (none when it takes part in none).
    type LibraryProgram = (Uuid, String, Option<Uuid>, Option<String>, Option<i32>);
    /// Library, program, minutes and meeting of a consultation.
    type ConsultationFields = (Uuid, Option<String>, Option<i64>, Option<String>);

    /// Budget in tenths of an hour (the column is numeric(6,1)).
    const BUDGET_TENTHS: &str = "(support_hours_per_library * 10)::int";

    /// The libraries a device of `actor` holds (hers, and the `offline` ones).
    pub async fn libraries(
        pool: &PgPool,
        actor: &Actor,
        offline: &[Uuid],
    ) -> Result<Vec<MyLibrary>, AppError> {
        let filter: Option<Vec<Uuid>> = Some(actor.device_scope(offline).into_iter().collect());
        let rows: Vec<LibraryProgram> = sqlx::query_as(&format!(
            r#"select l.id, l.name, pr.id, pr.name, {BUDGET_TENTHS}
                   from libraries l
                   left join program_libraries pl on pl.library_id = l.id
                   left join programs pr on pr.id = pl.program_id
                   where $1::uuid[] is null or l.id = any($1)
                   order by l.name collate "pl-x-icu", pr.name collate "pl-x-icu""#
        ))
        .bind(&filter)
        .fetch_all(pool)
        .await?;
        let tutors: Vec<(Uuid, Uuid, Uuid, String)> = sqlx::query_as(
            r#"select t.library_id, t.program_id, u.id, u.full_name
               from tutor_assignments t join users u on u.id = t.tutor_id
               where ($1::uuid[] is null or t.library_id = any($1)) and u.is_active
               order by u.full_name collate "pl-x-icu""#,
        )
        .bind(&filter)
        .fetch_all(pool)
        .await?;
        let mut out: Vec<MyLibrary> = Vec::new();
        for (id, name, program_id, program_name, budget) in rows {
            if out.last().is_none_or(|l| l.id != id) {
                out.push(MyLibrary {
                    id,
                    name,
                    editable: actor.may(Action::Edit, Target::Library(id)),
                    logs_hours: actor.may(Action::LogHours, Target::Library(id)),
                    programs: Vec::new(),
                });
            }
            if let (Some(program_id), Some(program_name), Some(budget), Some(library)) =
                (program_id, program_name, budget, out.last_mut())
            {
                library.programs.push(MyProgram {
                    id: program_id,
                    name: program_name,
                    budget_tenths: u32::try_from(budget).unwrap_or(0),
                    tutors: tutors
                        .iter()
                        .filter(|t| t.0 == id && t.1 == program_id)
                        .map(|t| TutorRef {
                            id: t.2,
                            name: t.3.clone(),
                        })
                        .collect(),
                });
            }
        }
        Ok(out)
    }

    /// Hours used and budgeted per library and program: for the given
    /// libraries, or every library of a program.
    pub async fn hours(
        pool: &PgPool,
        libraries: Option<&[Uuid]>,
        program: Option<Uuid>,
    ) -> Result<Vec<HoursRow>, AppError> {
        let pairs: Vec<(Uuid, String, Uuid, String, i32)> = sqlx::query_as(&format!(
            r#"select l.id, l.name, pr.id, pr.name, {BUDGET_TENTHS}
               from program_libraries pl
               join libraries l on l.id = pl.library_id
               join programs pr on pr.id = pl.program_id
               where ($1::uuid[] is null or l.id = any($1)) and ($2::uuid is null or pr.id = $2)
               order by l.name collate "pl-x-icu", pr.name collate "pl-x-icu""#
        ))
        .bind(libraries)
        .bind(program)
        .fetch_all(pool)
        .await?;
        let ids: Vec<Uuid> = pairs.iter().map(|p| p.0).collect();
        // Only the fields counting needs, not the minutes' text.
        let meetings: Vec<(Uuid, Uuid, Uuid, Value)> = sqlx::query_as(
            "select r.id, r.library_id, p.program_id,
                    jsonb_build_object('status', r.data->'status', 'facilitator', r.data->'facilitator',
                                       'starts_at', r.data->'starts_at', 'ends_at', r.data->'ends_at')
             from records r join partnerships p on p.id = (r.data->>'partnership_id')::uuid
             where r.entity = 'meeting' and not r.deleted and r.library_id = any($1)",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?;
        let consultations: Vec<ConsultationFields> =
            sqlx::query_as(
                "select library_id, data->>'program_id', (data->>'minutes')::bigint, data->>'meeting_id'
                 from records
                 where entity = 'consultation' and not deleted and library_id = any($1)",
            )
            .bind(&ids)
            .fetch_all(pool)
            .await?;
        let meetings: Vec<MeetingTime> = meetings
            .into_iter()
            .map(|(id, library_id, program_id, fields)| MeetingTime {
                id,
                library_id,
                program_id,
                minutes: match fields {
                    Value::Object(data) => read_as(ENTITY_MEETING, id, data)
                        .map_or(0, |meeting| meeting_minutes(&meeting)),
                    _ => 0,
                },
            })
            .collect();
        let parse = |text: Option<String>| text.and_then(|t| Uuid::parse_str(&t).ok());
        let consultations: Vec<ConsultationTime> = consultations
            .into_iter()
            .filter_map(|(library_id, program, minutes, meeting)| {
                Some(ConsultationTime {
                    library_id,
                    program_id: parse(program)?,
                    minutes: u64::try_from(minutes?).ok()?,
                    meeting_id: parse(meeting),
                })
            })
            .collect();
        let used: BTreeMap<(Uuid, Uuid), u64> = used_minutes(&meetings, &consultations);
        Ok(pairs
            .into_iter()
            .map(
                |(library_id, library_name, program_id, program_name, budget)| HoursRow {
                    used_minutes: used.get(&(library_id, program_id)).copied().unwrap_or(0),
                    library_id,
                    library_name,
                    program_id,
                    program_name,
                    budget_tenths: u32::try_from(budget).unwrap_or(0),
                },
            )
            .collect())
    }

    /// The library at a glance as of `now` (seconds since the epoch).
    pub async fn glance(pool: &PgPool, library_id: Uuid, now: i64) -> Result<Glance, AppError> {
        let now_instant = crate::format::instant_of(now);
        let today = crate::clock::poland_day(&now_instant).unwrap_or_default();
        let hours = hours(pool, Some(&[library_id]), None).await?;
        let sectors: Vec<(String, i64)> = sqlx::query_as(
            "select data->>'sector', count(*) from records
             where entity = 'partner' and not deleted and library_id = $1
             group by 1 order by 2 desc, 1",
        )
        .bind(library_id)
        .fetch_all(pool)
        .await?;
        let next_meeting: Option<(Uuid, String, String)> = sqlx::query_as(
            r#"select id, data->>'title', data->>'starts_at' from records
               where entity = 'meeting' and not deleted and library_id = $1
                 and data->>'starts_at' >= $2
               order by data->>'starts_at' limit 1"#,
        )
        .bind(library_id)
        .bind(&now_instant)
        .fetch_optional(pool)
        .await?;
        let (open_tasks, overdue_tasks): (i64, i64) = sqlx::query_as(
            r#"select count(*), count(*) filter (where t->>'deadline' < $2)
               from records r cross join jsonb_array_elements(r.data->'tasks') t
               where r.entity = 'meeting' and not r.deleted and r.library_id = $1
                 and t->>'status' <> 'done'"#,
        )
        .bind(library_id)
        .bind(&today)
        .fetch_one(pool)
        .await?;
        // The last twelve meetings held, oldest first, with who signed.
        let attendance: Vec<(Uuid, String, String, i64)> = sqlx::query_as(
            r#"select * from (
                 select m.id, m.data->>'title', m.data->>'starts_at',
                        (select count(*) from records s
                         where s.entity = 'sign_in' and not s.deleted and s.library_id = $1
                           and s.data->>'meeting_id' = m.id::text and s.data->'struck' is null) as signed
                 from records m
                 where m.entity = 'meeting' and not m.deleted and m.library_id = $1
                   and m.data->>'starts_at' < $2
                 order by m.data->>'starts_at' desc limit 12) last
               order by 3"#,
        )
        .bind(library_id)
        .bind(&now_instant)
        .fetch_all(pool)
        .await?;
        Ok(Glance {
            hours,
            sectors,
            next_meeting: next_meeting.map(|(id, title, starts_at)| NextMeeting {
                id,
                title,
                starts_at,
            }),
            open_tasks,
            overdue_tasks,
            attendance: attendance
                .into_iter()
                .map(|(id, title, starts_at, signed)| AttendancePoint {
                    id,
                    title,
                    starts_at,
                    signed,
                })
                .collect(),
        })
    }
}
