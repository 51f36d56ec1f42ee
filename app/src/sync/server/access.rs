//! Whether a mutation may be written: the entity's own checks, given the
//! sender, the record before and after, linked records and the batch's facts,
//! and which library a new record belongs to.

use super::{batch::Batch, limits::Fields};
use crate::{
    errors::Problem,
    sync::{
        Mutation,
        rules::{EntityRules, Owner, Refusal, WriteCheck, check_fields, check_whole, uuid_in},
    },
};
use serde_json::{Map, Value};
use uuid::Uuid;

impl Batch<'_> {
    /// The library of a linked record, if it exists and is not deleted.
    pub(super) fn linked_library(&self, entity: &str, id: Uuid) -> Option<Uuid> {
        self.records
            .get(&(entity.to_owned(), id))
            .filter(|row| !row.deleted)
            .map(|row| row.library_id)
    }

    /// Runs `rules`' check on a write of `data` to a record of `library_id`.
    pub(super) fn check_write(
        &self,
        rules: &dyn EntityRules,
        mutation: &Mutation,
        library_id: Uuid,
        data: &Map<String, Value>,
        creating: bool,
        touch_only: bool,
    ) -> Result<(), Refusal> {
        let linked = |entity: &str, id: Uuid| self.linked_library(entity, id);
        let before = self
            .records
            .get(&(mutation.entity.clone(), mutation.record_id))
            .filter(|row| !row.deleted)
            .map(|row| &row.data);
        let write = WriteCheck {
            actor: &self.sender.actor,
            mutation,
            library_id,
            data,
            before,
            creating,
            linked: &linked,
            facts: self.facts.get(rules.name()).map(|f| f.as_ref()),
        };
        if touch_only {
            rules.may_touch(&write)
        } else {
            rules.may_write(&write)
        }
    }

    /// The library owning a new record, from its owner field.
    pub(super) fn owner_of(
        &self,
        rules: &dyn EntityRules,
        data: &Map<String, Value>,
    ) -> Option<Uuid> {
        match rules.owner() {
            Owner::Library(field) => uuid_in(data, field).filter(|l| self.libraries.contains(l)),
            Owner::Partnership(field) => {
                uuid_in(data, field).and_then(|p| self.partnerships.get(&p).copied())
            }
            Owner::Record { field, entity } => {
                uuid_in(data, field).and_then(|id| self.linked_library(entity, id))
            }
        }
    }

    /// A new record's fields checked, and the library that will own it.
    pub(super) fn checked_new(
        &self,
        rules: &dyn EntityRules,
        mutation: &Mutation,
        fields: Option<Fields>,
    ) -> Result<(Map<String, Value>, Uuid), Refusal> {
        let data = fields
            .unwrap_or_else(|| check_fields(rules, &mutation.data))
            .and_then(|fields| check_whole(rules, fields))
            .map_err(|(field, problem)| Refusal::Invalid { field, problem })?;
        match self.owner_of(rules, &data) {
            Some(library_id) => Ok((data, library_id)),
            None => Err(Refusal::invalid(
                rules.owner().field(),
                Problem::NotAllowedChoice,
            )),
        }
    }
}
