//! The loop itself, in the browser: rounds, backoff, the tab lease, the
//! window listeners, and the two ways of talking to the server.

use super::*;
use crate::{
    errors::AppError,
    sync::{
        Holding, Mutation, MutationResult, RefusalCode, SyncResponse,
        local::{BrowserStorage, Storage as _},
    },
};
use std::time::Duration;

/// How often a visible page asks for other devices' changes.
const IDLE_PULL_MS: u64 = 30_000;
/// How often a device the browser knows to be offline looks again: no
/// request is made then, so this costs nothing, and a missed `online` event
/// does not leave it waiting out a long backoff.
const OFFLINE_CHECK_MS: u64 = 3_000;
/// How often the reference data (partnerships, libraries) is refreshed.
const REFERENCES_MS: f64 = 300_000.0;

enum Outcome {
    Done,
    Failed,
    /// The browser knows it has no network; nothing was asked.
    Offline,
    SignedOut,
    OtherTab,
    Store(StoreError),
    /// What the server sent does not fit in the store (what was made here is safe).
    ReplicaFull,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn lease_key(device: &Device) -> String {
    format!("{}lease", device.namespace())
}

fn visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

/// A kiosk link's push: the sync endpoint with the link's token instead of
/// a session, nothing pulled.
async fn push_with_token(
    token: &str,
    device_id: Uuid,
    mutations: Vec<Mutation>,
) -> Result<SyncResponse, AppError> {
    let body = serde_json::json!({
        "device_id": device_id, "cursor": 0, "pull_limit": 1, "mutations": mutations,
    })
    .to_string();
    match crate::network::post_with_token("/api/sync", token, &body).await {
        Ok((200, text)) => serde_json::from_str(&text).map_err(|_| AppError::Internal),
        Ok((401, _)) => Err(AppError::Unauthorized),
        Ok((413, _)) => Err(AppError::TooLarge),
        Ok(_) => Err(AppError::Internal),
        Err(()) => Err(AppError::Transport {
            message: "the request did not complete".to_owned(),
        }),
    }
}

impl SyncEngine {
    pub(super) fn schedule(&self, delay_ms: u64, after_saves: bool) {
        let engine = *self;
        let now = now_ms();
        let Some((wait, pending, not_before)) = self.state.try_with_value(|state| {
            let pending = state.timer.as_ref().map(|(_, wake)| *wake);
            ((state.not_before - now).max(0.0), pending, state.not_before)
        }) else {
            return;
        };
        // Truncating a positive wait in ms is fine.
        let delay = delay_ms.max(wait as u64);
        let asked = Wake {
            due: now + delay as f64,
            after_saves,
        };
        if !replaces_pending(pending, asked, not_before, now) {
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                let _ = engine.state.try_update_value(|state| state.timer = None);
                leptos::task::spawn_local(engine.run());
            },
            Duration::from_millis(delay),
        )
        .ok()
        .map(|handle| (handle, asked));
        let previous = self
            .state
            .try_update_value(|state| std::mem::replace(&mut state.timer, handle));
        if let Some(Some((timer, _))) = previous {
            timer.clear();
        }
    }

    /// Whether `device` is still this engine's (or the engine is gone with
    /// its page, which a round outlives on purpose).
    fn still(&self, device: &Device) -> bool {
        self.device
            .try_get_untracked()
            .is_none_or(|current| current.as_ref() == Some(device))
    }

    /// Claims or renews this tab's lease for `ms`; false while another
    /// tab holds one.
    fn take_lease(&self, device: &Device, ms: f64) -> bool {
        if self.state.with_value(|state| state.leaving) {
            return false;
        }
        let mut storage = BrowserStorage;
        let key = lease_key(device);
        let tab = self.state.with_value(|state| state.tab);
        let current: Option<Lease> = storage
            .get(&key)
            .and_then(|text| serde_json::from_str(&text).ok());
        let now = now_ms();
        if !lease_allows(current.as_ref(), tab, now) {
            return false;
        }
        let lease = Lease {
            tab,
            until: now + ms,
        };
        // A store too full for the lease is a store too full for the round,
        // which says so; no other tab holds it, so this one goes on.
        if let Ok(text) = serde_json::to_string(&lease) {
            let _ = storage.set(&key, &text);
        }
        true
    }

    pub(super) fn release_lease(&self) {
        let Some(device) = self.device.try_get_untracked().flatten() else {
            return;
        };
        let mut storage = BrowserStorage;
        let key = lease_key(&device);
        let tab = self.state.with_value(|state| state.tab);
        let ours = storage
            .get(&key)
            .and_then(|text| serde_json::from_str::<Lease>(&text).ok())
            .is_some_and(|lease| lease.tab == tab);
        if ours {
            storage.remove(&key);
        }
    }

