//! Which libraries a device store holds: what it tells the server with each
//! pull, and letting go of the records of a library that left its scope.
//! Nothing with an unsent change goes.

use super::{LocalStore, Spare, Storage, StoreError};
use crate::sync::{Holding, SyncResponse};
use std::collections::HashSet;
use uuid::Uuid;

impl<S: Storage> LocalStore<S> {
    /// What this store holds, for the next pull.
    pub fn holding(&self) -> Holding {
        Holding {
            held: self.meta.held.clone(),
            offline: self.meta.offline.clone(),
            fill: self.meta.fill.clone(),
            editing: self.meta.editing.clone(),
        }
    }

    /// The libraries its person chose to hold offline here.
    pub fn offline_libraries(&self) -> &[Uuid] {
        &self.meta.offline
    }

    /// Chooses the libraries held offline here (beyond the person's own);
    /// the next pulls bring or drop their records.
    pub fn set_offline_libraries(&mut self, mut libraries: Vec<Uuid>) -> Result<(), StoreError> {
        libraries.sort_unstable();
        libraries.dedup();
        self.meta.offline = libraries;
        self.write("meta", &self.meta.clone())
    }

    /// A store from before scopes: its records do not say their library, so
    /// it pulls everything again from the start (its records stay readable
    /// meanwhile) and lets go of what does not come back.
    pub(super) fn relabel_if_unscoped(&mut self) {
        if self.meta.held.is_some() {
            return;
        }
        self.meta.held = Some(Vec::new());
        if self.meta.cursor > 0 {
            self.meta.cursor = 0;
            self.meta.relabel = true;
        }
        // Written with the next answer if the store is full now.
        let _ = self.write("meta", &self.meta.clone());
    }

    /// Takes in a whole answer to a pull: records of libraries no longer
    /// held go first (unless they hold unsent changes), then the answer's
    /// results, changes, cursor and scope are taken in together. If the
    /// records do not fit, the bookkeeping stays as it was, so the same
    /// page comes again: nothing is skipped. Records give up what `spare`
    /// allows to stay within the budget.
    pub fn apply_answer(
        &mut self,
        answer: &SyncResponse,
        now: Option<String>,
        spare: &Spare,
    ) -> Result<(), StoreError> {
        let before = self.meta.clone();
        let mut refill = HashSet::new();
        if let Some(scope) = &answer.scope {
            let keep: HashSet<Uuid> = scope
                .iter()
                .chain(answer.fill.iter().flat_map(|fill| &fill.libraries))
                .copied()
                .collect();
            let relabelled = self.meta.relabel && !answer.more;
            let left = self
                .meta
                .held
                .iter()
                .flatten()
                .chain(self.meta.fill.iter().flat_map(|fill| &fill.libraries))
                .any(|library| !keep.contains(library));
            if left || relabelled {
                self.drop_outside(&keep, relabelled)?;
            }
            // A library filled (again, when its editors' fields came or
            // went) takes even the states it has.
            let set = |list: &Option<Vec<Uuid>>| -> HashSet<Uuid> {
                list.iter().flatten().copied().collect()
            };
            let (was, now) = (set(&self.meta.editing), set(&answer.editing));
            let held = set(&self.meta.held);
            refill = self
                .meta
                .fill
                .iter()
                .chain(&answer.fill)
                .flat_map(|fill| fill.libraries.iter().copied())
                .chain(was.symmetric_difference(&now).copied())
                .chain(scope.iter().filter(|l| !held.contains(l)).copied())
                .collect();
            self.meta.held = Some(scope.clone());
            self.meta.fill = answer.fill.clone();
            self.meta.editing = answer.editing.clone();
            self.meta.relabel &= !relabelled;
        }
        let applied = self.take_in(
            &answer.results,
            &answer.changes,
            answer.cursor,
            now,
            &refill,
            spare,
        );
        if applied.is_err() {
            // The records written stay (the same page brings them again);
            // what they take is still counted.
            let (replica, spared) = (self.meta.replica, std::mem::take(&mut self.meta.spared));
            self.meta = before;
            self.meta.replica = replica;
            self.meta.spared = spared;
            let _ = self.write("meta", &self.meta.clone());
        }
        applied
    }

    /// Lets go of every pulled record but those with changes still to send
    /// (another person's store on a shared tablet); the next pull starts
    /// from the beginning.
    pub fn let_go_of_pulled(&mut self) -> Result<(), StoreError> {
        self.drop_outside(&HashSet::new(), true)?;
        self.meta.cursor = 0;
        self.meta.held = Some(Vec::new());
        self.meta.fill = None;
        self.meta.editing = Some(Vec::new());
        self.meta.relabel = false;
        self.write("meta", &self.meta.clone())
    }

