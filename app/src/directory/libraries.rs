//! The libraries list and a library's page (branches, programs, people, invitations).

use super::{
    LibraryRow, LibraryView, Member, PagedList, StatusBadge,
    api::{library_details, list_libraries},
    program_label,
};
use crate::{
    accounts::{
        api::InvitePerson,
        model::{Email, FullName, Role},
    },
    errors::{AppError, Field, Problem},
    i18n::{t, t_string, use_i18n},
    meetings::{
        api::{MeetingList, library_meetings},
        pages::LibraryMeetings,
    },
    support::{Glance, api::library_glance, glance::LibraryGlance},
    sync::offline::OfflineChoice,
    ui::{ErrorNotice, LinkBox, adopt_typed, list_query, problem_text},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};
use uuid::Uuid;

#[component]
pub fn LibrariesPage() -> impl IntoView {
    let i18n = use_i18n();
    let (search, page) = list_query();
    let data = Resource::new(
        move || (search.get(), page.get()),
        |(search, page)| list_libraries(search, page),
    );
    view! {
        <Title text=move || t_string!(i18n, libraries.title).to_string() />
        <h1>{t!(i18n, libraries.title)}</h1>
        <PagedList
            data
            search
            count=move |total| t!(i18n, libraries.count, count = move || total).into_any()
            rows=move |rows| view! { <LibraryTable rows /> }.into_any()
        />
    }
}

