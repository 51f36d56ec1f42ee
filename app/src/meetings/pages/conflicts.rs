//! Two versions of a field to settle: keep one, take the other, or merge.

use super::*;
use crate::meetings::{
    model::ENTITY,
    view::{field_label, is_text, readable},
};
use crate::{
    clock::now_instant,
    i18n::{t, t_string, use_i18n},
    sync::{
        Op,
        conflict::{self, Conflict},
    },
};
use leptos::{html, prelude::*};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Values set aside by merges for this meeting, each to be settled by a person.
#[component]
pub(super) fn Conflicts(editor: Editor) -> impl IntoView {
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
pub(super) fn ConflictCard(editor: Editor, id: Uuid, conflict: Conflict) -> impl IntoView {
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
