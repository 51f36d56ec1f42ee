//! Two versions of a field to settle, on the page of any synced record:
//! keep the saved one, take the other, or (for long text) write the merged
//! one. The words come from the record's entity rules.

use super::{
    Op,
    conflict::{self, Conflict},
    engine::use_sync,
    rules::{EntityRules, Kind},
};
use crate::{
    clock::now_instant,
    i18n::{Locale, t, t_string, use_i18n},
};
use leptos::{html, prelude::*};
use serde_json::{Map, Value};
use uuid::Uuid;

fn is_text(rules: &dyn EntityRules, field: &str) -> bool {
    matches!(rules.kind(), Kind::Merged { text_fields, .. } if text_fields.contains(&field))
}

/// The conflicts of one record, each to be settled by a person. `current`
/// gives a field's value as the page shows it (a form may hold more than
/// the store); by default the store's.
#[component]
pub fn RecordConflicts(
    entity: &'static str,
    record_id: Uuid,
    #[prop(optional, into)] current: Option<Callback<String, Value>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let conflicts = Memo::new(move |_| {
        sync.read(|store| store.list_as::<Conflict>(conflict::ENTITY))
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, c)| c.entity == entity && c.record_id == record_id)
            .collect::<Vec<_>>()
    });
    let current = current.unwrap_or_else(|| {
        Callback::new(move |field: String| {
            sync.read(|store| store.view(entity, record_id))
                .and_then(Result::ok)
                .flatten()
                .and_then(|data| data.get(&field).cloned())
                .unwrap_or(Value::Null)
        })
    });
    view! {
        <Show when=move || !conflicts.with(Vec::is_empty)>
            <section class="panel conflicts" aria-labelledby=format!("conflicts-{record_id}")>
                <h2 id=format!("conflicts-{record_id}")>{t!(i18n, conflicts.title)}</h2>
                <p>{t!(i18n, conflicts.lead)}</p>
                <For each=move || conflicts.get() key=|(id, _)| *id let:item>
                    <ConflictCard entity record_id id=item.0 conflict=item.1 current />
                </For>
            </section>
        </Show>
    }
}

#[component]
fn ConflictCard(
    entity: &'static str,
    record_id: Uuid,
    id: Uuid,
    conflict: Conflict,
    current: Callback<String, Value>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let sync = use_sync();
    let Some(rules) = sync.entities().get(entity) else {
        return ().into_any();
    };
    let field = conflict.field.clone();
    let saved = current.run(field.clone());
    let merged = NodeRef::<html::Textarea>::new();
    let settle = move |value: Option<Value>| {
        let field = conflict.field.clone();
        let _ = sync.write(|store| {
            if let Some(value) = value {
                let mut data = Map::new();
                data.insert(field, value);
                store.save(entity, record_id, Op::Upsert, data, now_instant())?;
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
    let shown = |value: &Value, locale: Locale| {
        let text = rules.readable(&field, value, locale);
        if text.is_empty() {
            t_string!(i18n, conflicts.empty).to_string()
        } else {
            text
        }
    };
    let label = rules.field_label(&field, locale);
    let merge_id = format!("merge-{id}");
    let mergeable = is_text(rules, &field).then(|| {
        let start = saved.as_str().unwrap_or_default().to_owned();
        view! {
            <p class="field">
                <label for=merge_id.clone()>{t!(i18n, conflicts.merge)}</label>
                <textarea id=merge_id rows="8" node_ref=merged prop:value=start></textarea>
            </p>
            <p><button type="button" class="button" on:click=save_merged>{t!(i18n, conflicts.save_merged)}</button></p>
        }
    });
    view! {
        <div class="conflict" role="group" aria-label=label.clone()>
            <h3>{label.clone()}</h3>
            <div class="conflict__sides">
                <div>
                    <h4>{t!(i18n, conflicts.current)}</h4>
                    <pre class="conflict__text">{shown(&saved, locale)}</pre>
                    <button type="button" class="button button--quiet" on:click=keep>{t!(i18n, conflicts.keep_current)}</button>
                </div>
                <div>
                    <h4>{t!(i18n, conflicts.other)}</h4>
                    <pre class="conflict__text">{shown(&conflict.other, locale)}</pre>
                    <button type="button" class="button button--quiet" on:click=take_other>{t!(i18n, conflicts.take_other)}</button>
                </div>
            </div>
            {mergeable}
        </div>
    }
    .into_any()
}
