//! `/partnerzy` (the list with search, sector filter, chart and a form to
//! add one) and `/partnerzy/:id` (one partner: details, meetings attended).
//! Both read and write the device's store, so they work offline.

use super::model::{ENTITY, SECTORS, check_field, match_key};
use crate::{
    attendance::model as sign_in,
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{Locale, t, t_string, td_string, use_i18n},
    meetings::model as meeting,
    support::{LIBRARIES, LibraryRef},
    sync::{Op, engine::use_sync, local::Fields},
    ui::{PageButtons, confirm, focus, from_store, page_of, problem_text, route_record},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_navigate};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

const PAGE: usize = 25;

pub fn sector_label(sector: &str, locale: Locale) -> String {
    match sector {
        "local_government" => td_string!(locale, partners.sector_local_government),
        "ngo" => td_string!(locale, partners.sector_ngo),
        "school" => td_string!(locale, partners.sector_school),
        "culture" => td_string!(locale, partners.sector_culture),
        "business" => td_string!(locale, partners.sector_business),
        "informal_group" => td_string!(locale, partners.sector_informal_group),
        "local_leader" => td_string!(locale, partners.sector_local_leader),
        _ => td_string!(locale, partners.sector_other),
    }
    .to_string()
}

pub use crate::sync::local::text;

/// Whether a partner matches the typed search (name, contact, role, e-mail).
pub fn matches(fields: &Fields, search: &str) -> bool {
    let search = search.trim().to_lowercase();
    search.is_empty()
        || ["name", "contact_person", "role", "email"]
            .iter()
            .any(|field| text(fields, field).to_lowercase().contains(&search))
}

