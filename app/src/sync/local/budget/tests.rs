//! The budget on its own, in memory, at a browser's quota.

use super::*;
use crate::sync::{Change, Op, SyncResponse, local::MemoryStorage};
use serde_json::{Map, json};

const SPARE: &Spare = &[("sign_in", &["signature"])];
/// What Chromium and Firefox give a site's localStorage, in UTF-16
/// units (the memory store counts bytes, never fewer).
const BROWSER_QUOTA: usize = 5_242_880;

fn user() -> Uuid {
    Uuid::from_u128(7)
}

/// A drawn signature as the kiosk stores it (`points` x, y pairs).
fn signature(points: u16) -> Value {
    let stroke: Vec<u16> = (0..points * 2).map(|p| p * 7 % 1000).collect();
    json!({"kind": "drawn", "strokes": [stroke]})
}

fn sign_in(n: u128) -> Map<String, Value> {
    let data = json!({
        "meeting_id": Uuid::from_u128(n / 25 + 1_000_000), "full_name": format!("Osoba {n}"),
        "organization": "Koło Gospodyń Wiejskich w Zalesiu", "function": "przewodnicząca",
        "clause_version": 1, "clause_ack": true, "image_consent": false,
        "signed_at": "2026-11-20T16:00:00Z", "signature": signature(120),
    });
    data.as_object().cloned().unwrap_or_default()
}

fn page(changes: Vec<Change>, cursor: i64) -> SyncResponse {
    SyncResponse {
        results: Vec::new(),
        changes,
        cursor,
        more: false,
        scope: None,
        fill: None,
        editing: None,
    }
}

fn change(entity: &str, n: u128, data: Map<String, Value>) -> Change {
    Change {
        entity: entity.into(),
        record_id: Uuid::from_u128(n),
        rev: i64::try_from(n).unwrap_or(i64::MAX),
        deleted: false,
        data,
        library_id: Some(Uuid::from_u128(0xA)),
    }
}

/// What the pulled records really take, key by key.
fn measured(store: &LocalStore<MemoryStorage>) -> u64 {
    let prefix = format!("{}rec/", store.prefix);
    store
        .storage()
        .items
        .iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .map(|(key, value)| (key.len() + value.len()) as u64)
        .sum()
}

fn has_signature(store: &LocalStore<MemoryStorage>, n: u128) -> bool {
    store
        .pulled("sign_in", Uuid::from_u128(n))
        .expect("read")
        .is_some_and(|p| p.data.contains_key("signature"))
}

#[test]
fn past_the_budget_the_oldest_sign_ins_let_go_of_their_signatures_first() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("store");
    // 3,000 sign-ins of five busy years, about 4 MB, in pages as the server sends them.
    for first in (1..=3_000u128).step_by(500) {
        let changes = (first..first + 500)
            .map(|n| change("sign_in", n, sign_in(n)))
            .collect();
        let cursor = i64::try_from(first + 499).unwrap_or(i64::MAX);
        store
            .apply_answer(&page(changes, cursor), None, SPARE)
            .expect("page");
        assert!(measured(&store) <= REPLICA_BUDGET, "within the budget");
    }
    let usage = store.usage().expect("counted");
    assert_eq!(usage.replica, measured(&store), "the count is exact");
    assert!(has_signature(&store, 3_000), "the newest keep theirs");
    assert!(!has_signature(&store, 1), "the oldest go first");
    let without = (1..=3_000u128)
        .filter(|n| !has_signature(&store, *n))
        .count();
    assert!(without > 0);
    let first_kept = (1..=3_000u128)
        .find(|n| has_signature(&store, *n))
        .expect("some keep theirs");
    assert!(
        (first_kept..=3_000).all(|n| has_signature(&store, n)),
        "oldest first, none out of order"
    );
    assert_eq!(usage.spared.get("sign_in"), Some(&(without as u64)));
    // Every name is still on the list offline.
    let store = LocalStore::open(store.into_storage(), user()).expect("reopen");
    assert_eq!(store.list("sign_in").expect("list").len(), 3_000);
    assert_eq!(store.cursor(), 3_000);
    assert_eq!(store.usage(), Some(usage));
}

