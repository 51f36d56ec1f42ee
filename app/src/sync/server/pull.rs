//! Answering pulls: what changed after a cursor in the libraries the device
//! holds, in revision order, in pages bounded by count and by bytes.
//!
//! A device holds its person's scope (`Actor::device_scope`), not all she
//! may see. A library new to that scope is filled first: its records up to
//! the device's cursor, in pages, while the cursor stands still; then the
//! cursor moves on over the whole scope. So no change is ever skipped, and
//! a library that leaves the scope is named by its absence from `scope`.

use crate::{
    accounts::access::Actor,
    errors::AppError,
    sync::{Change, Fill, Holding, MAX_PULL, MAX_PULL_BYTES, rules::Registry},
};
use serde_json::Value;
use sqlx::PgPool;
use std::collections::BTreeSet;
use uuid::Uuid;

const DEFAULT_PULL: u32 = 500;

/// One answer to a pull.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub changes: Vec<Change>,
    pub cursor: i64,
    pub more: bool,
    /// What the device holds once it takes this page in.
    pub scope: Vec<Uuid>,
    pub fill: Option<Fill>,
    /// Of `scope`, the libraries sent with their editors' fields.
    pub editing: Vec<Uuid>,
}

/// The changes after `cursor` for what `holding` says the device holds.
pub async fn pull(
    pool: &PgPool,
    registry: &Registry,
    actor: &Actor,
    cursor: i64,
    limit: u32,
    holding: &Holding,
) -> Result<Page, AppError> {
    pull_within(
        pool,
        registry,
        actor,
        (cursor, limit),
        holding,
        MAX_PULL_BYTES,
    )
    .await
}

/// `pull` with its byte bound given (tests use a small one). A page holds
/// at most `limit` changes and about `bytes` of records (always at least
/// one), so a library of long notes comes in several answers.
pub async fn pull_within(
    pool: &PgPool,
    registry: &Registry,
    actor: &Actor,
    (cursor, limit): (i64, u32),
    holding: &Holding,
    bytes: usize,
) -> Result<Page, AppError> {
    holding.check()?;
    let limit = match limit {
        0 => DEFAULT_PULL,
        n => n.min(MAX_PULL),
    };
    let scope = actor.device_scope(&holding.offline);
    let editors: BTreeSet<Uuid> = scope
        .iter()
        .filter(|library| actor.gets_editor_fields(**library))
        .copied()
        .collect();
    // A library whose records came with more (or fewer) fields than the
    // person now gets is filled again.
    let editing: Option<BTreeSet<Uuid>> = holding
        .editing
        .as_ref()
        .map(|e| e.iter().copied().collect());
    let same_fields = |id: &Uuid| {
        editing
            .as_ref()
            .is_none_or(|editing| editing.contains(id) == editors.contains(id))
    };
    // A request that does not say what it holds (an older client) holds its scope.
    let held: BTreeSet<Uuid> = match &holding.held {
        None => scope.clone(),
        Some(held) => held
            .iter()
            .filter(|id| scope.contains(id) && same_fields(id))
            .copied()
            .collect(),
    };
    let editing_of = |held: &BTreeSet<Uuid>| held.intersection(&editors).copied().collect();
    let missing: Vec<Uuid> = scope.difference(&held).copied().collect();
    let cursor = cursor.max(0);
    let bounds = Bounds { limit, bytes };
    if cursor > 0 && !missing.is_empty() {
        // The same fill goes on; another set of libraries starts over.
        let same = |fill: &&Fill| {
            let libraries: BTreeSet<Uuid> = fill.libraries.iter().copied().collect();
            libraries.iter().eq(missing.iter())
        };
        let after = holding
            .fill
            .as_ref()
            .filter(same)
            .map_or(0, |fill| fill.after.clamp(0, cursor));
        let (changes, last, more) = page(pool, &missing, (after, Some(cursor)), bounds).await?;
        let filling = more.then_some(Fill {
            libraries: missing,
            after: last,
        });
        let scope = if filling.is_some() { held } else { scope };
        return Ok(Page {
            changes: redacted(registry, actor, changes),
            cursor,
            // The cursor moves on in the next request.
            more: true,
            editing: editing_of(&scope),
            scope: scope.into_iter().collect(),
            fill: filling,
        });
    }
    let editing = editing_of(&scope);
    let scope: Vec<Uuid> = scope.into_iter().collect();
    let (changes, last, more) = page(pool, &scope, (cursor, None), bounds).await?;
    Ok(Page {
        changes: redacted(registry, actor, changes),
        cursor: last,
        more,
        scope,
        fill: None,
        editing,
    })
}

#[derive(Debug, Clone, Copy)]
struct Bounds {
    limit: u32,
    bytes: usize,
}

/// Records of `libraries` with a revision in `(after, upto]`, oldest first:
/// the page, its last revision (`after` if empty), and whether more wait.
async fn page(
    pool: &PgPool,
    libraries: &[Uuid],
    (after, upto): (i64, Option<i64>),
    Bounds { limit, bytes }: Bounds,
) -> Result<(Vec<Change>, i64, bool), AppError> {
    if libraries.is_empty() {
        return Ok((Vec::new(), after, false));
    }
    // The running size is counted in the database, so a page's records are
    // never all read into memory only to be cut.
    let rows: Vec<(String, Uuid, i64, bool, Value, Uuid, i64)> = sqlx::query_as(
        "with page as (
             select entity, id, rev, deleted, data, library_id,
                    octet_length(data::text) as size
             from records
             where rev > $1 and ($2::bigint is null or rev <= $2)
               and library_id = any($3)
             order by rev limit $4
         ), sized as (
             select *, sum(size) over (order by rev) - size as before,
                    count(*) over () as fetched
             from page
         )
         select entity, id, rev, deleted, data, library_id, fetched from sized
         where before < $5 order by rev",
    )
    .bind(after)
    .bind(upto)
    .bind(libraries)
    .bind(i64::from(limit) + 1)
    // At least one record a page, however small the bound.
    .bind(i64::try_from(bytes.max(1)).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    let fetched = rows.first().map_or(0, |row| row.6);
    let mut rows = rows;
    let more = fetched > i64::from(limit) || (rows.len() as i64) < fetched;
    rows.truncate(limit as usize);
    let last = rows.last().map_or(after, |row| row.2);
    let changes = rows
        .into_iter()
        .map(
            |(entity, record_id, rev, deleted, data, library, _)| Change {
                entity,
                record_id,
                rev,
                deleted,
                data: data.as_object().cloned().unwrap_or_default(),
                library_id: Some(library),
            },
        )
        .collect();
    Ok((changes, last, more))
}

/// Changes without the fields their entity gives only to the library's
/// editors, where the actor is not one.
fn redacted(registry: &Registry, actor: &Actor, mut changes: Vec<Change>) -> Vec<Change> {
    for change in &mut changes {
        let Some(rules) = registry.get(&change.entity) else {
            continue;
        };
        let editor = change
            .library_id
            .is_some_and(|library| actor.gets_editor_fields(library));
        if !editor {
            for field in rules.editors_only() {
                change.data.remove(*field);
            }
        }
    }
    changes
}
