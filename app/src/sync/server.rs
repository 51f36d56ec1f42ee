//! Applying pushed mutations and answering pulls (server only).
//!
//! One transaction per push, under an advisory lock: revisions are taken
//! and committed in order, so a device's cursor never skips a change that
//! commits late. Each mutation id is written to `applied_mutations` with its
//! result in that same transaction: a repeat gets the stored result back.

use super::{Change, MAX_MUTATIONS, MAX_PULL, Mutation, MutationResult, Op, Rejection, Status};
use crate::{
    accounts::access::{Action, Actor, Scope, Target},
    errors::{AppError, Problem, internal},
    meetings::model as meeting,
    sync::conflict,
};
use serde_json::{Map, Value};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// Key of the advisory lock that serializes sync writers.
const SYNC_LOCK: i64 = 0x5359_4e43;
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
    let ids: Vec<Uuid> = mutations.iter().map(|m| m.id).collect();
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(SYNC_LOCK)
        .execute(&mut *tx)
        .await?;
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

    let mut results = Vec::with_capacity(mutations.len());
    for mutation in mutations {
        if let Some(original) = done.get(&mutation.id) {
            results.push(MutationResult {
                replayed: true,
                ..original.clone()
            });
            continue;
        }
        let result = match mutation.entity.as_str() {
            meeting::ENTITY => apply_meeting(&mut tx, actor, device_id, mutation).await?,
            conflict::ENTITY => apply_conflict(&mut tx, actor, mutation).await?,
            _ => rejected(mutation.id, "unknown_entity", "unknown entity"),
        };
        let stored = serde_json::to_value(&result).map_err(|e| internal("sync result", e))?;
        sqlx::query(
            "insert into applied_mutations (id, device_id, user_id, entity, record_id, data, result)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(mutation.id)
        .bind(device_id)
        .bind(actor.user_id)
        .bind(&mutation.entity)
        .bind(mutation.record_id)
        .bind(Value::Object(mutation.data.clone()))
        .bind(stored)
        .execute(&mut *tx)
        .await?;
        done.insert(mutation.id, result.clone());
        results.push(result);
    }
    tx.commit().await?;
    Ok(results)
}

/// The fields of `data`, each checked and normalized, or the first bad one.
fn check_fields(data: &Map<String, Value>) -> Result<Map<String, Value>, (String, Problem)> {
    data.iter()
        .map(|(field, value)| {
            meeting::check_field(field, value)
                .map(|value| (field.clone(), value))
                .map_err(|problem| (field.clone(), problem))
        })
        .collect()
}

async fn next_rev(conn: &mut PgConnection) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("select nextval('revisions')")
        .fetch_one(conn)
        .await?)
}

async fn save_version(
    conn: &mut PgConnection,
    entity: &str,
    id: Uuid,
    rev: i64,
    data: &Map<String, Value>,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into record_versions (entity, record_id, rev, data) values ($1, $2, $3, $4)",
    )
    .bind(entity)
    .bind(id)
    .bind(rev)
    .bind(Value::Object(data.clone()))
    .execute(conn)
    .await?;
    Ok(())
}

type Current = (Uuid, i64, bool, Value);

/// What the device saw when it made `mutation`: the record at `base_rev`
/// with the device's own later mutations on it (it builds each edit on its
/// own unacknowledged ones), in the order the server applied them.
async fn device_view(
    tx: &mut PgConnection,
    device_id: Uuid,
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
    .bind(device_id)
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

async fn apply_meeting(
    tx: &mut PgConnection,
    actor: &Actor,
    device_id: Uuid,
    mutation: &Mutation,
) -> Result<MutationResult, AppError> {
    let id = mutation.id;
    let current: Option<Current> = sqlx::query_as(
        "select library_id, rev, deleted, data from records
         where entity = $1 and id = $2 for update",
    )
    .bind(meeting::ENTITY)
    .bind(mutation.record_id)
    .fetch_optional(&mut *tx)
    .await?;

    let Some((library_id, rev, deleted, data)) = current else {
        return match mutation.op {
            Op::Delete => Ok(rejected(id, "not_found", "no such record")),
            Op::Upsert => create_meeting(tx, actor, mutation).await,
        };
    };
    if !actor.may(Action::Edit, Target::Library(library_id)) {
        return Ok(rejected(id, "forbidden", "not allowed"));
    }
    match (mutation.op, deleted) {
        // Deleting twice is the same deletion.
        (Op::Delete, true) => return Ok(applied(id, rev, Vec::new(), false)),
        (Op::Upsert, true) => return Ok(rejected(id, "not_found", "the record was deleted")),
        (Op::Delete, false) => {
            let rev = tombstone(tx, meeting::ENTITY, mutation.record_id).await?;
            return Ok(applied(id, rev, Vec::new(), false));
        }
        (Op::Upsert, false) => {}
    }

    let incoming = match check_fields(&mutation.data) {
        Ok(fields) => fields,
        Err((field, problem)) => return Ok(invalid(id, &field, problem)),
    };
    let mut data = data.as_object().cloned().unwrap_or_default();
    if let Some(partnership) = incoming.get("partnership_id")
        && Some(partnership) != data.get("partnership_id")
    {
        return Ok(invalid(id, "partnership_id", Problem::NotAllowedChoice));
    }

    // A device that never saw the record counts as having seen nothing of it.
    let seen = device_view(tx, device_id, mutation, mutation.base_rev.unwrap_or(0)).await?;

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
        if meeting::TEXT_FIELDS.contains(&field.as_str()) {
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
                    record_conflict(tx, library_id, mutation, &field, &server, &value).await?;
                    conflicts.push(field);
                }
            }
        } else {
            // Short fields: the later change (in server order) wins; the
            // replaced value is kept so that nothing is silently lost.
            record_conflict(tx, library_id, mutation, &field, &value, &server).await?;
            data.insert(field.clone(), value);
            changed.push(field.clone());
            conflicts.push(field);
        }
    }
    if let Err((field, problem)) = meeting::check_record(&data) {
        return Ok(invalid(id, field, problem));
    }
    if changed.is_empty() {
        return Ok(applied(id, rev, conflicts, merged));
    }
    let rev = next_rev(tx).await?;
    sqlx::query(
        "update records set rev = $3, data = $4, updated_at = now()
         where entity = $1 and id = $2",
    )
    .bind(meeting::ENTITY)
    .bind(mutation.record_id)
    .bind(rev)
    .bind(Value::Object(data.clone()))
    .execute(&mut *tx)
    .await?;
    save_version(tx, meeting::ENTITY, mutation.record_id, rev, &data).await?;
    Ok(applied(id, rev, conflicts, merged))
}

