//! The list on screen and on paper: its header, its rows, and the numbered pages.

use super::*;
use crate::attendance::{model::ENTITY, signature::SignatureView};
use crate::{
    clock::now_instant,
    format,
    i18n::{Locale, t, t_string, use_i18n},
    meetings::{PARTNERSHIPS, PartnershipRef, model as meeting, view::kind_label},
    sync::{Op, engine::use_sync},
    ui::{from_store, route_id, route_record},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde_json::{Map, Value, json};
use uuid::Uuid;

#[component]
pub fn AttendancePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let sheet = route_record(meeting::ENTITY, move |store, id, meeting| {
        let partnership_id = meeting
            .get("partnership_id")
            .and_then(Value::as_str)
            .and_then(|p| Uuid::parse_str(p).ok());
        let partnerships: Vec<PartnershipRef> = store.reference(PARTNERSHIPS)?.unwrap_or_default();
        let pending = store.waiting_ids(ENTITY)?;
        Ok(Sheet {
            meeting,
            partnership: partnerships
                .into_iter()
                .find(|p| Some(p.id) == partnership_id),
            list: attendees(store.list(ENTITY)?, id, &pending),
            from_server: false,
        })
    });
    view! {
        <Title text=move || t_string!(i18n, attendance.title).to_string() />
        {move || from_store(sheet.get(), |found| match (found, id()) {
            // Not on this device: read from the server (a library it does not hold).
            (None, Some(id)) => view! { <online::SheetFromServer id /> }.into_any(),
            (None, None) => view! {
                <p><A href="/spotkania" attr:class="back-link">{t!(i18n, meetings.back)}</A></p>
                <div class="notice" role="status"><p>{t!(i18n, meetings.not_found)}</p></div>
            }.into_any(),
            (Some(sheet), id) => id.map(|id| view! { <SheetView id sheet /> }).into_any(),
        })}
    }
}

/// Page numbers for print, in the person's language.
pub(super) fn page_numbers_css(locale: Locale) -> String {
    let (page, of) = match locale {
        Locale::pl => ("strona ", " z "),
        Locale::en => ("page ", " of "),
    };
    format!(
        "@page {{ @bottom-right {{ content: \"{page}\" counter(page) \"{of}\" counter(pages); font: 9pt sans-serif; }} }}"
    )
}

