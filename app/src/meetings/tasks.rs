//! Tasks agreed at meetings, across all meetings of the partnerships a person
//! works with: one list with owner, deadline and status, overdue ones
//! marked. Read from the device's store and changed there, so it works
//! offline; a status changed here is a change of its meeting's task list.

use super::{
    PARTNERSHIPS, PartnershipRef,
    model::{ENTITY, Meeting, TASK_STATUSES},
    view::task_status_label,
};
use crate::{
    clock::now_instant,
    format,
    i18n::{t, t_string, use_i18n},
    sync::{Op, engine::use_sync},
    ui::{PageButtons, from_store, page_of},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use serde_json::{Map, json};
use std::collections::HashMap;
use uuid::Uuid;

/// One task with the meeting it was agreed at.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLine {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub partnership_id: Option<Uuid>,
    pub title: String,
    pub owner: String,
    /// `YYYY-MM-DD`, or empty.
    pub deadline: String,
    pub status: String,
    pub overdue: bool,
}

/// Every task of the meetings, soonest deadline first (none last), done ones
/// at the end; a task not done whose deadline is before `today` is overdue.
pub fn task_lines(meetings: &[(Uuid, Meeting)], today: &str) -> Vec<TaskLine> {
    let mut lines: Vec<TaskLine> = meetings
        .iter()
        .flat_map(|(meeting_id, meeting)| {
            meeting.tasks.iter().map(move |task| {
                let deadline = task.deadline.clone().unwrap_or_default();
                let status = match task.status.as_str() {
                    "" => "open".to_owned(),
                    status => status.to_owned(),
                };
                TaskLine {
                    id: task.id,
                    meeting_id: *meeting_id,
                    meeting_title: meeting.title.clone(),
                    partnership_id: meeting.partnership_id,
                    title: task.title.clone(),
                    owner: task.owner.clone(),
                    overdue: status != "done" && !deadline.is_empty() && deadline.as_str() < today,
                    deadline,
                    status,
                }
            })
        })
        .collect();
    lines.sort_by(|a, b| {
        (a.status == "done")
            .cmp(&(b.status == "done"))
            .then(a.deadline.is_empty().cmp(&b.deadline.is_empty()))
            .then(a.deadline.cmp(&b.deadline))
            .then(a.title.cmp(&b.title))
    });
    lines
}

/// Tasks per page: a long list stays quick to read and to render.
const PAGE: usize = 25;

#[component]
pub fn TasksPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let show_done = RwSignal::new(false);
    let page = RwSignal::new(1usize);
    let data = Memo::new(move |_| {
        sync.read(|store| {
            let partnerships: Vec<PartnershipRef> =
                store.reference(PARTNERSHIPS)?.unwrap_or_default();
            Ok((
                task_lines(&store.list_as(ENTITY)?, &crate::clock::today()),
                partnerships,
            ))
        })
    });
    view! {
        <Title text=move || t_string!(i18n, tasks.title).to_string() />
        <h1>{t!(i18n, tasks.title)}</h1>
        <p class="lead">{t!(i18n, tasks.lead)}</p>
        <p class="check">
            <input type="checkbox" id="show-done" prop:checked=show_done
                on:change=move |ev| { show_done.set(event_target_checked(&ev)); page.set(1); } />
            <label for="show-done">{t!(i18n, tasks.show_done)}</label>
        </p>
        {move || from_store(data.get(), |(lines, partnerships)| {
            // Another page redraws the table.
            page.track();
            let shown: Vec<TaskLine> = lines
                .into_iter()
                .filter(|line| show_done.get() || line.status != "done")
                .collect();
            view! { <TaskTable lines=shown partnerships page /> }.into_any()
        })}
    }
}

