//! The share of the browser's storage that records pulled from the server
//! may take. Browsers give a site about five million characters of
//! localStorage; what is left beside the budget is kept for what a person
//! makes on the device (the outbox, drafts, a kiosk's sign-ins), so saving
//! never fails because of what was pulled. Past the budget the oldest
//! records let go of the fields their entity can spare (a signature, shown
//! from the server when online); if that is not enough, the pull stops and
//! the header says so.

use super::{LocalStore, Pulled, Storage, StoreError};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Bytes (of keys and JSON) the pulled records may take. Bytes count no
/// fewer than the UTF-16 units a browser's quota counts, so the budget holds.
pub const REPLICA_BUDGET: u64 = 2_500_000;

/// Letting go goes down to this, so the next records of a page find room
/// without another pass over the store.
const SHED_TO: u64 = REPLICA_BUDGET * 4 / 5;

/// Fields a device may let go of when its replica passes the budget, by
/// entity (`EntityRules::spare`).
pub type Spare = [(&'static str, &'static [&'static str])];

/// What this device holds of the server's data, for the person to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub replica: u64,
    pub budget: u64,
    /// Records whose spare fields are on the server only, by entity.
    pub spared: BTreeMap<String, u64>,
}

/// A pulled record as stored, with the bytes it takes.
pub(super) struct Stored {
    pub(super) size: u64,
    pub(super) pulled: Pulled,
}

fn spare_of(spare: &Spare, entity: &str) -> &'static [&'static str] {
    spare
        .iter()
        .find(|(name, _)| *name == entity)
        .map_or(&[], |(_, fields)| fields)
}

/// Removes `fields` from a record; whether any was there.
fn let_go(pulled: &mut Pulled, fields: &[&str]) -> bool {
    let mut any = false;
    for field in fields {
        any |= pulled.data.remove(*field).is_some();
    }
    pulled.spared |= any;
    any
}

impl<S: Storage> LocalStore<S> {
    fn size_of(&self, key: &str, text: &str) -> u64 {
        (self.prefix.len() + key.len() + text.len()) as u64
    }

    /// A pulled record with the bytes it takes.
    pub(super) fn stored(&self, entity: &str, id: Uuid) -> Result<Option<Stored>, StoreError> {
        let key = Self::record_key(entity, id);
        let Some(text) = self.storage.get(&format!("{}{key}", self.prefix)) else {
            return Ok(None);
        };
        let pulled: Pulled =
            serde_json::from_str(&text).map_err(|e| StoreError::Damaged(e.to_string()))?;
        Ok(Some(Stored {
            size: self.size_of(&key, &text),
            pulled,
        }))
    }

    /// What the device holds of the server's data; `None` in a store from
    /// before it was counted, until its next pull.
    pub fn usage(&self) -> Option<Usage> {
        Some(Usage {
            replica: self.meta.replica?,
            budget: REPLICA_BUDGET,
            spared: self.meta.spared.clone(),
        })
    }

    /// Bytes the pulled records take, counted once for a store that does
    /// not know it yet.
    pub(super) fn replica(&mut self) -> Result<u64, StoreError> {
        match self.meta.replica {
            Some(bytes) => Ok(bytes),
            None => {
                self.recount(&[], u64::MAX, None)?;
                Ok(self.meta.replica.unwrap_or(0))
            }
        }
    }

    /// A record left the store (`drop_outside`).
    pub(super) fn forgot(&mut self, stored: &Stored, entity: &str) {
        if let Some(bytes) = &mut self.meta.replica {
            *bytes = bytes.saturating_sub(stored.size);
        }
        if stored.pulled.spared {
            self.count_spared(entity, -1);
        }
    }

    fn count_spared(&mut self, entity: &str, by: i64) {
        let count = self.meta.spared.entry(entity.to_owned()).or_default();
        *count = count.saturating_add_signed(by);
        if *count == 0 {
            self.meta.spared.remove(entity);
        }
    }

    /// Writes a pulled record in place of `before`, within the budget:
    /// older records let go of their spare fields first, then this one;
    /// `OverBudget` if it still does not fit (nothing written). One that
    /// a change made here `awaited` goes in all the same.
    pub(super) fn put_pulled(
        &mut self,
        entity: &str,
        id: Uuid,
        mut pulled: Pulled,
        before: Option<&Stored>,
        spare: &Spare,
        awaited: bool,
    ) -> Result<(), StoreError> {
        let key = Self::record_key(entity, id);
        let encode = |pulled: &Pulled| {
            serde_json::to_string(pulled).map_err(|e| StoreError::Damaged(e.to_string()))
        };
        let mut text = encode(&pulled)?;
        let old = before.map_or(0, |b| b.size);
        let fits = |store: &mut Self, text: &str| -> Result<bool, StoreError> {
            let size = store.size_of(&key, text);
            Ok(store.replica()?.saturating_sub(old) + size <= REPLICA_BUDGET)
        };
        if !fits(self, &text)? && !self.spent {
            let size = self.size_of(&key, &text);
            self.recount(spare, SHED_TO.saturating_sub(size), Some((entity, id)))?;
        }
        if !fits(self, &text)? && let_go(&mut pulled, spare_of(spare, entity)) {
            text = encode(&pulled)?;
        }
        if !fits(self, &text)? && !awaited {
            return Err(StoreError::OverBudget);
        }
        self.storage.set(&format!("{}{key}", self.prefix), &text)?;
        // It can spare something later: the next pass may find it.
        if spare_of(spare, entity)
            .iter()
            .any(|field| pulled.data.contains_key(*field))
        {
            self.spent = false;
        }
        let size = self.size_of(&key, &text);
        let total = self.replica()?.saturating_sub(old) + size;
        self.meta.replica = Some(total);
        let was = before.is_some_and(|b| b.pulled.spared);
        self.count_spared(entity, i64::from(pulled.spared) - i64::from(was));
        Ok(())
    }

    /// Counts what the pulled records take, exactly, and lets the oldest
    /// (by revision) give up their spare fields until they take no more
    /// than `target`. `except` is the record about to be written.
    fn recount(
        &mut self,
        spare: &Spare,
        target: u64,
        except: Option<(&str, Uuid)>,
    ) -> Result<(), StoreError> {
        // Every stored record, found by its key: the lists of a page being
        // taken in are written only once it is.
        let records = format!("{}rec/", self.prefix);
        let stored: Vec<(String, Uuid)> = self
            .storage
            .keys()
            .into_iter()
            .filter_map(|key| {
                let (entity, id) = key.strip_prefix(&records)?.split_once('/')?;
                Some((entity.to_owned(), Uuid::parse_str(id).ok()?))
            })
            .collect();
        let mut total = 0u64;
        let mut spared: BTreeMap<String, u64> = BTreeMap::new();
        // (rev, entity, id, fields): records that still hold spare fields.
        let mut candidates: Vec<(i64, &str, Uuid, &'static [&'static str])> = Vec::new();
        for (entity, id) in &stored {
            let record = match self.stored(entity, *id) {
                Ok(Some(record)) => record,
                Ok(None) => continue,
                // Counted as it lies; nothing else is read from it.
                Err(_) => {
                    let key = Self::record_key(entity, *id);
                    let text = self.storage.get(&format!("{}{key}", self.prefix));
                    total += text.map_or(0, |text| self.size_of(&key, &text));
                    continue;
                }
            };
            total += record.size;
            if record.pulled.spared {
                *spared.entry(entity.clone()).or_default() += 1;
            }
            let fields = spare_of(spare, entity);
            let holds = fields.iter().any(|f| {
                record
                    .pulled
                    .data
                    .get(*f)
                    .is_some_and(|v| !matches!(v, Value::Null))
            });
            if holds && except != Some((entity.as_str(), *id)) {
                candidates.push((record.pulled.rev, entity.as_str(), *id, fields));
            }
        }
        candidates.sort_unstable_by_key(|(rev, ..)| *rev);
        let mut candidates = candidates.into_iter();
        while total > target {
            let Some((_, entity, id, fields)) = candidates.next() else {
                // Nothing more to let go of: no further passes this time.
                self.spent = true;
                break;
            };
            let Some(mut stored) = self.stored(entity, id)? else {
                continue;
            };
            let_go(&mut stored.pulled, fields);
            let key = Self::record_key(entity, id);
            let text = serde_json::to_string(&stored.pulled)
                .map_err(|e| StoreError::Damaged(e.to_string()))?;
            if let Err(error) = self.storage.set(&format!("{}{key}", self.prefix), &text) {
                // Counted again from scratch next time.
                self.meta.replica = None;
                return Err(error);
            }
            total = total - stored.size + self.size_of(&key, &text);
            *spared.entry(entity.to_owned()).or_default() += 1;
        }
        self.meta.replica = Some(total);
        self.meta.spared = spared;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
