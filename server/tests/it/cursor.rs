//! Invariant 5 of the sync contract: a device that pulls "everything after
//! revision N" never skips a change, however pushes interleave. Writers in
//! two server processes (two `Writer`s), direct pushes, groups that fail and
//! are retried push by push, all at once, while readers pull from their
//! cursors with small pages; at the end every reader holds exactly what the
//! database holds for the libraries it may see.

use crate::common::{actor_of, rudka_partnership};
use app::{
    accounts::access::Actor,
    sync::{Mutation, server::Writer},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::json;
use server::demo::{self, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};
use uuid::Uuid;

const SEEDS: u64 = 4;
const PUSHERS: u64 = 8;
const PUSHES: usize = 30;
const READERS: usize = 6;

fn meeting(record: Uuid, base_rev: Option<i64>, partnership: Uuid, title: &str) -> Mutation {
    serde_json::from_value(json!({
        "id": Uuid::new_v4(), "seq": 1, "entity": "meeting", "record_id": record,
        "op": "upsert", "base_rev": base_rev, "client_time": null,
        "data": {
            "partnership_id": partnership, "kind": "working", "title": title,
            "starts_at": app::clock::instant_in(-3, 0),
        },
    }))
    .expect("mutation")
}

/// One tablet's pushes: new meetings and edits of its own, now and then one
/// the database refuses (which fails its whole group, retried push by push).
async fn pushing(pool: PgPool, writers: [Writer; 2], actor: Actor, partnership: Uuid, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let device = Uuid::new_v4();
    let mut own: Vec<(Uuid, Option<i64>)> = Vec::new();
    for push in 0..PUSHES {
        let count = rng.random_range(1..=3);
        let mut mutations = Vec::with_capacity(count);
        for n in 0..count {
            let title = if rng.random_ratio(1, 15) {
                "Awaria".to_owned()
            } else {
                format!("Spotkanie {seed}-{push}-{n}")
            };
            let (record, base) = match own.len() {
                0 => (Uuid::new_v4(), None),
                len if rng.random_bool(0.4) => own[rng.random_range(0..len)],
                _ => (Uuid::new_v4(), None),
            };
            mutations.push(meeting(record, base, partnership, &title));
        }
        let results = match rng.random_range(0..5) {
            0 => {
                app::sync::server::push(
                    &pool,
                    app::entities::registry(),
                    &app::sync::server::Sender::person(&actor, device),
                    &mutations,
                )
                .await
            }
            which => {
                writers[which % 2]
                    .push(&actor, device, mutations.clone())
                    .await
            }
        };
        if let Ok(results) = results {
            for (mutation, result) in mutations.iter().zip(results) {
                if result.rev.is_some() {
                    own.retain(|(id, _)| *id != mutation.record_id);
                    own.push((mutation.record_id, result.rev));
                }
            }
        }
        if rng.random_bool(0.3) {
            tokio::task::yield_now().await;
        }
    }
}

/// A device pulling in small pages until told the pushers are done; what it
/// holds (each record's last revision, which is what a device keeps), and
/// how many rounds it pulled while pushes were still going on.
async fn reading(
    pool: PgPool,
    actor: Actor,
    done: Arc<AtomicBool>,
    seed: u64,
) -> (BTreeMap<(String, Uuid), i64>, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut cursor, mut held, mut rounds) = (0, BTreeMap::new(), 0);
    loop {
        // Read before pulling: a pull begun after the pushers finished sees all.
        let last = done.load(Ordering::SeqCst);
        loop {
            let limit = rng.random_range(1..=40);
            let registry = app::entities::registry();
            // The coordinator takes both libraries offline; a librarian's
            // scope is her own whatever she asks.
            let holding = app::sync::Holding {
                offline: vec![server::demo::ZALESIE, server::demo::RUDKA],
                ..Default::default()
            };
            let page = app::sync::server::pull(&pool, registry, &actor, cursor, limit, &holding)
                .await
                .expect("pull");
            for change in page.changes {
                held.insert((change.entity, change.record_id), change.rev);
            }
            cursor = page.cursor;
            if !page.more {
                break;
            }
        }
        if last {
            return (held, rounds);
        }
        rounds += 1;
        tokio::task::yield_now().await;
    }
}

