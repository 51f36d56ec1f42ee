//! One batch of pushes inside a transaction that holds the lock: records
//! loaded once, changed in memory, written in a handful of statements.

use super::{
    Sender, applied,
    limits::{Fields, Prepared, prepare},
    refused, rejection,
};
use crate::{
    errors::{AppError, internal},
    sync::{
        Mutation, MutationResult, RefusalCode, conflict,
        rules::{Kind, Owner, Refusal, Registry, server::Facts, uuid_in},
    },
};
use serde_json::{Map, Value};
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet, VecDeque};
use uuid::Uuid;

/// One device's push: who sent it, what, and what its request's task
/// already checked (`prepare`; checked here if it is empty).
pub(super) struct Push<'a> {
    pub sender: &'a Sender,
    pub mutations: &'a [Mutation],
    pub prepared: Vec<Prepared>,
}

/// A record as the batch sees it.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub library_id: Uuid,
    pub rev: i64,
    pub deleted: bool,
    pub data: Map<String, Value>,
    pub dirty: bool,
}

pub(super) type Key = (String, Uuid);

/// A mutation id already written, with who sent it for which record.
struct Done {
    /// `None` once that person's account is gone.
    user_id: Option<Uuid>,
    device_id: Uuid,
    entity: String,
    record_id: Uuid,
    result: MutationResult,
}

/// The entity name kept with an applied mutation: an unknown one is kept
/// as a hint, short enough for the index; U+0000 cannot be stored.
pub(super) fn entity_hint(entity: &str) -> String {
    entity.replace('\0', "").chars().take(64).collect()
}

impl Done {
    /// Whether `mutation` from `sender` is this one again. A mutation id is
    /// bound to its record and to the person who sent it, or for a kiosk
    /// link to its tablet (a new link, perhaps another librarian's, resends
    /// what an old one left): an id reused by anyone else for anything else
    /// is not a replay.
    fn repeats(&self, sender: &Sender, mutation: &Mutation) -> bool {
        let same_sender = if sender.by_token {
            self.device_id == sender.device_id
        } else {
            self.user_id == Some(sender.actor.user_id)
        };
        same_sender
            && self.entity == entity_hint(&mutation.entity)
            && self.record_id == mutation.record_id
    }
}

