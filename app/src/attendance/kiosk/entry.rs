//! What an attendee types: one entry per person, its fields and checks
//! (shared with the paper entry on the list).

use super::*;
use crate::attendance::{
    Clause,
    model::{self},
};
use crate::{
    clock::now_instant,
    errors::Problem,
    i18n::{t, t_string, use_i18n},
    ui::problem_text,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What the attendee types, for one person; a new one for the next.
#[derive(Clone, Copy)]
pub struct Entry {
    pub full_name: RwSignal<String>,
    pub organization: RwSignal<String>,
    pub function: RwSignal<String>,
    pub contact: RwSignal<String>,
    pub contact_consent: RwSignal<bool>,
    pub clause_ack: RwSignal<bool>,
    pub image_consent: RwSignal<Option<bool>>,
    pub problems: RwSignal<BTreeMap<String, Problem>>,
}

/// The fields in the order they are on screen, for focusing the first problem.
pub const FIELD_ORDER: [&str; 9] = [
    "full_name",
    "organization",
    "function",
    "contact",
    "contact_consent",
    "clause_ack",
    "image_consent",
    "signature",
    "typed_later",
];

impl Default for Entry {
    fn default() -> Self {
        Self::new()
    }
}

impl Entry {
    pub fn new() -> Self {
        Self {
            full_name: RwSignal::new(String::new()),
            organization: RwSignal::new(String::new()),
            function: RwSignal::new(String::new()),
            contact: RwSignal::new(String::new()),
            contact_consent: RwSignal::new(false),
            clause_ack: RwSignal::new(false),
            image_consent: RwSignal::new(None),
            problems: RwSignal::new(BTreeMap::new()),
        }
    }

    /// The sign-in as typed (before checks), without its signature.
    pub fn data(&self, meeting: Uuid, clause: &Clause) -> Map<String, Value> {
        let mut data = Map::new();
        data.insert("meeting_id".into(), json!(meeting));
        data.insert("full_name".into(), json!(self.full_name.get_untracked()));
        for (field, value) in [
            ("organization", self.organization),
            ("function", self.function),
        ] {
            let text = value.get_untracked();
            if !text.trim().is_empty() {
                data.insert(field.into(), json!(text));
            }
        }
        let contact = self.contact.get_untracked();
        if !contact.trim().is_empty() {
            data.insert("contact".into(), json!(contact));
            data.insert(
                "contact_consent".into(),
                json!(self.contact_consent.get_untracked()),
            );
        }
        data.insert("clause_version".into(), json!(clause.version));
        data.insert("clause_ack".into(), json!(self.clause_ack.get_untracked()));
        if let Some(consent) = self.image_consent.get_untracked() {
            data.insert("image_consent".into(), json!(consent));
        }
        if let Some(now) = now_instant() {
            data.insert("signed_at".into(), json!(now));
        }
        data
    }

    /// Checks `data`; on problems shows them and moves the focus to the first.
    pub fn checked(&self, data: &Map<String, Value>, prefix: &str) -> bool {
        let found = model::problems(data);
        let first = FIELD_ORDER.into_iter().find(|f| found.contains_key(*f));
        self.problems.set(found);
        match first {
            None => true,
            Some(field) => {
                let target = match field {
                    "image_consent" => format!("{prefix}-image_consent-yes"),
                    _ => format!("{prefix}-{field}"),
                };
                browser::focus(&target);
                false
            }
        }
    }

    pub fn problem(&self, field: &'static str) -> Signal<Option<Problem>> {
        let problems = self.problems;
        Signal::derive(move || problems.with(|p| p.get(field).copied()))
    }
}

/// A labelled text input with its error.
#[component]
pub fn TextInput(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    problem: Signal<Option<Problem>>,
    #[prop(optional)] required: bool,
    #[prop(optional)] input_type: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    view! {
        <p class="field">
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            <input id=id type=input_type.unwrap_or("text") maxlength="200" autocomplete="off"
                autocapitalize="words" spellcheck="false" required=required
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=described_by
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
            <FieldError id=error_id problem />
        </p>
    }
}

#[component]
pub fn FieldError(
    id: String,
    problem: Signal<Option<Problem>>,
    #[prop(optional)] text: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <span class="field__error" id=id>
            {move || problem.get().map(|p| text.map_or_else(|| problem_text(p), |t| t.get()))}
        </span>
    }
}

/// The explicit TAK/NIE choice for the image consent; nothing is chosen first.
#[component]
pub fn ImageConsent(entry: Entry, prefix: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let choice = entry.image_consent;
    let error_id = format!("{prefix}-image_consent-error");
    let described_by = error_id.clone();
    view! {
        <fieldset class="yes-no" aria-describedby=described_by>
            <legend>{t!(i18n, kiosk.image_consent)} " *"</legend>
            <div class="yes-no__options">
                <label class="yes-no__option">
                    <input type="radio" id=format!("{prefix}-image_consent-yes") name=format!("{prefix}-image")
                        prop:checked=move || choice.get() == Some(true)
                        on:change=move |_| choice.set(Some(true)) />
                    <span>{t!(i18n, kiosk.yes)}</span>
                </label>
                <label class="yes-no__option">
                    <input type="radio" id=format!("{prefix}-image_consent-no") name=format!("{prefix}-image")
                        prop:checked=move || choice.get() == Some(false)
                        on:change=move |_| choice.set(Some(false)) />
                    <span>{t!(i18n, kiosk.no)}</span>
                </label>
            </div>
            <FieldError id=error_id problem=entry.problem("image_consent")
                text=Signal::derive(move || t_string!(i18n, kiosk.image_consent_missing).to_string()) />
        </fieldset>
    }
}

/// The clause: its short text on screen, the whole one tap away.
#[component]
pub fn ClauseAck(entry: Entry, clause: Clause, prefix: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let version = clause.version;
    let error_id = format!("{prefix}-clause_ack-error");
    let described_by = error_id.clone();
    view! {
        <section class="clause" aria-labelledby=format!("{prefix}-clause-heading")>
            <h2 id=format!("{prefix}-clause-heading")>{t!(i18n, kiosk.clause_heading)}</h2>
            <p class="clause__short">{clause.short_text.clone()}</p>
            <details class="clause__full">
                <summary>{move || t_string!(i18n, kiosk.clause_full, version = version).to_string()}</summary>
                <div class="clause__text">{clause.full_text.clone()}</div>
            </details>
            <p class="check">
                <input type="checkbox" id=format!("{prefix}-clause_ack")
                    aria-describedby=described_by
                    aria-invalid=move || entry.problem("clause_ack").get().is_some().to_string()
                    prop:checked=entry.clause_ack
                    on:change=move |ev| entry.clause_ack.set(event_target_checked(&ev)) />
                <label for=format!("{prefix}-clause_ack")>{t!(i18n, kiosk.clause_ack)} " *"</label>
            </p>
            <FieldError id=error_id problem=entry.problem("clause_ack")
                text=Signal::derive(move || t_string!(i18n, kiosk.clause_ack_missing).to_string()) />
        </section>
    }
}
