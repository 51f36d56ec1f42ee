//! Who may call which server function, for every server function there is.
//!
//! The pattern new server functions follow: add the endpoint to `ENDPOINTS`
//! with a request that reaches into library 2 (Rudka) — the first test fails
//! until you do — then the anonymous and deactivated checks cover it at once,
//! and a line in the librarian/tutor tests states what it must refuse.

use crate::common::{RUDKA_PARTNERSHIP, call, demo_sign_in, rudka_partnership, scalar, sign_in};
use axum::http::StatusCode;
use server::demo::{self, ACCOUNTS, OLSZANKA, PRB_ROUND_III, RUDKA, ZALESIE};
use sqlx::PgPool;
use std::collections::BTreeSet;

/// Server functions anyone may call: signing in and out, asking who is
/// signed in, and the set-password link (the token is the credential).
const PUBLIC: [&str; 5] = [
    "/api/login",
    "/api/logout",
    "/api/me",
    "/api/password-link",
    "/api/set-password",
];

/// Every server function with a request aimed at library 2's data.
fn endpoints() -> Vec<(&'static str, String)> {
    let librarian2 = ACCOUNTS[3].id;
    vec![
        ("/api/login", r#"{"email":"x@y.pl","password":"x"}"#.into()),
        ("/api/logout", "{}".into()),
        ("/api/logout-everywhere", "{}".into()),
        ("/api/me", "{}".into()),
        ("/api/password-link", r#"{"token":"nope"}"#.into()),
        (
            "/api/set-password",
            r#"{"token":"nope","password":"x"}"#.into(),
        ),
        ("/api/libraries", r#"{"search":"","page":1}"#.into()),
        ("/api/library", format!(r#"{{"id":"{RUDKA}"}}"#)),
        ("/api/programs", r#"{"search":"","page":1}"#.into()),
        ("/api/program", format!(r#"{{"id":"{PRB_ROUND_III}"}}"#)),
        ("/api/people", r#"{"search":"","page":1}"#.into()),
        ("/api/invite", invite_body(RUDKA, "nowa@gmina.pl")),
        (
            "/api/change-password",
            r#"{"current":"demo-demo-demo","new":"sosna przy czytelni"}"#.into(),
        ),
        (
            "/api/account-active",
            format!(r#"{{"user_id":"{librarian2}","active":false}}"#),
        ),
        ("/api/sync", sync_body(RUDKA_MEETING, RUDKA_PARTNERSHIP)),
        ("/api/partnerships", "{}".into()),
        ("/api/my-libraries", "{}".into()),
        (
            "/api/program-hours",
            format!(r#"{{"program_id":"{PRB_ROUND_III}"}}"#),
        ),
        (
            "/api/library-glance",
            format!(r#"{{"library_id":"{RUDKA}"}}"#),
        ),
        (
            "/api/meeting-signatures",
            format!(r#"{{"meeting_id":"{RUDKA_MEETING}"}}"#),
        ),
        (
            "/api/meeting",
            format!(r#"{{"meeting_id":"{RUDKA_MEETING}"}}"#),
        ),
        (
            "/api/meeting-attendance",
            format!(r#"{{"meeting_id":"{RUDKA_MEETING}"}}"#),
        ),
        (
            "/api/library-meetings",
            format!(r#"{{"library_id":"{RUDKA}","page":1}}"#),
        ),
        (
            "/api/kiosk-token",
            format!(r#"{{"meeting_id":"{RUDKA_MEETING}"}}"#),
        ),
        (
            "/api/kiosk-token/revoke",
            format!(r#"{{"meeting_id":"{RUDKA_MEETING}"}}"#),
        ),
        // Only for the bearer of a kiosk token: a session is not enough.
        ("/api/kiosk", "{}".into()),
        ("/api/personal-data/find", r#"{"query":"Nowak"}"#.into()),
        (
            "/api/program-settings",
            format!(
                r#"{{"program_id":"{PRB_ROUND_III}","retention_months":12,"short_text":"Obca klauzula.","full_text":"Obca klauzula."}}"#
            ),
        ),
        (
            "/api/personal-data/erase",
            format!(r#"{{"ids":["{RUDKA_SIGN_IN}"]}}"#),
        ),
    ]
}

const RUDKA_MEETING: uuid::Uuid = uuid::uuid!("5a1e0000-0000-4000-8000-0000000004aa");
const RUDKA_SIGN_IN: uuid::Uuid = uuid::uuid!("5a1e0000-0000-4000-8000-0000000005aa");

/// A sync push creating a meeting in `partnership`.
fn sync_body(meeting: uuid::Uuid, partnership: uuid::Uuid) -> String {
    let starts_at = app::clock::instant_in(-40, 0);
    format!(
        r#"{{"device_id":"{}","cursor":0,"pull_limit":100,"mutations":[{{"id":"{}","seq":1,"entity":"meeting","record_id":"{meeting}","op":"upsert","base_rev":null,"data":{{"partnership_id":"{partnership}","kind":"working","title":"Obce spotkanie","starts_at":"{starts_at}"}},"client_time":null}}]}}"#,
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4()
    )
}

fn invite_body(library: uuid::Uuid, email: &str) -> String {
    format!(
        r#"{{"library_id":"{library}","email":"{email}","full_name":"Nowa Osoba","role":"librarian","program_id":null}}"#
    )
}

#[test]
fn every_registered_server_function_is_in_the_table() {
    let registered: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    let listed: BTreeSet<&str> = endpoints().iter().map(|(path, _)| *path).collect();
    assert_eq!(
        registered, listed,
        "add each new server function to `endpoints()` with its authorization checks"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn anonymous_requests_get_401_from_every_protected_function(pool: PgPool) {
    demo::seed(&pool, false).await.expect("seed");
    for (path, body) in endpoints() {
        if PUBLIC.contains(&path) {
            continue;
        }
        let reply = call(&pool, path, &body, None).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            reply.body
        );
        assert_eq!(reply.body, r#"{"code":"unauthorized"}"#, "{path}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_deactivated_users_session_stops_working_everywhere(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let coordinator = sign_in(&pool, "koordynator@demo.local", demo::DEMO_PASSWORD).await;
    let before = call(
        &pool,
        "/api/libraries",
        r#"{"search":"","page":1}"#,
        Some(&librarian),
    )
    .await;
    assert_eq!(before.status, StatusCode::OK);

    let librarian1 = ACCOUNTS[2].id;
    let off = format!(r#"{{"user_id":"{librarian1}","active":false}}"#);
    let reply = call(&pool, "/api/account-active", &off, Some(&coordinator)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    for (path, body) in endpoints() {
        if PUBLIC.contains(&path) {
            continue;
        }
        let reply = call(&pool, path, &body, Some(&librarian)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            reply.body
        );
    }
    let me = call(&pool, "/api/me", "{}", Some(&librarian)).await;
    assert_eq!(me.body, "null");
    // Nor can she sign in again.
    let login = call(
        &pool,
        "/api/login",
        r#"{"email":"biblioteka1@demo.local","password":"demo-demo-demo"}"#,
        None,
    )
    .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from audit_log where action = 'account.deactivated'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_librarian_of_library_1_cannot_read_or_change_library_2(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let cookie = Some(cookie.as_str());

    let list = call(&pool, "/api/libraries", r#"{"search":"","page":1}"#, cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("w Zalesiu") && list.body.contains("w Borowie"),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains("Rudce") && !list.body.contains("Olszance"),
        "{}",
        list.body
    );
    assert!(list.body.contains(r#""total":3"#), "{}", list.body);
    let searched = call(
        &pool,
        "/api/libraries",
        r#"{"search":"Rudka","page":1}"#,
        cookie,
    )
    .await;
    assert!(searched.body.contains(r#""total":0"#), "{}", searched.body);

    let other = call(
        &pool,
        "/api/library",
        &format!(r#"{{"id":"{RUDKA}"}}"#),
        cookie,
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
    let own = call(
        &pool,
        "/api/library",
        &format!(r#"{{"id":"{ZALESIE}"}}"#),
        cookie,
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.contains("Barbara Kowalska") && !own.body.contains("Zielińska"));

    let program = call(
        &pool,
        "/api/program",
        &format!(r#"{{"id":"{PRB_ROUND_III}"}}"#),
        cookie,
    )
    .await;
    assert_eq!(program.status, StatusCode::OK);
    assert!(
        program.body.contains("w Zalesiu") && !program.body.contains("Rudce"),
        "{}",
        program.body
    );

    let people = call(&pool, "/api/people", r#"{"search":"","page":1}"#, cookie).await;
    assert_eq!(people.status, StatusCode::FORBIDDEN);
    rudka_partnership(&pool).await;
    let partnerships = call(&pool, "/api/partnerships", "{}", cookie).await;
    assert!(
        partnerships.body.contains("Partnerstwo dla Zalesia")
            && partnerships.body.contains(r#""editable":true"#)
            && !partnerships.body.contains(&RUDKA_PARTNERSHIP.to_string()),
        "{}",
        partnerships.body
    );

    let libraries = call(&pool, "/api/my-libraries", "{}", cookie).await;
    assert!(
        libraries.body.contains("w Zalesiu") && !libraries.body.contains("Rudce"),
        "{}",
        libraries.body
    );
    let glance = format!(r#"{{"library_id":"{RUDKA}"}}"#);
    let glance = call(&pool, "/api/library-glance", &glance, cookie).await;
    assert_eq!(glance.status, StatusCode::FORBIDDEN, "{}", glance.body);
    let meetings = format!(r#"{{"library_id":"{RUDKA}","page":1}}"#);
    let meetings = call(&pool, "/api/library-meetings", &meetings, cookie).await;
    assert_eq!(meetings.status, StatusCode::NOT_FOUND, "{}", meetings.body);
    let hours = format!(r#"{{"program_id":"{PRB_ROUND_III}"}}"#);
    let hours = call(&pool, "/api/program-hours", &hours, cookie).await;
    assert_eq!(hours.status, StatusCode::FORBIDDEN, "{}", hours.body);

    let users = scalar(&pool, "select count(*) from users").await;
    let memberships = scalar(&pool, "select count(*) from library_memberships").await;
    for library in [RUDKA, ZALESIE] {
        let invite = call(
            &pool,
            "/api/invite",
            &invite_body(library, "obca@gmina.pl"),
            cookie,
        )
        .await;
        assert_eq!(invite.status, StatusCode::FORBIDDEN, "{}", invite.body);
    }
    let librarian2 = ACCOUNTS[3].id;
    let off = format!(r#"{{"user_id":"{librarian2}","active":false}}"#);
    let deactivate = call(&pool, "/api/account-active", &off, cookie).await;
    assert_eq!(deactivate.status, StatusCode::FORBIDDEN);

    rudka_partnership(&pool).await;
    let push = call(
        &pool,
        "/api/sync",
        &sync_body(RUDKA_MEETING, RUDKA_PARTNERSHIP),
        cookie,
    )
    .await;
    assert_eq!(push.status, StatusCode::OK, "{}", push.body);
    assert!(
        push.body.contains(r#""status":"rejected""#) && push.body.contains(r#""code":"forbidden""#),
        "{}",
        push.body
    );
    assert_eq!(scalar(&pool, "select count(*) from records").await, 0);

    assert_eq!(scalar(&pool, "select count(*) from users").await, users);
    assert_eq!(
        scalar(&pool, "select count(*) from library_memberships").await,
        memberships
    );
    assert_eq!(
        scalar(&pool, "select count(*) from users where not is_active").await,
        0
    );
    assert_eq!(scalar(&pool, "select count(*) from audit_log").await, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_tutor_sees_only_the_assigned_libraries_and_manages_nothing(pool: PgPool) {
    let cookie = demo_sign_in(&pool, "tutor@demo.local").await;
    let cookie = Some(cookie.as_str());
    let list = call(&pool, "/api/libraries", r#"{"search":"","page":1}"#, cookie).await;
    assert!(
        list.body.contains("w Zalesiu") && list.body.contains("Rudce"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("Olszance"), "{}", list.body);

    let unassigned = call(
        &pool,
        "/api/library",
        &format!(r#"{{"id":"{OLSZANKA}"}}"#),
        cookie,
    )
    .await;
    assert_eq!(unassigned.status, StatusCode::FORBIDDEN);
    let program = call(
        &pool,
        "/api/program",
        &format!(r#"{{"id":"{PRB_ROUND_III}"}}"#),
        cookie,
    )
    .await;
    assert!(!program.body.contains("Olszance"), "{}", program.body);

    let people = call(&pool, "/api/people", r#"{"search":"","page":1}"#, cookie).await;
    assert_eq!(people.status, StatusCode::FORBIDDEN);
    // The tutor reads the partnership's meetings but edits none.
    let partnerships = call(&pool, "/api/partnerships", "{}", cookie).await;
    assert!(
        partnerships.body.contains("Partnerstwo dla Zalesia")
            && !partnerships.body.contains(r#""editable":true"#),
        "{}",
        partnerships.body
    );
    let invite = call(
        &pool,
        "/api/invite",
        &invite_body(RUDKA, "obca@gmina.pl"),
        cookie,
    )
    .await;
    assert_eq!(invite.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_invited_librarian_sets_a_password_and_sees_her_library(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let people = call(
        &pool,
        "/api/people",
        r#"{"search":"","page":1}"#,
        Some(&coordinator),
    )
    .await;
    assert_eq!(people.status, StatusCode::OK);
    assert!(people.body.contains("Ewa Zielińska"), "{}", people.body);

    let invited = call(
        &pool,
        "/api/invite",
        &invite_body(OLSZANKA, " Nowa@Gmina.PL "),
        Some(&coordinator),
    )
    .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let reply: serde_json::Value = serde_json::from_str(&invited.body).expect("json");
    let link = reply["link"].as_str().expect("a link for a new account");
    let token = link.strip_prefix("/zaproszenie/").expect("link path");

    let holder = call(
        &pool,
        "/api/password-link",
        &format!(r#"{{"token":"{token}"}}"#),
        None,
    )
    .await;
    assert_eq!(holder.status, StatusCode::OK);
    assert!(holder.body.contains("nowa@gmina.pl") && holder.body.contains("Nowa Osoba"));

    let weak = call(
        &pool,
        "/api/set-password",
        &format!(r#"{{"token":"{token}","password":"haslo123"}}"#),
        None,
    )
    .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        weak.body,
        r#"{"code":"validation","field":"password","problem":"too_short"}"#
    );

    let set = call(
        &pool,
        "/api/set-password",
        &format!(r#"{{"token":"{token}","password":"sosna przy czytelni"}}"#),
        None,
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert!(
        set.set_cookie
            .iter()
            .any(|c| c.starts_with("partnerstwa_session="))
    );

    // The link works once.
    let again = call(
        &pool,
        "/api/password-link",
        &format!(r#"{{"token":"{token}"}}"#),
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    let newcomer = sign_in(&pool, "nowa@gmina.pl", "sosna przy czytelni").await;
    let list = call(
        &pool,
        "/api/libraries",
        r#"{"search":"","page":1}"#,
        Some(&newcomer),
    )
    .await;
    assert!(
        list.body.contains("Olszance") && list.body.contains(r#""total":1"#),
        "{}",
        list.body
    );
    assert_eq!(
        scalar(&pool, "select count(*) from audit_log where action in ('account.invited', 'account.password_set')").await,
        2
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_tutor_is_invited_only_into_a_program_the_library_takes_part_in(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let without_program = format!(
        r#"{{"library_id":"{OLSZANKA}","email":"t@gmina.pl","full_name":"T","role":"tutor","program_id":null}}"#
    );
    let reply = call(&pool, "/api/invite", &without_program, Some(&coordinator)).await;
    assert_eq!(
        reply.body,
        r#"{"code":"validation","field":"program","problem":"required"}"#
    );

    let with_program = without_program.replace("null", &format!(r#""{PRB_ROUND_III}""#));
    let reply = call(&pool, "/api/invite", &with_program, Some(&coordinator)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        scalar(&pool, "select count(*) from tutor_assignments where library_id = '5a1e0000-0000-4000-8000-000000000005'").await,
        1
    );

    // Inviting an existing account adds the role and hands out no link.
    let existing = invite_body(OLSZANKA, "biblioteka2@demo.local");
    let reply = call(&pool, "/api/invite", &existing, Some(&coordinator)).await;
    assert!(reply.body.contains(r#""link":null"#), "{}", reply.body);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bad_invitations_get_422_and_change_nothing(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let users = scalar(&pool, "select count(*) from users").await;
    for (body, field) in [
        (invite_body(RUDKA, "nie-email"), "email"),
        (
            invite_body(RUDKA, "x@y.pl").replace("Nowa Osoba", "  "),
            "full_name",
        ),
    ] {
        let reply = call(&pool, "/api/invite", &body, Some(&coordinator)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!(r#""field":"{field}""#)),
            "{}",
            reply.body
        );
    }
    let malformed = call(
        &pool,
        "/api/invite",
        r#"{"library_id":"nope"}"#,
        Some(&coordinator),
    )
    .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.body, r#"{"code":"bad_request"}"#);
    assert_eq!(scalar(&pool, "select count(*) from users").await, users);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn changing_the_password_ends_the_other_sessions(pool: PgPool) {
    let laptop = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let tablet = sign_in(&pool, "biblioteka1@demo.local", demo::DEMO_PASSWORD).await;

    let wrong = call(
        &pool,
        "/api/change-password",
        r#"{"current":"not-it-at-all","new":"sosna przy czytelni"}"#,
        Some(&laptop),
    )
    .await;
    assert_eq!(
        wrong.body,
        r#"{"code":"validation","field":"current_password","problem":"wrong_password"}"#
    );

    let changed = call(
        &pool,
        "/api/change-password",
        r#"{"current":"demo-demo-demo","new":"sosna przy czytelni"}"#,
        Some(&laptop),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let on_laptop = call(
        &pool,
        "/api/libraries",
        r#"{"search":"","page":1}"#,
        Some(&laptop),
    )
    .await;
    assert_eq!(on_laptop.status, StatusCode::OK);
    let on_tablet = call(
        &pool,
        "/api/libraries",
        r#"{"search":"","page":1}"#,
        Some(&tablet),
    )
    .await;
    assert_eq!(on_tablet.status, StatusCode::UNAUTHORIZED);
    sign_in(&pool, "biblioteka1@demo.local", "sosna przy czytelni").await;
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_coordinator_cannot_deactivate_herself_or_an_unknown_account(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let herself = format!(r#"{{"user_id":"{}","active":false}}"#, ACCOUNTS[0].id);
    let reply = call(&pool, "/api/account-active", &herself, Some(&coordinator)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let unknown = format!(r#"{{"user_id":"{}","active":false}}"#, uuid::Uuid::new_v4());
    let reply = call(&pool, "/api/account-active", &unknown, Some(&coordinator)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn long_lists_come_in_pages_and_search_ignores_case(pool: PgPool) {
    use app::{accounts::access::Actor, directory::api::ssr::libraries};
    for n in 0..25 {
        sqlx::query(
            "insert into libraries (id, name, municipality, voivodeship) values ($1, $2, 'Gmina', 'łódzkie')",
        )
        .bind(uuid::Uuid::new_v4())
        .bind(format!("Biblioteka {n:02}"))
        .execute(&pool)
        .await
        .expect("insert");
    }
    let admin = Actor {
        is_admin: true,
        ..Actor::default()
    };
    let first = libraries(&pool, &admin, "", 1).await.expect("page 1");
    let second = libraries(&pool, &admin, "", 2).await.expect("page 2");
    assert_eq!(
        (
            first.items.len(),
            second.items.len(),
            first.total,
            first.pages()
        ),
        (20, 5, 25, 2)
    );
    assert_eq!(first.items[0].name, "Biblioteka 00");
    let found = libraries(&pool, &admin, "BIBLIOTEKA 1", 1)
        .await
        .expect("search");
    assert_eq!(found.total, 10);
    let literal = libraries(&pool, &admin, "%", 1).await.expect("wildcard");
    assert_eq!(literal.total, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn inviting_a_password_less_administrator_gives_no_link_and_keeps_hers(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    let admin = server::admin::create_admin(&pool, "admin@biblioteka.pl", "Anna Admin")
        .await
        .expect("admin");
    let admin_link = admin.link.expect("a first link");
    let token = admin_link.rsplit('/').next().expect("token").to_owned();

    let invited = call(
        &pool,
        "/api/invite",
        &invite_body(OLSZANKA, "admin@biblioteka.pl"),
        Some(&coordinator),
    )
    .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let reply: serde_json::Value = serde_json::from_str(&invited.body).expect("json");
    assert_eq!(reply["link"], serde_json::Value::Null, "{reply}");
    // The administrator's own link still works.
    let holder = call(
        &pool,
        "/api/password-link",
        &format!(r#"{{"token":"{token}"}}"#),
        None,
    )
    .await;
    assert_eq!(holder.status, StatusCode::OK, "{}", holder.body);
    assert_eq!(
        scalar(
            &pool,
            "select count(*) from password_links where used_at is null"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_password_less_account_of_another_program_only_gains_a_role(pool: PgPool) {
    let coordinator = demo_sign_in(&pool, "koordynator@demo.local").await;
    // Invited by the admin to a library outside the coordinator's programs.
    let outside = uuid::Uuid::new_v4();
    sqlx::query("insert into libraries (id, name, municipality, voivodeship) values ($1, 'Obca', 'Obce', 'opolskie')")
        .bind(outside)
        .execute(&pool)
        .await
        .expect("library");
    let admin = server::admin::create_admin(&pool, "admin@biblioteka.pl", "Anna Admin")
        .await
        .expect("admin");
    let admin = app::accounts::session::load_actor(&pool, admin.user_id)
        .await
        .expect("actor");
    let invitation = app::accounts::manage::Invitation::parse(
        outside,
        "obca@gmina.pl",
        "Olga Obca",
        app::accounts::model::Role::Librarian,
        None,
    )
    .expect("invitation");
    let first = app::accounts::manage::invite(&pool, &admin, invitation)
        .await
        .expect("invite");
    let first_link = first.link.expect("a link for a new account");

    let invited = call(
        &pool,
        "/api/invite",
        &invite_body(OLSZANKA, "obca@gmina.pl"),
        Some(&coordinator),
    )
    .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let reply: serde_json::Value = serde_json::from_str(&invited.body).expect("json");
    assert_eq!(reply["link"], serde_json::Value::Null, "{reply}");
    let token = first_link.rsplit('/').next().expect("token");
    let holder = call(
        &pool,
        "/api/password-link",
        &format!(r#"{{"token":"{token}"}}"#),
        None,
    )
    .await;
    assert_eq!(holder.status, StatusCode::OK, "{}", holder.body);
    assert_eq!(
        scalar(
            &pool,
            &format!(
                "select count(*) from library_memberships where user_id = '{}'",
                first.user_id
            )
        )
        .await,
        2
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_coordinator_reads_a_librarys_meetings_but_cannot_change_them(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let coordinator = sign_in(&pool, "koordynator@demo.local", demo::DEMO_PASSWORD).await;
    let meeting = uuid::Uuid::new_v4();
    let made = call(
        &pool,
        "/api/sync",
        &sync_body(meeting, demo::ZALESIE_PARTNERSHIP),
        Some(&librarian),
    )
    .await;
    assert!(made.body.contains(r#""status":"applied""#), "{}", made.body);

    let pulled = call(&pool, "/api/sync", &format!(r#"{{"device_id":"5a1e0000-0000-4000-8000-00000000c0de","cursor":0,"pull_limit":100,"mutations":[],"offline":["{}"]}}"#, demo::ZALESIE), Some(&coordinator)).await;
    assert!(
        pulled.body.contains(&meeting.to_string()),
        "{}",
        pulled.body
    );
    let changed = call(
        &pool,
        "/api/sync",
        &sync_body(meeting, demo::ZALESIE_PARTNERSHIP),
        Some(&coordinator),
    )
    .await;
    assert!(
        changed.body.contains(r#""status":"rejected""#),
        "{}",
        changed.body
    );
    assert_eq!(
        scalar(&pool, "select count(*) from records where entity = 'meeting' and data->>'title' = 'Obce spotkanie'").await,
        1
    );
    let partnerships = call(&pool, "/api/partnerships", "{}", Some(&coordinator)).await;
    assert!(
        !partnerships.body.contains(r#""editable":true"#),
        "{}",
        partnerships.body
    );
}
