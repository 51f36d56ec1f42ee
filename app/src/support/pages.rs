//! `/godziny`: support hours on the device — how many of each library's
//! budgeted hours are used (meetings with a facilitator count by
//! themselves), a form to log a consultation, and the consultations logged.
//! Works offline; the library page shows the server's count once synced.

use super::{
    HoursRow, LIBRARIES, LibraryRef,
    model::{
        Budget, ConsultationTime, ENTITY, MODES, MeetingTime, budget_state, check_field,
        meeting_minutes, minutes_from_hours, tenths_of_hour, used_minutes,
    },
};
use crate::{
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{Locale, t, t_string, td_string, use_i18n},
    meetings::{PARTNERSHIPS, PartnershipRef, model as meeting},
    sync::{Op, engine::use_sync, local::Fields},
    ui::{PageButtons, confirm, focus, from_store, page_of, problem_text},
};
use leptos::prelude::*;
use leptos_meta::Title;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

const PAGE: usize = 20;

use crate::sync::local::text;

fn uuid(fields: &Fields, field: &str) -> Option<Uuid> {
    Uuid::parse_str(&text(fields, field)).ok()
}

pub fn mode_label(mode: &str, locale: Locale) -> String {
    match mode {
        "on_site" => td_string!(locale, hours.mode_on_site),
        _ => td_string!(locale, hours.mode_remote),
    }
    .to_string()
}

/// Hours used per library and program from what the device holds, in the
/// libraries' order: the same counting as the server's.
pub fn rows_on_device(
    libraries: &[LibraryRef],
    partnerships: &[PartnershipRef],
    meetings: &[(Uuid, Fields)],
    consultations: &[(Uuid, Fields)],
) -> Vec<HoursRow> {
    let program_of: HashMap<Uuid, (Uuid, Uuid)> = partnerships
        .iter()
        .map(|p| (p.id, (p.library_id, p.program_id)))
        .collect();
    let meetings: Vec<MeetingTime> = meetings
        .iter()
        .filter_map(|(id, m)| {
            let (library_id, program_id) = *program_of.get(&uuid(m, "partnership_id")?)?;
            Some(MeetingTime {
                id: *id,
                library_id,
                program_id,
                minutes: meeting_minutes(m),
            })
        })
        .collect();
    let consultations: Vec<ConsultationTime> = consultations
        .iter()
        .filter_map(|(_, c)| {
            Some(ConsultationTime {
                library_id: uuid(c, "library_id")?,
                program_id: uuid(c, "program_id")?,
                minutes: c.get("minutes").and_then(Value::as_u64)?,
                meeting_id: uuid(c, "meeting_id"),
            })
        })
        .collect();
    let used = used_minutes(&meetings, &consultations);
    libraries
        .iter()
        .flat_map(|library| {
            library.programs.iter().map(|program| HoursRow {
                library_id: library.id,
                library_name: library.name.clone(),
                program_id: program.id,
                program_name: program.name.clone(),
                used_minutes: used.get(&(library.id, program.id)).copied().unwrap_or(0),
                budget_tenths: program.budget_tenths,
            })
        })
        .collect()
}

/// "18 z 24 godzin" with a bar and a warning near or over the budget.
#[component]
pub fn HoursMeter(row: HoursRow, #[prop(optional)] show_library: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let used = tenths_of_hour(row.used_minutes);
    let state = budget_state(row.used_minutes, row.budget_tenths);
    let sentence = t_string!(
        i18n,
        hours.used_of,
        used = format::tenths(used, locale),
        budget = format::hours(row.budget_tenths, locale)
    )
    .to_string();
    let warning = match state {
        Budget::Within => None,
        Budget::Near => Some(t_string!(i18n, hours.near_limit).to_string()),
        Budget::Over => Some(t_string!(i18n, hours.over_limit).to_string()),
    };
    let class = match state {
        Budget::Within => "hours",
        Budget::Near => "hours hours--near",
        Budget::Over => "hours hours--over",
    };
    let heading = if show_library {
        format!("{} — {}", row.library_name, row.program_name)
    } else {
        row.program_name.clone()
    };
    let max = row.budget_tenths.max(1);
    view! {
        <div class=class>
            <p class="hours__title">{heading}</p>
            <p class="hours__sentence">{sentence}</p>
            <meter class="hours__meter" min="0" max=max.to_string() low=(max * 4 / 5).to_string()
                high=max.to_string() optimum="0" value=used.min(max).to_string()
                aria-label=t_string!(i18n, hours.meter_label).to_string()></meter>
            {warning.map(|w| view! { <p class="hours__warning" role="status">{w}</p> })}
        </div>
    }
}

