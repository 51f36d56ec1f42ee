//! A meeting's tasks, edited in place.

use super::*;
use crate::i18n::{t, use_i18n};
use crate::meetings::{model::TASK_STATUSES, view::task_status_label};
use leptos::{html, prelude::*};
use serde_json::{Map, Value, json};
use uuid::Uuid;

pub(super) fn tasks_of(editor: &Editor) -> Vec<Map<String, Value>> {
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
pub(super) fn edit_task(editor: Editor, task: Uuid, key: &str, value: Value) {
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
pub(super) fn Tasks(editor: Editor) -> impl IntoView {
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
pub(super) fn TaskRow(editor: Editor, task: Uuid) -> impl IntoView {
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
