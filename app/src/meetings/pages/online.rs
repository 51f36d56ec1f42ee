//! A meeting this device does not hold, read from the server (a
//! coordinator opening a library's meeting from its page). Read-only;
//! offline it says where the meeting is.

use crate::meetings::{
    online::{ServerMeeting, meeting_from_server},
    view::{kind_label, status_label, task_status_label},
};
use crate::{
    errors::AppError,
    format,
    i18n::{t, t_string, use_i18n},
    sync::engine::use_sync,
    ui::{ErrorNotice, once_live},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use uuid::Uuid;

#[component]
pub fn MeetingFromServer(id: Uuid) -> impl IntoView {
    once_live(move || view! { <Loader id /> })
}

#[component]
fn Loader(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = LocalResource::new(move || meeting_from_server(id));
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, list.loading)}</p> }>
            {move || loaded.get().map(|result| match result {
                Ok(found) => view! { <ServerMeetingView id found /> }.into_any(),
                Err(AppError::NotFound) => view! {
                    <Title text=move || t_string!(i18n, meetings.title).to_string() />
                    <div class="notice" role="status"><p>{t!(i18n, meetings.not_found)}</p></div>
                }.into_any(),
                Err(AppError::Transport { .. }) => view! {
                    <Title text=move || t_string!(i18n, meetings.title).to_string() />
                    <div class="notice" role="status"><p>{t!(i18n, meetings.server_only_offline)}</p></div>
                }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn ServerMeetingView(id: Uuid, found: ServerMeeting) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let ServerMeeting {
        meeting,
        partnership,
        sign_ins,
    } = found;
    let title = meeting.title.clone();
    let heading = partnership
        .as_ref()
        .map(|p| format!("{} — {} · {}", p.name, p.library_name, p.program_name));
    let when = match meeting.ends_at.as_str() {
        "" => format::when(&meeting.starts_at, locale),
        ends => format!(
            "{} – {}",
            format::when(&meeting.starts_at, locale),
            format::clock(ends)
        ),
    };
    let status = match meeting.status.as_str() {
        "" => "draft",
        other => other,
    };
    let facts = [
        (
            t_string!(i18n, meetings.kind).to_string(),
            kind_label(&meeting.kind, locale),
        ),
        (
            t_string!(i18n, meetings.status).to_string(),
            status_label(status, locale),
        ),
        (t_string!(i18n, meetings.starts_at).to_string(), when),
        (
            t_string!(i18n, meetings.place).to_string(),
            meeting.place.clone(),
        ),
        (
            t_string!(i18n, meetings.facilitator).to_string(),
            meeting.facilitator.clone(),
        ),
    ];
    let texts = [
        (
            t_string!(i18n, meetings.agenda).to_string(),
            meeting.agenda.clone(),
        ),
        (
            t_string!(i18n, meetings.minutes).to_string(),
            meeting.minutes.clone(),
        ),
        (
            t_string!(i18n, meetings.decisions).to_string(),
            meeting.decisions.clone(),
        ),
        (
            t_string!(i18n, meetings.next_meeting).to_string(),
            meeting.next_meeting.clone(),
        ),
    ];
    let signed = i32::try_from(sign_ins).unwrap_or(i32::MAX);
    let tasks = meeting.tasks.clone();
    let library = partnership.as_ref().map(|p| p.library_id);
    // A library this device holds whose records have not all come yet.
    let arriving = library.is_some_and(|library| {
        use_sync()
            .read(|store| {
                let holding = store.holding();
                Ok(holding
                    .held
                    .iter()
                    .flatten()
                    .chain(&holding.offline)
                    .chain(holding.fill.iter().flat_map(|fill| &fill.libraries))
                    .any(|held| *held == library))
            })
            .and_then(Result::ok)
            .unwrap_or(false)
    });
    view! {
        <Title text=title.clone() />
        <article class="meeting-read" data-testid="meeting-from-server">
            <header class="meeting-editor__head">
                <h1>{title}</h1>
                {heading.map(|h| view! { <p class="muted">{h}</p> })}
                <p>
                    <A href=format!("/spotkania/{id}/obecnosc") attr:class="button button--quiet">
                        {t!(i18n, attendance.open)} " (" {t_string!(i18n, meetings.signed_count, count = signed).to_string()} ")"
                    </A>
                </p>
            </header>
            <p class="notice" role="status">
                {if arriving {
                    t!(i18n, meetings.arriving).into_any()
                } else {
                    t!(i18n, meetings.from_server).into_any()
                }}
                {library.map(|l| view! { " " <A href=format!("/biblioteki/{l}")>{t!(i18n, meetings.to_library)}</A> })}
            </p>
            <dl class="facts">
                {facts.into_iter().filter(|(_, value)| !value.is_empty()).map(|(label, value)| view! {
                    <dt>{label}</dt><dd>{value}</dd>
                }).collect_view()}
            </dl>
            {texts.into_iter().filter(|(_, text)| !text.trim().is_empty()).map(|(label, text)| view! {
                <section class="meeting-read__text">
                    <h2>{label}</h2>
                    <p class="prewrap">{text}</p>
                </section>
            }).collect_view()}
            {(!tasks.is_empty()).then(|| view! {
                <section>
                    <h2>{t!(i18n, meetings.tasks)}</h2>
                    <ul class="meeting-read__tasks">
                        {tasks.into_iter().map(|task| {
                            let deadline = task.deadline.as_deref().and_then(|d| format::day(&format!("{d}T12:00:00Z"), locale));
                            view! {
                                <li>
                                    {task.title} " — " {task_status_label(&task.status, locale)}
                                    {(!task.owner.is_empty()).then(|| view! { " · " {task.owner.clone()} })}
                                    {deadline.map(|d| view! { " · " {d} })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </article>
    }
}
