//! The device store on its own, in memory.

use super::*;
use crate::sync::{Change, MutationResult, Rejection, Status};
use serde_json::json;

fn user() -> Uuid {
    Uuid::from_u128(7)
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn ack(batch: &[Mutation], rev: i64) -> Vec<MutationResult> {
    batch
        .iter()
        .map(|m| MutationResult {
            id: m.id,
            status: Status::Applied,
            rev: Some(rev),
            replayed: false,
            conflicts: Vec::new(),
            error: None,
        })
        .collect()
}

#[test]
fn a_saved_change_survives_reopening_and_typing_folds_into_one_mutation() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    let device = store.device_id();
    let id = Uuid::from_u128(1);
    store
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({"title": "Spot"})),
            None,
        )
        .expect("save");
    store
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({"title": "Spotkanie", "place": "czytelnia"})),
            None,
        )
        .expect("save");

    let store = LocalStore::open(store.into_storage(), user()).expect("reopen");
    assert_eq!(store.device_id(), device);
    assert_eq!(store.outbox().expect("outbox").len(), 1);
    assert_eq!(
        store.view("meeting", id).expect("view"),
        Some(fields(json!({"title": "Spotkanie", "place": "czytelnia"})))
    );
    assert_eq!(store.list("meeting").expect("list").len(), 1);
}

#[test]
fn a_sent_mutation_is_never_changed_and_a_lost_answer_resends_the_same_id() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    let id = Uuid::from_u128(1);
    store
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({"title": "A"})),
            None,
        )
        .expect("save");
    let first = store.take_batch(100).expect("batch");
    // Typing goes on while the request is out: a new mutation, not a change to the sent one.
    store
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({"title": "AB"})),
            None,
        )
        .expect("save");
    // The request failed (network, 5xx): the next batch resends it as it was.
    let again = store.take_batch(100).expect("batch");
    assert_eq!(again.len(), 2);
    assert_eq!(again[0], first[0]);
    assert_eq!(
        store.view("meeting", id).expect("view"),
        Some(fields(json!({"title": "AB"})))
    );
}

#[test]
fn pulled_state_stays_under_pending_edits_and_acknowledged_ones_leave() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    let id = Uuid::from_u128(1);
    store
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({"minutes": "moje"})),
            None,
        )
        .expect("save");
    let pulled = Change {
        entity: "meeting".into(),
        record_id: id,
        rev: 5,
        deleted: false,
        data: fields(json!({"title": "Z serwera", "minutes": "cudze"})),
        library_id: None,
    };
    store.apply_response(&[], &[pulled], 5, None).expect("pull");
    let view = store.view("meeting", id).expect("view").expect("record");
    assert_eq!(view["minutes"], "moje");
    assert_eq!(view["title"], "Z serwera");
    assert_eq!(store.cursor(), 5);
    assert_eq!(
        store.waiting_ids("meeting").expect("waiting"),
        HashSet::from([id])
    );
    assert!(store.waiting_ids("partner").expect("waiting").is_empty());

    let batch = store.take_batch(10).expect("batch");
    store
        .apply_response(&ack(&batch, 6), &[], 6, Some("2026-11-22T10:00:00Z".into()))
        .expect("ack");
    let summary = store.summary().expect("summary");
    assert_eq!(summary.waiting, 0);
    assert!(store.waiting_ids("meeting").expect("waiting").is_empty());
    assert_eq!(
        summary.last_sent_at.as_deref(),
        Some("2026-11-22T10:00:00Z")
    );
    // The next edit is based on what the device last pulled.
    store
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({"place": "sala"})),
            None,
        )
        .expect("save");
    // (The accepted change stays until its revision is pulled.)
    let outbox = store.outbox().expect("outbox");
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[1].mutation.base_rev, Some(5));
}

#[test]
fn a_refused_change_waits_under_needs_attention_and_does_not_block_others() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    store
        .save(
            "meeting",
            Uuid::from_u128(1),
            Op::Upsert,
            fields(json!({"title": ""})),
            None,
        )
        .expect("save");
    store
        .save(
            "meeting",
            Uuid::from_u128(2),
            Op::Upsert,
            fields(json!({"title": "Dobre"})),
            None,
        )
        .expect("save");
    let batch = store.take_batch(10).expect("batch");
    let mut results = ack(&batch, 3);
    results[0].status = Status::Rejected;
    results[0].error = Some(Rejection {
        code: crate::sync::RefusalCode::Validation,
        message: "title: required".into(),
        field: Some("title".into()),
        problem: Some(crate::errors::Problem::Required),
    });
    store
        .apply_response(&results, &[], 3, None)
        .expect("answer");
    let summary = store.summary().expect("summary");
    assert_eq!((summary.waiting, summary.needs_attention), (0, 1));
    assert_eq!(
        store.refused().expect("refused")[0].error.field.as_deref(),
        Some("title")
    );
}

