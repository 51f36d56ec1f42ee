//! The meetings list and the meeting editor. Both read the local store and
//! write to it; nothing here waits for the network. The server renders a
//! placeholder (it has no access to the device's store) and the browser
//! fills the page in as soon as it is live, online or not.

use super::{
    PARTNERSHIPS, PartnershipRef,
    model::{self, ENTITY, KINDS, STATUSES, TASK_STATUSES, check_field},
    view::{
        MeetingView, Section, field_label, is_text, kind_label, readable, sort_for, status_label,
        task_status_label,
    },
};
use crate::{
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{
        Op,
        conflict::{self, Conflict},
        engine::{SyncEngine, use_sync},
        local::Fields,
    },
    ui::{PageButtons, confirm, from_store, page_of, problem_text, route_record},
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
const MEETINGS_PAGE: usize = 20;

/// The list, kept apart from the page so a save re-reads only the data.
#[derive(Debug, Clone, PartialEq)]
struct ListData {
    meetings: Vec<MeetingView>,
    /// `None` until the device has fetched the list once.
    partnerships: Option<Vec<PartnershipRef>>,
    pending: HashSet<Uuid>,
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
                .list(ENTITY)?
                .iter()
                .map(|(id, fields)| MeetingView::from_fields(*id, fields))
                .collect();
            let pending = store.waiting_ids(ENTITY)?;
            Ok(ListData {
                meetings,
                partnerships: store.reference(PARTNERSHIPS)?,
                pending,
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
fn MeetingLists(list: ListData, filter: Signal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let partnerships = list.partnerships.clone().unwrap_or_default();
    let names: HashMap<Uuid, String> = partnerships
        .iter()
        .map(|p| (p.id, format!("{} — {}", p.name, p.library_name)))
        .collect();
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
    view! {
        <NewMeeting partnerships=list.partnerships.clone() />
        {filter_select}
        {sections}
    }
}

#[component]
fn MeetingItem(meeting: MeetingView, partnership: Option<String>, pending: bool) -> impl IntoView {
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
fn NewMeeting(partnerships: Option<Vec<PartnershipRef>>) -> impl IntoView {
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

/// Whether the editor's last change is on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Saving {
    Idle,
    Typing,
    Saved,
    NotSaved,
}

/// The editor's state, shared by its fields.
#[derive(Clone, Copy)]
struct Editor {
    id: Uuid,
    sync: SyncEngine,
    record: Memo<Option<Fields>>,
    /// Typed but not yet saved (or refused by the checks, so kept on screen).
    draft: RwSignal<Map<String, Value>>,
    problems: RwSignal<HashMap<String, Problem>>,
    saving: RwSignal<Saving>,
    editable: bool,
}

/// Saves run this long after the last keystroke.
#[cfg(feature = "hydrate")]
const SAVE_AFTER_MS: u64 = 400;

impl Editor {
    /// The value on screen: typed if not yet saved, else as stored.
    fn value(&self, field: &str) -> Value {
        if let Some(value) = self.draft.with(|d| d.get(field).cloned()) {
            return value;
        }
        self.record
            .with(|r| r.as_ref().and_then(|r| r.get(field).cloned()))
            .unwrap_or(Value::Null)
    }

    fn text(&self, field: &str) -> String {
        self.value(field).as_str().unwrap_or_default().to_owned()
    }

    fn edit(&self, field: &str, value: Value) {
        self.draft.update(|d| {
            d.insert(field.to_owned(), value);
        });
        self.saving.set(Saving::Typing);
        self.schedule();
    }

    #[cfg(feature = "hydrate")]
    fn schedule(&self) {
        thread_local! {
            static TIMER: std::cell::Cell<Option<TimeoutHandle>> = const { std::cell::Cell::new(None) };
        }
        if let Some(timer) = TIMER.take() {
            timer.clear();
        }
        let editor = *self;
        let handle = set_timeout_with_handle(
            move || editor.flush(),
            std::time::Duration::from_millis(SAVE_AFTER_MS),
        );
        TIMER.set(handle.ok());
    }

    #[cfg(not(feature = "hydrate"))]
    fn schedule(&self) {}

    /// Saves what was typed: each field is checked first; a refused one
    /// stays on screen with its reason and is not saved.
    fn flush(&self) {
        let Some(typed) = self.draft.try_get_untracked() else {
            return;
        };
        if typed.is_empty() {
            return;
        }
        let mut valid = Map::new();
        let mut problems = HashMap::new();
        for (field, value) in typed {
            match check_field(&field, &value) {
                Ok(_) => {
                    valid.insert(field, value);
                }
                Err(problem) => {
                    problems.insert(field, problem);
                }
            }
        }
        self.problems.set(problems);
        if valid.is_empty() {
            self.saving.set(Saving::Idle);
            return;
        }
        let saved = self
            .sync
            .write(|store| store.save(ENTITY, self.id, Op::Upsert, valid.clone(), now_instant()));
        match saved {
            Ok(_) => {
                self.draft.update(|d| {
                    for field in valid.keys() {
                        d.remove(field);
                    }
                });
                // What was typed is stored: the fields follow the store again
                // (a merge that arrives later shows up even in a focused field).
                #[cfg(feature = "hydrate")]
                if let Ok(marked) = document().query_selector_all("[data-typed]") {
                    use leptos::wasm_bindgen::JsCast;
                    for index in 0..marked.length() {
                        if let Some(element) = marked
                            .item(index)
                            .and_then(|node| node.dyn_into::<leptos::web_sys::Element>().ok())
                        {
                            let _ = element.remove_attribute("data-typed");
                        }
                    }
                }
                self.saving.set(Saving::Saved);
            }
            // Nothing saved: the draft keeps the text on screen.
            Err(_) => self.saving.set(Saving::NotSaved),
        }
    }

    fn problem(&self, field: &'static str) -> impl Fn() -> Option<AnyView> + use<> {
        let problems = self.problems;
        move || {
            problems.with(|p| p.get(field).copied()).map(|problem| {
                view! { <span class="field__error" id=format!("{field}-error")>{problem_text(problem)}</span> }
                    .into_any()
            })
        }
    }
}

/// The DOM value unless the person is typing in it: stored changes (a
/// pull, another tab) reach a field only when it does not have the focus.
fn unless_focused<E>(node: NodeRef<E>, value: impl Fn() -> String) -> impl Fn() -> String
where
    E: html::ElementType,
    E::Output: leptos::wasm_bindgen::JsCast + Clone + AsRef<leptos::web_sys::Element> + 'static,
{
    move || {
        let value = value();
        #[cfg(feature = "hydrate")]
        if let Some(element) = node.get() {
            let element: &leptos::web_sys::Element = element.as_ref();
            let focused = document()
                .active_element()
                .is_some_and(|active| &active == element);
            if focused && let Some(current) = element.get_attribute("data-typed") {
                return current;
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &node;
        value
    }
}

/// The field lost the focus: stored values may reach it again.
fn forget_typed<E>(node: NodeRef<E>)
where
    E: html::ElementType,
    E::Output: leptos::wasm_bindgen::JsCast + Clone + AsRef<leptos::web_sys::Element> + 'static,
{
    if let Some(element) = node.get_untracked() {
        let element: &leptos::web_sys::Element = element.as_ref();
        let _ = element.remove_attribute("data-typed");
    }
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let i18n = use_i18n();
    // Only the presence of the record decides the page's shape; the fields
    // follow the record on their own, so a save never rebuilds the form.
    let shape = route_record(ENTITY, |store, id, record| {
        let partnership = record
            .get("partnership_id")
            .and_then(Value::as_str)
            .and_then(|p| Uuid::parse_str(p).ok());
        let partnerships: Vec<PartnershipRef> = store.reference(PARTNERSHIPS)?.unwrap_or_default();
        let known = partnerships.into_iter().find(|p| Some(p.id) == partnership);
        Ok((id, known))
    });
    view! {
        <p><A href="/spotkania" attr:class="back-link">{t!(i18n, meetings.back)}</A></p>
        {move || from_store(shape.get(), |found| match found {
            None => view! {
                <Title text=move || t_string!(i18n, meetings.title).to_string() />
                <div class="notice" role="status"><p>{t!(i18n, meetings.not_found)}</p></div>
            }.into_any(),
            Some((id, partnership)) => view! { <MeetingEditor id partnership /> }.into_any(),
        })}
    }
}

#[component]
fn MeetingEditor(id: Uuid, partnership: Option<PartnershipRef>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    let record = Memo::new(move |_| {
        sync.read(|store| store.view(ENTITY, id))
            .and_then(Result::ok)
            .flatten()
    });
    let editor = Editor {
        id,
        sync,
        record,
        draft: RwSignal::new(Map::new()),
        problems: RwSignal::new(HashMap::new()),
        saving: RwSignal::new(Saving::Idle),
        // Without the list (never online) the server decides; it refuses visibly.
        editable: partnership.as_ref().is_none_or(|p| p.editable),
    };
    on_cleanup(move || editor.flush());
    #[cfg(feature = "hydrate")]
    {
        let hidden = window_event_listener(leptos::ev::pagehide, move |_| editor.flush());
        on_cleanup(move || hidden.remove());
    }
    let title = move || editor.text("title");
    let locale = move || i18n.get_locale();
    let saving = move || match editor.saving.get() {
        Saving::Idle => None,
        Saving::Typing => Some(view! { <span>{t!(i18n, meetings.saving)}</span> }.into_any()),
        Saving::Saved => Some(view! { <span>{t!(i18n, meetings.saved)}</span> }.into_any()),
        Saving::NotSaved => Some(
            view! { <strong class="notice--error">{t!(i18n, meetings.not_saved)}</strong> }
                .into_any(),
        ),
    };
    let delete = move |_| {
        if confirm(t_string!(i18n, meetings.delete_confirm)) {
            let deleted =
                sync.write(|store| store.save(ENTITY, id, Op::Delete, Map::new(), now_instant()));
            if deleted.is_ok() {
                navigate("/spotkania", Default::default());
            }
        }
    };
    let status_choice = move |ev: leptos::ev::Event| {
        editor.edit("status", Value::String(event_target_value(&ev)));
        editor.flush();
    };
    let kind_choice = move |ev: leptos::ev::Event| {
        editor.edit("kind", Value::String(event_target_value(&ev)));
        editor.flush();
    };
    let heading = partnership
        .as_ref()
        .map(|p| format!("{} — {} · {}", p.name, p.library_name, p.program_name));
    view! {
        <Title text=title />
        <article class="meeting-editor">
            <header class="meeting-editor__head">
                <h1>{title}</h1>
                {heading.map(|h| view! { <p class="muted">{h}</p> })}
                <p class="save-state" role="status" aria-live="polite">{saving}</p>
                <p><A href=format!("/spotkania/{id}/obecnosc") attr:class="button button--quiet">{t!(i18n, attendance.open)}</A></p>
            </header>
            <Conflicts editor />
            {(!editor.editable).then(|| view! { <p class="notice">{t!(i18n, meetings.read_only)}</p> })}
            <fieldset class="form meeting-form" disabled=!editor.editable>
                <div class="form-grid">
                    <p class="field">
                        <label for="kind">{t!(i18n, meetings.kind)}</label>
                        <select id="kind" on:change=kind_choice>
                            {KINDS.into_iter().map(|k| view! {
                                <option value=k selected=move || editor.text("kind") == k>{move || kind_label(k, locale())}</option>
                            }).collect_view()}
                        </select>
                    </p>
                    <p class="field">
                        <label for="status">{t!(i18n, meetings.status)}</label>
                        <select id="status" on:change=status_choice>
                            {STATUSES.into_iter().map(|s| view! {
                                <option value=s selected=move || editor.text("status") == s
                                    || (s == "draft" && editor.text("status").is_empty())>{move || status_label(s, locale())}</option>
                            }).collect_view()}
                        </select>
                    </p>
                </div>
                <TextField editor field="title" label=t_string!(i18n, meetings.field_title).to_string() />
                <div class="form-grid">
                    <WhenField editor field="starts_at" label=t_string!(i18n, meetings.starts_at).to_string() />
                    <WhenField editor field="ends_at" label=t_string!(i18n, meetings.ends_at).to_string() />
                    <TextField editor field="place" label=t_string!(i18n, meetings.place).to_string() />
                    <TextField editor field="facilitator" label=t_string!(i18n, meetings.facilitator).to_string() />
                </div>
                <LongField editor field="agenda" label=t_string!(i18n, meetings.agenda).to_string() rows=5 />
                <LongField editor field="minutes" label=t_string!(i18n, meetings.minutes).to_string() rows=12 />
                <LongField editor field="decisions" label=t_string!(i18n, meetings.decisions).to_string() rows=5 />
                <Tasks editor />
                <LongField editor field="next_meeting" label=t_string!(i18n, meetings.next_meeting).to_string() rows=3 />
            </fieldset>
            {editor.editable.then(|| view! {
                <p><button type="button" class="button button--danger" on:click=delete>{t!(i18n, meetings.delete)}</button></p>
            })}
        </article>
    }
}

#[component]
fn TextField(editor: Editor, field: &'static str, label: String) -> impl IntoView {
    let node = NodeRef::<html::Input>::new();
    let shown = unless_focused(node, move || editor.text(field));
    view! {
        <p class="field">
            <label for=field>{label}</label>
            <input id=field type="text" maxlength="200" node_ref=node prop:value=shown
                aria-describedby=format!("{field}-error")
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    if let Some(input) = node.get() {
                        let _ = input.set_attribute("data-typed", &text);
                    }
                    editor.edit(field, Value::String(text));
                }
                on:blur=move |_| { forget_typed(node); editor.flush() } />
            {editor.problem(field)}
        </p>
    }
}

#[component]
fn LongField(editor: Editor, field: &'static str, label: String, rows: u32) -> impl IntoView {
    let node = NodeRef::<html::Textarea>::new();
    let shown = unless_focused(node, move || editor.text(field));
    view! {
        <p class="field">
            <label for=field>{label}</label>
            <textarea id=field rows=rows node_ref=node prop:value=shown
                aria-describedby=format!("{field}-error")
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    if let Some(area) = node.get() {
                        let _ = area.set_attribute("data-typed", &text);
                    }
                    editor.edit(field, Value::String(text));
                }
                on:blur=move |_| { forget_typed(node); editor.flush() }></textarea>
            {editor.problem(field)}
        </p>
    }
}

/// A date and hour on the Polish wall clock, stored as UTC.
#[component]
fn WhenField(editor: Editor, field: &'static str, label: String) -> impl IntoView {
    let shown = move || format::warsaw_local(&editor.text(field)).unwrap_or_default();
    view! {
        <p class="field">
            <label for=field>{label}</label>
            <input id=field type="datetime-local" prop:value=shown
                aria-describedby=format!("{field}-error")
                on:change=move |ev| {
                    let value = format::from_warsaw_local(&event_target_value(&ev))
                        .map_or(Value::Null, Value::String);
                    editor.edit(field, value);
                    editor.flush();
                } />
            {editor.problem(field)}
        </p>
    }
}

fn tasks_of(editor: &Editor) -> Vec<Map<String, Value>> {
    editor
        .value("tasks")
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .filter_map(|t| t.as_object().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// Changes one task (by id) and saves the list.
fn edit_task(editor: Editor, task: Uuid, key: &str, value: Value) {
    let tasks: Vec<Value> = tasks_of(&editor)
        .into_iter()
        .map(|mut t| {
            if t.get("id").and_then(Value::as_str) == Some(task.to_string().as_str()) {
                t.insert(key.to_owned(), value.clone());
            }
            Value::Object(t)
        })
        .collect();
    editor.edit("tasks", Value::Array(tasks));
}

#[component]
fn Tasks(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let ids = Memo::new(move |_| {
        tasks_of(&editor)
            .iter()
            .filter_map(|t| {
                t.get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| Uuid::parse_str(id).ok())
            })
            .collect::<Vec<_>>()
    });
    let add = move |_| {
        let mut tasks: Vec<Value> = tasks_of(&editor).into_iter().map(Value::Object).collect();
        tasks.push(json!({"id": Uuid::new_v4(), "title": "", "owner": "", "deadline": null, "status": "open"}));
        editor.edit("tasks", Value::Array(tasks));
    };
    view! {
        <section class="tasks" aria-labelledby="tasks-heading">
            <h2 id="tasks-heading">{t!(i18n, meetings.tasks)}</h2>
            {editor.problem("tasks")}
            <Show when=move || !ids.with(Vec::is_empty) fallback=move || view! { <p class="muted">{t!(i18n, meetings.no_tasks)}</p> }>
                <ol class="task-list">
                    <For each=move || ids.get() key=|id| *id let:task>
                        <TaskRow editor task />
                    </For>
                </ol>
            </Show>
            <p><button type="button" class="button button--quiet" on:click=add>{t!(i18n, meetings.add_task)}</button></p>
        </section>
    }
}

#[component]
fn TaskRow(editor: Editor, task: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let get = move |key: &'static str| {
        move || {
            tasks_of(&editor)
                .into_iter()
                .find(|t| t.get("id").and_then(Value::as_str) == Some(task.to_string().as_str()))
                .and_then(|t| t.get(key).and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default()
        }
    };
    let (title_node, owner_node) = (NodeRef::<html::Input>::new(), NodeRef::<html::Input>::new());
    let typed = move |node: NodeRef<html::Input>, key: &'static str| {
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            if let Some(input) = node.get() {
                let _ = input.set_attribute("data-typed", &text);
            }
            edit_task(editor, task, key, Value::String(text));
        }
    };
    let remove = move |_| {
        let tasks: Vec<Value> = tasks_of(&editor)
            .into_iter()
            .filter(|t| t.get("id").and_then(Value::as_str) != Some(task.to_string().as_str()))
            .map(Value::Object)
            .collect();
        editor.edit("tasks", Value::Array(tasks));
        editor.flush();
    };
    let prefix = format!("task-{task}");
    let locale = move || i18n.get_locale();
    view! {
        <li class="task-row">
            <p class="field">
                <label for=format!("{prefix}-title")>{t!(i18n, meetings.task_title)}</label>
                <input id=format!("{prefix}-title") type="text" maxlength="200" node_ref=title_node
                    prop:value=unless_focused(title_node, get("title"))
                    on:input=typed(title_node, "title") on:blur=move |_| { forget_typed(title_node); editor.flush() } />
            </p>
            <p class="field">
                <label for=format!("{prefix}-owner")>{t!(i18n, meetings.task_owner)}</label>
                <input id=format!("{prefix}-owner") type="text" maxlength="200" node_ref=owner_node
                    prop:value=unless_focused(owner_node, get("owner"))
                    on:input=typed(owner_node, "owner") on:blur=move |_| { forget_typed(owner_node); editor.flush() } />
            </p>
            <p class="field">
                <label for=format!("{prefix}-deadline")>{t!(i18n, meetings.task_deadline)}</label>
                <input id=format!("{prefix}-deadline") type="date" prop:value=get("deadline")
                    on:change=move |ev| {
                        let day = event_target_value(&ev);
                        let value = if day.is_empty() { Value::Null } else { Value::String(day) };
                        edit_task(editor, task, "deadline", value);
                        editor.flush();
                    } />
            </p>
            <p class="field">
                <label for=format!("{prefix}-status")>{t!(i18n, meetings.task_status)}</label>
                <select id=format!("{prefix}-status") on:change=move |ev| {
                    edit_task(editor, task, "status", Value::String(event_target_value(&ev)));
                    editor.flush();
                }>
                    {TASK_STATUSES.into_iter().map(|s| view! {
                        <option value=s selected=move || get("status")() == s>{move || task_status_label(s, locale())}</option>
                    }).collect_view()}
                </select>
            </p>
            <p class="task-row__remove">
                <button type="button" class="button button--quiet" on:click=remove>{t!(i18n, meetings.remove_task)}</button>
            </p>
        </li>
    }
}

/// Values set aside by merges for this meeting, each to be settled by a person.
#[component]
fn Conflicts(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let sync = editor.sync;
    let conflicts = Memo::new(move |_| {
        sync.read(|store| store.list(conflict::ENTITY))
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(id, fields)| Conflict::from_fields(&fields).map(|c| (id, c)))
            .filter(|(_, c)| c.entity == ENTITY && c.record_id == editor.id)
            .collect::<Vec<_>>()
    });
    view! {
        <Show when=move || !conflicts.with(Vec::is_empty)>
            <section class="panel conflicts" aria-labelledby="conflicts-heading">
                <h2 id="conflicts-heading">{t!(i18n, meetings.conflicts_title)}</h2>
                <p>{t!(i18n, meetings.conflicts_lead)}</p>
                <For each=move || conflicts.get() key=|(id, _)| *id let:item>
                    <ConflictCard editor id=item.0 conflict=item.1 />
                </For>
            </section>
        </Show>
    }
}

#[component]
fn ConflictCard(editor: Editor, id: Uuid, conflict: Conflict) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let field = conflict.field.clone();
    let current = editor.value(&field);
    let merged = NodeRef::<html::Textarea>::new();
    let settle = move |value: Option<Value>| {
        let field = conflict.field.clone();
        let _ = editor.sync.write(|store| {
            if let Some(value) = value {
                let mut data = Map::new();
                data.insert(field, value);
                store.save(ENTITY, editor.id, Op::Upsert, data, now_instant())?;
            }
            store.save(conflict::ENTITY, id, Op::Delete, Map::new(), now_instant())
        });
    };
    let other = conflict.other.clone();
    let take_other = {
        let settle = settle.clone();
        move |_| settle(Some(other.clone()))
    };
    let keep = {
        let settle = settle.clone();
        move |_| settle(None)
    };
    let save_merged = move |_| {
        let text = merged.get().map(|area| area.value()).unwrap_or_default();
        settle(Some(Value::String(text)));
    };
    let shown = |value: &Value| {
        let text = readable(&field, value, locale);
        if text.is_empty() {
            t_string!(i18n, meetings.empty).to_string()
        } else {
            text
        }
    };
    let label = field_label(&field, locale);
    let merge_id = format!("merge-{id}");
    let mergeable = is_text(&field).then(|| {
        let start = current.as_str().unwrap_or_default().to_owned();
        view! {
            <p class="field">
                <label for=merge_id.clone()>{t!(i18n, meetings.merge)}</label>
                <textarea id=merge_id rows="8" node_ref=merged prop:value=start></textarea>
            </p>
            <p><button type="button" class="button" on:click=save_merged>{t!(i18n, meetings.save_merged)}</button></p>
        }
    });
    view! {
        <div class="conflict" role="group" aria-label=label.clone()>
            <h3>{label.clone()}</h3>
            <div class="conflict__sides">
                <div>
                    <h4>{t!(i18n, meetings.conflict_current)}</h4>
                    <pre class="conflict__text">{shown(&current)}</pre>
                    <button type="button" class="button button--quiet" on:click=keep>{t!(i18n, meetings.keep_current)}</button>
                </div>
                <div>
                    <h4>{t!(i18n, meetings.conflict_other)}</h4>
                    <pre class="conflict__text">{shown(&conflict.other)}</pre>
                    <button type="button" class="button button--quiet" on:click=take_other>{t!(i18n, meetings.take_other)}</button>
                </div>
            </div>
            {mergeable}
        </div>
    }
}
