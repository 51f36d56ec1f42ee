//! Libraries: the list the person may see and one library's page.

use super::*;
use crate::directory::{LibraryRef, LibraryRow, LibraryView, PER_PAGE, Page, ProgramRef, Tutor};
use crate::{
    accounts::access::{Action, Actor, Target},
    errors::AppError,
};
use sqlx::PgPool;
use uuid::Uuid;

pub async fn libraries(
    pool: &PgPool,
    actor: &Actor,
    search: &str,
    page: u32,
) -> Result<Page<LibraryRow>, AppError> {
    let filter = library_filter(actor);
    let pattern = contains_pattern(search);
    let matching = "from libraries l left join libraries p on p.id = l.parent_id
         where ($1::uuid[] is null or l.id = any($1))
           and (l.name ilike $2 or l.municipality ilike $2 or p.name ilike $2)";
    let total: i64 = sqlx::query_scalar(&format!("select count(*) {matching}"))
        .bind(&filter)
        .bind(&pattern)
        .fetch_one(pool)
        .await?;
    // A main library is followed by its branches.
    let rows: Vec<LibraryTuple> = sqlx::query_as(&format!(
        "select l.id, l.name, l.municipality, l.voivodeship, p.id, p.name,
                    (select count(*) from libraries b
                     where b.parent_id = l.id and ($1::uuid[] is null or b.id = any($1)))
             {matching}
             order by coalesce(p.name, l.name) collate \"pl-x-icu\", coalesce(p.id, l.id),
                      l.parent_id nulls first, l.name collate \"pl-x-icu\"
             limit $3 offset $4"
    ))
    .bind(&filter)
    .bind(&pattern)
    .bind(i64::from(PER_PAGE))
    .bind(offset(page))
    .fetch_all(pool)
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(id, name, municipality, voivodeship, parent_id, parent_name, branches)| LibraryRow {
                id,
                name,
                municipality,
                voivodeship,
                parent: parent_id
                    .zip(parent_name)
                    .map(|(id, name)| LibraryRef { id, name }),
                branches: count(branches),
            },
        )
        .collect();
    Ok(Page {
        items,
        total: count(total),
        page: page.max(1),
    })
}

pub async fn library(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<LibraryView, AppError> {
    if !actor.may(Action::View, Target::Library(id)) {
        return Err(AppError::Forbidden);
    }
    let row: Option<LibraryHead> = sqlx::query_as(
        "select l.name, l.municipality, l.voivodeship, p.id, p.name
         from libraries l left join libraries p on p.id = l.parent_id where l.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let (name, municipality, voivodeship, parent_id, parent_name) =
        row.ok_or(AppError::NotFound)?;
    let parent = parent_id
        .zip(parent_name)
        .map(|(id, name)| LibraryRef { id, name });

    let filter = library_filter(actor);
    let branches: Vec<(Uuid, String)> = sqlx::query_as(
        "select id, name from libraries
         where parent_id = $1 and ($2::uuid[] is null or id = any($2))
         order by name collate \"pl-x-icu\"",
    )
    .bind(id)
    .bind(&filter)
    .fetch_all(pool)
    .await?;
    // A branch takes part in its main library's programs.
    let programs: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
        "select distinct p.id, p.name, p.round from programs p
         join program_libraries pl on pl.program_id = p.id
         where pl.library_id = $1 or pl.library_id = $2
         order by p.name, p.round",
    )
    .bind(id)
    .bind(parent_id)
    .fetch_all(pool)
    .await?;
    let programs: Vec<ProgramRef> = programs
        .into_iter()
        .map(|(id, name, round)| ProgramRef { id, name, round })
        .collect();
    let librarians: Vec<MemberTuple> = sqlx::query_as(
        "select u.id, u.full_name, u.email, u.is_active, u.password_hash is not null
         from library_memberships m join users u on u.id = m.user_id
         where m.library_id = $1 order by u.full_name collate \"pl-x-icu\"",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let tutors: Vec<TutorTuple> = sqlx::query_as(
        "select u.id, u.full_name, u.email, u.is_active, u.password_hash is not null,
                    p.id, p.name, p.round
             from tutor_assignments t join users u on u.id = t.tutor_id
             join programs p on p.id = t.program_id
             where t.library_id = $1 or t.library_id = $2
             order by u.full_name collate \"pl-x-icu\", p.name",
    )
    .bind(id)
    .bind(parent_id)
    .fetch_all(pool)
    .await?;
    let can_invite = actor.may(Action::Manage, Target::Library(id));
    let tutor_programs = programs
        .iter()
        .filter(|p| can_invite && actor.may(Action::Manage, Target::Program(p.id)))
        .cloned()
        .collect();
    Ok(LibraryView {
        id,
        name,
        municipality,
        voivodeship,
        parent,
        branches: branches
            .into_iter()
            .map(|(id, name)| LibraryRef { id, name })
            .collect(),
        programs,
        librarians: librarians.into_iter().map(member).collect(),
        tutors: tutors
            .into_iter()
            .map(
                |(user_id, full_name, email, active, password, pid, pname, round)| Tutor {
                    person: member((user_id, full_name, email, active, password)),
                    program: ProgramRef {
                        id: pid,
                        name: pname,
                        round,
                    },
                },
            )
            .collect(),
        can_invite,
        tutor_programs,
        held_by_default: actor.device_scope(&[]).contains(&id),
    })
}
