//! The HTTP surface of the server, exercised through the real router.

use crate::common::{app, get, unreachable_pool};
use axum::http::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn healthz_is_ok_when_the_database_answers(pool: PgPool) {
    let crate::common::Reply { status, body, .. } = get(app(pool, true), "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn healthz_is_503_without_a_database() {
    let crate::common::Reply { status, body, .. } =
        get(app(unreachable_pool(), true), "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"status":"unavailable"}"#);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn healthz_is_503_until_the_migrations_have_run(pool: PgPool) {
    let crate::common::Reply { status, .. } = get(app(pool, false), "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_home_page_is_polish_by_default() {
    let crate::common::Reply { status, body, .. } =
        get(app(unreachable_pool(), true), "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="pl""#), "{body}");
    assert!(body.contains("Partnerstwa lokalne bibliotek"), "{body}");
}

#[tokio::test]
async fn the_language_cookie_chooses_english() {
    let crate::common::Reply { status, body, .. } =
        get(app(unreachable_pool(), true), "/", Some("lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Library partnerships"), "{body}");
}

#[tokio::test]
async fn pages_never_set_the_language_cookie() {
    // Only the browser writes the choice: a page rendered (or cached by the
    // service worker) in one language must not overwrite a switch made meanwhile.
    for cookie in [None, Some("lang=en"), Some("session=x; lang=pl")] {
        let reply = get(app(unreachable_pool(), true), "/spotkania/_", cookie).await;
        assert!(
            reply.set_cookie.iter().all(|c| !c.starts_with("lang=")),
            "{:?}",
            reply.set_cookie
        );
    }
    let reply = get(app(unreachable_pool(), true), "/", Some("other=1; lang=en")).await;
    assert!(reply.body.contains(r#"<html lang="en""#), "{}", reply.body);
}

#[tokio::test]
async fn an_unknown_address_is_a_polish_404_page() {
    let crate::common::Reply { status, body, .. } =
        get(app(unreachable_pool(), true), "/nie-ma/takiej", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Nie ma takiej strony"), "{body}");
}

#[tokio::test]
async fn pages_are_never_stored_in_a_cache() {
    let reply = get(app(unreachable_pool(), true), "/", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.cache_control.as_deref(), Some("private, no-store"));
}

#[tokio::test]
async fn the_service_worker_is_stamped_with_the_build_and_always_revalidated() {
    let reply = get(app(unreachable_pool(), true), "/sw.js", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.cache_control.as_deref(), Some("no-cache"));
    assert!(!reply.body.contains("__BUILD__"), "{}", reply.body);
    assert!(reply.body.contains("partnerstwa-shell-"), "{}", reply.body);
}

#[tokio::test]
async fn any_meeting_address_renders_the_same_placeholder_the_worker_caches() {
    // The worker serves `/spotkania/_` (and the list's and kiosk's
    // templates) for every meeting offline: the server's page must not
    // depend on the meeting, or hydration would not match.
    for (template, real, text) in [
        (
            "/spotkania/_",
            "/spotkania/5a1e0000-0000-4000-8000-000000000999",
            "Wczytywanie z urządzenia",
        ),
        (
            "/spotkania/_/obecnosc",
            "/spotkania/5a1e0000-0000-4000-8000-000000000999/obecnosc",
            "Wczytywanie z urządzenia",
        ),
        (
            "/kiosk/_",
            "/kiosk/5a1e0000-0000-4000-8000-000000000999",
            "Otwieranie kiosku",
        ),
    ] {
        let one = get(app(unreachable_pool(), true), template, None).await;
        let other = get(app(unreachable_pool(), true), real, None).await;
        assert_eq!(one.status, StatusCode::OK, "{template}");
        assert_eq!(
            without_nonce(&one.body),
            without_nonce(&other.body),
            "{real}"
        );
        assert!(one.body.contains(text), "{}", one.body);
    }
}

#[tokio::test]
async fn a_kiosk_page_has_no_header_navigation_or_footer() {
    let kiosk = get(app(unreachable_pool(), true), "/kiosk/_", None).await;
    assert!(
        !kiosk.body.contains("site-header") && !kiosk.body.contains("site-footer"),
        "{}",
        kiosk.body
    );
}

/// The page with its per-request script nonce blanked out.
fn without_nonce(body: &str) -> String {
    let nonce = body
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    if nonce.is_empty() {
        body.to_owned()
    } else {
        body.replace(nonce, "NONCE")
    }
}

fn header(reply: &crate::common::Reply, name: &str) -> String {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn pages_cannot_be_framed_or_sniffed_and_run_only_their_own_scripts() {
    let page = get(app(unreachable_pool(), true), "/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    let policy = header(&page, "content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a script nonce in the policy");
    // Every script of the page carries this render's nonce (an empty one,
    // leptos_i18n's placeholder, runs nothing and is not checked).
    let scripts =
        page.body.matches("<script").count() - page.body.matches("<script></script>").count();
    assert!(scripts >= 2, "{}", page.body);
    assert_eq!(
        page.body
            .matches(&format!("<script nonce=\"{nonce}\""))
            .count()
            + page
                .body
                .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count(),
        scripts,
        "{}",
        page.body
    );
    // A second render gets its own.
    let again = get(app(unreachable_pool(), true), "/", None).await;
    assert_ne!(header(&again, "content-security-policy"), policy);

    let api = crate::common::post_json(app(unreachable_pool(), true), "/api/me", "{}", None).await;
    assert!(header(&api, "content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header(&api, "x-content-type-options"), "nosniff");
}

async fn post_with(
    pool: &PgPool,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> crate::common::Reply {
    let mut request = axum::http::Request::post(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(axum::body::Body::from(body.to_owned()))
        .expect("request");
    crate::common::send(app(pool.clone(), true), request).await
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_form_on_another_site_cannot_sign_a_browser_in(pool: PgPool) {
    server::demo::seed(&pool, false).await.expect("seed");
    let body = r#"{"email":"biblioteka1@demo.local","password":"demo-demo-demo"}"#;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let reply = post_with(&pool, "/api/login", body, &[("content-type", content_type)]).await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        assert!(reply.set_cookie.is_empty(), "{content_type}");
        assert_eq!(reply.body, r#"{"code":"not_json"}"#);
    }
    let ours = post_with(
        &pool,
        "/api/login",
        body,
        &[
            ("content-type", "application/json"),
            ("host", "biblioteka.example"),
            ("origin", "https://biblioteka.example"),
            ("sec-fetch-site", "same-origin"),
        ],
    )
    .await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.body);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_page_on_another_origin_cannot_write_with_the_victims_cookie(pool: PgPool) {
    let cookie = crate::common::demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let partner = serde_json::json!({
        "device_id": uuid::Uuid::new_v4(), "cursor": 0, "pull_limit": 1,
        "mutations": [{
            "id": uuid::Uuid::new_v4(), "seq": 1, "entity": "partner", "record_id": uuid::Uuid::new_v4(),
            "op": "upsert", "base_rev": null, "client_time": null,
            "data": { "library_id": server::demo::ZALESIE, "name": "Podstawiony partner", "sector": "ngo" },
        }],
    })
    .to_string();
    let json = ("content-type", "application/json");
    let host = ("host", "127.0.0.1:3000");
    for attack in [
        [
            json,
            host,
            ("origin", "http://127.0.0.1:8080"),
            ("cookie", cookie.as_str()),
        ],
        [
            json,
            host,
            ("sec-fetch-site", "same-site"),
            ("cookie", cookie.as_str()),
        ],
        [json, host, ("origin", "null"), ("cookie", cookie.as_str())],
    ] {
        let reply = post_with(&pool, "/api/sync", &partner, &attack).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{attack:?}");
    }
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from records where data->>'name' = 'Podstawiony partner'",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(stored, 0);
    let own = post_with(
        &pool,
        "/api/sync",
        &partner,
        &[
            json,
            host,
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
            ("cookie", cookie.as_str()),
        ],
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
}
