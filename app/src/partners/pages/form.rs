//! The partner form: a new partner, offline, with every problem shown.

use super::*;
use crate::partners::model::{ENTITY, SECTORS, check_field};
use crate::{
    clock::now_instant,
    errors::Problem,
    i18n::{t, t_string, use_i18n},
    support::MyLibrary,
    sync::{Op, engine::use_sync, local::Fields},
    ui::{focus, problem_text},
};
use leptos::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The partner's optional one-line fields, in form order, with input kinds.
pub(super) const FORM_FIELDS: [(&str, &str); 5] = [
    ("contact_person", "text"),
    ("email", "email"),
    ("phone", "tel"),
    ("role", "text"),
    ("member_since", "date"),
];

pub(super) fn field_label(field: &str) -> String {
    let i18n = use_i18n();
    match field {
        "name" => t_string!(i18n, partners.name),
        "sector" => t_string!(i18n, partners.sector),
        "contact_person" => t_string!(i18n, partners.contact_person),
        "email" => t_string!(i18n, partners.email),
        "phone" => t_string!(i18n, partners.phone),
        "role" => t_string!(i18n, partners.role),
        "member_since" => t_string!(i18n, partners.member_since),
        "notes" => t_string!(i18n, partners.notes),
        _ => t_string!(i18n, partners.library),
    }
    .to_string()
}

/// A partner's form, new or existing: the typed values, the problems found.
#[derive(Clone, Copy)]
pub(super) struct PartnerForm {
    pub(super) values: RwSignal<BTreeMap<&'static str, String>>,
    pub(super) problems: RwSignal<BTreeMap<&'static str, Problem>>,
    pub(super) prefix: &'static str,
}

impl PartnerForm {
    pub(super) fn new(prefix: &'static str, from: &Fields) -> Self {
        let values = [
            "library_id",
            "name",
            "sector",
            "contact_person",
            "email",
            "phone",
            "role",
            "member_since",
            "notes",
        ]
        .into_iter()
        .map(|field| (field, text(from, field)))
        .collect();
        Self {
            values: RwSignal::new(values),
            problems: RwSignal::new(BTreeMap::new()),
            prefix,
        }
    }

    pub(super) fn value(&self, field: &'static str) -> String {
        self.values
            .with(|v| v.get(field).cloned().unwrap_or_default())
    }

    pub(super) fn set(&self, field: &'static str, value: String) {
        self.values.update(|v| {
            v.insert(field, value);
        });
    }

    /// The fields that differ from `before`, checked; problems shown and
    /// focus on the first when any is wrong.
    pub(super) fn changes(&self, before: &Fields) -> Option<Map<String, Value>> {
        let mut changed = Map::new();
        let mut problems = BTreeMap::new();
        for (field, typed) in self.values.get_untracked() {
            let value = match field {
                "member_since" if typed.is_empty() => Value::Null,
                _ => Value::String(typed),
            };
            let checked = match field {
                "sector" if value.as_str() == Some("") => Err(Problem::Required),
                _ => check_field(field, &value),
            };
            match checked {
                Ok(value) if before.get(field).unwrap_or(&Value::Null) != &value => {
                    changed.insert(field.to_owned(), value);
                }
                Ok(_) => {}
                Err(problem) => {
                    problems.insert(field, problem);
                }
            }
        }
        let first = problems.keys().next().copied();
        self.problems.set(problems);
        if let Some(field) = first {
            focus(&format!("{}-{field}", self.prefix));
            return None;
        }
        Some(changed)
    }

    pub(super) fn id(&self, field: &str) -> String {
        format!("{}-{field}", self.prefix)
    }

    pub(super) fn error(&self, field: &'static str) -> impl Fn() -> Option<AnyView> + use<> {
        let (problems, id) = (self.problems, format!("{}-{field}-error", self.prefix));
        move || {
            problems.with(|p| p.get(field).copied()).map(|problem| {
                view! { <span class="field__error" id=id.clone()>{problem_text(problem)}</span> }.into_any()
            })
        }
    }
}

