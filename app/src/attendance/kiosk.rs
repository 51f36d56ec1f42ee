//! The sign-in kiosk: a tablet passed from hand to hand at a meeting.
//!
//! It shows the meeting, the form and the clause — never who signed before.
//! Opened on the librarian's own device, sign-ins go to her outbox; opened
//! on another tablet with a kiosk link, they go to a push-only store of
//! their own, sent with the link's token and forgotten once the server has
//! them. Either way the kiosk keeps working with no network from the moment
//! it was opened: its setup (the meeting, the clause, the PIN's hash) is in
//! local storage.

use super::{
    Clause, KioskOpening,
    model::{self, ENTITY},
    signature::{SignaturePad, drawn},
};
use crate::{
    clock::now_instant,
    errors::Problem,
    format,
    i18n::{t, t_string, use_i18n},
    meetings::{PARTNERSHIPS, PartnershipRef, model as meeting},
    sync::{
        Op,
        engine::{DeviceStore, SyncEngine, use_sync},
        local::{LocalStore, Storage, StoreError, kiosk_namespace},
    },
    ui::problem_text,
};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

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
enum Trouble {
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
    Trouble(Trouble),
}

/// The meeting as the librarian's store knows it, for a kiosk on her device.
fn opening_from_store(
    store: &DeviceStore,
    meeting_id: Uuid,
) -> Result<Result<KioskOpening, Trouble>, StoreError> {
    let Some(record) = store.view(meeting::ENTITY, meeting_id)? else {
        return Ok(Err(Trouble::NoMeeting));
    };
    let text = |field: &str| record.get(field).and_then(Value::as_str).map(str::to_owned);
    let partnership = text("partnership_id").and_then(|id| Uuid::parse_str(&id).ok());
    let partnerships: Vec<PartnershipRef> = store.reference(PARTNERSHIPS)?.unwrap_or_default();
    let Some(partnership) = partnerships.into_iter().find(|p| Some(p.id) == partnership) else {
        return Ok(Err(Trouble::NoMeeting));
    };
    if !partnership.editable {
        return Ok(Err(Trouble::ReadOnly));
    }
    let Some(clause) = partnership.clause else {
        return Ok(Err(Trouble::NoClause));
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
            let saved =
                sync.write(|store| store.save(ENTITY, id, Op::Upsert, data.clone(), now_instant()));
            match saved {
                Ok(_) => Ok(()),
                // The app has not opened her store yet (a reload with no
                // network): the outbox is hers all the same.
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

    Effect::new(move |_| {
        if stage.get() != Stage::Loading || opening_link.get_value() {
            return;
        }
        let Some(meeting) = meeting() else {
            stage.set(Stage::Trouble(Trouble::NoMeeting));
            return;
        };
        if let Some(token) = browser::take_link_token() {
            opening_link.set_value(true);
            leptos::task::spawn_local(async move {
                let next = open_link(meeting, token).await;
                if let Ok(opened) = &next {
                    config.set(Some(opened.clone()));
                }
                stage.set(match next {
                    Ok(_) => Stage::Setup,
                    Err(trouble) => Stage::Trouble(trouble),
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
            stage.set(Stage::Trouble(Trouble::SignIn));
            return;
        }
        // The store's owner, known offline too (the account may not have loaded).
        let user = sync.user().or_else(|| {
            me.get_untracked()
                .and_then(Result::ok)
                .flatten()
                .map(|person| person.id)
        });
        match sync.read(|store| opening_from_store(store, meeting)) {
            // The store opens once the app knows who is signed in.
            None => {}
            Some(Ok(Ok(opening))) => {
                config.set(Some(KioskConfig {
                    opening,
                    user,
                    token: None,
                    salt: Uuid::new_v4().to_string(),
                    pin_hash: String::new(),
                    active: false,
                }));
                stage.set(Stage::Setup);
            }
            Some(Ok(Err(trouble))) => stage.set(Stage::Trouble(trouble)),
            Some(Err(_)) => stage.set(Stage::Trouble(Trouble::Store)),
        }
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
                Stage::Trouble(trouble) => view! { <KioskTrouble trouble /> }.into_any(),
                Stage::Setup => view! { <Setup config stage /> }.into_any(),
                Stage::Active => view! { <Active config stage link waiting /> }.into_any(),
                Stage::Closed => view! { <Closed config stage waiting /> }.into_any(),
            }}
        </div>
    }
}

/// Opens the kiosk of a link: asks the server for the meeting once, then
/// keeps it (with the token) on the tablet.
async fn open_link(meeting: Uuid, token: String) -> Result<KioskConfig, Trouble> {
    let opening = match crate::network::post_with_token("/api/kiosk", &token, "{}").await {
        Ok((200, body)) => {
            serde_json::from_str::<KioskOpening>(&body).map_err(|_| Trouble::BadLink)?
        }
        Ok((401 | 403 | 404, _)) => return Err(Trouble::BadLink),
        // No network: a tablet that already opened this link keeps its setup.
        _ => {
            return load_config(meeting)
                .filter(|saved| saved.token.as_deref() == Some(token.as_str()))
                .ok_or(Trouble::Offline);
        }
    };
    if opening.meeting_id != meeting {
        return Err(Trouble::BadLink);
    }
    if opening.clause.is_none() {
        return Err(Trouble::NoClause);
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
    save_config(&config).map_err(|_| Trouble::Store)?;
    Ok(config)
}

#[component]
fn KioskTrouble(trouble: Trouble) -> impl IntoView {
    let i18n = use_i18n();
    let text = match trouble {
        Trouble::SignIn => t_string!(i18n, kiosk.sign_in),
        Trouble::NoMeeting => t_string!(i18n, kiosk.no_meeting),
        Trouble::ReadOnly => t_string!(i18n, kiosk.read_only),
        Trouble::NoClause => t_string!(i18n, kiosk.no_clause),
        Trouble::BadLink => t_string!(i18n, kiosk.bad_link),
        Trouble::Offline => t_string!(i18n, kiosk.offline_first),
        Trouble::Store => t_string!(i18n, sync.trouble_full),
    };
    let sign_in = (trouble == Trouble::SignIn)
        .then(|| view! { <p><a class="button" href="/logowanie">{t!(i18n, login.title)}</a></p> });
    view! {
        <section class="kiosk__panel">
            <h1>{t!(i18n, kiosk.title)}</h1>
            <div class="notice notice--error" role="alert"><p>{text}</p></div>
            {sign_in}
            <p><a href="/spotkania">{t!(i18n, meetings.back)}</a></p>
        </section>
    }
}

/// Title, date and place: all an attendee sees of the meeting.
#[component]
fn MeetingHead(opening: KioskOpening) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || i18n.get_locale();
    let starts = opening.starts_at.clone();
    let ends = opening.ends_at.clone();
    let when = move || {
        let mut text = starts
            .as_deref()
            .map(|s| format::when(s, locale()))
            .unwrap_or_default();
        if let Some(ends) = ends.as_deref() {
            text.push('–');
            text.push_str(&format::clock(ends));
        }
        text
    };
    view! {
        <header class="kiosk__head">
            <p class="kiosk__kicker">{t!(i18n, kiosk.list)}</p>
            <h1>{opening.title.clone()}</h1>
            <p class="kiosk__meta">{when}{(!opening.place.is_empty()).then(|| format!(" · {}", opening.place))}</p>
        </header>
    }
}

#[component]
fn Setup(config: RwSignal<Option<KioskConfig>>, stage: RwSignal<Stage>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = config.get_untracked() else {
        return ().into_any();
    };
    let (pin, again) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let problem = RwSignal::new(None::<Problem>);
    let failed = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = pin.get_untracked();
        if !valid_pin(&typed) {
            problem.set(Some(Problem::NotAllowedChoice));
            browser::focus("kiosk-pin");
            return;
        }
        if typed != again.get_untracked() {
            problem.set(Some(Problem::Mismatch));
            browser::focus("kiosk-pin-again");
            return;
        }
        let Some(mut next) = config.get_untracked() else {
            return;
        };
        next.pin_hash = pin_hash(&next.salt, &typed);
        next.active = true;
        if save_config(&next).is_err() {
            failed.set(true);
            return;
        }
        browser::enter_full_screen();
        config.set(Some(next));
        stage.set(Stage::Active);
    };
    let pin_error = move || {
        problem.get().map(|p| {
            let text = match p {
                Problem::Mismatch => t_string!(i18n, kiosk.pin_mismatch).to_string(),
                _ => t_string!(i18n, kiosk.pin_invalid).to_string(),
            };
            view! { <span class="field__error" id="kiosk-pin-error">{text}</span> }
        })
    };
    view! {
        <section class="kiosk__panel">
            <MeetingHead opening=current.opening.clone() />
            <h2>{t!(i18n, kiosk.setup_title)}</h2>
            <p>{t!(i18n, kiosk.setup_lead)}</p>
            <form class="form kiosk__setup" on:submit=start autocomplete="off">
                <p class="field">
                    <PinInput id="kiosk-pin" error_id="kiosk-pin-error" value=pin
                        label=t_string!(i18n, kiosk.pin).to_string()
                        invalid=Signal::derive(move || problem.get().is_some()) />
                </p>
                <p class="field">
                    <PinInput id="kiosk-pin-again" error_id="kiosk-pin-error" value=again
                        label=t_string!(i18n, kiosk.pin_again).to_string()
                        invalid=Signal::derive(move || problem.get() == Some(Problem::Mismatch)) />
                    {pin_error}
                </p>
                {move || failed.get().then(|| view! {
                    <p class="notice notice--error" role="alert">{t!(i18n, sync.trouble_full)}</p>
                })}
                <p class="muted">{t!(i18n, kiosk.offline_note)}</p>
                <p><button type="submit" class="button button--large">{t!(i18n, kiosk.start)}</button></p>
            </form>
        </section>
    }
    .into_any()
}

/// What the attendee types, for one person; a new one for the next.
#[derive(Clone, Copy)]
pub struct Entry {
    pub full_name: RwSignal<String>,
    pub organization: RwSignal<String>,
    pub function: RwSignal<String>,
    pub contact: RwSignal<String>,
    pub contact_consent: RwSignal<bool>,
    pub clause_ack: RwSignal<bool>,
    pub image_consent: RwSignal<Option<bool>>,
    pub problems: RwSignal<BTreeMap<String, Problem>>,
}

/// The fields in the order they are on screen, for focusing the first problem.
pub const FIELD_ORDER: [&str; 9] = [
    "full_name",
    "organization",
    "function",
    "contact",
    "contact_consent",
    "clause_ack",
    "image_consent",
    "signature",
    "typed_later",
];

impl Default for Entry {
    fn default() -> Self {
        Self::new()
    }
}

impl Entry {
    pub fn new() -> Self {
        Self {
            full_name: RwSignal::new(String::new()),
            organization: RwSignal::new(String::new()),
            function: RwSignal::new(String::new()),
            contact: RwSignal::new(String::new()),
            contact_consent: RwSignal::new(false),
            clause_ack: RwSignal::new(false),
            image_consent: RwSignal::new(None),
            problems: RwSignal::new(BTreeMap::new()),
        }
    }

    /// The sign-in as typed (before checks), without its signature.
    pub fn data(&self, meeting: Uuid, clause: &Clause) -> Map<String, Value> {
        let mut data = Map::new();
        data.insert("meeting_id".into(), json!(meeting));
        data.insert("full_name".into(), json!(self.full_name.get_untracked()));
        for (field, value) in [
            ("organization", self.organization),
            ("function", self.function),
        ] {
            let text = value.get_untracked();
            if !text.trim().is_empty() {
                data.insert(field.into(), json!(text));
            }
        }
        let contact = self.contact.get_untracked();
        if !contact.trim().is_empty() {
            data.insert("contact".into(), json!(contact));
            data.insert(
                "contact_consent".into(),
                json!(self.contact_consent.get_untracked()),
            );
        }
        data.insert("clause_version".into(), json!(clause.version));
        data.insert("clause_ack".into(), json!(self.clause_ack.get_untracked()));
        if let Some(consent) = self.image_consent.get_untracked() {
            data.insert("image_consent".into(), json!(consent));
        }
        if let Some(now) = now_instant() {
            data.insert("signed_at".into(), json!(now));
        }
        data
    }

    /// Checks `data`; on problems shows them and moves the focus to the first.
    pub fn checked(&self, data: &Map<String, Value>, prefix: &str) -> bool {
        let found = model::problems(data);
        let first = FIELD_ORDER.into_iter().find(|f| found.contains_key(*f));
        self.problems.set(found);
        match first {
            None => true,
            Some(field) => {
                let target = match field {
                    "image_consent" => format!("{prefix}-image_consent-yes"),
                    _ => format!("{prefix}-{field}"),
                };
                browser::focus(&target);
                false
            }
        }
    }

    pub fn problem(&self, field: &'static str) -> Signal<Option<Problem>> {
        let problems = self.problems;
        Signal::derive(move || problems.with(|p| p.get(field).copied()))
    }
}

/// A labelled text input with its error.
#[component]
pub fn TextInput(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    problem: Signal<Option<Problem>>,
    #[prop(optional)] required: bool,
    #[prop(optional)] input_type: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = error_id.clone();
    view! {
        <p class="field">
            <label for=id.clone()>{label}{required.then_some(" *")}</label>
            <input id=id type=input_type.unwrap_or("text") maxlength="200" autocomplete="off"
                autocapitalize="words" spellcheck="false" required=required
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=described_by
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
            <FieldError id=error_id problem />
        </p>
    }
}

#[component]
pub fn FieldError(
    id: String,
    problem: Signal<Option<Problem>>,
    #[prop(optional)] text: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <span class="field__error" id=id>
            {move || problem.get().map(|p| text.map_or_else(|| problem_text(p), |t| t.get()))}
        </span>
    }
}

/// The explicit TAK/NIE choice for the image consent; nothing is chosen first.
#[component]
pub fn ImageConsent(entry: Entry, prefix: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let choice = entry.image_consent;
    let error_id = format!("{prefix}-image_consent-error");
    let described_by = error_id.clone();
    view! {
        <fieldset class="yes-no" aria-describedby=described_by>
            <legend>{t!(i18n, kiosk.image_consent)} " *"</legend>
            <div class="yes-no__options">
                <label class="yes-no__option">
                    <input type="radio" id=format!("{prefix}-image_consent-yes") name=format!("{prefix}-image")
                        prop:checked=move || choice.get() == Some(true)
                        on:change=move |_| choice.set(Some(true)) />
                    <span>{t!(i18n, kiosk.yes)}</span>
                </label>
                <label class="yes-no__option">
                    <input type="radio" id=format!("{prefix}-image_consent-no") name=format!("{prefix}-image")
                        prop:checked=move || choice.get() == Some(false)
                        on:change=move |_| choice.set(Some(false)) />
                    <span>{t!(i18n, kiosk.no)}</span>
                </label>
            </div>
            <FieldError id=error_id problem=entry.problem("image_consent")
                text=Signal::derive(move || t_string!(i18n, kiosk.image_consent_missing).to_string()) />
        </fieldset>
    }
}

/// The clause: its short text on screen, the whole one tap away.
#[component]
pub fn ClauseAck(entry: Entry, clause: Clause, prefix: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let version = clause.version;
    let error_id = format!("{prefix}-clause_ack-error");
    let described_by = error_id.clone();
    view! {
        <section class="clause" aria-labelledby=format!("{prefix}-clause-heading")>
            <h2 id=format!("{prefix}-clause-heading")>{t!(i18n, kiosk.clause_heading)}</h2>
            <p class="clause__short">{clause.short_text.clone()}</p>
            <details class="clause__full">
                <summary>{move || t_string!(i18n, kiosk.clause_full, version = version).to_string()}</summary>
                <div class="clause__text">{clause.full_text.clone()}</div>
            </details>
            <p class="check">
                <input type="checkbox" id=format!("{prefix}-clause_ack")
                    aria-describedby=described_by
                    aria-invalid=move || entry.problem("clause_ack").get().is_some().to_string()
                    prop:checked=entry.clause_ack
                    on:change=move |ev| entry.clause_ack.set(event_target_checked(&ev)) />
                <label for=format!("{prefix}-clause_ack")>{t!(i18n, kiosk.clause_ack)} " *"</label>
            </p>
            <FieldError id=error_id problem=entry.problem("clause_ack")
                text=Signal::derive(move || t_string!(i18n, kiosk.clause_ack_missing).to_string()) />
        </section>
    }
}

#[component]
fn Active(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
    link: SyncEngine,
    waiting: Memo<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = config.get_untracked() else {
        return ().into_any();
    };
    // Each person gets a new form: nothing typed before survives in it.
    let person = RwSignal::new(0u32);
    let thanks = RwSignal::new(false);
    let leaving = RwSignal::new(false);
    browser::trap_back_button();
    let sync = use_sync();
    let saved = Callback::new(move |data: Map<String, Value>| -> bool {
        let Some(config) = config.get_untracked() else {
            return false;
        };
        if store_sign_in(&config, sync, link, data).is_err() {
            return false;
        }
        thanks.set(true);
        browser::after(THANKS_MS, move || {
            if thanks.get_untracked() {
                thanks.set(false);
                person.update(|n| *n += 1);
            }
        });
        true
    });
    let next = move |_| {
        thanks.set(false);
        person.update(|n| *n += 1);
        browser::focus("kiosk-full_name");
    };
    // The link expired or was revoked: the sign-ins stay here until the
    // tablet opens a new link.
    let expired =
        move || link.status.get().trouble == Some(crate::sync::engine::Trouble::SignedOut);
    let opening = current.opening.clone();
    view! {
        <div class="kiosk__bar">
            <p class="kiosk__waiting" role="status">
                {move || waiting_sentence(waiting.get())}
            </p>
            <button type="button" class="button button--quiet kiosk__finish"
                on:click=move |_| { leaving.set(true); browser::focus("kiosk-exit-pin"); }>
                {t!(i18n, kiosk.finish)}
            </button>
        </div>
        {move || expired().then(|| view! {
            <p class="notice notice--error kiosk__expired" role="alert">{t!(i18n, kiosk.link_expired)}</p>
        })}
        {move || {
            if leaving.get() {
                view! { <Leave config stage leaving /> }.into_any()
            } else if thanks.get() {
                view! {
                    <section class="kiosk__panel kiosk__thanks" role="status" aria-live="assertive">
                        <p class="kiosk__thanks-text">{t!(i18n, kiosk.thanks)}</p>
                        <p>{t!(i18n, kiosk.thanks_next)}</p>
                        <p><button type="button" class="button button--large" on:click=next>{t!(i18n, kiosk.next_person)}</button></p>
                    </section>
                }.into_any()
            } else {
                person.track();
                view! { <SignInForm opening=opening.clone() saved /> }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
fn SignInForm(opening: KioskOpening, saved: Callback<Map<String, Value>, bool>) -> impl IntoView {
    let i18n = use_i18n();
    let entry = Entry::new();
    let strokes = RwSignal::new(Vec::<Vec<i64>>::new());
    let too_long = RwSignal::new(false);
    let typed_instead = RwSignal::new(false);
    let typed_name = RwSignal::new(String::new());
    let failed = RwSignal::new(false);
    let clause = opening.clause.clone().unwrap_or(Clause {
        version: 0,
        short_text: String::new(),
        full_text: String::new(),
    });
    let meeting = opening.meeting_id;
    let version_clause = clause.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut data = entry.data(meeting, &version_clause);
        if typed_instead.get_untracked() {
            let name = typed_name.get_untracked();
            if !name.trim().is_empty() {
                data.insert("signature".into(), json!({"kind": "typed", "name": name}));
            }
        } else {
            let drawn_strokes = strokes.get_untracked();
            if !drawn_strokes.is_empty() {
                data.insert("signature".into(), drawn(&drawn_strokes));
            }
        }
        if typed_instead.get_untracked() && !data.contains_key("signature") {
            // Points the attendee at the field to type in.
            entry
                .problems
                .set(BTreeMap::from([("signature".into(), Problem::Required)]));
            browser::focus("kiosk-typed_name");
            return;
        }
        if !entry.checked(&data, "kiosk") {
            return;
        }
        failed.set(!saved.run(data));
    };
    let clear = move |_| {
        strokes.set(Vec::new());
        too_long.set(false);
    };
    let signature_error = move || {
        let missing = entry.problem("signature").get().is_some();
        if too_long.get() {
            Some(t_string!(i18n, kiosk.signature_too_long).to_string())
        } else if missing {
            Some(t_string!(i18n, kiosk.signature_missing).to_string())
        } else {
            None
        }
    };
    let pad_label = Signal::derive(move || t_string!(i18n, kiosk.signature_pad).to_string());
    view! {
        <MeetingHead opening=opening.clone() />
        <form class="form kiosk__form" on:submit=submit autocomplete="off" novalidate=true>
            <p class="muted">{t!(i18n, kiosk.required_note)}</p>
            <TextInput id="kiosk-full_name" label=t_string!(i18n, kiosk.full_name).to_string()
                value=entry.full_name problem=entry.problem("full_name") required=true />
            <div class="form-grid">
                <TextInput id="kiosk-organization" label=t_string!(i18n, kiosk.organization).to_string()
                    value=entry.organization problem=entry.problem("organization") />
                <TextInput id="kiosk-function" label=t_string!(i18n, kiosk.function).to_string()
                    value=entry.function problem=entry.problem("function") />
            </div>
            <TextInput id="kiosk-contact" label=t_string!(i18n, kiosk.contact).to_string()
                value=entry.contact problem=entry.problem("contact") />
            <p class="check" hidden=move || entry.contact.with(|c| c.trim().is_empty())>
                <input type="checkbox" id="kiosk-contact_consent"
                    aria-describedby="kiosk-contact_consent-error"
                    prop:checked=entry.contact_consent
                    on:change=move |ev| entry.contact_consent.set(event_target_checked(&ev)) />
                <label for="kiosk-contact_consent">{t!(i18n, kiosk.contact_consent)}</label>
            </p>
            <FieldError id="kiosk-contact_consent-error".into() problem=entry.problem("contact_consent")
                text=Signal::derive(move || t_string!(i18n, kiosk.contact_consent_missing).to_string()) />
            <ClauseAck entry clause=clause.clone() prefix="kiosk" />
            <ImageConsent entry prefix="kiosk" />
            <fieldset class="signature-field">
                <legend>{t!(i18n, kiosk.signature)} " *"</legend>
                <div hidden=move || typed_instead.get()>
                    <p class="muted" id="kiosk-signature-hint">{t!(i18n, kiosk.signature_hint)}</p>
                    <div id="kiosk-signature" tabindex="-1" class="signature-field__pad">
                        <SignaturePad strokes too_long label=pad_label described_by="kiosk-signature-hint kiosk-signature-error".into() />
                    </div>
                    <p><button type="button" class="button button--quiet" on:click=clear>{t!(i18n, kiosk.clear)}</button></p>
                </div>
                <p class="check">
                    <input type="checkbox" id="kiosk-typed_instead"
                        prop:checked=typed_instead
                        on:change=move |ev| typed_instead.set(event_target_checked(&ev)) />
                    <label for="kiosk-typed_instead">{t!(i18n, kiosk.typed_instead)}</label>
                </p>
                <div hidden=move || !typed_instead.get()>
                    <p class="field">
                        <label for="kiosk-typed_name">{t!(i18n, kiosk.typed_name)}</label>
                        <input id="kiosk-typed_name" type="text" maxlength="200" autocomplete="off"
                            aria-describedby="kiosk-signature-error"
                            prop:value=typed_name on:input=move |ev| typed_name.set(event_target_value(&ev)) />
                    </p>
                </div>
                <span class="field__error" id="kiosk-signature-error" role="alert">{signature_error}</span>
            </fieldset>
            {move || failed.get().then(|| view! {
                <p class="notice notice--error" role="alert">{t!(i18n, kiosk.not_saved)}</p>
            })}
            <p><button type="submit" class="button button--large kiosk__submit">{t!(i18n, kiosk.submit)}</button></p>
        </form>
    }
}

/// Leaving the kiosk needs the PIN set when it was opened.
/// A PIN field: digits on a tablet's number pad, hidden, never remembered.
#[component]
fn PinInput(
    id: &'static str,
    error_id: &'static str,
    label: String,
    value: RwSignal<String>,
    invalid: Signal<bool>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="password" inputmode="numeric" maxlength="8" autocomplete="off"
            aria-describedby=error_id aria-invalid=move || invalid.get().to_string()
            prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
    }
}

#[component]
fn Leave(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
    leaving: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pin = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let leave = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut current) = config.get_untracked() else {
            return;
        };
        if pin_hash(&current.salt, &pin.get_untracked()) != current.pin_hash {
            wrong.set(true);
            pin.set(String::new());
            browser::focus("kiosk-exit-pin");
            return;
        }
        current.active = false;
        // Not saved: the next reload asks for setup again, which is fine.
        let _ = save_config(&current);
        browser::leave_full_screen();
        browser::release_back_button();
        config.set(Some(current));
        stage.set(Stage::Closed);
    };
    view! {
        <section class="kiosk__panel" aria-labelledby="kiosk-exit-heading">
            <h2 id="kiosk-exit-heading">{t!(i18n, kiosk.finish_title)}</h2>
            <form class="form" on:submit=leave autocomplete="off">
                <p class="field">
                    <PinInput id="kiosk-exit-pin" error_id="kiosk-exit-error" value=pin
                        label=t_string!(i18n, kiosk.finish_pin).to_string()
                        invalid=Signal::from(wrong) />
                    <span class="field__error" id="kiosk-exit-error">
                        {move || wrong.get().then(|| t_string!(i18n, kiosk.finish_wrong))}
                    </span>
                </p>
                <p class="button-row">
                    <button type="submit" class="button">{t!(i18n, kiosk.finish_confirm)}</button>
                    <button type="button" class="button button--quiet" on:click=move |_| leaving.set(false)>
                        {t!(i18n, kiosk.back_to_form)}
                    </button>
                </p>
            </form>
        </section>
    }
}

#[component]
fn Closed(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
    waiting: Memo<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = config.get_untracked() else {
        return ().into_any();
    };
    let meeting = current.opening.meeting_id;
    let own_device = current.user.is_some();
    view! {
        <section class="kiosk__panel">
            <h1>{t!(i18n, kiosk.closed_title)}</h1>
            <p role="status">
                {move || waiting_sentence(waiting.get())}
            </p>
            <p class="button-row">
                {own_device.then(|| view! {
                    <a class="button" href=format!("/spotkania/{meeting}/obecnosc")>{t!(i18n, kiosk.to_list)}</a>
                })}
                <button type="button" class="button button--quiet" on:click=move |_| stage.set(Stage::Setup)>
                    {t!(i18n, kiosk.reopen)}
                </button>
            </p>
        </section>
    }
    .into_any()
}

/// What only a browser can do; nothing on the server.
mod browser {
    #[cfg(feature = "hydrate")]
    use leptos::prelude::*;

    /// Takes the kiosk token out of the address (`#klucz=…`), so it is not
    /// left in the history or on screen.
    pub fn take_link_token() -> Option<String> {
        #[cfg(feature = "hydrate")]
        {
            let location = window().location();
            let hash = location.hash().ok()?;
            let token = hash.strip_prefix("#klucz=")?.to_owned();
            let path = location.pathname().ok()?;
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(
                    &leptos::wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&path),
                );
            }
            (!token.is_empty()).then_some(token)
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }

    pub use crate::ui::focus;

    pub fn after(ms: u64, then: impl FnOnce() + 'static) {
        #[cfg(feature = "hydrate")]
        set_timeout(then, std::time::Duration::from_millis(ms));
        #[cfg(not(feature = "hydrate"))]
        let _ = (ms, then);
    }

    pub fn enter_full_screen() {
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            // Refused outside a tap or by the browser: the kiosk works all the same.
            let _ = root.request_fullscreen();
        }
    }

    pub fn leave_full_screen() {
        #[cfg(feature = "hydrate")]
        if document().fullscreen_element().is_some() {
            document().exit_fullscreen();
        }
    }

    #[cfg(feature = "hydrate")]
    thread_local! {
        static BACK: std::cell::RefCell<Option<WindowListenerHandle>> = const { std::cell::RefCell::new(None) };
    }

    /// "Back" stays on the kiosk: an entry of its own is pushed on the
    /// history and pushed again whenever back takes it away.
    pub fn trap_back_button() {
        #[cfg(feature = "hydrate")]
        {
            fn push() {
                if let Ok(history) = window().history() {
                    let _ = history.push_state(&leptos::wasm_bindgen::JsValue::NULL, "");
                }
            }
            let already = BACK.with(|back| back.borrow().is_some());
            if already {
                return;
            }
            push();
            let handle = window_event_listener_untyped("popstate", move |_| push());
            BACK.with(|back| *back.borrow_mut() = Some(handle));
        }
    }

    pub fn release_back_button() {
        #[cfg(feature = "hydrate")]
        if let Some(handle) = BACK.with(|back| back.borrow_mut().take()) {
            handle.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