#[component]
fn LibraryTable(rows: Vec<LibraryRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="table" data-testid="libraries">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, libraries.name)}</th>
                    <th scope="col">{t!(i18n, libraries.municipality)}</th>
                    <th scope="col">{t!(i18n, libraries.voivodeship)}</th>
                    <th scope="col">{t!(i18n, libraries.branches)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let is_branch = row.parent.is_some();
                    let branch_of = row.parent.map(|parent| view! {
                        <span class="table__sub">{t!(i18n, libraries.branch_of, name = parent.name)}</span>
                    });
                    let branches = i32::try_from(row.branches).unwrap_or(i32::MAX);
                    view! {
                        <tr class:table__branch=is_branch>
                            <td>
                                <A href=format!("/biblioteki/{}", row.id)>{row.name}</A>
                                {branch_of}
                            </td>
                            <td>{row.municipality}</td>
                            <td>{row.voivodeship}</td>
                            <td>{(branches > 0).then(|| t!(i18n, libraries.branch_count, count = move || branches))}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The id in the address, or `NotFound` for a malformed one.
pub fn id_param() -> Signal<Result<Uuid, AppError>> {
    let params = use_params_map();
    Signal::derive(move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
            .ok_or(AppError::NotFound)
    })
}

#[component]
pub fn LibraryPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = id_param();
    // The invitation action lives here, not in the form: after a successful
    // invitation the page reloads its members (and rebuilds the form), and
    // the link must outlive that. A refused one reloads nothing.
    let invite = ServerAction::<InvitePerson>::new();
    let invited = Memo::new(move |last: Option<&usize>| {
        let succeeded = invite.value().with(|value| matches!(value, Some(Ok(_))));
        if succeeded {
            invite.version().get()
        } else {
            last.copied().unwrap_or_default()
        }
    });
    let resource = Resource::new(
        move || (id.get(), invited.get()),
        |(id, _)| async move { library_details(id?).await },
    );
    // The page's other server data, made here beside it, never inside the
    // view (see `ProgramPage`): the glance and a page of its meetings.
    let glance = Resource::new(
        move || id.get(),
        |id| async move { library_glance(id?).await },
    );
    let meetings_page = RwSignal::new(1usize);
    // Another library (a branch's link) starts at its first page.
    Effect::new(move |ran: Option<()>| {
        id.track();
        if ran.is_some() {
            meetings_page.set(1);
        }
    });
    let meetings = Resource::new(
        move || (id.get(), meetings_page.get()),
        |(id, page)| async move { library_meetings(id?, u32::try_from(page).unwrap_or(1)).await },
    );
    view! {
        <Transition fallback=move || view! { <p>{t!(i18n, list.loading)}</p> }>
            {move || resource.get().map(|result| match result {
                Ok(library) => view! {
                    <LibraryDetails library invite glance meetings meetings_page />
                }.into_any(),
                Err(error) => view! {
                    <Title text=move || t_string!(i18n, libraries.title).to_string() />
                    <ErrorNotice error />
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn LibraryDetails(
    library: LibraryView,
    invite: ServerAction<InvitePerson>,
    glance: Resource<Result<Glance, AppError>>,
    meetings: Resource<Result<MeetingList, AppError>>,
    meetings_page: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = library.name.clone();
    let parent = library.parent.clone().map(|parent| view! {
        <p>{t!(i18n, libraries.main_library)}": "<A href=format!("/biblioteki/{}", parent.id)>{parent.name}</A></p>
    });
    let branches = if library.branches.is_empty() {
        view! { <p>{t!(i18n, libraries.no_branches)}</p> }.into_any()
    } else {
        view! {
            <ul class="link-list">
                {library.branches.clone().into_iter().map(|b| view! {
                    <li><A href=format!("/biblioteki/{}", b.id)>{b.name}</A></li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let programs = if library.programs.is_empty() {
        view! { <p>{t!(i18n, libraries.no_programs)}</p> }.into_any()
    } else {
        view! {
            <ul class="link-list">
                {library.programs.clone().into_iter().map(|p| view! {
                    <li><A href=format!("/programy/{}", p.id)>{program_label(&p.name, p.round.as_deref())}</A></li>
                }).collect_view()}
            </ul>
        }.into_any()
    };
    let tutors: Vec<(Member, Option<String>)> = library
        .tutors
        .iter()
        .map(|t| {
            (
                t.person.clone(),
                Some(program_label(&t.program.name, t.program.round.as_deref())),
            )
        })
        .collect();
    let librarians: Vec<(Member, Option<String>)> = library
        .librarians
        .iter()
        .map(|m| (m.clone(), None))
        .collect();
    let invite_form = library.can_invite.then(|| {
        view! { <InviteForm library_id=library.id tutor_programs=library.tutor_programs.clone() invite /> }
    });
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <p class="lead">{library.municipality.clone()}", "{t!(i18n, libraries.voivodeship_short)}" "{library.voivodeship.clone()}</p>
        {parent}
        {(!library.held_by_default).then(|| view! { <OfflineChoice library=library.id /> })}
        <LibraryGlance glance />
        <LibraryMeetings meetings page=meetings_page />
        <div class="columns">
            <section>
                <h2>{t!(i18n, libraries.branches)}</h2>
                {branches}
            </section>
            <section>
                <h2>{t!(i18n, libraries.programs)}</h2>
                {programs}
            </section>
        </div>
        <section>
            <h2>{t!(i18n, libraries.librarians)}</h2>
            <MemberTable members=librarians />
        </section>
        <section>
            <h2>{t!(i18n, libraries.tutors)}</h2>
            <MemberTable members=tutors />
        </section>
        {invite_form}
    }
}

#[component]
fn MemberTable(members: Vec<(Member, Option<String>)>) -> impl IntoView {
    let i18n = use_i18n();
    if members.is_empty() {
        return view! { <p>{t!(i18n, libraries.nobody)}</p> }.into_any();
    }
    let with_program = members.iter().any(|(_, program)| program.is_some());
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, people.name)}</th>
                    <th scope="col">{t!(i18n, libraries.email)}</th>
                    {with_program.then(|| view! { <th scope="col">{t!(i18n, libraries.program)}</th> })}
                    <th scope="col">{t!(i18n, libraries.status)}</th>
                </tr>
            </thead>
            <tbody>
                {members.into_iter().map(|(member, program)| view! {
                    <tr>
                        <td>{member.full_name}</td>
                        <td>{member.email}</td>
                        {with_program.then(|| view! { <td>{program}</td> })}
                        <td><StatusBadge status=member.status /></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Invites a person by e-mail as a librarian or a tutor; shows the one-time
/// link to pass on, since no mail server is assumed.
#[component]
fn InviteForm(
    library_id: Uuid,
    tutor_programs: Vec<super::ProgramRef>,
    invite: ServerAction<InvitePerson>,
) -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let (full_name_field, email_field) = (NodeRef::new(), NodeRef::new());
    adopt_typed(full_name_field, full_name);
    adopt_typed(email_field, email);
    let role = RwSignal::new(Role::Librarian);
    let first_program = tutor_programs
        .first()
        .map(|p| p.id.to_string())
        .unwrap_or_default();
    let program = RwSignal::new(first_program);
    let ready = crate::ui::hydrated();
    Effect::new(move |_| {
        if let Some(Ok(_)) = invite.value().get() {
            email.set(String::new());
            full_name.set(String::new());
        }
    });

    // Checked here first with the server's own rules, so a typo is caught
    // on the device (and offline) with the same sentence the server would give.
    let local_problem = RwSignal::new(None::<(Field, Problem)>);
    let field_error = move |field: Field| {
        move || {
            let server = match invite.value().get() {
                Some(Err(AppError::Validation { field, problem })) => Some((field, problem)),
                _ => None,
            };
            local_problem
                .get()
                .or(server)
                .filter(|(f, _)| *f == field)
                .map(|(_, problem)| problem_text(problem))
        }
    };
    let general_error = move || match invite.value().get() {
        Some(Err(AppError::Validation { .. })) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(crate::ui::error_text(&error)),
    };
    let link = move || match invite.value().get() {
        Some(Ok(invited)) => Some(invited.link),
        _ => None,
    };
    let has_tutor_programs = !tutor_programs.is_empty();
    let program_options = tutor_programs
        .iter()
        .map(|p| {
            let label = program_label(&p.name, p.round.as_deref());
            view! { <option value=p.id.to_string()>{label}</option> }
        })
        .collect_view();

    view! {
        <section class="panel" aria-labelledby="invite-title">
            <h2 id="invite-title">{t!(i18n, invite.title)}</h2>
            <p>{t!(i18n, invite.intro)}</p>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                let checked = FullName::parse(&full_name.get_untracked())
                    .map_err(|p| (Field::FullName, p))
                    .and_then(|_| Email::parse(&email.get_untracked()).map_err(|p| (Field::Email, p)));
                local_problem.set(checked.err());
                if local_problem.get_untracked().is_some() {
                    return;
                }
                let program_id = match role.get_untracked() {
                    Role::Tutor => Uuid::parse_str(&program.get_untracked()).ok(),
                    Role::Librarian => None,
                };
                invite.dispatch(InvitePerson {
                    library_id,
                    email: email.get_untracked(),
                    full_name: full_name.get_untracked(),
                    role: role.get_untracked(),
                    program_id,
                });
            }>
                <label class="field">
                    <span>{t!(i18n, invite.full_name)}</span>
                    <input type="text" name="full_name" autocomplete="off" required bind:value=full_name node_ref=full_name_field />
                    <span class="field__error">{field_error(Field::FullName)}</span>
                </label>
                <label class="field">
                    <span>{t!(i18n, invite.email)}</span>
                    <input type="email" name="email" autocomplete="off" required bind:value=email node_ref=email_field />
                    <span class="field__error">{field_error(Field::Email)}</span>
                </label>
                <fieldset class="field">
                    <legend>{t!(i18n, invite.role)}</legend>
                    <label class="choice">
                        <input type="radio" name="role" value="librarian"
                            prop:checked=move || role.get() == Role::Librarian
                            on:change=move |_| role.set(Role::Librarian) />
                        {t!(i18n, invite.role_librarian)}
                    </label>
                    {has_tutor_programs.then(|| view! {
                        <label class="choice">
                            <input type="radio" name="role" value="tutor"
                                prop:checked=move || role.get() == Role::Tutor
                                on:change=move |_| role.set(Role::Tutor) />
                            {t!(i18n, invite.role_tutor)}
                        </label>
                    })}
                </fieldset>
                <label class="field" hidden=move || role.get() != Role::Tutor>
                    <span>{t!(i18n, invite.program)}</span>
                    <select name="program" bind:value=program>{program_options}</select>
                    <span class="field__error">{field_error(Field::Program)}</span>
                </label>
                <p class="form__error" role="alert">{general_error}</p>
                <button type="submit" class="button" disabled=move || !ready.get() || invite.pending().get()>
                    {t!(i18n, invite.submit)}
                </button>
            </form>
            <div role="status">
                {move || link().map(|link| match link {
                    Some(path) => view! {
                        <div class="notice notice--ok" data-testid="invitation">
                            <LinkBox url=absolute(&path) id="invitation-link"
                                label=Signal::derive(move || t_string!(i18n, invite.done_link).to_string()) />
                        </div>
                    }.into_any(),
                    None => view! { <p class="notice notice--ok">{t!(i18n, invite.done_existing)}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// `path` with the page's origin in front, so the link can be passed on.
fn absolute(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    if let Ok(origin) = window().location().origin() {
        return format!("{origin}{path}");
    }
    path.to_owned()
}
