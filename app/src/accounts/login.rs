//! Checking an e-mail and password (server only).

use super::{model::Email, password, throttle};
use crate::errors::AppError;
use sqlx::PgPool;
use uuid::Uuid;

/// A valid Argon2id hash of a random password: an unknown e-mail is checked
/// against it so that the answer takes as long as for a known one.
async fn decoy_hash() -> Result<&'static str, AppError> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_try_init(|| password::hash_off_thread(super::session::new_token()))
        .await
        .map(String::as_str)
}

/// Longer passwords are not checked: nobody types them, and each costs the
/// hash its length.
const MAX_PASSWORD_BYTES: usize = 1024;

/// The account behind `email` and `password`. Every attempt is counted before
/// the password is checked (see `throttle`); a refused one costs no hash.
/// Never says whether the e-mail exists.
pub async fn authenticate(
    pool: &PgPool,
    email: &str,
    password_attempt: &str,
    client_address: &str,
) -> Result<Uuid, AppError> {
    // Not an e-mail address (too long, a NUL, no @): no account can match,
    // and the attempt counts against the address alone.
    let email = Email::parse(email).ok();
    let keys = throttle::Keys::new(email.as_ref().map(Email::as_str), client_address);
    let attempt = keys.count_attempt(pool).await?;

    let account: Option<(Uuid, Option<String>)> = match &email {
        Some(email) => {
            sqlx::query_as("select id, password_hash from users where email = $1 and is_active")
                .bind(email.as_str())
                .fetch_optional(pool)
                .await?
        }
        None => None,
    };
    let (user_id, stored) = match account {
        Some((id, Some(hash))) => (Some(id), hash),
        _ => (None, decoy_hash().await?.to_owned()),
    };
    let checked = if password_attempt.len() <= MAX_PASSWORD_BYTES {
        password_attempt.to_owned()
    } else {
        String::new()
    };
    let matches = password::verify_off_thread(checked, stored).await?;
    match user_id {
        Some(user_id) if matches && password_attempt.len() <= MAX_PASSWORD_BYTES => {
            keys.succeeded(pool, attempt).await?;
            Ok(user_id)
        }
        _ => Err(AppError::BadCredentials),
    }
}
