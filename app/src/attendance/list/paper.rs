//! What a librarian adds to a list: struck entries, a paper entry typed in, kiosk links for other tablets.

use super::*;
use crate::attendance::{
    Clause,
    kiosk::{Entry, ImageConsent, TextInput},
    model::ENTITY,
};
use crate::{
    clock::now_instant,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{Op, engine::use_sync},
    ui::{ErrorNotice, confirm},
};
use leptos::prelude::*;
use serde_json::json;
use uuid::Uuid;

#[component]
pub(super) fn Struck(struck: Vec<Attendee>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel no-print" aria-labelledby="struck-heading">
            <h2 id="struck-heading">{t!(i18n, attendance.struck_title)}</h2>
            <ul>
                {struck.into_iter().map(|a| view! {
                    <li><s>{a.full_name}</s>" — "{a.struck.unwrap_or_default()}
                        {a.pending.then(|| view! { " " <span class="badge badge--wait">{t!(i18n, meetings.pending)}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Someone who signed the paper list, typed in later (no signature here: it
/// is on the paper, which the library keeps).
#[component]
pub(super) fn PaperEntry(
    meeting: Uuid,
    clause: Option<Clause>,
    starts_at: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = RwSignal::new(false);
    let entry = RwSignal::new(Entry::new());
    let failed = RwSignal::new(false);
    let Some(clause) = clause else {
        return ().into_any();
    };
    let version = clause.version;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let current = entry.get_untracked();
        let mut data = current.data(meeting, &clause);
        data.insert("typed_later".into(), json!(true));
        if !starts_at.is_empty() {
            data.insert("signed_at".into(), json!(starts_at));
        }
        if !current.checked(&data, "paper") {
            return;
        }
        let saved =
            sync.write(|store| store.save(ENTITY, Uuid::new_v4(), Op::Upsert, data, now_instant()));
        failed.set(saved.is_err());
        if saved.is_ok() {
            entry.set(Entry::new());
        }
    };
    view! {
        <section class="panel no-print" aria-labelledby="paper-heading">
            <h2 id="paper-heading">{t!(i18n, attendance.paper_title)}</h2>
            <p class="muted">{t!(i18n, attendance.paper_lead)}</p>
            <button type="button" class="button button--quiet" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {t!(i18n, attendance.paper_add)}
            </button>
            <form class="form" hidden=move || !open.get() on:submit=save novalidate=true autocomplete="off">
                {move || {
                    let entry = entry.get();
                    view! {
                        <TextInput id="paper-full_name" label=t_string!(i18n, kiosk.full_name).to_string()
                            value=entry.full_name problem=entry.problem("full_name") required=true />
                        <div class="form-grid">
                            <TextInput id="paper-organization" label=t_string!(i18n, kiosk.organization).to_string()
                                value=entry.organization problem=entry.problem("organization") />
                            <TextInput id="paper-function" label=t_string!(i18n, kiosk.function).to_string()
                                value=entry.function problem=entry.problem("function") />
                        </div>
                        <p class="check">
                            <input type="checkbox" id="paper-clause_ack" aria-describedby="paper-clause_ack-error"
                                prop:checked=entry.clause_ack
                                on:change=move |ev| entry.clause_ack.set(event_target_checked(&ev)) />
                            <label for="paper-clause_ack">
                                {move || t_string!(i18n, attendance.paper_clause, version = version).to_string()}
                            </label>
                        </p>
                        <span class="field__error" id="paper-clause_ack-error">
                            {move || entry.problem("clause_ack").get().map(|_| t_string!(i18n, kiosk.clause_ack_missing))}
                        </span>
                        <ImageConsent entry prefix="paper" />
                    }
                }}
                {move || failed.get().then(|| view! {
                    <p class="notice notice--error" role="alert">{t!(i18n, meetings.not_saved)}</p>
                })}
                <p><button type="submit" class="button">{t!(i18n, attendance.paper_save)}</button></p>
            </form>
        </section>
    }
    .into_any()
}

/// A kiosk on another tablet: a link and QR code with a kiosk token, and a
/// way to revoke them. Needs the network (the server issues the token).
#[component]
pub(super) fn KioskLinks(meeting: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let create =
        Action::new(move |_: &()| crate::attendance::kiosk_api::create_kiosk_token(meeting));
    let revoke =
        Action::new(move |_: &()| crate::attendance::kiosk_api::revoke_kiosk_tokens(meeting));
    let link = move || {
        create.value().get().map(|result| match result {
            Ok(link) => {
                let locale = i18n.get_locale_untracked();
                let href = link.url.clone();
                let full = {
                    #[cfg(feature = "hydrate")]
                    {
                        window()
                            .location()
                            .origin()
                            .map(|origin| format!("{origin}{href}"))
                            .unwrap_or_else(|_| href.clone())
                    }
                    #[cfg(not(feature = "hydrate"))]
                    {
                        href.clone()
                    }
                };
                let until = format::when(&link.expires_at, locale);
                view! {
                    <div class="kiosk-link">
                        <div class="kiosk-link__qr" role="img"
                            aria-label=t_string!(i18n, attendance.qr_label).to_string()
                            inner_html=link.qr_svg.clone()></div>
                        <div class="kiosk-link__text">
                            <crate::ui::LinkBox url=full id="kiosk-link-url"
                                label=Signal::derive(move || t_string!(i18n, attendance.link_label).to_string()) />
                            <p>{t_string!(i18n, attendance.link_until, until = until).to_string()}</p>
                        </div>
                    </div>
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    let revoked = move || {
        revoke.value().get().map(|result| match result {
            Ok(count) => view! {
                <p class="notice" role="status">
                    {t_string!(i18n, attendance.revoked, count = i32::try_from(count).unwrap_or(i32::MAX)).to_string()}
                </p>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    view! {
        <section class="panel no-print" aria-labelledby="kiosk-links-heading">
            <h2 id="kiosk-links-heading">{t!(i18n, attendance.other_tablet)}</h2>
            <p class="muted">{t!(i18n, attendance.other_tablet_lead)}</p>
            <p class="button-row">
                <button type="button" class="button" disabled=move || create.pending().get()
                    on:click=move |_| { create.dispatch(()); }>
                    {t!(i18n, attendance.make_link)}
                </button>
                <button type="button" class="button button--quiet" disabled=move || revoke.pending().get()
                    on:click=move |_| {
                        if confirm(t_string!(i18n, attendance.revoke_confirm)) {
                            create.value().set(None);
                            revoke.dispatch(());
                        }
                    }>
                    {t!(i18n, attendance.revoke)}
                </button>
            </p>
            {link}
            {revoked}
        </section>
    }
}