    async fn run(self) {
        let busy = self.state.try_update_value(|state| {
            let busy = state.running;
            state.running = true;
            state.again |= busy;
            busy
        });
        if busy != Some(false) {
            return;
        }
        let outcome = if window().navigator().on_line() {
            self.status.update(|status| status.sending = true);
            self.exchange().await
        } else {
            Outcome::Offline
        };
        if self.state.try_with_value(|_| ()).is_none() {
            return;
        }
        let outcome_done = matches!(outcome, Outcome::Done);
        let online = window().navigator().on_line();
        let (trouble, next) = match outcome {
            Outcome::Done => {
                self.state.update_value(|state| {
                    state.failures = 0;
                    state.not_before = 0.0;
                });
                (None, Some(IDLE_PULL_MS))
            }
            Outcome::OtherTab => (None, Some(IDLE_PULL_MS)),
            Outcome::Offline => (Some(Trouble::Offline), Some(OFFLINE_CHECK_MS)),
            Outcome::SignedOut => (Some(Trouble::SignedOut), None),
            Outcome::Store(error) => (Some(store_trouble(&error)), Some(IDLE_PULL_MS)),
            Outcome::ReplicaFull => (Some(Trouble::ReplicaFull), Some(IDLE_PULL_MS)),
            Outcome::Failed => {
                let delay = self
                    .state
                    .try_update_value(|state| {
                        state.failures += 1;
                        let delay = backoff_ms(state.failures, js_sys::Math::random());
                        state.not_before = now_ms() + delay as f64;
                        delay
                    })
                    .unwrap_or(IDLE_PULL_MS);
                let trouble = if online {
                    Trouble::Server
                } else {
                    Trouble::Offline
                };
                (Some(trouble), Some(delay))
            }
        };
        // A tab that synced and is seen keeps the lease for its next round;
        // otherwise (failed, hidden, signed out) it lets go at once, so a
        // closed or offline tab never keeps the others waiting.
        let keep = outcome_done && visible();
        match self.device.try_get_untracked().flatten() {
            Some(device) if keep => {
                self.take_lease(&device, IDLE_LEASE_MS);
            }
            _ => self.release_lease(),
        }
        self.status.update(|status| {
            status.sending = false;
            status.trouble = trouble;
        });
        self.changed();
        let again = self
            .state
            .try_update_value(|state| {
                state.running = false;
                std::mem::take(&mut state.again)
            })
            .unwrap_or(false);
        if again {
            self.soon();
        } else if let Some(delay) = next
            && (visible() || trouble.is_some())
        {
            self.schedule(delay, false);
        }
    }

    /// Pushes the outbox (and for a person pulls) until there is nothing more.
    async fn exchange(&self) -> Outcome {
        loop {
            let Some(device) = self.device.try_get_untracked().flatten() else {
                return Outcome::Done;
            };
            if !self.take_lease(&device, LEASE_MS) {
                return Outcome::OtherTab;
            }
            let limit = self.state.with_value(|state| state.batch);
            let prepared = open(&device).and_then(|mut store| {
                let batch = store.take_batch(limit)?;
                Ok((store.device_id(), store.cursor(), store.holding(), batch))
            });
            let (device_id, cursor, holding, batch) = match prepared {
                Ok(prepared) => prepared,
                Err(error) => return Outcome::Store(error),
            };
            let link = matches!(device, Device::Link { .. });
            if link && batch.is_empty() {
                return Outcome::Done;
            }
            let full = batch.len() == limit;
            let first = batch.first().map(|m| m.id);
            let answer = match &device {
                Device::Person(_) => {
                    let Holding {
                        held,
                        offline,
                        fill,
                        editing,
                    } = holding;
                    let offline = Some(offline);
                    let api = super::super::api::sync;
                    api(
                        device_id, cursor, PULL_LIMIT, batch, held, offline, fill, editing,
                    )
                    .await
                }
                Device::Link { token, .. } => push_with_token(token, device_id, batch).await,
            };
            // Stored first: the page that owned this engine may be gone by
            // now, and what the server has must still be marked (a kiosk
            // forgets it). Not if the device was let go of meanwhile
            // (signed out, forgotten): its store must stay as it was left.
            let spare = self.entities.spare();
            let applied = answer
                .as_ref()
                .ok()
                .filter(|_| self.still(&device))
                .map(|answer| {
                    // Reopened: the page may have saved while the request was out.
                    open(&device).and_then(|mut store| {
                        let now = crate::clock::now_instant();
                        if link {
                            store.apply_response(&answer.results, &[], 0, now)?;
                            store.forget_acknowledged()?;
                            return Ok(true);
                        }
                        match store.apply_answer(answer, now.clone(), &spare) {
                            // What came does not fit; the acknowledgements,
                            // which only free room, still go in.
                            Err(StoreError::Full | StoreError::OverBudget) => store
                                .apply_response(&answer.results, &[], cursor, now)
                                .map(|()| false),
                            other => other.map(|()| true),
                        }
                    })
                });
            if self.state.try_with_value(|_| ()).is_none() {
                return Outcome::Done;
            }
            match answer {
                Ok(answer) => {
                    match applied {
                        Some(Err(error)) => return Outcome::Store(error),
                        Some(Ok(false)) => return Outcome::ReplicaFull,
                        _ => {}
                    }
                    self.state.update_value(|state| state.batch = PUSH_BATCH);
                    self.changed();
                    if !(answer.more || full) {
                        if !link {
                            self.refresh_references(&device).await;
                        }
                        return Outcome::Done;
                    }
                }
                Err(AppError::Unauthorized) => return Outcome::SignedOut,
                Err(AppError::TooLarge) if limit > 1 => {
                    self.state.update_value(|state| state.batch = limit / 2);
                }
                // One change alone is over the limit: it can never be sent,
                // so it waits for a person under "needs attention" and the
                // rest goes on.
                Err(AppError::TooLarge) => {
                    let set_aside = first.map(too_large).map(|refused| {
                        open(&device).and_then(|mut store| {
                            let now = crate::clock::now_instant();
                            store.apply_response(&[refused], &[], cursor, now)
                        })
                    });
                    self.state.update_value(|state| state.batch = PUSH_BATCH);
                    if let Some(Err(error)) = set_aside {
                        return Outcome::Store(error);
                    }
                    self.changed();
                }
                Err(_) => return Outcome::Failed,
            }
        }
    }