#[test]
fn a_full_store_refuses_the_change_and_keeps_what_was_there() {
    let mut storage = MemoryStorage::default();
    let mut store = LocalStore::open(storage.clone(), user()).expect("open");
    store
        .save(
            "meeting",
            Uuid::from_u128(1),
            Op::Upsert,
            fields(json!({"title": "A"})),
            None,
        )
        .expect("save");
    storage = store.into_storage();
    let used: usize = storage.items.iter().map(|(k, v)| k.len() + v.len()).sum();
    storage.quota = Some(used + 10);
    let mut store = LocalStore::open(storage, user()).expect("open");
    let long = fields(json!({"minutes": "x".repeat(1000)}));
    assert_eq!(
        store.save("meeting", Uuid::from_u128(2), Op::Upsert, long, None),
        Err(StoreError::Full)
    );
    assert_eq!(store.outbox().expect("outbox").len(), 1);
}

#[test]
fn people_on_one_device_do_not_see_each_others_data() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    store
        .save(
            "meeting",
            Uuid::from_u128(1),
            Op::Upsert,
            fields(json!({"title": "A"})),
            None,
        )
        .expect("save");
    let other = LocalStore::open(store.into_storage(), Uuid::from_u128(8)).expect("open");
    assert!(other.list("meeting").expect("list").is_empty());
    assert_eq!(other.summary().expect("summary").waiting, 0);
}

#[test]
fn a_rescue_file_brings_unsent_changes_back_once() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    store
        .save(
            "meeting",
            Uuid::from_u128(1),
            Op::Upsert,
            fields(json!({"title": "A"})),
            None,
        )
        .expect("save");
    let file = serde_json::to_string(&store.rescue().expect("rescue")).expect("json");

    let mut fresh = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    let rescue: Rescue = serde_json::from_str(&file).expect("parse");
    assert_eq!(fresh.import_rescue(rescue.clone()).expect("import"), 1);
    assert_eq!(fresh.import_rescue(rescue).expect("again"), 0);
    assert_eq!(
        fresh.view("meeting", Uuid::from_u128(1)).expect("view"),
        Some(fields(json!({"title": "A"})))
    );
}

#[test]
fn a_refused_change_goes_only_when_the_person_lets_it_go() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    store
        .save(
            "meeting",
            Uuid::from_u128(1),
            Op::Upsert,
            fields(json!({"title": ""})),
            None,
        )
        .expect("save");
    let batch = store.take_batch(10).expect("batch");
    let mut results = ack(&batch, 3);
    results[0].status = Status::Rejected;
    store
        .apply_response(&results, &[], 3, None)
        .expect("answer");
    store
        .dismiss_refused(Uuid::from_u128(99))
        .expect("other id");
    assert_eq!(store.refused().expect("refused").len(), 1);
    store.dismiss_refused(batch[0].id).expect("dismiss");
    assert!(store.refused().expect("refused").is_empty());
}

#[test]
fn reference_data_is_kept_per_person() {
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    store
        .set_reference("partnerships", &vec!["Zalesie".to_owned()])
        .expect("set");
    let other = LocalStore::open(store.into_storage(), Uuid::from_u128(8)).expect("open");
    assert_eq!(
        other
            .reference::<Vec<String>>("partnerships")
            .expect("read"),
        None
    );
}

/// What the browser counts against its quota (localStorage counts
/// characters of keys and values).
fn stored_chars(storage: &MemoryStorage) -> usize {
    storage.chars()
}

#[test]
fn a_meeting_with_long_minutes_costs_little_more_than_its_text() {
    let minutes = "Ustalenia z wójtem gminy i dyrektorką szkoły. ".repeat(435);
    let text = minutes.chars().count();
    let meeting = fields(json!({
        "partnership_id": "5a1e0000-0000-4000-8000-000000000301",
        "kind": "working", "title": "Spotkanie robocze partnerstwa", "status": "draft",
        "starts_at": "2026-10-20T12:00:00Z", "ends_at": "2026-10-20T14:00:00Z",
        "place": "Czytelnia biblioteki", "facilitator": "Barbara Kowalska",
        "agenda": "1. Powitanie\n2. Plan działań\n3. Sprawy różne", "minutes": minutes,
        "decisions": "", "next_meeting": "", "tasks": [],
    }));
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    let id = Uuid::from_u128(1);
    store
        .save("meeting", id, Op::Upsert, meeting.clone(), None)
        .expect("save");
    let waiting = stored_chars(&store.storage);
    let batch = store.take_batch(10).expect("batch");
    let pulled = Change {
        entity: "meeting".into(),
        record_id: id,
        rev: 1,
        deleted: false,
        data: meeting,
        library_id: None,
    };
    store
        .apply_response(&ack(&batch, 1), &[pulled], 1, None)
        .expect("sync");
    let synced = stored_chars(&store.storage);
    // The figures the README gives (≈ 20 000 characters of minutes).
    assert_eq!(text, 20_010);
    assert!(waiting - text < 1_000, "waiting: {waiting}");
    assert!(synced - text < 1_000, "synced: {synced}");
}

