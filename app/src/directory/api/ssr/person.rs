//! People: their roles, and the list of those the person may see.

use super::*;
use crate::directory::{Duty, LibraryRef, PER_PAGE, Page, PersonRow, ProgramRef};
use crate::{
    accounts::access::{AccountRoles, Action, Actor, Target},
    errors::AppError,
};
use sqlx::PgPool;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Everything a person does, unfiltered: what decides who may manage them.
pub async fn account_roles(
    pool: &PgPool,
    user_ids: &[Uuid],
) -> Result<BTreeMap<Uuid, (AccountRoles, Vec<Duty>)>, AppError> {
    type Row = (
        Uuid,
        String,
        Option<Uuid>,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select m.user_id, 'librarian', l.id, l.name, null::uuid, null, null
           from library_memberships m join libraries l on l.id = m.library_id
          where m.user_id = any($1)
         union all
         select t.tutor_id, 'tutor', l.id, l.name, p.id, p.name, p.round
           from tutor_assignments t join libraries l on l.id = t.library_id
           join programs p on p.id = t.program_id
          where t.tutor_id = any($1)
         union all
         select c.user_id, 'coordinator', null, null, p.id, p.name, p.round
           from program_coordinators c join programs p on p.id = c.program_id
          where c.user_id = any($1)",
    )
    .bind(user_ids)
    .fetch_all(pool)
    .await?;
    let admins: Vec<Uuid> =
        sqlx::query_scalar("select id from users where id = any($1) and is_admin")
            .bind(user_ids)
            .fetch_all(pool)
            .await?;
    let mut roles: BTreeMap<Uuid, (AccountRoles, Vec<Duty>)> = user_ids
        .iter()
        .map(|id| {
            let account = AccountRoles {
                user_id: *id,
                is_admin: admins.contains(id),
                ..AccountRoles::default()
            };
            (*id, (account, Vec::new()))
        })
        .collect();
    for (user_id, kind, library_id, library_name, program_id, program_name, round) in rows {
        let Some((account, duties)) = roles.get_mut(&user_id) else {
            continue;
        };
        let library = library_id
            .zip(library_name)
            .map(|(id, name)| LibraryRef { id, name });
        let program = program_id
            .zip(program_name)
            .map(|(id, name)| ProgramRef { id, name, round });
        match (kind.as_str(), library, program) {
            ("librarian", Some(library), _) => {
                account.libraries.insert(library.id);
                duties.push(Duty::Librarian { library });
            }
            ("tutor", Some(library), Some(program)) => {
                account.libraries.insert(library.id);
                account.programs.insert(program.id);
                duties.push(Duty::Tutor { library, program });
            }
            ("coordinator", _, Some(program)) => {
                account.programs.insert(program.id);
                account.coordinates = true;
                duties.push(Duty::Coordinator { program });
            }
            _ => {}
        }
    }
    Ok(roles)
}

pub async fn people(
    pool: &PgPool,
    actor: &Actor,
    search: &str,
    page: u32,
) -> Result<Page<PersonRow>, AppError> {
    if !actor.may(Action::View, Target::People) {
        return Err(AppError::Forbidden);
    }
    let (libraries, programs) = if actor.is_admin {
        (None, Vec::new())
    } else {
        (
            Some(
                actor
                    .coordinated_libraries
                    .iter()
                    .copied()
                    .collect::<Vec<_>>(),
            ),
            actor.coordinator_of.iter().copied().collect(),
        )
    };
    let pattern = contains_pattern(search);
    let matching = "from users u
         where ($1::uuid[] is null
                or exists (select 1 from library_memberships m where m.user_id = u.id and m.library_id = any($1))
                or exists (select 1 from tutor_assignments t where t.tutor_id = u.id and t.program_id = any($2))
                or exists (select 1 from program_coordinators c where c.user_id = u.id and c.program_id = any($2)))
           and (u.full_name ilike $3 or u.email ilike $3)";
    let total: i64 = sqlx::query_scalar(&format!("select count(*) {matching}"))
        .bind(&libraries)
        .bind(&programs)
        .bind(&pattern)
        .fetch_one(pool)
        .await?;
    let rows: Vec<MemberTuple> = sqlx::query_as(&format!(
        "select u.id, u.full_name, u.email, u.is_active, u.password_hash is not null
         {matching}
         order by u.full_name collate \"pl-x-icu\", u.email
         limit $4 offset $5"
    ))
    .bind(&libraries)
    .bind(&programs)
    .bind(&pattern)
    .bind(i64::from(PER_PAGE))
    .bind(offset(page))
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.0).collect();
    let mut roles = account_roles(pool, &ids).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let (account, duties) = roles.remove(&row.0).unwrap_or_default();
            // Only the duties in the viewer's own libraries and programs are shown.
            let duties = duties
                .into_iter()
                .filter(|duty| match duty {
                    Duty::Librarian { library } => {
                        actor.may(Action::View, Target::Library(library.id))
                    }
                    Duty::Tutor { program, .. } | Duty::Coordinator { program } => {
                        actor.may(Action::Manage, Target::Program(program.id))
                    }
                })
                .collect();
            PersonRow {
                person: member(row),
                is_admin: account.is_admin,
                duties,
                can_manage: actor.may_manage_account(&account),
            }
        })
        .collect();
    Ok(Page {
        items,
        total: count(total),
        page: page.max(1),
    })
}
