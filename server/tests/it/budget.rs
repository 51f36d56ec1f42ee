//! A device's store within its budget, for the people whose scope is
//! largest: a tutor of thirty busy libraries and a librarian with five
//! years of records. Each syncs from the real server into a store as large
//! as a browser gives a site; everything of the scope opens offline, the
//! pulled records stay within the budget, and a long meeting with a full
//! kiosk made offline afterwards still saves.

use crate::common::sign_in;
use crate::scope::{Device, sync_fully};
use app::sync::{
    Op,
    local::{LocalStore, MemoryStorage, REPLICA_BUDGET},
};
use serde_json::{Map, Value, json};
use server::demo::{self, DEMO_PASSWORD};
use sqlx::PgPool;
use uuid::Uuid;

/// What Chromium and Firefox give a site's localStorage, in UTF-16 units
/// (the memory store counts bytes, never fewer).
const BROWSER_QUOTA: usize = 5_242_880;
const PROGRAM: Uuid = uuid::uuid!("5a1e0000-0000-4000-8000-000000000b00");

/// Libraries of a test program, each with a partnership, `meetings`
/// meetings `days` apart (the newest yesterday) with `minutes` characters
/// of minutes, and `signed` sign-ins each with a drawn signature and
/// contact data. Their ids are `md5('<tag>-library-<n>')`.
async fn seed_libraries(pool: &PgPool, tag: &str, libraries: i32, meetings: i32, signed: i32) {
    let sql = [
        "insert into programs (id, name, operator, round, starts_on, ends_on, support_hours_per_library)
         values ($1, 'Program testowy', 'Fundacja testowa', null, current_date - 2000, current_date + 300, 24)
         on conflict do nothing",
        "insert into libraries (id, name, municipality, voivodeship)
         select md5($2 || '-library-' || n)::uuid, 'Biblioteka ' || $2 || ' nr ' || n, 'Gmina ' || n, 'mazowieckie'
         from generate_series(1, $3) n",
        "insert into program_libraries (program_id, library_id)
         select $1, md5($2 || '-library-' || n)::uuid from generate_series(1, $3) n",
        "insert into partnerships (id, name, lead_library_id, program_id)
         select md5($2 || '-partnership-' || n)::uuid, 'Partnerstwo nr ' || n, md5($2 || '-library-' || n)::uuid, $1
         from generate_series(1, $3) n",
        "insert into records (entity, id, library_id, rev, data)
         select 'meeting', md5($2 || '-meeting-' || n || '-' || m)::uuid, md5($2 || '-library-' || n)::uuid,
                nextval('revisions'),
                jsonb_build_object(
                  'partnership_id', md5($2 || '-partnership-' || n)::uuid, 'kind', 'working', 'status', 'held',
                  'title', 'Spotkanie ' || m || ' w bibliotece nr ' || n,
                  'starts_at', to_char(now() at time zone 'utc' - make_interval(days => $6 * ($4 - m) + 1),
                                       'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                  'minutes', repeat('Omówiono plan działań partnerstwa i podział zadań. ', 80))
         from generate_series(1, $3) n, generate_series(1, $4) m order by m, n",
        "insert into records (entity, id, library_id, rev, data)
         select 'sign_in', md5($2 || '-sign-in-' || n || '-' || m || '-' || k)::uuid,
                md5($2 || '-library-' || n)::uuid, nextval('revisions'),
                jsonb_build_object(
                  'meeting_id', md5($2 || '-meeting-' || n || '-' || m)::uuid, 'full_name', 'Osoba Testowa ' || k,
                  'organization', 'Stowarzyszenie nr ' || k, 'function', 'członkini zarządu',
                  'contact', 'osoba' || k || '@example.pl', 'contact_consent', true,
                  'clause_version', 1, 'clause_ack', true, 'image_consent', false,
                  'signed_at', to_char(now() at time zone 'utc' - make_interval(days => $6 * ($4 - m) + 1),
                                       'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                  'signature', jsonb_build_object('kind', 'drawn', 'strokes', jsonb_build_array(
                    (select jsonb_agg((p * 7 + k) % 1000) from generate_series(1, 240) p))))
         from generate_series(1, $3) n, generate_series(1, $4) m, generate_series(1, $5) k order by m, n, k",
    ];
    // Five years of a busy library's meetings lie two weeks apart; a tutor's libraries meet monthly.
    let days = if meetings > 12 { 15 } else { 30 };
    for statement in sql {
        sqlx::query(statement)
            .bind(PROGRAM)
            .bind(tag)
            .bind(libraries)
            .bind(meetings)
            .bind(signed)
            .bind(days)
            .execute(pool)
            .await
            .expect(statement);
    }
}

/// A person whose account is set up by `link` (her libraries), signed in.
async fn person(
    pool: &PgPool,
    email: &str,
    link: &str,
    tag: &str,
    libraries: i32,
) -> (Uuid, String) {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into users (id, email, full_name, password_hash)
         select $1, $2, 'Osoba z testu', password_hash from users where email = 'tutor@demo.local'",
    )
    .bind(id)
    .bind(email)
    .execute(pool)
    .await
    .expect("user");
    sqlx::query(link)
        .bind(id)
        .bind(tag)
        .bind(libraries)
        .bind(PROGRAM)
        .execute(pool)
        .await
        .expect("her libraries");
    (id, sign_in(pool, email, DEMO_PASSWORD).await)
}

fn browser_store(user: Uuid) -> Device {
    let storage = MemoryStorage {
        quota: Some(BROWSER_QUOTA),
        ..MemoryStorage::default()
    };
    LocalStore::open(storage, user).expect("open")
}

