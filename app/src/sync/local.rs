//! The device's side of sync: records as last pulled, an outbox of
//! mutations not yet acknowledged, and what the server refused — all in
//! browser storage, namespaced by person, so nothing saved is lost to a
//! reload, a closed tab or a second person on the same tablet.
//!
//! The logic is written against `Storage`, so it runs (and is tested) the
//! same in memory as in the browser's localStorage.

use super::{Change, Mutation, MutationResult, Op, Rejection, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A record's fields as JSON.
pub type Fields = Map<String, Value>;

/// A text field of a record, empty when missing or not text.
pub fn text(fields: &Fields, field: &str) -> String {
    fields
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Version of the layout below; a newer app migrates older data, never wipes it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser refused to store more: the change is *not* saved.
    #[error("the device storage is full")]
    Full,
    /// Stored data this version cannot read (written by a newer app).
    #[error("stored data has schema version {0}, newer than this app")]
    Newer(u32),
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// No store is open: not signed in, or the browser has no storage.
    #[error("no local store is open")]
    Unavailable,
}

/// Key-value storage: localStorage in the browser, a map in tests.
pub trait Storage {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn remove(&mut self, key: &str);
}

#[derive(Debug, Default, Clone)]
pub struct MemoryStorage {
    pub items: HashMap<String, String>,
    /// Refuse writes that would pass this many bytes in all (to test a full store).
    pub quota: Option<usize>,
}

impl MemoryStorage {
    /// Characters held, keys and values (what a browser's quota counts).
    pub fn chars(&self) -> usize {
        self.items
            .iter()
            .map(|(k, v)| k.chars().count() + v.chars().count())
            .sum()
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.items.get(key).cloned()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        if let Some(quota) = self.quota {
            let others: usize = self
                .items
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if others + key.len() + value.len() > quota {
                return Err(StoreError::Full);
            }
        }
        self.items.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&mut self, key: &str) {
        self.items.remove(key);
    }
}

/// The browser's localStorage through gloo-storage.
#[cfg(feature = "hydrate")]
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserStorage;

#[cfg(feature = "hydrate")]
impl Storage for BrowserStorage {
    fn get(&self, key: &str) -> Option<String> {
        use gloo_storage::Storage as _;
        gloo_storage::LocalStorage::raw()
            .get_item(key)
            .ok()
            .flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        use gloo_storage::Storage as _;
        // The only way setItem fails is a full (or disabled) store.
        gloo_storage::LocalStorage::raw()
            .set_item(key, value)
            .map_err(|_| StoreError::Full)
    }

    fn remove(&mut self, key: &str) {
        use gloo_storage::Storage as _;
        let _ = gloo_storage::LocalStorage::raw().remove_item(key);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meta {
    schema_version: u32,
    device_id: Uuid,
    cursor: i64,
    next_seq: u64,
    /// When the outbox was last emptied by the server (RFC 3339, device clock; display only).
    last_sent_at: Option<String>,
}

/// A record as the server last sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pulled {
    pub rev: i64,
    pub deleted: bool,
    pub data: Map<String, Value>,
}

/// A mutation in the outbox; `sent` once it went out in a request whose
/// answer has not come back (it is then resent as is, never changed).
/// Once accepted it stays, as `acked_rev`, until the device has pulled that
/// revision of its record, so the screen never jumps back to older text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub mutation: Mutation,
    pub sent: bool,
    #[serde(default)]
    pub acked_rev: Option<i64>,
}

/// A mutation the server refused, kept until the person deals with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub mutation: Mutation,
    pub error: Rejection,
}

/// What the header shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub waiting: usize,
    pub needs_attention: usize,
    pub last_sent_at: Option<String>,
}

/// Everything unsent, for the rescue file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescue {
    pub schema_version: u32,
    pub device_id: Uuid,
    pub pending: Vec<Mutation>,
    pub refused: Vec<Refused>,
}

