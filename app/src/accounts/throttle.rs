//! Slowing down password guessing (server only).
//!
//! Every attempt is counted before its password is checked, in one statement
//! that also answers whether the attempt may go on, so a burst of concurrent
//! guesses gets exactly as many checks as the limit allows. Counts live in a
//! 15-minute window; a key that reaches its limit is locked for 30 s,
//! doubling with each attempt let through after a lock, up to 15 minutes;
//! attempts refused while it is locked are not counted. A successful
//! sign-in takes its own attempt back.
//!
//! Keys, so that strangers cannot lock a person out:
//! - one account from one address: 5 attempts;
//! - one account from anywhere: 50 (guessing spread over many addresses);
//! - one address: 20, for guesses spread over many accounts. An account
//!   that has signed in from that address within 90 days is not refused
//!   because of it, so strangers failing behind the same library router
//!   never keep its people out.
//!
//! An IPv6 client is counted by its /64 network, which one household or
//! phone usually holds whole.

use crate::errors::AppError;
use sqlx::PgPool;
use std::net::IpAddr;

/// Attempts at one account from one address before it is locked for a while.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Attempts at one account from all addresses together.
pub const ACCOUNT_ANYWHERE_LIMIT: i32 = 50;
/// Attempts from one address; higher, since a library's staff often share
/// one public address.
pub const ADDRESS_LIMIT: i32 = 20;

/// The keys one attempt counts against. Each kind has its own prefix, and an
/// address holds no `|`, so no e-mail address can spell another's key.
#[derive(Debug, Clone)]
pub struct Keys {
    /// Account and address together (none for what is not an e-mail address).
    pair: Option<String>,
    account: Option<String>,
    address: Option<String>,
}

/// An attempt that was let through, for `Keys::succeeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Attempt {
    /// Whether the address counted it (it does not while it is locked).
    address_counted: bool,
}

/// What the count said of one key.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    key: String,
    allowed: bool,
    retry_after_secs: f64,
}

/// The address as counted: IPv4 whole, IPv6 by its /64 network.
fn counted_address(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        Ok(IpAddr::V6(v6)) => v6.to_canonical().to_string(),
        Ok(ip) => ip.to_string(),
        Err(_) => "unknown".to_owned(),
    }
}