/// Offline: a meeting whose minutes grow to 50,000 characters over many
/// saves, then 200 people sign in at the kiosk. Every save must succeed.
fn work_offline(device: &mut Device) {
    let meeting = Uuid::new_v4();
    let text: String = "Zażółć gęślą jaźń — notatka ze spotkania. "
        .chars()
        .cycle()
        .take(50_000)
        .collect();
    for end in (1_000..=50_000).step_by(1_000) {
        let minutes: String = text.chars().take(end).collect();
        let data = Map::from_iter([("minutes".to_owned(), json!(minutes))]);
        device
            .save("meeting", meeting, Op::Upsert, data, None)
            .expect("the minutes are saved");
    }
    for k in 0..200u16 {
        let strokes: Vec<u16> = (0..600u16).map(|p| (p * 13 + k) % 1000).collect();
        let signed = json!({
            "meeting_id": meeting, "full_name": format!("Uczestniczka {k}"), "organization": "Koło Gospodyń Wiejskich",
            "contact": "uczestniczka@example.pl", "contact_consent": true, "clause_version": 1, "clause_ack": true,
            "image_consent": true, "signed_at": app::clock::instant_in(0, 0),
            "signature": {"kind": "drawn", "strokes": [strokes]},
        });
        let data = signed.as_object().cloned().unwrap_or_default();
        device
            .save("sign_in", Uuid::new_v4(), Op::Upsert, data, None)
            .expect("the sign-in is saved");
    }
    assert_eq!(device.outbox().expect("outbox").len(), 201);
}

/// What the pulled records take, as the device's count says and as its
/// storage really holds them (they must agree).
fn replica(device: &Device) -> u64 {
    let counted = device.usage().expect("counted").replica;
    let stored: u64 = device
        .storage()
        .items
        .iter()
        .filter(|(key, _)| key.contains("/rec/"))
        .map(|(key, value)| (key.len() + value.len()) as u64)
        .sum();
    assert_eq!(counted, stored, "the count is exact");
    counted
}

fn sign_ins(device: &Device) -> Vec<Map<String, Value>> {
    let all = device.list("sign_in").expect("list");
    all.into_iter().map(|(_, data)| data).collect()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_tutor_of_thirty_busy_libraries_holds_them_all_within_the_budget(pool: PgPool) {
    demo::seed(&pool, false).await.expect("seed");
    seed_libraries(&pool, "tutor30", 30, 3, 30).await;
    let (user, cookie) = person(
        &pool,
        "tutor30@test.local",
        "insert into tutor_assignments (tutor_id, library_id, program_id)
         select $1, md5($2 || '-library-' || n)::uuid, $4 from generate_series(1, $3) n",
        "tutor30",
        30,
    )
    .await;
    let mut device = browser_store(user);
    sync_fully(&pool, &cookie, &mut device, 500).await;

    assert_eq!(device.list("meeting").expect("list").len(), 90);
    let held = sign_ins(&device);
    assert_eq!(held.len(), 2_700, "every list opens offline");
    assert!(
        held.iter()
            .all(|s| !s.contains_key("contact") && !s.contains_key("signature")),
        "names and consents only: contact data and signatures stay on the server"
    );
    assert!(replica(&device) <= REPLICA_BUDGET);
    println!("tutor of 30: {} bytes pulled", replica(&device));
    assert!(
        device.usage().expect("counted").spared.is_empty(),
        "nothing had to go"
    );
    work_offline(&mut device);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_librarian_with_five_busy_years_holds_them_within_the_budget(pool: PgPool) {
    demo::seed(&pool, false).await.expect("seed");
    // 120 meetings two weeks apart, 25 people signing each: 3,000 signatures.
    seed_libraries(&pool, "years5", 1, 120, 25).await;
    let (user, cookie) = person(
        &pool,
        "biblioteka5lat@test.local",
        "insert into library_memberships (user_id, library_id, role)
         select $1, md5($2 || '-library-' || n)::uuid, 'librarian' from generate_series(1, $3) n
         where $4::uuid is not null",
        "years5",
        1,
    )
    .await;
    let mut device = browser_store(user);
    sync_fully(&pool, &cookie, &mut device, 500).await;

    assert_eq!(device.list("meeting").expect("list").len(), 120);
    let held = sign_ins(&device);
    assert_eq!(held.len(), 3_000, "every list opens offline");
    assert!(
        held.iter().all(|s| s.contains_key("contact")),
        "hers to edit"
    );
    assert!(replica(&device) <= REPLICA_BUDGET);
    // The oldest lists' signatures are online only; the latest are here.
    let spared = device.usage().expect("counted").spared;
    let without = held.iter().filter(|s| !s.contains_key("signature")).count();
    let pulled = replica(&device);
    println!("librarian, five years: {pulled} bytes pulled, {without} signatures online only");
    assert!(without > 0 && without < 3_000, "{without} without");
    assert_eq!(spared.get("sign_in").copied(), Some(without as u64));
    let latest: Uuid = sqlx::query_scalar("select md5('years5-meeting-1-120')::uuid")
        .fetch_one(&pool)
        .await
        .expect("id");
    let latest = latest.to_string();
    let of_latest: Vec<_> = held
        .iter()
        .filter(|s| s.get("meeting_id").and_then(Value::as_str) == Some(latest.as_str()))
        .collect();
    assert_eq!(of_latest.len(), 25);
    assert!(of_latest.iter().all(|s| s.contains_key("signature")));
    work_offline(&mut device);
}