/// The key prefix of one person's data on a device.
pub fn namespace(user_id: Uuid) -> String {
    format!("partnerstwa/{user_id}/")
}

/// The key prefix of a kiosk tablet's sign-ins for one meeting (a tablet
/// opened with a kiosk link, where nobody is signed in).
pub fn kiosk_namespace(meeting_id: Uuid) -> String {
    format!("partnerstwa/kiosk/{meeting_id}/")
}

pub struct LocalStore<S: Storage> {
    storage: S,
    prefix: String,
    meta: Meta,
}

impl<S: Storage> LocalStore<S> {
    /// Opens (or starts) the store of one person on this device.
    pub fn open(storage: S, user_id: Uuid) -> Result<Self, StoreError> {
        Self::open_at(storage, namespace(user_id))
    }

    /// Opens (or starts) a store under any key prefix.
    pub fn open_at(storage: S, prefix: String) -> Result<Self, StoreError> {
        let mut store = Self {
            storage,
            prefix,
            meta: Meta {
                schema_version: SCHEMA_VERSION,
                device_id: Uuid::new_v4(),
                cursor: 0,
                next_seq: 1,
                last_sent_at: None,
            },
        };
        match store.read::<Meta>("meta")? {
            Some(meta) if meta.schema_version > SCHEMA_VERSION => {
                return Err(StoreError::Newer(meta.schema_version));
            }
            Some(meta) => store.meta = meta,
            None => store.write("meta", &store.meta.clone())?,
        }
        Ok(store)
    }

    pub fn device_id(&self) -> Uuid {
        self.meta.device_id
    }

    pub fn cursor(&self) -> i64 {
        self.meta.cursor
    }

    pub fn into_storage(self) -> S {
        self.storage
    }

    fn read<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StoreError> {
        self.storage
            .get(&format!("{}{key}", self.prefix))
            .map(|text| serde_json::from_str(&text).map_err(|e| StoreError::Damaged(e.to_string())))
            .transpose()
    }

