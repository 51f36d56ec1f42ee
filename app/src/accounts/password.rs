//! Password hashing with Argon2id (server only).

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("hashing the password failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("the stored password hash is malformed: {0}")]
    StoredHash(argon2::password_hash::Error),
}

/// Hashes a password with Argon2id and a random salt, in PHC string format.
///
/// Deliberately slow (tens of milliseconds): call it from a blocking task.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PasswordError::Hash)
}

/// Whether `password` matches the stored PHC hash.
pub fn verify(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(PasswordError::StoredHash)?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// `hash` on a blocking thread, for async code.
pub async fn hash_off_thread(password: String) -> Result<String, crate::errors::AppError> {
    use crate::errors::internal;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| internal("password hashing task", e))?
        .map_err(|e| internal("password hashing", e))
}

/// `verify` on a blocking thread, for async code.
pub async fn verify_off_thread(
    password: String,
    stored: String,
) -> Result<bool, crate::errors::AppError> {
    use crate::errors::internal;
    tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .map_err(|e| internal("password check task", e))?
        .map_err(|e| internal("stored password hash", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("demo-demo-demo").expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("demo-demo-demo", &stored).expect("verify"));
        assert!(!verify("demo-demo-dem0", &stored).expect("verify"));
    }

    #[test]
    fn the_same_password_gets_a_different_salt_each_time() {
        assert_ne!(hash("x").expect("hash"), hash("x").expect("hash"));
    }

    #[test]
    fn a_malformed_stored_hash_is_an_error_not_a_match() {
        assert!(verify("anything", "not-a-hash").is_err());
    }
}