/// The inputs every partner form has (name, sector, contact, role, since).
#[component]
pub(super) fn PartnerFields(form: PartnerForm) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let input = move |field: &'static str, kind: &'static str| {
        let id = form.id(field);
        let error_id = format!("{id}-error");
        let required = field == "name";
        view! {
            <p class="field">
                <label for=id.clone()>{field_label(field)}{required.then_some(" *")}</label>
                <input id=id type=kind required=required aria-describedby=error_id
                    aria-invalid=move || form.problems.with(|p| p.contains_key(field)).to_string()
                    prop:value=move || form.value(field)
                    on:input=move |ev| form.set(field, event_target_value(&ev)) />
                {form.error(field)}
            </p>
        }
    };
    let sector_id = form.id("sector");
    view! {
        <div class="form-grid">
            {input("name", "text")}
            <p class="field">
                <label for=sector_id.clone()>{field_label("sector")}" *"</label>
                <select id=sector_id on:change=move |ev| form.set("sector", event_target_value(&ev))>
                    <option value="" selected=move || form.value("sector").is_empty()>{t!(i18n, partners.choose_sector)}</option>
                    {SECTORS.into_iter().map(|s| view! {
                        <option value=s selected=move || form.value("sector") == s>{sector_label(s, locale)}</option>
                    }).collect_view()}
                </select>
                {form.error("sector")}
            </p>
            {FORM_FIELDS.into_iter().map(|(f, kind)| input(f, kind)).collect_view()}
        </div>
    }
}

#[component]
pub(super) fn NewPartner(
    libraries: Vec<MyLibrary>,
    open: RwSignal<bool>,
    saved: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editable: Vec<MyLibrary> = libraries.into_iter().filter(|l| l.editable).collect();
    if editable.is_empty() {
        return ().into_any();
    }
    let failed = RwSignal::new(false);
    let mut start = Fields::new();
    start.insert("library_id".into(), json!(editable[0].id.to_string()));
    let form = PartnerForm::new("new-partner", &start);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut data) = form.changes(&Map::new()) else {
            return;
        };
        data.remove("notes");
        let name = form.value("name");
        let id = Uuid::new_v4();
        match sync.write(|store| store.save(ENTITY, id, Op::Upsert, data, now_instant())) {
            Ok(_) => {
                failed.set(false);
                saved.set(Some(name));
                let library = form.value("library_id");
                form.values.update(|v| {
                    for value in v.values_mut() {
                        value.clear();
                    }
                    v.insert("library_id", library);
                });
                focus("new-partner-name");
            }
            Err(_) => failed.set(true),
        }
    };
    let several = editable.len() > 1;
    view! {
        <section class="panel">
            <button type="button" class="button" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {t!(i18n, partners.add)}
            </button>
            <form class="form" on:submit=add hidden=move || !open.get() novalidate>
                {several.then(|| view! {
                    <p class="field">
                        <label for="new-partner-library_id">{t!(i18n, partners.library)}</label>
                        <select id="new-partner-library_id" on:change=move |ev| form.set("library_id", event_target_value(&ev))>
                            {editable.iter().map(|l| view! { <option value=l.id.to_string()>{l.name.clone()}</option> }).collect_view()}
                        </select>
                    </p>
                })}
                <PartnerFields form />
                {move || failed.get().then(|| view! {
                    <p class="notice notice--error" role="alert">{t!(i18n, meetings.not_saved)}</p>
                })}
                <p><button type="submit" class="button">{t!(i18n, partners.save_new)}</button></p>
                <p role="status" class="muted">
                    {move || saved.get().map(|name| t_string!(i18n, partners.saved_new, name = name).to_string())}
                </p>
            </form>
        </section>
    }
    .into_any()
}