#[derive(Debug, Clone, PartialEq)]
struct HoursData {
    rows: Vec<HoursRow>,
    libraries: Vec<LibraryRef>,
    /// Newest first.
    consultations: Vec<(Uuid, Fields)>,
    /// Meetings per library (id, title, start), for linking a consultation.
    meetings: Vec<(Uuid, Uuid, String, String)>,
    me: Option<Uuid>,
}

#[component]
pub fn HoursPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // Kept here: the page redraws after a save, the confirmation stays.
    let saved = RwSignal::new(None::<bool>);
    let data = Memo::new(move |_| {
        let me = sync.user();
        sync.read(|store| {
            let libraries: Vec<LibraryRef> = store.reference(LIBRARIES)?.unwrap_or_default();
            let partnerships: Vec<PartnershipRef> =
                store.reference(PARTNERSHIPS)?.unwrap_or_default();
            let meetings = store.list(meeting::ENTITY)?;
            let mut consultations = store.list(ENTITY)?;
            consultations.sort_by_cached_key(|(_, c)| std::cmp::Reverse(text(c, "date")));
            let library_of: HashMap<Uuid, Uuid> =
                partnerships.iter().map(|p| (p.id, p.library_id)).collect();
            let mut linkable: Vec<(Uuid, Uuid, String, String)> = meetings
                .iter()
                .filter_map(|(id, m)| {
                    let library = *library_of.get(&uuid(m, "partnership_id")?)?;
                    Some((*id, library, text(m, "title"), text(m, "starts_at")))
                })
                .collect();
            linkable.sort_by(|a, b| b.3.cmp(&a.3));
            Ok(HoursData {
                rows: rows_on_device(&libraries, &partnerships, &meetings, &consultations),
                libraries,
                consultations,
                meetings: linkable,
                me,
            })
        })
    });
    view! {
        <Title text=move || t_string!(i18n, hours.title).to_string() />
        <h1>{t!(i18n, hours.title)}</h1>
        <p class="lead">{t!(i18n, hours.lead)}</p>
        {move || from_store(data.get(), |data| view! { <HoursView data saved /> }.into_any())}
    }
}

#[component]
fn HoursView(data: HoursData, saved: RwSignal<Option<bool>>) -> impl IntoView {
    let i18n = use_i18n();
    let several = data.rows.len() > 1;
    view! {
        <section class="panel" aria-labelledby="hours-used">
            <h2 id="hours-used">{t!(i18n, hours.used_heading)}</h2>
            {if data.rows.is_empty() {
                view! { <p class="muted">{t!(i18n, hours.no_programs)}</p> }.into_any()
            } else {
                data.rows.iter().cloned().map(|row| view! { <HoursMeter row show_library=several /> }).collect_view().into_any()
            }}
            <p class="muted">{t!(i18n, hours.counting_rule)}</p>
        </section>
        <NewConsultation libraries=data.libraries.clone() meetings=data.meetings.clone() me=data.me saved />
        <ConsultationList data />
    }
}