/// Keeps the value that lost a merge as a `conflict` record of the same
/// library, pulled by every device that sees the meeting.
async fn record_conflict(
    tx: &mut PgConnection,
    library_id: Uuid,
    mutation: &Mutation,
    field: &str,
    kept: &Value,
    other: &Value,
) -> Result<(), AppError> {
    let rev = next_rev(tx).await?;
    sqlx::query(
        "insert into records (entity, id, library_id, rev, data)
         values ($1, $2, $3, $4, jsonb_build_object(
             'entity', $5::text, 'record_id', $6::uuid, 'field', $7::text,
             'kept', $8::jsonb, 'other', $9::jsonb, 'mutation_id', $10::uuid,
             'created_at', to_char(now() at time zone 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))",
    )
    .bind(conflict::ENTITY)
    .bind(Uuid::new_v4())
    .bind(library_id)
    .bind(rev)
    .bind(&mutation.entity)
    .bind(mutation.record_id)
    .bind(field)
    .bind(kept)
    .bind(other)
    .bind(mutation.id)
    .execute(tx)
    .await?;
    Ok(())
}

/// Marks a record deleted with a new revision; its data goes, the tombstone stays.
async fn tombstone(tx: &mut PgConnection, entity: &str, id: Uuid) -> Result<i64, AppError> {
    let rev = next_rev(tx).await?;
    sqlx::query(
        "update records set deleted = true, rev = $3, data = '{}'::jsonb, updated_at = now()
         where entity = $1 and id = $2",
    )
    .bind(entity)
    .bind(id)
    .bind(rev)
    .execute(tx)
    .await?;
    Ok(rev)
}

/// A person settled a conflict: the device deletes it. Devices never create
/// or change conflicts; the server does, during merges.
async fn apply_conflict(
    tx: &mut PgConnection,
    actor: &Actor,
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
    let current: Option<(Uuid, i64, bool)> = sqlx::query_as(
        "select library_id, rev, deleted from records where entity = $1 and id = $2 for update",
    )
    .bind(conflict::ENTITY)
    .bind(mutation.record_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((library_id, rev, deleted)) = current else {
        return Ok(rejected(id, "not_found", "no such record"));
    };
    if !actor.may(Action::Edit, Target::Library(library_id)) {
        return Ok(rejected(id, "forbidden", "not allowed"));
    }
    if deleted {
        return Ok(applied(id, rev, Vec::new(), false));
    }
    let rev = tombstone(tx, conflict::ENTITY, mutation.record_id).await?;
    Ok(applied(id, rev, Vec::new(), false))
}

async fn create_meeting(
    tx: &mut PgConnection,
    actor: &Actor,
    mutation: &Mutation,
) -> Result<MutationResult, AppError> {
    let id = mutation.id;
    let data = match check_fields(&mutation.data) {
        Ok(fields) => fields,
        Err((field, problem)) => return Ok(invalid(id, &field, problem)),
    };
    if let Err((field, problem)) = meeting::check_record(&data) {
        return Ok(invalid(id, field, problem));
    }
    let partnership = data
        .get("partnership_id")
        .and_then(Value::as_str)
        .and_then(|p| Uuid::parse_str(p).ok());
    let library: Option<Uuid> =
        sqlx::query_scalar("select lead_library_id from partnerships where id = $1")
            .bind(partnership)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(library_id) = library else {
        return Ok(invalid(id, "partnership_id", Problem::NotAllowedChoice));
    };
    if !actor.may(Action::Edit, Target::Library(library_id)) {
        return Ok(rejected(id, "forbidden", "not allowed"));
    }
    let rev = next_rev(tx).await?;
    sqlx::query(
        "insert into records (entity, id, library_id, rev, data)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(meeting::ENTITY)
    .bind(mutation.record_id)
    .bind(library_id)
    .bind(rev)
    .bind(Value::Object(data.clone()))
    .execute(&mut *tx)
    .await?;
    save_version(tx, meeting::ENTITY, mutation.record_id, rev, &data).await?;
    Ok(applied(id, rev, Vec::new(), false))
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
