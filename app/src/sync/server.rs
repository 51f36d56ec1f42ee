//! Applying pushed mutations and answering pulls (server only).
//!
//! Pushes are written by one writer per server, in groups: one transaction
//! per group, under an advisory lock, so revisions are taken and committed
//! in order and a device's cursor never skips a change that commits late. Each mutation id is written to `applied_mutations` with its
//! result in that same transaction: a repeat gets the stored result back.

use super::{Change, MAX_MUTATIONS, MAX_PULL, Mutation, MutationResult, Op, Rejection, Status};
use crate::{
    accounts::access::{Action, Actor, Scope, Target},
    attendance::model as sign_in,
    errors::{AppError, Problem, internal},
    meetings::model as meeting,
    partners::model as partner,
    plans::model as plan,
    support::model as consultation,
    sync::conflict,
};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Key of the advisory lock that serializes sync writers.
pub const SYNC_LOCK: i64 = 0x5359_4e43;
const DEFAULT_PULL: u32 = 500;

fn rejected(id: Uuid, code: &str, message: &str) -> MutationResult {
    MutationResult {
        id,
        status: Status::Rejected,
        rev: None,
        replayed: false,
        conflicts: Vec::new(),
        error: Some(Rejection {
            code: code.to_owned(),
            message: message.to_owned(),
            field: None,
            problem: None,
        }),
    }
}

fn invalid(id: Uuid, field: &str, problem: Problem) -> MutationResult {
    let mut result = rejected(id, "validation", &format!("{field}: {problem}"));
    if let Some(error) = result.error.as_mut() {
        error.field = Some(field.to_owned());
        error.problem = Some(problem);
    }
    result
}

fn applied(id: Uuid, rev: i64, conflicts: Vec<String>, merged: bool) -> MutationResult {
    MutationResult {
        id,
        status: if merged || !conflicts.is_empty() {
            Status::Merged
        } else {
            Status::Applied
        },
        rev: Some(rev),
        replayed: false,
        conflicts,
        error: None,
    }
}

pub async fn push(
    pool: &PgPool,
    actor: &Actor,
    device_id: Uuid,
    mutations: &[Mutation],
) -> Result<Vec<MutationResult>, AppError> {
    if mutations.len() > MAX_MUTATIONS {
        return Err(AppError::TooLarge);
    }
    if mutations.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let results = apply(&mut tx, &[Push::new(actor, device_id, mutations)])
        .await?
        .pop()
        .unwrap_or_default();
    tx.commit().await?;
    Ok(results)
}