async fn stored_for(pool: &PgPool, actor: &Actor) -> BTreeMap<(String, Uuid), i64> {
    let visible = match actor.visible_libraries() {
        app::accounts::access::Scope::All => None,
        app::accounts::access::Scope::Only(ids) => Some(ids),
    };
    let rows: Vec<(String, Uuid, i64)> = sqlx::query_as(
        "select entity, id, rev from records where $1::uuid[] is null or library_id = any($1)",
    )
    .bind(&visible)
    .fetch_all(pool)
    .await
    .expect("stored");
    rows.into_iter()
        .map(|(entity, id, rev)| ((entity, id), rev))
        .collect()
}

async fn meetings(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from records where entity = 'meeting'")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn no_cursor_skips_a_change_however_pushes_interleave(pool: PgPool) {
    demo::seed(&pool, false).await.expect("seed");
    rudka_partnership(&pool).await;
    sqlx::raw_sql(
        "create function refuse_failure() returns trigger language plpgsql as $$
         begin
           if new.data->>'title' = 'Awaria' then raise exception 'refused'; end if;
           return new;
         end $$;
         create trigger refuse_failure before insert or update on records
           for each row execute function refuse_failure();",
    )
    .execute(&pool)
    .await
    .expect("trigger");
    let zalesie = actor_of(&pool, "biblioteka1@demo.local").await;
    let rudka = actor_of(&pool, "biblioteka2@demo.local").await;
    let coordinator = actor_of(&pool, "koordynator@demo.local").await;
    let writers = [
        Writer::start(pool.clone(), app::entities::registry()),
        Writer::start(pool.clone(), app::entities::registry()),
    ];

    for seed in 0..SEEDS {
        let before = meetings(&pool).await;
        let done = Arc::new(AtomicBool::new(false));
        let mut readers = tokio::task::JoinSet::new();
        for r in 0..READERS {
            let actor = [&zalesie, &rudka, &coordinator][r % 3].clone();
            let (pool, done) = (pool.clone(), done.clone());
            readers.spawn(async move {
                let (held, rounds) =
                    reading(pool, actor.clone(), done, seed * 100 + r as u64).await;
                ((actor, held), rounds)
            });
        }
        let mut pushers = tokio::task::JoinSet::new();
        for p in 0..PUSHERS {
            let (actor, partnership) = if p % 2 == 0 {
                (zalesie.clone(), ZALESIE_PARTNERSHIP)
            } else {
                (rudka.clone(), crate::common::RUDKA_PARTNERSHIP)
            };
            pushers.spawn(pushing(
                pool.clone(),
                writers.clone(),
                actor,
                partnership,
                seed * 1_000 + p,
            ));
        }
        while let Some(pushed) = pushers.join_next().await {
            pushed.expect("pusher");
        }
        done.store(true, Ordering::SeqCst);
        let written = meetings(&pool).await - before;
        assert!(
            written > 100,
            "seed {seed}: {written} meetings are too few to prove anything"
        );
        let mut rounds_while_pushing = 0;
        while let Some(read) = readers.join_next().await {
            let ((actor, held), rounds) = read.expect("reader");
            rounds_while_pushing += rounds;
            let stored = stored_for(&pool, &actor).await;
            assert_eq!(
                held, stored,
                "seed {seed}: a reader's view differs from the database"
            );
        }
        assert!(
            rounds_while_pushing > READERS,
            "seed {seed}: the readers hardly pulled while pushes were going on"
        );
    }
    // The refused pushes made groups fail and be retried one by one.
    let retried: u64 = writers
        .iter()
        .map(|w| w.stats().retried.load(Ordering::Relaxed))
        .sum();
    assert!(retried > 0, "no group was retried");
}
