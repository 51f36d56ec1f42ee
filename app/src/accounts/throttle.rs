//! Slowing down password guessing (server only).
//!
//! Every attempt is counted before its password is checked, in one statement
//! that also answers whether the attempt may go on, so a burst of concurrent
//! guesses gets exactly as many checks as the limit allows. Counts live in a
//! 15-minute window; a key past its limit is locked for 30 s, doubling with
//! each attempt let through after a lock, up to 15 minutes. A successful
//! sign-in takes its own attempt back.
//!
//! Keys, so that strangers cannot lock a person out:
//! - one account from one address: 5 attempts;
//! - one account from anywhere: 50 (guessing spread over many addresses);
//! - one address: 20, for guesses spread over many accounts. A person's
//!   first attempt at her account from an address is let through even when
//!   that address is locked, so others failing behind the same library
//!   router never keep her out.

use crate::errors::AppError;
use sqlx::PgPool;

/// Attempts at one account from one address before it is locked for a while.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Attempts at one account from all addresses together.
pub const ACCOUNT_ANYWHERE_LIMIT: i32 = 50;
/// Attempts from one address; higher, since a library's staff often share
/// one public address.
pub const ADDRESS_LIMIT: i32 = 20;

/// The keys one attempt counts against.
#[derive(Debug, Clone)]
pub struct Keys {
    /// Account and address together (none for what is not an e-mail address).
    pair: Option<String>,
    account: Option<String>,
    address: Option<String>,
}

/// What the count said of one key.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    key: String,
    attempts: i32,
    allowed: bool,
    retry_after_secs: f64,
}

impl Keys {
    /// A sign-in at `email` (if it is one) from `address`.
    pub fn new(email: Option<&str>, address: &str) -> Self {
        Self {
            pair: email.map(|email| format!("account:{email}|address:{address}")),
            account: email.map(|email| format!("account:{email}")),
            address: Some(format!("address:{address}")),
        }
    }

    /// A signed-in person giving her current password (to change it).
    pub fn current_password(user_id: uuid::Uuid) -> Self {
        Self {
            pair: Some(format!("current-password:{user_id}")),
            account: None,
            address: None,
        }
    }

    fn limited(&self) -> Vec<(String, i32)> {
        [
            (&self.pair, ACCOUNT_LIMIT),
            (&self.account, ACCOUNT_ANYWHERE_LIMIT),
            (&self.address, ADDRESS_LIMIT),
        ]
        .into_iter()
        .filter_map(|(key, limit)| key.clone().map(|key| (key, limit)))
        .collect()
    }

    /// Counts this attempt against every key; `TooManyAttempts` when a key
    /// refuses it (the address only when the account's own key is fresh).
    pub async fn count_attempt(&self, pool: &PgPool) -> Result<(), AppError> {
        let (keys, limits): (Vec<String>, Vec<i32>) = self.limited().into_iter().unzip();
        // Rows are locked in the order given, the same for every attempt.
        let verdicts: Vec<(String, i32, bool, f64)> = sqlx::query_as(
            "insert into login_failures as f (key, failures, window_started_at, lock_after, allowed, locked_until)
             select key, 1, now(), lock_after, true,
                    case when lock_after <= 1 then now() + interval '30 seconds' end
             from unnest($1::text[], $2::int[]) with ordinality as k(key, lock_after, n)
             order by n
             on conflict (key) do update set
                 failures = case when f.window_started_at < now() - interval '15 minutes'
                                 then 1 else f.failures + 1 end,
                 window_started_at = case when f.window_started_at < now() - interval '15 minutes'
                                          then now() else f.window_started_at end,
                 lock_after = excluded.lock_after,
                 allowed = f.locked_until is null or f.locked_until <= now(),
                 locked_until = case
                     when f.locked_until > now() then f.locked_until
                     when (case when f.window_started_at < now() - interval '15 minutes'
                                then 1 else f.failures + 1 end) >= excluded.lock_after
                     then now() + make_interval(secs => least(900, 30 * power(2, least(16,
                              (case when f.window_started_at < now() - interval '15 minutes'
                                    then 1 else f.failures + 1 end) - excluded.lock_after))))
                     else null end
             returning key, failures, allowed,
                       coalesce(extract(epoch from locked_until - now()), 0)::float8",
        )
        .bind(&keys)
        .bind(&limits)
        .fetch_all(pool)
        .await?;
        let verdicts: Vec<Verdict> = verdicts
            .into_iter()
            .map(|(key, attempts, allowed, retry_after_secs)| Verdict {
                key,
                attempts,
                allowed,
                retry_after_secs,
            })
            .collect();
        self.decide(&verdicts)
    }

