//! How one mutation changes a record: merged entities field by field
//! against what the device saw, append-only ones once.

use super::{
    applied,
    batch::{Applied, Batch, Key},
    limits::{Fields, record_bytes, too_large},
    refused, rejection,
};
use crate::{
    errors::{AppError, Problem},
    sync::{
        MAX_RECORD_BYTES, Mutation, MutationResult, Op, RefusalCode, Status, merge,
        rules::{Amendment, EntityRules, Refusal, check_fields},
    },
};
use serde_json::{Map, Value};
use sqlx::PgConnection;

/// A field's value that lost a merge, written only if the mutation is accepted.
struct SetAside {
    field: String,
    kept: Value,
    other: Value,
}

impl<'a> Batch<'a> {
    /// A change to a record edited field by field: checked, authorized by its
    /// library, merged with what other devices changed since this one saw it.
    pub(super) async fn apply_merged(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        fields: Option<Fields>,
        rules: &'static dyn EntityRules,
        text_fields: &[&str],
        list_fields: &[&str],
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        let key: Key = (mutation.entity.clone(), mutation.record_id);
        let Some(current) = self.records.get(&key).cloned() else {
            return match mutation.op {
                Op::Delete => Ok(refused(id, Refusal::NotFound("no such record"))),
                Op::Upsert => self.create(tx, mutation, fields, rules).await,
            };
        };
        let library_id = current.library_id;
        if let Err(refusal) =
            self.check_write(rules, mutation, library_id, &current.data, false, true)
        {
            return Ok(refused(id, refusal));
        }
        match (mutation.op, current.deleted) {
            // Deleting twice is the same deletion.
            (Op::Delete, true) => return Ok(applied(id, current.rev, Vec::new(), false)),
            (Op::Upsert, true) => {
                return Ok(refused(id, Refusal::NotFound("the record was deleted")));
            }
            (Op::Delete, false) => {
                // A device that did not see the latest changes would throw
                // them away unseen: it is told, and the record stays.
                if mutation.base_rev != Some(current.rev) {
                    let seen = self
                        .device_view(tx, rules, mutation, mutation.base_rev.unwrap_or(0))
                        .await?;
                    if seen != current.data {
                        return Ok(rejection(
                            id,
                            RefusalCode::Stale,
                            "the record was changed since this device saw it",
                        ));
                    }
                }
                let rev = self
                    .put(tx, key.clone(), library_id, true, Map::new())
                    .await?;
                self.forget_conflicts_of(tx, &key).await?;
                return Ok(applied(id, rev, Vec::new(), false));
            }
            (Op::Upsert, false) => {}
        }

        let checked = fields.unwrap_or_else(|| check_fields(rules, &mutation.data));
        let incoming = match checked {
            Ok(fields) => fields,
            Err((field, problem)) => return Ok(refused(id, Refusal::Invalid { field, problem })),
        };
        let owner = rules.owner().field();
        let mut data = current.data.clone();
        if let Some(named) = incoming.get(owner)
            && Some(named) != data.get(owner)
        {
            return Ok(refused(
                id,
                Refusal::invalid(owner, Problem::NotAllowedChoice),
            ));
        }

        // A device that saw the current revision saw exactly the current data
        // (the common case: one person editing); otherwise rebuild its view.
        // One that never saw the record counts as having seen nothing of it.
        let seen = match mutation.base_rev {
            Some(base) if base == current.rev => current.data.clone(),
            base => {
                self.device_view(tx, rules, mutation, base.unwrap_or(0))
                    .await?
            }
        };

        let mut changed = false;
        let mut merged = false;
        let mut set_aside: Vec<SetAside> = Vec::new();
        for (field, value) in incoming {
            let server = data.get(&field).cloned().unwrap_or(Value::Null);
            if server == value {
                continue;
            }
            let ancestor = seen.get(&field).cloned().unwrap_or(Value::Null);
            // Unchanged on the server since the device saw it: the device's value stands.
            if server == ancestor {
                data.insert(field, value);
                changed = true;
                continue;
            }
            // Both sides changed the field since the device's base.
            let outcome = if text_fields.contains(&field.as_str()) {
                merge::text(&ancestor, &server, &value)
            } else if list_fields.contains(&field.as_str()) {
                // A merged list must pass its field's check too (its length,
                // its numbering); if it does not, the device's list stands.
                match merge::list(&ancestor, &server, &value) {
                    merge::Merged::Clean(list) | merge::Merged::Clash { kept: list, .. }
                        if rules.check_field(&field, &list).is_err() =>
                    {
                        merge::Merged::Clash {
                            kept: value.clone(),
                            other: server.clone(),
                        }
                    }
                    outcome => outcome,
                }
            } else {
                // Short fields: the later change (in server order) wins; the
                // replaced value is kept so that nothing is silently lost.
                merge::Merged::Clash {
                    kept: value.clone(),
                    other: server.clone(),
                }
            };
            let kept = match outcome {
                merge::Merged::Clean(kept) => {
                    merged = true;
                    kept
                }
                merge::Merged::Clash { kept, other } => {
                    set_aside.push(SetAside {
                        field: field.clone(),
                        kept: kept.clone(),
                        other,
                    });
                    kept
                }
            };
            if kept != server {
                data.insert(field, kept);
                changed = true;
            }
        }
        if let Err((field, problem)) = rules.check_record(&data) {
            return Ok(refused(id, Refusal::invalid(field, problem)));
        }
        // The merged record must still be one this person may write (a
        // tutor cannot hand her consultation to another tutor).
        if let Err(refusal) = self.check_write(rules, mutation, library_id, &data, false, false) {
            return Ok(refused(id, refusal));
        }
        if record_bytes(&data) > MAX_RECORD_BYTES {
            return Ok(too_large(id));
        }
        // Accepted: only now is what lost a merge kept.
        let conflicts: Vec<String> = set_aside.iter().map(|s| s.field.clone()).collect();
        for aside in set_aside {
            self.conflict(
                tx,
                library_id,
                mutation,
                &aside.field,
                &aside.kept,
                &aside.other,
            )
            .await?;
        }
        if !changed {
            return Ok(applied(id, current.rev, conflicts, merged));
        }
        let rev = self.put(tx, key, library_id, false, data).await?;
        Ok(applied(id, rev, conflicts, merged))
    }

