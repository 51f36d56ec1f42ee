//! What merges need of the past, and nothing more: a record's versions (from
//! when a newer one replaced them) and the fields of the mutations applied to
//! it are kept for `HISTORY_DAYS`
//! (a device offline longer merges against the current version: its overlaps
//! become conflicts to settle, nothing is lost). A record's current version,
//! and every mutation's id and result (a late replay's answer), stay.

use crate::errors::AppError;
use sqlx::PgPool;

/// How long a change's history serves merges.
pub const HISTORY_DAYS: i32 = 30;

/// What one run let go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub versions: u64,
    pub mutations: u64,
}

/// Drops versions and mutation fields older than `HISTORY_DAYS` before `now`
/// (seconds since the epoch, the server's clock).
pub async fn prune_history(pool: &PgPool, now: i64) -> Result<Pruned, AppError> {
    // A version is some device's ancestor for as long as a device may have
    // seen it current: it goes once a newer one replaced it before the cutoff.
    let versions = sqlx::query(
        "delete from record_versions v
         where v.created_at < to_timestamp($1) - make_interval(days => $2)
           and exists (select 1 from record_versions w
                       where w.entity = v.entity and w.record_id = v.record_id and w.rev > v.rev
                         and w.created_at < to_timestamp($1) - make_interval(days => $2))",
    )
    .bind(now)
    .bind(HISTORY_DAYS)
    .execute(pool)
    .await?
    .rows_affected();
    let mutations = sqlx::query(
        "update applied_mutations set data = '{}'::jsonb
         where data <> '{}'::jsonb and applied_at < to_timestamp($1) - make_interval(days => $2)",
    )
    .bind(now)
    .bind(HISTORY_DAYS)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(Pruned {
        versions,
        mutations,
    })
}