#[component]
fn TaskTable(
    lines: Vec<TaskLine>,
    partnerships: Vec<PartnershipRef>,
    page: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let locale = i18n.get_locale_untracked();
    if lines.is_empty() {
        return view! { <p class="muted">{t!(i18n, tasks.none)}</p> }.into_any();
    }
    let names: HashMap<Uuid, (String, bool)> = partnerships
        .into_iter()
        .map(|p| (p.id, (p.name, p.editable)))
        .collect();
    let overdue = i32::try_from(lines.iter().filter(|l| l.overdue).count()).unwrap_or(i32::MAX);
    let total = lines.len();
    let lines = page_of(&lines, page.get_untracked(), PAGE);
    // A status is changed in its meeting's task list, which is then saved whole.
    let set_status = move |meeting: Uuid, task: Uuid, status: String| {
        let _ = sync.write(|store| {
            let Some(mut stored) = store.view_as::<Meeting>(ENTITY, meeting)? else {
                return Ok(());
            };
            for item in stored.tasks.iter_mut().filter(|item| item.id == task) {
                item.status = status.clone();
            }
            let mut data = Map::new();
            data.insert("tasks".into(), json!(stored.tasks));
            store.save(ENTITY, meeting, Op::Upsert, data, now_instant())?;
            Ok(())
        });
    };
    let rows = lines
        .into_iter()
        .map(|line| {
            let (partnership, editable) = line
                .partnership_id
                .and_then(|p| names.get(&p).cloned())
                .unwrap_or_default();
            let select_id = format!("task-status-{}", line.id);
            let (meeting, task) = (line.meeting_id, line.id);
            let current = line.status.clone();
            let deadline = if line.deadline.is_empty() {
                String::new()
            } else {
                format::day(&format!("{}T12:00:00Z", line.deadline), locale).unwrap_or_default()
            };
            view! {
                <tr class:task--overdue=line.overdue>
                    <td>{line.title.clone()}</td>
                    <td>{line.owner.clone()}</td>
                    <td>
                        {deadline}
                        {line.overdue.then(|| view! { " " <span class="badge badge--wait">{t!(i18n, tasks.overdue)}</span> })}
                    </td>
                    <td>
                        <label class="visually-hidden" for=select_id.clone()>
                            {t_string!(i18n, tasks.status_of, task = line.title.clone()).to_string()}
                        </label>
                        <select id=select_id disabled=!editable
                            on:change=move |ev| set_status(meeting, task, event_target_value(&ev))>
                            {TASK_STATUSES.into_iter().map(|s| view! {
                                <option value=s selected=current == s>{task_status_label(s, locale)}</option>
                            }).collect_view()}
                        </select>
                    </td>
                    <td>
                        <A href=format!("/spotkania/{}", line.meeting_id)>{line.meeting_title.clone()}</A>
                        <br /><span class="muted">{partnership}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {(overdue > 0).then(|| view! {
            <p class="notice" role="status">{t_string!(i18n, tasks.overdue_count, count = overdue).to_string()}</p>
        })}
        <div class="table-wrap">
            <table class="table task-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, meetings.task_title)}</th>
                        <th scope="col">{t!(i18n, meetings.task_owner)}</th>
                        <th scope="col">{t!(i18n, meetings.task_deadline)}</th>
                        <th scope="col">{t!(i18n, meetings.task_status)}</th>
                        <th scope="col">{t!(i18n, tasks.meeting)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <PageButtons page total size=PAGE />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_from_every_meeting_soonest_first_overdue_marked_done_last() {
        let meeting = |title: &str, tasks: serde_json::Value| {
            let stored = json!({"title": title, "partnership_id": "5a1e0000-0000-4000-8000-000000000301", "tasks": tasks});
            (
                Uuid::new_v4(),
                serde_json::from_value(stored).expect("a meeting"),
            )
        };
        let meetings = vec![
            meeting(
                "Pierwsze",
                json!([
                    {"id": "5a1e0000-0000-4000-8000-000000000701", "title": "Plakat", "owner": "Ola", "deadline": "2026-11-30", "status": "open"},
                    {"id": "5a1e0000-0000-4000-8000-000000000702", "title": "Ankieta", "owner": "", "deadline": null, "status": "in_progress"},
                ]),
            ),
            meeting(
                "Drugie",
                json!([
                    {"id": "5a1e0000-0000-4000-8000-000000000703", "title": "Wniosek", "owner": "Jan", "deadline": "2026-11-01", "status": "open"},
                    {"id": "5a1e0000-0000-4000-8000-000000000704", "title": "Sala", "owner": "Jan", "deadline": "2026-10-01", "status": "done"},
                ]),
            ),
        ];
        let lines = task_lines(&meetings, "2026-11-22");
        let titles: Vec<&str> = lines.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, ["Wniosek", "Plakat", "Ankieta", "Sala"]);
        let overdue: Vec<bool> = lines.iter().map(|l| l.overdue).collect();
        assert_eq!(overdue, [true, false, false, false]);
        assert_eq!(lines[0].meeting_title, "Drugie");
    }
}
