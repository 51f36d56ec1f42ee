//! What a device holds: its person's scope, not all she may see. Devices
//! run the browser's store (`app::sync::local`) against the real server:
//! a coordinator holds only the libraries she takes offline, a library
//! added late is filled without a gap, one let go of leaves the device, and
//! a tutor's device never holds an attendee's contact data.

use crate::common::{RUDKA_PARTNERSHIP, call, demo_sign_in, push, rudka_partnership, upsert};
use app::entities::registry;
use app::sync::{
    SyncResponse,
    local::{LocalStore, MemoryStorage},
};
use axum::http::StatusCode;
use serde_json::{Value, json};
use server::demo::{
    ACCOUNTS, RUDKA, ZALESIE, ZALESIE_BOROWO, ZALESIE_LIPNICA, ZALESIE_PARTNERSHIP,
};
use sqlx::PgPool;
use std::collections::BTreeSet;
use uuid::Uuid;

pub(crate) type Device = LocalStore<MemoryStorage>;

fn device_of(person: usize) -> Device {
    LocalStore::open(MemoryStorage::default(), ACCOUNTS[person].id).expect("open")
}

/// Syncs as the browser does, `limit` changes a page, until nothing more
/// comes; how many requests it took.
pub(crate) async fn sync_fully(
    pool: &PgPool,
    cookie: &str,
    device: &mut Device,
    limit: u32,
) -> usize {
    for requests in 1..=500 {
        // What the device holds, as the browser sends it (`Holding`'s fields).
        let mut body = serde_json::to_value(device.holding()).expect("holding");
        body["device_id"] = json!(device.device_id());
        body["cursor"] = json!(device.cursor());
        body["pull_limit"] = json!(limit);
        body["mutations"] = json!(device.take_batch(200).expect("batch"));
        let reply = call(pool, "/api/sync", &body.to_string(), Some(cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let answer: SyncResponse = serde_json::from_str(&reply.body).expect("answer");
        device
            .apply_answer(&answer, None, &registry().spare())
            .expect("apply");
        if !answer.more {
            return requests;
        }
    }
    panic!("the pull never ended");
}

async fn meetings(pool: &PgPool, cookie: &str, partnership: Uuid, count: usize) {
    let made: Vec<Value> = (0..count)
        .map(|n| {
            let data = json!({
                "partnership_id": partnership, "kind": "working",
                "title": format!("Spotkanie {n}"), "starts_at": app::clock::instant_in(-30, 0),
            });
            upsert("meeting", Uuid::new_v4(), data)
        })
        .collect();
    for result in push(pool, cookie, &made).await {
        assert_eq!(result["status"], "applied", "{result}");
    }
}

/// A Zalesie meeting `meeting` (with `fields` beside its required ones)
/// pushed by its librarian, with one sign-in carrying contact data and
/// `signature`.
async fn meeting_with_contact(
    pool: &PgPool,
    librarian: &str,
    fields: Value,
    signature: Value,
) -> Uuid {
    let meeting = Uuid::new_v4();
    let mut data = json!({
        "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working",
        "title": "Spotkanie z kontaktem", "starts_at": app::clock::instant_in(-3, 0),
    });
    if let (Some(data), Value::Object(fields)) = (data.as_object_mut(), fields) {
        data.extend(fields);
    }
    let signed = json!({
        "meeting_id": meeting, "full_name": "Anna Kontaktowa", "organization": "KGW",
        "contact": "anna.kontaktowa@example.pl", "contact_consent": true, "clause_version": 1, "clause_ack": true,
        "image_consent": false, "signed_at": app::clock::instant_in(-3, 1), "signature": signature,
    });
    let results = push(
        pool,
        librarian,
        &[
            upsert("meeting", meeting, data),
            upsert("sign_in", Uuid::new_v4(), signed),
        ],
    )
    .await;
    assert!(
        results.iter().all(|r| r["status"] == "applied"),
        "{results:?}"
    );
    meeting
}

/// The ids of every live record of `libraries`, as the database has them.
async fn stored(pool: &PgPool, libraries: &[Uuid]) -> BTreeSet<Uuid> {
    sqlx::query_scalar(
        "select id from records where library_id = any($1) and not deleted and entity = 'meeting'",
    )
    .bind(libraries)
    .fetch_all(pool)
    .await
    .expect("records")
    .into_iter()
    .collect()
}

fn held(device: &Device) -> BTreeSet<Uuid> {
    device
        .list("meeting")
        .expect("list")
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_coordinator_holds_what_she_takes_offline_and_a_library_added_late_is_filled_without_a_gap(
    pool: PgPool,
) {
    let zalesie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let rudka = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    rudka_partnership(&pool).await;
    meetings(&pool, &zalesie, ZALESIE_PARTNERSHIP, 5).await;
    meetings(&pool, &rudka, RUDKA_PARTNERSHIP, 7).await;

    // Nothing by default: her screens come from the server.
    let mut laptop = device_of(0);
    sync_fully(&pool, &coordinator, &mut laptop, 3).await;
    assert!(held(&laptop).is_empty());
    assert_eq!(laptop.holding().held, Some(Vec::new()));

    laptop.set_offline_libraries(vec![ZALESIE]).expect("choose");
    sync_fully(&pool, &coordinator, &mut laptop, 3).await;
    assert_eq!(held(&laptop), stored(&pool, &[ZALESIE]).await);

    // Rudka's records from before the cursor and after it; then Rudka is
    // taken offline too, and comes in pages while the cursor waits.
    meetings(&pool, &zalesie, ZALESIE_PARTNERSHIP, 2).await;
    meetings(&pool, &rudka, RUDKA_PARTNERSHIP, 2).await;
    laptop
        .set_offline_libraries(vec![RUDKA, ZALESIE])
        .expect("choose");
    let requests = sync_fully(&pool, &coordinator, &mut laptop, 3).await;
    assert!(requests > 3, "the fill came in pages ({requests} requests)");
    assert_eq!(held(&laptop), stored(&pool, &[ZALESIE, RUDKA]).await);
    assert_eq!(laptop.holding().fill, None);

    // Zalesie let go of: its records leave the device, Rudka's stay.
    laptop.set_offline_libraries(vec![RUDKA]).expect("choose");
    sync_fully(&pool, &coordinator, &mut laptop, 3).await;
    assert_eq!(held(&laptop), stored(&pool, &[RUDKA]).await);
    let records: String = laptop
        .storage()
        .items
        .iter()
        .filter(|(key, _)| key.contains("/rec/"))
        .map(|(_, value)| value.as_str())
        .collect();
    assert!(!records.contains(&ZALESIE_PARTNERSHIP.to_string()));

    // A library outside her programs is not hers to take.
    let elsewhere = Uuid::new_v4();
    laptop
        .set_offline_libraries(vec![RUDKA, elsewhere])
        .expect("choose");
    sync_fully(&pool, &coordinator, &mut laptop, 3).await;
    assert_eq!(laptop.holding().held, Some(vec![RUDKA]));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_tutors_device_holds_her_libraries_without_the_attendees_contact_data(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let tutor = demo_sign_in(&pool, "tutor@demo.local").await;
    let signature = json!({"kind": "typed", "name": "Anna Kontaktowa"});
    let meeting = meeting_with_contact(&pool, &librarian, json!({}), signature).await;

    let mut tablet = device_of(1);
    sync_fully(&pool, &tutor, &mut tablet, 500).await;
    let everything: String = tablet.storage().items.values().cloned().collect();
    assert!(everything.contains("Anna Kontaktowa"));
    assert!(!everything.contains("anna.kontaktowa@example.pl"));
    // Nor the signatures: the list shows them from the server.
    assert!(!everything.contains("\"signature\""), "{everything}");
    let asked = json!({ "meeting_id": meeting }).to_string();
    let online = call(&pool, "/api/meeting-signatures", &asked, Some(&tutor)).await;
    assert_eq!(online.status, StatusCode::OK, "{}", online.body);
    let online: Value = serde_json::from_str(&online.body).expect("json");
    assert_eq!(online[0][1]["name"], "Anna Kontaktowa");
    let rudka = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    let outsider = call(&pool, "/api/meeting-signatures", &asked, Some(&rudka)).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    assert!(!outsider.body.contains("Anna"));
    let mut held = tablet.holding().held.expect("held");
    held.sort();
    // Zalesie with its branches, and Rudka.
    let mut tutored = vec![ZALESIE, ZALESIE_BOROWO, ZALESIE_LIPNICA, RUDKA];
    tutored.sort();
    assert_eq!(held, tutored);

    // The library's own librarian gets it.
    let mut office = device_of(2);
    sync_fully(&pool, &librarian, &mut office, 500).await;
    let everything: String = office.storage().items.values().cloned().collect();
    assert!(everything.contains("anna.kontaktowa@example.pl"));
    assert!(everything.contains("\"signature\""));

    // The tutor becomes one of Zalesie's librarians: her tablet fills the
    // library again with what its editors get; and back, without it.
    let membership = |sql: &'static str| {
        sqlx::query(sql)
            .bind(ACCOUNTS[1].id)
            .bind(ZALESIE)
            .execute(&pool)
    };
    membership(
        "insert into library_memberships (user_id, library_id, role) values ($1, $2, 'librarian')",
    )
    .await
    .expect("member");
    sync_fully(&pool, &tutor, &mut tablet, 500).await;
    let everything: String = tablet.storage().items.values().cloned().collect();
    assert!(everything.contains("anna.kontaktowa@example.pl"));
    membership("delete from library_memberships where user_id = $1 and library_id = $2")
        .await
        .expect("no longer");
    sync_fully(&pool, &tutor, &mut tablet, 500).await;
    let everything: String = tablet.storage().items.values().cloned().collect();
    assert!(everything.contains("Anna Kontaktowa"));
    assert!(!everything.contains("anna.kontaktowa@example.pl"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_coordinator_reads_a_librarys_meetings_from_the_server_a_page_at_a_time(pool: PgPool) {
    let zalesie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let rudka = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let before = stored(&pool, &[ZALESIE]).await.len();
    meetings(&pool, &zalesie, ZALESIE_PARTNERSHIP, 25).await;
    let total = before + 25;

    let page = |n: u32| json!({ "library_id": ZALESIE, "page": n }).to_string();
    let first = call(&pool, "/api/library-meetings", &page(1), Some(&coordinator)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first: Value = serde_json::from_str(&first.body).expect("json");
    assert_eq!(first["total"], total);
    assert_eq!(first["items"].as_array().map(Vec::len), Some(20));
    let last_page = u32::try_from(total.div_ceil(20)).expect("pages");
    let last = call(
        &pool,
        "/api/library-meetings",
        &page(last_page),
        Some(&coordinator),
    )
    .await;
    let last: Value = serde_json::from_str(&last.body).expect("json");
    let on_last = total - 20 * (total.div_ceil(20) - 1);
    assert_eq!(last["items"].as_array().map(Vec::len), Some(on_last));
    // Latest first, each with its partnership.
    let starts: Vec<&str> = first["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["starts_at"].as_str())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");
    assert!(
        first["items"][0]["partnership"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );

    // Another library's librarian learns nothing of it.
    let outsider = call(&pool, "/api/library-meetings", &page(1), Some(&rudka)).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND, "{}", outsider.body);
    assert!(!outsider.body.contains("Spotkanie"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn too_many_offline_libraries_are_refused_before_anything_is_applied(pool: PgPool) {
    let zalesie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let offline: Vec<Uuid> = (0..=app::sync::MAX_OFFLINE_LIBRARIES)
        .map(|_| Uuid::new_v4())
        .collect();
    let data = json!({
        "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working",
        "title": "Nie powinno powstać", "starts_at": app::clock::instant_in(-1, 0),
    });
    let body = json!({
        "device_id": Uuid::new_v4(), "cursor": 0, "pull_limit": 10,
        "mutations": [upsert("meeting", Uuid::new_v4(), data)], "offline": offline,
    });
    let reply = call(&pool, "/api/sync", &body.to_string(), Some(&zalesie)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let made: i64 = sqlx::query_scalar(
        "select count(*) from records where data->>'title' = 'Nie powinno powstać'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(made, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_coordinator_reads_a_meeting_and_its_list_from_the_server_and_a_stranger_cannot(
    pool: PgPool,
) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let stranger = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    let minutes = json!({"minutes": "Ustalono godziny otwarcia świetlicy."});
    let signature = json!({"kind": "drawn", "strokes": [[10, 20, 30, 40, 50, 60]]});
    let meeting = meeting_with_contact(&pool, &librarian, minutes, signature).await;
    let body = json!({ "meeting_id": meeting }).to_string();

    let read = call(&pool, "/api/meeting", &body, Some(&coordinator)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let read: Value = serde_json::from_str(&read.body).expect("json");
    assert_eq!(
        read["meeting"]["minutes"],
        "Ustalono godziny otwarcia świetlicy."
    );
    assert_eq!(read["sign_ins"], 1);
    assert_eq!(read["partnership"]["library_id"], json!(ZALESIE));
    let list = call(&pool, "/api/meeting-attendance", &body, Some(&coordinator)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Anna Kontaktowa") && list.body.contains("[10,20,30,40,50,60]"));
    assert!(
        !list.body.contains("anna.kontaktowa@example.pl"),
        "no contact data: {}",
        list.body
    );

    for path in ["/api/meeting", "/api/meeting-attendance"] {
        let reply = call(&pool, path, &body, Some(&stranger)).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
        assert!(!reply.body.contains("świetlic") && !reply.body.contains("Anna"));
    }
}

/// Reference data follows what the device holds: a coordinator's device
/// gets the partnerships and libraries of those she took offline, not her
/// whole program's.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_coordinators_reference_data_is_that_of_the_libraries_she_takes_offline(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    rudka_partnership(&pool).await;
    for path in ["/api/partnerships", "/api/my-libraries"] {
        let none = call(&pool, path, "{}", Some(&coordinator)).await;
        assert_eq!(none.status, StatusCode::OK, "{path}: {}", none.body);
        assert_eq!(none.body, "[]", "{path}");
        let one = json!({ "offline": [RUDKA] }).to_string();
        let one = call(&pool, path, &one, Some(&coordinator)).await;
        assert_eq!(one.status, StatusCode::OK, "{path}: {}", one.body);
        let listed: Vec<Value> = serde_json::from_str(&one.body).expect("json");
        let libraries: BTreeSet<String> = listed
            .iter()
            .map(|item| {
                item.get("library_id")
                    .or_else(|| item.get("id"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let rudka = RUDKA.to_string();
        assert_eq!(libraries, BTreeSet::from([rudka]), "{path}: {}", one.body);
        let many: Vec<Uuid> = (0..1_001).map(|_| Uuid::new_v4()).collect();
        let many = json!({ "offline": many }).to_string();
        let refused = call(&pool, path, &many, Some(&coordinator)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path}");
    }
}
