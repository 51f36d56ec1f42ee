//! The sync state in the header — saved on this device, N waiting, all sent
//! at HH:MM, or needs attention — and the panel behind it: what waits, what
//! the server refused and why, "send now", and the rescue file.

use super::{
    Mutation, Op, RefusalCode, Rejection,
    engine::{DeviceStore, SyncEngine, Trouble, use_sync},
    local::{Refused, Rescue},
};
use crate::{
    format,
    i18n::{t, t_string, use_i18n},
    ui::{confirm, problem_text},
};
use leptos::{html, prelude::*};
use serde_json::Value;

#[component]
pub fn SyncStatusButton() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let open = RwSignal::new(false);
    let label = move || {
        let status = sync.status.get();
        let summary = status.summary?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let text = if let Some(trouble) = status.trouble.filter(|t| t.needs_attention()) {
            trouble_headline(trouble)
        } else if summary.needs_attention > 0 {
            let n = count(summary.needs_attention);
            t_string!(i18n, sync.attention, count = n).to_string()
        } else if summary.waiting > 0 {
            let n = count(summary.waiting);
            t_string!(i18n, sync.waiting, count = n).to_string()
        } else if status.sending {
            t_string!(i18n, sync.sending).to_string()
        } else if let Some(at) = &summary.last_sent_at {
            t_string!(i18n, sync.all_sent, time = format::clock(at)).to_string()
        } else {
            t_string!(i18n, sync.saved_here).to_string()
        };
        let alert =
            summary.needs_attention > 0 || status.trouble.is_some_and(|t| t != Trouble::Offline);
        Some((text, alert))
    };
    view! {
        {move || label().map(|(text, alert)| view! {
            <button type="button" class="button button--quiet sync-status"
                class:sync-status--alert=alert
                aria-expanded=move || open.get().to_string() aria-controls="sync-panel"
                on:click=move |_| open.update(|o| *o = !*o)>
                {text}
            </button>
        })}
        <Show when=move || open.get()>
            <Suspense>{move || Suspend::new(sync_panel(sync, open))}</Suspense>
        </Show>
    }
}

/// The panel is a chunk of its own: most pages are never asked for it.
#[lazy]
fn sync_panel(sync: SyncEngine, open: RwSignal<bool>) -> AnyView {
    view! { <SyncPanel sync close=move || open.set(false) /> }.into_any()
}

/// The header's words for trouble a person must act on: never "saved".
fn trouble_headline(trouble: Trouble) -> String {
    let i18n = use_i18n();
    match trouble {
        Trouble::NewerData => t_string!(i18n, sync.attention_newer),
        _ => t_string!(i18n, sync.attention_full),
    }
    .to_string()
}

fn trouble_text(trouble: Trouble) -> String {
    let i18n = use_i18n();
    match trouble {
        Trouble::ReplicaFull => t_string!(i18n, sync.trouble_replica_full),
        Trouble::Offline => t_string!(i18n, sync.trouble_offline),
        Trouble::Server => t_string!(i18n, sync.trouble_server),
        Trouble::SignedOut => t_string!(i18n, sync.trouble_signed_out),
        Trouble::StoreFull => t_string!(i18n, sync.trouble_full),
        Trouble::NewerData => t_string!(i18n, sync.trouble_newer),
    }
    .to_string()
}

/// Why a change was refused, naming the field in the entity's own words.
fn reason_text(sync: SyncEngine, entity: &str, error: &Rejection) -> String {
    let i18n = use_i18n();
    if let Some(problem) = error.problem {
        let field = error.field.as_deref().unwrap_or_default();
        let locale = i18n.get_locale_untracked();
        let label = sync
            .entities()
            .get(entity)
            .map(|rules| rules.field_label(field, locale))
            .unwrap_or_else(|| field.to_owned());
        return format!("{label}: {}", problem_text(problem));
    }
    match error.code {
        RefusalCode::Forbidden => t_string!(i18n, sync.reason_forbidden),
        RefusalCode::NotFound => t_string!(i18n, sync.reason_not_found),
        RefusalCode::Stale => t_string!(i18n, sync.reason_stale),
        RefusalCode::TooLarge => t_string!(i18n, sync.reason_too_large),
        RefusalCode::IdTaken => t_string!(i18n, sync.reason_id_taken),
        _ => t_string!(i18n, sync.reason_other),
    }
    .to_string()
}

/// The title a change is about: its own, or the record's as the device holds it.
fn title_of(sync: SyncEngine, store: &DeviceStore, mutation: &Mutation) -> String {
    let field = sync
        .entities()
        .get(&mutation.entity)
        .map_or("title", |rules| rules.title_field());
    if field.is_empty() {
        return String::new();
    }
    let title = |fields: &serde_json::Map<String, Value>| {
        fields.get(field).and_then(Value::as_str).map(str::to_owned)
    };
    title(&mutation.data)
        .or_else(|| {
            store
                .view(&mutation.entity, mutation.record_id)
                .ok()
                .flatten()
                .and_then(|record| title(&record))
        })
        .unwrap_or_default()
}

