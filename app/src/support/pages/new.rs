//! Logging a consultation, offline.

use super::*;
use crate::support::{
    MyLibrary,
    model::{ENTITY, MODES, check_field, minutes_from_hours},
};
use crate::{
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{Op, engine::use_sync},
    ui::{focus, problem_text},
};
use serde_json::{Map, json};
use std::collections::BTreeMap;
use uuid::Uuid;

#[component]
pub(super) fn NewConsultation(
    libraries: Vec<MyLibrary>,
    meetings: Vec<(Uuid, Uuid, String, String)>,
    me: Option<Uuid>,
    saved: RwSignal<Option<bool>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    // Where this person may log hours, and for which tutors: the library's
    // people and coordinators for any of its tutors, a tutor for herself.
    let libraries: Vec<MyLibrary> = libraries
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
