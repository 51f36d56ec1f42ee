//! The attendance list of one meeting (lista obecności): on screen for the
//! library, the tutor and the coordinator, printed on A4 with signatures for
//! the program's report, and as CSV for Polish Excel. It reads the device's
//! store, so it works offline; strikes and paper entries are saved there too.

use super::{
    Clause,
    kiosk::{Entry, ImageConsent, TextInput},
    model::{ENTITY, from_paper},
    signature::SignatureView,
};
use crate::{
    clock::now_instant,
    format,
    i18n::{Locale, t, t_string, td_string, use_i18n},
    meetings::{PARTNERSHIPS, PartnershipRef, model as meeting, view::kind_label},
    sync::{Op, engine::use_sync},
    ui::{ErrorNotice, confirm, from_store, route_id, route_record},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub id: Uuid,
    pub full_name: String,
    pub organization: String,
    pub function: String,
    pub image_consent: Option<bool>,
    pub signature: Option<Value>,
    pub paper: bool,
    pub signed_at: String,
    /// The reason, when struck off.
    pub struck: Option<String>,
    /// Not on the server yet.
    pub pending: bool,
    /// Another entry (not struck) has the same name.
    pub duplicate: bool,
}

/// A name as compared for duplicates: case and spacing do not count.
pub fn comparable_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The meeting's sign-ins in the order they were made, duplicates flagged.
/// `records` come in the store's order.
pub fn attendees(
    records: &[(Uuid, Map<String, Value>)],
    meeting: Uuid,
    pending: &HashSet<Uuid>,
) -> Vec<Attendee> {
    let meeting = meeting.to_string();
    let text = |data: &Map<String, Value>, field: &str| {
        data.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut list: Vec<Attendee> = records
        .iter()
        .filter(|(_, data)| data.get("meeting_id").and_then(Value::as_str) == Some(&meeting))
        .map(|(id, data)| Attendee {
            id: *id,
            full_name: text(data, "full_name"),
            organization: text(data, "organization"),
            function: text(data, "function"),
            image_consent: data.get("image_consent").and_then(Value::as_bool),
            signature: data.get("signature").cloned(),
            paper: from_paper(data),
            signed_at: text(data, "signed_at"),
            struck: data
                .get("struck")
                .and_then(|s| s.get("reason"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            pending: pending.contains(id),
            duplicate: false,
        })
        .collect();
    // Stable: within one second the store's order (saved here, or pulled
    // in the server's order) stands.
    list.sort_by(|a, b| a.signed_at.cmp(&b.signed_at));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for attendee in list.iter().filter(|a| a.struck.is_none()) {
        *seen
            .entry(comparable_name(&attendee.full_name))
            .or_default() += 1;
    }
    for attendee in list.iter_mut().filter(|a| a.struck.is_none()) {
        attendee.duplicate = seen
            .get(&comparable_name(&attendee.full_name))
            .is_some_and(|n| *n > 1);
    }
    list
}

/// CSV as Polish Excel opens it: UTF-8 with a byte order mark, `;` between
/// fields, CRLF line ends. A field that would start a formula gets a `'`.
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{feff}');
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|field| {
                let field = if field.starts_with(['=', '+', '-', '@']) {
                    format!("'{field}")
                } else {
                    field.clone()
                };
                if field.contains([';', '"', '\n', '\r']) {
                    format!("\"{}\"", field.replace('"', "\"\""))
                } else {
                    field
                }
            })
            .collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out
}

fn yes_no(consent: Option<bool>, locale: Locale) -> String {
    match consent {
        Some(true) => td_string!(locale, kiosk.yes).to_string(),
        Some(false) => td_string!(locale, kiosk.no).to_string(),
        None => String::new(),
    }
}

/// The list as CSV rows: the printed columns, the kind of signature and the
/// time of the entry. Struck entries are left out, as on paper.
pub fn csv_rows(list: &[Attendee], locale: Locale) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        td_string!(locale, attendance.number).to_string(),
        td_string!(locale, kiosk.full_name).to_string(),
        td_string!(locale, kiosk.organization).to_string(),
        td_string!(locale, kiosk.function).to_string(),
        td_string!(locale, attendance.image_consent).to_string(),
        td_string!(locale, kiosk.signature).to_string(),
        td_string!(locale, attendance.signed_at).to_string(),
    ]];
    for (number, attendee) in list.iter().filter(|a| a.struck.is_none()).enumerate() {
        let signature = if attendee.paper {
            td_string!(locale, attendance.on_paper)
        } else if attendee
            .signature
            .as_ref()
            .and_then(|s| s.get("kind"))
            .and_then(Value::as_str)
            == Some("typed")
        {
            td_string!(locale, attendance.typed)
        } else {
            td_string!(locale, attendance.drawn)
        };
        rows.push(vec![
            (number + 1).to_string(),
            attendee.full_name.clone(),
            attendee.organization.clone(),
            attendee.function.clone(),
            yes_no(attendee.image_consent, locale),
            signature.to_string(),
            format::when(&attendee.signed_at, locale),
        ]);
    }
    rows
}

/// Everything the page shows, read from the store at once.
#[derive(Debug, Clone, PartialEq)]
struct Sheet {
    meeting: Map<String, Value>,
    partnership: Option<PartnershipRef>,
    list: Vec<Attendee>,
}

