//! Support hours against the real database: hours summed from meetings and
//! consultations without counting a meeting twice, and who may log hours
//! where.

use crate::common::{call, day_in, demo_sign_in, edit, push, sign_in, upsert};
use app::clock::instant_in;
use axum::http::StatusCode;
use serde_json::{Value, json};
use server::demo::{
    ACCOUNTS, DEMO_PASSWORD, OLSZANKA, PRB_ROUND_III, ZALESIE, ZALESIE_PARTNERSHIP,
};
use sqlx::PgPool;
use uuid::Uuid;

/// Pushes one new consultation and gives back its result.
async fn log_new_hours(pool: &PgPool, cookie: &str, data: Value) -> Value {
    let mut results = push(
        pool,
        cookie,
        &[upsert("consultation", Uuid::new_v4(), data)],
    )
    .await;
    assert_eq!(results.len(), 1, "{results:?}");
    results.remove(0)
}

fn held_meeting(starts_at: &str, ends_at: &str, status: &str) -> Value {
    json!({
        "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working", "title": "Spotkanie z tutorem",
        "starts_at": starts_at, "ends_at": ends_at, "status": status, "facilitator": "Tomasz Wiśniewski",
    })
}

fn consultation(library: Uuid, tutor: Uuid, minutes: u64, meeting: Option<Uuid>) -> Value {
    json!({
        "library_id": library, "program_id": PRB_ROUND_III, "tutor_id": tutor,
        "tutor_name": "Tomasz Wiśniewski", "date": day_in(-11), "minutes": minutes,
        "mode": "remote", "topic": "Plan rozwoju współpracy", "meeting_id": meeting,
    })
}

fn tutor() -> Uuid {
    ACCOUNTS[1].id
}