    /// Keeps the data the person works with beside the records on the
    /// device (the partnerships, the libraries): all of it, or none.
    async fn refresh_references(&self, device: &Device) {
        let due = self
            .state
            .with_value(|state| now_ms() - state.references_at > REFERENCES_MS);
        if !due {
            return;
        }
        let offline = open(device)
            .map(|store| store.offline_libraries().to_vec())
            .unwrap_or_default();
        let mut fetched = Vec::new();
        for reference in self.entities.references() {
            match reference.fetch(offline.clone()).await {
                Ok(value) => fetched.push((reference.name(), value)),
                Err(_) => return,
            }
        }
        if !self.still(device) {
            return;
        }
        let saved = open(device).and_then(|mut store| {
            fetched
                .iter()
                .try_for_each(|(name, value)| store.set_reference(name, value))
        });
        if saved.is_ok() {
            self.state
                .update_value(|state| state.references_at = now_ms());
            self.changed();
        }
    }
}

/// The answer to a change too large for any request.
fn too_large(id: Uuid) -> MutationResult {
    MutationResult::rejected(
        id,
        RefusalCode::TooLarge,
        "the change is larger than a request may be",
    )
}

/// Window listeners, installed once for the engine's life (removed by `end`).
pub(super) fn listen(engine: SyncEngine) {
    let first = engine
        .state
        .try_update_value(|state| !std::mem::replace(&mut state.listening, true))
        .unwrap_or(false);
    if !first {
        return;
    }
    let online = window_event_listener(leptos::ev::online, move |_| engine.now());
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        if visible() {
            engine.now();
        } else {
            // A hidden tab's timers are throttled: a visible one should sync.
            engine.release_lease();
        }
    });
    let hide = window_event_listener(leptos::ev::pagehide, move |_| {
        engine.state.update_value(|state| state.leaving = true);
        engine.release_lease();
    });
    // Back from the back-forward cache: the page lives again.
    let show = window_event_listener(leptos::ev::pageshow, move |event| {
        if event.persisted() {
            engine.state.update_value(|state| state.leaving = false);
            engine.now();
        }
    });
    let storage = window_event_listener(leptos::ev::storage, move |event| {
        let Some(device) = engine.device.try_get_untracked().flatten() else {
            return;
        };
        let key = event.key().unwrap_or_default();
        if key == lease_key(&device) {
            // The syncing tab let go (closed, hidden, failed): take over.
            if event.new_value().is_none() && visible() && window().navigator().on_line() {
                engine.soon();
            }
        } else if key.starts_with(&device.namespace()) {
            engine.changed();
            if key.ends_with("/outbox") {
                engine.soon();
            }
        }
    });
    engine.state.update_value(|state| {
        state
            .listeners
            .extend([online, visibility, hide, show, storage]);
    });
}

/// Asks the browser not to evict this site's storage under pressure.
pub(super) fn ask_for_persistent_storage() {
    let storage = window().navigator().storage();
    if let Ok(promise) = storage.persist() {
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}
