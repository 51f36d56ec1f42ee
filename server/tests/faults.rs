//! Fault injection: simulated devices edit meetings and take sign-ins offline while their
//! requests and answers are lost, duplicated, delayed and reordered, and the
//! server is restarted (a new router; all state is in PostgreSQL). Each seed
//! is a different random history, reproducible by its number. At the end
//! every device and the database agree, every change made on a device was
//! applied exactly once, and each device's last edit of its own field won.
//!
//! SEEDS × STEPS is stated in the README.

mod common;

use app::sync::{
    Op, SyncResponse,
    local::{LocalStore, MemoryStorage},
};
use axum::http::StatusCode;
use common::{call, demo_sign_in};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Map, Value, json};
use server::demo::{ACCOUNTS, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

pub const SEEDS: u64 = 24;
pub const STEPS: usize = 80;
const DEVICES: usize = 3;

/// Each device owns one short field and one line of the minutes, so that
/// "its last edit won" can be checked; lines are kept apart by fixed lines
/// so that the three-way merge never sees an overlap.
const OWN_FIELD: [&str; DEVICES] = ["title", "place", "facilitator"];

fn minutes(lines: &[String; DEVICES]) -> String {
    format!("{}\n--\n--\n{}\n--\n--\n{}\n", lines[0], lines[1], lines[2])
}

struct Sim {
    store: LocalStore<MemoryStorage>,
    /// Every mutation id the device made (a folded edit keeps its id).
    made: BTreeSet<Uuid>,
    /// Its last value of its own field and minutes line, per record.
    last_field: BTreeMap<Uuid, String>,
    last_line: BTreeMap<Uuid, String>,
    /// Sign-ins taken on this device: id → the person's name.
    signed: BTreeMap<Uuid, String>,
}

/// Requests that went out and whose answers are still on their way.
struct Delayed {
    device: usize,
    body: String,
}

async fn send(pool: &PgPool, cookie: &str, body: &str) -> SyncResponse {
    let reply = call(pool, "/api/sync", body, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("answer")
}

fn request(sim: &mut Sim) -> String {
    let batch = sim.store.take_batch(50).expect("batch");
    json!({
        "device_id": sim.store.device_id(),
        "cursor": sim.store.cursor(),
        "pull_limit": 20,
        "mutations": batch,
    })
    .to_string()
}

fn deliver(sim: &mut Sim, answer: &SyncResponse) {
    for result in &answer.results {
        assert_ne!(result.status, app::sync::Status::Rejected, "{result:?}");
    }
    sim.store
        .apply_response(&answer.results, &answer.changes, answer.cursor, None)
        .expect("apply");
}

fn edit(sim: &mut Sim, index: usize, record: Uuid, rng: &mut StdRng, known: bool) {
    let value = format!("d{index}-{}", rng.random_range(0..1_000_000));
    let mut data = Map::new();
    if !known {
        data.insert("partnership_id".into(), json!(ZALESIE_PARTNERSHIP));
        data.insert("kind".into(), json!("working"));
        data.insert("title".into(), json!("Spotkanie"));
        data.insert("starts_at".into(), json!(app::clock::instant_in(-40, 0)));
        let lines: [String; DEVICES] = std::array::from_fn(|_| "·".to_owned());
        data.insert("minutes".into(), json!(minutes(&lines)));
    }
    if rng.random_bool(0.5) || !known {
        data.insert(OWN_FIELD[index].into(), json!(value));
        sim.last_field.insert(record, value.clone());
    } else {
        // Rewrite this device's line in its current view of the minutes.
        let view = sim
            .store
            .view("meeting", record)
            .expect("view")
            .unwrap_or_default();
        let text = view
            .get("minutes")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() == 7 {
            lines[index * 3] = value.clone();
            let own: [String; DEVICES] = [lines[0].clone(), lines[3].clone(), lines[6].clone()];
            data.insert("minutes".into(), json!(minutes(&own)));
            sim.last_line.insert(record, value);
        }
    }
    let id = sim
        .store
        .save("meeting", record, Op::Upsert, data, None)
        .expect("save");
    sim.made.insert(id);
}

/// The meetings a device has seen (made or pulled).
fn known_meetings(sim: &Sim, records: &[Uuid]) -> Vec<Uuid> {
    records
        .iter()
        .copied()
        .filter(|r| sim.store.view("meeting", *r).ok().flatten().is_some())
        .collect()
}

/// Someone signs the list of a meeting the device knows (append-only).
fn sign(sim: &mut Sim, meeting: Uuid, rng: &mut StdRng) {
    let id = Uuid::new_v4();
    let name = format!("Osoba {}", rng.random_range(0..1_000_000));
    let strokes: Vec<i64> = (0..8).map(|_| rng.random_range(0..=1000)).collect();
    let data = json!({
        "meeting_id": meeting, "full_name": name, "clause_version": 1, "clause_ack": true,
        "image_consent": rng.random_bool(0.5), "signed_at": app::clock::instant_in(-9, 1),
        "signature": {"kind": "drawn", "strokes": [strokes]},
    });
    let made = sim
        .store
        .save(
            "sign_in",
            id,
            Op::Upsert,
            data.as_object().cloned().unwrap_or_default(),
            None,
        )
        .expect("save");
    sim.made.insert(made);
    sim.signed.insert(id, name);
}

/// Runs one seed; returns how many sign-ins it took.
async fn run(pool: &PgPool, cookie: &str, seed: u64) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sims: Vec<Sim> = (0..DEVICES)
        .map(|_| Sim {
            store: LocalStore::open(MemoryStorage::default(), ACCOUNTS[2].id).expect("open"),
            made: BTreeSet::new(),
            last_field: BTreeMap::new(),
            last_line: BTreeMap::new(),
            signed: BTreeMap::new(),
        })
        .collect();
    let mut records: Vec<Uuid> = Vec::new();
    let mut delayed: Vec<Delayed> = Vec::new();

    for _ in 0..STEPS {
        let index = rng.random_range(0..DEVICES);
        match rng.random_range(0..11) {
            // A new meeting, or an edit of one the device knows.
            0 => {
                let record = Uuid::new_v4();
                records.push(record);
                edit(&mut sims[index], index, record, &mut rng, false);
            }
            1..=4 => {
                let known = known_meetings(&sims[index], &records);
                if let Some(record) = known.get(rng.random_range(0..known.len().max(1))) {
                    edit(&mut sims[index], index, *record, &mut rng, true);
                }
            }
            // A sign-in at one of the device's meetings.
            10 => {
                let known = known_meetings(&sims[index], &records);
                if let Some(meeting) = known.get(rng.random_range(0..known.len().max(1))) {
                    sign(&mut sims[index], *meeting, &mut rng);
                }
            }
            // A normal round trip.
            5 | 6 => {
                let body = request(&mut sims[index]);
                let answer = send(pool, cookie, &body).await;
                deliver(&mut sims[index], &answer);
            }
            // The answer is lost.
            7 => {
                let body = request(&mut sims[index]);
                send(pool, cookie, &body).await;
            }
            // The request goes out twice; either answer may arrive.
            8 => {
                let body = request(&mut sims[index]);
                let first = send(pool, cookie, &body).await;
                let second = send(pool, cookie, &body).await;
                deliver(
                    &mut sims[index],
                    if rng.random_bool(0.5) {
                        &first
                    } else {
                        &second
                    },
                );
            }
            // Delayed: held back now, sent and answered later, out of order.
            _ => {
                let body = request(&mut sims[index]);
                delayed.push(Delayed {
                    device: index,
                    body,
                });
            }
        }
        if !delayed.is_empty() && rng.random_bool(0.3) {
            let late = delayed.remove(rng.random_range(0..delayed.len()));
            let answer = send(pool, cookie, &late.body).await;
            if rng.random_bool(0.7) {
                deliver(&mut sims[late.device], &answer);
            }
        }
    }
    // Whatever is still in flight arrives, in random order.
    while !delayed.is_empty() {
        let late = delayed.remove(rng.random_range(0..delayed.len()));
        let answer = send(pool, cookie, &late.body).await;
        deliver(&mut sims[late.device], &answer);
    }
    // The network heals: every device syncs until nothing waits and it has pulled everything.
    for _ in 0..3 {
        for sim in sims.iter_mut() {
            loop {
                let body = request(sim);
                let answer = send(pool, cookie, &body).await;
                deliver(sim, &answer);
                if !answer.more && sim.store.summary().expect("summary").waiting == 0 {
                    break;
                }
            }
        }
    }

    for (index, sim) in sims.iter().enumerate() {
        assert_eq!(
            sim.store.summary().expect("summary").needs_attention,
            0,
            "seed {seed}"
        );
        // Applied exactly once: the primary key forbids twice; here, at least once.
        let applied: i64 =
            sqlx::query_scalar("select count(*) from applied_mutations where id = any($1)")
                .bind(sim.made.iter().copied().collect::<Vec<_>>())
                .fetch_one(pool)
                .await
                .expect("applied");
        assert_eq!(
            applied as usize,
            sim.made.len(),
            "seed {seed}, device {index}"
        );
        for record in &records {
            let stored: Value = sqlx::query_scalar("select data from records where id = $1")
                .bind(record)
                .fetch_one(pool)
                .await
                .expect("record");
            let view = sim
                .store
                .view("meeting", *record)
                .expect("view")
                .expect("known");
            assert_eq!(Value::Object(view), stored, "seed {seed}, device {index}");
            if let Some(value) = sim.last_field.get(record) {
                assert_eq!(
                    stored[OWN_FIELD[index]],
                    json!(value),
                    "seed {seed}: lost edit"
                );
            }
            if let Some(line) = sim.last_line.get(record) {
                let text = stored["minutes"].as_str().unwrap_or_default();
                assert_eq!(
                    text.lines().nth(index * 3),
                    Some(line.as_str()),
                    "seed {seed}: lost line"
                );
            }
        }
    }
    // Every sign-in is on the list once, and every device holds the whole list.
    let signed: BTreeMap<Uuid, String> = sims.iter().flat_map(|sim| sim.signed.clone()).collect();
    let stored: Vec<(Uuid, Value)> = sqlx::query_as(
        "select id, data from records where entity = 'sign_in' and data->>'meeting_id' = any($1)",
    )
    .bind(records.iter().map(Uuid::to_string).collect::<Vec<_>>())
    .fetch_all(pool)
    .await
    .expect("sign-ins");
    assert_eq!(stored.len(), signed.len(), "seed {seed}: sign-ins");
    for (id, data) in &stored {
        assert_eq!(
            data["full_name"].as_str(),
            signed.get(id).map(String::as_str),
            "seed {seed}"
        );
        for sim in &sims {
            let view = sim.store.view("sign_in", *id).expect("view").expect("held");
            assert_eq!(
                &Value::Object(view),
                data,
                "seed {seed}: a device lacks a sign-in"
            );
        }
    }
    let conflicts: i64 =
        sqlx::query_scalar("select count(*) from records where entity = 'conflict'")
            .fetch_one(pool)
            .await
            .expect("conflicts");
    assert_eq!(
        conflicts, 0,
        "seed {seed}: separate fields and lines never conflict"
    );
    signed.len()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn devices_and_database_agree_whatever_the_network_does(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let mut signed = 0;
    for seed in 0..SEEDS {
        signed += run(&pool, &cookie, seed).await;
    }
    assert!(
        signed >= SEEDS as usize,
        "too few sign-ins exercised: {signed}"
    );
}