impl Sheet {
    fn text(&self, field: &str) -> String {
        self.meeting
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn editable(&self) -> bool {
        self.partnership.as_ref().is_none_or(|p| p.editable)
    }
}

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
            list: attendees(&store.list(ENTITY)?, id, &pending),
        })
    });
    view! {
        <Title text=move || t_string!(i18n, attendance.title).to_string() />
        {move || from_store(sheet.get(), |found| match found {
            None => view! {
                <p><A href="/spotkania" attr:class="back-link">{t!(i18n, meetings.back)}</A></p>
                <div class="notice" role="status"><p>{t!(i18n, meetings.not_found)}</p></div>
            }.into_any(),
            Some(sheet) => id().map(|id| view! { <SheetView id sheet /> }).into_any(),
        })}
    }
}

/// Page numbers for print, in the person's language.
fn page_numbers_css(locale: Locale) -> String {
    let (page, of) = match locale {
        Locale::pl => ("strona ", " z "),
        Locale::en => ("page ", " of "),
    };
    format!(
        "@page {{ @bottom-right {{ content: \"{page}\" counter(page) \"{of}\" counter(pages); font: 9pt sans-serif; }} }}"
    )
}

#[component]
fn SheetView(id: Uuid, sheet: Sheet) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let editable = sheet.editable();
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
fn Row(number: usize, attendee: Attendee, editable: bool, typed_label: String) -> impl IntoView {
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
    } else {
        view! { <SignatureView signature=attendee.signature.clone() typed_label=typed_label /> }
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

#[component]
fn Struck(struck: Vec<Attendee>) -> impl IntoView {
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
fn PaperEntry(meeting: Uuid, clause: Option<Clause>, starts_at: String) -> impl IntoView {
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
fn KioskLinks(meeting: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let create = Action::new(move |_: &()| super::kiosk_api::create_kiosk_token(meeting));
    let revoke = Action::new(move |_: &()| super::kiosk_api::revoke_kiosk_tokens(meeting));
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
                        <div>
                            <p class="field">
                                <label for="kiosk-link-url">{t!(i18n, attendance.link_label)}</label>
                                <input id="kiosk-link-url" type="text" readonly=true prop:value=full />
                            </p>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, at: &str, meeting: Uuid) -> (Uuid, Map<String, Value>) {
        let data = json!({"meeting_id": meeting, "full_name": name, "signed_at": at, "image_consent": true});
        (
            Uuid::new_v4(),
            data.as_object().cloned().unwrap_or_default(),
        )
    }

    #[test]
    fn the_list_is_in_signing_order_with_duplicates_flagged_not_merged() {
        let (here, there) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut records = vec![
            record("Ewa  Kos", "2026-11-22T10:05:00Z", here),
            record("Jan Nowak", "2026-11-22T10:00:00Z", here),
            record("ewa kos", "2026-11-22T10:07:00Z", here),
            record("Ewa Kos", "2026-11-22T10:01:00Z", there),
        ];
        let (struck_id, mut struck) = record("Jan Nowak", "2026-11-22T10:09:00Z", here);
        struck.insert(
            "struck".into(),
            json!({"reason": "pomyłka", "at": "2026-11-22T11:00:00Z"}),
        );
        records.push((struck_id, struck));
        let pending = HashSet::from([records[0].0]);
        let list = attendees(&records, here, &pending);
        let names: Vec<&str> = list.iter().map(|a| a.full_name.as_str()).collect();
        assert_eq!(names, ["Jan Nowak", "Ewa  Kos", "ewa kos", "Jan Nowak"]);
        let flags: Vec<bool> = list.iter().map(|a| a.duplicate).collect();
        assert_eq!(flags, [false, true, true, false]);
        assert!(list[1].pending && !list[0].pending);
        assert_eq!(list[3].struck.as_deref(), Some("pomyłka"));
    }

    #[test]
    fn sign_ins_in_the_same_second_keep_the_stores_order() {
        let here = Uuid::from_u128(1);
        let records: Vec<_> = ["Zofia", "Adam", "Maria"]
            .into_iter()
            .map(|name| record(name, "2026-11-22T10:00:00Z", here))
            .collect();
        let names: Vec<String> = attendees(&records, here, &HashSet::new())
            .into_iter()
            .map(|a| a.full_name)
            .collect();
        assert_eq!(names, ["Zofia", "Adam", "Maria"]);
    }

    #[test]
    fn csv_opens_in_polish_excel() {
        let text = csv(&[
            vec!["Lp.".into(), "Imię i nazwisko".into()],
            vec!["1".into(), "Kowalska; \"Ala\"".into()],
            vec!["2".into(), "=HYPERLINK(\"x\")".into()],
        ]);
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Lp.;Imię i nazwisko\r\n1;\"Kowalska; \"\"Ala\"\"\"\r\n2;\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }

    #[test]
    fn csv_rows_number_what_is_printed_and_say_how_each_signed() {
        let here = Uuid::from_u128(1);
        let mut records = vec![
            record("Anna", "2026-11-22T10:00:00Z", here),
            record("Olga", "2026-11-22T10:02:00Z", here),
            record("Piotr", "2026-11-22T10:03:00Z", here),
        ];
        records[0].1.insert(
            "signature".into(),
            json!({"kind": "drawn", "strokes": [[0, 0, 5, 5]]}),
        );
        records[1].1.insert(
            "struck".into(),
            json!({"reason": "x", "at": "2026-11-22T11:00:00Z"}),
        );
        records[2].1.insert("typed_later".into(), json!(true));
        let rows = csv_rows(&attendees(&records, here, &HashSet::new()), Locale::pl);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][0], "Lp.");
        assert_eq!(rows[1][..2], ["1".to_string(), "Anna".to_string()]);
        assert_eq!(rows[1][4], "TAK");
        assert_eq!(rows[2][..2], ["2".to_string(), "Piotr".to_string()]);
        assert_eq!(rows[2][5], "na liście papierowej");
        assert_eq!(rows[1][6], "22 listopada 2026, 11:00");
    }
}
