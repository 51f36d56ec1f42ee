//! The HTTP surface of the server, exercised through the real router.

mod common;

use axum::http::StatusCode;
use common::{app, get, unreachable_pool};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn healthz_is_ok_when_the_database_answers(pool: PgPool) {
    let common::Reply { status, body, .. } = get(app(pool, true), "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn healthz_is_503_without_a_database() {
    let common::Reply { status, body, .. } =
        get(app(unreachable_pool(), true), "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"status":"unavailable"}"#);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn healthz_is_503_until_the_migrations_have_run(pool: PgPool) {
    let common::Reply { status, .. } = get(app(pool, false), "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_home_page_is_polish_by_default() {
    let common::Reply { status, body, .. } = get(app(unreachable_pool(), true), "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="pl""#), "{body}");
    assert!(body.contains("Partnerstwa lokalne bibliotek"), "{body}");
}

#[tokio::test]
async fn the_language_cookie_chooses_english() {
    let common::Reply { status, body, .. } =
        get(app(unreachable_pool(), true), "/", Some("lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Library partnerships"), "{body}");
}

#[tokio::test]
async fn an_unknown_address_is_a_polish_404_page() {
    let common::Reply { status, body, .. } =
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
