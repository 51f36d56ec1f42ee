//! The sync loop in the browser, and the handle pages use to read and write
//! the local store.
//!
//! Pages never wait for the network: they read `LocalStore` and save to it.
//! The loop pushes the outbox and pulls changes in the background: after a
//! save (shortly), at once when the browser comes back online, when the page
//! becomes visible, or on "send now"; otherwise every half minute. Failures
//! back off exponentially with jitter, so a room of tablets coming back
//! online does not knock on the server all at once. One tab per person
//! syncs, holding a lease in storage; other tabs follow through storage
//! events.

use super::{
    local::{LocalStore, StoreError, Summary},
    rules::Registry,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Mutations per request (halved on a 413).
pub const PUSH_BATCH: usize = 200;
/// Changes per pull page.
pub const PULL_LIMIT: u32 = 500;
/// How long a lease guards a request in flight: if its tab dies mid-request,
/// another tab takes over after this.
#[cfg(feature = "hydrate")]
const LEASE_MS: f64 = 45_000.0;
/// How long a tab that synced keeps the lease: a little over its idle-pull
/// period, so a living visible tab keeps it and a vanished one loses it soon.
#[cfg(feature = "hydrate")]
const IDLE_LEASE_MS: f64 = 35_000.0;

/// The local store the browser uses (memory on the server, where it never opens).
#[cfg(feature = "hydrate")]
pub type DeviceStore = LocalStore<super::local::BrowserStorage>;
#[cfg(not(feature = "hydrate"))]
pub type DeviceStore = LocalStore<super::local::MemoryStorage>;

/// Why changes are not going out right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    Offline,
    /// The server failed or could not be reached; retrying with backoff.
    Server,
    /// The session ended: changes wait on the device until the person signs in.
    SignedOut,
    /// The browser's storage is full or refused.
    StoreFull,
    /// The data on this device was written by a newer version of the app.
    NewerData,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// `None` until a store is open.
    pub summary: Option<Summary>,
    pub sending: bool,
    pub trouble: Option<Trouble>,
}

/// Milliseconds to wait after `failures` failed attempts in a row: doubling
/// from 2 s up to 5 min, half of it random ("equal jitter").
pub fn backoff_ms(failures: u32, random: f64) -> u64 {
    let doublings = failures.saturating_sub(1).min(8);
    let base = (2_000u64 << doublings).min(300_000);
    let half = base / 2;
    // Truncation is fine: this is a delay in milliseconds.
    half + (half as f64 * random.clamp(0.0, 1.0)) as u64
}

/// Which tab of a person's tabs syncs, and until when (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub tab: Uuid,
    pub until: f64,
}

/// Whether `tab` may sync now, given the lease in storage.
pub fn lease_allows(current: Option<&Lease>, tab: Uuid, now: f64) -> bool {
    current.is_none_or(|lease| lease.tab == tab || lease.until < now)
}

fn store_trouble(error: &StoreError) -> Trouble {
    match error {
        StoreError::Newer(_) => Trouble::NewerData,
        _ => Trouble::StoreFull,
    }
}

/// The loop's own bookkeeping (read only by the browser build).
#[derive(Debug)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct LoopState {
    tab: Uuid,
    running: bool,
    again: bool,
    failures: u32,
    batch: usize,
    /// When the next attempt may start after failures (ms since the epoch).
    not_before: f64,
    /// When the partnerships were last fetched (ms since the epoch).
    references_at: f64,
    listening: bool,
    /// The page is being left (pagehide): it starts no round, so it never
    /// takes the lease in its last moments and dies holding it.
    leaving: bool,
}

/// The handle pages use; provided once by the app.
#[derive(Clone, Copy)]
pub struct SyncEngine {
    user: RwSignal<Option<Uuid>>,
    /// Set once the browser knows who is signed in (or that nobody is).
    known: RwSignal<bool>,
    /// Bumped on every change of the local store, here or in another tab.
    revision: RwSignal<u64>,
    pub status: RwSignal<SyncStatus>,
    state: StoredValue<LoopState>,
    entities: &'static Registry,
}

