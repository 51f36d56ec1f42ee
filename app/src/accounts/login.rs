//! Checking an e-mail and password (server only).

use super::{password, throttle};
use crate::errors::{AppError, internal};
use sqlx::PgPool;
use std::sync::OnceLock;
use uuid::Uuid;

/// A valid Argon2id hash of a random password: an unknown e-mail is checked
/// against it so that the answer takes as long as for a known one.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        password::hash(&super::session::new_token()).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$5q0C5C0QfM0XKfNfJ8e3pKcXvQ3pZb1Kx3B3VvH2o9E".into()
        })
    })
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
        Some((id, Some(hash))) => (Some(id), hash),
        _ => (None, decoy_hash().to_owned()),
    };
    let attempt = password_attempt.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&attempt, &stored))
        .await
        .map_err(|e| internal("password check task", e))?
        .map_err(|e| internal("stored password hash", e))?;

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
