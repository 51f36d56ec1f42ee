//! Taking in the server's answer to a round: acknowledgements, refusals,
//! and the page of pulled records (within the budget).

use super::{LocalStore, Pulled, Refused, Spare, Storage, StoreError};
use crate::sync::{Change, MutationResult, RefusalCode, Rejection, Status};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The record lists of the entities a page touches, read once and written
/// once (not once a record: a first pull brings thousands).
#[derive(Default)]
struct Indexes {
    lists: HashMap<String, (Vec<Uuid>, HashSet<Uuid>)>,
    grown: HashSet<String>,
}

impl Indexes {
    fn holds<S: Storage>(
        &mut self,
        store: &LocalStore<S>,
        entity: &str,
        id: Uuid,
    ) -> Result<bool, StoreError> {
        if !self.lists.contains_key(entity) {
            let ids: Vec<Uuid> = store
                .read(&LocalStore::<S>::index_key(entity))?
                .unwrap_or_default();
            let set = ids.iter().copied().collect();
            self.lists.insert(entity.to_owned(), (ids, set));
        }
        Ok(self
            .lists
            .get(entity)
            .is_some_and(|(_, set)| set.contains(&id)))
    }

    /// After `holds` has loaded the entity's list.
    fn add(&mut self, entity: &str, id: Uuid) {
        if let Some((ids, set)) = self.lists.get_mut(entity)
            && set.insert(id)
        {
            ids.push(id);
            self.grown.insert(entity.to_owned());
        }
    }
}

impl<S: Storage> LocalStore<S> {
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
        self.take_in(results, changes, cursor, now, &HashSet::new(), &[])
    }

    /// `apply_response`, taking even states it has for the libraries in
    /// `refill` (filled again), and letting records give up what `spare`
    /// allows to stay within the budget.
    pub(super) fn take_in(
        &mut self,
        results: &[MutationResult],
        changes: &[Change],
        cursor: i64,
        now: Option<String>,
        refill: &HashSet<Uuid>,
        spare: &Spare,
    ) -> Result<(), StoreError> {
        self.spent = false;
        // A store from before the budget counts what it holds once.
        self.replica()?;
        if !changes.is_empty() {
            // Until the page is in and counted, a reload counts again
            // rather than trust a count from before it.
            let mut meta = self.meta.clone();
            meta.replica = None;
            self.write("meta", &meta)?;
        }
        let mut indexes = Indexes::default();
        let taken = self.take_changes(changes, refill, spare, &mut indexes);
        // Written even when a record did not fit, so what was stored is listed.
        let listed = self.write_indexes(indexes);
        taken?;
        listed?;
        let answered: HashMap<Uuid, &MutationResult> = results.iter().map(|r| (r.id, r)).collect();
        let mut outbox = self.outbox()?;
        let mut refused = self.refused()?;
        outbox.retain(|pending| match answered.get(&pending.mutation.id) {
            None => true,
            Some(result) if result.status == Status::Rejected => {
                refused.push(Refused {
                    mutation: pending.mutation.clone(),
                    error: result.error.clone().unwrap_or(Rejection {
                        code: RefusalCode::Other,
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

    fn take_changes(
        &mut self,
        changes: &[Change],
        refill: &HashSet<Uuid>,
        spare: &Spare,
        indexes: &mut Indexes,
    ) -> Result<(), StoreError> {
        // Records a change made here waits for always go in: they let its
        // outbox entry go, which frees more than they take.
        let awaited: HashSet<(String, Uuid)> = self
            .outbox()?
            .into_iter()
            .map(|p| (p.mutation.entity, p.mutation.record_id))
            .collect();
        let mut over = false;
        for change in changes {
            let listed = indexes.holds(self, &change.entity, change.record_id)?;
            // A late answer can carry older states than the device has.
            // The same state again is taken in if it now says its library,
            // or comes with more or fewer fields (a library filled again).
            let again = change.library_id.is_some_and(|l| refill.contains(&l));
            let known = self.stored(&change.entity, change.record_id)?;
            if known.as_ref().is_some_and(|known| {
                let known = &known.pulled;
                known.rev > change.rev
                    || (known.rev == change.rev && known.library.is_some() && !again)
            }) {
                if !listed {
                    indexes.add(&change.entity, change.record_id);
                }
                continue;
            }
            let pulled = Pulled {
                rev: change.rev,
                deleted: change.deleted,
                data: change.data.clone(),
                library: change.library_id,
                spared: false,
            };
            let waited = awaited.contains(&(change.entity.clone(), change.record_id));
            match self.put_pulled(
                &change.entity,
                change.record_id,
                pulled,
                known.as_ref(),
                spare,
                waited,
            ) {
                Ok(()) => indexes.add(&change.entity, change.record_id),
                // The page comes again (the cursor stays); the rest of it
                // is still looked through for records changes here wait for.
                Err(StoreError::OverBudget) => over = true,
                Err(error) => return Err(error),
            }
        }
        if over {
            return Err(StoreError::OverBudget);
        }
        Ok(())
    }

    fn write_indexes(&mut self, indexes: Indexes) -> Result<(), StoreError> {
        for (entity, (ids, _)) in indexes.lists {
            if indexes.grown.contains(&entity) {
                self.write(&Self::index_key(&entity), &ids)?;
            }
        }
        Ok(())
    }
}
