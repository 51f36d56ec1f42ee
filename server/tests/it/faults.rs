//! Fault injection: simulated devices edit meetings, partners, plans and
//! consultations and take sign-ins offline while their requests and answers
//! are lost, duplicated, delayed and reordered, and the server is restarted
//! (a new router; all state is in PostgreSQL). Each seed is a different
//! random history, reproducible by its number. At the end every device and
//! the database agree, every change made on a device was applied exactly
//! once, and each device's last edit of its own field won.
//!
//! SEEDS × STEPS is stated in the README.

use crate::common::{call, day_in, demo_sign_in};
use app::sync::{
    Op, SyncResponse,
    local::{LocalStore, MemoryStorage},
};
use axum::http::StatusCode;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Map, Value, json};
use server::demo::{ACCOUNTS, PRB_ROUND_III, ZALESIE, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

pub const SEEDS: u64 = 24;
pub const STEPS: usize = 80;
const DEVICES: usize = 3;

/// A merged entity as the simulation edits it. Each device owns one short
/// field and one line of a long text, so that "its last edit won" can be
/// checked; lines are kept apart by fixed lines so that the three-way merge
/// never sees an overlap.
struct Kind {
    entity: &'static str,
    own: [&'static str; DEVICES],
    text: &'static str,
    /// A new record's required fields (`record` is its id).
    new: fn(Uuid) -> Value,
}

const KINDS: [Kind; 4] = [
    Kind {
        entity: "meeting",
        own: ["title", "place", "facilitator"],
        text: "minutes",
        new: |_| {
            json!({
                "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working", "title": "Spotkanie",
                "starts_at": app::clock::instant_in(-40, 0),
            })
        },
    },
    Kind {
        entity: "partner",
        own: ["name", "contact_person", "role"],
        text: "notes",
        new: |_| json!({ "library_id": ZALESIE, "name": "Partner", "sector": "ngo" }),
    },
    // A plan is its partnership's: the run makes a partnership per plan.
    Kind {
        entity: "plan",
        own: ["vision", "goals", "evaluation"],
        text: "diagnosis",
        new: |record| json!({ "partnership_id": record }),
    },
    Kind {
        entity: "consultation",
        own: ["tutor_name", "topic", "minutes"],
        text: "notes",
        new: |_| {
            json!({
                "library_id": ZALESIE, "program_id": PRB_ROUND_III, "tutor_id": ACCOUNTS[1].id,
                "tutor_name": "Tomasz Wiśniewski", "date": day_in(-11), "minutes": 30,
                "mode": "remote", "topic": "Plan rozwoju współpracy",
            })
        },
    },
];

fn text(lines: &[String; DEVICES]) -> String {
    format!("{}\n--\n--\n{}\n--\n--\n{}\n", lines[0], lines[1], lines[2])
}

/// A value for a device's own field (a consultation's length is a number).
fn own_value(field: &str, index: usize, rng: &mut StdRng) -> Value {
    if field == "minutes" {
        json!(rng.random_range(5..=720))
    } else {
        json!(format!("d{index}-{}", rng.random_range(0..1_000_000)))
    }
}

struct Sim {
    store: LocalStore<MemoryStorage>,
    /// Every mutation id the device made (a folded edit keeps its id).
    made: BTreeSet<Uuid>,
    /// Its last value of its own field and text line, per record.
    last_field: BTreeMap<Uuid, Value>,
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

fn edit(sim: &mut Sim, index: usize, kind: &Kind, record: Uuid, rng: &mut StdRng, known: bool) {
    let mut data = Map::new();
    if !known {
        data = (kind.new)(record).as_object().cloned().unwrap_or_default();
        let lines: [String; DEVICES] = std::array::from_fn(|_| "·".to_owned());
        data.insert(kind.text.into(), json!(text(&lines)));
    }
    let field = kind.own[index];
    if rng.random_bool(0.5) || !known {
        let value = own_value(field, index, rng);
        data.insert(field.into(), value.clone());
        sim.last_field.insert(record, value);
    } else {
        // Rewrite this device's line in its current view of the text.
        let value = format!("d{index}-{}", rng.random_range(0..1_000_000));
        let view = sim
            .store
            .view(kind.entity, record)
            .expect("view")
            .unwrap_or_default();
        let current = view
            .get(kind.text)
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut lines: Vec<String> = current.lines().map(str::to_owned).collect();
        if lines.len() == 7 {
            lines[index * 3] = value.clone();
            let own: [String; DEVICES] = [lines[0].clone(), lines[3].clone(), lines[6].clone()];
            data.insert(kind.text.into(), json!(text(&own)));
            sim.last_line.insert(record, value);
        }
    }
    let id = sim
        .store
        .save(kind.entity, record, Op::Upsert, data, None)
        .expect("save");
    sim.made.insert(id);
}

/// The records a device has seen (made or pulled), with their kind.
fn known(sim: &Sim, records: &[(usize, Uuid)], only: Option<usize>) -> Vec<(usize, Uuid)> {
    records
        .iter()
        .copied()
        .filter(|(kind, _)| only.is_none_or(|only| only == *kind))
        .filter(|(kind, r)| {
            sim.store
                .view(KINDS[*kind].entity, *r)
                .ok()
                .flatten()
                .is_some()
        })
        .collect()
}

/// A partnership of Zalesie for a new plan (one plan per partnership).
async fn partnership(pool: &PgPool, id: Uuid) {
    sqlx::query(
        "insert into partnerships (id, name, lead_library_id, program_id)
         values ($1, 'Partnerstwo z planem', $2, $3)",
    )
    .bind(id)
    .bind(ZALESIE)
    .bind(PRB_ROUND_III)
    .execute(pool)
    .await
    .expect("partnership");
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
    let mut records: Vec<(usize, Uuid)> = Vec::new();
    let mut delayed: Vec<Delayed> = Vec::new();

    for _ in 0..STEPS {
        let index = rng.random_range(0..DEVICES);
        match rng.random_range(0..11) {
            // A new record of any kind, or an edit of one the device knows.
            0 => {
                let (kind, record) = (rng.random_range(0..KINDS.len()), Uuid::new_v4());
                if KINDS[kind].entity == "plan" {
                    partnership(pool, record).await;
                }
                records.push((kind, record));
                edit(
                    &mut sims[index],
                    index,
                    &KINDS[kind],
                    record,
                    &mut rng,
                    false,
                );
            }
            1..=4 => {
                let known = known(&sims[index], &records, None);
                if let Some((kind, record)) = known.get(rng.random_range(0..known.len().max(1))) {
                    edit(
                        &mut sims[index],
                        index,
                        &KINDS[*kind],
                        *record,
                        &mut rng,
                        true,
                    );
                }
            }
            // A sign-in at one of the device's meetings.
            10 => {
                let known = known(&sims[index], &records, Some(0));
                if let Some((_, meeting)) = known.get(rng.random_range(0..known.len().max(1))) {
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
        for (kind, record) in &records {
            let kind = &KINDS[*kind];
            let stored: Value = sqlx::query_scalar("select data from records where id = $1")
                .bind(record)
                .fetch_one(pool)
                .await
                .expect("record");
            let view = sim
                .store
                .view(kind.entity, *record)
                .expect("view")
                .expect("known");
            assert_eq!(
                Value::Object(view),
                stored,
                "seed {seed}, device {index}, {}",
                kind.entity
            );
            if let Some(value) = sim.last_field.get(record) {
                assert_eq!(
                    &stored[kind.own[index]], value,
                    "seed {seed}: lost edit of a {}",
                    kind.entity
                );
            }
            if let Some(line) = sim.last_line.get(record) {
                let text = stored[kind.text].as_str().unwrap_or_default();
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
    .bind(
        records
            .iter()
            .map(|(_, record)| record.to_string())
            .collect::<Vec<_>>(),
    )
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
    // Every kind was made and edited on more than one device, in several histories.
    let mut exercised = Vec::new();
    for kind in &KINDS {
        let edited = crate::common::scalar(
            &pool,
            &format!(
                "select count(*) from records r where entity = '{}'
                 and (select count(distinct device_id) from applied_mutations m
                      where m.record_id = r.id) > 1",
                kind.entity
            ),
        )
        .await;
        exercised.push((kind.entity, edited));
    }
    assert!(
        exercised.iter().all(|(_, edited)| *edited >= 5),
        "records edited on two devices or more: {exercised:?}"
    );
}
