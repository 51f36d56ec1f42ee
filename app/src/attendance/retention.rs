//! Erasing sign-ins (server only): when their program's retention period
//! after the meeting has passed, and on a person's request. An erased
//! sign-in becomes an empty tombstone with a new revision, so every device
//! drops it on its next pull; its earlier versions and the personal data in
//! its applied mutations go too. The audit log keeps only ids and why.

use crate::{errors::AppError, sync::server::SYNC_LOCK};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Why sign-ins were erased, as the audit log says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Retention,
    Request,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Retention => "retention",
            Self::Request => "request",
        }
    }
}

/// Erases the given sign-ins inside the caller's transaction; returns how
/// many were erased (already erased ones are skipped).
pub async fn erase(
    tx: &mut PgConnection,
    ids: &[Uuid],
    actor_id: Option<Uuid>,
    reason: Reason,
) -> Result<u64, AppError> {
    // Revisions must be taken in commit order, as the sync push takes them.
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(SYNC_LOCK)
        .execute(&mut *tx)
        .await?;
    let erased: Vec<Uuid> = sqlx::query_scalar(
        "update records set deleted = true, data = '{}'::jsonb,
                rev = nextval('revisions'), updated_at = now()
         where entity = 'sign_in' and id = any($1) and not deleted
         returning id",
    )
    .bind(ids)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("delete from record_versions where entity = 'sign_in' and record_id = any($1)")
        .bind(&erased)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "update applied_mutations set data = '{}'::jsonb
         where entity = 'sign_in' and record_id = any($1)",
    )
    .bind(&erased)
    .execute(&mut *tx)
    .await?;
    // A strike's reason is free text that may name the person: it goes too.
    sqlx::query(
        "update audit_log set details = details - 'reason'
         where subject_type = 'sign_in' and action = 'strike' and subject_id = any($1)",
    )
    .bind(&erased)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into audit_log (actor_id, action, subject_type, subject_id, details)
         select $1, 'erase', 'sign_in', id, jsonb_build_object('reason', $3::text)
         from unnest($2::uuid[]) as e(id)",
    )
    .bind(actor_id)
    .bind(&erased)
    .bind(reason.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(erased.len() as u64)
}

/// Erases every sign-in whose meeting started longer ago than its program
/// keeps sign-ins, as of `now` (seconds since the epoch). A shortened period
/// waits out its grace (see `directory::program_settings`). A deleted
/// meeting (its data is gone) is judged by its last version, as if it had
/// not been deleted; without one, from its deletion, with the longest period
/// of its library's programs (or the longest period there is). Returns how
/// many were erased.
///
/// Dates are compared as the canonical text they are stored in, never cast,
/// so one malformed date cannot stop the job for every library: that
/// meeting is named in the log and counted from the day it was stored.
pub async fn erase_expired(pool: &PgPool, now: i64) -> Result<u64, AppError> {
    const INSTANT: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$";
    let mut tx = pool.begin().await?;
    let rows: Vec<(Uuid, Uuid, bool, bool)> = sqlx::query_as(
        r#"with meetings as (
             select m.id, m.library_id, m.created_at, m.updated_at,
                    coalesce(case when m.deleted then last.data else m.data end, '{}') as data,
                    m.deleted and last.data is null as unknown
             from records m
             left join lateral (
                 select v.data from record_versions v
                 where v.entity = 'meeting' and v.record_id = m.id and v.data ? 'starts_at'
                 order by v.rev desc limit 1) last on m.deleted
             where m.entity = 'meeting'),
           held as (
             select s.id, m.id as meeting_id,
                    coalesce(m.data ->> 'starts_at', '') ~ $1 as readable,
                    case when m.unknown
                         then to_char(m.updated_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                         when coalesce(m.data ->> 'starts_at', '') ~ $1 then m.data ->> 'starts_at'
                         else to_char(m.created_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    end as started,
                    coalesce(case when pr.retention_grace_until > $2::timestamptz
                                  then greatest(pr.sign_in_retention_months, pr.retention_grace_months)
                                  else pr.sign_in_retention_months end,
                             (select max(case when x.retention_grace_until > $2::timestamptz
                                              then greatest(x.sign_in_retention_months, x.retention_grace_months)
                                              else x.sign_in_retention_months end)
                              from program_libraries pl
                              join programs x on x.id = pl.program_id
                              where pl.library_id = m.library_id),
                             240) as months
             from records s
             join meetings m on m.id::text = s.data ->> 'meeting_id'
             left join partnerships p on p.id::text = m.data ->> 'partnership_id'
             left join programs pr on pr.id = p.program_id
             where s.entity = 'sign_in' and not s.deleted)
           select * from (
             select id, meeting_id, readable,
                    started collate "C" < to_char(($2::timestamptz at time zone 'utc') - make_interval(months => months),
                                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"') collate "C" as past
             from held) judged
           where past or not readable"#,
    )
    .bind(INSTANT)
    .bind(crate::format::instant_of(now))
    .fetch_all(&mut *tx)
    .await?;
    let mut expired = Vec::new();
    let mut unreadable = std::collections::BTreeSet::new();
    for (id, meeting, readable, past) in rows {
        if !readable {
            unreadable.insert(meeting);
        }
        if past {
            expired.push(id);
        }
    }
    for meeting in unreadable {
        tracing::warn!(
            "retention: meeting {meeting} has no readable start date; its sign-ins count from the day it was stored"
        );
    }
    let erased = if expired.is_empty() {
        0
    } else {
        erase(&mut tx, &expired, None, Reason::Retention).await?
    };
    tx.commit().await?;
    Ok(erased)
}

/// Runs `erase_expired` now and then every hour, for the server's life, with
/// the bookkeeping nobody needs any more (expired sessions, old counts of
/// failed sign-ins, sync history past what merges use); a failure (the
/// database still starting) is retried after a minute.
pub async fn run_every_hour(pool: PgPool) {
    use std::time::Duration;
    loop {
        let housekeeping = async {
            crate::accounts::session::prune(&pool).await?;
            crate::accounts::throttle::prune(&pool).await?;
            crate::sync::server::prune_history(&pool, crate::clock::now()).await?;
            erase_expired(&pool, crate::clock::now()).await
        };
        let pause = match housekeeping.await {
            Ok(erased) => {
                if erased > 0 {
                    tracing::info!(
                        "retention: erased {erased} sign-ins past their program's period"
                    );
                }
                Duration::from_secs(3600)
            }
            Err(error) => {
                tracing::warn!("retention job failed, retrying in a minute: {error}");
                Duration::from_secs(60)
            }
        };
        tokio::time::sleep(pause).await;
    }
}
