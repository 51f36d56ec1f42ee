//! The device's side of sync: records as last pulled, an outbox of
//! mutations not yet acknowledged, and what the server refused — all in
//! browser storage, namespaced by person, so nothing saved is lost to a
//! reload, a closed tab or a second person on the same tablet.
//!
//! The logic is written against `Storage`, so it runs (and is tested) the
//! same in memory as in the browser's localStorage.

use super::{Mutation, Op};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use std::collections::HashSet;
use uuid::Uuid;

mod budget;
mod device;
mod intake;
mod records;
mod rescue;
mod scope;
mod storage;
pub use budget::{REPLICA_BUDGET, Spare, Usage};
pub use device::{forget_others, people, read_as};
use records::Meta;
pub use records::{Pending, Pulled, Refused, Rescue, Summary};
pub use storage::*;

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
    /// Pulled records would pass their share of the storage (`REPLICA_BUDGET`)
    /// even after letting go of what they can spare: the pull stops there.
    #[error("the records from the server do not fit in their share of the device storage")]
    OverBudget,
    /// Stored data this version cannot read (written by a newer app).
    #[error("stored data has schema version {0}, newer than this app")]
    Newer(u32),
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// No store is open: not signed in, or the browser has no storage.
    #[error("no local store is open")]
    Unavailable,
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
    /// A pass over the records found nothing more to let go of (until the
    /// next answer is taken in).
    spent: bool,
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
                held: Some(Vec::new()),
                offline: Vec::new(),
                fill: None,
                editing: Some(Vec::new()),
                relabel: false,
                replica: Some(0),
                spared: Default::default(),
            },
            spent: false,
        };
        match store.read::<Meta>("meta")? {
            Some(meta) if meta.schema_version > SCHEMA_VERSION => {
                return Err(StoreError::Newer(meta.schema_version));
            }
            Some(meta) => {
                store.meta = meta;
                store.relabel_if_unscoped();
            }
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

    /// Whether anything made on this device still waits for the server:
    /// a change not yet acknowledged, or one refused and not let go.
    pub fn holds_unsent(&self) -> Result<bool, StoreError> {
        let unsent = self.outbox()?.iter().any(|p| p.acked_rev.is_none());
        Ok(unsent || !self.refused()?.is_empty())
    }

    /// Removes this store's data from the device (its person's records,
    /// outbox and references); gives the storage back.
    pub fn forget(mut self) -> S {
        for key in self.storage.keys() {
            if key.starts_with(&self.prefix) {
                self.storage.remove(&key);
            }
        }
        self.storage
    }

    /// The record as `view` shows it, read as a feature's type `T`; `None`
    /// when unknown, deleted or not a `T`.
    pub fn view_as<T: DeserializeOwned>(
        &self,
        entity: &str,
        id: Uuid,
    ) -> Result<Option<T>, StoreError> {
        Ok(self
            .view(entity, id)?
            .and_then(|data| read_as(entity, id, data)))
    }

    /// Every record of `entity`, as `list` gives them, read as `T`.
    pub fn list_as<T: DeserializeOwned>(&self, entity: &str) -> Result<Vec<(Uuid, T)>, StoreError> {
        Ok(self
            .list(entity)?
            .into_iter()
            .filter_map(|(id, data)| read_as(entity, id, data).map(|record| (id, record)))
            .collect())
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
}

#[cfg(test)]
mod tests;
