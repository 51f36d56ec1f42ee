//! Signing in and out, sessions, throttling, and who sees which library.

mod common;

use axum::http::StatusCode;
use common::{app, post_json};
use server::demo::{self, ACCOUNTS, RUDKA, ZALESIE, ZALESIE_BOROWO, ZALESIE_LIPNICA};
use sqlx::PgPool;

const LIBRARIAN1: &str = r#"{"email":"biblioteka1@demo.local","password":"demo-demo-demo"}"#;

async fn seeded(pool: &PgPool) {
    demo::seed(pool, false).await.expect("seed");
}

fn session_cookie(set_cookie: &[String]) -> String {
    let cookie = set_cookie
        .iter()
        .find(|c| c.starts_with("partnerstwa_session="))
        .expect("a session cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_demo_librarian_signs_in_with_an_http_only_lax_cookie(pool: PgPool) {
    seeded(&pool).await;
    let reply = post_json(app(pool, true), "/api/login", LIBRARIAN1, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Barbara Kowalska"), "{}", reply.body);
    let cookie = &reply.set_cookie[0];
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(cookie.contains("Max-Age=2592000"), "{cookie}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401(pool: PgPool) {
    seeded(&pool).await;
    let wrong = post_json(
        app(pool.clone(), true),
        "/api/login",
        r#"{"email":"biblioteka1@demo.local","password":"nope-nope-nope"}"#,
        None,
    )
    .await;
    let unknown = post_json(
        app(pool, true),
        "/api/login",
        r#"{"email":"nikt@demo.local","password":"nope-nope-nope"}"#,
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.set_cookie.is_empty());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_session_cookie_identifies_the_person_until_logout(pool: PgPool) {
    seeded(&pool).await;
    let login = post_json(app(pool.clone(), true), "/api/login", LIBRARIAN1, None).await;
    let cookie = session_cookie(&login.set_cookie);

    let me = post_json(app(pool.clone(), true), "/api/me", "{}", Some(&cookie)).await;
    assert!(me.body.contains("biblioteka1@demo.local"), "{}", me.body);

    let logout = post_json(app(pool.clone(), true), "/api/logout", "{}", Some(&cookie)).await;
    assert_eq!(logout.status, StatusCode::OK);
    assert!(logout.set_cookie[0].contains("Max-Age=0"));

    let after = post_json(app(pool, true), "/api/me", "{}", Some(&cookie)).await;
    assert_eq!(after.body, "null");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_deactivated_persons_session_stops_working_at_once(pool: PgPool) {
    seeded(&pool).await;
    let login = post_json(app(pool.clone(), true), "/api/login", LIBRARIAN1, None).await;
    let cookie = session_cookie(&login.set_cookie);
    sqlx::query("update users set is_active = false where email = 'biblioteka1@demo.local'")
        .execute(&pool)
        .await
        .expect("deactivate");
    let me = post_json(app(pool, true), "/api/me", "{}", Some(&cookie)).await;
    assert_eq!(me.body, "null");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn ten_wrong_passwords_in_a_row_are_refused(pool: PgPool) {
    seeded(&pool).await;
    let wrong = r#"{"email":"biblioteka1@demo.local","password":"guess-guess"}"#;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(
            post_json(app(pool.clone(), true), "/api/login", wrong, None)
                .await
                .status,
        );
    }
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );

    // Even the right password waits until the lock expires.
    let right = post_json(app(pool, true), "/api/login", LIBRARIAN1, None).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(right.body.contains("retry_after_secs"), "{}", right.body);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn each_demo_account_sees_the_libraries_of_its_role(pool: PgPool) {
    use app::accounts::access::{Action, Target};
    use app::accounts::session::load_actor;
    seeded(&pool).await;
    let [coordinator, tutor, librarian1, librarian2] = ACCOUNTS.map(|a| a.id);

    let one = load_actor(&pool, librarian1).await.expect("actor");
    for library in [ZALESIE, ZALESIE_BOROWO, ZALESIE_LIPNICA] {
        assert!(one.may(Action::Edit, Target::Library(library)));
    }
    assert!(!one.may(Action::View, Target::Library(RUDKA)));

    let two = load_actor(&pool, librarian2).await.expect("actor");
    assert!(two.may(Action::Edit, Target::Library(RUDKA)));
    assert!(!two.may(Action::View, Target::Library(ZALESIE)));

    let tutor = load_actor(&pool, tutor).await.expect("actor");
    assert!(tutor.may(Action::LogHours, Target::Library(ZALESIE)));
    assert!(tutor.may(Action::LogHours, Target::Library(RUDKA)));
    assert!(!tutor.may(Action::Edit, Target::Library(RUDKA)));

    let coordinator = load_actor(&pool, coordinator).await.expect("actor");
    assert!(coordinator.may(Action::Manage, Target::Library(ZALESIE_BOROWO)));
    assert!(coordinator.may(Action::Manage, Target::Library(RUDKA)));
}