impl Keys {
    /// A sign-in at `email` (if it is one) from `address`.
    pub fn new(email: Option<&str>, address: &str) -> Self {
        let address = counted_address(address);
        Self {
            pair: email.map(|email| format!("pair:{address}|{email}")),
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
    /// refuses it.
    pub async fn count_attempt(&self, pool: &PgPool) -> Result<Attempt, AppError> {
        let (keys, limits): (Vec<String>, Vec<i32>) = self.limited().into_iter().unzip();
        // Rows are locked in the order given, the same for every attempt.
        let rows: Vec<(String, bool, f64)> = sqlx::query_as(
            "insert into login_failures as f (key, failures, window_started_at, lock_after, allowed, locked_until)
             select key, 1, now(), lock_after, true,
                    case when lock_after <= 1 then now() + interval '30 seconds' end
             from unnest($1::text[], $2::int[]) with ordinality as k(key, lock_after, n)
             order by n
             on conflict (key) do update set
                 failures = case
                     when f.locked_until > now() then f.failures
                     when f.window_started_at < now() - interval '15 minutes' then 1
                     else f.failures + 1 end,
                 window_started_at = case
                     when f.locked_until > now() then f.window_started_at
                     when f.window_started_at < now() - interval '15 minutes' then now()
                     else f.window_started_at end,
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
             returning key, allowed,
                       coalesce(extract(epoch from locked_until - now()), 0)::float8",
        )
        .bind(&keys)
        .bind(&limits)
        .fetch_all(pool)
        .await?;
        let verdicts: Vec<Verdict> = rows
            .into_iter()
            .map(|(key, allowed, retry_after_secs)| Verdict {
                key,
                allowed,
                retry_after_secs,
            })
            .collect();
        let address_refuses = verdicts
            .iter()
            .any(|v| !v.allowed && self.address.as_ref() == Some(&v.key));
        let known = match (&self.pair, address_refuses) {
            (Some(pair), true) => {
                sqlx::query_scalar(
                    "select exists (select 1 from known_sign_ins
                                    where key = $1 and last_at > now() - interval '90 days')",
                )
                .bind(pair)
                .fetch_one(pool)
                .await?
            }
            _ => false,
        };
        self.decide(&verdicts, known)?;
        Ok(Attempt {
            address_counted: !address_refuses,
        })
    }

    /// Refused when any key refuses, but the address not for an account
    /// `known` to sign in from it.
    fn decide(&self, verdicts: &[Verdict], known: bool) -> Result<(), AppError> {
        let spared = |v: &Verdict| known && self.address.as_ref() == Some(&v.key);
        let refusing = verdicts
            .iter()
            .filter(|v| !v.allowed && !spared(v))
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

    /// After the right password: the account's keys are forgotten, the
    /// account is known at this address, and the address gets this attempt
    /// back if it counted it (only this one, and no lock that others caused
    /// is lifted, or one account of one's own would wipe an address's count
    /// between guesses).
    pub async fn succeeded(&self, pool: &PgPool, attempt: Attempt) -> Result<(), AppError> {
        let forget: Vec<String> = [&self.pair, &self.account]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        sqlx::query("delete from login_failures where key = any($1)")
            .bind(&forget)
            .execute(pool)
            .await?;
        if let (Some(pair), Some(_)) = (&self.pair, &self.address) {
            sqlx::query(
                "insert into known_sign_ins (key, last_at) values ($1, now())
                 on conflict (key) do update set last_at = now()",
            )
            .bind(pair)
            .execute(pool)
            .await?;
        }
        if let (Some(address), true) = (&self.address, attempt.address_counted) {
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

/// Forgets expired counts and old known sign-ins, so strangers' made-up
/// e-mails do not pile up.
pub async fn prune(pool: &PgPool) -> Result<u64, AppError> {
    let counts = sqlx::query(
        "delete from login_failures
         where window_started_at < now() - interval '15 minutes'
           and (locked_until is null or locked_until < now())",
    )
    .execute(pool)
    .await?;
    let known =
        sqlx::query("delete from known_sign_ins where last_at < now() - interval '90 days'")
            .execute(pool)
            .await?;
    Ok(counts.rows_affected() + known.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(key: &str, allowed: bool) -> Verdict {
        Verdict {
            key: key.to_owned(),
            allowed,
            retry_after_secs: 29.2,
        }
    }

    #[test]
    fn a_locked_address_spares_only_an_account_known_there() {
        let keys = Keys::new(Some("a@b.pl"), "10.0.0.1");
        let verdicts = [
            verdict("pair:10.0.0.1|a@b.pl", true),
            verdict("account:a@b.pl", true),
            verdict("address:10.0.0.1", false),
        ];
        assert_eq!(keys.decide(&verdicts, true), Ok(()));
        assert_eq!(
            keys.decide(&verdicts, false),
            Err(AppError::TooManyAttempts {
                retry_after_secs: 30
            })
        );
        let locked_pair = [
            verdict("pair:10.0.0.1|a@b.pl", false),
            verdict("account:a@b.pl", true),
            verdict("address:10.0.0.1", true),
        ];
        assert!(keys.decide(&locked_pair, true).is_err());
    }

    #[test]
    fn what_is_not_an_e_mail_counts_against_the_address_only() {
        let keys = Keys::new(None, "10.0.0.1");
        assert_eq!(
            keys.limited(),
            [("address:10.0.0.1".to_owned(), ADDRESS_LIMIT)]
        );
    }

    #[test]
    fn no_e_mail_address_spells_another_key() {
        let forged = Keys::new(Some("a@b.pl|address:10.0.0.1"), "10.0.0.9");
        let victim = Keys::new(Some("a@b.pl"), "10.0.0.1");
        for key in forged.limited() {
            assert!(!victim.limited().contains(&key), "{key:?}");
        }
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_network() {
        assert_eq!(
            counted_address("2001:db8:1:2:aaaa::1"),
            counted_address("2001:db8:1:2:bbbb::7")
        );
        assert_ne!(
            counted_address("2001:db8:1:2::1"),
            counted_address("2001:db8:1:3::1")
        );
        assert_eq!(counted_address("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(counted_address("10.0.0.1"), "10.0.0.1");
    }
}
