//! Group commit: pushes that arrive while one is being written wait in a
//! queue and go in together, in one transaction under the lock, so a room
//! of tablets pays one lock and one commit (one disk flush) per group
//! instead of one per request. Each push is still applied on its own, in
//! arrival order, with its own results. Should a group fail, its pushes are
//! retried one by one (mutations are idempotent), so a bad push sinks only
//! itself.

use super::{
    Sender, TokenGrant, batch,
    limits::{Prepared, prepare},
    lock, push,
};
use crate::{
    accounts::access::Actor,
    errors::{AppError, internal},
    sync::{MAX_MUTATIONS, Mutation, MutationResult, rules::Registry},
};
use sqlx::PgPool;
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering::Relaxed},
};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    /// For pushing directly should the writer be gone.
    pool: PgPool,
    registry: &'static Registry,
    stats: Arc<WriterStats>,
}

/// Pushes and groups written so far (the group-commit tests read them).
#[derive(Debug, Default)]
pub struct WriterStats {
    pub pushes: AtomicU64,
    pub groups: AtomicU64,
    /// Pushes retried one by one after their group failed.
    pub retried: AtomicU64,
}

struct Job {
    sender: Sender,
    mutations: Vec<Mutation>,
    /// Checked by the request's task before it queued the job.
    prepared: Vec<Prepared>,
    reply: oneshot::Sender<Result<Vec<MutationResult>, AppError>>,
}

/// Pushes waiting beyond this many make their senders wait for room.
const QUEUE: usize = 4096;
/// A group stops taking pushes once it holds this many mutations.
const GROUP_MUTATIONS: usize = 2 * MAX_MUTATIONS;

impl Writer {
    /// Starts the writer for `registry`'s entities on the current Tokio runtime.
    pub fn start(pool: PgPool, registry: &'static Registry) -> Writer {
        let (queue, waiting) = mpsc::channel(QUEUE);
        let stats = Arc::new(WriterStats::default());
        tokio::spawn(write_groups(pool.clone(), registry, waiting, stats.clone()));
        Writer {
            queue,
            pool,
            registry,
            stats,
        }
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    pub fn registry(&self) -> &'static Registry {
        self.registry
    }

    /// What a kiosk token may do now, if it is valid.
    pub async fn grant(&self, token: &str) -> Result<Option<TokenGrant>, AppError> {
        match self.registry.tokens() {
            Some(tokens) => tokens.grant(&self.pool, token).await,
            None => Ok(None),
        }
    }

    /// Pushes queued behind the group being written.
    pub fn waiting(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }

    /// A signed-in person's push, through the queue.
    pub async fn push(
        &self,
        actor: &Actor,
        device_id: Uuid,
        mutations: Vec<Mutation>,
    ) -> Result<Vec<MutationResult>, AppError> {
        self.push_as(Sender::person(actor, device_id), mutations)
            .await
    }

    pub(super) async fn push_as(
        &self,
        sender: Sender,
        mutations: Vec<Mutation>,
    ) -> Result<Vec<MutationResult>, AppError> {
        if mutations.len() > MAX_MUTATIONS {
            return Err(AppError::TooLarge);
        }
        if mutations.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            prepared: prepare(self.registry, &mutations),
            sender,
            mutations,
            reply,
        };
        // A writer that is gone (it never should be) leaves the push to this
        // request: applying it directly is safe, a repeat changes nothing.
        let job = match self.queue.send(job).await {
            Ok(()) => match answer.await {
                Ok(result) => return result,
                Err(_) => None,
            },
            Err(mpsc::error::SendError(job)) => Some(job),
        };
        tracing::error!("the sync writer stopped; pushing directly");
        match job {
            Some(job) => push(&self.pool, self.registry, &job.sender, &job.mutations).await,
            None => Err(internal("sync writer", "the push was dropped")),
        }
    }
}

async fn write_groups(
    pool: PgPool,
    registry: &'static Registry,
    mut waiting: mpsc::Receiver<Job>,
    stats: Arc<WriterStats>,
) {
    while let Some(first) = waiting.recv().await {
        let mut size = first.mutations.len();
        let mut group = vec![first];
        while size < GROUP_MUTATIONS {
            match waiting.try_recv() {
                Ok(job) => {
                    size += job.mutations.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        stats.groups.fetch_add(1, Relaxed);
        stats.pushes.fetch_add(group.len() as u64, Relaxed);
        match write_group(&pool, registry, &mut group).await {
            Ok(all) => {
                for (job, results) in group.into_iter().zip(all) {
                    // The requester may have gone (timeout, closed tab); its
                    // push is written all the same and a repeat gets the result.
                    let _ = job.reply.send(Ok(results));
                }
            }
            Err(error) if group.len() == 1 => {
                for job in group {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
            Err(error) => {
                tracing::warn!(%error, pushes = group.len(), "a group failed; retrying its pushes one by one");
                stats.retried.fetch_add(group.len() as u64, Relaxed);
                for job in group {
                    let result = push(&pool, registry, &job.sender, &job.mutations).await;
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}

async fn write_group(
    pool: &PgPool,
    registry: &Registry,
    group: &mut [Job],
) -> Result<Vec<Vec<MutationResult>>, AppError> {
    // What each request checked moves into its push (a retry checks again).
    let mut pushes: Vec<batch::Push<'_>> = group
        .iter_mut()
        .map(|job| batch::Push {
            sender: &job.sender,
            mutations: &job.mutations,
            prepared: std::mem::take(&mut job.prepared),
        })
        .collect();
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let mut all = Vec::with_capacity(pushes.len());
    // In arrival order; a run of append-only pushes (a room of kiosks) goes
    // in as one batch, any other push as its own.
    let append_only = |push: &batch::Push<'_>| {
        push.mutations
            .iter()
            .all(|m| registry.get(&m.entity).is_some() && !registry.merges(&m.entity))
    };
    for run in pushes.chunk_by_mut(|a, b| append_only(a) && append_only(b)) {
        all.extend(batch::apply(&mut tx, registry, run).await?);
    }
    tx.commit().await?;
    Ok(all)
}
