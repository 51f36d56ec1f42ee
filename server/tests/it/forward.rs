//! A database filled by round one's server migrates forward and serves the
//! same records. `fixtures/round_one.sql` is that server's own data (the
//! demo, and two devices' syncs of every entity kind: drawn, typed and
//! paper sign-ins, a strike, a merge, a conflict, a delete), dumped by
//! `scripts/forward-fixture 16226e6`. The test puts it into a database at
//! round one's schema, runs today's migrations over it, and reads it back
//! through today's server and today's types.

use crate::common::{call, sign_in, sync_body};
use app::{
    attendance::model::{SignIn, Signature},
    meetings::model::Meeting,
    partners::model::Partner,
    plans::model::Plan,
    support::model::Consultation,
    sync::{SyncResponse, local::read_as},
};
use axum::http::StatusCode;
use serde_json::{Value, json};
use server::demo::DEMO_PASSWORD;
use sqlx::{PgPool, migrate::Migrator};
use std::{borrow::Cow, collections::BTreeMap};
use uuid::{Uuid, uuid};

/// The last migration of round one's schema (16226e6).
const ROUND_ONE: i64 = 20261201000002;
const TABLET: Uuid = uuid!("f0000000-0000-4000-8000-000000000001");
const LAPTOP: Uuid = uuid!("f0000000-0000-4000-8000-000000000002");
const MEETING: Uuid = uuid!("f1000000-0000-4000-8000-000000000001");
const GONE: Uuid = uuid!("f1000000-0000-4000-8000-000000000002");

type Stored = BTreeMap<(String, Uuid), (i64, bool, Value)>;

async fn stored(pool: &PgPool) -> Stored {
    let rows: Vec<(String, Uuid, i64, bool, Value)> =
        sqlx::query_as("select entity, id, rev, deleted, data from records")
            .fetch_all(pool)
            .await
            .expect("records");
    rows.into_iter()
        .map(|(entity, id, rev, deleted, data)| ((entity, id), (rev, deleted, data)))
        .collect()
}

