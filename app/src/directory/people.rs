//! The people list for coordinators and admins: who has which role, whose
//! invitation waits, and deactivating or reactivating an account.

use super::{
    AccountStatus, Duty, PagedList, PersonRow, StatusBadge, api::list_people, program_label,
};
use crate::{
    accounts::api::SetAccountActive,
    i18n::{t, t_string, use_i18n},
    ui::{confirm, error_text, list_query},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    let (search, page) = list_query();
    let toggle = ServerAction::<SetAccountActive>::new();
    let data = Resource::new(
        move || (search.get(), page.get(), toggle.version().get()),
        |(search, page, _)| list_people(search, page),
    );
    let toggle_error = move || match toggle.value().get() {
        Some(Err(error)) => Some(error_text(&error)),
        _ => None,
    };
    view! {
        <Title text=move || t_string!(i18n, people.title).to_string() />
        <h1>{t!(i18n, people.title)}</h1>
        <p class="form__error" role="alert">{toggle_error}</p>
        <PagedList
            data
            search
            count=move |total| t!(i18n, people.count, count = move || total).into_any()
            rows=move |rows| view! { <PeopleTable rows toggle /> }.into_any()
        />
    }
}

#[component]
fn PeopleTable(rows: Vec<PersonRow>, toggle: ServerAction<SetAccountActive>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="table" data-testid="people">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, people.name)}</th>
                    <th scope="col">{t!(i18n, people.email)}</th>
                    <th scope="col">{t!(i18n, people.duties)}</th>
                    <th scope="col">{t!(i18n, people.status)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <PersonLine row toggle /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn PersonLine(row: PersonRow, toggle: ServerAction<SetAccountActive>) -> impl IntoView {
    let i18n = use_i18n();
    let user_id = row.person.user_id;
    let name = row.person.full_name.clone();
    let active = row.person.status != AccountStatus::Deactivated;
    let duties = row
        .duties
        .into_iter()
        .map(|duty| {
            let text = match duty {
                Duty::Librarian { library } => {
                    t_string!(i18n, people.duty_librarian, library = library.name).to_string()
                }
                Duty::Tutor { library, program } => t_string!(
                    i18n,
                    people.duty_tutor,
                    library = library.name,
                    program = program_label(&program.name, program.round.as_deref())
                )
                .to_string(),
                Duty::Coordinator { program } => t_string!(
                    i18n,
                    people.duty_coordinator,
                    program = program_label(&program.name, program.round.as_deref())
                )
                .to_string(),
            };
            view! { <li>{text}</li> }
        })
        .collect_view();
    let admin = row
        .is_admin
        .then(|| view! { <li>{t!(i18n, people.admin)}</li> });
    let action = row.can_manage.then(|| {
        let confirm_name = name.clone();
        view! {
            <button
                type="button"
                class="button button--quiet"
                disabled=move || toggle.pending().get()
                on:click=move |_| {
                    if active && !confirm(&t_string!(i18n, people.confirm_deactivate, name = confirm_name.clone()).to_string()) {
                        return;
                    }
                    toggle.dispatch(SetAccountActive { user_id, active: !active });
                }
            >
                {if active { t!(i18n, people.deactivate).into_any() } else { t!(i18n, people.reactivate).into_any() }}
            </button>
        }
    });
    view! {
        <tr>
            <td>{name}</td>
            <td>{row.person.email}</td>
            <td><ul class="plain-list">{admin}{duties}</ul></td>
            <td class="table__actions"><StatusBadge status=row.person.status />{action}</td>
        </tr>
    }
}
