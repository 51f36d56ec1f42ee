//! Devices running the browser's sync core (`app::sync::local`) against the
//! real server and database: offline edits, lost answers, and two devices
//! editing the same minutes.

use crate::common::{call, demo_sign_in};
use app::sync::{
    Op, SyncResponse,
    local::{LocalStore, MemoryStorage},
};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use server::demo::{ACCOUNTS, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use uuid::Uuid;

type Device = LocalStore<MemoryStorage>;

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn device() -> Device {
    LocalStore::open(MemoryStorage::default(), ACCOUNTS[2].id).expect("open")
}

/// One sync round trip as the browser does it. `lose_answer` drops the
/// response after the server has handled the request.
async fn round(pool: &PgPool, cookie: &str, device: &mut Device, lose_answer: bool) {
    let batch = device.take_batch(500).expect("batch");
    let body = json!({
        "device_id": device.device_id(),
        "cursor": device.cursor(),
        "pull_limit": 500,
        "mutations": batch,
    });
    let reply = call(pool, "/api/sync", &body.to_string(), Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    if lose_answer {
        return;
    }
    let answer: SyncResponse = serde_json::from_str(&reply.body).expect("answer");
    device
        .apply_response(&answer.results, &answer.changes, answer.cursor, None)
        .expect("apply");
}

async fn stored_minutes(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("select data->>'minutes' from records where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("minutes")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_offline_meeting_reaches_the_database_once_with_the_last_text(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let mut tablet = device();
    let id = Uuid::new_v4();
    let mut meeting = fields(json!({
        "partnership_id": ZALESIE_PARTNERSHIP, "kind": "initiating", "title": "Pierwsze spotkanie",
        "starts_at": app::clock::instant_in(-40, 0), "minutes": "Szkic.",
    }));
    tablet
        .save("meeting", id, Op::Upsert, meeting.clone(), None)
        .expect("save");
    // Offline: nothing is sent; edits keep coming.
    meeting.insert("minutes".into(), json!("Notatka ze spotkania."));
    tablet
        .save("meeting", id, Op::Upsert, meeting, None)
        .expect("save");

    // Back online, but the first answer is lost on the way.
    round(&pool, &cookie, &mut tablet, true).await;
    round(&pool, &cookie, &mut tablet, false).await;
    assert_eq!(tablet.summary().expect("summary").waiting, 0);
    let rows: i64 = sqlx::query_scalar("select count(*) from records")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(rows, 1);
    assert_eq!(stored_minutes(&pool, id).await, "Notatka ze spotkania.");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn two_devices_editing_different_paragraphs_offline_both_keep_their_edits(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let (mut laptop, mut tablet) = (device(), device());
    let id = Uuid::new_v4();
    laptop
        .save(
            "meeting",
            id,
            Op::Upsert,
            fields(json!({
                "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working", "title": "Robocze",
                "starts_at": app::clock::instant_in(-40, 0), "minutes": "Jeden.\nDwa.\nTrzy.\n",
            })),
            None,
        )
        .expect("save");
    round(&pool, &cookie, &mut laptop, false).await;
    round(&pool, &cookie, &mut tablet, false).await;
    assert!(tablet.view("meeting", id).expect("view").is_some());

    // Both go offline and edit.
    let edit = |device: &mut Device, text: &str| {
        device
            .save(
                "meeting",
                id,
                Op::Upsert,
                fields(json!({ "minutes": text })),
                None,
            )
            .expect("save");
    };
    edit(&mut laptop, "Jeden, z laptopa.\nDwa.\nTrzy.\n");
    edit(&mut tablet, "Jeden.\nDwa.\nTrzy, z tabletu.\n");
    round(&pool, &cookie, &mut laptop, false).await;
    round(&pool, &cookie, &mut tablet, false).await;
    round(&pool, &cookie, &mut laptop, false).await;

    let merged = "Jeden, z laptopa.\nDwa.\nTrzy, z tabletu.\n";
    assert_eq!(stored_minutes(&pool, id).await, merged);
    for device in [&laptop, &tablet] {
        assert_eq!(
            device.view("meeting", id).expect("view").expect("record")["minutes"],
            merged
        );
        assert_eq!(device.summary().expect("summary").waiting, 0);
    }
}