#[test]
fn data_from_a_newer_app_is_left_alone() {
    let mut storage = MemoryStorage::default();
    storage
        .set(&format!("partnerstwa/{}/meta", user()), r#"{"schema_version":99,"device_id":"5a1e0000-0000-4000-8000-000000000001","cursor":0,"next_seq":1,"last_sent_at":null}"#)
        .expect("set");
    assert!(matches!(
        LocalStore::open(storage, user()),
        Err(StoreError::Newer(99))
    ));
}

#[test]
fn the_next_person_at_a_tablet_lets_go_of_data_already_sent_and_keeps_unsent() {
    let (sent, unsent, next) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let mut storage = MemoryStorage::default();
    for (person, title) in [(sent, "Wysłane"), (unsent, "Niewysłane")] {
        let mut store = LocalStore::open(&mut storage, person).expect("open");
        // What each pulled before: 50 records of their library.
        let pulled: Vec<Change> = (100..150u128)
            .map(|n| Change {
                entity: "partner".into(),
                record_id: Uuid::from_u128(n),
                rev: i64::try_from(n).unwrap_or(0),
                deleted: false,
                data: fields(json!({"name": format!("Partner {n}")})),
                library_id: Some(Uuid::from_u128(0xA)),
            })
            .collect();
        store.apply_response(&[], &pulled, 150, None).expect("pull");
        store
            .save(
                "meeting",
                Uuid::new_v4(),
                Op::Upsert,
                fields(json!({"title": title})),
                None,
            )
            .expect("save");
        if person == sent {
            let batch = store.take_batch(10).expect("batch");
            store
                .apply_response(&ack(&batch, 5), &[], 5, None)
                .expect("ack");
        }
    }
    storage
        .set(
            &format!("{}config", kiosk_namespace(Uuid::from_u128(9))),
            "{}",
        )
        .expect("kiosk");
    assert_eq!(people(&storage), [sent, unsent]);
    assert_eq!(forget_others(&mut storage, next), [sent]);
    assert!(
        storage
            .keys()
            .iter()
            .all(|k| !k.starts_with(&namespace(sent)))
    );
    let kept = LocalStore::open(&mut storage, unsent).expect("open");
    assert_eq!(kept.summary().expect("summary").waiting, 1);
    assert_eq!(
        kept.list("meeting").expect("list").len(),
        1,
        "her change stays"
    );
    // What she pulled goes (the storage is shared); she pulls it again.
    assert!(kept.list("partner").expect("list").is_empty());
    assert_eq!(kept.cursor(), 0);
    assert_eq!(kept.usage().map(|u| u.replica), Some(0));
    // A kiosk's store is not a person's: it stays.
    assert!(
        storage
            .get(&format!("{}config", kiosk_namespace(Uuid::from_u128(9))))
            .is_some()
    );
    // The one signing in keeps her own.
    assert_eq!(forget_others(&mut storage, unsent), Vec::<Uuid>::new());
}

#[test]
fn a_conflict_over_a_cleared_field_is_listed_with_the_empty_side_as_null() {
    use crate::sync::conflict::{self, Conflict};
    let mut store = LocalStore::open(MemoryStorage::default(), user()).expect("open");
    let record = Uuid::from_u128(1);
    // One person cleared the place (kept: null), the other wrote one; the
    // stored conflict may come without the empty side at all.
    let sides = [
        json!({"kept": null, "other": "sala"}),
        json!({"other": "sala"}),
        json!({"kept": "sala"}),
    ];
    let changes: Vec<Change> = sides
        .iter()
        .enumerate()
        .map(|(n, side)| {
            let mut data = fields(json!({
                "entity": "meeting", "record_id": record, "field": "place",
                "created_at": "2026-11-22T10:00:00Z",
            }));
            data.extend(fields(side.clone()));
            Change {
                entity: conflict::ENTITY.into(),
                record_id: Uuid::from_u128(10 + n as u128),
                rev: 1 + n as i64,
                deleted: false,
                data,
                library_id: None,
            }
        })
        .collect();
    store.apply_response(&[], &changes, 3, None).expect("pull");
    let mut listed: Vec<(Value, Value)> = store
        .list_as::<Conflict>(conflict::ENTITY)
        .expect("list")
        .into_iter()
        .map(|(_, c)| (c.kept, c.other))
        .collect();
    listed.sort_by_key(|(kept, other)| (kept.to_string(), other.to_string()));
    assert_eq!(
        listed,
        vec![
            (json!("sala"), Value::Null),
            (Value::Null, json!("sala")),
            (Value::Null, json!("sala")),
        ]
    );
}