/// One line for a change: what it is about, and when it was made; and the
/// page where it can be seen.
fn describe(sync: SyncEngine, mutation: &Mutation, title: &str) -> (String, Option<String>) {
    let i18n = use_i18n();
    let rules = sync.entities().get(&mutation.entity);
    let kind = match rules {
        Some(rules) => rules.label(i18n.get_locale_untracked()),
        None if mutation.entity == super::conflict::ENTITY => {
            t_string!(i18n, sync.entity_conflict).to_string()
        }
        None => t_string!(i18n, sync.entity_other).to_string(),
    };
    let what = match mutation.op {
        Op::Delete => format!("{kind} ({}) {title}", t_string!(i18n, sync.deleted)),
        Op::Upsert => format!("{kind}: {title}"),
    };
    let when = mutation.client_time.as_deref().map(|at| {
        t_string!(
            i18n,
            sync.sent_at,
            time = format::when(at, i18n.get_locale_untracked())
        )
        .to_string()
    });
    let link = rules
        .filter(|_| mutation.op == Op::Upsert)
        .and_then(|rules| rules.page(mutation.record_id, &mutation.data));
    (
        match when {
            Some(when) => format!("{what} — {when}"),
            None => what,
        },
        link,
    )
}

#[component]
fn SyncPanel(sync: SyncEngine, close: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let message = RwSignal::new(None::<String>);
    // A rescue file read and shown, waiting for the person's yes.
    let offered = RwSignal::new(None::<Rescue>);
    // One read of the store: each change with the title it is about.
    let lists = Memo::new(move |_| {
        sync.read(|store| {
            let titled = |mutation: Mutation| {
                let title = title_of(sync, store, &mutation);
                (mutation, title)
            };
            let waiting: Vec<(Mutation, String)> = store
                .outbox()?
                .into_iter()
                .filter(|p| p.acked_rev.is_none())
                .map(|p| titled(p.mutation))
                .collect();
            let refused: Vec<(Refused, String)> = store
                .refused()?
                .into_iter()
                .map(|r| {
                    let (_, title) = titled(r.mutation.clone());
                    (r, title)
                })
                .collect();
            Ok((waiting, refused))
        })
        .and_then(Result::ok)
        .unwrap_or_default()
    });
    let download = move |_| {
        if let Some(Ok(rescue)) = sync.read(|store| store.rescue()) {
            save_file(&rescue);
        }
    };
    let file = NodeRef::<html::Input>::new();
    let import = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let text = read_file(file).await;
            let rescue = text.and_then(|text| serde_json::from_str::<Rescue>(&text).ok());
            // Read before anything is sent: the file's changes go with this
            // person's rights, so she sees what they are and says yes.
            match rescue {
                Some(rescue) => {
                    message.set(None);
                    offered.set(Some(rescue));
                }
                None => message.set(Some(t_string!(use_i18n(), sync.import_failed).to_string())),
            }
        });
    };
    let accept = move |_| {
        let Some(rescue) = offered.get_untracked() else {
            return;
        };
        offered.set(None);
        let note = match sync.write(|store| store.import_rescue(rescue)) {
            Ok(added) => {
                let n = i32::try_from(added).unwrap_or(i32::MAX);
                t_string!(i18n, sync.imported, count = n).to_string()
            }
            Err(_) => t_string!(i18n, sync.import_failed).to_string(),
        };
        message.set(Some(note));
    };
    let close_button = close.clone();
    view! {
        <section id="sync-panel" class="sync-panel panel" aria-labelledby="sync-panel-title">
            <h2 id="sync-panel-title">{t!(i18n, sync.panel_title)}</h2>
            {move || sync.status.get().trouble.map(|trouble| view! {
                <p class="notice" role="status">{trouble_text(trouble)}</p>
            })}
            <DeviceHolds sync />
            <p class="sync-panel__actions">
                <button type="button" class="button" on:click=move |_| sync.now()>{t!(i18n, sync.send_now)}</button>
                <button type="button" class="button button--quiet" on:click=move |_| close_button()>{t!(i18n, sync.close)}</button>
            </p>
            <h3>{t!(i18n, sync.waiting_title)}</h3>
            {move || {
                let (waiting, _) = lists.get();
                if waiting.is_empty() {
                    view! { <p class="muted">{t!(i18n, sync.nothing_waiting)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="sync-panel__list">
                            {waiting.iter().map(|(m, title)| {
                                let (text, link) = describe(sync, m, title);
                                view! { <li>{text} {link.map(|href| view! { " " <a href=href>{t!(i18n, sync.open_record)}</a> })}</li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || {
                let (_, refused) = lists.get();
                (!refused.is_empty()).then(|| view! {
                    <h3>{t!(i18n, sync.refused_title)}</h3>
                    <ul class="sync-panel__list">
                        {refused.into_iter().map(|(r, title)| view! { <RefusedItem sync refused=r title /> }).collect_view()}
                    </ul>
                })
            }}
            <p class="sync-panel__actions">
                <button type="button" class="button button--quiet" on:click=download>{t!(i18n, sync.rescue)}</button>
                <label class="button button--quiet" for="rescue-file">{t!(i18n, sync.import)}</label>
                <input id="rescue-file" class="visually-hidden" type="file" accept="application/json,.json"
                    node_ref=file on:change=import />
            </p>
            {move || offered.get().map(|rescue| {
                let count = i32::try_from(rescue.pending.len()).unwrap_or(i32::MAX);
                let shown = 20;
                let more = i32::try_from(rescue.pending.len().saturating_sub(shown)).unwrap_or(i32::MAX);
                // One read of the store for every title (a change the device knows the record of).
                let lines: Vec<String> = sync
                    .read(|store| {
                        Ok(rescue.pending.iter().take(shown)
                            .map(|m| describe(sync, m, &title_of(sync, store, m)).0)
                            .collect())
                    })
                    .and_then(Result::ok)
                    .unwrap_or_default();
                view! {
                    <div class="notice sync-panel__offer" role="group" aria-labelledby="rescue-offer">
                        <h3 id="rescue-offer">{t_string!(i18n, sync.import_offer, count = count).to_string()}</h3>
                        <ul class="sync-panel__list">
                            {lines.into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
                        </ul>
                        {(more > 0).then(|| view! { <p>{t_string!(i18n, sync.import_more, count = more).to_string()}</p> })}
                        <p>{t!(i18n, sync.import_as_you)}</p>
                        <p class="sync-panel__actions">
                            <button type="button" class="button" on:click=accept>{t!(i18n, sync.import_accept)}</button>
                            <button type="button" class="button button--quiet" on:click=move |_| offered.set(None)>{t!(i18n, sync.import_cancel)}</button>
                        </p>
                    </div>
                }
            })}
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
        </section>
    }
}

/// How much of its share this device's copy of the server's data takes,
/// and what of it is online only.
#[component]
fn DeviceHolds(sync: SyncEngine) -> impl IntoView {
    let i18n = use_i18n();
    let usage = Memo::new(move |_| {
        sync.read(|store| Ok(store.usage()))
            .and_then(Result::ok)
            .flatten()
    });
    move || {
        usage.get().map(|usage| {
            let locale = i18n.get_locale();
            let used = format::megabytes(usage.replica, locale);
            let budget = format::megabytes(usage.budget, locale);
            let spared: Vec<String> = usage
                .spared
                .iter()
                .filter_map(|(entity, count)| {
                    let rules = sync.entities().get(entity)?;
                    let fields: Vec<String> = rules
                        .spare()
                        .iter()
                        .map(|field| rules.field_label(field, locale))
                        .collect();
                    let (what, fields) = (rules.label(locale), fields.join(", "));
                    let count = i32::try_from(*count).unwrap_or(i32::MAX);
                    Some(t_string!(i18n, sync.spared, count = count, what = what, fields = fields).to_string())
                })
                .collect();
            view! {
                <h3>{t!(i18n, sync.device_title)}</h3>
                <p class="sync-panel__holds">{t_string!(i18n, sync.device_holds, used = used, budget = budget).to_string()}</p>
                {spared.into_iter().map(|line| view! { <p class="sync-panel__spared">{line}</p> }).collect_view()}
            }
        })
    }
}

#[component]
fn RefusedItem(sync: SyncEngine, refused: Refused, title: String) -> impl IntoView {
    let i18n = use_i18n();
    let (text, link) = describe(sync, &refused.mutation, &title);
    let reason = reason_text(sync, &refused.mutation.entity, &refused.error);
    let id = refused.mutation.id;
    let dismiss = move |_| {
        if confirm(t_string!(i18n, sync.dismiss_confirm)) {
            let _ = sync.write(|store| store.dismiss_refused(id));
        }
    };
    view! {
        <li class="sync-panel__refused">
            <span>{text}</span>
            <strong class="sync-panel__reason">{reason}</strong>
            {link.map(|href| view! { <a class="button button--quiet" href=href>{t!(i18n, sync.open_record)}</a> })}
            <button type="button" class="button button--quiet" on:click=dismiss>{t!(i18n, sync.dismiss)}</button>
        </li>
    }
}

/// Offers the rescue file for download: `partnerstwa-zmiany-<date>.json`.
fn save_file(rescue: &Rescue) {
    let Ok(text) = serde_json::to_string_pretty(rescue) else {
        return;
    };
    let day = crate::clock::now_instant().unwrap_or_default();
    crate::ui::download(
        &format!(
            "partnerstwa-zmiany-{}.json",
            day.get(..10).unwrap_or("kopia")
        ),
        "application/json",
        &text,
    );
}

#[cfg(feature = "hydrate")]
async fn read_file(input: NodeRef<html::Input>) -> Option<String> {
    let file = input.get_untracked()?.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}
