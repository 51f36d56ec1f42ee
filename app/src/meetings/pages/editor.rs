//! The meeting editor: the record as the device holds it, saved as it is typed.

use super::*;
use crate::meetings::{
    PARTNERSHIPS, PartnershipRef,
    model::{ENTITY, KINDS, STATUSES, check_field},
    view::{kind_label, status_label},
};
use crate::{
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{
        Op,
        engine::{SyncEngine, use_sync},
        local::Fields,
        settle::RecordConflicts,
    },
    ui::{confirm, from_store, problem_text, route_id, route_record},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_navigate};
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Whether the editor's last change is on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Saving {
    Idle,
    Typing,
    Saved,
    NotSaved,
}

/// The editor's state, shared by its fields.
#[derive(Clone, Copy)]
pub(super) struct Editor {
    pub(super) id: Uuid,
    pub(super) sync: SyncEngine,
    pub(super) record: Memo<Option<Fields>>,
    /// Typed but not yet saved (or refused by the checks, so kept on screen).
    pub(super) draft: RwSignal<Map<String, Value>>,
    pub(super) problems: RwSignal<HashMap<String, Problem>>,
    pub(super) saving: RwSignal<Saving>,
    pub(super) editable: bool,
}

/// Saves run this long after the last keystroke.
#[cfg(feature = "hydrate")]
pub(super) const SAVE_AFTER_MS: u64 = 400;

impl Editor {
    /// The value on screen: typed if not yet saved, else as stored.
    pub(super) fn value(&self, field: &str) -> Value {
        if let Some(value) = self.draft.with(|d| d.get(field).cloned()) {
            return value;
        }
        self.record
            .with(|r| r.as_ref().and_then(|r| r.get(field).cloned()))
            .unwrap_or(Value::Null)
    }

    pub(super) fn text(&self, field: &str) -> String {
        self.value(field).as_str().unwrap_or_default().to_owned()
    }

    pub(super) fn edit(&self, field: &str, value: Value) {
        self.draft.update(|d| {
            d.insert(field.to_owned(), value);
        });
        self.saving.set(Saving::Typing);
        self.schedule();
    }

    #[cfg(feature = "hydrate")]
    pub(super) fn schedule(&self) {
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
    pub(super) fn schedule(&self) {}

    /// Saves what was typed: each field is checked first; a refused one
    /// stays on screen with its reason and is not saved.
    pub(super) fn flush(&self) {
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

    pub(super) fn problem(&self, field: &'static str) -> impl Fn() -> Option<AnyView> + use<> {
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
pub(super) fn unless_focused<E>(node: NodeRef<E>, value: impl Fn() -> String) -> impl Fn() -> String
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
pub(super) fn forget_typed<E>(node: NodeRef<E>)
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
    let id = route_id();
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
            // Not on this device: read from the server (a library it does not hold).
            None => match id() {
                Some(id) => view! { <MeetingFromServer id /> }.into_any(),
                None => view! {
                    <Title text=move || t_string!(i18n, meetings.title).to_string() />
                    <div class="notice" role="status"><p>{t!(i18n, meetings.not_found)}</p></div>
                }.into_any(),
            },
            Some((id, partnership)) => view! { <MeetingEditor id partnership /> }.into_any(),
        })}
    }
}

#[component]
pub(super) fn MeetingEditor(id: Uuid, partnership: Option<PartnershipRef>) -> impl IntoView {
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
            <RecordConflicts entity=ENTITY record_id=editor.id
                current=Callback::new(move |field: String| editor.value(&field)) />
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
                </div>
                // A place or a facilitator's name with an institution is long: whole lines.
                <TextField editor field="place" label=t_string!(i18n, meetings.place).to_string() />
                <TextField editor field="facilitator" label=t_string!(i18n, meetings.facilitator).to_string() />
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
pub(super) fn TextField(editor: Editor, field: &'static str, label: String) -> impl IntoView {
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
pub(super) fn LongField(
    editor: Editor,
    field: &'static str,
    label: String,
    rows: u32,
) -> impl IntoView {
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
pub(super) fn WhenField(editor: Editor, field: &'static str, label: String) -> impl IntoView {
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