    fn write<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), StoreError> {
        let text = serde_json::to_string(value).map_err(|e| StoreError::Damaged(e.to_string()))?;
        self.storage.set(&format!("{}{key}", self.prefix), &text)
    }

    /// The storage under the store (tests measure it).
    pub fn storage(&self) -> &S {
        &self.storage
    }

    fn record_key(entity: &str, id: Uuid) -> String {
        format!("rec/{entity}/{id}")
    }

    fn index_key(entity: &str) -> String {
        format!("index/{entity}")
    }

    pub fn outbox(&self) -> Result<Vec<Pending>, StoreError> {
        Ok(self.read("outbox")?.unwrap_or_default())
    }

    /// The records of `entity` with changes not yet accepted by the server
    /// (shown as "waiting" beside them).
    pub fn waiting_ids(&self, entity: &str) -> Result<HashSet<Uuid>, StoreError> {
        Ok(self
            .outbox()?
            .into_iter()
            .filter(|p| p.acked_rev.is_none() && p.mutation.entity == entity)
            .map(|p| p.mutation.record_id)
            .collect())
    }

    pub fn refused(&self) -> Result<Vec<Refused>, StoreError> {
        Ok(self.read("refused")?.unwrap_or_default())
    }

    pub fn pulled(&self, entity: &str, id: Uuid) -> Result<Option<Pulled>, StoreError> {
        self.read(&Self::record_key(entity, id))
    }

    /// Saves a change on the device. `Ok` means saved: it survives a reload
    /// and will be sent. On `Err(Full)` nothing was saved.
    pub fn save(
        &mut self,
        entity: &str,
        record_id: Uuid,
        op: Op,
        data: Map<String, Value>,
        client_time: Option<String>,
    ) -> Result<Uuid, StoreError> {
        let mut outbox = self.outbox()?;
        // Typing produces many saves: fold them into the last unsent change
        // of the same record, so the outbox stays small.
        if op == Op::Upsert
            && let Some(last) = outbox
                .iter_mut()
                .rev()
                .find(|p| p.mutation.entity == entity && p.mutation.record_id == record_id)
            && !last.sent
            && last.mutation.op == Op::Upsert
        {
            last.mutation.data.extend(data);
            last.mutation.client_time = client_time;
            let id = last.mutation.id;
            self.write("outbox", &outbox)?;
            return Ok(id);
        }
        let base_rev = self.pulled(entity, record_id)?.map(|p| p.rev);
        let mutation = Mutation {
            id: Uuid::new_v4(),
            seq: self.meta.next_seq,
            entity: entity.to_owned(),
            record_id,
            op,
            base_rev,
            data,
            client_time,
        };
        let id = mutation.id;
        outbox.push(Pending {
            mutation,
            sent: false,
            acked_rev: None,
        });
        self.write("outbox", &outbox)?;
        self.meta.next_seq += 1;
        // The outbox holds the change; a lost counter only reuses a seq number.
        let _ = self.write("meta", &self.meta.clone());
        self.add_to_index(entity, record_id)?;
        Ok(id)
    }

    fn add_to_index(&mut self, entity: &str, id: Uuid) -> Result<(), StoreError> {
        let key = Self::index_key(entity);
        let mut ids: Vec<Uuid> = self.read(&key)?.unwrap_or_default();
        if !ids.contains(&id) {
            ids.push(id);
            self.write(&key, &ids)?;
        }
        Ok(())
    }

    /// The record as this device sees it: the pulled state with every
    /// pending change on top. `None` when unknown or deleted.
    pub fn view(&self, entity: &str, id: Uuid) -> Result<Option<Map<String, Value>>, StoreError> {
        self.view_over(entity, id, &self.outbox()?)
    }

    /// `view` with the outbox already read (a list reads it once, not per record).
    fn view_over(
        &self,
        entity: &str,
        id: Uuid,
        outbox: &[Pending],
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        let mut data = match self.pulled(entity, id)? {
            Some(p) if !p.deleted => Some(p.data),
            _ => None,
        };
        for pending in outbox {
            let m = &pending.mutation;
            if m.entity != entity || m.record_id != id {
                continue;
            }
            match m.op {
                Op::Delete => data = None,
                Op::Upsert => data.get_or_insert_with(Map::new).extend(m.data.clone()),
            }
        }
        Ok(data)
    }

    /// Every record of `entity` this device knows, as `view` shows it.
    pub fn list(&self, entity: &str) -> Result<Vec<(Uuid, Fields)>, StoreError> {
        let ids: Vec<Uuid> = self.read(&Self::index_key(entity))?.unwrap_or_default();
        let outbox = self.outbox()?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(data) = self.view_over(entity, id, &outbox)? {
                out.push((id, data));
            }
        }
        Ok(out)
    }

    /// The mutations to send now (at most `limit`), marked as sent. After a
    /// failed request the same ones come again, unchanged, with the same
    /// ids: the server applies each once.
    pub fn take_batch(&mut self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        let mut outbox = self.outbox()?;
        let batch: Vec<Mutation> = outbox
            .iter_mut()
            .filter(|p| p.acked_rev.is_none())
            .take(limit)
            .map(|p| {
                p.sent = true;
                p.mutation.clone()
            })
            .collect();
        self.write("outbox", &outbox)?;
        Ok(batch)
    }

    /// Takes in the server's answer: acknowledged mutations leave the
    /// outbox, refused ones move to "needs attention", pulled changes
    /// update the records (pending edits stay on top of them).
    pub fn apply_response(
        &mut self,
        results: &[MutationResult],
        changes: &[Change],
        cursor: i64,
        now: Option<String>,
    ) -> Result<(), StoreError> {
        for change in changes {
            // A late answer can carry older states than the device has.
            let key = Self::record_key(&change.entity, change.record_id);
            if self
                .read::<Pulled>(&key)?
                .is_some_and(|known| known.rev >= change.rev)
            {
                continue;
            }
            let pulled = Pulled {
                rev: change.rev,
                deleted: change.deleted,
                data: change.data.clone(),
            };
            self.write(&Self::record_key(&change.entity, change.record_id), &pulled)?;
            self.add_to_index(&change.entity, change.record_id)?;
        }
        let answered: HashMap<Uuid, &MutationResult> = results.iter().map(|r| (r.id, r)).collect();
        let mut outbox = self.outbox()?;
        let mut refused = self.refused()?;
        outbox.retain(|pending| match answered.get(&pending.mutation.id) {
            None => true,
            Some(result) if result.status == Status::Rejected => {
                refused.push(Refused {
                    mutation: pending.mutation.clone(),
                    error: result.error.clone().unwrap_or(Rejection {
                        code: super::RefusalCode::Other,
                        message: String::new(),
                        field: None,
                        problem: None,
                    }),
                });
                false
            }
            Some(_) => true,
        });
        for pending in &mut outbox {
            if let Some(result) = answered.get(&pending.mutation.id) {
                pending.acked_rev = pending.acked_rev.or(result.rev).or(Some(0));
            }
        }
        // Accepted changes leave once the device holds the state that includes them.
        let mut kept = Vec::with_capacity(outbox.len());
        for pending in outbox {
            let done = match pending.acked_rev {
                None => false,
                Some(rev) => self
                    .pulled(&pending.mutation.entity, pending.mutation.record_id)?
                    .is_some_and(|pulled| pulled.rev >= rev),
            };
            if !done {
                kept.push(pending);
            }
        }
        let outbox = kept;
        // Refused first: if the store fills up between the writes, a change is
        // listed twice (and resent, harmlessly) rather than lost.
        self.write("refused", &refused)?;
        self.write("outbox", &outbox)?;
        self.meta.cursor = self.meta.cursor.max(cursor);
        if outbox.iter().all(|p| p.acked_rev.is_some()) && !results.is_empty() {
            self.meta.last_sent_at = now;
        }
        self.write("meta", &self.meta.clone())
    }

    /// A push-only store (a kiosk) never pulls its records back: once the
    /// server has a change, the device forgets it, so nothing of the people
    /// who signed stays on the tablet.
    pub fn forget_acknowledged(&mut self) -> Result<(), StoreError> {
        let (waiting, done): (Vec<Pending>, Vec<Pending>) = self
            .outbox()?
            .into_iter()
            .partition(|p| p.acked_rev.is_none());
        self.write("outbox", &waiting)?;
        let mut entities: Vec<&str> = done.iter().map(|p| p.mutation.entity.as_str()).collect();
        entities.sort_unstable();
        entities.dedup();
        for entity in entities {
            let key = Self::index_key(entity);
            let ids: Vec<Uuid> = self.read(&key)?.unwrap_or_default();
            let kept: Vec<Uuid> = ids
                .into_iter()
                .filter(|id| {
                    waiting
                        .iter()
                        .any(|p| p.mutation.entity == entity && p.mutation.record_id == *id)
                })
                .collect();
            self.write(&key, &kept)?;
        }
        Ok(())
    }

    pub fn summary(&self) -> Result<Summary, StoreError> {
        Ok(Summary {
            waiting: self
                .outbox()?
                .iter()
                .filter(|p| p.acked_rev.is_none())
                .count(),
            needs_attention: self.refused()?.len(),
            last_sent_at: self.meta.last_sent_at.clone(),
        })
    }

    /// Data the device keeps beside the records (the partnerships it may
    /// write meetings for), refreshed when online, read when not.
    pub fn reference<T: for<'de> Deserialize<'de>>(
        &self,
        name: &str,
    ) -> Result<Option<T>, StoreError> {
        self.read(&format!("ref/{name}"))
    }

    pub fn set_reference<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), StoreError> {
        self.write(&format!("ref/{name}"), value)
    }

    /// The person has read why a change was refused and lets it go.
    pub fn dismiss_refused(&mut self, mutation_id: Uuid) -> Result<(), StoreError> {
        let mut refused = self.refused()?;
        refused.retain(|r| r.mutation.id != mutation_id);
        self.write("refused", &refused)
    }

    /// Everything not yet accepted, for a file the person can keep.
    pub fn rescue(&self) -> Result<Rescue, StoreError> {
        Ok(Rescue {
            schema_version: SCHEMA_VERSION,
            device_id: self.meta.device_id,
            pending: self
                .outbox()?
                .into_iter()
                .filter(|p| p.acked_rev.is_none())
                .map(|p| p.mutation)
                .collect(),
            refused: self.refused()?,
        })
    }

    /// Puts a rescue file's changes back in the outbox; ones already here
    /// are skipped, and the server applies each id at most once anyway.
    /// Returns how many were added.
    pub fn import_rescue(&mut self, rescue: Rescue) -> Result<usize, StoreError> {
        let mut outbox = self.outbox()?;
        let mut added = 0;
        for mutation in rescue.pending {
            if outbox.iter().any(|p| p.mutation.id == mutation.id) {
                continue;
            }
            self.add_to_index(&mutation.entity, mutation.record_id)?;
            outbox.push(Pending {
                mutation,
                sent: false,
                acked_rev: None,
            });
            added += 1;
        }
        self.write("outbox", &outbox)?;
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Uuid {
        Uuid::from_u128(7)
    }

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn ack(batch: &[Mutation], rev: i64) -> Vec<MutationResult> {
        batch
            .iter()
            .map(|m| MutationResult {
                id: m.id,
                status: Status::Applied,
                rev: Some(rev),
                replayed: false,
                conflicts: Vec::new(),
                error: None,
            })
            .collect()
    }

    #[test]
    fn a_saved_change_survives_reopening_and_typing_folds_into_one_mutation() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        let device = store.device_id();
        let id = Uuid::from_u128(1);
        store
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({"title": "Spot"})),
                None,
            )
            .expect("save");
        store
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({"title": "Spotkanie", "place": "czytelnia"})),
                None,
            )
            .expect("save");

        let store = LocalStore::open(store.into_storage(), user()).expect("reopen");
        assert_eq!(store.device_id(), device);
        assert_eq!(store.outbox().expect("outbox").len(), 1);
        assert_eq!(
            store.view("meeting", id).expect("view"),
            Some(fields(json!({"title": "Spotkanie", "place": "czytelnia"})))
        );
        assert_eq!(store.list("meeting").expect("list").len(), 1);
    }

    #[test]
    fn a_sent_mutation_is_never_changed_and_a_lost_answer_resends_the_same_id() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        let id = Uuid::from_u128(1);
        store
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({"title": "A"})),
                None,
            )
            .expect("save");
        let first = store.take_batch(100).expect("batch");
        // Typing goes on while the request is out: a new mutation, not a change to the sent one.
        store
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({"title": "AB"})),
                None,
            )
            .expect("save");
        // The request failed (network, 5xx): the next batch resends it as it was.
        let again = store.take_batch(100).expect("batch");
        assert_eq!(again.len(), 2);
        assert_eq!(again[0], first[0]);
        assert_eq!(
            store.view("meeting", id).expect("view"),
            Some(fields(json!({"title": "AB"})))
        );
    }

    #[test]
    fn pulled_state_stays_under_pending_edits_and_acknowledged_ones_leave() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        let id = Uuid::from_u128(1);
        store
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({"minutes": "moje"})),
                None,
            )
            .expect("save");
        let pulled = Change {
            entity: "meeting".into(),
            record_id: id,
            rev: 5,
            deleted: false,
            data: fields(json!({"title": "Z serwera", "minutes": "cudze"})),
        };
        store.apply_response(&[], &[pulled], 5, None).expect("pull");
        let view = store.view("meeting", id).expect("view").expect("record");
        assert_eq!(view["minutes"], "moje");
        assert_eq!(view["title"], "Z serwera");
        assert_eq!(store.cursor(), 5);
        assert_eq!(
            store.waiting_ids("meeting").expect("waiting"),
            HashSet::from([id])
        );
        assert!(store.waiting_ids("partner").expect("waiting").is_empty());

        let batch = store.take_batch(10).expect("batch");
        store
            .apply_response(&ack(&batch, 6), &[], 6, Some("2026-11-22T10:00:00Z".into()))
            .expect("ack");
        let summary = store.summary().expect("summary");
        assert_eq!(summary.waiting, 0);
        assert!(store.waiting_ids("meeting").expect("waiting").is_empty());
        assert_eq!(
            summary.last_sent_at.as_deref(),
            Some("2026-11-22T10:00:00Z")
        );
        // The next edit is based on what the device last pulled.
        store
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({"place": "sala"})),
                None,
            )
            .expect("save");
        // (The accepted change stays until its revision is pulled.)
        let outbox = store.outbox().expect("outbox");
        assert_eq!(outbox.len(), 2);
        assert_eq!(outbox[1].mutation.base_rev, Some(5));
    }

    #[test]
    fn a_refused_change_waits_under_needs_attention_and_does_not_block_others() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        store
            .save(
                "meeting",
                Uuid::from_u128(1),
                Op::Upsert,
                fields(json!({"title": ""})),
                None,
            )
            .expect("save");
        store
            .save(
                "meeting",
                Uuid::from_u128(2),
                Op::Upsert,
                fields(json!({"title": "Dobre"})),
                None,
            )
            .expect("save");
        let batch = store.take_batch(10).expect("batch");
        let mut results = ack(&batch, 3);
        results[0].status = Status::Rejected;
        results[0].error = Some(Rejection {
            code: crate::sync::RefusalCode::Validation,
            message: "title: required".into(),
            field: Some("title".into()),
            problem: Some(crate::errors::Problem::Required),
        });
        store
            .apply_response(&results, &[], 3, None)
            .expect("answer");
        let summary = store.summary().expect("summary");
        assert_eq!((summary.waiting, summary.needs_attention), (0, 1));
        assert_eq!(
            store.refused().expect("refused")[0].error.field.as_deref(),
            Some("title")
        );
    }

    #[test]
    fn a_full_store_refuses_the_change_and_keeps_what_was_there() {
        let mut storage = MemoryStorage::default();
        let mut store = LocalStore::open(storage.clone(), user()).expect("open");
        store
            .save(
                "meeting",
                Uuid::from_u128(1),
                Op::Upsert,
                fields(json!({"title": "A"})),
                None,
            )
            .expect("save");
        storage = store.into_storage();
        let used: usize = storage.items.iter().map(|(k, v)| k.len() + v.len()).sum();
        storage.quota = Some(used + 10);
        let mut store = LocalStore::open(storage, user()).expect("open");
        let long = fields(json!({"minutes": "x".repeat(1000)}));
        assert_eq!(
            store.save("meeting", Uuid::from_u128(2), Op::Upsert, long, None),
            Err(StoreError::Full)
        );
        assert_eq!(store.outbox().expect("outbox").len(), 1);
    }

    #[test]
    fn people_on_one_device_do_not_see_each_others_data() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        store
            .save(
                "meeting",
                Uuid::from_u128(1),
                Op::Upsert,
                fields(json!({"title": "A"})),
                None,
            )
            .expect("save");
        let other = LocalStore::open(store.into_storage(), Uuid::from_u128(8)).expect("open");
        assert!(other.list("meeting").expect("list").is_empty());
        assert_eq!(other.summary().expect("summary").waiting, 0);
    }

    #[test]
    fn a_rescue_file_brings_unsent_changes_back_once() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        store
            .save(
                "meeting",
                Uuid::from_u128(1),
                Op::Upsert,
                fields(json!({"title": "A"})),
                None,
            )
            .expect("save");
        let file = serde_json::to_string(&store.rescue().expect("rescue")).expect("json");

        let mut fresh = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        let rescue: Rescue = serde_json::from_str(&file).expect("parse");
        assert_eq!(fresh.import_rescue(rescue.clone()).expect("import"), 1);
        assert_eq!(fresh.import_rescue(rescue).expect("again"), 0);
        assert_eq!(
            fresh.view("meeting", Uuid::from_u128(1)).expect("view"),
            Some(fields(json!({"title": "A"})))
        );
    }

    #[test]
    fn a_refused_change_goes_only_when_the_person_lets_it_go() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        store
            .save(
                "meeting",
                Uuid::from_u128(1),
                Op::Upsert,
                fields(json!({"title": ""})),
                None,
            )
            .expect("save");
        let batch = store.take_batch(10).expect("batch");
        let mut results = ack(&batch, 3);
        results[0].status = Status::Rejected;
        store
            .apply_response(&results, &[], 3, None)
            .expect("answer");
        store
            .dismiss_refused(Uuid::from_u128(99))
            .expect("other id");
        assert_eq!(store.refused().expect("refused").len(), 1);
        store.dismiss_refused(batch[0].id).expect("dismiss");
        assert!(store.refused().expect("refused").is_empty());
    }

    #[test]
    fn reference_data_is_kept_per_person() {
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        store
            .set_reference("partnerships", &vec!["Zalesie".to_owned()])
            .expect("set");
        let other = LocalStore::open(store.into_storage(), Uuid::from_u128(8)).expect("open");
        assert_eq!(
            other
                .reference::<Vec<String>>("partnerships")
                .expect("read"),
            None
        );
    }

    /// What the browser counts against its quota (localStorage counts
    /// characters of keys and values).
    fn stored_chars(storage: &MemoryStorage) -> usize {
        storage.chars()
    }

    #[test]
    fn a_meeting_with_long_minutes_costs_little_more_than_its_text() {
        let minutes = "Ustalenia z wójtem gminy i dyrektorką szkoły. ".repeat(435);
        let text = minutes.chars().count();
        let meeting = fields(json!({
            "partnership_id": "5a1e0000-0000-4000-8000-000000000301",
            "kind": "working", "title": "Spotkanie robocze partnerstwa", "status": "draft",
            "starts_at": "2026-10-20T12:00:00Z", "ends_at": "2026-10-20T14:00:00Z",
            "place": "Czytelnia biblioteki", "facilitator": "Barbara Kowalska",
            "agenda": "1. Powitanie\n2. Plan działań\n3. Sprawy różne", "minutes": minutes,
            "decisions": "", "next_meeting": "", "tasks": [],
        }));
        let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
        let id = Uuid::from_u128(1);
        store
            .save("meeting", id, Op::Upsert, meeting.clone(), None)
            .expect("save");
        let waiting = stored_chars(&store.storage);
        let batch = store.take_batch(10).expect("batch");
        let pulled = Change {
            entity: "meeting".into(),
            record_id: id,
            rev: 1,
            deleted: false,
            data: meeting,
        };
        store
            .apply_response(&ack(&batch, 1), &[pulled], 1, None)
            .expect("sync");
        let synced = stored_chars(&store.storage);
        // The figures the README gives (≈ 20 000 characters of minutes).
        assert_eq!(text, 20_010);
        assert!(waiting - text < 1_000, "waiting: {waiting}");
        assert!(synced - text < 1_000, "synced: {synced}");
    }

    #[test]
    fn data_from_a_newer_app_is_left_alone() {
        let mut storage = MemoryStorage::default();
        storage
            .set(&format!("partnerstwa/{}/meta", user()), r#"{"schema_version":99,"device_id":"5a1e0000-0000-4000-8000-000000000001","cursor":0,"next_seq":1,"last_sent_at":null}"#)
            .expect("set");
        assert!(matches!(
            LocalStore::open(storage, user()),
            Err(StoreError::Newer(99))
        ));
    }
}
