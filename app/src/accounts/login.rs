//! Checking an e-mail and password (server only).

use super::{password, throttle};
use crate::errors::AppError;
use sqlx::PgPool;
use std::sync::OnceLock;
use uuid::Uuid;

/// A valid Argon2id hash of a random password: an unknown e-mail is checked
/// against it so that the answer takes as long as for a known one.
fn decoy_hash() -> Option<&'static str> {
    static DECOY: OnceLock<Option<String>> = OnceLock::new();
    DECOY
        .get_or_init(|| password::hash(&super::session::new_token()).ok())
        .as_deref()
}

/// The account behind `email` and `password`, with failed attempts throttled
/// per account and per client address. Never says whether the e-mail exists.
pub async fn authenticate(
    pool: &PgPool,
    email: &str,
    password_attempt: &str,
    client_address: &str,
) -> Result<Uuid, AppError> {
    let email = email.trim().to_lowercase();
    let account_key = throttle::account_key(&email);
    let address_key = throttle::address_key(client_address);
    throttle::check(pool, &[account_key.clone(), address_key.clone()]).await?;

    let account: Option<(Uuid, Option<String>)> =
        sqlx::query_as("select id, password_hash from users where email = $1 and is_active")
            .bind(&email)
            .fetch_optional(pool)
            .await?;
    let (user_id, stored) = match account {
        Some((id, Some(hash))) => (Some(id), Some(hash)),
        _ => (None, decoy_hash().map(str::to_owned)),
    };
    let matches = match stored {
        Some(stored) => password::verify_off_thread(password_attempt.to_owned(), stored).await?,
        None => false,
    };

    match user_id {
        Some(user_id) if matches => {
            throttle::clear(pool, &account_key).await?;
            Ok(user_id)
        }
        _ => {
            throttle::record_failure(pool, &account_key, throttle::ACCOUNT_LIMIT).await?;
            throttle::record_failure(pool, &address_key, throttle::ADDRESS_LIMIT).await?;
            Err(AppError::BadCredentials)
        }
    }
}
