//! Attendance against the real database: kiosk tokens (push-only, one
//! meeting), strikes with their audit entries, the retention job, and
//! finding and erasing one person's data.

use crate::common::{
    RUDKA_PARTNERSHIP, call, call_with_token, demo_sign_in, push, rudka_partnership, scalar,
    sync_body, upsert,
};
use app::clock::instant_in;
use axum::http::StatusCode;
use serde_json::{Value, json};
use server::demo::{PRB_ROUND_III, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use uuid::Uuid;

fn meeting(partnership: Uuid, starts_at: &str) -> Value {
    json!({
        "partnership_id": partnership, "kind": "working",
        "title": "Spotkanie partnerów", "starts_at": starts_at,
    })
}

fn sign_in(meeting: Uuid, name: &str) -> Value {
    json!({
        "meeting_id": meeting, "full_name": name, "organization": "KGW",
        "function": "członkini", "clause_version": 1, "clause_ack": true,
        "image_consent": false, "signed_at": instant_in(-9, 1),
        "signature": {"kind": "drawn", "strokes": [[10, 10, 200, 300, 400, 120]]},
    })
}

/// A meeting of Zalesie (library 1), made by its librarian.
async fn zalesie_meeting(pool: &PgPool, cookie: &str, starts_at: &str) -> Uuid {
    let id = Uuid::new_v4();
    let results = push(
        pool,
        cookie,
        &[upsert(
            "meeting",
            id,
            meeting(ZALESIE_PARTNERSHIP, starts_at),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    id
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_kiosk_token_adds_sign_ins_to_its_meeting_and_nothing_else(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let this = zalesie_meeting(&pool, &librarian, &instant_in(-9, 0)).await;
    let other = zalesie_meeting(&pool, &librarian, &instant_in(-8, 0)).await;

    let reply = call(
        &pool,
        "/api/kiosk-token",
        &format!(r#"{{"meeting_id":"{this}"}}"#),
        Some(&librarian),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let link: Value = serde_json::from_str(&reply.body).expect("json");
    let token = link["token"].as_str().expect("token").to_owned();
    assert_eq!(link["url"], format!("/kiosk/{this}#klucz={token}"));
    assert!(
        link["qr_svg"]
            .as_str()
            .is_some_and(|svg| svg.contains("<svg"))
    );

    // The kiosk learns its meeting and clause, and nothing else.
    let opening = call_with_token(&pool, "/api/kiosk", "{}", &token).await;
    assert_eq!(opening.status, StatusCode::OK, "{}", opening.body);
    let opening: Value = serde_json::from_str(&opening.body).expect("json");
    assert_eq!(opening["meeting_id"], json!(this));
    assert_eq!(opening["clause"]["version"], 1);

    let mut struck = upsert("sign_in", Uuid::new_v4(), json!({}));
    struck["data"] = json!({"struck": {"reason": "x", "at": instant_in(-9, 1)}});
    let mut paper = sign_in(this, "Z Papieru");
    paper["typed_later"] = json!(true);
    let mutations = [
        upsert("sign_in", Uuid::new_v4(), sign_in(this, "Anna Nowak")),
        upsert("sign_in", Uuid::new_v4(), sign_in(other, "Obce Spotkanie")),
        upsert("meeting", other, json!({"title": "Zmieniony"})),
        struck,
        upsert("sign_in", Uuid::new_v4(), paper),
    ];
    let reply = call_with_token(
        &pool,
        "/api/sync",
        &sync_body(Uuid::new_v4(), 0, &mutations),
        &token,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer: Value = serde_json::from_str(&reply.body).expect("json");
    let statuses: Vec<&str> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["applied", "rejected", "rejected", "rejected", "rejected"]
    );
    // It pulls nothing, not even what it just added.
    assert_eq!(answer["changes"], json!([]));
    assert_eq!(answer["cursor"], 0);
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'meeting' and data ->> 'title' = 'Zmieniony'"
        )
        .await,
        0
    );

    // The token is no session: it opens nothing else.
    for (path, request) in [
        ("/api/libraries", r#"{"search":"","page":1}"#.to_owned()),
        ("/api/partnerships", "{}".to_owned()),
        ("/api/kiosk-token", format!(r#"{{"meeting_id":"{this}"}}"#)),
        ("/api/personal-data/find", r#"{"query":"Nowak"}"#.to_owned()),
    ] {
        let reply = call_with_token(&pool, path, &request, &token).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            reply.body
        );
    }

    // Another library's librarian can neither make nor revoke tokens here.
    let outsider = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    for path in ["/api/kiosk-token", "/api/kiosk-token/revoke"] {
        let reply = call(
            &pool,
            path,
            &format!(r#"{{"meeting_id":"{this}"}}"#),
            Some(&outsider),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
    }
    assert_eq!(
        call_with_token(&pool, "/api/kiosk", "{}", &token)
            .await
            .status,
        StatusCode::OK
    );

    // Revoked, it stops at once; an expired one likewise.
    let revoked = call(
        &pool,
        "/api/kiosk-token/revoke",
        &format!(r#"{{"meeting_id":"{this}"}}"#),
        Some(&librarian),
    )
    .await;
    assert_eq!(revoked.body, "1");
    let late = [upsert(
        "sign_in",
        Uuid::new_v4(),
        sign_in(this, "Spóźniona"),
    )];
    for (path, request) in [
        ("/api/kiosk", "{}".to_owned()),
        ("/api/sync", sync_body(Uuid::new_v4(), 0, &late)),
    ] {
        let reply = call_with_token(&pool, path, &request, &token).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let fresh = call(
        &pool,
        "/api/kiosk-token",
        &format!(r#"{{"meeting_id":"{this}"}}"#),
        Some(&librarian),
    )
    .await;
    let fresh: Value = serde_json::from_str(&fresh.body).expect("json");
    sqlx::query("update kiosk_tokens set expires_at = now() - interval '1 minute'")
        .execute(&pool)
        .await
        .expect("expire");
    let reply = call_with_token(
        &pool,
        "/api/sync",
        &sync_body(Uuid::new_v4(), 0, &late),
        fresh["token"].as_str().expect("token"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_token_expires_after_the_meeting_day_in_poland(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let next_year = app::clock::instant()[..4].parse::<i32>().expect("year") + 1;
    // 20:30 in Warsaw on 15 January (UTC+1), 21:30 on 15 July (UTC+2): the
    // link lasts until the midnight that ends that day in Poland.
    for (starts_at, expires_at) in [
        (
            format!("{next_year}-01-15T19:30:00Z"),
            format!("{next_year}-01-15T23:00:00Z"),
        ),
        (
            format!("{next_year}-07-15T19:30:00Z"),
            format!("{next_year}-07-15T22:00:00Z"),
        ),
    ] {
        let later = zalesie_meeting(&pool, &librarian, &starts_at).await;
        let reply = call(
            &pool,
            "/api/kiosk-token",
            &format!(r#"{{"meeting_id":"{later}"}}"#),
            Some(&librarian),
        )
        .await;
        let link: Value = serde_json::from_str(&reply.body).expect("json");
        assert_eq!(link["expires_at"], expires_at, "{link}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_token_for_a_past_meeting_lasts_until_the_end_of_today_and_then_stops(pool: PgPool) {
    use app::attendance::kiosk_api::ssr::{create, grant};
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let held = zalesie_meeting(&pool, &librarian, &instant_in(-30, 0)).await;
    let actor = app::accounts::session::load_actor(&pool, server::demo::ACCOUNTS[2].id)
        .await
        .expect("actor");
    // The clock handed to the code: 10:00 UTC, two months from now.
    let day = app::clock::poland_day(&instant_in(60, 0)).expect("day");
    let now = app::format::epoch_of(&format!("{day}T10:00:00Z")).expect("instant");
    let next_day = app::clock::poland_day(&app::format::instant_of(now + 86_400)).expect("day");
    let midnight = app::format::from_warsaw_local(&format!("{next_day}T00:00")).expect("midnight");
    let link = create(&pool, &actor, held, "", now).await.expect("link");
    assert_eq!(link.expires_at, midnight);
    let live = |at: i64| {
        let (pool, token) = (pool.clone(), link.token.clone());
        async move { grant(&pool, &token, at).await.expect("grant").is_some() }
    };
    let end = app::format::epoch_of(&midnight).expect("instant");
    assert!(live(now).await);
    assert!(live(end - 60).await, "a minute before midnight in Warsaw");
    assert!(!live(end).await, "midnight in Warsaw ends it");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_strike_keeps_the_entry_and_puts_the_reason_in_the_audit_log(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let meeting_id = zalesie_meeting(&pool, &librarian, &instant_in(-9, 0)).await;
    let anna = Uuid::new_v4();
    let results = push(
        &pool,
        &librarian,
        &[upsert("sign_in", anna, sign_in(meeting_id, "Anna Nowak"))],
    )
    .await;
    assert_eq!(results[0]["status"], "applied");

    let strike = |reason: &str| {
        upsert(
            "sign_in",
            anna,
            json!({"struck": {"reason": reason, "at": instant_in(-9, 2)}}),
        )
    };
    let tutor = demo_sign_in(&pool, "tutor@demo.local").await;
    let refused = push(&pool, &tutor, &[strike("nie ta osoba")]).await;
    assert_eq!(refused[0]["error"]["code"], "forbidden", "{refused:?}");

    let results = push(
        &pool,
        &librarian,
        &[
            strike("wpisana dwa razy"),
            strike("wpisana dwa razy"),
            strike("inny powód"),
        ],
    )
    .await;
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["applied", "applied", "rejected"]);
    let data: Value = sqlx::query_scalar("select data from records where id = $1")
        .bind(anna)
        .fetch_one(&pool)
        .await
        .expect("sign-in");
    assert_eq!(data["full_name"], "Anna Nowak");
    assert_eq!(data["struck"]["reason"], "wpisana dwa razy");
    let audit: Vec<(String, Value)> = sqlx::query_as(
        "select action, details from audit_log where subject_type = 'sign_in' and subject_id = $1",
    )
    .bind(anna)
    .fetch_all(&pool)
    .await
    .expect("audit");
    assert_eq!(
        audit,
        [(
            "strike".to_owned(),
            json!({"meeting_id": meeting_id, "reason": "wpisana dwa razy"})
        )]
    );

    // Struck on the device before it was ever sent: audited too.
    let mut both = sign_in(meeting_id, "Jan Kos");
    both["struck"] = json!({"reason": "pomyłka", "at": instant_in(-9, 2)});
    let results = push(
        &pool,
        &librarian,
        &[upsert("sign_in", Uuid::new_v4(), both)],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from audit_log where action = 'strike'"
        )
        .await,
        2
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_sign_in_is_stored_once_and_its_replay_still_gets_its_result(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let meeting_id = zalesie_meeting(&pool, &librarian, &instant_in(-9, 0)).await;
    let entry = upsert("sign_in", Uuid::new_v4(), sign_in(meeting_id, "Ewa Lis"));
    let first = push(&pool, &librarian, std::slice::from_ref(&entry)).await;
    assert_eq!(first[0]["status"], "applied", "{first:?}");

    // The signature lives in `records` only: sign-ins never merge, so no
    // version and no copy of what was sent is kept beside it.
    for sql in [
        "select count(*) from record_versions where entity = 'sign_in'",
        "select count(*) from applied_mutations where entity = 'sign_in' and data <> '{}'::jsonb",
    ] {
        assert_eq!(scalar(&pool, sql).await, 0, "{sql}");
    }
    let again = push(&pool, &librarian, &[entry]).await;
    assert_eq!(again[0]["status"], "applied");
    assert_eq!(again[0]["rev"], first[0]["rev"]);
    assert_eq!(again[0]["replayed"], true);
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn retention_erases_only_sign_ins_past_their_programs_period(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let old = zalesie_meeting(&pool, &librarian, &instant_in(-6 * 366, 0)).await;
    let recent = zalesie_meeting(&pool, &librarian, &instant_in(-40, 0)).await;
    let (gone, kept) = (Uuid::new_v4(), Uuid::new_v4());
    push(
        &pool,
        &librarian,
        &[
            upsert("sign_in", gone, sign_in(old, "Anna Dawna")),
            upsert("sign_in", kept, sign_in(recent, "Ola Nowa")),
        ],
    )
    .await;

    // A strike whose reason names the person: erased with the entry.
    let strike =
        json!({"struck": {"reason": "Anna Dawna wpisana dwa razy", "at": instant_in(-6 * 366, 2)}});
    let results = push(&pool, &librarian, &[upsert("sign_in", gone, strike)]).await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");

    // Five years by default: the meeting six years ago is past it.
    let erased = app::attendance::retention::erase_expired(&pool, app::clock::now())
        .await
        .expect("job");
    assert_eq!(erased, 1);
    assert_eq!(
        app::attendance::retention::erase_expired(&pool, app::clock::now())
            .await
            .expect("job"),
        0
    );
    let rows: Vec<(Uuid, bool, Value)> = sqlx::query_as(
        "select id, deleted, data from records where entity = 'sign_in' order by deleted",
    )
    .fetch_all(&pool)
    .await
    .expect("rows");
    assert_eq!(rows[0].0, kept);
    assert_eq!(rows[1], (gone, true, json!({})));
    for sql in [
        "select count(*) from record_versions where entity = 'sign_in' and data::text like '%Dawna%'",
        "select count(*) from applied_mutations where data::text like '%Dawna%'",
        "select count(*) from audit_log where details::text like '%Dawna%'",
    ] {
        assert_eq!(scalar(&pool, sql).await, 0, "{sql}");
    }
    let audit: (String, Value) = sqlx::query_as(
        "select action, details from audit_log where subject_id = $1 and action = 'erase'",
    )
    .bind(gone)
    .fetch_one(&pool)
    .await
    .expect("audit");
    assert_eq!(audit, ("erase".to_owned(), json!({"reason": "retention"})));

    // Devices learn of it on their next pull.
    let reply = call(
        &pool,
        "/api/sync",
        &sync_body(Uuid::new_v4(), 0, &[]),
        Some(&librarian),
    )
    .await;
    let answer: Value = serde_json::from_str(&reply.body).expect("json");
    let tombstone = answer["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["record_id"] == json!(gone))
        .cloned()
        .expect("the erased sign-in");
    assert_eq!(tombstone["deleted"], true);

    // A shorter period set by the program erases the recent one too.
    sqlx::query("update programs set sign_in_retention_months = 1")
        .execute(&pool)
        .await
        .expect("period");
    assert_eq!(
        app::attendance::retention::erase_expired(&pool, app::clock::now())
            .await
            .expect("job"),
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn one_persons_data_is_found_and_erased_only_where_the_user_may(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let zalesie = zalesie_meeting(&pool, &librarian, &instant_in(-9, 0)).await;
    let mut with_contact = sign_in(zalesie, "Anna Nowak");
    with_contact["contact"] = json!("anna@wies.pl");
    with_contact["contact_consent"] = json!(true);
    let ours = Uuid::new_v4();
    push(&pool, &librarian, &[upsert("sign_in", ours, with_contact)]).await;

    rudka_partnership(&pool).await;
    let rudka_librarian = demo_sign_in(&pool, "biblioteka2@demo.local").await;
    let rudka = Uuid::new_v4();
    let theirs = Uuid::new_v4();
    let results = push(
        &pool,
        &rudka_librarian,
        &[
            upsert(
                "meeting",
                rudka,
                meeting(RUDKA_PARTNERSHIP, &instant_in(-11, 0)),
            ),
            upsert("sign_in", theirs, sign_in(rudka, "Anna Nowak")),
        ],
    )
    .await;
    assert_eq!(results[1]["status"], "applied", "{results:?}");

    let find = |cookie: String, query: &'static str| {
        let pool = pool.clone();
        async move {
            let reply = call(
                &pool,
                "/api/personal-data/find",
                &json!({ "query": query }).to_string(),
                Some(&cookie),
            )
            .await;
            (
                reply.status,
                serde_json::from_str::<Value>(&reply.body).unwrap_or(Value::Null),
            )
        }
    };
    let (status, found) = find(librarian.clone(), "nowak").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&Value> = found
        .as_array()
        .expect("list")
        .iter()
        .map(|e| &e["sign_in_id"])
        .collect();
    assert_eq!(ids, [&json!(ours)]);
    assert_eq!(found[0]["data"]["contact"], "anna@wies.pl");
    assert_eq!(found[0]["erasable"], true);
    let (_, by_mail) = find(librarian.clone(), "ANNA@wies.pl").await;
    assert_eq!(by_mail.as_array().map(Vec::len), Some(1));
    let (status, _) = find(librarian.clone(), "an").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The tutor sees both libraries, and may erase in neither.
    let tutor = demo_sign_in(&pool, "tutor@demo.local").await;
    let (_, seen) = find(tutor.clone(), "Nowak").await;
    assert_eq!(seen.as_array().map(Vec::len), Some(2), "{seen}");
    assert!(
        seen.as_array()
            .expect("list")
            .iter()
            .all(|e| e["erasable"] == false)
    );

    let erase = |cookie: String, ids: Vec<Uuid>| {
        let pool = pool.clone();
        async move {
            call(
                &pool,
                "/api/personal-data/erase",
                &json!({ "ids": ids }).to_string(),
                Some(&cookie),
            )
            .await
        }
    };
    for (cookie, ids) in [
        (librarian.clone(), vec![theirs]),
        (librarian.clone(), vec![ours, theirs]),
        (tutor, vec![ours]),
    ] {
        let reply = erase(cookie, ids).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    }
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from records where entity = 'sign_in' and not deleted"
        )
        .await,
        2
    );
    let reply = erase(librarian.clone(), vec![ours]).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "1"));
    let (_, after) = find(librarian, "Nowak").await;
    assert_eq!(after, json!([]));
    let audit: (Option<Uuid>, Value) =
        sqlx::query_as("select actor_id, details from audit_log where action = 'erase'")
            .fetch_one(&pool)
            .await
            .expect("audit");
    assert_eq!(audit.1, json!({"reason": "request"}));
    assert!(audit.0.is_some());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_programs_coordinator_sets_the_retention_and_versions_the_clause(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let settings = |months: i32, short: &str| {
        json!({
            "program_id": PRB_ROUND_III, "retention_months": months,
            "short_text": short, "full_text": "Pełna treść klauzuli.",
        })
        .to_string()
    };
    let saved = call(
        &pool,
        "/api/program-settings",
        &settings(24, "Nowa krótka treść."),
        Some(&coordinator),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body, r#"{"retention_months":24,"clause_version":2}"#);
    // The same text again is no new version; a changed one is.
    let again = call(
        &pool,
        "/api/program-settings",
        &settings(24, " Nowa krótka treść. "),
        Some(&coordinator),
    )
    .await;
    assert_eq!(again.body, r#"{"retention_months":24,"clause_version":2}"#);
    let bad = call(
        &pool,
        "/api/program-settings",
        &settings(0, "Jeszcze inna."),
        Some(&coordinator),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.body,
        r#"{"code":"validation","field":"retention_months","problem":"not_allowed_choice"}"#
    );

    // Neither a librarian nor a tutor changes a program.
    for outsider in ["biblioteka1@demo.local", "tutor@demo.local"] {
        let cookie = demo_sign_in(&pool, outsider).await;
        let reply = call(
            &pool,
            "/api/program-settings",
            &settings(1, "Podmieniona."),
            Some(&cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{outsider}");
    }
    assert_eq!(
        scalar(&pool, "select max(version)::int8 from information_clauses").await,
        2
    );
    assert_eq!(
        scalar(&pool, "select sign_in_retention_months::int8 from programs where id = '5a1e0000-0000-4000-8000-000000000101'").await,
        24
    );
    // The kiosk shows the new version, and new sign-ins record it.
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let partnerships = call(&pool, "/api/partnerships", "{}", Some(&librarian)).await;
    assert!(
        partnerships.body.contains(r#""version":2"#),
        "{}",
        partnerships.body
    );
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from audit_log where action = 'program.settings'"
        )
        .await,
        2
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_impossible_date_is_refused_and_one_stored_earlier_stops_no_retention(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let next_year = app::clock::instant()[..4].parse::<i32>().expect("year") + 1;
    // 29 February of a year that has none, 31 April: refused at the edge.
    let leap = if next_year % 4 == 0 {
        next_year + 1
    } else {
        next_year
    };
    for impossible in [
        format!("{leap}-02-29T10:00:00Z"),
        format!("{next_year}-04-31T10:00:00Z"),
    ] {
        let results = push(
            &pool,
            &librarian,
            &[upsert(
                "meeting",
                Uuid::new_v4(),
                meeting(ZALESIE_PARTNERSHIP, &impossible),
            )],
        )
        .await;
        assert_eq!(
            results[0]["status"], "rejected",
            "{impossible}: {results:?}"
        );
        assert_eq!(results[0]["error"]["field"], "starts_at");
    }
    // Meetings stored before dates were checked, each with a sign-in: one on
    // 30 February this year, one whose date is not even a date.
    let this_year = next_year - 1;
    let mut kept = Vec::new();
    let mut bad = Uuid::nil();
    for starts_at in [
        format!("{this_year}-02-30T10:00:00Z"),
        "jutro o 10".to_owned(),
    ] {
        let (meeting_id, sign_in_id) = (Uuid::new_v4(), Uuid::new_v4());
        sqlx::query(
            "insert into records (entity, id, library_id, rev, data)
             values ('meeting', $1, $3, nextval('revisions'), $4),
                    ('sign_in', $2, $3, nextval('revisions'), $5)",
        )
        .bind(meeting_id)
        .bind(sign_in_id)
        .bind(server::demo::ZALESIE)
        .bind(
            json!({"partnership_id": ZALESIE_PARTNERSHIP, "kind": "working", "title": "Zły dzień",
                     "starts_at": starts_at}),
        )
        .bind(sign_in(meeting_id, "Ala Zła"))
        .execute(&pool)
        .await
        .expect("old rows");
        kept.push((sign_in_id, false));
        bad = meeting_id;
    }
    let old = zalesie_meeting(&pool, &librarian, &instant_in(-6 * 366, 0)).await;
    let gone = Uuid::new_v4();
    push(
        &pool,
        &librarian,
        &[upsert("sign_in", gone, sign_in(old, "Anna Dawna"))],
    )
    .await;

    // The job still erases what is due everywhere else.
    let erased = app::attendance::retention::erase_expired(&pool, app::clock::now())
        .await
        .expect("job");
    assert_eq!(erased, 1);
    let mut deleted: Vec<(Uuid, bool)> = sqlx::query_as(
        "select id, deleted from records where entity = 'sign_in' order by deleted, id",
    )
    .fetch_all(&pool)
    .await
    .expect("rows");
    kept.sort();
    kept.push((gone, true));
    deleted.sort_by_key(|(id, deleted)| (*deleted, *id));
    assert_eq!(deleted, kept);
    // And a kiosk link for that meeting is made, not a 500.
    let reply = call(
        &pool,
        "/api/kiosk-token",
        &format!(r#"{{"meeting_id":"{bad}"}}"#),
        Some(&librarian),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_sign_ins_of_a_deleted_meeting_are_kept_as_if_it_were_not_and_then_erased(
    pool: PgPool,
) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let held = zalesie_meeting(&pool, &librarian, &instant_in(-10, 0)).await;
    let signed = Uuid::new_v4();
    push(
        &pool,
        &librarian,
        &[upsert("sign_in", signed, sign_in(held, "Ola Nowa"))],
    )
    .await;
    let mut delete = upsert("meeting", held, json!({}));
    delete["op"] = json!("delete");
    // As the device that shows it: based on the meeting's current revision.
    let rev: i64 = sqlx::query_scalar("select rev from records where id = $1")
        .bind(held)
        .fetch_one(&pool)
        .await
        .expect("rev");
    delete["base_rev"] = json!(rev);
    let results = push(&pool, &librarian, &[delete]).await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");

    let erase_on = |days: i64| {
        let pool = pool.clone();
        async move {
            app::attendance::retention::erase_expired(&pool, app::clock::now() + days * 86_400)
                .await
                .expect("job")
        }
    };
    // As if it had not been deleted: five years (the program's default)
    // after the meeting, ten days ago.
    assert_eq!(erase_on(0).await, 0);
    assert_eq!(erase_on(5 * 365 - 20).await, 0);
    assert_eq!(erase_on(5 * 365 + 7).await, 1);
    let data: Value = sqlx::query_scalar("select data from records where id = $1")
        .bind(signed)
        .fetch_one(&pool)
        .await
        .expect("tombstone");
    assert_eq!(data, json!({}));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_shortened_retention_erases_nothing_for_thirty_days_and_can_be_undone(pool: PgPool) {
    use app::{attendance::retention::erase_expired, directory::program_settings::ssr::save};
    const DAY: i64 = 86_400;
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let held = zalesie_meeting(&pool, &librarian, &instant_in(-2 * 365, 0)).await;
    push(
        &pool,
        &librarian,
        &[upsert(
            "sign_in",
            Uuid::new_v4(),
            sign_in(held, "Ola Dawna"),
        )],
    )
    .await;
    let coordinator = app::accounts::session::load_actor(&pool, server::demo::ACCOUNTS[0].id)
        .await
        .expect("actor");
    let (short, full): (String, String) = sqlx::query_as(
        "select short_text, full_text from information_clauses where program_id = $1",
    )
    .bind(PRB_ROUND_III)
    .fetch_one(&pool)
    .await
    .expect("clause");
    let now = app::clock::now();
    let set = |months: i32, at: i64| {
        let (pool, coordinator, short, full) = (
            pool.clone(),
            coordinator.clone(),
            short.clone(),
            full.clone(),
        );
        async move {
            save(
                &pool,
                &coordinator,
                PRB_ROUND_III,
                (months, &short, &full),
                at,
            )
            .await
            .expect("settings");
        }
    };
    let erased_on = |at: i64| {
        let pool = pool.clone();
        async move { erase_expired(&pool, at).await.expect("job") }
    };
    // One year instead of five: the two-year-old list is kept for now…
    set(12, now).await;
    assert_eq!(erased_on(now).await, 0);
    // …and putting five years back within the month undoes it.
    set(60, now + DAY).await;
    assert_eq!(erased_on(now + 31 * DAY).await, 0);
    // Shortened again, it erases once the thirty days have passed.
    set(12, now + 2 * DAY).await;
    assert_eq!(erased_on(now + 2 * DAY + 29 * DAY).await, 0);
    assert_eq!(erased_on(now + 2 * DAY + 31 * DAY).await, 1);
}
