//! Slowing down password guessing (server only). Failed logins are counted
//! per account and per client address in a 15-minute window; past a limit
//! the key is locked for a time that doubles with each further failure.

use crate::errors::AppError;
use sqlx::PgPool;

/// Failures allowed on one account before it is locked for a while.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures allowed from one address; higher, since a library's staff often
/// share one public address.
pub const ADDRESS_LIMIT: i32 = 20;
const MAX_LOCK_SECS: i64 = 15 * 60;

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// How long a key is locked after its `failures`-th failure: nothing below
/// the limit, then 30 s, 60 s, 120 s … up to 15 minutes.
pub fn lock_secs(failures: i32, limit: i32) -> Option<i64> {
    let over = failures.checked_sub(limit)?;
    (over >= 0).then(|| (30_i64 << over.min(16)).min(MAX_LOCK_SECS))
}

/// Refuses with `TooManyAttempts` while any of `keys` is locked.
pub async fn check(pool: &PgPool, keys: &[String]) -> Result<(), AppError> {
    let remaining: Option<f64> = sqlx::query_scalar(
        "select max(extract(epoch from locked_until - now()))::float8 from login_failures
         where key = any($1) and locked_until > now()",
    )
    .bind(keys)
    .fetch_one(pool)
    .await?;
    match remaining {
        Some(secs) => Err(AppError::TooManyAttempts {
            retry_after_secs: secs.ceil().max(1.0) as u64,
        }),
        None => Ok(()),
    }
}

/// Counts one failure against `key` and locks it when it passes `limit`.
pub async fn record_failure(pool: &PgPool, key: &str, limit: i32) -> Result<(), AppError> {
    let failures: i32 = sqlx::query_scalar(
        "insert into login_failures (key, failures, window_started_at) values ($1, 1, now())
         on conflict (key) do update set
             failures = case when login_failures.window_started_at < now() - interval '15 minutes'
                             then 1 else login_failures.failures + 1 end,
             window_started_at = case when login_failures.window_started_at < now() - interval '15 minutes'
                                      then now() else login_failures.window_started_at end
         returning failures",
    )
    .bind(key)
    .fetch_one(pool)
    .await?;
    if let Some(secs) = lock_secs(failures, limit) {
        sqlx::query(
            "update login_failures set locked_until = now() + make_interval(secs => $2) where key = $1",
        )
        .bind(key)
        .bind(secs as f64)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Forgets the failures of `key` (after a successful login).
pub async fn clear(pool: &PgPool, key: &str) -> Result<(), AppError> {
    sqlx::query("delete from login_failures where key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_the_limit_nothing_is_locked() {
        assert_eq!(lock_secs(1, ACCOUNT_LIMIT), None);
        assert_eq!(lock_secs(ACCOUNT_LIMIT - 1, ACCOUNT_LIMIT), None);
    }

    #[test]
    fn the_lock_doubles_and_is_capped_at_fifteen_minutes() {
        assert_eq!(lock_secs(5, 5), Some(30));
        assert_eq!(lock_secs(6, 5), Some(60));
        assert_eq!(lock_secs(10, 5), Some(900));
        assert_eq!(lock_secs(1000, 5), Some(900));
    }
}
