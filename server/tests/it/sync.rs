//! `POST /api/sync` against the real database: idempotent pushes, replays,
//! pulls limited to what the person may see, merges and conflicts.

use crate::common::{
    RUDKA_PARTNERSHIP, actor_of, call, demo_sign_in, rudka_partnership, scalar, sign_in, sync_body,
};
use axum::http::StatusCode;
use serde_json::{Value, json};
use server::demo::{self, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use uuid::Uuid;

fn meeting(title: &str, partnership: Uuid) -> Value {
    json!({
        "partnership_id": partnership,
        "kind": "working",
        "title": title,
        "starts_at": app::clock::instant_in(-40, 0),
        "minutes": "",
    })
}

fn mutation(record: Uuid, base_rev: Option<i64>, data: Value) -> Value {
    json!({
        "id": Uuid::new_v4(), "seq": 1, "entity": "meeting", "record_id": record,
        "op": "upsert", "base_rev": base_rev, "data": data, "client_time": app::clock::instant(),
    })
}

async fn sync(
    pool: &PgPool,
    cookie: &str,
    device: Uuid,
    cursor: i64,
    mutations: &[Value],
) -> Value {
    let reply = call(
        pool,
        "/api/sync",
        &sync_body(device, cursor, mutations),
        Some(cookie),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("json")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_mutation_sent_twice_has_one_effect_and_the_repeat_gets_the_original_result(
    pool: PgPool,
) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let device = Uuid::new_v4();
    let record = Uuid::new_v4();
    let create = mutation(
        record,
        None,
        meeting("Pierwsze spotkanie", ZALESIE_PARTNERSHIP),
    );

    let first = sync(&pool, &cookie, device, 0, std::slice::from_ref(&create)).await;
    assert_eq!(first["results"][0]["status"], "applied");
    assert_eq!(first["results"][0]["replayed"], false);
    let rev = first["results"][0]["rev"].as_i64().expect("rev");
    let taken = scalar(&pool, "select last_value from revisions").await;

    let again = sync(&pool, &cookie, device, 0, &[create]).await;
    assert_eq!(again["results"][0]["status"], "applied");
    assert_eq!(again["results"][0]["rev"], rev);
    assert_eq!(again["results"][0]["replayed"], true);
    assert_eq!(scalar(&pool, "select count(*) from records").await, 1);
    assert_eq!(
        scalar(&pool, "select count(*) from record_versions").await,
        1
    );
    // The replay took no revision either.
    assert_eq!(
        scalar(&pool, "select last_value from revisions").await,
        taken
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_batch_replayed_after_a_lost_response_changes_nothing_more(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let device = Uuid::new_v4();
    let record = Uuid::new_v4();
    let batch = vec![
        mutation(record, None, meeting("Spotkanie", ZALESIE_PARTNERSHIP)),
        mutation(record, None, json!({ "place": "czytelnia" })),
        mutation(Uuid::new_v4(), None, json!({ "title": "bez partnerstwa" })),
    ];
    let first = sync(&pool, &cookie, device, 0, &batch).await;
    let statuses: Vec<&str> = first["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["applied", "applied", "rejected"]);
    assert_eq!(first["results"][2]["error"]["field"], "partnership_id");
    let revisions = scalar(&pool, "select last_value from revisions").await;

    // The answer was lost; the device sends the same batch again.
    let replay = sync(&pool, &cookie, device, 0, &batch).await;
    for (original, repeated) in first["results"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(replay["results"].as_array().into_iter().flatten())
    {
        assert_eq!(original["status"], repeated["status"]);
        assert_eq!(original["rev"], repeated["rev"]);
        assert_eq!(repeated["replayed"], true);
    }
    assert_eq!(
        scalar(&pool, "select last_value from revisions").await,
        revisions
    );
    assert_eq!(scalar(&pool, "select count(*) from records").await, 1);
    let place: String = sqlx::query_scalar("select data->>'place' from records")
        .fetch_one(&pool)
        .await
        .expect("place");
    assert_eq!(place, "czytelnia");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_pull_returns_everything_visible_and_nothing_else(pool: PgPool) {
    let librarian1 = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let librarian2 = sign_in(&pool, "biblioteka2@demo.local", demo::DEMO_PASSWORD).await;
    let coordinator = sign_in(&pool, "koordynator@demo.local", demo::DEMO_PASSWORD).await;
    rudka_partnership(&pool).await;
    let device = Uuid::new_v4();
    let zalesie = Uuid::new_v4();
    let rudka = Uuid::new_v4();
    sync(
        &pool,
        &librarian1,
        device,
        0,
        &[mutation(
            zalesie,
            None,
            meeting("Zalesie", ZALESIE_PARTNERSHIP),
        )],
    )
    .await;
    let second = sync(
        &pool,
        &librarian2,
        device,
        0,
        &[mutation(rudka, None, meeting("Rudka", RUDKA_PARTNERSHIP))],
    )
    .await;
    // librarian 2 pulls her own meeting only.
    let ids = |reply: &Value| -> Vec<String> {
        reply["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["record_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(ids(&second), [rudka.to_string()]);

    let one = sync(&pool, &librarian1, Uuid::new_v4(), 0, &[]).await;
    assert_eq!(ids(&one), [zalesie.to_string()]);
    assert_eq!(one["changes"][0]["data"]["title"], "Zalesie");
    // A coordinator's device holds nothing unless she takes libraries offline.
    let none = sync(&pool, &coordinator, Uuid::new_v4(), 0, &[]).await;
    assert_eq!(ids(&none), Vec::<String>::new());
    assert_eq!(none["scope"], json!([]));
    let offline = json!([demo::ZALESIE, demo::RUDKA, Uuid::new_v4()]);
    let pull = |cursor: i64, limit: u32, held: &Value| {
        json!({"device_id": device, "cursor": cursor, "pull_limit": limit, "mutations": [],
               "held": held, "offline": offline})
        .to_string()
    };
    let all = call(
        &pool,
        "/api/sync",
        &pull(0, 100, &json!([])),
        Some(&coordinator),
    )
    .await;
    let all: Value = serde_json::from_str(&all.body).expect("json");
    assert_eq!(ids(&all), [zalesie.to_string(), rudka.to_string()]);
    let mut scope = vec![demo::ZALESIE, demo::RUDKA];
    scope.sort();
    assert_eq!(all["scope"], json!(scope), "only libraries she may see");

    // Pages: one change at a time, with `more` until the end.
    let page = call(
        &pool,
        "/api/sync",
        &pull(0, 1, &json!([])),
        Some(&coordinator),
    )
    .await;
    let page: Value = serde_json::from_str(&page.body).expect("json");
    assert_eq!(page["more"], true);
    let cursor = page["cursor"].as_i64().expect("cursor");
    let held = &page["scope"];
    let next = call(
        &pool,
        "/api/sync",
        &pull(cursor, 1, held),
        Some(&coordinator),
    )
    .await;
    let next: Value = serde_json::from_str(&next.body).expect("json");
    assert_eq!(ids(&next), [rudka.to_string()]);
    assert_eq!(next["more"], false);

    // A tombstone travels to those who may see the record.
    let mut delete = mutation(zalesie, None, json!({}));
    delete["op"] = json!("delete");
    let cursor = one["cursor"].as_i64().expect("cursor");
    let deleted = sync(&pool, &librarian1, device, cursor, &[delete]).await;
    assert_eq!(deleted["changes"][0]["deleted"], true);
    let unseen = sync(
        &pool,
        &librarian2,
        device,
        second["cursor"].as_i64().expect("cursor"),
        &[],
    )
    .await;
    assert_eq!(ids(&unseen), Vec::<String>::new());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_librarians_mutation_on_another_librarys_record_is_rejected_and_changes_nothing(
    pool: PgPool,
) {
    let librarian1 = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let librarian2 = sign_in(&pool, "biblioteka2@demo.local", demo::DEMO_PASSWORD).await;
    rudka_partnership(&pool).await;
    let rudka = Uuid::new_v4();
    sync(
        &pool,
        &librarian2,
        Uuid::new_v4(),
        0,
        &[mutation(rudka, None, meeting("Rudka", RUDKA_PARTNERSHIP))],
    )
    .await;
    let before: Value = sqlx::query_scalar("select data from records where entity = 'meeting'")
        .fetch_one(&pool)
        .await
        .expect("data");

    let mut delete = mutation(rudka, None, json!({}));
    delete["op"] = json!("delete");
    let attempts = [
        mutation(rudka, Some(1), json!({ "title": "Przejęte" })),
        delete,
    ];
    let reply = sync(&pool, &librarian1, Uuid::new_v4(), 0, &attempts).await;
    for result in reply["results"].as_array().into_iter().flatten() {
        assert_eq!(result["status"], "rejected");
        assert_eq!(result["error"]["code"], "forbidden");
    }
    let after: Value = sqlx::query_scalar("select data from records where entity = 'meeting'")
        .fetch_one(&pool)
        .await
        .expect("data");
    assert_eq!(before, after);
    assert_eq!(
        scalar(&pool, "select count(*) from records where deleted").await,
        0
    );
}

/// A meeting of Zalesie's partnership with `minutes`, made by the signed-in
/// librarian: its id and revision.
async fn meeting_with_minutes(pool: &PgPool, cookie: &str, minutes: &str) -> (Uuid, i64) {
    let record = Uuid::new_v4();
    let mut start = meeting("Spotkanie", ZALESIE_PARTNERSHIP);
    start["minutes"] = json!(minutes);
    let created = sync(
        pool,
        cookie,
        Uuid::new_v4(),
        0,
        &[mutation(record, None, start)],
    )
    .await;
    (record, created["results"][0]["rev"].as_i64().expect("rev"))
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn edits_from_two_devices_merge_and_a_true_overlap_is_kept_as_a_conflict(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let (record, base) = meeting_with_minutes(
        &pool,
        &cookie,
        "Akapit pierwszy.\nAkapit drugi.\nAkapit trzeci.\n",
    )
    .await;

    // Tablet and laptop both start from `base`, offline.
    let tablet = mutation(
        record,
        Some(base),
        json!({
        "minutes": "Akapit pierwszy, poprawiony.\nAkapit drugi.\nAkapit trzeci.\n", "place": "świetlica" }),
    );
    let laptop = mutation(
        record,
        Some(base),
        json!({
        "minutes": "Akapit pierwszy.\nAkapit drugi.\nAkapit trzeci, uzupełniony.\n", "facilitator": "Barbara" }),
    );
    sync(&pool, &cookie, Uuid::new_v4(), 0, &[tablet]).await;
    let second = sync(&pool, &cookie, Uuid::new_v4(), 0, &[laptop]).await;
    assert_eq!(second["results"][0]["status"], "merged");
    let data: Value = sqlx::query_scalar("select data from records where entity = 'meeting'")
        .fetch_one(&pool)
        .await
        .expect("data");
    assert_eq!(
        data["minutes"],
        "Akapit pierwszy, poprawiony.\nAkapit drugi.\nAkapit trzeci, uzupełniony.\n"
    );
    assert_eq!(data["place"], "świetlica");
    assert_eq!(data["facilitator"], "Barbara");
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'conflict'"
        )
        .await,
        0
    );

    // Both rewrite the same paragraph: the server's text stays, the other is kept.
    let rev = second["results"][0]["rev"].as_i64().expect("rev");
    let one = mutation(
        record,
        Some(rev),
        json!({ "minutes": "Akapit pierwszy, poprawiony.\nDRUGI wg tabletu.\nAkapit trzeci, uzupełniony.\n" }),
    );
    let other = mutation(
        record,
        Some(rev),
        json!({ "minutes": "Akapit pierwszy, poprawiony.\nDRUGI wg laptopa.\nAkapit trzeci, uzupełniony.\n" }),
    );
    sync(&pool, &cookie, Uuid::new_v4(), 0, &[one]).await;
    let clash = sync(&pool, &cookie, Uuid::new_v4(), 0, &[other]).await;
    assert_eq!(clash["results"][0]["status"], "merged");
    assert_eq!(clash["results"][0]["conflicts"], json!(["minutes"]));
    let data: Value = sqlx::query_scalar("select data from records where entity = 'meeting'")
        .fetch_one(&pool)
        .await
        .expect("data");
    assert!(
        data["minutes"]
            .as_str()
            .unwrap_or_default()
            .contains("wg tabletu")
    );
    // The conflict travels to devices as a record of the library.
    let pulled = sync(&pool, &cookie, Uuid::new_v4(), 0, &[]).await;
    let conflict = pulled["changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|c| c["entity"] == "conflict"))
        .cloned()
        .expect("conflict pulled");
    assert_eq!(conflict["data"]["field"], "minutes");
    assert_eq!(conflict["data"]["record_id"], json!(record));
    assert!(
        conflict["data"]["other"]
            .as_str()
            .unwrap_or_default()
            .contains("wg laptopa")
    );
    let conflict_id: Uuid = serde_json::from_value(conflict["record_id"].clone()).expect("id");

    // Devices cannot forge conflicts; a person settles one by deleting it.
    let mut forged = mutation(conflict_id, None, json!({ "field": "title" }));
    forged["entity"] = json!("conflict");
    let mut settle = mutation(conflict_id, None, json!({}));
    settle["entity"] = json!("conflict");
    settle["op"] = json!("delete");
    // A librarian of another library may not settle it, nor see it.
    let stranger = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    let foreign = sync(
        &pool,
        &stranger,
        Uuid::new_v4(),
        0,
        std::slice::from_ref(&settle),
    )
    .await;
    assert_eq!(foreign["results"][0]["status"], "rejected");
    assert_eq!(foreign["results"][0]["error"]["code"], "forbidden");
    assert!(
        !foreign["changes"].to_string().contains("conflict"),
        "{foreign}"
    );
    settle["id"] = json!(Uuid::new_v4());
    let answer = sync(&pool, &cookie, Uuid::new_v4(), 0, &[forged, settle]).await;
    assert_eq!(answer["results"][0]["status"], "rejected");
    assert_eq!(answer["results"][1]["status"], "applied");
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'conflict' and not deleted"
        )
        .await,
        0
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_conflict_made_in_a_push_goes_with_the_record_that_push_deletes(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let (record, base) = meeting_with_minutes(&pool, &cookie, "Pierwszy.\nDrugi.\nTrzeci.\n").await;
    let tablet = mutation(
        record,
        Some(base),
        json!({ "minutes": "Pierwszy.\nDrugi wg tabletu.\nTrzeci.\n" }),
    );
    let edited = sync(&pool, &cookie, Uuid::new_v4(), 0, &[tablet]).await;
    let current = edited["results"][0]["rev"].as_i64().expect("rev");

    // The laptop's edit of the same paragraph loses (the record keeps the
    // tablet's, unchanged) and its delete, of what it now agrees was there,
    // follows in the same push: the conflict it made holds the meeting's
    // notes and must not outlive it.
    let laptop = mutation(
        record,
        Some(base),
        json!({ "minutes": "Pierwszy.\nDrugi wg laptopa.\nTrzeci.\n" }),
    );
    let mut delete = mutation(record, Some(current), json!({}));
    delete["op"] = json!("delete");
    let answer = sync(&pool, &cookie, Uuid::new_v4(), 0, &[laptop, delete]).await;
    assert_eq!(
        answer["results"][0]["conflicts"],
        json!(["minutes"]),
        "{answer}"
    );
    assert_eq!(answer["results"][0]["rev"], json!(current), "{answer}");
    assert_eq!(answer["results"][1]["status"], "applied", "{answer}");
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'meeting' and deleted"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'conflict' and not deleted"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'conflict' and data::text like '%laptopa%'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn invalid_fields_are_rejected_with_the_field_and_change_nothing(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let mut bad = meeting("Spotkanie", ZALESIE_PARTNERSHIP);
    bad["starts_at"] = json!("jutro o 14");
    let reply = sync(
        &pool,
        &cookie,
        Uuid::new_v4(),
        0,
        &[mutation(Uuid::new_v4(), None, bad)],
    )
    .await;
    assert_eq!(reply["results"][0]["status"], "rejected");
    assert_eq!(reply["results"][0]["error"]["field"], "starts_at");
    let unknown = json!({"id": Uuid::new_v4(), "seq": 1, "entity": "spaceship", "record_id": Uuid::new_v4(),
                         "op": "upsert", "base_rev": null, "data": {}, "client_time": null});
    let reply = sync(&pool, &cookie, Uuid::new_v4(), 0, &[unknown]).await;
    assert_eq!(reply["results"][0]["error"]["code"], "unknown_entity");
    assert_eq!(scalar(&pool, "select count(*) from records").await, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_request_over_the_size_limit_gets_413_and_changes_nothing(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let mut huge = meeting("Spotkanie", ZALESIE_PARTNERSHIP);
    huge["minutes"] = json!("x".repeat(server::router::MAX_BODY_BYTES));
    // Browsers send the length up front; the server refuses before reading.
    let payload = sync_body(Uuid::new_v4(), 0, &[mutation(Uuid::new_v4(), None, huge)]);
    let request = axum::http::Request::post("/api/sync")
        .header("content-type", "application/json")
        .header("content-length", payload.len())
        .header("cookie", &cookie)
        .body(axum::body::Body::from(payload))
        .expect("request");
    let reply = crate::common::send(crate::common::app(pool.clone(), true), request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without a length up front, the read stops at the limit: also 413.
    let streamed = call(
        &pool,
        "/api/sync",
        &sync_body(
            Uuid::new_v4(),
            0,
            &[mutation(
                Uuid::new_v4(),
                None,
                json!({"minutes": "x".repeat(server::router::MAX_BODY_BYTES)}),
            )],
        ),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        streamed.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        streamed.body
    );
    assert_eq!(scalar(&pool, "select count(*) from records").await, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_batch_of_500_mutations_is_applied_in_one_request_in_order(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let device = Uuid::new_v4();
    let records: Vec<Uuid> = (0..250).map(|_| Uuid::new_v4()).collect();
    // Each meeting created, then edited in the same request.
    let mut batch = Vec::new();
    for (n, record) in records.iter().enumerate() {
        batch.push(mutation(
            *record,
            None,
            meeting(&format!("Spotkanie {n}"), ZALESIE_PARTNERSHIP),
        ));
        batch.push(mutation(
            *record,
            None,
            json!({ "minutes": format!("Notatka {n}") }),
        ));
    }
    let answer = sync(&pool, &cookie, device, 0, &batch).await;
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results.len(), 500);
    let revs: Vec<i64> = results
        .iter()
        .map(|r| {
            assert_eq!(r["status"], "applied", "{r}");
            r["rev"].as_i64().expect("rev")
        })
        .collect();
    assert!(revs.windows(2).all(|pair| pair[0] < pair[1]), "{revs:?}");
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'meeting' and data->>'minutes' like 'Notatka %'"
        )
        .await,
        250
    );
    assert_eq!(
        scalar(&pool, "select count(*) from record_versions").await,
        500
    );
    assert_eq!(
        scalar(&pool, "select count(*) from applied_mutations").await,
        500
    );
    // The pull returns each meeting once, at its last revision.
    assert_eq!(answer["changes"].as_array().map(Vec::len), Some(250));
}

fn sign_in_mutation(record: Uuid, meeting: Uuid, name: &str) -> Value {
    let mut m = mutation(
        record,
        None,
        json!({
            "meeting_id": meeting, "full_name": name, "organization": "OSP Zalesie",
            "function": "naczelnik", "clause_version": 1, "clause_ack": true,
            "image_consent": true, "signed_at": app::clock::instant_in(-9, 1),
            "signature": {"kind": "drawn", "strokes": [[10, 10, 200, 300, 400, 120]]},
        }),
    );
    m["entity"] = json!("sign_in");
    m
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn sign_ins_are_added_once_never_changed_and_only_by_the_library(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let tablet = Uuid::new_v4();
    let meeting_id = Uuid::new_v4();
    let anna = Uuid::new_v4();
    // A meeting made offline and its first sign-in travel in one request.
    let create = mutation(meeting_id, None, meeting("Zebranie", ZALESIE_PARTNERSHIP));
    let first = sign_in_mutation(anna, meeting_id, "Anna Nowak");
    let answer = sync(&pool, &cookie, tablet, 0, &[create, first.clone()]).await;
    assert_eq!(answer["results"][1]["status"], "applied", "{answer}");
    let stored: Value = sqlx::query_scalar("select data from records where entity = 'sign_in'")
        .fetch_one(&pool)
        .await
        .expect("sign-in");
    assert_eq!(stored["device_id"], json!(tablet));

    // The same sign-in from another device (a rescue file) changes nothing;
    // a different one under the same id is refused, as is a deletion.
    let mut again = first.clone();
    again["id"] = json!(Uuid::new_v4());
    let mut changed = sign_in_mutation(anna, meeting_id, "Ktoś Inny");
    changed["id"] = json!(Uuid::new_v4());
    let mut deleted = mutation(anna, None, json!({}));
    deleted["entity"] = json!("sign_in");
    deleted["op"] = json!("delete");
    let mut unsigned = sign_in_mutation(Uuid::new_v4(), meeting_id, "Bez Podpisu");
    unsigned["data"]
        .as_object_mut()
        .map(|data| data.remove("signature"));
    let answer = sync(
        &pool,
        &cookie,
        Uuid::new_v4(),
        0,
        &[again, changed, deleted, unsigned],
    )
    .await;
    assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    assert_eq!(answer["results"][1]["status"], "rejected");
    assert_eq!(answer["results"][2]["status"], "rejected");
    assert_eq!(answer["results"][3]["error"]["field"], "signature");
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        1
    );

    // Nobody outside the library adds to its list: not another library, not a tutor.
    for outsider in ["biblioteka2@demo.local", "tutor@demo.local"] {
        let cookie = demo_sign_in(&pool, outsider).await;
        let answer = sync(
            &pool,
            &cookie,
            Uuid::new_v4(),
            0,
            &[sign_in_mutation(Uuid::new_v4(), meeting_id, "Obcy")],
        )
        .await;
        assert_eq!(
            answer["results"][0]["error"]["code"], "forbidden",
            "{answer}"
        );
    }
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        1
    );
}

/// Demo data and a meeting of Zalesie's partnership, made by its librarian.
async fn meeting_in_zalesie(pool: &PgPool) -> (app::accounts::access::Actor, Uuid) {
    demo::seed(pool, false).await.expect("seed");
    let actor = actor_of(pool, "biblioteka1@demo.local").await;
    let meeting_id = Uuid::new_v4();
    let create: app::sync::Mutation = serde_json::from_value(mutation(
        meeting_id,
        None,
        meeting("Zebranie w świetlicy", ZALESIE_PARTNERSHIP),
    ))
    .expect("mutation");
    app::sync::server::push(
        pool,
        app::entities::registry(),
        &app::sync::server::Sender::person(&actor, Uuid::new_v4()),
        &[create],
    )
    .await
    .expect("meeting");
    (actor, meeting_id)
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pushes_that_wait_together_are_committed_as_one_group_each_with_its_own_results(
    pool: PgPool,
) {
    use app::sync::{Mutation, server::Writer};
    use std::sync::atomic::Ordering::Relaxed;
    let (actor, meeting_id) = meeting_in_zalesie(&pool).await;
    let stranger = actor_of(&pool, "biblioteka2@demo.local").await;

    // Forty tablets each send one sign-in at the same moment; the
    // twentieth is signed in as another library's librarian.
    let writer = Writer::start(pool.clone(), app::entities::registry());
    let mut tablets = tokio::task::JoinSet::new();
    for n in 0..40 {
        let from_stranger = n == 20;
        let actor = if from_stranger { &stranger } else { &actor };
        let (writer, actor) = (writer.clone(), actor.clone());
        let entry: Mutation = serde_json::from_value(sign_in_mutation(
            Uuid::new_v4(),
            meeting_id,
            &format!("Osoba {n}"),
        ))
        .expect("mutation");
        tablets.spawn(async move {
            let device = Uuid::new_v4();
            let results = writer
                .push(&actor, device, vec![entry.clone()])
                .await
                .expect("push");
            (entry, device, from_stranger, results)
        });
    }
    while let Some(done) = tablets.join_next().await {
        let (entry, device, from_stranger, results) = done.expect("tablet");
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].id, entry.id, "each push gets its own result");
        if from_stranger {
            // Each push in a shared batch is applied as its own sender.
            assert_eq!(results[0].status, app::sync::Status::Rejected);
            continue;
        }
        assert_eq!(results[0].status, app::sync::Status::Applied);
        let (stored_device, sent_from): (Uuid, String) = sqlx::query_as(
            "select m.device_id, r.data->>'device_id' from applied_mutations m
             join records r on r.entity = 'sign_in' and r.id = m.record_id where m.id = $1",
        )
        .bind(entry.id)
        .fetch_one(&pool)
        .await
        .expect("stored");
        assert_eq!((stored_device, sent_from), (device, device.to_string()));
    }
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        39
    );
    let (pushes, groups) = (
        writer.stats().pushes.load(Relaxed),
        writer.stats().groups.load(Relaxed),
    );
    assert_eq!(pushes, 40);
    // They queued while the first was written: a few commits, not forty.
    assert!(groups < 10, "{groups} groups for {pushes} pushes");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_push_that_fails_in_the_database_sinks_only_itself_when_its_group_is_retried(
    pool: PgPool,
) {
    use app::sync::{
        Mutation, Status,
        server::{SYNC_LOCK, Writer},
    };
    use std::sync::atomic::Ordering::Relaxed;
    let (actor, meeting_id) = meeting_in_zalesie(&pool).await;
    // Stands in for anything the database refuses (a full disk, a bug).
    sqlx::raw_sql(
        "create function refuse_failure() returns trigger language plpgsql as $$
         begin
           if new.data->>'full_name' = 'Awaria' then raise exception 'refused'; end if;
           return new;
         end $$;
         create trigger refuse_failure before insert on records
           for each row execute function refuse_failure();",
    )
    .execute(&pool)
    .await
    .expect("trigger");

    // Hold the writers' lock, so the first push waits inside its group and
    // the others queue behind it as one group.
    let mut holder = pool.acquire().await.expect("connection");
    sqlx::query("select pg_advisory_lock($1)")
        .bind(SYNC_LOCK)
        .execute(&mut *holder)
        .await
        .expect("lock");
    let writer = Writer::start(pool.clone(), app::entities::registry());
    let mut tablets = tokio::task::JoinSet::new();
    for n in 0..12 {
        let name = if n == 6 {
            "Awaria".to_string()
        } else {
            format!("Osoba {n}")
        };
        let entry: Mutation =
            serde_json::from_value(sign_in_mutation(Uuid::new_v4(), meeting_id, &name))
                .expect("mutation");
        let (queue, actor) = (writer.clone(), actor.clone());
        tablets.spawn(async move { (name, queue.push(&actor, Uuid::new_v4(), vec![entry]).await) });
        if n == 0 {
            while writer.stats().groups.load(Relaxed) == 0 {
                tokio::task::yield_now().await;
            }
        }
    }
    while writer.waiting() < 11 {
        tokio::task::yield_now().await;
    }
    sqlx::query("select pg_advisory_unlock($1)")
        .bind(SYNC_LOCK)
        .execute(&mut *holder)
        .await
        .expect("unlock");

    while let Some(done) = tablets.join_next().await {
        let (name, result) = done.expect("tablet");
        match result {
            Ok(results) => {
                assert_ne!(name, "Awaria");
                assert_eq!(results[0].status, Status::Applied, "{name}");
            }
            Err(_) => assert_eq!(name, "Awaria", "only the refused push fails"),
        }
    }
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        11
    );
    // The second group failed as a whole and was retried push by push.
    assert_eq!(writer.stats().groups.load(Relaxed), 2);
    assert_eq!(writer.stats().retried.load(Relaxed), 11);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_nul_character_is_refused_in_its_mutation_and_the_rest_of_the_push_goes_in(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let device = Uuid::new_v4();
    let (good, bad, bad_key) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut with_key = meeting("Klucz", ZALESIE_PARTNERSHIP);
    with_key["x\u{0}"] = json!("y");
    let answer = sync(
        &pool,
        &cookie,
        device,
        0,
        &[
            mutation(bad, None, meeting("Zebranie\u{0}", ZALESIE_PARTNERSHIP)),
            mutation(good, None, meeting("Zebranie", ZALESIE_PARTNERSHIP)),
            mutation(bad_key, None, with_key),
        ],
    )
    .await;
    let results = &answer["results"];
    assert_eq!(results[0]["status"], "rejected", "{answer}");
    assert_eq!(results[0]["error"]["field"], "title");
    assert_eq!(results[1]["status"], "applied");
    assert_eq!(results[2]["status"], "rejected");
    assert_eq!(results[2]["error"]["field"], "data");
    assert_eq!(
        scalar(&pool, "select count(*) from records where entity = 'meeting' and data->>'title' like 'Zebranie%'").await,
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_very_long_unknown_entity_is_refused_alone_and_its_neighbours_go_in(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let (good, odd) = (Uuid::new_v4(), Uuid::new_v4());
    let mut unknown = mutation(odd, None, json!({ "x": 1 }));
    unknown["entity"] = json!("ż".repeat(3_200));
    let answer = sync(
        &pool,
        &cookie,
        Uuid::new_v4(),
        0,
        &[
            mutation(
                good,
                None,
                meeting("Obok dziwnej zmiany", ZALESIE_PARTNERSHIP),
            ),
            unknown,
        ],
    )
    .await;
    let results = &answer["results"];
    assert_eq!(results[0]["status"], "applied", "{answer}");
    assert_eq!(results[1]["status"], "rejected", "{answer}");
    assert_eq!(results[1]["error"]["code"], "unknown_entity", "{answer}");
    assert_eq!(
        scalar(&pool, "select count(*) from records where entity = 'meeting' and data->>'title' = 'Obok dziwnej zmiany'").await,
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_push_of_three_megabytes_is_under_the_stated_limit_and_goes_in(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    // Forty meetings with 80 000 characters of minutes each: about 3.2 MB.
    let mutations: Vec<Value> = (0..40)
        .map(|n| {
            let mut long = meeting(&format!("Długa notatka {n}"), ZALESIE_PARTNERSHIP);
            long["minutes"] = json!("Notatka ze spotkania. ".repeat(3_640));
            mutation(Uuid::new_v4(), None, long)
        })
        .collect();
    let payload = sync_body(Uuid::new_v4(), 0, &mutations);
    assert!(payload.len() > 3_000_000 && payload.len() < server::router::MAX_BODY_BYTES);
    let reply = call(&pool, "/api/sync", &payload, Some(&cookie)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        &reply.body[..reply.body.len().min(300)]
    );
    assert_eq!(
        scalar(&pool, "select count(*) from records where entity = 'meeting' and data->>'title' like 'Długa notatka%'").await,
        40
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn history_past_what_merges_use_is_let_go_but_never_the_current_version_or_an_answer(
    pool: PgPool,
) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let device = Uuid::new_v4();
    let record = Uuid::new_v4();
    let first = mutation(record, None, meeting("Stare", ZALESIE_PARTNERSHIP));
    let answer = sync(&pool, &cookie, device, 0, std::slice::from_ref(&first)).await;
    let rev = answer["results"][0]["rev"].as_i64();
    let second = mutation(record, rev, json!({ "minutes": "Notatka." }));
    sync(&pool, &cookie, device, 0, std::slice::from_ref(&second)).await;
    let versions = format!("select count(*) from record_versions where record_id = '{record}'");
    let with_data = format!(
        "select count(*) from applied_mutations where record_id = '{record}' and data <> '{{}}'::jsonb"
    );
    assert_eq!(scalar(&pool, &versions).await, 2);
    // Made before the merge history: only the current version stays.
    let days = app::sync::server::HISTORY_DAYS + 1;
    sqlx::query(
        "update record_versions set created_at = now() - make_interval(days => $1) where record_id = $2",
    )
    .bind(days)
    .bind(record)
    .execute(&pool)
    .await
    .expect("age");
    sqlx::query(
        "update applied_mutations set applied_at = now() - make_interval(days => $1) where record_id = $2",
    )
    .bind(days)
    .bind(record)
    .execute(&pool)
    .await
    .expect("age");
    // A recent record keeps all of its history.
    let recent = Uuid::new_v4();
    sync(
        &pool,
        &cookie,
        device,
        0,
        &[mutation(recent, None, meeting("Nowe", ZALESIE_PARTNERSHIP))],
    )
    .await;

    let pruned = app::sync::server::prune_history(&pool, app::clock::now())
        .await
        .expect("prune");
    assert_eq!((pruned.versions, pruned.mutations), (1, 2));
    assert_eq!(scalar(&pool, &versions).await, 1);
    assert_eq!(scalar(&pool, &with_data).await, 0);
    let recent_versions =
        format!("select count(*) from record_versions where record_id = '{recent}'");
    assert_eq!(scalar(&pool, &recent_versions).await, 1);
    // A late replay still gets its answer, and changes nothing.
    let replay = sync(&pool, &cookie, device, 0, std::slice::from_ref(&second)).await;
    assert_eq!(replay["results"][0]["replayed"], true, "{replay}");
    // An edit from the current version merges as before.
    let current: i64 = scalar(
        &pool,
        &format!("select rev from records where id = '{record}'"),
    )
    .await;
    let third = mutation(record, Some(current), json!({ "place": "Czytelnia" }));
    let answer = sync(&pool, &cookie, Uuid::new_v4(), 0, &[third]).await;
    assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    // The old version was current until now: a device that saw it last week
    // still merges against it, so it stays.
    app::sync::server::prune_history(&pool, app::clock::now())
        .await
        .expect("prune");
    assert_eq!(scalar(&pool, &versions).await, 2);
}