#[component]
pub(super) fn SheetView(id: Uuid, sheet: Sheet) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let editable = sheet.editable();
    // A device that may not edit the list holds it without signatures, and
    // a full one lets go of the oldest lists' signatures.
    let withheld = sheet.list.iter().any(|a| !a.paper && a.signature.is_none());
    online::provide_online_signatures(id, withheld);
    let active: Vec<Attendee> = sheet
        .list
        .iter()
        .filter(|a| a.struck.is_none())
        .cloned()
        .collect();
    let struck: Vec<Attendee> = sheet
        .list
        .iter()
        .filter(|a| a.struck.is_some())
        .cloned()
        .collect();
    let count = active.len();
    let duplicates = active.iter().filter(|a| a.duplicate).count();
    let partnership = sheet.partnership.clone();
    let clause = partnership.as_ref().and_then(|p| p.clause.clone());
    let title = sheet.text("title");
    let starts_at = sheet.text("starts_at");
    let day = starts_at.get(..10).unwrap_or("lista").to_owned();
    let csv_list = sheet.list.clone();
    let download = move |_| {
        let locale = i18n.get_locale_untracked();
        crate::ui::download(
            &format!("lista-obecnosci-{day}.csv"),
            "text/csv;charset=utf-8",
            &csv(&csv_rows(&csv_list, locale)),
        );
    };
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    let hours = {
        let (from, to) = (
            format::clock(&starts_at),
            format::clock(&sheet.text("ends_at")),
        );
        if to.is_empty() {
            from
        } else {
            format!("{from}–{to}")
        }
    };
    let date = format::day(&starts_at, locale).unwrap_or_default();
    let header_rows: Vec<(String, String)> = [
        (
            t_string!(i18n, attendance.program).to_string(),
            partnership
                .as_ref()
                .map(|p| p.program_name.clone())
                .unwrap_or_default(),
        ),
        (
            t_string!(i18n, attendance.funding).to_string(),
            partnership
                .as_ref()
                .and_then(|p| p.funding_line.clone())
                .unwrap_or_default(),
        ),
        (
            t_string!(i18n, meetings.partnership).to_string(),
            partnership
                .as_ref()
                .map(|p| format!("{} — {}", p.name, p.library_name))
                .unwrap_or_default(),
        ),
        (
            t_string!(i18n, meetings.kind).to_string(),
            kind_label(&sheet.text("kind"), locale),
        ),
        (t_string!(i18n, attendance.date).to_string(), date),
        (t_string!(i18n, attendance.hours).to_string(), hours),
        (
            t_string!(i18n, meetings.place).to_string(),
            sheet.text("place"),
        ),
        (
            t_string!(i18n, meetings.facilitator).to_string(),
            sheet.text("facilitator"),
        ),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .collect();
    let typed_label = t_string!(i18n, attendance.typed).to_string();
    let rows = active
        .into_iter()
        .enumerate()
        .map(|(index, attendee)| {
            view! { <Row number={index + 1} attendee editable typed_label=typed_label.clone() /> }
        })
        .collect_view();
    let facilitator = sheet.text("facilitator");
    let print_clause = clause.clone();
    // Rendered in the browser only (from the store), so the address may
    // name the meeting: the server's placeholder does not.
    view! {
        <p class="no-print">
            <A href=format!("/spotkania/{id}") attr:class="back-link">{t!(i18n, attendance.back)}</A>
        </p>
        <style inner_html=page_numbers_css(locale)></style>
        <article class="attendance">
            <header class="attendance__head">
                <p class="attendance__kicker">{t!(i18n, attendance.title)}</p>
                <h1>{title}</h1>
                <dl class="attendance__facts">
                    {header_rows.into_iter().map(|(label, value)| view! {
                        <div><dt>{label}</dt><dd>{value}</dd></div>
                    }).collect_view()}
                </dl>
            </header>
            <div class="attendance__tools no-print">
                <p class="attendance__count" role="status">
                    {t_string!(i18n, attendance.count, count = i32::try_from(count).unwrap_or(i32::MAX)).to_string()}
                </p>
                <p class="button-row">
                    <button type="button" class="button" on:click=print>{t!(i18n, attendance.print)}</button>
                    <button type="button" class="button button--quiet" on:click=download>{t!(i18n, attendance.csv)}</button>
                    {(editable && clause.is_some()).then(|| view! {
                        <a class="button button--quiet" href=format!("/kiosk/{id}")>{t!(i18n, attendance.kiosk_here)}</a>
                    })}
                </p>
                {sheet.from_server.then(|| view! {
                    <p class="notice" role="note">{t!(i18n, attendance.from_server)}</p>
                })}
                {(duplicates > 0).then(|| view! {
                    <p class="notice" role="note">{t!(i18n, attendance.duplicates_note)}</p>
                })}
                {(editable && clause.is_none()).then(|| view! {
                    <p class="notice">{t!(i18n, kiosk.no_clause)}</p>
                })}
            </div>
            {if count == 0 {
                view! { <p class="muted">{t!(i18n, attendance.empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="attendance__table">
                            <thead>
                                <tr>
                                    <th scope="col" class="attendance__number">{t!(i18n, attendance.number)}</th>
                                    <th scope="col">{t!(i18n, kiosk.full_name)}</th>
                                    <th scope="col">{t!(i18n, kiosk.organization)}</th>
                                    <th scope="col">{t!(i18n, kiosk.function)}</th>
                                    <th scope="col" class="attendance__consent">{t!(i18n, attendance.image_consent)}</th>
                                    <th scope="col" class="attendance__signature">{t!(i18n, kiosk.signature)}</th>
                                    <th scope="col" class="no-print">{t!(i18n, attendance.notes)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <footer class="attendance__foot">
                <p class="attendance__total">
                    {t_string!(i18n, attendance.total, count = i32::try_from(count).unwrap_or(i32::MAX)).to_string()}
                </p>
                {print_clause.map(|clause| view! {
                    <div class="attendance__clause">
                        <p><strong>{t!(i18n, kiosk.clause_heading)}</strong>" "
                            {move || t_string!(i18n, attendance.clause_version, version = clause.version).to_string()}</p>
                        <p>{clause.short_text.clone()}</p>
                    </div>
                })}
                <p class="attendance__facilitator print-only">
                    <span class="attendance__line"></span>
                    {t!(i18n, attendance.facilitator_signature)}
                    {(!facilitator.is_empty()).then(|| format!(" ({facilitator})"))}
                </p>
            </footer>
            {(!struck.is_empty()).then(|| view! { <Struck struck /> })}
            {editable.then(|| view! { <PaperEntry meeting=id clause starts_at=sheet.text("starts_at") /> })}
            {editable.then(|| view! { <KioskLinks meeting=id /> })}
        </article>
    }
}

#[component]
pub(super) fn Row(
    number: usize,
    attendee: Attendee,
    editable: bool,
    typed_label: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let locale = i18n.get_locale_untracked();
    let striking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let id = attendee.id;
    let strike = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked();
        if text.trim().is_empty() {
            missing.set(true);
            return;
        }
        let Some(at) = now_instant() else {
            return;
        };
        let mut data = Map::new();
        data.insert("struck".into(), json!({"reason": text.trim(), "at": at}));
        if sync
            .write(|store| store.save(ENTITY, id, Op::Upsert, data, Some(at.clone())))
            .is_ok()
        {
            striking.set(false);
        }
    };
    let name = attendee.full_name.clone();
    let signature = if attendee.paper {
        view! { <span class="signature signature--paper">{t!(i18n, attendance.on_paper)}</span> }
            .into_any()
    } else if attendee.signature.is_some() {
        view! { <SignatureView signature=attendee.signature.clone() typed_label=typed_label /> }
            .into_any()
    } else {
        // Not on this device: from the server when it answers.
        let online = use_context::<online::OnlineSignatures>();
        let found = move || online.and_then(|o| o.0.with(|m| m.as_ref()?.get(&id).cloned()));
        view! {
            {move || match found() {
                Some(signature) => view! {
                    <SignatureView signature=Some(signature) typed_label=typed_label.clone() />
                }.into_any(),
                None => view! {
                    <span class="signature signature--online">{t!(i18n, attendance.signature_online)}</span>
                }.into_any(),
            }}
        }
        .into_any()
    };
    let reason_id = format!("strike-{id}");
    view! {
        <tr class="attendance__row" class:attendance__row--duplicate=attendee.duplicate>
            <td class="attendance__number">{number}</td>
            <td>{attendee.full_name.clone()}</td>
            <td>{attendee.organization.clone()}</td>
            <td>{attendee.function.clone()}</td>
            <td class="attendance__consent">{yes_no(attendee.image_consent, locale)}</td>
            <td class="attendance__signature">{signature}</td>
            <td class="no-print attendance__notes">
                {attendee.duplicate.then(|| view! { <span class="badge badge--wait">{t!(i18n, attendance.duplicate)}</span> })}
                {attendee.paper.then(|| view! { <span class="badge">{t!(i18n, attendance.paper_badge)}</span> })}
                {attendee.pending.then(|| view! { <span class="badge badge--wait">{t!(i18n, meetings.pending)}</span> })}
                {editable.then(|| view! {
                    <button type="button" class="button button--quiet" hidden=move || striking.get()
                        aria-label=t_string!(i18n, attendance.strike_named, name = name.clone()).to_string()
                        on:click=move |_| striking.set(true)>
                        {t!(i18n, attendance.strike)}
                    </button>
                    <form class="strike-form" hidden=move || !striking.get() on:submit=strike>
                        <p class="field">
                            <label for=reason_id.clone()>{t!(i18n, attendance.strike_reason)}</label>
                            <input id=reason_id.clone() type="text" maxlength="200"
                                aria-describedby=format!("{reason_id}-error")
                                prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                            <span class="field__error" id=format!("{reason_id}-error")>
                                {move || missing.get().then(|| t_string!(i18n, attendance.strike_reason_missing))}
                            </span>
                        </p>
                        <p class="button-row">
                            <button type="submit" class="button button--danger">{t!(i18n, attendance.strike_confirm)}</button>
                            <button type="button" class="button button--quiet" on:click=move |_| striking.set(false)>
                                {t!(i18n, attendance.cancel)}
                            </button>
                        </p>
                    </form>
                })}
            </td>
        </tr>
    }
}