/// Partners per sector, in the interface's sector order, empty ones left out.
pub fn by_sector(partners: &[(Uuid, Fields)]) -> Vec<(&'static str, usize)> {
    SECTORS
        .iter()
        .map(|sector| {
            let count = partners
                .iter()
                .filter(|(_, p)| text(p, "sector") == *sector)
                .count();
            (*sector, count)
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
struct ListData {
    partners: Vec<(Uuid, Fields)>,
    libraries: Vec<LibraryRef>,
    pending: HashSet<Uuid>,
}

#[component]
pub fn PartnersPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let data = Memo::new(move |_| {
        sync.read(|store| {
            let mut partners = store.list(ENTITY)?;
            partners.sort_by_cached_key(|(_, p)| text(p, "name").to_lowercase());
            let pending = store
                .outbox()?
                .into_iter()
                .filter(|p| p.mutation.entity == ENTITY)
                .map(|p| p.mutation.record_id)
                .collect();
            Ok(ListData {
                partners,
                libraries: store.reference(LIBRARIES)?.unwrap_or_default(),
                pending,
            })
        })
    });
    // Kept here: the list redraws after every save, these stay as they were.
    let filters = Filters {
        search: RwSignal::new(String::new()),
        sector: RwSignal::new(String::new()),
        page: RwSignal::new(1),
        adding: RwSignal::new(false),
        saved: RwSignal::new(None),
    };
    view! {
        <Title text=move || t_string!(i18n, partners.title).to_string() />
        <h1>{t!(i18n, partners.title)}</h1>
        <p class="lead">{t!(i18n, partners.lead)}</p>
        {move || from_store(data.get(), |list| view! { <PartnerList list filters /> }.into_any())}
    }
}

/// The list's state, kept by the page across redraws.
#[derive(Clone, Copy)]
struct Filters {
    search: RwSignal<String>,
    sector: RwSignal<String>,
    page: RwSignal<usize>,
    /// The add form is open.
    adding: RwSignal<bool>,
    /// The name of the partner just added.
    saved: RwSignal<Option<String>>,
}

#[component]
fn PartnerList(list: ListData, filters: Filters) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let Filters {
        search,
        sector,
        page,
        ..
    } = filters;
    let chart = by_sector(&list.partners);
    let total = list.partners.len();
    let partners = StoredValue::new(list.partners);
    let pending = StoredValue::new(list.pending);
    let shown = Memo::new(move |_| {
        partners.with_value(|all| {
            all.iter()
                .filter(|(_, p)| matches(p, &search.get()))
                .filter(|(_, p)| sector.with(|s| s.is_empty() || text(p, "sector") == *s))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let rows = move || {
        let found = shown.get();
        if found.is_empty() {
            return view! { <p class="muted">{t!(i18n, partners.none)}</p> }.into_any();
        }
        let count = found.len();
        let rows = page_of(&found, page.get(), PAGE);
        view! {
            <p class="muted" role="status">
                {t_string!(i18n, partners.count, count = i32::try_from(count).unwrap_or(i32::MAX)).to_string()}
            </p>
            <table class="table">
                <thead><tr>
                    <th scope="col">{t!(i18n, partners.name)}</th>
                    <th scope="col">{t!(i18n, partners.sector)}</th>
                    <th scope="col">{t!(i18n, partners.contact_person)}</th>
                    <th scope="col">{t!(i18n, partners.role)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(id, p)| {
                        let unsent = pending.with_value(|set| set.contains(&id));
                        view! {
                            <tr>
                                <td data-label=t_string!(i18n, partners.name).to_string()>
                                    <a href=format!("/partnerzy/{id}")>{text(&p, "name")}</a>
                                    {unsent.then(|| view! { " " <span class="badge badge--wait">{t!(i18n, meetings.pending)}</span> })}
                                </td>
                                <td data-label=t_string!(i18n, partners.sector).to_string()>{sector_label(&text(&p, "sector"), locale)}</td>
                                <td data-label=t_string!(i18n, partners.contact_person).to_string()>{text(&p, "contact_person")}</td>
                                <td data-label=t_string!(i18n, partners.role).to_string()>{text(&p, "role")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <PageButtons page total=count size=PAGE />
        }
        .into_any()
    };
    view! {
        <NewPartner libraries=list.libraries open=filters.adding saved=filters.saved />
        {(total > 0).then(|| view! { <SectorChart counts=chart total /> })}
        <div class="filters" role="search">
            <p class="field field--inline">
                <label for="partner-search">{t!(i18n, partners.search)}</label>
                <input id="partner-search" type="search" prop:value=search
                    on:input=move |ev| { search.set(event_target_value(&ev)); page.set(1); } />
            </p>
            <p class="field field--inline">
                <label for="partner-sector">{t!(i18n, partners.sector)}</label>
                <select id="partner-sector" on:change=move |ev| { sector.set(event_target_value(&ev)); page.set(1); }>
                    <option value="" selected=move || sector.with(String::is_empty)>{t!(i18n, partners.all_sectors)}</option>
                    {SECTORS.into_iter().map(|s| view! {
                        <option value=s selected=move || sector.with(|current| current == s)>{sector_label(s, locale)}</option>
                    }).collect_view()}
                </select>
            </p>
        </div>
        {rows}
    }
}

/// Partners by sector as bars, with the numbers written out.
#[component]
pub fn SectorChart(counts: Vec<(&'static str, usize)>, total: usize) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    view! {
        <section class="panel" aria-labelledby="sector-chart">
            <h2 id="sector-chart">{t!(i18n, partners.by_sector)}</h2>
            <ul class="bars">
                {counts.into_iter().map(|(sector, count)| {
                    let width = format!("width: {}%", count * 100 / most);
                    view! {
                        <li class="bars__row">
                            <span class="bars__label">{sector_label(sector, locale)}</span>
                            <span class="bars__track" aria-hidden="true"><span class="bars__bar" style=width></span></span>
                            <span class="bars__value">{count}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted">{t_string!(i18n, partners.count, count = i32::try_from(total).unwrap_or(i32::MAX)).to_string()}</p>
        </section>
    }
}

/// The partner's optional one-line fields, in form order, with input kinds.
const FORM_FIELDS: [(&str, &str); 5] = [
    ("contact_person", "text"),
    ("email", "email"),
    ("phone", "tel"),
    ("role", "text"),
    ("member_since", "date"),
];

fn field_label(field: &str) -> String {
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
struct PartnerForm {
    values: RwSignal<BTreeMap<&'static str, String>>,
    problems: RwSignal<BTreeMap<&'static str, Problem>>,
    prefix: &'static str,
}

impl PartnerForm {
    fn new(prefix: &'static str, from: &Fields) -> Self {
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

    fn value(&self, field: &'static str) -> String {
        self.values
            .with(|v| v.get(field).cloned().unwrap_or_default())
    }

    fn set(&self, field: &'static str, value: String) {
        self.values.update(|v| {
            v.insert(field, value);
        });
    }

    /// The fields that differ from `before`, checked; problems shown and
    /// focus on the first when any is wrong.
    fn changes(&self, before: &Fields) -> Option<Map<String, Value>> {
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

    fn id(&self, field: &str) -> String {
        format!("{}-{field}", self.prefix)
    }

    fn error(&self, field: &'static str) -> impl Fn() -> Option<AnyView> + use<> {
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
fn PartnerFields(form: PartnerForm) -> impl IntoView {
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
fn NewPartner(
    libraries: Vec<LibraryRef>,
    open: RwSignal<bool>,
    saved: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editable: Vec<LibraryRef> = libraries.into_iter().filter(|l| l.editable).collect();
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

/// A meeting as the partner page lists it.
#[derive(Debug, Clone, PartialEq)]
struct MeetingLine {
    id: Uuid,
    title: String,
    starts_at: String,
}

#[derive(Debug, Clone, PartialEq)]
struct PartnerData {
    id: Uuid,
    fields: Fields,
    editable: bool,
    library: String,
    attended: Vec<MeetingLine>,
    /// Meetings where someone signed in for an organization of this name.
    suggested: Vec<MeetingLine>,
}

fn ids(fields: &Fields, field: &str) -> Vec<Uuid> {
    fields
        .get(field)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .collect()
        })
        .unwrap_or_default()
}

#[component]
pub fn PartnerPage() -> impl IntoView {
    let i18n = use_i18n();
    // Kept here: the page redraws after a save, the confirmation stays.
    let state = RwSignal::new(None::<bool>);
    let data = route_record(ENTITY, |store, id, fields| {
        let library_id = text(&fields, "library_id");
        let libraries: Vec<LibraryRef> = store.reference(LIBRARIES)?.unwrap_or_default();
        let library = libraries.iter().find(|l| l.id.to_string() == library_id);
        let meetings: Vec<MeetingLine> = store
            .list(meeting::ENTITY)?
            .into_iter()
            .map(|(id, m)| MeetingLine {
                id,
                title: text(&m, "title"),
                starts_at: text(&m, "starts_at"),
            })
            .collect();
        let attended_ids = ids(&fields, "attended");
        let dismissed = ids(&fields, "dismissed");
        let key = match_key(&text(&fields, "name"));
        let signed: HashSet<Uuid> = store
            .list(sign_in::ENTITY)?
            .into_iter()
            .filter(|(_, s)| {
                !s.contains_key("struck") && match_key(&text(s, "organization")) == key
            })
            .filter_map(|(_, s)| Uuid::parse_str(&text(&s, "meeting_id")).ok())
            .collect();
        let mut attended: Vec<MeetingLine> = meetings
            .iter()
            .filter(|m| attended_ids.contains(&m.id))
            .cloned()
            .collect();
        let mut suggested: Vec<MeetingLine> = meetings
            .into_iter()
            .filter(|m| {
                signed.contains(&m.id)
                    && !attended_ids.contains(&m.id)
                    && !dismissed.contains(&m.id)
            })
            .collect();
        attended.sort_by(|a, b| b.starts_at.cmp(&a.starts_at));
        suggested.sort_by(|a, b| b.starts_at.cmp(&a.starts_at));
        Ok(PartnerData {
            id,
            editable: library.is_some_and(|l| l.editable),
            library: library.map(|l| l.name.clone()).unwrap_or_default(),
            fields,
            attended,
            suggested,
        })
    });
    view! {
        <p><A href="/partnerzy" attr:class="back-link">{t!(i18n, partners.back)}</A></p>
        {move || from_store(data.get(), |found| match found {
            None => view! {
                <Title text=move || t_string!(i18n, partners.title).to_string() />
                <div class="notice" role="status"><p>{t!(i18n, partners.not_found)}</p></div>
            }.into_any(),
            Some(partner) => view! { <PartnerView partner state /> }.into_any(),
        })}
    }
}

#[component]
fn PartnerView(partner: PartnerData, state: RwSignal<Option<bool>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    let navigate = use_navigate();
    let name = text(&partner.fields, "name");
    let title = name.clone();
    let id = partner.id;
    let fields = StoredValue::new(partner.fields.clone());
    let form = PartnerForm::new("partner", &partner.fields);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut changed) = fields.with_value(|before| form.changes(before)) else {
            return;
        };
        changed.remove("library_id");
        if changed.is_empty() {
            state.set(Some(true));
            return;
        }
        let saved = sync.write(|store| store.save(ENTITY, id, Op::Upsert, changed, now_instant()));
        state.set(Some(saved.is_ok()));
    };
    let remove = move |_| {
        if confirm(t_string!(i18n, partners.delete_confirm)) {
            let deleted =
                sync.write(|store| store.save(ENTITY, id, Op::Delete, Map::new(), now_instant()));
            if deleted.is_ok() {
                navigate("/partnerzy", Default::default());
            }
        }
    };
    // Confirming or ruling out a meeting changes one list of the partner.
    let mark = move |list: &'static str, meeting: Uuid, add: bool| {
        let mut current = fields.with_value(|f| ids(f, list));
        current.retain(|m| *m != meeting);
        if add {
            current.push(meeting);
        }
        let mut data = Map::new();
        data.insert(
            list.into(),
            json!(current.iter().map(Uuid::to_string).collect::<Vec<_>>()),
        );
        let _ = sync.write(|store| store.save(ENTITY, id, Op::Upsert, data, now_instant()));
    };
    let meeting_link = move |m: &MeetingLine| {
        let when = format::day(&m.starts_at, locale).unwrap_or_default();
        view! { <a href=format!("/spotkania/{}", m.id)>{m.title.clone()}</a> " " <span class="muted">{when}</span> }
    };
    let editable = partner.editable;
    let details = if editable {
        view! {
            <form class="form panel" on:submit=save novalidate>
                <PartnerFields form />
                <p class="field">
                    <label for="partner-notes">{field_label("notes")}</label>
                    <textarea id="partner-notes" rows="4" prop:value=move || form.value("notes")
                        on:input=move |ev| form.set("notes", event_target_value(&ev))></textarea>
                </p>
                <p class="button-row">
                    <button type="submit" class="button">{t!(i18n, partners.save)}</button>
                    <button type="button" class="button button--quiet" on:click=remove>{t!(i18n, partners.delete)}</button>
                </p>
                <p role="status" class="muted">
                    {move || state.get().map(|ok| if ok {
                        t_string!(i18n, meetings.saved).to_string()
                    } else {
                        t_string!(i18n, meetings.not_saved).to_string()
                    })}
                </p>
            </form>
        }
        .into_any()
    } else {
        let f = partner.fields.clone();
        view! {
            <dl class="panel details">
                <dt>{field_label("sector")}</dt><dd>{sector_label(&text(&f, "sector"), locale)}</dd>
                {["contact_person", "email", "phone", "role", "notes"].into_iter().filter(|k| !text(&f, k).is_empty()).map(|k| view! {
                    <dt>{field_label(k)}</dt><dd>{text(&f, k)}</dd>
                }).collect_view()}
                {f.get("member_since").and_then(Value::as_str).and_then(|d| format::day(&format!("{d}T12:00:00Z"), locale)).map(|d| view! {
                    <dt>{field_label("member_since")}</dt><dd>{d}</dd>
                })}
            </dl>
        }
        .into_any()
    };
    let attended = partner.attended.clone();
    let suggested = partner.suggested.clone();
    view! {
        <Title text=title />
        <h1>{name}</h1>
        <p class="lead">{partner.library.clone()}</p>
        {details}
        <section class="panel" aria-labelledby="partner-meetings">
            <h2 id="partner-meetings">{t!(i18n, partners.meetings)}</h2>
            {if attended.is_empty() {
                view! { <p class="muted">{t!(i18n, partners.no_meetings)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {attended.into_iter().map(|m| {
                            let meeting = m.id;
                            view! {
                                <li>
                                    {meeting_link(&m)}
                                    {editable.then(|| view! {
                                        " " <button type="button" class="button button--quiet"
                                            on:click=move |_| mark("attended", meeting, false)>{t!(i18n, partners.unconfirm)}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!suggested.is_empty() && editable).then(|| view! {
                <h3>{t!(i18n, partners.suggested)}</h3>
                <p class="muted">{t!(i18n, partners.suggested_hint)}</p>
                <ul class="plain-list">
                    {suggested.into_iter().map(|m| {
                        let meeting = m.id;
                        view! {
                            <li>
                                {meeting_link(&m)}
                                " "
                                <button type="button" class="button" on:click=move |_| mark("attended", meeting, true)>
                                    {t!(i18n, partners.confirm)}
                                </button>
                                " "
                                <button type="button" class="button button--quiet" on:click=move |_| mark("dismissed", meeting, true)>
                                    {t!(i18n, partners.dismiss)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner(name: &str, sector: &str, contact: &str) -> (Uuid, Fields) {
        let fields = json!({ "name": name, "sector": sector, "contact_person": contact })
            .as_object()
            .cloned()
            .unwrap_or_default();
        (Uuid::new_v4(), fields)
    }

    #[test]
    fn search_looks_at_name_contact_and_role_and_sectors_are_counted() {
        let list = vec![
            partner("Urząd Gminy Zalesie", "local_government", "Jan Wójt"),
            partner("Szkoła Podstawowa", "school", "Anna Nowak"),
            partner("Szkoła Muzyczna", "school", ""),
        ];
        assert!(matches(&list[0].1, "wójt"));
        assert!(matches(&list[1].1, " szkoła "));
        assert!(!matches(&list[0].1, "szkoła"));
        assert_eq!(
            by_sector(&list),
            vec![("local_government", 1), ("school", 2)]
        );
    }
}
