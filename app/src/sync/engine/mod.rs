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
//!
//! The same loop serves a kiosk link on a tablet where nobody is signed in:
//! it pushes only, with the link's token, and forgets what the server has.

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

/// Whose store the loop keeps, and how it syncs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Device {
    /// A signed-in person: pushes and pulls with the session.
    Person(Uuid),
    /// A kiosk link: pushes only, with its token, from the push-only store
    /// of `store` (its meeting); nothing is pulled.
    Link { store: Uuid, token: String },
}

impl Device {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn namespace(&self) -> String {
        match self {
            Device::Person(user) => super::local::namespace(*user),
            Device::Link { store, .. } => super::local::kiosk_namespace(*store),
        }
    }
}

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
    /// The browser's storage is full or refused: a change was not saved.
    StoreFull,
    /// What the server sent does not fit in the browser's storage: what
    /// was made here is saved and sent, but this device is not up to date.
    ReplicaFull,
    /// The data on this device was written by a newer version of the app.
    NewerData,
}

impl Trouble {
    /// Whether the header says "needs attention" instead of how far the
    /// changes are: the store cannot take more, or cannot be read.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Trouble::StoreFull | Trouble::ReplicaFull | Trouble::NewerData
        )
    }
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

/// A round set for later: when it starts (ms since the epoch), and whether
/// it waits out a burst of saves (a save puts it off again).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wake {
    pub due: f64,
    pub after_saves: bool,
}

/// Whether a round asked for (`asked`) replaces the one already set. A save
/// puts off a round that waits for saves to stop, so typing sends once; any
/// other round the earlier one wins, so a save while a round is out is
/// never put off until the idle pull. A pending round gives way if it would
/// start inside the backoff (`not_before`) or is overdue at `now` (a hidden
/// tab's throttled timer).
pub fn replaces_pending(pending: Option<Wake>, asked: Wake, not_before: f64, now: f64) -> bool {
    pending.is_none_or(|pending| {
        (asked.after_saves && pending.after_saves)
            || asked.due < pending.due
            || pending.due < not_before
            || pending.due <= now
    })
}

fn store_trouble(error: &StoreError) -> Trouble {
    match error {
        StoreError::Newer(_) => Trouble::NewerData,
        StoreError::OverBudget => Trouble::ReplicaFull,
        _ => Trouble::StoreFull,
    }
}

/// The loop's own bookkeeping (read only by the browser build).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct LoopState {
    /// The next round, if one is set, and when it starts (ms since the epoch).
    #[cfg(feature = "hydrate")]
    timer: Option<(leptos::prelude::TimeoutHandle, Wake)>,
    /// Window listeners, removed by `end`.
    #[cfg(feature = "hydrate")]
    listeners: Vec<leptos::prelude::WindowListenerHandle>,
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
    device: RwSignal<Option<Device>>,
    /// Set once the browser knows who is signed in (or that nobody is).
    known: RwSignal<bool>,
    /// Bumped on every change of the local store, here or in another tab.
    revision: RwSignal<u64>,
    pub status: RwSignal<SyncStatus>,
    state: StoredValue<LoopState>,
    entities: &'static Registry,
}

/// Provides the sync engine of the signed-in person for `entities`
/// (`crate::entities::registry()`).
pub fn provide_sync(entities: &'static Registry) -> SyncEngine {
    let engine = SyncEngine::new(entities);
    provide_context(engine);
    engine
}

pub fn use_sync() -> SyncEngine {
    expect_context()
}