/// Takes the lock that puts sync writers, in every server process, in one line.
async fn lock(tx: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(SYNC_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// One device's push: who sent it, from where, and what.
#[derive(Clone, Copy)]
struct Push<'a> {
    actor: &'a Actor,
    device_id: Uuid,
    mutations: &'a [Mutation],
}

impl<'a> Push<'a> {
    fn new(actor: &'a Actor, device_id: Uuid, mutations: &'a [Mutation]) -> Self {
        Push {
            actor,
            device_id,
            mutations,
        }
    }

    /// Only new sign-ins and strikes: nothing in it merges or reads what a
    /// device saw, so such pushes from many devices can share one batch.
    fn only_sign_ins(&self) -> bool {
        self.mutations.iter().all(|m| m.entity == sign_in::ENTITY)
    }
}

/// Pushes inside a transaction that holds the lock, in order, as one batch
/// (a handful of statements however many there are): replays get their
/// stored results, the rest is applied and written. Each push is applied
/// as its sender, and gets its own results.
async fn apply(
    tx: &mut PgConnection,
    pushes: &[Push<'_>],
) -> Result<Vec<Vec<MutationResult>>, AppError> {
    let Some(first) = pushes.first() else {
        return Ok(Vec::new());
    };
    let all = || pushes.iter().flat_map(|push| push.mutations);
    let ids: Vec<Uuid> = all().map(|m| m.id).collect();
    let stored: Vec<(Uuid, Value)> =
        sqlx::query_as("select id, result from applied_mutations where id = any($1)")
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?;
    let mut done: HashMap<Uuid, MutationResult> = HashMap::with_capacity(stored.len());
    for (id, result) in stored {
        let result: MutationResult =
            serde_json::from_value(result).map_err(|e| internal("stored sync result", e))?;
        done.insert(id, result);
    }

    // Walked once: signatures make this the largest data in a push.
    let unstorable: HashMap<Uuid, String> = all()
        .filter_map(|m| nul_field(m).map(|field| (m.id, field)))
        .collect();
    let fresh: Vec<&Mutation> = all()
        .filter(|m| !done.contains_key(&m.id) && !unstorable.contains_key(&m.id))
        .collect();
    let mut batch = Batch::load(&mut *tx, first.actor, first.device_id, &fresh).await?;
    let mut answers = Vec::with_capacity(pushes.len());
    for push in pushes {
        batch.actor = push.actor;
        batch.device_id = push.device_id;
        let mut results = Vec::with_capacity(push.mutations.len());
        for mutation in push.mutations {
            if let Some(original) = done.get(&mutation.id) {
                results.push(MutationResult {
                    replayed: true,
                    ..original.clone()
                });
                continue;
            }
            let result = match mutation.entity.as_str() {
                _ if let Some(field) = unstorable.get(&mutation.id) => {
                    invalid(mutation.id, field, Problem::NotAllowedChoice)
                }
                entity if let Some(rules) = rules(entity) => {
                    batch.apply_record(&mut *tx, mutation, rules).await?
                }
                conflict::ENTITY => batch.apply_conflict(&mut *tx, mutation).await?,
                sign_in::ENTITY => batch.apply_sign_in(&mut *tx, mutation).await?,
                _ => rejected(mutation.id, "unknown_entity", "unknown entity"),
            };
            batch.applied.push(Applied {
                mutation: mutation.clone(),
                result: result.clone(),
                device_id: push.device_id,
                user_id: push.actor.user_id,
            });
            // A mutation id repeated inside one request has one effect too.
            done.insert(mutation.id, result.clone());
            results.push(result);
        }
        answers.push(results);
    }
    batch.write(&mut *tx).await?;
    Ok(answers)
}

/// Where a mutation carries U+0000, which PostgreSQL cannot store in text
/// or jsonb: such a mutation is refused as invalid before any statement
/// sees it, instead of failing the whole push (and its retries) with a 500.
fn nul_field(mutation: &Mutation) -> Option<String> {
    fn has_nul(value: &Value) -> bool {
        match value {
            Value::String(text) => text.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    if mutation.entity.contains('\0') {
        return Some("entity".to_owned());
    }
    mutation
        .data
        .iter()
        .find(|(field, value)| field.contains('\0') || has_nul(value))
        .map(|(field, _)| {
            if field.contains('\0') {
                "data".to_owned()
            } else {
                field.clone()
            }
        })
}

/// Group commit: pushes that arrive while one is being written wait in a
/// queue and go in together, in one transaction under the lock, so a room
/// of tablets pays one lock and one commit (one disk flush) per group
/// instead of one per request. Each push is still applied on its own, in
/// arrival order, with its own results. Should a group fail, its pushes are
/// retried one by one (mutations are idempotent), so a bad push sinks only
/// itself.
#[derive(Clone)]
pub struct Writer {
    queue: tokio::sync::mpsc::Sender<Job>,
    /// For pushing directly should the writer be gone.
    pool: PgPool,
    stats: std::sync::Arc<WriterStats>,
}

/// Pushes and groups written so far (the group-commit tests read them).
#[derive(Debug, Default)]
pub struct WriterStats {
    pub pushes: std::sync::atomic::AtomicU64,
    pub groups: std::sync::atomic::AtomicU64,
    /// Pushes retried one by one after their group failed.
    pub retried: std::sync::atomic::AtomicU64,
}

struct Job {
    actor: Actor,
    device_id: Uuid,
    mutations: Vec<Mutation>,
    reply: tokio::sync::oneshot::Sender<Result<Vec<MutationResult>, AppError>>,
}

/// Pushes waiting beyond this many make their senders wait for room.
const QUEUE: usize = 4096;
/// A group stops taking pushes once it holds this many mutations.
const GROUP_MUTATIONS: usize = 2 * MAX_MUTATIONS;

impl Writer {
    /// Starts the writer on the current Tokio runtime.
    pub fn start(pool: PgPool) -> Writer {
        let (queue, waiting) = tokio::sync::mpsc::channel(QUEUE);
        let stats = std::sync::Arc::new(WriterStats::default());
        tokio::spawn(write_groups(pool.clone(), waiting, stats.clone()));
        Writer { queue, pool, stats }
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Pushes queued behind the group being written.
    pub fn waiting(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    /// `push`, through the queue.
    pub async fn push(
        &self,
        actor: &Actor,
        device_id: Uuid,
        mutations: Vec<Mutation>,
    ) -> Result<Vec<MutationResult>, AppError> {
        if mutations.len() > MAX_MUTATIONS {
            return Err(AppError::TooLarge);
        }
        if mutations.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            actor: actor.clone(),
            device_id,
            mutations,
            reply,
        };
        // A writer that is gone (it never should be) leaves the push to this
        // request: applying it directly is safe, a repeat changes nothing.
        let job = match self.queue.send(job).await {
            Ok(()) => match answer.await {
                Ok(result) => return result,
                Err(_) => None,
            },
            Err(tokio::sync::mpsc::error::SendError(job)) => Some(job),
        };
        tracing::error!("the sync writer stopped; pushing directly");
        match job {
            Some(job) => push(&self.pool, actor, device_id, &job.mutations).await,
            None => Err(internal("sync writer", "the push was dropped")),
        }
    }
}

async fn write_groups(
    pool: PgPool,
    mut waiting: tokio::sync::mpsc::Receiver<Job>,
    stats: std::sync::Arc<WriterStats>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    while let Some(first) = waiting.recv().await {
        let mut size = first.mutations.len();
        let mut group = vec![first];
        while size < GROUP_MUTATIONS {
            match waiting.try_recv() {
                Ok(job) => {
                    size += job.mutations.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        stats.groups.fetch_add(1, Relaxed);
        stats.pushes.fetch_add(group.len() as u64, Relaxed);
        match write_group(&pool, &group).await {
            Ok(all) => {
                for (job, results) in group.into_iter().zip(all) {
                    // The requester may have gone (timeout, closed tab); its
                    // push is written all the same and a repeat gets the result.
                    let _ = job.reply.send(Ok(results));
                }
            }
            Err(error) if group.len() == 1 => {
                for job in group {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
            Err(error) => {
                tracing::warn!(%error, pushes = group.len(), "a group failed; retrying its pushes one by one");
                stats.retried.fetch_add(group.len() as u64, Relaxed);
                for job in group {
                    let result = push(&pool, &job.actor, job.device_id, &job.mutations).await;
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}

async fn write_group(pool: &PgPool, group: &[Job]) -> Result<Vec<Vec<MutationResult>>, AppError> {
    let pushes: Vec<Push<'_>> = group
        .iter()
        .map(|job| Push::new(&job.actor, job.device_id, &job.mutations))
        .collect();
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let mut all = Vec::with_capacity(group.len());
    // In arrival order; a run of sign-in-only pushes (a room of kiosks)
    // goes in as one batch, any other push as its own.
    for run in pushes.chunk_by(|a, b| a.only_sign_ins() && b.only_sign_ins()) {
        all.extend(apply(&mut tx, run).await?);
    }
    tx.commit().await?;
    Ok(all)
}

/// A kiosk's push: new sign-ins for its own meeting are applied as the
/// librarian who opened the kiosk; anything else (another meeting or entity,
/// a strike, a paper entry, a delete) is refused.
pub async fn push_for_kiosk(
    writer: &Writer,
    actor: &Actor,
    meeting_id: Uuid,
    device_id: Uuid,
    mutations: &[Mutation],
) -> Result<Vec<MutationResult>, AppError> {
    if mutations.len() > MAX_MUTATIONS {
        return Err(AppError::TooLarge);
    }
    let allowed = |m: &Mutation| {
        m.entity == sign_in::ENTITY
            && m.op == Op::Upsert
            && !m.data.contains_key("struck")
            && !sign_in::from_paper(&m.data)
            && m.data
                .get("meeting_id")
                .and_then(Value::as_str)
                .and_then(|id| Uuid::parse_str(id).ok())
                == Some(meeting_id)
    };
    let accepted: Vec<Mutation> = mutations.iter().filter(|m| allowed(m)).cloned().collect();
    let mut applied = writer.push(actor, device_id, accepted).await?.into_iter();
    Ok(mutations
        .iter()
        .map(|m| match allowed(m).then(|| applied.next()).flatten() {
            Some(result) => result,
            None => rejected(
                m.id,
                "forbidden",
                "a kiosk only adds sign-ins to its meeting",
            ),
        })
        .collect())
}

/// A whole-record check: the offending field and why.
type RecordCheck = fn(&Map<String, Value>) -> Result<(), (&'static str, Problem)>;

/// How the records of one entity are checked, owned and merged.
#[derive(Clone, Copy)]
struct Rules {
    check_field: fn(&str, &Value) -> Result<Value, Problem>,
    check_record: RecordCheck,
    /// Long texts, merged line by line when two devices change them.
    text_fields: &'static [&'static str],
    /// The field naming the owning library, directly (`library_id`) or
    /// through a partnership (`partnership_id`); fixed once created.
    owner: &'static str,
}

/// The entities devices edit field by field.
fn rules(entity: &str) -> Option<Rules> {
    match entity {
        meeting::ENTITY => Some(Rules {
            check_field: meeting::check_field,
            check_record: meeting::check_record,
            text_fields: &meeting::TEXT_FIELDS,
            owner: "partnership_id",
        }),
        partner::ENTITY => Some(Rules {
            check_field: partner::check_field,
            check_record: partner::check_record,
            text_fields: &partner::TEXT_FIELDS,
            owner: "library_id",
        }),
        plan::ENTITY => Some(Rules {
            check_field: plan::check_field,
            check_record: plan::check_record,
            text_fields: &plan::TEXT_FIELDS,
            owner: "partnership_id",
        }),
        consultation::ENTITY => Some(Rules {
            check_field: consultation::check_field,
            check_record: consultation::check_record,
            text_fields: &consultation::TEXT_FIELDS,
            owner: "library_id",
        }),
        _ => None,
    }
}

/// Whether devices edit `entity` field by field, so that a later push may
/// need what a device saw (its versions and its own earlier mutations) to
/// merge. Sign-ins and conflicts never merge: keeping those copies would
/// triple every signature written and spread personal data further.
fn merges(entity: &str) -> bool {
    rules(entity).is_some()
}

/// The fields of `data`, each checked and normalized, or the first bad one.
fn check_fields(
    rules: Rules,
    data: &Map<String, Value>,
) -> Result<Map<String, Value>, (String, Problem)> {
    data.iter()
        .map(|(field, value)| {
            (rules.check_field)(field, value)
                .map(|value| (field.clone(), value))
                .map_err(|problem| (field.clone(), problem))
        })
        .collect()
}

fn uuid_in(data: &Map<String, Value>, field: &str) -> Option<Uuid> {
    data.get(field)
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// A record as the batch sees it: loaded once, changed in memory, written once.
#[derive(Debug, Clone)]
struct Row {
    library_id: Uuid,
    rev: i64,
    deleted: bool,
    data: Map<String, Value>,
    dirty: bool,
}

type Key = (String, Uuid);

/// One push, applied in memory and written in a few statements at the end:
/// a batch of 500 mutations costs a handful of queries, not thousands.
/// Only a merge against an older base reads more (the device's view of it).
struct Batch<'a> {
    actor: &'a Actor,
    device_id: Uuid,
    records: HashMap<Key, Row>,
    /// The records that existed before this request.
    stored: std::collections::HashSet<Key>,
    /// Lead library of each partnership a new meeting names.
    partnerships: HashMap<Uuid, Uuid>,
    /// The libraries named by new records that exist.
    libraries: HashSet<Uuid>,
    /// (library, program) pairs: the library takes part in the program.
    taking_part: HashSet<(Uuid, Uuid)>,
    /// (library, program, tutor): the tutor is assigned to the library there.
    tutors: HashSet<(Uuid, Uuid, Uuid)>,
    /// Revisions taken from the sequence and not used yet (under the lock,
    /// so they are in commit order; unused ones are harmless gaps).
    revisions: std::collections::VecDeque<i64>,
    versions: Vec<(Key, i64, Map<String, Value>)>,
    applied: Vec<Applied>,
    /// When the conflicts found now were stored (UTC), read when the first is.
    now: Option<String>,
    /// Mutations still to apply when the first revisions are taken.
    expected: usize,
    /// Sign-ins struck off: who struck, the entry, and the audit details
    /// (ids and the reason).
    audits: Vec<(Uuid, Uuid, Value)>,
}

/// A mutation the batch went through, with its result and its sender.
struct Applied {
    mutation: Mutation,
    result: MutationResult,
    device_id: Uuid,
    user_id: Uuid,
}

impl<'a> Batch<'a> {
    async fn load(
        tx: &mut PgConnection,
        actor: &'a Actor,
        device_id: Uuid,
        mutations: &[&Mutation],
    ) -> Result<Batch<'a>, AppError> {
        let mut entities: Vec<String> = mutations.iter().map(|m| m.entity.clone()).collect();
        let mut ids: Vec<Uuid> = mutations.iter().map(|m| m.record_id).collect();
        // The meetings sign-ins and consultations name: a sign-in's meeting
        // decides who may add it; a consultation's must be of its library.
        for mutation in mutations
            .iter()
            .filter(|m| m.entity == sign_in::ENTITY || m.entity == consultation::ENTITY)
        {
            if let Some(meeting_id) = uuid_in(&mutation.data, "meeting_id") {
                entities.push(meeting::ENTITY.to_owned());
                ids.push(meeting_id);
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
        let named: Vec<Uuid> = mutations
            .iter()
            .filter(|m| m.entity == meeting::ENTITY || m.entity == plan::ENTITY)
            .filter_map(|m| m.data.get("partnership_id").and_then(Value::as_str))
            .filter_map(|p| Uuid::parse_str(p).ok())
            .collect();
        let partnerships: Vec<(Uuid, Uuid)> = if named.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as("select id, lead_library_id from partnerships where id = any($1)")
                .bind(&named)
                .fetch_all(&mut *tx)
                .await?
        };
        // Libraries named by new records, and those of stored consultations:
        // which exist, their programs, and their tutors.
        let mut libraries: Vec<Uuid> = mutations
            .iter()
            .filter_map(|m| uuid_in(&m.data, "library_id"))
            .collect();
        libraries.extend(
            records
                .iter()
                .filter(|((entity, _), _)| entity == consultation::ENTITY)
                .map(|(_, row)| row.library_id),
        );
        let (existing, taking_part, tutors) = if libraries.is_empty() {
            Default::default()
        } else {
            let existing: Vec<Uuid> =
                sqlx::query_scalar("select id from libraries where id = any($1)")
                    .bind(&libraries)
                    .fetch_all(&mut *tx)
                    .await?;
            let taking_part: Vec<(Uuid, Uuid)> = sqlx::query_as(
                "select library_id, program_id from program_libraries where library_id = any($1)",
            )
            .bind(&libraries)
            .fetch_all(&mut *tx)
            .await?;
            let tutors: Vec<(Uuid, Uuid, Uuid)> = sqlx::query_as(
                "select library_id, program_id, tutor_id from tutor_assignments
                 where library_id = any($1)",
            )
            .bind(&libraries)
            .fetch_all(&mut *tx)
            .await?;
            (
                existing.into_iter().collect(),
                taking_part.into_iter().collect(),
                tutors.into_iter().collect(),
            )
        };
        Ok(Batch {
            actor,
            device_id,
            stored: records.keys().cloned().collect(),
            records,
            partnerships: partnerships.into_iter().collect(),
            libraries: existing,
            taking_part,
            tutors,
            revisions: std::collections::VecDeque::new(),
            versions: Vec::new(),
            applied: Vec::new(),
            now: None,
            expected: mutations.len(),
            audits: Vec::new(),
        })
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
    async fn put(
        &mut self,
        tx: &mut PgConnection,
        key: Key,
        library_id: Uuid,
        deleted: bool,
        data: Map<String, Value>,
    ) -> Result<i64, AppError> {
        let rev = self.next_rev(tx).await?;
        if !deleted && merges(&key.0) {
            self.versions.push((key.clone(), rev, data.clone()));
        }
        self.records.insert(
            key,
            Row {
                library_id,
                rev,
                deleted,
                data,
                dirty: true,
            },
        );
        Ok(rev)
    }

    /// What the device saw when it made `mutation`: the record at `base_rev`
    /// with the device's own later mutations on it (it builds each edit on
    /// its own unacknowledged ones), in the order the server applied them.
    async fn device_view(
        &self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        base_rev: i64,
    ) -> Result<Map<String, Value>, AppError> {
        let key = (mutation.entity.clone(), mutation.record_id);
        let mut view = Map::new();
        // A record this request created has no stored past to read.
        if self.stored.contains(&key) {
            view = self.stored_view(tx, mutation, base_rev).await?;
        }
        // This request's earlier mutations come after everything stored.
        for Applied {
            mutation: earlier,
            result,
            device_id,
            ..
        } in &self.applied
        {
            if *device_id == self.device_id
                && earlier.entity == mutation.entity
                && earlier.record_id == mutation.record_id
                && result.status != Status::Rejected
                && result.rev.is_some_and(|rev| rev > base_rev)
            {
                view.extend(earlier.data.clone());
            }
        }
        Ok(view)
    }

    /// The stored part of `device_view`: the version at `base_rev` and the
    /// device's mutations applied by earlier requests.
    async fn stored_view(
        &self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        base_rev: i64,
    ) -> Result<Map<String, Value>, AppError> {
        let base: Option<Value> = sqlx::query_scalar(
            "select data from record_versions where entity = $1 and record_id = $2 and rev <= $3
             order by rev desc limit 1",
        )
        .bind(&mutation.entity)
        .bind(mutation.record_id)
        .bind(base_rev)
        .fetch_optional(&mut *tx)
        .await?;
        let mut view = base
            .and_then(|b| b.as_object().cloned())
            .unwrap_or_default();
        let own: Vec<Value> = sqlx::query_scalar(
            "select data from applied_mutations
             where device_id = $1 and entity = $2 and record_id = $3
               and result->>'status' <> 'rejected' and (result->>'rev')::bigint > $4
             order by (result->>'rev')::bigint, applied_at",
        )
        .bind(self.device_id)
        .bind(&mutation.entity)
        .bind(mutation.record_id)
        .bind(base_rev)
        .fetch_all(&mut *tx)
        .await?;
        for data in own {
            if let Value::Object(fields) = data {
                view.extend(fields);
            }
        }
        Ok(view)
    }

    /// A change to a record edited field by field (a meeting, a partner, a
    /// consultation): checked, authorized by its library, merged with what
    /// other devices changed since this one saw it.
    async fn apply_record(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        rules: Rules,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        let key: Key = (mutation.entity.clone(), mutation.record_id);
        let Some(current) = self.records.get(&key).cloned() else {
            return match mutation.op {
                Op::Delete => Ok(rejected(id, "not_found", "no such record")),
                Op::Upsert => self.create_record(tx, mutation, rules).await,
            };
        };
        let library_id = current.library_id;
        if let Some(refusal) = self.may_touch(mutation, library_id, &current.data) {
            return Ok(refusal);
        }
        match (mutation.op, current.deleted) {
            // Deleting twice is the same deletion.
            (Op::Delete, true) => return Ok(applied(id, current.rev, Vec::new(), false)),
            (Op::Upsert, true) => return Ok(rejected(id, "not_found", "the record was deleted")),
            (Op::Delete, false) => {
                let rev = self.put(tx, key, library_id, true, Map::new()).await?;
                return Ok(applied(id, rev, Vec::new(), false));
            }
            (Op::Upsert, false) => {}
        }

        let incoming = match check_fields(rules, &mutation.data) {
            Ok(fields) => fields,
            Err((field, problem)) => return Ok(invalid(id, &field, problem)),
        };
        let mut data = current.data.clone();
        if let Some(owner) = incoming.get(rules.owner)
            && Some(owner) != data.get(rules.owner)
        {
            return Ok(invalid(id, rules.owner, Problem::NotAllowedChoice));
        }

        // A device that saw the current revision saw exactly the current data
        // (the common case: one person editing); otherwise rebuild its view.
        // One that never saw the record counts as having seen nothing of it.
        let seen = match mutation.base_rev {
            Some(base) if base == current.rev => current.data.clone(),
            base => self.device_view(tx, mutation, base.unwrap_or(0)).await?,
        };

        let mut changed = Vec::new();
        let mut conflicts = Vec::new();
        let mut merged = false;
        for (field, value) in incoming {
            let server = data.get(&field).cloned().unwrap_or(Value::Null);
            if server == value {
                continue;
            }
            let ancestor = seen.get(&field).cloned().unwrap_or(Value::Null);
            // Unchanged on the server since the device saw it: the device's value stands.
            if server == ancestor {
                data.insert(field.clone(), value);
                changed.push(field);
                continue;
            }
            // Both sides changed the field since the device's base.
            if rules.text_fields.contains(&field.as_str()) {
                let ancestor = ancestor.as_str().unwrap_or_default();
                let ours = server.as_str().unwrap_or_default();
                let theirs = value.as_str().unwrap_or_default();
                match diffy::merge(ancestor, ours, theirs) {
                    Ok(text) => {
                        merged = true;
                        if text != ours {
                            data.insert(field.clone(), Value::String(text));
                            changed.push(field);
                        }
                    }
                    Err(_) => {
                        // A true overlap: the server's text stays, the device's waits for a person.
                        self.conflict(tx, library_id, mutation, &field, &server, &value)
                            .await?;
                        conflicts.push(field);
                    }
                }
            } else {
                // Short fields: the later change (in server order) wins; the
                // replaced value is kept so that nothing is silently lost.
                self.conflict(tx, library_id, mutation, &field, &value, &server)
                    .await?;
                data.insert(field.clone(), value);
                changed.push(field.clone());
                conflicts.push(field);
            }
        }
        if let Err((field, problem)) = (rules.check_record)(&data) {
            return Ok(invalid(id, field, problem));
        }
        // The merged record must still be one this person may write (a
        // tutor cannot hand her consultation to another tutor).
        if let Some(refusal) = self.may_write(mutation, library_id, &data) {
            return Ok(refusal);
        }
        if changed.is_empty() {
            return Ok(applied(id, current.rev, conflicts, merged));
        }
        let rev = self.put(tx, key, library_id, false, data).await?;
        Ok(applied(id, rev, conflicts, merged))
    }

    async fn create_record(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
        rules: Rules,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        let data = match check_fields(rules, &mutation.data) {
            Ok(fields) => fields,
            Err((field, problem)) => return Ok(invalid(id, &field, problem)),
        };
        if let Err((field, problem)) = (rules.check_record)(&data) {
            return Ok(invalid(id, field, problem));
        }
        let owner = uuid_in(&data, rules.owner);
        let library = match rules.owner {
            "partnership_id" => owner.and_then(|p| self.partnerships.get(&p).copied()),
            _ => owner.filter(|l| self.libraries.contains(l)),
        };
        // One plan per partnership: its id is the partnership's.
        let one_plan = mutation.entity != plan::ENTITY || owner == Some(mutation.record_id);
        let Some(library_id) = library.filter(|_| one_plan) else {
            return Ok(invalid(id, rules.owner, Problem::NotAllowedChoice));
        };
        if let Some(refusal) = self.may_write(mutation, library_id, &data) {
            return Ok(refusal);
        }
        let key = (mutation.entity.clone(), mutation.record_id);
        let rev = self.put(tx, key, library_id, false, data).await?;
        Ok(applied(id, rev, Vec::new(), false))
    }

    /// Why the actor may not change or delete a record of `library_id` now
    /// holding `data`, if she may not: the library's people and its coordinators; for a
    /// consultation also its own tutor.
    fn may_touch(
        &self,
        mutation: &Mutation,
        library_id: Uuid,
        data: &Map<String, Value>,
    ) -> Option<MutationResult> {
        let edits = self.actor.may(Action::Edit, Target::Library(library_id));
        let own_hours = mutation.entity == consultation::ENTITY
            && self
                .actor
                .may(Action::LogHours, Target::Library(library_id))
            && uuid_in(data, "tutor_id") == Some(self.actor.user_id);
        (!edits && !own_hours).then(|| rejected(mutation.id, "forbidden", "not allowed"))
    }

    /// Why a record of `library_id` may not be written as `data`, if so: beyond
    /// `may_touch`, a consultation must be in a program the library takes
    /// part in, by a tutor assigned to it there, and a meeting it names must
    /// be one of the library's.
    fn may_write(
        &self,
        mutation: &Mutation,
        library_id: Uuid,
        data: &Map<String, Value>,
    ) -> Option<MutationResult> {
        if let Some(refusal) = self.may_touch(mutation, library_id, data) {
            return Some(refusal);
        }
        if mutation.entity != consultation::ENTITY {
            return None;
        }
        let id = mutation.id;
        let program = uuid_in(data, "program_id").unwrap_or_default();
        let tutor = uuid_in(data, "tutor_id").unwrap_or_default();
        if !self.taking_part.contains(&(library_id, program)) {
            return Some(invalid(id, "program_id", Problem::NotAllowedChoice));
        }
        if !self.tutors.contains(&(library_id, program, tutor)) {
            return Some(invalid(id, "tutor_id", Problem::NotAllowedChoice));
        }
        // Checked when set (the meeting was loaded with the batch).
        if let Some(meeting_id) = uuid_in(&mutation.data, "meeting_id") {
            let same_library = self
                .records
                .get(&(meeting::ENTITY.to_owned(), meeting_id))
                .is_some_and(|m| !m.deleted && m.library_id == library_id);
            if !same_library {
                return Some(invalid(id, "meeting_id", Problem::NotAllowedChoice));
            }
        }
        None
    }

    /// Keeps the value that lost a merge as a `conflict` record of the same
    /// library, pulled by every device that sees the meeting.
    async fn conflict(
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

    /// A person settled a conflict: the device deletes it. Devices never
    /// create or change conflicts; the server does, during merges.
    async fn apply_conflict(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        if mutation.op != Op::Delete {
            return Ok(rejected(
                id,
                "forbidden",
                "conflicts are made by the server",
            ));
        }
        let key: Key = (conflict::ENTITY.to_owned(), mutation.record_id);
        let Some(current) = self.records.get(&key).cloned() else {
            return Ok(rejected(id, "not_found", "no such record"));
        };
        if !self
            .actor
            .may(Action::Edit, Target::Library(current.library_id))
        {
            return Ok(rejected(id, "forbidden", "not allowed"));
        }
        if current.deleted {
            return Ok(applied(id, current.rev, Vec::new(), false));
        }
        let rev = self
            .put(tx, key, current.library_id, true, Map::new())
            .await?;
        Ok(applied(id, rev, Vec::new(), false))
    }

    /// A sign-in is added once and never changed: the list is a record of
    /// who signed, so a second, different write to it is refused.
    async fn apply_sign_in(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        if mutation.op == Op::Delete {
            return Ok(rejected(
                id,
                "forbidden",
                "sign-ins are struck, not deleted",
            ));
        }
        if sign_in::is_strike(&mutation.data) {
            return self.strike(tx, mutation).await;
        }
        let mut data = match sign_in::check(&mutation.data) {
            Ok(data) => data,
            Err((field, problem)) => return Ok(invalid(id, &field, problem)),
        };
        let meeting_key: Key = (
            meeting::ENTITY.to_owned(),
            data.get("meeting_id")
                .and_then(Value::as_str)
                .and_then(|m| Uuid::parse_str(m).ok())
                .unwrap_or_default(),
        );
        let Some(library_id) = self
            .records
            .get(&meeting_key)
            .filter(|meeting| !meeting.deleted)
            .map(|meeting| meeting.library_id)
        else {
            return Ok(invalid(id, "meeting_id", Problem::NotAllowedChoice));
        };
        if !self.actor.may(Action::Edit, Target::Library(library_id)) {
            return Ok(rejected(id, "forbidden", "not allowed"));
        }
        data.insert(
            "device_id".into(),
            Value::String(self.device_id.to_string()),
        );
        let key: Key = (sign_in::ENTITY.to_owned(), mutation.record_id);
        if let Some(existing) = self.records.get(&key) {
            // The same sign-in again (a rescue file, a second device): no change.
            let without_device = |fields: &Map<String, Value>| {
                let mut fields = fields.clone();
                fields.remove("device_id");
                fields
            };
            return Ok(if without_device(&existing.data) == without_device(&data) {
                applied(id, existing.rev, Vec::new(), false)
            } else {
                rejected(id, "forbidden", "a sign-in cannot be changed")
            });
        }
        // Struck on the device before it was ever sent: audited all the same.
        let strike = data.get("struck").map(|struck| {
            serde_json::json!({ "meeting_id": data["meeting_id"], "reason": struck["reason"] })
        });
        let rev = self.put(tx, key, library_id, false, data).await?;
        if let Some(details) = strike {
            self.audits
                .push((self.actor.user_id, mutation.record_id, details));
        }
        Ok(applied(id, rev, Vec::new(), false))
    }

    /// Strikes a sign-in off the list, with a reason that goes to the audit
    /// log. The entry stays on record; striking it again is refused, the
    /// same strike again (a replay from a rescue file) changes nothing.
    async fn strike(
        &mut self,
        tx: &mut PgConnection,
        mutation: &Mutation,
    ) -> Result<MutationResult, AppError> {
        let id = mutation.id;
        let struck = match sign_in::check_field("struck", &mutation.data["struck"]) {
            Ok(struck) => struck,
            Err(problem) => return Ok(invalid(id, "struck", problem)),
        };
        let key: Key = (sign_in::ENTITY.to_owned(), mutation.record_id);
        let Some(existing) = self.records.get(&key).filter(|row| !row.deleted).cloned() else {
            return Ok(invalid(id, "struck", Problem::NotAllowedChoice));
        };
        if !self
            .actor
            .may(Action::Edit, Target::Library(existing.library_id))
        {
            return Ok(rejected(id, "forbidden", "not allowed"));
        }
        if let Some(earlier) = existing.data.get("struck") {
            return Ok(if earlier == &struck {
                applied(id, existing.rev, Vec::new(), false)
            } else {
                rejected(id, "forbidden", "the entry is already struck")
            });
        }
        let mut data = existing.data;
        let meeting_id = data.get("meeting_id").cloned().unwrap_or(Value::Null);
        let reason = struck["reason"].clone();
        data.insert("struck".into(), struck);
        let rev = self.put(tx, key, existing.library_id, false, data).await?;
        self.audits.push((
            self.actor.user_id,
            mutation.record_id,
            serde_json::json!({ "meeting_id": meeting_id, "reason": reason }),
        ));
        Ok(applied(id, rev, Vec::new(), false))
    }

    /// Writes what the batch did: records, their versions and the applied
    /// mutations with their results, one statement each.
    async fn write(self, tx: &mut PgConnection) -> Result<(), AppError> {
        let mut entities = Vec::new();
        let mut ids = Vec::new();
        let mut libraries = Vec::new();
        let mut revs = Vec::new();
        let mut deleted = Vec::new();
        let mut datas = Vec::new();
        for ((entity, id), row) in self.records.into_iter().filter(|(_, row)| row.dirty) {
            entities.push(entity);
            ids.push(id);
            libraries.push(row.library_id);
            revs.push(row.rev);
            deleted.push(row.deleted);
            datas.push(Value::Object(row.data));
        }
        if !ids.is_empty() {
            sqlx::query(
                "insert into records (entity, id, library_id, rev, deleted, data)
                 select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[], $5::boolean[], $6::jsonb[])
                 on conflict (entity, id) do update
                 set rev = excluded.rev, deleted = excluded.deleted, data = excluded.data, updated_at = now()",
            )
            .bind(&entities)
            .bind(&ids)
            .bind(&libraries)
            .bind(&revs)
            .bind(&deleted)
            .bind(&datas)
            .execute(&mut *tx)
            .await?;
        }
        if !self.versions.is_empty() {
            let mut entities = Vec::with_capacity(self.versions.len());
            let mut ids = Vec::with_capacity(self.versions.len());
            let mut revs = Vec::with_capacity(self.versions.len());
            let mut datas = Vec::with_capacity(self.versions.len());
            for ((entity, id), rev, data) in self.versions {
                entities.push(entity);
                ids.push(id);
                revs.push(rev);
                datas.push(Value::Object(data));
            }
            sqlx::query(
                "insert into record_versions (entity, record_id, rev, data)
                 select * from unnest($1::text[], $2::uuid[], $3::bigint[], $4::jsonb[])",
            )
            .bind(&entities)
            .bind(&ids)
            .bind(&revs)
            .bind(&datas)
            .execute(&mut *tx)
            .await?;
        }
        let mut ids = Vec::new();
        let mut devices = Vec::new();
        let mut users = Vec::new();
        let mut entities: Vec<String> = Vec::new();
        let mut records = Vec::new();
        let mut datas = Vec::new();
        let mut results = Vec::new();
        for Applied {
            mutation,
            result,
            device_id,
            user_id,
        } in self.applied
        {
            ids.push(mutation.id);
            devices.push(device_id);
            users.push(user_id);
            records.push(mutation.record_id);
            // Only a merging entity's later pushes read what was sent, and
            // only what was applied.
            let keep = merges(&mutation.entity) && result.status != Status::Rejected;
            datas.push(Value::Object(if keep { mutation.data } else { Map::new() }));
            // An unknown entity is kept as a hint, short enough for the index;
            // U+0000 cannot be stored.
            entities.push(mutation.entity.replace('\0', "").chars().take(64).collect());
            results.push(serde_json::to_value(&result).map_err(|e| internal("sync result", e))?);
        }
        sqlx::query(
            "insert into applied_mutations (id, device_id, user_id, entity, record_id, data, result)
             select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::jsonb[], $7::jsonb[])",
        )
        .bind(&ids)
        .bind(&devices)
        .bind(&users)
        .bind(&entities)
        .bind(&records)
        .bind(&datas)
        .bind(&results)
        .execute(&mut *tx)
        .await?;
        if !self.audits.is_empty() {
            let mut actors = Vec::with_capacity(self.audits.len());
            let mut subjects = Vec::with_capacity(self.audits.len());
            let mut details = Vec::with_capacity(self.audits.len());
            for (actor, subject, detail) in self.audits {
                actors.push(actor);
                subjects.push(subject);
                details.push(detail);
            }
            sqlx::query(
                "insert into audit_log (actor_id, action, subject_type, subject_id, details)
                 select actor, 'strike', 'sign_in', subject, details
                 from unnest($1::uuid[], $2::uuid[], $3::jsonb[]) as a(actor, subject, details)",
            )
            .bind(&actors)
            .bind(&subjects)
            .bind(&details)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}

/// Changes after `cursor` that the actor may see, oldest first, and the new cursor.
pub async fn pull(
    pool: &PgPool,
    actor: &Actor,
    cursor: i64,
    limit: u32,
) -> Result<(Vec<Change>, i64, bool), AppError> {
    let limit = match limit {
        0 => DEFAULT_PULL,
        n => n.min(MAX_PULL),
    };
    let filter = match actor.visible_libraries() {
        Scope::All => None,
        Scope::Only(ids) => Some(ids),
    };
    let mut rows: Vec<(String, Uuid, i64, bool, Value)> = sqlx::query_as(
        "select entity, id, rev, deleted, data from records
         where rev > $1 and ($2::uuid[] is null or library_id = any($2))
         order by rev limit $3",
    )
    .bind(cursor)
    .bind(&filter)
    .bind(i64::from(limit) + 1)
    .fetch_all(pool)
    .await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let cursor = rows.last().map_or(cursor, |row| row.2);
    let changes = rows
        .into_iter()
        .map(|(entity, record_id, rev, deleted, data)| Change {
            entity,
            record_id,
            rev,
            deleted,
            data: data.as_object().cloned().unwrap_or_default(),
        })
        .collect();
    Ok((changes, cursor, more))
}