    async fn create(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        fields: Option<Fields>,
        rules: &'static dyn EntityRules,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        let (data, library_id) = match self.checked_new(rules, mutation, fields) {
            Ok(checked) => checked,
            Err(refusal) => return Ok(refused(id, refusal)),
        };
        if let Err(refusal) = self.check_write(rules, mutation, library_id, &data, true, false) {
            return Ok(refused(id, refusal));
        }
        let key = (mutation.entity.clone(), mutation.record_id);
        let rev = self.put(tx, key, library_id, false, data).await?;
        Ok(applied(id, rev, Vec::new(), false))
    }

    /// What the device saw when it made `mutation`: the record at `base_rev`
    /// with the device's own later mutations on it (it builds each edit on
    /// its own unacknowledged ones), in the order the server applied them.
    /// The device's own changes are taken as the server stored them
    /// (checked and normalized: trimmed, lower-cased e-mails), so they
    /// compare equal with what they became.
    async fn device_view(
        &self,
        tx: &mut PgConnection,
        rules: &dyn EntityRules,
        mutation: &Mutation,
        base_rev: i64,
    ) -> Result<Map<String, Value>, AppError> {
        let key = (mutation.entity.clone(), mutation.record_id);
        let mut view = Map::new();
        let own = |fields: &Map<String, Value>| -> Map<String, Value> {
            fields
                .iter()
                .map(|(field, value)| {
                    let stored = rules
                        .check_field(field, value)
                        .unwrap_or_else(|_| value.clone());
                    (field.clone(), stored)
                })
                .collect()
        };
        // A record this request created has no stored past to read.
        if self.stored.contains(&key) {
            let (base, earlier) = self.stored_view(tx, mutation, base_rev).await?;
            view = base;
            for fields in &earlier {
                view.extend(own(fields));
            }
        }
        // This request's earlier mutations come after everything stored.
        for Applied {
            mutation: earlier,
            result,
            device_id,
            ..
        } in &self.applied
        {
            if *device_id == self.sender.device_id
                && earlier.entity == mutation.entity
                && earlier.record_id == mutation.record_id
                && result.status != Status::Rejected
                && result.rev.is_some_and(|rev| rev > base_rev)
            {
                view.extend(own(&earlier.data));
            }
        }
        Ok(view)
    }

    /// The stored part of `device_view`: the version at `base_rev`, and the
    /// device's mutations applied by earlier requests, in order.
    async fn stored_view(
        &self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        base_rev: i64,
    ) -> Result<(Map<String, Value>, Vec<Map<String, Value>>), AppError> {
        let base: Option<Value> = sqlx::query_scalar(
            "select data from record_versions where entity = $1 and record_id = $2 and rev <= $3
             order by rev desc limit 1",
        )
        .bind(&mutation.entity)
        .bind(mutation.record_id)
        .bind(base_rev)
        .fetch_optional(&mut *tx)
        .await?;
        let view = base
            .and_then(|b| b.as_object().cloned())
            .unwrap_or_default();
        let own: Vec<Value> = sqlx::query_scalar(
            "select data from applied_mutations
             where device_id = $1 and entity = $2 and record_id = $3
               and result->>'status' <> 'rejected' and (result->>'rev')::bigint > $4
             order by (result->>'rev')::bigint, applied_at",
        )
        .bind(self.sender.device_id)
        .bind(&mutation.entity)
        .bind(mutation.record_id)
        .bind(base_rev)
        .fetch_all(&mut *tx)
        .await?;
        let own = own
            .into_iter()
            .filter_map(|data| match data {
                Value::Object(fields) => Some(fields),
                _ => None,
            })
            .collect();
        Ok((view, own))
    }

    /// A record added once and never changed (a sign-in: the list is a
    /// record of who signed), so a second, different write is refused; its
    /// one amendment (a strike) is set once and audited.
    pub(super) async fn apply_append_only(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        fields: Option<Fields>,
        rules: &'static dyn EntityRules,
        device_field: Option<&'static str>,
        amendment: Option<Amendment>,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        if mutation.op == Op::Delete {
            return Ok(refused(
                id,
                Refusal::Forbidden("this record is never deleted"),
            ));
        }
        if let Some(amendment) = amendment
            && mutation.data.len() == 1
            && mutation.data.contains_key(amendment.field)
        {
            return self.amend(tx, mutation, rules, amendment).await;
        }
        let (mut data, library_id) = match self.checked_new(rules, mutation, fields) {
            Ok(checked) => checked,
            Err(refusal) => return Ok(refused(id, refusal)),
        };
        let key: Key = (mutation.entity.clone(), mutation.record_id);
        let creating = !self.records.contains_key(&key);
        if let Err(refusal) = self.check_write(rules, mutation, library_id, &data, creating, false)
        {
            return Ok(refused(id, refusal));
        }
        if let Some(field) = device_field {
            let device = Value::String(self.sender.device_id.to_string());
            data.insert(field.to_owned(), device);
        }
        if let Some(existing) = self.records.get(&key) {
            // The same record again (a rescue file, a second device): no change.
            let without_device = |fields: &Map<String, Value>| {
                let mut fields = fields.clone();
                if let Some(field) = device_field {
                    fields.remove(field);
                }
                fields
            };
            return Ok(if without_device(&existing.data) == without_device(&data) {
                applied(id, existing.rev, Vec::new(), false)
            } else {
                refused(id, Refusal::Forbidden("this record cannot be changed"))
            });
        }
        // Amended on the device before it was ever sent: audited all the same.
        let audit = amendment
            .filter(|a| data.contains_key(a.field))
            .map(|a| (a.audit_action, rules.audit_details(&data)));
        let rev = self.put(tx, key, library_id, false, data).await?;
        if let Some((action, details)) = audit {
            let actor = self.sender.actor.user_id;
            let entry = (actor, mutation.record_id, action, rules.name(), details);
            self.audits.push(entry);
        }
        Ok(applied(id, rev, Vec::new(), false))
    }

    /// Sets an append-only record's amendment field, once. The same
    /// amendment again (a replay from a rescue file) changes nothing;
    /// another is refused.
    async fn amend(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        rules: &'static dyn EntityRules,
        amendment: Amendment,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        let field = amendment.field;
        let value = match rules.check_field(field, &mutation.data[field]) {
            Ok(value) => value,
            Err(problem) => return Ok(refused(id, Refusal::invalid(field, problem))),
        };
        let key: Key = (mutation.entity.clone(), mutation.record_id);
        let Some(existing) = self.records.get(&key).filter(|row| !row.deleted).cloned() else {
            return Ok(refused(
                id,
                Refusal::invalid(field, Problem::NotAllowedChoice),
            ));
        };
        let library_id = existing.library_id;
        if let Err(refusal) =
            self.check_write(rules, mutation, library_id, &existing.data, false, true)
        {
            return Ok(refused(id, refusal));
        }
        if let Some(earlier) = existing.data.get(field) {
            return Ok(if earlier == &value {
                applied(id, existing.rev, Vec::new(), false)
            } else {
                refused(id, Refusal::Forbidden("this record was already amended"))
            });
        }
        let mut data = existing.data;
        data.insert(field.to_owned(), value);
        let details = rules.audit_details(&data);
        let rev = self.put(tx, key, library_id, false, data).await?;
        let actor = self.sender.actor.user_id;
        let entry = (
            actor,
            mutation.record_id,
            amendment.audit_action,
            rules.name(),
            details,
        );
        self.audits.push(entry);
        Ok(applied(id, rev, Vec::new(), false))
    }
}
