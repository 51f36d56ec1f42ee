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

/// How many Argon2id computations may run at once. Each holds 19 MiB, so a
/// burst of sign-ins by strangers costs at most this many times that.
pub const AT_ONCE: usize = 4;
/// How many may wait for a turn; past that a request is refused at once.
const MAY_WAIT: usize = 32;
/// How long one waits for a turn before it is refused.
const WAIT: std::time::Duration = std::time::Duration::from_secs(3);

mod turns {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Semaphore;

    pub static PERMITS: Semaphore = Semaphore::const_new(super::AT_ONCE);
    pub static WAITING: AtomicUsize = AtomicUsize::new(0);
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);

    /// Counts a computation while it runs, keeping the most seen at once.
    pub struct Running;

    impl Running {
        pub fn start() -> Self {
            let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(now, Ordering::SeqCst);
            Self
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }

    pub fn most() -> usize {
        MOST.load(Ordering::SeqCst)
    }
}

/// The most Argon2id computations this process has run at once.
pub fn most_at_once() -> usize {
    turns::most()
}

/// Runs `work` on a blocking thread once one of `AT_ONCE` turns is free;
/// when too many wait, or the wait is too long, answers `Busy`.
async fn in_turn<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
) -> Result<T, crate::errors::AppError> {
    use crate::errors::{AppError, internal};
    use std::sync::atomic::Ordering;
    let busy = AppError::Busy {
        retry_after_secs: WAIT.as_secs(),
    };
    // Counted down however this ends, a client that went away included.
    struct Waiting;
    impl Drop for Waiting {
        fn drop(&mut self) {
            turns::WAITING.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let waiting = Waiting;
    if turns::WAITING.fetch_add(1, Ordering::SeqCst) >= MAY_WAIT {
        return Err(busy);
    }
    let permit = tokio::time::timeout(WAIT, turns::PERMITS.acquire()).await;
    drop(waiting);
    let Ok(Ok(permit)) = permit else {
        return Err(busy);
    };
    // The turn goes with the computation: it ends when the hash does, even
    // if the request that asked for it is gone.
    tokio::task::spawn_blocking(move || {
        let _turn = permit;
        let _running = turns::Running::start();
        work()
    })
    .await
    .map_err(|e| internal(what, e))?
    .map_err(|e| internal(what, e))
}

/// `hash` on a blocking thread, in turn, for async code.
pub async fn hash_off_thread(password: String) -> Result<String, crate::errors::AppError> {
    in_turn("password hashing", move || hash(&password)).await
}

/// `verify` on a blocking thread, in turn, for async code.
pub async fn verify_off_thread(
    password: String,
    stored: String,
) -> Result<bool, crate::errors::AppError> {
    in_turn("password check", move || verify(&password, &stored)).await
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
