//! Applying pushed mutations and answering pulls (server only).
//!
//! Pushes are written by one writer per server, in groups: one transaction
//! per group, under an advisory lock, so revisions are taken and committed
//! in order and a device's cursor never skips a change that commits late.
//! Each mutation id is written to `applied_mutations` with its result in
//! that same transaction: a repeat gets the stored result back.
//!
//! The engine knows entities only through the `Registry` it is started
//! with (`crate::entities`).

mod access;
mod apply;
mod batch;
mod history;
mod limits;
mod pull;
mod write;
mod writer;

pub use history::{HISTORY_DAYS, Pruned, prune_history};
pub use pull::{Page, pull, pull_within};
pub use writer::{Writer, WriterStats};

use super::{
    MAX_MUTATIONS, Mutation, MutationResult, RefusalCode, Status,
    rules::{Refusal, Registry},
};
use crate::{accounts::access::Actor, errors::AppError};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Key of the advisory lock that serializes sync writers.
pub const SYNC_LOCK: i64 = 0x5359_4e43;

/// Who sent a push.
#[derive(Debug, Clone)]
pub struct Sender {
    /// The person it is applied as (for a kiosk, who opened it).
    pub actor: Actor,
    pub device_id: Uuid,
    /// Sent with a kiosk token, not a session.
    pub by_token: bool,
}

impl Sender {
    pub fn person(actor: &Actor, device_id: Uuid) -> Sender {
        Sender {
            actor: actor.clone(),
            device_id,
            by_token: false,
        }
    }
}

pub use super::rules::server::TokenGrant;

fn rejection(id: Uuid, code: RefusalCode, message: &str) -> MutationResult {
    MutationResult::rejected(id, code, message)
}

/// A refusal as the device receives it.
fn refused(id: Uuid, refusal: Refusal) -> MutationResult {
    match refusal {
        Refusal::Forbidden(message) => rejection(id, RefusalCode::Forbidden, message),
        Refusal::NotFound(message) => rejection(id, RefusalCode::NotFound, message),
        Refusal::Invalid { field, problem } => {
            let mut result = rejection(id, RefusalCode::Validation, &format!("{field}: {problem}"));
            if let Some(error) = result.error.as_mut() {
                error.field = Some(field);
                error.problem = Some(problem);
            }
            result
        }
    }
}

fn applied(id: Uuid, rev: i64, conflicts: Vec<String>, merged: bool) -> MutationResult {
    MutationResult {
        id,
        status: if merged || !conflicts.is_empty() {
            Status::Merged
        } else {
            Status::Applied
        },
        rev: Some(rev),
        replayed: false,
        conflicts,
        error: None,
    }
}

/// Applies one push directly, in its own transaction (the writer's path
/// when it is gone, and its retry of a failed group).
pub async fn push(
    pool: &PgPool,
    registry: &Registry,
    sender: &Sender,
    mutations: &[Mutation],
) -> Result<Vec<MutationResult>, AppError> {
    if mutations.len() > MAX_MUTATIONS {
        return Err(AppError::TooLarge);
    }
    if mutations.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let push = batch::Push {
        sender,
        mutations,
        prepared: Vec::new(),
    };
    let results = batch::apply(&mut tx, registry, &mut [push])
        .await?
        .pop()
        .unwrap_or_default();
    tx.commit().await?;
    Ok(results)
}

/// Takes the lock that puts sync writers, in every server process, in one line.
async fn lock(tx: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(SYNC_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A kiosk's push: what the entities let a token for `grant.scope` push is
/// applied as the librarian who opened the kiosk; anything else is refused.
pub async fn push_with_token(
    writer: &Writer,
    grant: &TokenGrant,
    device_id: Uuid,
    mutations: &[Mutation],
) -> Result<Vec<MutationResult>, AppError> {
    if mutations.len() > MAX_MUTATIONS {
        return Err(AppError::TooLarge);
    }
    let registry = writer.registry();
    let allowed = |m: &Mutation| {
        registry
            .get(&m.entity)
            .is_some_and(|rules| rules.token_may_push(grant.scope, m))
    };
    let accepted: Vec<Mutation> = mutations.iter().filter(|m| allowed(m)).cloned().collect();
    let sender = Sender {
        actor: grant.actor.clone(),
        device_id,
        by_token: true,
    };
    let mut results = writer.push_as(sender, accepted).await?.into_iter();
    Ok(mutations
        .iter()
        .map(|m| match allowed(m).then(|| results.next()).flatten() {
            Some(result) => result,
            None => rejection(
                m.id,
                RefusalCode::Forbidden,
                "this link only adds sign-ins to its meeting",
            ),
        })
        .collect())
}