/// Everything the librarian's new device pulls, by record.
async fn pulled(pool: &PgPool, cookie: &str) -> BTreeMap<(String, Uuid), (i64, bool, Value)> {
    let device = Uuid::new_v4();
    let (mut cursor, mut out) = (0, BTreeMap::new());
    loop {
        let reply = call(
            pool,
            "/api/sync",
            &sync_body(device, cursor, &[]),
            Some(cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let answer: SyncResponse = serde_json::from_str(&reply.body).expect("answer");
        for change in answer.changes {
            out.insert(
                (change.entity, change.record_id),
                (change.rev, change.deleted, Value::Object(change.data)),
            );
        }
        cursor = answer.cursor;
        if !answer.more {
            return out;
        }
    }
}

#[sqlx::test(migrations = false)]
async fn a_database_filled_by_round_one_migrates_forward_and_serves_the_same_records(pool: PgPool) {
    let today = &app::db::MIGRATOR;
    let round_one = Migrator {
        migrations: Cow::Owned(
            today
                .iter()
                .filter(|m| m.version <= ROUND_ONE)
                .cloned()
                .collect(),
        ),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    };
    round_one.run(&pool).await.expect("round one's schema");
    sqlx::raw_sql(include_str!("fixtures/round_one.sql"))
        .execute(&pool)
        .await
        .expect("round one's data");
    let before = stored(&pool).await;
    today.run(&pool).await.expect("today's migrations");
    let after = stored(&pool).await;
    assert_eq!(before, after, "the migrations changed stored records");

    // A new device of the librarian gets every record of her library as it
    // was stored, the deleted meeting as deleted.
    let cookie = sign_in(&pool, "biblioteka1@demo.local", DEMO_PASSWORD).await;
    let got = pulled(&pool, &cookie).await;
    for entity in [
        "meeting",
        "sign_in",
        "partner",
        "plan",
        "consultation",
        "conflict",
    ] {
        assert!(
            got.keys().any(|(e, _)| e == entity),
            "no {entity} pulled: {:?}",
            got.keys()
        );
    }
    for (key, record) in &got {
        let (rev, deleted, data) = &after[key];
        assert_eq!(&record.0, rev, "{key:?}");
        assert_eq!(&record.1, deleted, "{key:?}");
        if !deleted {
            assert_eq!(&record.2, data, "{key:?}");
        }
    }
    assert!(got[&("meeting".to_owned(), GONE)].1, "the delete was lost");

    // Each record reads as its feature's type.
    let read = |entity: &str| -> Vec<(Uuid, serde_json::Map<String, Value>)> {
        got.iter()
            .filter(|((e, _), (_, deleted, _))| e == entity && !deleted)
            .filter_map(|((_, id), (_, _, data))| Some((*id, data.as_object()?.clone())))
            .collect()
    };
    for (id, data) in read("meeting") {
        assert!(
            read_as::<Meeting>("meeting", id, data).is_some(),
            "meeting {id}"
        );
    }
    for (id, data) in read("partner") {
        assert!(
            read_as::<Partner>("partner", id, data).is_some(),
            "partner {id}"
        );
    }
    for (id, data) in read("plan") {
        assert!(read_as::<Plan>("plan", id, data).is_some(), "plan {id}");
    }
    for (id, data) in read("consultation") {
        assert!(
            read_as::<Consultation>("consultation", id, data).is_some(),
            "consultation {id}"
        );
    }
    let sign_ins: Vec<SignIn> = read("sign_in")
        .into_iter()
        .filter_map(|(id, data)| read_as::<SignIn>("sign_in", id, data))
        .filter(|s| s.meeting_id == MEETING)
        .collect();
    assert_eq!(sign_ins.len(), 4, "{sign_ins:?}");
    assert!(sign_ins.iter().any(|s| s.signature
        == Some(Signature::Drawn {
            strokes: vec![vec![60, 200, 62, 210, 300, 350, 900, 40], vec![500, 100]]
        })));
    assert!(sign_ins.iter().any(
        |s| matches!(&s.signature, Some(Signature::Typed { name }) if name == "Jan Kowalski")
    ));
    assert!(
        sign_ins
            .iter()
            .any(|s| s.typed_later && s.signature.is_none())
    );
    assert_eq!(sign_ins.iter().filter(|s| s.struck.is_some()).count(), 1);
    let meeting: Meeting = read_as(
        "meeting",
        MEETING,
        read("meeting")
            .into_iter()
            .find(|(id, _)| *id == MEETING)
            .expect("the meeting")
            .1,
    )
    .expect("reads");
    assert_eq!(
        meeting.minutes,
        "Akapit pierwszy, z tabletu.\nAkapit drugi.\nAkapit trzeci, z laptopa."
    );
    assert_eq!(meeting.tasks.len(), 2);

    // What round one's devices sent is still known: a repeat by the same
    // person (from the tablet, or from a device her rescue file moved to)
    // gets its first answer; the same id from another person is refused.
    let id = uuid!("a0000000-0000-4000-8000-000000000001");
    let (device, entity, record, data): (Uuid, String, Uuid, Value) = sqlx::query_as(
        "select device_id, entity, record_id, data from applied_mutations where id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .expect("the tablet's first mutation");
    assert_eq!(device, TABLET);
    let repeat = json!([{
        "id": id, "seq": 1, "entity": entity, "record_id": record, "op": "upsert",
        "base_rev": null, "data": data, "client_time": null,
    }]);
    let repeat = repeat.as_array().expect("list");
    let other = sign_in(&pool, "biblioteka2@demo.local", DEMO_PASSWORD).await;
    for (device, person, expected) in [
        (
            TABLET,
            &cookie,
            json!({"status": "applied", "replayed": true}),
        ),
        (
            LAPTOP,
            &cookie,
            json!({"status": "applied", "replayed": true}),
        ),
        (
            Uuid::new_v4(),
            &other,
            json!({"status": "rejected", "code": "id_taken"}),
        ),
    ] {
        let reply = call(
            &pool,
            "/api/sync",
            &sync_body(device, 1 << 40, repeat),
            Some(person),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let answer: Value = serde_json::from_str(&reply.body).expect("json");
        let result = &answer["results"][0];
        assert_eq!(result["status"], expected["status"], "{answer}");
        if expected["replayed"] == true {
            assert_eq!(result["replayed"], true, "{answer}");
        } else {
            assert_eq!(result["error"]["code"], expected["code"], "{answer}");
        }
    }
    assert_eq!(stored(&pool).await, after, "a repeat changed a record");
}