    /// Removes pulled records of libraries outside `keep` (and, with
    /// `unlabelled`, those that do not say their library), except records
    /// with changes still in the outbox or refused.
    fn drop_outside(&mut self, keep: &HashSet<Uuid>, unlabelled: bool) -> Result<(), StoreError> {
        let outbox = self.outbox()?;
        // Changes the server has not taken yet keep their records; an
        // accepted one would wait for a pull that no longer comes.
        let mine: HashSet<(String, Uuid)> = outbox
            .iter()
            .filter(|p| p.acked_rev.is_none())
            .map(|p| &p.mutation)
            .chain(self.refused()?.iter().map(|r| &r.mutation))
            .map(|m| (m.entity.clone(), m.record_id))
            .collect();
        let mut dropped: HashSet<(String, Uuid)> = HashSet::new();
        let index = format!("{}index/", self.prefix);
        let entities: Vec<String> = self
            .storage
            .keys()
            .into_iter()
            .filter_map(|key| key.strip_prefix(&index).map(str::to_owned))
            .collect();
        for entity in entities {
            let key = Self::index_key(&entity);
            let ids: Vec<Uuid> = self.read(&key)?.unwrap_or_default();
            let mut kept = Vec::with_capacity(ids.len());
            for id in ids {
                let record = Self::record_key(&entity, id);
                let goes = if mine.contains(&(entity.clone(), id)) {
                    None
                } else {
                    self.stored(&entity, id)?.filter(|stored| {
                        stored
                            .pulled
                            .library
                            .map_or(unlabelled, |library| !keep.contains(&library))
                    })
                };
                if let Some(stored) = goes {
                    self.storage.remove(&format!("{}{record}", self.prefix));
                    self.forgot(&stored, &entity);
                    dropped.insert((entity.clone(), id));
                } else {
                    kept.push(id);
                }
            }
            self.write(&key, &kept)?;
        }
        let (gone, left): (Vec<_>, Vec<_>) = outbox
            .into_iter()
            .partition(|p| dropped.contains(&(p.mutation.entity.clone(), p.mutation.record_id)));
        if !gone.is_empty() {
            self.write("outbox", &left)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Change, Op, local::MemoryStorage};
    use serde_json::{Map, Value, json};

    const A: Uuid = Uuid::from_u128(0xA);
    const B: Uuid = Uuid::from_u128(0xB);

    fn change(id: u128, rev: i64, library: Option<Uuid>) -> Change {
        let mut data = Map::new();
        data.insert("title".into(), json!(format!("Spotkanie {id}")));
        Change {
            entity: "meeting".into(),
            record_id: Uuid::from_u128(id),
            rev,
            deleted: false,
            data,
            library_id: library,
        }
    }

    fn answer(changes: Vec<Change>, cursor: i64, scope: &[Uuid]) -> SyncResponse {
        SyncResponse {
            results: Vec::new(),
            changes,
            cursor,
            more: false,
            scope: Some(scope.to_vec()),
            fill: None,
            editing: None,
        }
    }

    fn ids(store: &LocalStore<MemoryStorage>) -> Vec<u128> {
        let mut ids: Vec<u128> = store
            .list("meeting")
            .expect("list")
            .into_iter()
            .map(|(id, _)| id.as_u128())
            .collect();
        ids.sort_unstable();
        ids
    }

    fn edit(store: &mut LocalStore<MemoryStorage>, id: u128) {
        let mut data = Map::new();
        data.insert("place".into(), json!("świetlica"));
        store
            .save("meeting", Uuid::from_u128(id), Op::Upsert, data, None)
            .expect("saved");
    }

    #[test]
    fn records_of_a_library_let_go_of_leave_but_those_with_unsent_changes_stay() {
        let user = Uuid::from_u128(7);
        let mut store = LocalStore::open(MemoryStorage::default(), user).expect("store");
        let first = vec![
            change(1, 1, Some(A)),
            change(2, 2, Some(B)),
            change(3, 3, Some(B)),
        ];
        store
            .apply_answer(&answer(first, 3, &[A, B]), None, &[])
            .expect("pull");
        edit(&mut store, 3);
        store
            .apply_answer(&answer(Vec::new(), 3, &[A]), None, &[])
            .expect("pull");
        assert_eq!(ids(&store), [1, 3]);
        assert_eq!(store.holding().held, Some(vec![A]));
        let reopened = LocalStore::open(store.into_storage(), user).expect("store");
        assert_eq!(ids(&reopened), [1, 3]);
        assert_eq!(reopened.cursor(), 3);
    }

    #[test]
    fn a_page_that_does_not_fit_leaves_the_bookkeeping_so_the_same_page_comes_again() {
        let user = Uuid::from_u128(7);
        let mut store = LocalStore::open(MemoryStorage::default(), user).expect("store");
        store
            .apply_answer(&answer(vec![change(1, 1, Some(A))], 5, &[A]), None, &[])
            .expect("pull");
        let room = store.storage().chars();
        let mut storage = store.into_storage();
        storage.quota = Some(room + 2_000);
        let mut store = LocalStore::open(storage, user).expect("store");
        // B is being filled; its next page is too large for what is left.
        let mut long = change(2, 2, Some(B));
        long.data.insert("minutes".into(), json!("x".repeat(5_000)));
        let mut page = answer(vec![long], 5, &[A]);
        page.more = true;
        page.fill = Some(crate::sync::Fill {
            libraries: vec![B],
            after: 2,
        });
        assert_eq!(store.apply_answer(&page, None, &[]), Err(StoreError::Full));
        assert_eq!(store.holding().fill, None, "the fill is not taken as done");
        let reopened = LocalStore::open(store.into_storage(), user).expect("store");
        assert_eq!(reopened.holding().fill, None);
        assert_eq!(reopened.holding().held, Some(vec![A]));
        assert_eq!(reopened.cursor(), 5);
    }

    #[test]
    fn a_library_let_go_of_while_it_is_filled_leaves_and_takes_its_accepted_changes_along() {
        let user = Uuid::from_u128(7);
        let mut store = LocalStore::open(MemoryStorage::default(), user).expect("store");
        store
            .apply_answer(&answer(vec![change(1, 1, Some(A))], 5, &[A]), None, &[])
            .expect("pull");
        let mut page = answer(vec![change(2, 2, Some(B)), change(3, 3, Some(B))], 5, &[A]);
        page.more = true;
        page.fill = Some(crate::sync::Fill {
            libraries: vec![B],
            after: 3,
        });
        store.apply_answer(&page, None, &[]).expect("fill");
        assert_eq!(ids(&store), [1, 2, 3]);
        // An edit of record 2 the server accepted, whose pull never comes.
        edit(&mut store, 2);
        let batch = store.take_batch(10).expect("batch");
        let accepted: Vec<crate::sync::MutationResult> = batch
            .iter()
            .map(|m| crate::sync::MutationResult {
                id: m.id,
                status: crate::sync::Status::Applied,
                rev: Some(9),
                replayed: false,
                conflicts: Vec::new(),
                error: None,
            })
            .collect();
        let mut acked = answer(Vec::new(), 5, &[A]);
        acked.results = accepted;
        acked.more = true;
        acked.fill = page.fill.clone();
        store.apply_answer(&acked, None, &[]).expect("ack");
        // Let go of before the fill ends.
        store
            .apply_answer(&answer(Vec::new(), 5, &[A]), None, &[])
            .expect("pull");
        assert_eq!(ids(&store), [1]);
        assert!(store.outbox().expect("outbox").is_empty());
        assert_eq!(store.holding().fill, None);
    }

    #[test]
    fn a_store_from_before_scopes_pulls_again_and_lets_go_of_what_does_not_come_back() {
        let user = Uuid::from_u128(7);
        let mut store = LocalStore::open(MemoryStorage::default(), user).expect("store");
        let old = vec![change(1, 5, None), change(2, 6, None), change(3, 7, None)];
        store.apply_response(&[], &old, 10, None).expect("pull");
        // As an older version left it: its bookkeeping knows no scope.
        let mut storage = store.into_storage();
        let key = format!("{}meta", super::super::namespace(user));
        let mut meta: Value = serde_json::from_str(&storage.items[&key]).expect("meta");
        meta.as_object_mut().expect("object").remove("held");
        storage.items.insert(key, meta.to_string());

        let mut store = LocalStore::open(storage, user).expect("store");
        assert_eq!(store.cursor(), 0, "pulls everything again");
        assert_eq!(ids(&store), [1, 2, 3], "readable meanwhile");
        edit(&mut store, 3);
        // Only record 1 is still in the scope; the same state comes back
        // and now says its library.
        store
            .apply_answer(&answer(vec![change(1, 5, Some(A))], 10, &[A]), None, &[])
            .expect("pull");
        assert_eq!(ids(&store), [1, 3], "3 has an unsent change");
        let pulled = store.pulled("meeting", Uuid::from_u128(1)).expect("read");
        assert_eq!(pulled.and_then(|p| p.library), Some(A));
        assert_eq!(store.cursor(), 10);
        assert!(!store.meta.relabel);
    }
}
