//! Server functions for the lists and detail pages. Each one starts from the
//! signed-in `Actor` and asks `Actor::may` (or filters by its scope) before
//! touching a row.

use super::{LibraryRow, LibraryView, Page, PersonRow, ProgramRow, ProgramView};
use crate::errors::AppError;
use leptos::{prelude::*, server_fn::codec::Json};
use uuid::Uuid;

/// `POST /api/libraries {"search", "page"}`: the libraries the person may see.
#[server(prefix = "/api", endpoint = "libraries", input = Json, output = Json)]
pub async fn list_libraries(search: String, page: u32) -> Result<Page<LibraryRow>, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            let actor = ctx::actor().await?;
            ssr::libraries(&ctx::pool()?, &actor, &search, page).await
        }
        .await,
    )
}

/// `POST /api/library {"id"}`: one library with branches, programs and people.
#[server(prefix = "/api", endpoint = "library", input = Json, output = Json)]
pub async fn library_details(id: Uuid) -> Result<LibraryView, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            let actor = ctx::actor().await?;
            ssr::library(&ctx::pool()?, &actor, id).await
        }
        .await,
    )
}

/// `POST /api/programs {"search", "page"}`: the programs the person works in.
#[server(prefix = "/api", endpoint = "programs", input = Json, output = Json)]
pub async fn list_programs(search: String, page: u32) -> Result<Page<ProgramRow>, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            let actor = ctx::actor().await?;
            ssr::programs(&ctx::pool()?, &actor, &search, page).await
        }
        .await,
    )
}

/// `POST /api/program {"id"}`: one program with its clause and visible libraries.
#[server(prefix = "/api", endpoint = "program", input = Json, output = Json)]
pub async fn program_details(id: Uuid) -> Result<ProgramView, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            let actor = ctx::actor().await?;
            ssr::program(&ctx::pool()?, &actor, id).await
        }
        .await,
    )
}

/// `POST /api/people {"search", "page"}`: accounts a coordinator looks after.
#[server(prefix = "/api", endpoint = "people", input = Json, output = Json)]
pub async fn list_people(search: String, page: u32) -> Result<Page<PersonRow>, AppError> {
    use crate::{errors::respond, server_context as ctx};
    respond(
        async {
            let actor = ctx::actor().await?;
            ssr::people(&ctx::pool()?, &actor, &search, page).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::{
        AccountStatus, Clause, Duty, LibraryRef, LibraryRow, LibraryView, Member, PER_PAGE, Page,
        PersonRow, ProgramRef, ProgramRow, ProgramView, Tutor,
    };
    use crate::{
        accounts::access::{AccountRoles, Action, Actor, Scope, Target},
        errors::AppError,
    };
    use sqlx::PgPool;
    use std::collections::BTreeMap;
    use uuid::Uuid;

    /// `None` means every library (admins); SQL reads it as `$n::uuid[] is null`.
    fn library_filter(actor: &Actor) -> Option<Vec<Uuid>> {
        match actor.visible_libraries() {
            Scope::All => None,
            Scope::Only(ids) => Some(ids),
        }
    }

    /// A case-insensitive "contains" pattern with `%`, `_` and `\` taken literally.
    pub fn contains_pattern(search: &str) -> String {
        let mut pattern = String::from("%");
        for c in search.trim().chars().take(100) {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }

    fn offset(page: u32) -> i64 {
        i64::from(page.max(1) - 1) * i64::from(PER_PAGE)
    }

    fn count(total: i64) -> u32 {
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    fn status(is_active: bool, has_password: bool) -> AccountStatus {
        match (is_active, has_password) {
            (false, _) => AccountStatus::Deactivated,
            (true, false) => AccountStatus::Invited,
            (true, true) => AccountStatus::Active,
        }
    }

    type MemberTuple = (Uuid, String, String, bool, bool);
    /// id, name, municipality, voivodeship, parent id, parent name, visible branches.
    type LibraryTuple = (
        Uuid,
        String,
        String,
        String,
        Option<Uuid>,
        Option<String>,
        i64,
    );
    /// name, municipality, voivodeship, parent id, parent name.
    type LibraryHead = (String, String, String, Option<Uuid>, Option<String>);
    /// A member tuple followed by the program: id, name, round.
    type TutorTuple = (
        Uuid,
        String,
        String,
        bool,
        bool,
        Uuid,
        String,
        Option<String>,
    );

    fn member((user_id, full_name, email, is_active, has_password): MemberTuple) -> Member {
        Member {
            user_id,
            full_name,
            email,
            status: status(is_active, has_password),
        }
    }

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
                |(id, name, municipality, voivodeship, parent_id, parent_name, branches)| {
                    LibraryRow {
                        id,
                        name,
                        municipality,
                        voivodeship,
                        parent: parent_id
                            .zip(parent_name)
                            .map(|(id, name)| LibraryRef { id, name }),
                        branches: count(branches),
                    }
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
        })
    }

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
            let program =
                program_id
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

    #[cfg(test)]
    mod tests {
        use super::contains_pattern;

        #[test]
        fn search_wildcards_are_taken_literally() {
            assert_eq!(contains_pattern(" Zal "), "%Zal%");
            assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        }
    }
}