#[component]
fn NewConsultation(
    libraries: Vec<LibraryRef>,
    meetings: Vec<(Uuid, Uuid, String, String)>,
    me: Option<Uuid>,
    saved: RwSignal<Option<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    // Where this person may log hours, and for which tutors: the library's
    // people and coordinators for any of its tutors, a tutor for herself.
    let libraries: Vec<LibraryRef> = libraries
        .into_iter()
        .filter(|l| l.logs_hours)
        .map(|mut l| {
            if !l.editable {
                for program in &mut l.programs {
                    program.tutors.retain(|t| Some(t.id) == me);
                }
            }
            l.programs.retain(|p| !p.tutors.is_empty());
            l
        })
        .filter(|l| !l.programs.is_empty())
        .collect();
    if libraries.is_empty() {
        return ().into_any();
    }
    let libraries = StoredValue::new(libraries);
    let meetings = StoredValue::new(meetings);
    let first = libraries.with_value(|l| l[0].id);
    let library = RwSignal::new(first);
    let program = RwSignal::new(libraries.with_value(|l| l[0].programs[0].id));
    let tutor = RwSignal::new(libraries.with_value(|l| l[0].programs[0].tutors[0].id));
    let date = RwSignal::new(crate::clock::today());
    let duration = RwSignal::new(String::new());
    let mode = RwSignal::new("on_site".to_owned());
    let topic = RwSignal::new(String::new());
    let linked = RwSignal::new(String::new());
    let problems = RwSignal::new(BTreeMap::<&'static str, Problem>::new());
    let programs = move || {
        libraries.with_value(|all| {
            all.iter()
                .find(|l| l.id == library.get())
                .map(|l| l.programs.clone())
                .unwrap_or_default()
        })
    };
    let tutors = move || {
        programs()
            .into_iter()
            .find(|p| p.id == program.get())
            .map(|p| p.tutors)
            .unwrap_or_default()
    };
    // A new library or program brings its own first program and tutor.
    Effect::new(move |_| {
        let list = programs();
        if !list.iter().any(|q| q.id == program.get_untracked())
            && let Some(p) = list.first()
        {
            program.set(p.id);
        }
    });
    Effect::new(move |_| {
        let list = tutors();
        if !list.iter().any(|t| t.id == tutor.get_untracked())
            && let Some(t) = list.first()
        {
            tutor.set(t.id);
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let minutes = minutes_from_hours(&duration.get_untracked());
        let tutor_name = tutors()
            .into_iter()
            .find(|t| t.id == tutor.get_untracked())
            .map(|t| t.name)
            .unwrap_or_default();
        let mut data = Map::new();
        data.insert(
            "library_id".into(),
            json!(library.get_untracked().to_string()),
        );
        data.insert(
            "program_id".into(),
            json!(program.get_untracked().to_string()),
        );
        data.insert("tutor_id".into(), json!(tutor.get_untracked().to_string()));
        data.insert("tutor_name".into(), json!(tutor_name));
        data.insert("date".into(), json!(date.get_untracked()));
        data.insert("mode".into(), json!(mode.get_untracked()));
        data.insert("topic".into(), json!(topic.get_untracked()));
        data.insert("meeting_id".into(), json!(linked.get_untracked()));
        let mut found = BTreeMap::new();
        let mut checked = Map::new();
        for (field, value) in data {
            match check_field(&field, &value) {
                Ok(value) => {
                    checked.insert(field, value);
                }
                Err(problem) => {
                    let field = ["date", "topic"]
                        .into_iter()
                        .find(|f| *f == field)
                        .unwrap_or("topic");
                    found.insert(field, problem);
                }
            }
        }
        match minutes.map(|m| check_field("minutes", &json!(m))) {
            Some(Ok(value)) => {
                checked.insert("minutes".into(), value);
            }
            Some(Err(problem)) => {
                found.insert("minutes", problem);
            }
            None => {
                found.insert("minutes", Problem::NotAllowedChoice);
            }
        }
        let first = found.keys().next().copied();
        problems.set(found);
        if let Some(field) = first {
            focus(&format!("consultation-{field}"));
            return;
        }
        let id = Uuid::new_v4();
        let result = sync.write(|store| store.save(ENTITY, id, Op::Upsert, checked, now_instant()));
        saved.set(Some(result.is_ok()));
        if result.is_ok() {
            duration.set(String::new());
            topic.set(String::new());
            linked.set(String::new());
        }
    };
    let error = move |field: &'static str| {
        move || {
            problems.with(|p| p.get(field).copied()).map(|problem| {
                let text = match (field, problem) {
                    ("minutes", Problem::NotAllowedChoice) => t_string!(i18n, hours.duration_invalid).to_string(),
                    _ => problem_text(problem),
                };
                view! { <span class="field__error" id=format!("consultation-{field}-error")>{text}</span> }
            })
        }
    };
    let invalid =
        move |field: &'static str| move || problems.with(|p| p.contains_key(field)).to_string();
    view! {
        <section class="panel" aria-labelledby="new-consultation">
            <h2 id="new-consultation">{t!(i18n, hours.add)}</h2>
            <form class="form" on:submit=save novalidate>
                <div class="form-grid">
                    <p class="field">
                        <label for="consultation-library">{t!(i18n, hours.library)}</label>
                        <select id="consultation-library" on:change=move |ev| {
                            if let Ok(id) = Uuid::parse_str(&event_target_value(&ev)) { library.set(id); }
                        }>
                            {libraries.with_value(|all| all.iter().map(|l| view! {
                                <option value=l.id.to_string()>{l.name.clone()}</option>
                            }).collect_view())}
                        </select>
                    </p>
                    <p class="field">
                        <label for="consultation-program">{t!(i18n, hours.program)}</label>
                        <select id="consultation-program" on:change=move |ev| {
                            if let Ok(id) = Uuid::parse_str(&event_target_value(&ev)) { program.set(id); }
                        }>
                            {move || programs().into_iter().map(|p| {
                                let id = p.id;
                                view! { <option value=id.to_string() selected=move || program.get() == id>{p.name}</option> }
                            }).collect_view()}
                        </select>
                    </p>
                    <p class="field">
                        <label for="consultation-tutor">{t!(i18n, hours.tutor)}</label>
                        <select id="consultation-tutor" on:change=move |ev| {
                            if let Ok(id) = Uuid::parse_str(&event_target_value(&ev)) { tutor.set(id); }
                        }>
                            {move || tutors().into_iter().map(|t| {
                                let id = t.id;
                                view! { <option value=id.to_string() selected=move || tutor.get() == id>{t.name}</option> }
                            }).collect_view()}
                        </select>
                    </p>
                    <p class="field">
                        <label for="consultation-date">{t!(i18n, hours.date)}</label>
                        <input id="consultation-date" type="date" required aria-describedby="consultation-date-error"
                            aria-invalid=invalid("date") prop:value=date on:input=move |ev| date.set(event_target_value(&ev)) />
                        {error("date")}
                    </p>
                    <p class="field">
                        <label for="consultation-minutes">{t!(i18n, hours.duration)}</label>
                        <input id="consultation-minutes" type="text" inputmode="decimal" required
                            aria-describedby="consultation-minutes-hint consultation-minutes-error"
                            aria-invalid=invalid("minutes") prop:value=duration on:input=move |ev| duration.set(event_target_value(&ev)) />
                        <span class="field__hint" id="consultation-minutes-hint">{t!(i18n, hours.duration_hint)}</span>
                        {error("minutes")}
                    </p>
                    <fieldset class="field">
                        <legend>{t!(i18n, hours.mode)}</legend>
                        {MODES.into_iter().map(|m| view! {
                            <label class="choice">
                                <input type="radio" name="consultation-mode" value=m prop:checked=move || mode.get() == m
                                    on:change=move |_| mode.set(m.to_owned()) />
                                {mode_label(m, locale)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                </div>
                <p class="field">
                    <label for="consultation-topic">{t!(i18n, hours.topic)}</label>
                    <input id="consultation-topic" type="text" required aria-describedby="consultation-topic-error"
                        aria-invalid=invalid("topic") prop:value=topic on:input=move |ev| topic.set(event_target_value(&ev)) />
                    {error("topic")}
                </p>
                <p class="field">
                    <label for="consultation-meeting">{t!(i18n, hours.meeting)}</label>
                    <select id="consultation-meeting" aria-describedby="consultation-meeting-hint"
                        on:change=move |ev| linked.set(event_target_value(&ev))>
                        <option value="" selected=move || linked.get().is_empty()>{t!(i18n, hours.no_meeting)}</option>
                        {move || meetings.with_value(|all| all.iter().filter(|m| m.1 == library.get()).map(|m| {
                            let id = m.0.to_string();
                            let label = format!("{} — {}", m.2, format::day(&m.3, locale).unwrap_or_default());
                            view! { <option value=id>{label}</option> }
                        }).collect_view())}
                    </select>
                    <span class="field__hint" id="consultation-meeting-hint">{t!(i18n, hours.meeting_hint)}</span>
                </p>
                <p><button type="submit" class="button">{t!(i18n, hours.save)}</button></p>
                <p role="status" class="muted">
                    {move || saved.get().map(|ok| if ok {
                        t_string!(i18n, hours.saved).to_string()
                    } else {
                        t_string!(i18n, meetings.not_saved).to_string()
                    })}
                </p>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn ConsultationList(data: HoursData) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    let page = RwSignal::new(1usize);
    let names: HashMap<Uuid, String> = data
        .libraries
        .iter()
        .map(|l| (l.id, l.name.clone()))
        .collect();
    let editable: Vec<Uuid> = data
        .libraries
        .iter()
        .filter(|l| l.editable)
        .map(|l| l.id)
        .collect();
    let total = data.consultations.len();
    let all = StoredValue::new(data.consultations);
    let me = data.me;
    let remove = move |id: Uuid| {
        if confirm(t_string!(i18n, hours.delete_confirm)) {
            let _ =
                sync.write(|store| store.save(ENTITY, id, Op::Delete, Map::new(), now_instant()));
        }
    };
    view! {
        <section class="panel" aria-labelledby="consultations">
            <h2 id="consultations">{t!(i18n, hours.logged)}</h2>
            {move || {
                if total == 0 {
                    return view! { <p class="muted">{t!(i18n, hours.none)}</p> }.into_any();
                }
                let rows = all.with_value(|list| page_of(list, page.get(), PAGE));
                view! {
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, hours.date)}</th>
                            <th scope="col">{t!(i18n, hours.library)}</th>
                            <th scope="col">{t!(i18n, hours.topic)}</th>
                            <th scope="col">{t!(i18n, hours.tutor)}</th>
                            <th scope="col">{t!(i18n, hours.duration_short)}</th>
                            <th scope="col">{t!(i18n, hours.mode)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, hours.actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(id, c)| {
                                let library = uuid(&c, "library_id");
                                let may_remove = library.is_some_and(|l| editable.contains(&l)) || uuid(&c, "tutor_id") == me && me.is_some();
                                let minutes = c.get("minutes").and_then(Value::as_u64).unwrap_or(0);
                                let day = format::day(&format!("{}T12:00:00Z", text(&c, "date")), locale).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td data-label=t_string!(i18n, hours.date).to_string()>{day}</td>
                                        <td data-label=t_string!(i18n, hours.library).to_string()>{library.and_then(|l| names.get(&l).cloned()).unwrap_or_default()}</td>
                                        <td data-label=t_string!(i18n, hours.topic).to_string()>{text(&c, "topic")}</td>
                                        <td data-label=t_string!(i18n, hours.tutor).to_string()>{text(&c, "tutor_name")}</td>
                                        <td data-label=t_string!(i18n, hours.duration_short).to_string()>{format::hours(tenths_of_hour(minutes), locale)}</td>
                                        <td data-label=t_string!(i18n, hours.mode).to_string()>{mode_label(&text(&c, "mode"), locale)}</td>
                                        <td class="table__actions">
                                            {may_remove.then(|| view! {
                                                <button type="button" class="button button--quiet" on:click=move |_| remove(id)>
                                                    {t!(i18n, hours.delete)}
                                                </button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <PageButtons page total size=PAGE />
                }
                .into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::ProgramRef;

    fn fields(value: Value) -> Fields {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_device_counts_each_library_and_program_from_its_own_records() {
        let (zalesie, rudka, prb, blisko) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let program = |id, budget_tenths| ProgramRef {
            id,
            name: String::new(),
            budget_tenths,
            tutors: Vec::new(),
        };
        let library = |id, programs| LibraryRef {
            id,
            name: String::new(),
            editable: true,
            logs_hours: true,
            programs,
        };
        let libraries = [
            library(zalesie, vec![program(prb, 240), program(blisko, 100)]),
            library(rudka, vec![program(prb, 240)]),
        ];
        let partnership = Uuid::from_u128(10);
        let partnerships = [PartnershipRef {
            id: partnership,
            name: String::new(),
            library_id: zalesie,
            library_name: String::new(),
            program_name: String::new(),
            program_id: prb,
            editable: true,
            funding_line: None,
            clause: None,
        }];
        let meeting = |partnership: Uuid, status: &str| {
            fields(json!({
                "partnership_id": partnership, "status": status, "facilitator": "Anna",
                "starts_at": "2026-03-02T10:00:00Z", "ends_at": "2026-03-02T12:00:00Z",
            }))
        };
        let (logged, held, draft, elsewhere) = (
            Uuid::from_u128(20),
            Uuid::from_u128(21),
            Uuid::from_u128(22),
            Uuid::from_u128(23),
        );
        let meetings = [
            (logged, meeting(partnership, "held")),
            (held, meeting(partnership, "approved")),
            (draft, meeting(partnership, "draft")),
            // A partnership the device does not know: no library to count for.
            (elsewhere, meeting(Uuid::from_u128(11), "held")),
        ];
        let consultation = |library: Uuid, program: Uuid, minutes: u64, meeting: Option<Uuid>| {
            fields(json!({
                "library_id": library, "program_id": program, "minutes": minutes,
                "meeting_id": meeting,
            }))
        };
        let consultations = [
            (
                Uuid::from_u128(30),
                consultation(zalesie, prb, 90, Some(logged)),
            ),
            (Uuid::from_u128(31), consultation(zalesie, blisko, 45, None)),
            (Uuid::from_u128(32), consultation(rudka, prb, 60, None)),
        ];
        let rows = rows_on_device(&libraries, &partnerships, &meetings, &consultations);
        let used: Vec<(Uuid, Uuid, u64, u32)> = rows
            .iter()
            .map(|r| (r.library_id, r.program_id, r.used_minutes, r.budget_tenths))
            .collect();
        assert_eq!(
            used,
            [
                // 90 logged for the first meeting (not its 120), 120 for the second.
                (zalesie, prb, 90 + 120, 240),
                (zalesie, blisko, 45, 100),
                (rudka, prb, 60, 240),
            ]
        );
    }
}
