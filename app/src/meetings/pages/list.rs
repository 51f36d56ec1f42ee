//! The meetings list and the form for a new one.

use crate::meetings::{
    PARTNERSHIPS, PartnershipRef,
    model::{self, ENTITY, KINDS, Meeting, check_field},
    view::{MeetingView, Section, kind_label, sort_for, status_label},
};
use crate::{
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{Op, engine::use_sync},
    ui::{PageButtons, from_store, page_of, problem_text},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Meetings per page in each section of the list.
pub(super) const MEETINGS_PAGE: usize = 20;

/// The list, kept apart from the page so a save re-reads only the data.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ListData {
    pub(super) meetings: Vec<MeetingView>,
    /// `None` until the device has fetched the list once.
    pub(super) partnerships: Option<Vec<PartnershipRef>>,
    pub(super) pending: HashSet<Uuid>,
    /// The device holds no library: its person reads them online.
    pub(super) holds_none: bool,
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let query = use_query_map();
    let filter = Signal::derive(move || {
        query
            .read()
            .get("partnerstwo")
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    let data = Memo::new(move |_| {
        sync.read(|store| {
            let meetings = store
                .list_as::<Meeting>(ENTITY)?
                .into_iter()
                .map(|(id, meeting)| MeetingView::new(id, meeting))
                .collect();
            let pending = store.waiting_ids(ENTITY)?;
            let holds_none = store.holding().held.is_some_and(|held| held.is_empty());
            Ok(ListData {
                meetings,
                partnerships: store.reference(PARTNERSHIPS)?,
                pending,
                holds_none,
            })
        })
    });
    view! {
        <Title text=move || t_string!(i18n, meetings.title).to_string() />
        <h1>{t!(i18n, meetings.title)}</h1>
        <p class="lead">{t!(i18n, meetings.lead)}</p>
        {move || from_store(data.get(), |list| view! { <MeetingLists list filter /> }.into_any())}
    }
}

#[component]
pub(super) fn MeetingLists(list: ListData, filter: Signal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let partnerships = list.partnerships.clone().unwrap_or_default();
    let names: HashMap<Uuid, String> = partnerships
        .iter()
        .map(|p| (p.id, format!("{} — {}", p.name, p.library_name)))
        .collect();
    // Known once the device has fetched its reference data.
    let has_partnerships = list.partnerships.is_some();
    let choices = partnerships;
    let on_filter = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let href = if value.is_empty() {
            "/spotkania".to_owned()
        } else {
            format!("/spotkania?partnerstwo={value}")
        };
        navigate(&href, Default::default());
    };
    let filter_select = (choices.len() > 1).then(|| {
        view! {
            <p class="field field--inline">
                <label for="partnership-filter">{t!(i18n, meetings.partnership)}</label>
                <select id="partnership-filter" on:change=on_filter>
                    <option value="" selected=move || filter.get().is_none()>{t!(i18n, meetings.all_partnerships)}</option>
                    {choices.into_iter().map(|p| {
                        let id = p.id;
                        view! {
                            <option value=id.to_string() selected=move || filter.get() == Some(id)>
                                {format!("{} — {}", p.name, p.library_name)}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </p>
        }
    });
    // Each section pages on its own: a library holds hundreds of past meetings.
    let pages = [
        RwSignal::new(1usize),
        RwSignal::new(1usize),
        RwSignal::new(1usize),
    ];
    let sections = move || {
        let now = now_instant().unwrap_or_default();
        let shown: Vec<MeetingView> = list
            .meetings
            .iter()
            .filter(|m| filter.get().is_none_or(|f| m.partnership_id == Some(f)))
            .cloned()
            .collect();
        [Section::Upcoming, Section::ToComplete, Section::Past]
            .into_iter()
            .zip(pages)
            .map(|(section, page)| {
                let mut items: Vec<MeetingView> = shown
                    .iter()
                    .filter(|m| m.section(&now) == section)
                    .cloned()
                    .collect();
                sort_for(section, &mut items);
                let (heading, hint) = match section {
                    Section::Upcoming => (t_string!(i18n, meetings.upcoming), None),
                    Section::ToComplete => (
                        t_string!(i18n, meetings.drafts),
                        Some(t_string!(i18n, meetings.drafts_hint)),
                    ),
                    Section::Past => (t_string!(i18n, meetings.past), None),
                };
                let count = items.len();
                let items = page_of(&items, page.get(), MEETINGS_PAGE);
                let rows = if items.is_empty() {
                    view! { <p class="muted">{t!(i18n, meetings.none)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="meeting-list">
                            {items.into_iter().map(|m| {
                                let partnership = m.partnership_id.and_then(|p| names.get(&p).cloned());
                                let pending = list.pending.contains(&m.id);
                                view! { <MeetingItem meeting=m partnership pending /> }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                };
                view! {
                    <section class="panel meeting-section">
                        <h2>{heading} " " <span class="muted">{format!("({count})")}</span></h2>
                        {hint.map(|hint| view! { <p class="muted">{hint}</p> })}
                        {rows}
                        <PageButtons page total=count size=MEETINGS_PAGE />
                    </section>
                }
            })
            .collect_view()
    };
    // A coordinator's laptop holds no library until she takes one offline.
    let online_only = (list.holds_none && has_partnerships).then(|| {
        view! {
            <p class="notice" role="status">
                {t!(i18n, meetings.online_only)}" "
                <A href="/biblioteki">{t!(i18n, meetings.to_libraries)}</A>
            </p>
        }
    });
    // Nothing held here, so nothing to write a meeting for on this device.
    let new_meeting = online_only
        .is_none()
        .then(|| view! { <NewMeeting partnerships=list.partnerships.clone() /> });
    view! {
        {online_only}
        {new_meeting}
        {filter_select}
        {sections}
    }
}

#[component]
pub(super) fn MeetingItem(
    meeting: MeetingView,
    partnership: Option<String>,
    pending: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let href = format!("/spotkania/{}", meeting.id);
    let badge = match meeting.status.as_str() {
        "approved" => "badge badge--ok",
        "held" => "badge",
        _ => "badge badge--wait",
    };
    view! {
        <li class="meeting-item">
            <A href=href attr:class="meeting-item__link">
                <span class="meeting-item__title">{meeting.title.clone()}</span>
                <span class="meeting-item__when">{format::when(&meeting.starts_at, locale)}</span>
            </A>
            <span class="meeting-item__meta">
                {kind_label(&meeting.kind, locale)}
                {partnership.map(|p| format!(" · {p}"))}
            </span>
            <span class=badge>{status_label(&meeting.status, locale)}</span>
            {pending.then(|| view! { <span class="badge badge--wait">{t!(i18n, meetings.pending)}</span> })}
        </li>
    }
}

/// Creating a meeting: partnership, kind, title and start. The rest is
/// written in the editor.
#[component]
pub(super) fn NewMeeting(partnerships: Option<Vec<PartnershipRef>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let Some(partnerships) = partnerships else {
        return view! { <p class="notice">{t!(i18n, meetings.no_partnerships)}</p> }.into_any();
    };
    if partnerships.is_empty() {
        return view! { <p class="notice">{t!(i18n, meetings.no_partnership_yet)}</p> }.into_any();
    }
    let editable: Vec<PartnershipRef> = partnerships.into_iter().filter(|p| p.editable).collect();
    // A tutor or coordinator reads meetings; only the library writes them.
    if editable.is_empty() {
        return ().into_any();
    }
    let (partnership, kind, title, starts) = (
        NodeRef::<html::Select>::new(),
        NodeRef::<html::Select>::new(),
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Input>::new(),
    );
    let problems = RwSignal::new(HashMap::<&'static str, Problem>::new());
    let failed = RwSignal::new(false);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = |node: Option<String>| node.unwrap_or_default();
        let starts_at = format::from_warsaw_local(&value(starts.get().map(|e| e.value())))
            .map_or(Value::Null, Value::String);
        let mut data = Map::new();
        data.insert(
            "partnership_id".into(),
            json!(value(partnership.get().map(|e| e.value()))),
        );
        data.insert("kind".into(), json!(value(kind.get().map(|e| e.value()))));
        data.insert("title".into(), json!(value(title.get().map(|e| e.value()))));
        data.insert("starts_at".into(), starts_at);
        data.insert("status".into(), json!("draft"));
        let mut found = HashMap::new();
        for (field, value) in &data {
            if let Err(problem) = check_field(field, value) {
                let field = model::REQUIRED
                    .into_iter()
                    .find(|f| f == field)
                    .unwrap_or("title");
                found.insert(field, problem);
            }
        }
        if data["starts_at"].is_null() {
            found.insert("starts_at", Problem::Required);
        }
        problems.set(found.clone());
        if !found.is_empty() {
            return;
        }
        let id = Uuid::new_v4();
        match sync.write(|store| store.save(ENTITY, id, Op::Upsert, data, now_instant())) {
            Ok(_) => navigate(&format!("/spotkania/{id}"), Default::default()),
            Err(_) => failed.set(true),
        }
    };
    let error = move |field: &'static str| {
        move || {
            problems.get().get(field).map(|problem| {
                view! { <span class="field__error" id=format!("new-{field}-error")>{problem_text(*problem)}</span> }
            })
        }
    };
    let only_one = editable.len() == 1;
    view! {
        <section class="panel">
            <button type="button" class="button" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {t!(i18n, meetings.add)}
            </button>
            <form class="form" on:submit=create hidden=move || !open.get()>
                <p class="field">
                    <label for="new-partnership">{t!(i18n, meetings.partnership)}</label>
                    <select id="new-partnership" node_ref=partnership disabled=only_one>
                        {editable.into_iter().map(|p| view! {
                            <option value=p.id.to_string()>{format!("{} — {}", p.name, p.library_name)}</option>
                        }).collect_view()}
                    </select>
                </p>
                <p class="field">
                    <label for="new-kind">{t!(i18n, meetings.kind)}</label>
                    <select id="new-kind" node_ref=kind>
                        {KINDS.into_iter().map(|k| view! {
                            <option value=k selected=k == "working">{kind_label(k, i18n.get_locale_untracked())}</option>
                        }).collect_view()}
                    </select>
                </p>
                <p class="field">
                    <label for="new-title">{t!(i18n, meetings.field_title)}</label>
                    <input id="new-title" type="text" node_ref=title required maxlength="200"
                        aria-describedby="new-title-error" />
                    {error("title")}
                </p>
                <p class="field">
                    <label for="new-starts">{t!(i18n, meetings.starts_at)}</label>
                    <input id="new-starts" type="datetime-local" node_ref=starts required
                        aria-describedby="new-starts_at-error" />
                    {error("starts_at")}
                </p>
                {move || failed.get().then(|| view! {
                    <p class="notice notice--error" role="alert">{t!(i18n, meetings.not_saved)}</p>
                })}
                <p><button type="submit" class="button">{t!(i18n, meetings.create)}</button></p>
            </form>
        </section>
    }
    .into_any()
}
