//! Answering pulls: what changed after a cursor, in revision order, in pages
//! bounded by count and by bytes.

use crate::{
    accounts::access::{Actor, Scope},
    errors::AppError,
    sync::{Change, MAX_PULL, MAX_PULL_BYTES},
};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

const DEFAULT_PULL: u32 = 500;

/// Changes after `cursor` that the actor may see, oldest first, the new
/// cursor, and whether more wait. A page holds at most `limit` changes and
/// about `MAX_PULL_BYTES` of records (always at least one), so a library of
/// long notes comes in several answers instead of one huge one.
pub async fn pull(
    pool: &PgPool,
    actor: &Actor,
    cursor: i64,
    limit: u32,
) -> Result<(Vec<Change>, i64, bool), AppError> {
    pull_within(pool, actor, cursor, limit, MAX_PULL_BYTES).await
}

/// `pull` with its byte bound given (tests use a small one).
pub async fn pull_within(
    pool: &PgPool,
    actor: &Actor,
    cursor: i64,
    limit: u32,
    bytes: usize,
) -> Result<(Vec<Change>, i64, bool), AppError> {
    let limit = match limit {
        0 => DEFAULT_PULL,
        n => n.min(MAX_PULL),
    };
    let filter = match actor.visible_libraries() {
        Scope::All => None,
        Scope::Only(ids) => Some(ids),
    };
    // The running size is counted in the database, so a page's records are
    // never all read into memory only to be cut.
    let rows: Vec<(String, Uuid, i64, bool, Value, i64)> = sqlx::query_as(
        "with page as (
             select entity, id, rev, deleted, data, octet_length(data::text) as size
             from records
             where rev > $1 and ($2::uuid[] is null or library_id = any($2))
             order by rev limit $3
         ), sized as (
             select *, sum(size) over (order by rev) - size as before,
                    count(*) over () as fetched
             from page
         )
         select entity, id, rev, deleted, data, fetched from sized
         where before < $4 order by rev",
    )
    .bind(cursor)
    .bind(&filter)
    .bind(i64::from(limit) + 1)
    // At least one record a page, however small the bound.
    .bind(i64::try_from(bytes.max(1)).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    let fetched = rows.first().map_or(0, |row| row.5);
    let mut rows = rows;
    let more = fetched > i64::from(limit) || (rows.len() as i64) < fetched;
    rows.truncate(limit as usize);
    let cursor = rows.last().map_or(cursor, |row| row.2);
    let changes = rows
        .into_iter()
        .map(|(entity, record_id, rev, deleted, data, _)| Change {
            entity,
            record_id,
            rev,
            deleted,
            data: data.as_object().cloned().unwrap_or_default(),
        })
        .collect();
    Ok((changes, cursor, more))
}
