//! The personal-data page: answering one person's request to see or erase
//! what the attendance lists hold about them. It asks the server (the lists
//! of all devices are there), so it needs the network.

use super::personal::{MIN_QUERY, PersonEntry, erase_person, find_person};
use crate::{
    errors::AppError,
    format,
    i18n::{t, t_string, use_i18n},
    ui::{ErrorNotice, confirm},
};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeSet;
use uuid::Uuid;

#[component]
pub fn PersonalDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let asked = RwSignal::new(String::new());
    let find = Action::new(move |text: &String| find_person(text.clone()));
    let erase = Action::new(move |ids: &Vec<Uuid>| erase_person(ids.clone()));
    let chosen = RwSignal::new(BTreeSet::<Uuid>::new());
    let too_short = RwSignal::new(false);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = query.get_untracked().trim().to_owned();
        too_short.set(text.chars().count() < MIN_QUERY);
        if too_short.get_untracked() {
            return;
        }
        chosen.set(BTreeSet::new());
        erase.value().set(None);
        asked.set(text.clone());
        find.dispatch(text);
    };
    // After an erasure the search runs again: what is left is what shows.
    Effect::new(move |_| {
        if let Some(Ok(_)) = erase.value().get() {
            chosen.set(BTreeSet::new());
            find.dispatch(asked.get_untracked());
        }
    });
    let results = move || {
        find.value().get().map(|result| match result {
            Ok(entries) => view! { <Found entries chosen erase asked /> }.into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    let erased = move || {
        erase.value().get().map(|result| match result {
            Ok(count) => view! {
                <p class="notice notice--ok" role="status">
                    {t_string!(i18n, personal.erased, count = i32::try_from(count).unwrap_or(i32::MAX)).to_string()}
                </p>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    view! {
        <Title text=move || t_string!(i18n, personal.title).to_string() />
        <h1>{t!(i18n, personal.title)}</h1>
        <p class="lead">{t!(i18n, personal.lead)}</p>
        <p class="muted">{t!(i18n, personal.retention)}</p>
        <form class="form narrow" on:submit=search role="search">
            <p class="field">
                <label for="person-query">{t!(i18n, personal.query)}</label>
                <input id="person-query" type="search" autocomplete="off" maxlength="200"
                    aria-describedby="person-query-error"
                    prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
                <span class="field__error" id="person-query-error">
                    {move || too_short.get().then(|| t_string!(i18n, personal.too_short))}
                </span>
            </p>
            <p><button type="submit" class="button" disabled=move || find.pending().get()>{t!(i18n, personal.search)}</button></p>
        </form>
        {erased}
        {results}
    }
}

use crate::{attendance::model::SignIn, sync::local::read_as};

#[component]
fn Found(
    entries: Vec<PersonEntry>,
    chosen: RwSignal<BTreeSet<Uuid>>,
    erase: Action<Vec<Uuid>, Result<u64, AppError>>,
    asked: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    if entries.is_empty() {
        return view! { <p class="notice" role="status">{t!(i18n, personal.none)}</p> }.into_any();
    }
    let count = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    let export = {
        let entries = entries.clone();
        move |_| {
            let Ok(text) = serde_json::to_string_pretty(&entries) else {
                return;
            };
            crate::ui::download("dane-osobowe.json", "application/json", &text);
        }
    };
    let erasable = entries.iter().any(|e| e.erasable);
    let remove = move |_| {
        let ids: Vec<Uuid> = chosen.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        let message = t_string!(
            i18n,
            personal.erase_confirm,
            count = i32::try_from(ids.len()).unwrap_or(i32::MAX)
        )
        .to_string();
        if confirm(&message) {
            erase.dispatch(ids);
        }
    };
    let rows = entries
        .into_iter()
        .map(|entry| {
            let id = entry.sign_in_id;
            // Shown as a sign-in; downloaded whole (`export` above).
            let Some(sign_in) = read_as::<SignIn>(super::model::ENTITY, id, entry.data) else {
                return ().into_any();
            };
            let when = entry
                .meeting_starts_at
                .as_deref()
                .map(|s| format::when(s, locale))
                .unwrap_or_default();
            let consent = match sign_in.image_consent {
                Some(true) => t_string!(i18n, kiosk.yes),
                Some(false) => t_string!(i18n, kiosk.no),
                None => "",
            };
            let label = format!("{} — {}", sign_in.full_name, entry.meeting_title);
            view! {
                <tr>
                    <td>
                        {entry.erasable.then(|| view! {
                            <input type="checkbox" class="row-check" aria-label=label.clone()
                                prop:checked=move || chosen.with(|c| c.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                                } />
                        })}
                    </td>
                    <td>{sign_in.full_name}</td>
                    <td>{sign_in.organization}</td>
                    <td>{sign_in.contact}</td>
                    <td>{consent}</td>
                    <td><a href=format!("/spotkania/{}/obecnosc", entry.meeting_id)>{entry.meeting_title.clone()}</a>
                        <br /><span class="muted">{when}</span></td>
                    <td>{entry.library_name.clone()}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="found-heading">
            <h2 id="found-heading">
                {move || t_string!(i18n, personal.found, count = count, query = asked.get()).to_string()}
            </h2>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, personal.choose)}</span></th>
                            <th scope="col">{t!(i18n, kiosk.full_name)}</th>
                            <th scope="col">{t!(i18n, kiosk.organization)}</th>
                            <th scope="col">{t!(i18n, personal.contact)}</th>
                            <th scope="col">{t!(i18n, attendance.image_consent)}</th>
                            <th scope="col">{t!(i18n, personal.meeting)}</th>
                            <th scope="col">{t!(i18n, personal.library)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="button-row">
                <button type="button" class="button button--quiet" on:click=export>{t!(i18n, personal.export)}</button>
                {erasable.then(|| view! {
                    <button type="button" class="button button--danger" on:click=remove
                        disabled=move || chosen.with(BTreeSet::is_empty) || erase.pending().get()>
                        {t!(i18n, personal.erase)}
                    </button>
                })}
            </p>
            {(!erasable).then(|| view! { <p class="muted">{t!(i18n, personal.read_only)}</p> })}
        </section>
    }
    .into_any()
}