/// Provides the sync engine for `entities` (`crate::entities::registry()`).
pub fn provide_sync(entities: &'static Registry) -> SyncEngine {
    let engine = SyncEngine {
        entities,
        user: RwSignal::new(None),
        known: RwSignal::new(false),
        revision: RwSignal::new(0),
        status: RwSignal::new(SyncStatus::default()),
        state: StoredValue::new(LoopState {
            tab: Uuid::new_v4(),
            running: false,
            again: false,
            failures: 0,
            batch: PUSH_BATCH,
            not_before: 0.0,
            references_at: f64::NEG_INFINITY,
            listening: false,
            leaving: false,
        }),
    };
    provide_context(engine);
    engine
}

pub fn use_sync() -> SyncEngine {
    expect_context()
}

impl SyncEngine {
    /// What this app syncs.
    pub fn entities(&self) -> &'static Registry {
        self.entities
    }

    /// Whether the store can be read: in the browser, after hydration, for a
    /// signed-in person. Before that pages show the same placeholder the
    /// server rendered.
    pub fn ready(&self) -> bool {
        self.user.get().is_some()
    }

    /// Who the device's store belongs to, once known (works offline).
    pub fn user(&self) -> Option<Uuid> {
        self.user.get()
    }

    /// Nobody is signed in on this page (known only in the browser).
    pub fn signed_out(&self) -> bool {
        self.known.get() && self.user.get().is_none()
    }

    /// Reads the local store; tracks changes to it. `None` while not ready.
    pub fn read<T>(
        &self,
        read: impl FnOnce(&DeviceStore) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        self.revision.track();
        let user = self.user.get()?;
        Some(open(user).and_then(|store| read(&store)))
    }

    /// Changes the local store (a save, a dismissal, an import), then lets
    /// pages re-read it and the loop send it. `Ok` means it is stored.
    pub fn write<T>(
        &self,
        write: impl FnOnce(&mut DeviceStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let user = self.user.get_untracked().ok_or(StoreError::Unavailable)?;
        let result = open(user).and_then(|mut store| write(&mut store));
        self.changed();
        match &result {
            Ok(_) => self.soon(),
            Err(error) => self
                .status
                .update(|status| status.trouble = Some(store_trouble(error))),
        }
        result
    }

    fn changed(&self) {
        self.revision.update(|n| *n += 1);
        let summary = self
            .user
            .get_untracked()
            .and_then(|user| open(user).and_then(|store| store.summary()).ok());
        self.status.update(|status| status.summary = summary);
    }

    /// Starts syncing for the signed-in person (in the browser; nothing on the server).
    pub fn start(&self, user: Uuid) {
        if self.user.get_untracked() == Some(user) {
            return;
        }
        self.user.set(Some(user));
        self.known.set(true);
        self.changed();
        #[cfg(feature = "hydrate")]
        {
            browser::listen(*self);
            browser::ask_for_persistent_storage();
            self.now();
        }
    }

    /// Signed out: the device keeps the data, nothing more is sent.
    pub fn stop(&self) {
        self.known.set(true);
        self.user.set(None);
        self.status.set(SyncStatus::default());
    }

    /// Send and fetch at once ("send now", back online, page visible).
    pub fn now(&self) {
        self.state.update_value(|state| {
            state.failures = 0;
            state.not_before = 0.0;
        });
        self.schedule(0);
    }

    /// Send shortly: typing produces many saves, one request follows them.
    pub fn soon(&self) {
        self.schedule(1_500);
    }
}

#[cfg(not(feature = "hydrate"))]
impl SyncEngine {
    fn schedule(&self, _delay_ms: u64) {}
}

#[cfg(not(feature = "hydrate"))]
fn open(_user: Uuid) -> Result<DeviceStore, StoreError> {
    Err(StoreError::Unavailable)
}

