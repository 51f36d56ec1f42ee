//! Sessions: a random token in an HttpOnly cookie, its SHA-256 in PostgreSQL.
//!
//! Sessions slide: each use pushes the expiry 30 days ahead, so a librarian who
//! works offline for weeks is not logged out under her drafts.

use super::access::Actor;
use crate::errors::AppError;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

pub const COOKIE_NAME: &str = "partnerstwa_session";
pub const LIFETIME_DAYS: i64 = 30;
/// However often it is used, a session ends this long after sign-in, so a
/// stolen cookie does not live for ever.
pub const MAX_AGE_DAYS: i32 = 90;

/// A new session token: 256 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The `Set-Cookie` value that stores `token`; `Secure` when served over HTTPS.
/// The cookie lives as long as a session can (it is set only at sign-in);
/// the server's sliding expiry decides when the session ends.
pub fn cookie(token: &str, secure: bool) -> String {
    let max_age = i64::from(MAX_AGE_DAYS) * 24 * 60 * 60;
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removal_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The session token in a `Cookie` request header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    crate::cookies::value(header, COOKIE_NAME)
}

/// Stores a new session for `user_id` and returns its token.
pub async fn start(pool: &PgPool, user_id: Uuid) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        "insert into sessions (token_hash, user_id, expires_at)
         values ($1, $2, now() + make_interval(days => $3))",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(LIFETIME_DAYS as i32)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Deletes sessions that have expired.
pub async fn prune(pool: &PgPool) -> Result<u64, AppError> {
    let done = sqlx::query("delete from sessions where expires_at < now()")
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Ends one session (logout).
pub async fn end(pool: &PgPool, token: &str) -> Result<(), AppError> {
    sqlx::query("delete from sessions where token_hash = $1")
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

/// The signed-in person behind a token: `None` when the token is unknown,
/// expired, or the account is deactivated. Slides the expiry forward.
pub async fn resolve(pool: &PgPool, token: &str) -> Result<Option<Uuid>, AppError> {
    // One statement: find the live session of an active user and slide it.
    // Writing at most once a minute keeps page loads from all writing.
    let user_id = sqlx::query_scalar::<_, Uuid>(
        "with live as (
             select s.token_hash, s.user_id, s.last_seen_at
             from sessions s join users u on u.id = s.user_id
             where s.token_hash = $1 and s.expires_at > now() and u.is_active
               and s.created_at > now() - make_interval(days => $3)
         ), slid as (
             update sessions s
             set last_seen_at = now(),
                 expires_at = least(now() + make_interval(days => $2),
                                    s.created_at + make_interval(days => $3))
             from live
             where s.token_hash = live.token_hash and live.last_seen_at < now() - interval '1 minute'
         )
         select user_id from live",
    )
    .bind(token_hash(token))
    .bind(LIFETIME_DAYS as i32)
    .bind(MAX_AGE_DAYS)
    .fetch_optional(pool)
    .await?;
    Ok(user_id)
}

/// Loads what `user_id` may do: roles, libraries (with branches) and programs.
pub async fn load_actor(pool: &PgPool, user_id: Uuid) -> Result<Actor, AppError> {
    let is_admin: bool = sqlx::query_scalar("select is_admin from users where id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let librarian_of: Vec<Uuid> = sqlx::query_scalar(
        "select l.id from libraries l
         join library_memberships m on m.library_id = l.id or m.library_id = l.parent_id
         where m.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    // A tutor of a library supports its branches too.
    let tutor_of: Vec<Uuid> = sqlx::query_scalar(
        "select distinct l.id from libraries l
         join tutor_assignments t on t.library_id = l.id or t.library_id = l.parent_id
         where t.tutor_id = $1",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let coordinator_of: Vec<Uuid> =
        sqlx::query_scalar("select program_id from program_coordinators where user_id = $1")
            .bind(user_id)
            .fetch_all(pool)
            .await?;
    let coordinated_libraries: Vec<Uuid> = sqlx::query_scalar(
        "select distinct l.id from libraries l
         join program_libraries pl on pl.library_id = l.id or pl.library_id = l.parent_id
         where pl.program_id = any($1)",
    )
    .bind(&coordinator_of)
    .fetch_all(pool)
    .await?;
    Ok(Actor {
        user_id,
        is_admin,
        librarian_of: librarian_of.into_iter().collect(),
        tutor_of: tutor_of.into_iter().collect(),
        coordinator_of: coordinator_of.into_iter().collect(),
        coordinated_libraries: coordinated_libraries.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_over_https() {
        let plain = cookie("t", false);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        assert!(cookie("t", true).ends_with("; Secure"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let header = format!("lang=en; {COOKIE_NAME}=abc123; other=1");
        assert_eq!(token_from_cookie_header(&header), Some("abc123"));
        assert_eq!(token_from_cookie_header("lang=en"), None);
        assert_eq!(token_from_cookie_header(&format!("{COOKIE_NAME}=")), None);
    }
}
