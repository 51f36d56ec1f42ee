//! The sign-in kiosk: a tablet passed from hand to hand at a meeting.
//!
//! It shows the meeting, the form and the clause — never who signed before.
//! Opened on the librarian's own device, sign-ins go to her outbox; opened
//! on another tablet with a kiosk link, they go to a push-only store of
//! their own, sent with the link's token and forgotten once the server has
//! them. Either way the kiosk keeps working with no network from the moment
//! it was opened: its setup (the meeting, the clause, the PIN's hash) is in
//! local storage.

use super::{KioskOpening, model::ENTITY};
use crate::{
    clock::now_instant,
    i18n::{t, t_string, use_i18n},
    meetings::{PARTNERSHIPS, PartnershipRef, model as meeting},
    sync::{
        Op,
        engine::{DeviceStore, SyncEngine, use_sync},
        local::{LocalStore, Storage, StoreError, kiosk_namespace},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

mod active;
mod browser;
mod entry;
mod setup;

use active::{Active, Closed, PinInput};
pub use entry::*;
use setup::{KioskUnopened, MeetingHead, Setup};

/// How long the thank-you screen stays before the next person's form.
const THANKS_MS: u64 = 3_500;

/// The kiosk's setup on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskConfig {
    pub opening: KioskOpening,
    /// Opened on the librarian's device: sign-ins go to her store.
    pub user: Option<Uuid>,
    /// Opened with a kiosk link: sign-ins are sent with this token.
    pub token: Option<String>,
    pub salt: String,
    /// The PIN guards the screen, not data; its hash keeps it off the screen
    /// of anyone who opens the browser's tools.
    pub pin_hash: String,
    pub active: bool,
}

/// A PIN is 4 to 8 digits.
pub fn valid_pin(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// An iterated, salted FNV-1a hash of the PIN.
pub fn pin_hash(salt: &str, pin: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..10_000 {
        for byte in salt.bytes().chain(pin.bytes()).chain(hash.to_le_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn config_key(meeting: Uuid) -> String {
    format!("{}config", kiosk_namespace(meeting))
}

#[cfg(feature = "hydrate")]
type KioskStorage = crate::sync::local::BrowserStorage;
#[cfg(not(feature = "hydrate"))]
type KioskStorage = crate::sync::local::MemoryStorage;

fn load_config(meeting: Uuid) -> Option<KioskConfig> {
    KioskStorage::default()
        .get(&config_key(meeting))
        .and_then(|text| serde_json::from_str(&text).ok())
}

fn save_config(config: &KioskConfig) -> Result<(), StoreError> {
    let text = serde_json::to_string(config).map_err(|e| StoreError::Damaged(e.to_string()))?;
    KioskStorage::default().set(&config_key(config.opening.meeting_id), &text)
}

/// The push-only store of a kiosk opened with a link.
fn kiosk_store(meeting: Uuid) -> Result<LocalStore<KioskStorage>, StoreError> {
    LocalStore::open_at(KioskStorage::default(), kiosk_namespace(meeting))
}

/// The librarian's own store, when the app has not opened it (yet).
fn own_store(user: Uuid) -> Result<DeviceStore, StoreError> {
    LocalStore::open(KioskStorage::default(), user)
}

/// Sign-ins of this meeting not yet on the server.
fn waiting_in<S: Storage>(store: &LocalStore<S>, meeting: Uuid) -> usize {
    let meeting = meeting.to_string();
    store
        .outbox()
        .map(|outbox| {
            outbox
                .iter()
                .filter(|p| {
                    p.acked_rev.is_none()
                        && p.mutation.entity == ENTITY
                        && p.mutation.data.get("meeting_id").and_then(Value::as_str)
                            == Some(meeting.as_str())
                })
                .count()
        })
        .unwrap_or(0)
}

fn waiting(config: &KioskConfig) -> usize {
    let meeting = config.opening.meeting_id;
    match config.user {
        Some(user) => own_store(user).map_or(0, |store| waiting_in(&store, meeting)),
        None => kiosk_store(meeting).map_or(0, |store| waiting_in(&store, meeting)),
    }
}

/// "All sent" or how many sign-ins still wait, with Polish plurals.
fn waiting_sentence(count: usize) -> String {
    let i18n = use_i18n();
    if count == 0 {
        t_string!(i18n, kiosk.all_sent).to_string()
    } else {
        let count = i32::try_from(count).unwrap_or(i32::MAX);
        t_string!(i18n, kiosk.waiting, count = count).to_string()
    }
}

/// Why the kiosk cannot open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unopened {
    SignIn,
    NoMeeting,
    ReadOnly,
    NoClause,
    BadLink,
    Offline,
    Store,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Loading,
    Setup,
    Active,
    Closed,
    Unopened(Unopened),
}

/// The meeting as the librarian's store knows it, for a kiosk on her device.
fn opening_from_store(
    store: &DeviceStore,
    meeting_id: Uuid,
) -> Result<Result<KioskOpening, Unopened>, StoreError> {
    let Some(record) = store.view(meeting::ENTITY, meeting_id)? else {
        return Ok(Err(Unopened::NoMeeting));
    };
    let text = |field: &str| record.get(field).and_then(Value::as_str).map(str::to_owned);
    let partnership = text("partnership_id").and_then(|id| Uuid::parse_str(&id).ok());
    let partnerships: Vec<PartnershipRef> = store.reference(PARTNERSHIPS)?.unwrap_or_default();
    let Some(partnership) = partnerships.into_iter().find(|p| Some(p.id) == partnership) else {
        return Ok(Err(Unopened::NoMeeting));
    };
    if !partnership.editable {
        return Ok(Err(Unopened::ReadOnly));
    }
    let Some(clause) = partnership.clause else {
        return Ok(Err(Unopened::NoClause));
    };
    Ok(Ok(KioskOpening {
        meeting_id,
        title: text("title").unwrap_or_default(),
        starts_at: text("starts_at"),
        ends_at: text("ends_at"),
        place: text("place").unwrap_or_default(),
        clause: Some(clause),
    }))
}

/// The kiosk of the meeting in the librarian's store, or why not. A meeting
/// missing from it is looked for again on every change of the store (set in
/// `recheck`): while a round with the server is out it shows as loading, then
/// as not here, until a pull brings it.
fn open_from_store(
    sync: SyncEngine,
    meeting: Uuid,
    me: Resource<Result<Option<crate::accounts::api::Me>, crate::errors::AppError>>,
    stage: RwSignal<Stage>,
    config: RwSignal<Option<KioskConfig>>,
    recheck: StoredValue<bool>,
) {
    // The store's owner, known offline too (the account may not have loaded).
    let user = sync.user().or_else(|| {
        me.get_untracked()
            .and_then(Result::ok)
            .flatten()
            .map(|person| person.id)
    });
    let next = match sync.read(|store| opening_from_store(store, meeting)) {
        // The store opens once the app knows who is signed in.
        None => return,
        Some(Ok(Ok(opening))) => {
            config.set(Some(KioskConfig {
                opening,
                user,
                token: None,
                salt: Uuid::new_v4().to_string(),
                pin_hash: String::new(),
                active: false,
            }));
            Stage::Setup
        }
        Some(Ok(Err(Unopened::NoMeeting))) => {
            let arriving = sync.status.with(|s| s.sending && s.trouble.is_none());
            recheck.set_value(true);
            if arriving {
                Stage::Loading
            } else {
                Stage::Unopened(Unopened::NoMeeting)
            }
        }
        Some(Ok(Err(trouble))) => Stage::Unopened(trouble),
        Some(Err(_)) => Stage::Unopened(Unopened::Store),
    };
    if next != Stage::Unopened(Unopened::NoMeeting) && next != Stage::Loading {
        recheck.set_value(false);
    }
    // Set only when it changes: the effect that calls this reads it.
    if stage.get_untracked() != next {
        stage.set(next);
    }
}

/// Whether the signed-in person's engine holds the kiosk owner's store.
fn writes_through_engine(owner: Uuid, signed_in: Option<Uuid>) -> bool {
    signed_in == Some(owner)
}

/// Adds a sign-in where this kiosk keeps them: the librarian's outbox, or
/// the link's own store (`link`).
fn store_sign_in(
    config: &KioskConfig,
    sync: SyncEngine,
    link: SyncEngine,
    data: Map<String, Value>,
) -> Result<(), StoreError> {
    let id = Uuid::new_v4();
    match config.user {
        Some(user) => {
            // Into the outbox of the person who set the kiosk up, even when
            // someone else has signed in on this tablet since: it is sent
            // when she is signed in again.
            let saved = if writes_through_engine(user, sync.user()) {
                sync.write(|store| store.save(ENTITY, id, Op::Upsert, data.clone(), now_instant()))
            } else {
                Err(StoreError::Unavailable)
            };
            match saved {
                Ok(_) => Ok(()),
                // The app has not opened her store yet (a reload with no
                // network), or it is someone else's: the outbox is hers.
                Err(StoreError::Unavailable) => own_store(user)
                    .and_then(|mut store| store.save(ENTITY, id, Op::Upsert, data, now_instant()))
                    .map(drop),
                Err(error) => Err(error),
            }
        }
        None => {
            // Started when the kiosk opened; starting again changes nothing.
            let meeting = config.opening.meeting_id;
            if let Some(token) = &config.token {
                link.start_link(meeting, token.clone());
            }
            link.write(|store| store.save(ENTITY, id, Op::Upsert, data, now_instant()))
                .map(drop)
        }
    }
}

#[component]
pub fn KioskPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let meeting = crate::ui::route_id();
    let stage = RwSignal::new(Stage::Loading);
    let config = RwSignal::new(None::<KioskConfig>);
    // A kiosk opened with a link sends its sign-ins through an engine of
    // its own: push only, with the link's token, ending with the page.
    let link = SyncEngine::new(crate::entities::registry());
    on_cleanup(move || link.end());
    let opening_link = StoredValue::new(false);
    let me = crate::accounts::pages::use_me();

    // A meeting not (yet) in the librarian's store: the page reads again as
    // the store changes, since a pull may still bring it.
    let recheck = StoredValue::new(false);
    Effect::new(move |_| {
        let rechecking = recheck.get_value();
        if (stage.get() != Stage::Loading && !rechecking) || opening_link.get_value() {
            return;
        }
        let Some(meeting) = meeting() else {
            stage.set(Stage::Unopened(Unopened::NoMeeting));
            return;
        };
        if rechecking {
            open_from_store(sync, meeting, me, stage, config, recheck);
            return;
        }
        if let Some(token) = browser::take_link_token() {
            opening_link.set_value(true);
            leptos::task::spawn_local(async move {
                let next = open_link(meeting, token).await;
                if let Ok(opened) = &next {
                    config.set(Some(opened.clone()));
                }
                stage.set(match next {
                    Ok(_) => Stage::Setup,
                    Err(trouble) => Stage::Unopened(trouble),
                });
                opening_link.set_value(false);
            });
            return;
        }
        if let Some(saved) = load_config(meeting)
            && (saved.active || saved.token.is_some())
        {
            let active = saved.active;
            config.set(Some(saved));
            stage.set(if active { Stage::Active } else { Stage::Setup });
            return;
        }
        if sync.signed_out() {
            stage.set(Stage::Unopened(Unopened::SignIn));
            return;
        }
        open_from_store(sync, meeting, me, stage, config, recheck);
    });
    Effect::new(move |_| {
        if stage.get() == Stage::Active
            && let Some(KioskConfig {
                token: Some(token),
                opening,
                ..
            }) = config.get_untracked()
        {
            link.start_link(opening.meeting_id, token);
        }
    });
    let waiting = Memo::new(move |_| {
        sync.status.track();
        link.status.track();
        config.with(|c| c.as_ref().map_or(0, waiting))
    });

    view! {
        <Title text=move || t_string!(i18n, kiosk.title).to_string() />
        <div class="kiosk">
            {move || match stage.get() {
                Stage::Loading => view! {
                    <p class="kiosk__loading muted" aria-busy="true">{t!(i18n, kiosk.loading)}</p>
                }.into_any(),
                Stage::Unopened(trouble) => view! { <KioskUnopened trouble /> }.into_any(),
                Stage::Setup => view! { <Setup config stage /> }.into_any(),
                Stage::Active => view! { <Active config stage link waiting /> }.into_any(),
                Stage::Closed => view! { <Closed config stage waiting /> }.into_any(),
            }}
        </div>
    }
}

/// Opens the kiosk of a link: asks the server for the meeting once, then
/// keeps it (with the token) on the tablet.
async fn open_link(meeting: Uuid, token: String) -> Result<KioskConfig, Unopened> {
    let opening = match crate::network::post_with_token("/api/kiosk", &token, "{}").await {
        Ok((200, body)) => {
            serde_json::from_str::<KioskOpening>(&body).map_err(|_| Unopened::BadLink)?
        }
        Ok((401 | 403 | 404, _)) => return Err(Unopened::BadLink),
        // No network: a tablet that already opened this link keeps its setup.
        _ => {
            return load_config(meeting)
                .filter(|saved| saved.token.as_deref() == Some(token.as_str()))
                .ok_or(Unopened::Offline);
        }
    };
    if opening.meeting_id != meeting {
        return Err(Unopened::BadLink);
    }
    if opening.clause.is_none() {
        return Err(Unopened::NoClause);
    }
    // Sign-ins an older link left on this tablet go out with the new one:
    // the store is per meeting, not per token.
    let config = KioskConfig {
        opening,
        user: None,
        token: Some(token),
        salt: Uuid::new_v4().to_string(),
        pin_hash: String::new(),
        active: false,
    };
    save_config(&config).map_err(|_| Unopened::Store)?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pin_is_four_to_eight_digits() {
        assert!(valid_pin("1234"));
        assert!(valid_pin("12345678"));
        assert!(!valid_pin("123"));
        assert!(!valid_pin("123456789"));
        assert!(!valid_pin("12a4"));
        assert!(!valid_pin("１２３４"));
    }

    #[test]
    fn the_pin_hash_depends_on_the_salt_and_the_pin() {
        let hash = pin_hash("salt", "1234");
        assert_eq!(hash.len(), 16);
        assert_eq!(hash, pin_hash("salt", "1234"));
        assert_ne!(hash, pin_hash("salt", "1235"));
        assert_ne!(hash, pin_hash("other", "1234"));
    }

    #[test]
    fn only_this_meetings_unsent_sign_ins_are_waiting() {
        use crate::sync::local::MemoryStorage;
        let (here, there) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut store =
            LocalStore::open_at(MemoryStorage::default(), kiosk_namespace(here)).expect("store");
        for meeting in [here, here, there] {
            let mut data = Map::new();
            data.insert("meeting_id".into(), json!(meeting));
            store
                .save(ENTITY, Uuid::new_v4(), Op::Upsert, data, None)
                .expect("saved");
        }
        assert_eq!(waiting_in(&store, here), 2);
        assert_eq!(waiting_in(&store, there), 1);
    }

    #[test]
    fn a_sign_in_goes_to_the_kiosk_owners_outbox_whoever_is_signed_in() {
        let (owner, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert!(writes_through_engine(owner, Some(owner)));
        assert!(!writes_through_engine(owner, Some(other)));
        assert!(!writes_through_engine(owner, None));
    }
}