#[cfg(feature = "hydrate")]
fn open(user: Uuid) -> Result<DeviceStore, StoreError> {
    LocalStore::open(super::local::BrowserStorage, user)
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::errors::AppError;
    use std::time::Duration;

    /// How often a visible page asks for other devices' changes.
    const IDLE_PULL_MS: u64 = 30_000;
    /// How often the reference data (partnerships, libraries) is refreshed.
    const REFERENCES_MS: f64 = 300_000.0;

    enum Outcome {
        Done,
        Failed,
        SignedOut,
        OtherTab,
        Store(StoreError),
    }

    fn now_ms() -> f64 {
        js_sys::Date::now()
    }

    fn lease_key(user: Uuid) -> String {
        format!("{}lease", super::super::local::namespace(user))
    }

    fn visible() -> bool {
        document().visibility_state() == web_sys::VisibilityState::Visible
    }

    impl SyncEngine {
        pub(super) fn schedule(&self, delay_ms: u64) {
            let engine = *self;
            let wait = self
                .state
                .with_value(|state| (state.not_before - now_ms()).max(0.0));
            // Truncating a positive wait in ms is fine.
            let delay = delay_ms.max(wait as u64);
            thread_local! {
                static TIMER: std::cell::Cell<Option<TimeoutHandle>> = const { std::cell::Cell::new(None) };
            }
            if let Some(timer) = TIMER.take() {
                timer.clear();
            }
            let handle = set_timeout_with_handle(
                move || leptos::task::spawn_local(engine.run()),
                Duration::from_millis(delay),
            );
            TIMER.set(handle.ok());
        }

        /// Claims or renews this tab's lease for `ms`; false while another
        /// tab holds one.
        fn take_lease(&self, user: Uuid, ms: f64) -> bool {
            use super::super::local::Storage as _;
            if self.state.with_value(|state| state.leaving) {
                return false;
            }
            let mut storage = super::super::local::BrowserStorage;
            let key = lease_key(user);
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
            serde_json::to_string(&lease).is_ok_and(|text| storage.set(&key, &text).is_ok())
        }

        fn release_lease(&self) {
            use super::super::local::Storage as _;
            let Some(user) = self.user.get_untracked() else {
                return;
            };
            let mut storage = super::super::local::BrowserStorage;
            let key = lease_key(user);
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
            self.status.update(|status| status.sending = true);
            let outcome = self.exchange().await;
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
                Outcome::SignedOut => (Some(Trouble::SignedOut), None),
                Outcome::Store(error) => (Some(store_trouble(&error)), Some(IDLE_PULL_MS)),
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
            // A tab that synced and is seen keeps the lease for its next
            // round; otherwise (failed, hidden, signed out) it lets go at once,
            // so a closed or offline tab never keeps the others waiting.
            let keep = outcome_done && visible();
            match self.user.get_untracked() {
                Some(user) if keep => {
                    self.take_lease(user, IDLE_LEASE_MS);
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
                self.schedule(delay);
            }
        }

        /// Pushes the outbox and pulls until there is nothing more.
        async fn exchange(&self) -> Outcome {
            loop {
                let Some(user) = self.user.get_untracked() else {
                    return Outcome::Done;
                };
                if !self.take_lease(user, LEASE_MS) {
                    return Outcome::OtherTab;
                }
                let limit = self.state.with_value(|state| state.batch);
                let prepared = open(user).and_then(|mut store| {
                    let batch = store.take_batch(limit)?;
                    Ok((store.device_id(), store.cursor(), batch))
                });
                let (device, cursor, batch) = match prepared {
                    Ok(prepared) => prepared,
                    Err(error) => return Outcome::Store(error),
                };
                let full = batch.len() == limit;
                match super::super::api::sync(device, cursor, PULL_LIMIT, batch).await {
                    Ok(answer) => {
                        // Reopened: the page may have saved while the request was out.
                        let applied = open(user).and_then(|mut store| {
                            store.apply_response(
                                &answer.results,
                                &answer.changes,
                                answer.cursor,
                                crate::clock::now_instant(),
                            )
                        });
                        if let Err(error) = applied {
                            return Outcome::Store(error);
                        }
                        self.state.update_value(|state| state.batch = PUSH_BATCH);
                        self.changed();
                        if !(answer.more || full) {
                            self.refresh_references(user).await;
                            return Outcome::Done;
                        }
                    }
                    Err(AppError::Unauthorized) => return Outcome::SignedOut,
                    Err(AppError::TooLarge) if limit > 1 => {
                        self.state.update_value(|state| state.batch = limit / 2);
                    }
                    Err(_) => return Outcome::Failed,
                }
            }
        }

        /// Keeps the data the person works with beside the records on the
        /// device (the partnerships, the libraries): all of it, or none.
        async fn refresh_references(&self, user: Uuid) {
            let due = self
                .state
                .with_value(|state| now_ms() - state.references_at > REFERENCES_MS);
            if !due {
                return;
            }
            let mut fetched = Vec::new();
            for reference in self.entities.references() {
                match reference.fetch().await {
                    Ok(value) => fetched.push((reference.name(), value)),
                    Err(_) => return,
                }
            }
            let saved = open(user).and_then(|mut store| {
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

    /// Window listeners, installed once for the page's life.
    pub(super) fn listen(engine: SyncEngine) {
        let first = engine
            .state
            .try_update_value(|state| !std::mem::replace(&mut state.listening, true))
            .unwrap_or(false);
        if !first {
            return;
        }
        // The handles are dropped: these listeners live as long as the page.
        let _ = window_event_listener(leptos::ev::online, move |_| engine.now());
        let _ = window_event_listener_untyped("visibilitychange", move |_| {
            if visible() {
                engine.now();
            } else {
                // A hidden tab's timers are throttled: a visible one should sync.
                engine.release_lease();
            }
        });
        let _ = window_event_listener(leptos::ev::pagehide, move |_| {
            engine.state.update_value(|state| state.leaving = true);
            engine.release_lease();
        });
        // Back from the back-forward cache: the page lives again.
        let _ = window_event_listener(leptos::ev::pageshow, move |event| {
            if event.persisted() {
                engine.state.update_value(|state| state.leaving = false);
                engine.now();
            }
        });
        let _ = window_event_listener(leptos::ev::storage, move |event| {
            let Some(user) = engine.user.get_untracked() else {
                return;
            };
            let key = event.key().unwrap_or_default();
            let prefix = super::super::local::namespace(user);
            if key == lease_key(user) {
                // The syncing tab let go (closed, hidden, failed): take over.
                if event.new_value().is_none() && visible() && window().navigator().on_line() {
                    engine.soon();
                }
            } else if key.starts_with(&prefix) {
                engine.changed();
                if key.ends_with("/outbox") {
                    engine.soon();
                }
            }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes_with_half_of_it_random() {
        assert_eq!(backoff_ms(1, 0.0), 1_000);
        assert_eq!(backoff_ms(1, 1.0), 2_000);
        assert_eq!(backoff_ms(2, 0.0), 2_000);
        assert_eq!(backoff_ms(4, 1.0), 16_000);
        assert_eq!(backoff_ms(30, 1.0), 300_000);
        assert_eq!(backoff_ms(30, 0.0), 150_000);
    }

    #[test]
    fn one_tab_holds_the_lease_until_it_lapses() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let lease = Lease {
            tab: a,
            until: 1_000.0,
        };
        assert!(lease_allows(None, b, 0.0));
        assert!(lease_allows(Some(&lease), a, 500.0));
        assert!(!lease_allows(Some(&lease), b, 500.0));
        assert!(lease_allows(Some(&lease), b, 1_500.0));
    }
}