/// Pushes in order, as one batch: replays get their stored results, the
/// rest is applied and written. Each push is applied as its sender and gets
/// its own results.
pub(super) async fn apply(
    tx: &mut PgConnection,
    registry: &Registry,
    pushes: &mut [Push<'_>],
) -> Result<Vec<Vec<MutationResult>>, AppError> {
    for push in pushes.iter_mut() {
        if push.prepared.len() != push.mutations.len() {
            push.prepared = prepare(registry, push.mutations);
        }
    }
    let Some(first) = pushes.first() else {
        return Ok(Vec::new());
    };
    let first_sender = first.sender;
    let ids: Vec<Uuid> = pushes
        .iter()
        .flat_map(|push| push.mutations)
        .map(|m| m.id)
        .collect();
    let stored: Vec<(Uuid, Option<Uuid>, Uuid, String, Uuid, Value)> = sqlx::query_as(
        "select id, user_id, device_id, entity, record_id, result
         from applied_mutations where id = any($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut done: HashMap<Uuid, Done> = HashMap::with_capacity(stored.len());
    for (id, user_id, device_id, entity, record_id, result) in stored {
        let result: MutationResult =
            serde_json::from_value(result).map_err(|e| internal("stored sync result", e))?;
        let done_one = Done {
            user_id,
            device_id,
            entity,
            record_id,
            result,
        };
        done.insert(id, done_one);
    }

    let fresh: Vec<&Mutation> = pushes
        .iter()
        .flat_map(|push| push.mutations.iter().zip(&push.prepared))
        .filter(|(m, prepared)| !done.contains_key(&m.id) && prepared.unfit.is_none())
        .map(|(m, _)| m)
        .collect();
    let mut batch = Batch::load(&mut *tx, registry, first_sender, &fresh).await?;
    let mut answers = Vec::with_capacity(pushes.len());
    for push in pushes.iter_mut() {
        batch.sender = push.sender;
        let mut results = Vec::with_capacity(push.mutations.len());
        let mutations: &[Mutation] = push.mutations;
        for (mutation, prepared) in mutations.iter().zip(&mut push.prepared) {
            if let Some(earlier) = done.get(&mutation.id) {
                results.push(if earlier.repeats(push.sender, mutation) {
                    MutationResult {
                        replayed: true,
                        ..earlier.result.clone()
                    }
                } else {
                    rejection(
                        mutation.id,
                        RefusalCode::IdTaken,
                        "this change id was already used for another change",
                    )
                });
                continue;
            }
            let result = match std::mem::take(prepared) {
                Prepared {
                    unfit: Some(result),
                    ..
                } => result,
                Prepared { fields, .. } => batch.apply_one(&mut *tx, mutation, fields).await?,
            };
            batch.applied.push(Applied {
                mutation,
                result: result.clone(),
                device_id: push.sender.device_id,
                user_id: push.sender.actor.user_id,
            });
            // A mutation id repeated inside one request has one effect too.
            let done_one = Done {
                user_id: Some(push.sender.actor.user_id),
                device_id: push.sender.device_id,
                entity: entity_hint(&mutation.entity),
                record_id: mutation.record_id,
                result: result.clone(),
            };
            done.insert(mutation.id, done_one);
            results.push(result);
        }
        answers.push(results);
    }
    batch.write(&mut *tx).await?;
    Ok(answers)
}

/// A mutation the batch went through, with its result and its sender.
/// Borrowed: a sign-in's signature is most of a push, and is not copied.
pub(super) struct Applied<'a> {
    pub mutation: &'a Mutation,
    pub result: MutationResult,
    pub device_id: Uuid,
    pub user_id: Uuid,
}

/// One push, applied in memory and written in a few statements at the end:
/// a batch of 500 mutations costs a handful of queries, not thousands.
/// Only a merge against an older base reads more (the device's view of it).
pub(super) struct Batch<'a> {
    pub registry: &'a Registry,
    pub sender: &'a Sender,
    pub records: HashMap<Key, Row>,
    /// The records that existed before this request.
    pub stored: HashSet<Key>,
    /// Lead library of each partnership a new record names.
    pub partnerships: HashMap<Uuid, Uuid>,
    /// The libraries named by new records that exist.
    pub libraries: HashSet<Uuid>,
    /// What each entity's checks loaded for this batch.
    pub facts: HashMap<&'static str, Facts>,
    /// Revisions taken from the sequence and not used yet (under the lock,
    /// so they are in commit order; unused ones are harmless gaps).
    revisions: VecDeque<i64>,
    pub versions: Vec<(Key, i64, Map<String, Value>)>,
    pub applied: Vec<Applied<'a>>,
    /// When the conflicts found now were stored (UTC), read when the first is.
    now: Option<String>,
    /// Mutations still to apply when the first revisions are taken.
    expected: usize,
    /// Amendments to audit: who, the record, the action and its details.
    pub audits: Vec<(Uuid, Uuid, &'static str, &'static str, Value)>,
}

impl<'a> Batch<'a> {
    async fn load(
        tx: &mut PgConnection,
        registry: &'a Registry,
        sender: &'a Sender,
        mutations: &[&Mutation],
    ) -> Result<Batch<'a>, AppError> {
        let mut entities: Vec<String> = mutations.iter().map(|m| m.entity.clone()).collect();
        let mut ids: Vec<Uuid> = mutations.iter().map(|m| m.record_id).collect();
        let mut partnerships: Vec<Uuid> = Vec::new();
        let mut libraries: Vec<Uuid> = Vec::new();
        for mutation in mutations {
            let Some(rules) = registry.get(&mutation.entity) else {
                continue;
            };
            // Records a mutation names: its owner's, and what its checks need.
            let owner = match rules.owner() {
                Owner::Record { field, entity } => Some((field, entity)),
                Owner::Partnership(field) => {
                    partnerships.extend(uuid_in(&mutation.data, field));
                    None
                }
                Owner::Library(field) => {
                    libraries.extend(uuid_in(&mutation.data, field));
                    None
                }
            };
            for (field, entity) in owner.iter().chain(rules.linked()) {
                if let Some(id) = uuid_in(&mutation.data, field) {
                    entities.push((*entity).to_owned());
                    ids.push(id);
                }
            }
        }
        let rows: Vec<(String, Uuid, Uuid, i64, bool, Value)> = sqlx::query_as(
            "select r.entity, r.id, r.library_id, r.rev, r.deleted, r.data
             from records r join unnest($1::text[], $2::uuid[]) as k(entity, id)
               on r.entity = k.entity and r.id = k.id
             for update of r",
        )
        .bind(&entities)
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        let records: HashMap<Key, Row> = rows
            .into_iter()
            .map(|(entity, id, library_id, rev, deleted, data)| {
                let row = Row {
                    library_id,
                    rev,
                    deleted,
                    data: data.as_object().cloned().unwrap_or_default(),
                    dirty: false,
                };
                ((entity, id), row)
            })
            .collect();
        let partnerships: HashMap<Uuid, Uuid> = if partnerships.is_empty() {
            HashMap::new()
        } else {
            let found: Vec<(Uuid, Uuid)> =
                sqlx::query_as("select id, lead_library_id from partnerships where id = any($1)")
                    .bind(&partnerships)
                    .fetch_all(&mut *tx)
                    .await?;
            found.into_iter().collect()
        };
        let existing: HashSet<Uuid> = if libraries.is_empty() {
            HashSet::new()
        } else {
            let found: Vec<Uuid> =
                sqlx::query_scalar("select id from libraries where id = any($1)")
                    .bind(&libraries)
                    .fetch_all(&mut *tx)
                    .await?;
            found.into_iter().collect()
        };
        // Each entity's facts, about the libraries its records belong to.
        let mut facts = HashMap::new();
        let named: HashSet<&str> = mutations.iter().map(|m| m.entity.as_str()).collect();
        for rules in registry.iter().filter(|r| named.contains(r.name())) {
            let mut of: HashSet<Uuid> = records
                .iter()
                .filter(|((entity, _), _)| entity == rules.name())
                .map(|(_, row)| row.library_id)
                .collect();
            of.extend(existing.iter().copied());
            of.extend(partnerships.values().copied());
            let of: Vec<Uuid> = of.into_iter().collect();
            if let Some(loaded) = rules.facts(&mut *tx, &of).await? {
                facts.insert(rules.name(), loaded);
            }
        }
        Ok(Batch {
            registry,
            sender,
            stored: records.keys().cloned().collect(),
            records,
            partnerships,
            libraries: existing,
            facts,
            revisions: VecDeque::new(),
            versions: Vec::new(),
            applied: Vec::new(),
            now: None,
            expected: mutations.len(),
            audits: Vec::new(),
        })
    }

    async fn apply_one(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        fields: Option<Fields>,
    ) -> Result<MutationResult, AppError> {
        let Some(rules) = self.registry.get(&mutation.entity) else {
            if mutation.entity == conflict::ENTITY {
                return self.settle_conflict(tx, mutation).await;
            }
            return Ok(rejection(
                mutation.id,
                RefusalCode::UnknownEntity,
                "unknown entity",
            ));
        };
        match rules.kind() {
            Kind::Merged {
                text_fields,
                list_fields,
            } => {
                self.apply_merged(tx, mutation, fields, rules, text_fields, list_fields)
                    .await
            }
            Kind::AppendOnly {
                device_field,
                amendment,
            } => {
                self.apply_append_only(tx, mutation, fields, rules, device_field, amendment)
                    .await
            }
        }
    }

    async fn next_rev(&mut self, tx: &mut PgConnection) -> Result<i64, AppError> {
        if self.revisions.is_empty() {
            // First enough for every mutation to change its record once
            // (most do); then more in small blocks, for conflicts.
            let wanted = i64::try_from(std::mem::take(&mut self.expected) + 16).unwrap_or(64);
            let block: Vec<i64> =
                sqlx::query_scalar("select nextval('revisions') from generate_series(1, $1)")
                    .bind(wanted)
                    .fetch_all(&mut *tx)
                    .await?;
            self.revisions.extend(block);
        }
        self.revisions
            .pop_front()
            .ok_or_else(|| internal("sync", "the revision sequence gave nothing"))
    }

    /// Stores a record's new state with a new revision.
    pub async fn put(
        &mut self,
        tx: &mut PgConnection,
        key: Key,
        library_id: Uuid,
        deleted: bool,
        data: Map<String, Value>,
    ) -> Result<i64, AppError> {
        let rev = self.next_rev(tx).await?;
        if !deleted && self.registry.merges(&key.0) {
            self.versions.push((key.clone(), rev, data.clone()));
        }
        let row = Row {
            library_id,
            rev,
            deleted,
            data,
            dirty: true,
        };
        self.records.insert(key, row);
        Ok(rev)
    }

    /// Keeps the value that lost a merge as a `conflict` record of the same
    /// library, pulled by every device that sees the record.
    pub async fn conflict(
        &mut self,
        tx: &mut PgConnection,
        library_id: Uuid,
        mutation: &Mutation,
        field: &str,
        kept: &Value,
        other: &Value,
    ) -> Result<(), AppError> {
        let mut data = Map::new();
        data.insert("entity".into(), Value::String(mutation.entity.clone()));
        data.insert(
            "record_id".into(),
            Value::String(mutation.record_id.to_string()),
        );
        data.insert("field".into(), Value::String(field.to_owned()));
        data.insert("kept".into(), kept.clone());
        data.insert("other".into(), other.clone());
        data.insert("mutation_id".into(), Value::String(mutation.id.to_string()));
        let now = self.now.get_or_insert_with(crate::clock::instant).clone();
        data.insert("created_at".into(), Value::String(now));
        let key = (conflict::ENTITY.to_owned(), Uuid::new_v4());
        self.put(tx, key, library_id, false, data).await?;
        Ok(())
    }

    /// A deleted record's conflicts go with it: they hold its values (a
    /// partner's contact person, a meeting's notes).
    pub async fn forget_conflicts_of(
        &mut self,
        tx: &mut PgConnection,
        record: &Key,
    ) -> Result<(), AppError> {
        let conflicts: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "select id, library_id from records
             where entity = 'conflict' and not deleted
               and data->>'record_id' = $2 and data->>'entity' = $1",
        )
        .bind(&record.0)
        .bind(record.1.to_string())
        .fetch_all(&mut *tx)
        .await?;
        // And those this batch made, not written yet.
        let record_id = record.1.to_string();
        let made_now: Vec<(Uuid, Uuid)> = self
            .records
            .iter()
            .filter(|((entity, _), row)| {
                entity == conflict::ENTITY
                    && !row.deleted
                    && row.data.get("entity").and_then(Value::as_str) == Some(record.0.as_str())
                    && row.data.get("record_id").and_then(Value::as_str) == Some(&record_id)
            })
            .map(|((_, id), row)| (*id, row.library_id))
            .collect();
        for (id, library_id) in conflicts.into_iter().chain(made_now) {
            let key = (conflict::ENTITY.to_owned(), id);
            if self.records.get(&key).is_some_and(|row| row.deleted) {
                continue;
            }
            self.put(tx, key, library_id, true, Map::new()).await?;
        }
        Ok(())
    }

    /// A person settled a conflict: the device deletes it. Devices never
    /// create or change conflicts; the server does, during merges.
    async fn settle_conflict(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
    ) -> Result<MutationResult, AppError> {
        use crate::accounts::access::{Action, Target};
        let id = mutation.id;
        if mutation.op != crate::sync::Op::Delete {
            return Ok(refused(
                id,
                Refusal::Forbidden("conflicts are made by the server"),
            ));
        }
        let key: Key = (conflict::ENTITY.to_owned(), mutation.record_id);
        let Some(current) = self.records.get(&key).cloned() else {
            return Ok(refused(id, Refusal::NotFound("no such record")));
        };
        let actor = &self.sender.actor;
        if !actor.may(Action::Edit, Target::Library(current.library_id)) {
            return Ok(refused(id, Refusal::not_allowed()));
        }
        if current.deleted {
            return Ok(applied(id, current.rev, Vec::new(), false));
        }
        let rev = self
            .put(tx, key, current.library_id, true, Map::new())
            .await?;
        Ok(applied(id, rev, Vec::new(), false))
    }
}