impl SyncEngine {
    /// An engine that syncs nothing until started; owned by the current
    /// reactive owner (a page's own engine ends with the page: `end`).
    pub fn new(entities: &'static Registry) -> SyncEngine {
        SyncEngine {
            entities,
            device: RwSignal::new(None),
            known: RwSignal::new(false),
            revision: RwSignal::new(0),
            status: RwSignal::new(SyncStatus::default()),
            state: StoredValue::new(LoopState {
                #[cfg(feature = "hydrate")]
                timer: None,
                #[cfg(feature = "hydrate")]
                listeners: Vec::new(),
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
        }
    }

    /// What this app syncs.
    pub fn entities(&self) -> &'static Registry {
        self.entities
    }

    /// Whether the store can be read: in the browser, after hydration, for a
    /// signed-in person. Before that pages show the same placeholder the
    /// server rendered.
    pub fn ready(&self) -> bool {
        self.device.with(Option::is_some)
    }

    /// Who the device's store belongs to, once known (works offline).
    pub fn user(&self) -> Option<Uuid> {
        self.device.with(|device| match device {
            Some(Device::Person(user)) => Some(*user),
            _ => None,
        })
    }

    /// Nobody is signed in on this page (known only in the browser).
    pub fn signed_out(&self) -> bool {
        self.known.get() && self.device.with(Option::is_none)
    }

    /// Reads the local store; tracks changes to it. `None` while not ready.
    pub fn read<T>(
        &self,
        read: impl FnOnce(&DeviceStore) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        self.revision.track();
        let device = self.device.get()?;
        Some(open(&device).and_then(|store| read(&store)))
    }

    /// Changes the local store (a save, a dismissal, an import), then lets
    /// pages re-read it and the loop send it. `Ok` means it is stored.
    pub fn write<T>(
        &self,
        write: impl FnOnce(&mut DeviceStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let device = self.device.get_untracked().ok_or(StoreError::Unavailable)?;
        let result = open(&device).and_then(|mut store| write(&mut store));
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
            .device
            .get_untracked()
            .and_then(|device| open(&device).and_then(|store| store.summary()).ok());
        self.status.update(|status| status.summary = summary);
    }

    /// Starts syncing for the signed-in person (in the browser; nothing on the server).
    pub fn start(&self, user: Uuid) {
        self.begin(Device::Person(user));
    }

    /// Starts sending what a kiosk link's store holds, with its token (a
    /// new link takes over what an expired one left: the store is the same).
    pub fn start_link(&self, store: Uuid, token: String) {
        self.begin(Device::Link { store, token });
    }

    fn begin(&self, device: Device) {
        if self.device.get_untracked().as_ref() == Some(&device) {
            return;
        }
        #[cfg(feature = "hydrate")]
        if let Device::Person(user) = &device {
            // Someone else's data, all sent, has no business on this device now.
            let mut storage = super::local::BrowserStorage;
            super::local::forget_others(&mut storage, *user);
        }
        self.device.set(Some(device));
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
        self.device.set(None);
        self.status.set(SyncStatus::default());
    }

    /// "Forget this device": the signed-in person's data leaves this device
    /// and nothing more is sent. Refused (`Ok(false)`) while anything made
    /// here has not reached the server: that would be lost.
    pub fn forget_here(&self) -> Result<bool, StoreError> {
        let Some(device) = self.device.get_untracked() else {
            return Err(StoreError::Unavailable);
        };
        let store = open(&device)?;
        if store.holds_unsent()? {
            return Ok(false);
        }
        #[cfg(feature = "hydrate")]
        self.clear_timer();
        self.stop();
        store.forget();
        Ok(true)
    }

    /// Whether anything made on this device has not reached the server.
    pub fn holds_unsent(&self) -> bool {
        self.read(|store| store.holds_unsent())
            .and_then(Result::ok)
            .unwrap_or(false)
    }

    /// The page that owns this engine is gone: no more rounds, no more
    /// listening.
    pub fn end(&self) {
        #[cfg(feature = "hydrate")]
        {
            self.clear_timer();
            if let Some(listeners) = self
                .state
                .try_update_value(|state| std::mem::take(&mut state.listeners))
            {
                listeners.into_iter().for_each(|l| l.remove());
            }
            // So the page opened again (a new engine, a new tab id) need not
            // wait for this one's lease to lapse.
            self.release_lease();
        }
        let _ = self.device.try_set(None);
    }

    /// No round is set any more.
    #[cfg(feature = "hydrate")]
    fn clear_timer(&self) {
        if let Some(Some((timer, _))) = self.state.try_update_value(|state| state.timer.take()) {
            timer.clear();
        }
    }

    /// Send and fetch at once ("send now", back online, page visible).
    pub fn now(&self) {
        self.state.update_value(|state| {
            state.failures = 0;
            state.not_before = 0.0;
        });
        self.schedule(0, false);
    }

    /// The device's scope changed (a library taken offline or let go of):
    /// a round now, and its reference data fetched again with it.
    pub fn scope_changed(&self) {
        self.state
            .update_value(|state| state.references_at = f64::NEG_INFINITY);
        self.now();
    }

    /// Send shortly: typing produces many saves, one request follows them.
    pub fn soon(&self) {
        self.schedule(1_500, true);
    }
}

#[cfg(not(feature = "hydrate"))]
impl SyncEngine {
    fn schedule(&self, _delay_ms: u64, _after_saves: bool) {}
}

#[cfg(not(feature = "hydrate"))]
fn open(_device: &Device) -> Result<DeviceStore, StoreError> {
    Err(StoreError::Unavailable)
}

#[cfg(feature = "hydrate")]
fn open(device: &Device) -> Result<DeviceStore, StoreError> {
    LocalStore::open_at(super::local::BrowserStorage, device.namespace())
}

#[cfg(feature = "hydrate")]
mod browser;

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

    #[test]
    fn the_earlier_round_wins_unless_it_would_start_inside_the_backoff() {
        let wake = |due: f64, after_saves: bool| Wake { due, after_saves };
        assert!(replaces_pending(None, wake(30_000.0, false), 0.0, 0.0));
        // A save (1.5 s) while the idle pull (30 s) is set: sooner.
        assert!(replaces_pending(
            Some(wake(30_000.0, false)),
            wake(1_500.0, true),
            0.0,
            0.0
        ));
        // Typing: each save puts the round after saves off again.
        assert!(replaces_pending(
            Some(wake(1_500.0, true)),
            wake(1_900.0, true),
            0.0,
            400.0
        ));
        // A round ends and asks for the idle pull while a save's round is
        // set: the save's round stays (it was lost this way once).
        assert!(!replaces_pending(
            Some(wake(1_500.0, true)),
            wake(30_000.0, false),
            0.0,
            100.0
        ));
        // A failure's backoff puts off a round set before it, and a save
        // does not bring it forward.
        assert!(replaces_pending(
            Some(wake(1_500.0, true)),
            wake(8_000.0, false),
            8_000.0,
            100.0
        ));
        assert!(!replaces_pending(
            Some(wake(8_000.0, false)),
            wake(8_000.0, true),
            8_000.0,
            200.0
        ));
        // A hidden tab's timer, overdue, gives way to "now" once it is seen.
        assert!(replaces_pending(
            Some(wake(1_500.0, true)),
            wake(90_000.0, false),
            0.0,
            90_000.0
        ));
    }
}
