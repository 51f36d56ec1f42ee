//! Signing in and out, sessions, throttling, and who sees which library.

use crate::common::{app, post_json, post_json_from};
use axum::http::StatusCode;
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
    // Ninety days: the longest a session lives; it ends sooner unused.
    assert!(cookie.contains("Max-Age=7776000"), "{cookie}");
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

fn login_body(email: &str, password: &str) -> String {
    serde_json::json!({ "email": email, "password": password }).to_string()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn strangers_failing_never_keep_a_librarian_out_with_her_right_password(pool: PgPool) {
    seeded(&pool).await;
    let login = |address: &'static str, body: String| {
        let pool = pool.clone();
        async move { post_json_from(app(pool, true), "/api/login", &body, address).await }
    };
    // She has signed in from the library's router before.
    assert_eq!(
        login("10.0.0.1", LIBRARIAN1.to_owned()).await.status,
        StatusCode::OK
    );
    // Strangers behind the same router spray made-up e-mails: twenty are
    // checked, then the address is locked for guesses.
    let mut statuses = Vec::new();
    for n in 0..25 {
        let made_up = login_body(&format!("nikt{n}@obcy.pl"), "zgadywanie-hasla");
        statuses.push(login("10.0.0.1", made_up).await.status);
    }
    assert!(
        statuses[..20]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[20..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // She still signs in there, and from anywhere else.
    for address in ["10.0.0.1", "10.0.0.2"] {
        let reply = login(address, LIBRARIAN1.to_owned()).await;
        assert_eq!(reply.status, StatusCode::OK, "{address}: {}", reply.body);
    }
    // Someone who never signed in from the locked address waits it out there.
    let rudka = r#"{"email":"biblioteka2@demo.local","password":"demo-demo-demo"}"#;
    assert_eq!(
        login("10.0.0.1", rudka.to_owned()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login("10.0.0.3", rudka.to_owned()).await.status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_burst_of_thirty_guesses_at_one_account_gets_five_checks(pool: PgPool) {
    seeded(&pool).await;
    let wrong = login_body("biblioteka1@demo.local", "zgadywanie-hasla");
    let burst = (0..30).map(|_| {
        let (pool, wrong) = (pool.clone(), wrong.clone());
        tokio::spawn(async move {
            let reply = post_json_from(app(pool, true), "/api/login", &wrong, "10.0.0.7").await;
            (reply.status, reply.body)
        })
    });
    let mut statuses = Vec::new();
    for answer in burst.collect::<Vec<_>>() {
        statuses.push(answer.await.expect("task"));
    }
    // Let through: checked (401) or, on a slow machine, still waiting for a
    // hashing turn when its wait ran out (busy). Locked: the other 25.
    let let_through = statuses
        .iter()
        .filter(|(s, body)| *s == StatusCode::UNAUTHORIZED || body.contains(r#""code":"busy""#))
        .count();
    assert_eq!(let_through, 5, "{statuses:?}");
    let locked = statuses
        .iter()
        .filter(|(_, body)| body.contains(r#""code":"too_many_attempts""#))
        .count();
    assert_eq!(locked, 25, "{statuses:?}");
    // The right password from the guessing address waits out the lock.
    let right = post_json_from(app(pool, true), "/api/login", LIBRARIAN1, "10.0.0.7").await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_burst_of_sign_ins_hashes_only_a_few_passwords_at_once(pool: PgPool) {
    seeded(&pool).await;
    let burst = (0..40).map(|n| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let made_up = login_body(&format!("ktos{n}@obcy.pl"), "zgadywanie-hasla");
            let address = format!("10.0.1.{n}");
            post_json_from(app(pool, true), "/api/login", &made_up, &address)
                .await
                .status
        })
    });
    for answer in burst.collect::<Vec<_>>() {
        let status = answer.await.expect("task");
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
    }
    let most = app::accounts::password::most_at_once();
    assert!(
        (1..=app::accounts::password::AT_ONCE).contains(&most),
        "{most} hashes ran at once"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_impossible_e_mail_gets_a_401_and_still_counts(pool: PgPool) {
    seeded(&pool).await;
    for email in [
        "a".repeat(3_000) + "@x.pl",
        "biblio\u{0}teka1@demo.local".to_owned(),
    ] {
        let reply = post_json_from(
            app(pool.clone(), true),
            "/api/login",
            &login_body(&email, "demo-demo-demo"),
            "10.0.0.9",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    }
    let counted: i32 =
        sqlx::query_scalar("select failures from login_failures where key = 'address:10.0.0.9'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(counted, 2);
}

/// Signs in over a real socket from `from` (any 127.x address is this machine).
async fn login_over_tcp(base: &str, from: [u8; 4], body: String) -> StatusCode {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .build()
        .expect("client");
    let reply = client
        .post(format!("{base}/api/login"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("reply");
    StatusCode::from_u16(reply.status().as_u16()).expect("status")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_served_app_counts_failures_per_client_address(pool: PgPool) {
    seeded(&pool).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server::router::serve(
        listener,
        app(pool.clone(), true),
        async {
            let _ = stopped.await;
        },
    ));
    for n in 0..25 {
        let made_up = login_body(&format!("nikt{n}@obcy.pl"), "zgadywanie-hasla");
        login_over_tcp(&base, [127, 0, 0, 2], made_up).await;
    }
    let stranger = login_over_tcp(
        &base,
        [127, 0, 0, 2],
        login_body("ktos@obcy.pl", "x-x-x-x-x-x"),
    )
    .await;
    assert_eq!(stranger, StatusCode::TOO_MANY_REQUESTS);
    // Another client is not the one that failed.
    let librarian = login_over_tcp(&base, [127, 0, 0, 3], LIBRARIAN1.to_owned()).await;
    assert_eq!(librarian, StatusCode::OK);
    let _ = stop.send(());
    served.await.expect("task").expect("served");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn signing_out_everywhere_ends_every_session_of_the_person_only(pool: PgPool) {
    seeded(&pool).await;
    let sign_in = |body: &'static str| {
        let pool = pool.clone();
        async move {
            session_cookie(
                &post_json(app(pool, true), "/api/login", body, None)
                    .await
                    .set_cookie,
            )
        }
    };
    let (tablet, laptop) = (sign_in(LIBRARIAN1).await, sign_in(LIBRARIAN1).await);
    let other = sign_in(r#"{"email":"biblioteka2@demo.local","password":"demo-demo-demo"}"#).await;
    let me = |cookie: String| {
        let pool = pool.clone();
        async move {
            post_json(app(pool, true), "/api/me", "{}", Some(&cookie))
                .await
                .body
        }
    };
    let done = post_json(
        app(pool.clone(), true),
        "/api/logout-everywhere",
        "{}",
        Some(&laptop),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.set_cookie.iter().any(|c| c.contains("Max-Age=0")),
        "{:?}",
        done.set_cookie
    );
    assert_eq!(me(tablet).await, "null");
    assert_eq!(me(laptop).await, "null");
    assert!(me(other).await.contains("Ewa Zielińska"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_session_used_every_day_still_ends_ninety_days_after_sign_in(pool: PgPool) {
    seeded(&pool).await;
    let cookie = session_cookie(
        &post_json(app(pool.clone(), true), "/api/login", LIBRARIAN1, None)
            .await
            .set_cookie,
    );
    // Signed in 89 days ago and used a minute ago: still on.
    sqlx::query("update sessions set created_at = now() - interval '89 days', last_seen_at = now() - interval '2 minutes'")
        .execute(&pool)
        .await
        .expect("age");
    let me = post_json(app(pool.clone(), true), "/api/me", "{}", Some(&cookie)).await;
    assert!(me.body.contains("Barbara Kowalska"), "{}", me.body);
    // The slide never passes the ninetieth day.
    let left: f64 = sqlx::query_scalar(
        "select extract(epoch from expires_at - created_at)::float8 / 86400 from sessions",
    )
    .fetch_one(&pool)
    .await
    .expect("expiry");
    assert!(left <= 90.0, "{left}");
    sqlx::query("update sessions set created_at = now() - interval '91 days'")
        .execute(&pool)
        .await
        .expect("age");
    let me = post_json(app(pool, true), "/api/me", "{}", Some(&cookie)).await;
    assert_eq!(me.body, "null");
}