/// Records that cannot spare anything stop the pull at the budget; what
/// a person makes offline then still fits: a meeting with 50,000
/// characters of minutes typed in many saves, and 200 kiosk sign-ins.
#[test]
fn a_store_at_its_budget_still_saves_a_long_meeting_and_two_hundred_sign_ins() {
    let storage = MemoryStorage {
        quota: Some(BROWSER_QUOTA),
        ..MemoryStorage::default()
    };
    let mut store = LocalStore::open(storage, user()).expect("store");
    let minutes = "Ustalono harmonogram warsztatów i podział zadań. ".repeat(400);
    let mut cursor = 0;
    let stopped = loop {
        let changes: Vec<Change> = (cursor + 1..=cursor + 20)
            .map(|n| {
                let data = json!({"title": format!("Spotkanie {n}"), "minutes": minutes});
                change("meeting", n, data.as_object().cloned().unwrap_or_default())
            })
            .collect();
        let answer = page(changes, i64::try_from(cursor + 20).unwrap_or(i64::MAX));
        match store.apply_answer(&answer, None, SPARE) {
            Ok(()) => cursor += 20,
            Err(error) => break error,
        }
        assert!(cursor < 10_000, "the budget never stopped the pull");
    };
    assert_eq!(stopped, StoreError::OverBudget);
    assert_eq!(
        store.cursor(),
        i64::try_from(cursor).unwrap_or(0),
        "the page comes again"
    );
    let usage = store.usage().expect("counted");
    assert!(usage.replica <= REPLICA_BUDGET);
    assert!(
        usage.replica > REPLICA_BUDGET - 25_000,
        "filled to the budget"
    );
    assert_eq!(usage.replica, measured(&store));

    let meeting = Uuid::new_v4();
    let long = "Zażółć gęślą jaźń — notatka ze spotkania partnerów. ".repeat(1_000);
    let long: String = long.chars().take(50_000).collect();
    for end in (500..=50_000).step_by(500) {
        let text: String = long.chars().take(end).collect();
        let mut data = Map::new();
        data.insert("minutes".into(), json!(text));
        store
            .save("meeting", meeting, Op::Upsert, data, None)
            .expect("minutes saved");
    }
    for n in 0..200u128 {
        let mut data = sign_in(n);
        data.insert("meeting_id".into(), json!(meeting));
        data.insert("signature".into(), signature(300));
        store
            .save("sign_in", Uuid::new_v4(), Op::Upsert, data, None)
            .expect("sign-in saved");
    }
    let store = LocalStore::open(store.into_storage(), user()).expect("reopen");
    assert_eq!(store.outbox().expect("outbox").len(), 201);
    let saved = store.view("meeting", meeting).expect("view");
    let saved = saved.and_then(|m| m.get("minutes").and_then(Value::as_str).map(str::len));
    assert_eq!(saved, Some(long.len()));
}

/// A stopped pull still brings the record an accepted change waits for,
/// so the change leaves the outbox and its room is freed.
#[test]
fn a_record_a_sent_change_waits_for_goes_in_past_the_budget() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("store");
    let big = "x".repeat(usize::try_from(REPLICA_BUDGET).unwrap_or(0) - 10_000);
    let mut data = Map::new();
    data.insert("minutes".into(), json!(big));
    store
        .apply_answer(&page(vec![change("meeting", 1, data)], 1), None, SPARE)
        .expect("fills the budget");
    let mine = Uuid::from_u128(2);
    let mut edit = Map::new();
    edit.insert("minutes".into(), json!("y".repeat(20_000)));
    store
        .save("meeting", mine, Op::Upsert, edit.clone(), None)
        .expect("saved");
    let batch = store.take_batch(10).expect("batch");
    let results: Vec<crate::sync::MutationResult> = batch
        .iter()
        .map(|m| crate::sync::MutationResult {
            id: m.id,
            status: crate::sync::Status::Applied,
            rev: Some(3),
            replayed: false,
            conflicts: Vec::new(),
            error: None,
        })
        .collect();
    // The page has a record nobody waits for (too big) and hers.
    let mut answer = page(vec![change("meeting", 2, edit)], 3);
    let mut other = Map::new();
    other.insert("minutes".into(), json!("z".repeat(20_000)));
    answer.changes.insert(0, change("meeting", 1_000, other));
    answer.changes[1].rev = 3;
    answer.results = results;
    assert_eq!(
        store.apply_answer(&answer, None, SPARE),
        Err(StoreError::OverBudget)
    );
    assert!(store.pulled("meeting", mine).expect("read").is_some());
    assert!(
        store
            .pulled("meeting", Uuid::from_u128(1_000))
            .expect("read")
            .is_none()
    );
    // Acknowledged, as the engine takes them in when the page does not fit.
    store
        .apply_response(&answer.results, &[], 1, None)
        .expect("acks");
    assert!(
        store.outbox().expect("outbox").is_empty(),
        "its room is freed"
    );
    assert_eq!(store.usage().map(|u| u.replica), Some(measured(&store)));
}

#[test]
fn a_record_too_large_for_what_is_left_is_not_written_and_nothing_is_skipped() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("store");
    let big = "x".repeat(usize::try_from(REPLICA_BUDGET).unwrap_or(0) / 3);
    let meeting = |n| {
        let data = json!({"title": "Spotkanie", "minutes": big});
        change("meeting", n, data.as_object().cloned().unwrap_or_default())
    };
    store
        .apply_answer(&page(vec![meeting(1)], 1), None, SPARE)
        .expect("fits");
    let answer = page(vec![meeting(2), meeting(3)], 3);
    assert_eq!(
        store.apply_answer(&answer, None, SPARE),
        Err(StoreError::OverBudget)
    );
    let store = LocalStore::open(store.into_storage(), user()).expect("reopen");
    assert_eq!(store.cursor(), 1);
    assert!(
        store
            .pulled("meeting", Uuid::from_u128(2))
            .expect("read")
            .is_some()
    );
    assert!(
        store
            .pulled("meeting", Uuid::from_u128(3))
            .expect("read")
            .is_none()
    );
    assert_eq!(
        store.list("meeting").expect("list").len(),
        2,
        "what was written is listed"
    );
    assert_eq!(store.usage().map(|u| u.replica), Some(measured(&store)));
}
