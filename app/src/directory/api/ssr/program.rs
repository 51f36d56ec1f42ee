//! Programs: the list and one program's page.

use super::*;
use crate::directory::{Clause, LibraryRef, PER_PAGE, Page, ProgramRow, ProgramView};
use crate::{
    accounts::access::{Action, Actor, Target},
    errors::AppError,
};
use sqlx::PgPool;
use uuid::Uuid;

pub async fn programs(
    pool: &PgPool,
    actor: &Actor,
    search: &str,
    page: u32,
) -> Result<Page<ProgramRow>, AppError> {
    let filter = library_filter(actor);
    let coordinated: Vec<Uuid> = actor.coordinator_of.iter().copied().collect();
    let pattern = contains_pattern(search);
    // Programs the person coordinates or one of whose libraries they see.
    let matching = "from programs p
         where ($1::uuid[] is null or p.id = any($2) or exists (
                   select 1 from program_libraries pl join libraries l on l.id = pl.library_id
                   where pl.program_id = p.id
                     and (l.id = any($1) or exists (
                          select 1 from libraries b where b.parent_id = l.id and b.id = any($1)))))
           and (p.name ilike $3 or p.operator ilike $3 or coalesce(p.round, '') ilike $3)";
    let total: i64 = sqlx::query_scalar(&format!("select count(*) {matching}"))
        .bind(&filter)
        .bind(&coordinated)
        .bind(&pattern)
        .fetch_one(pool)
        .await?;
    type Row = (
        Uuid,
        String,
        String,
        Option<String>,
        Option<time::Date>,
        Option<time::Date>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select p.id, p.name, p.operator, p.round, p.starts_on, p.ends_on,
                (select count(*) from program_libraries pl where pl.program_id = p.id)
         {matching}
         order by p.starts_on desc nulls last, p.name collate \"pl-x-icu\"
         limit $4 offset $5"
    ))
    .bind(&filter)
    .bind(&coordinated)
    .bind(&pattern)
    .bind(i64::from(PER_PAGE))
    .bind(offset(page))
    .fetch_all(pool)
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, name, operator, round, starts_on, ends_on, libraries)| ProgramRow {
                id,
                name,
                operator,
                round,
                starts_on: starts_on.map(Into::into),
                ends_on: ends_on.map(Into::into),
                libraries: count(libraries),
            },
        )
        .collect();
    Ok(Page {
        items,
        total: count(total),
        page: page.max(1),
    })
}

pub async fn program(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<ProgramView, AppError> {
    if !actor.may(Action::View, Target::Program(id)) {
        return Err(AppError::Forbidden);
    }
    type Row = (
        String,
        String,
        Option<String>,
        Option<time::Date>,
        Option<time::Date>,
        i32,
        Option<String>,
        i32,
    );
    let row: Option<Row> = sqlx::query_as(
        "select name, operator, round, starts_on, ends_on,
                (support_hours_per_library * 10)::int4, funding_line, sign_in_retention_months
         from programs where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let (name, operator, round, starts_on, ends_on, tenths, funding_line, retention) =
        row.ok_or(AppError::NotFound)?;
    let clause: Option<(i32, String, String)> = sqlx::query_as(
        "select version, short_text, full_text from information_clauses
         where program_id = $1 order by version desc limit 1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let libraries: Vec<(Uuid, String)> = sqlx::query_as(
        "select l.id, l.name from program_libraries pl join libraries l on l.id = pl.library_id
         where pl.program_id = $1 and ($2::uuid[] is null or l.id = any($2))
         order by l.name collate \"pl-x-icu\"",
    )
    .bind(id)
    .bind(library_filter(actor))
    .fetch_all(pool)
    .await?;
    let coordinators: Vec<MemberTuple> = sqlx::query_as(
        "select u.id, u.full_name, u.email, u.is_active, u.password_hash is not null
         from program_coordinators c join users u on u.id = c.user_id
         where c.program_id = $1 order by u.full_name collate \"pl-x-icu\"",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(ProgramView {
        id,
        name,
        operator,
        round,
        starts_on: starts_on.map(Into::into),
        ends_on: ends_on.map(Into::into),
        support_tenths_per_library: u32::try_from(tenths).unwrap_or(0),
        funding_line,
        clause: clause.map(|(version, short_text, full_text)| Clause {
            version,
            short_text,
            full_text,
        }),
        sign_in_retention_months: retention,
        manageable: actor.may(Action::Manage, Target::Program(id)),
        libraries: libraries
            .into_iter()
            .map(|(id, name)| LibraryRef { id, name })
            .collect(),
        coordinators: coordinators.into_iter().map(member).collect(),
    })
}