    fn decide(&self, verdicts: &[Verdict]) -> Result<(), AppError> {
        let is = |key: &Option<String>, verdict: &Verdict| key.as_ref() == Some(&verdict.key);
        let fresh_pair = verdicts
            .iter()
            .any(|v| is(&self.pair, v) && v.attempts == 1);
        let refusing = verdicts
            .iter()
            .filter(|v| !v.allowed && (!is(&self.address, v) || !fresh_pair))
            .map(|v| v.retry_after_secs)
            .fold(None, |most: Option<f64>, secs| {
                Some(most.map_or(secs, |m| m.max(secs)))
            });
        match refusing {
            Some(secs) => Err(AppError::TooManyAttempts {
                retry_after_secs: secs.ceil().max(1.0) as u64,
            }),
            None => Ok(()),
        }
    }

    /// After the right password: the account's keys are forgotten, and the
    /// address gets this attempt back (not all of them, or one account of
    /// one's own would wipe an address's count between guesses).
    pub async fn succeeded(&self, pool: &PgPool) -> Result<(), AppError> {
        let forget: Vec<String> = [&self.pair, &self.account]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        sqlx::query("delete from login_failures where key = any($1)")
            .bind(&forget)
            .execute(pool)
            .await?;
        if let Some(address) = &self.address {
            sqlx::query(
                "update login_failures set failures = greatest(failures - 1, 0),
                        locked_until = case when failures - 1 < lock_after then null else locked_until end
                 where key = $1",
            )
            .bind(address)
            .execute(pool)
            .await?;
        }
        Ok(())
    }
}

/// Forgets expired counts, so strangers' made-up e-mails do not pile up.
pub async fn prune(pool: &PgPool) -> Result<u64, AppError> {
    let done = sqlx::query(
        "delete from login_failures
         where window_started_at < now() - interval '15 minutes'
           and (locked_until is null or locked_until < now())",
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(key: &str, attempts: i32, allowed: bool) -> Verdict {
        Verdict {
            key: key.to_owned(),
            attempts,
            allowed,
            retry_after_secs: 29.2,
        }
    }

    #[test]
    fn a_locked_address_spares_a_first_attempt_at_an_account() {
        let keys = Keys::new(Some("a@b.pl"), "10.0.0.1");
        let pair = "account:a@b.pl|address:10.0.0.1";
        let account = "account:a@b.pl";
        let address = "address:10.0.0.1";
        let first = [
            verdict(pair, 1, true),
            verdict(account, 1, true),
            verdict(address, 30, false),
        ];
        assert_eq!(keys.decide(&first), Ok(()));
        let second = [
            verdict(pair, 2, true),
            verdict(account, 2, true),
            verdict(address, 31, false),
        ];
        assert_eq!(
            keys.decide(&second),
            Err(AppError::TooManyAttempts {
                retry_after_secs: 30
            })
        );
        let locked_account = [
            verdict(pair, 1, true),
            verdict(account, 60, false),
            verdict(address, 1, true),
        ];
        assert!(keys.decide(&locked_account).is_err());
    }

    #[test]
    fn what_is_not_an_e_mail_counts_against_the_address_only() {
        let keys = Keys::new(None, "10.0.0.1");
        assert_eq!(
            keys.limited(),
            [("address:10.0.0.1".to_owned(), ADDRESS_LIMIT)]
        );
        let refused = [verdict("address:10.0.0.1", 21, false)];
        assert!(keys.decide(&refused).is_err());
    }
}