/// Minutes Zalesie used in PRB, as the coordinator's table and the library
/// page both show them.
async fn zalesie_minutes(pool: &PgPool, coordinator: &str, librarian: &str) -> u64 {
    let table = call(
        pool,
        "/api/program-hours",
        &json!({ "program_id": PRB_ROUND_III }).to_string(),
        Some(coordinator),
    )
    .await;
    assert_eq!(table.status, StatusCode::OK, "{}", table.body);
    let rows: Vec<Value> = serde_json::from_str(&table.body).expect("json");
    let row = rows
        .iter()
        .find(|r| r["library_id"] == json!(ZALESIE))
        .expect("Zalesie in the table");
    assert_eq!(row["budget_tenths"], 240);
    let glance = call(
        pool,
        "/api/library-glance",
        &json!({ "library_id": ZALESIE }).to_string(),
        Some(librarian),
    )
    .await;
    assert_eq!(glance.status, StatusCode::OK, "{}", glance.body);
    let glance: Value = serde_json::from_str(&glance.body).expect("json");
    assert_eq!(glance["hours"][0]["used_minutes"], row["used_minutes"]);
    row["used_minutes"].as_u64().expect("minutes")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn hours_add_up_from_meetings_and_consultations_without_counting_twice(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let coordinator = sign_in(&pool, "koordynator@demo.local", DEMO_PASSWORD).await;
    let tutor_cookie = sign_in(&pool, "tutor@demo.local", DEMO_PASSWORD).await;
    assert_eq!(zalesie_minutes(&pool, &coordinator, &librarian).await, 0);

    let (long, logged, draft) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let results = push(
        &pool,
        &librarian,
        &[
            // Held, 3 hours with a facilitator: counts by its length.
            upsert(
                "meeting",
                long,
                held_meeting(&instant_in(-61, 0), &instant_in(-61, 3), "held"),
            ),
            // 2 hours, but the tutor logged 2.5 hours for it: those stand in.
            upsert(
                "meeting",
                logged,
                held_meeting(&instant_in(-54, 0), &instant_in(-54, 2), "approved"),
            ),
            // Coming, still a draft: not counted, and the next meeting.
            upsert(
                "meeting",
                draft,
                held_meeting(&instant_in(10, 0), &instant_in(10, 1), "draft"),
            ),
            upsert(
                "consultation",
                Uuid::new_v4(),
                consultation(ZALESIE, tutor(), 150, Some(logged)),
            ),
            upsert(
                "consultation",
                Uuid::new_v4(),
                consultation(ZALESIE, tutor(), 60, None),
            ),
        ],
    )
    .await;
    assert!(
        results.iter().all(|r| r["status"] == "applied"),
        "{results:?}"
    );
    assert_eq!(
        zalesie_minutes(&pool, &coordinator, &librarian).await,
        180 + 150 + 60
    );

    // The tutor logs her own remote advice: 45 more minutes.
    let own = Uuid::new_v4();
    let results = push(
        &pool,
        &tutor_cookie,
        &[upsert(
            "consultation",
            own,
            consultation(ZALESIE, tutor(), 45, None),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    assert_eq!(
        zalesie_minutes(&pool, &coordinator, &librarian).await,
        180 + 150 + 60 + 45
    );

    // A second consultation for the same meeting adds its own time, once.
    let result = log_new_hours(
        &pool,
        &librarian,
        consultation(ZALESIE, tutor(), 30, Some(logged)),
    )
    .await;
    assert_eq!(result["status"], "applied", "{result}");
    assert_eq!(
        zalesie_minutes(&pool, &coordinator, &librarian).await,
        180 + 150 + 60 + 45 + 30
    );

    // Deleting the consultation of the long meeting... there is none: deleting
    // the meeting itself takes its three hours away.
    let rev: i64 = sqlx::query_scalar("select rev from records where id = $1")
        .bind(long)
        .fetch_one(&pool)
        .await
        .expect("rev");
    let delete = json!({
        "id": Uuid::new_v4(), "seq": 2, "entity": "meeting", "record_id": long,
        "op": "delete", "base_rev": rev, "data": {}, "client_time": null,
    });
    let results = push(&pool, &librarian, &[delete]).await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    assert_eq!(
        zalesie_minutes(&pool, &coordinator, &librarian).await,
        150 + 60 + 45 + 30
    );

    // The library page also sums up the rest.
    let glance = call(
        &pool,
        "/api/library-glance",
        &json!({ "library_id": ZALESIE }).to_string(),
        Some(&librarian),
    )
    .await;
    let glance: Value = serde_json::from_str(&glance.body).expect("json");
    assert_eq!(glance["next_meeting"]["id"], json!(draft), "{glance}");
    assert_eq!(glance["hours"][0]["budget_tenths"], 240);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_tutor_logs_her_own_hours_only_in_libraries_assigned_to_her(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let tutor_cookie = sign_in(&pool, "tutor@demo.local", DEMO_PASSWORD).await;
    let librarian2 = sign_in(&pool, "biblioteka2@demo.local", DEMO_PASSWORD).await;
    let coordinator = ACCOUNTS[0].id;

    // Olszanka is in the program, but not assigned to her.
    let result = log_new_hours(
        &pool,
        &tutor_cookie,
        consultation(OLSZANKA, tutor(), 60, None),
    )
    .await;
    assert_eq!(result["status"], "rejected", "{result}");
    assert_eq!(result["error"]["code"], "forbidden", "{result}");
    // Nor may she log hours in another person's name.
    let result = log_new_hours(
        &pool,
        &tutor_cookie,
        consultation(ZALESIE, coordinator, 60, None),
    )
    .await;
    assert_eq!(result["status"], "rejected", "{result}");
    // A librarian may log hours only of a tutor assigned to her library.
    let result = log_new_hours(
        &pool,
        &librarian,
        consultation(ZALESIE, coordinator, 60, None),
    )
    .await;
    assert_eq!(result["error"]["field"], "tutor_id", "{result}");
    // Another library's librarian may not log Zalesie's hours.
    let result = log_new_hours(&pool, &librarian2, consultation(ZALESIE, tutor(), 60, None)).await;
    assert_eq!(result["error"]["code"], "forbidden", "{result}");
    // A meeting named must be one of the library's.
    let result = log_new_hours(
        &pool,
        &librarian,
        consultation(ZALESIE, tutor(), 60, Some(Uuid::new_v4())),
    )
    .await;
    assert_eq!(result["error"]["field"], "meeting_id", "{result}");
    let stored: i64 =
        sqlx::query_scalar("select count(*) from records where entity = 'consultation'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(stored, 0);

    // Her own, in Zalesie: kept. She may correct it, not hand it to someone else.
    let own = Uuid::new_v4();
    let results = push(
        &pool,
        &tutor_cookie,
        &[upsert(
            "consultation",
            own,
            consultation(ZALESIE, tutor(), 60, None),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    let results = push(
        &pool,
        &tutor_cookie,
        &[edit(
            "consultation",
            own,
            results[0]["rev"].clone(),
            json!({ "minutes": 90 }),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    let results = push(
        &pool,
        &tutor_cookie,
        &[edit(
            "consultation",
            own,
            results[0]["rev"].clone(),
            json!({ "tutor_id": coordinator }),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "rejected", "{results:?}");
    let minutes: Option<i64> =
        sqlx::query_scalar("select (data->>'minutes')::bigint from records where id = $1")
            .bind(own)
            .fetch_one(&pool)
            .await
            .expect("minutes");
    assert_eq!(minutes, Some(90));
    // She reads partners but does not keep them.
    let results = push(
        &pool,
        &tutor_cookie,
        &[upsert(
            "partner",
            Uuid::new_v4(),
            json!({ "library_id": ZALESIE, "name": "OSP Zalesie", "sector": "ngo" }),
        )],
    )
    .await;
    assert_eq!(results[0]["error"]["code"], "forbidden", "{results:?}");
}
