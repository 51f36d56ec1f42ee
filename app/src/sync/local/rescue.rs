//! The rescue file: everything made on a device and not yet accepted, for
//! a person to keep, and to put back in an outbox.

use super::{LocalStore, Pending, Rescue, SCHEMA_VERSION, Storage, StoreError};

impl<S: Storage> LocalStore<S> {
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
