//! The HTTP surface of the server, exercised through the real router.

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use leptos::prelude::LeptosOptions;
use server::{AppState, router};
use sqlx::PgPool;
use std::sync::{Arc, atomic::AtomicBool};
use tower::ServiceExt;

fn app(pool: PgPool, migrated: bool) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("partnerstwa")
        .site_root("target/site")
        .build();
    router(AppState {
        leptos_options,
        pool,
        migrated: Arc::new(AtomicBool::new(migrated)),
    })
}

async fn get(app: Router, uri: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let body = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn unreachable_pool() -> PgPool {
    app::db::connect_lazy("postgres://nobody@127.0.0.1:9/none", 1).expect("lazy pool")
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn healthz_is_ok_when_the_database_answers(pool: PgPool) {
    let (status, body) = get(app(pool, true), "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn healthz_is_503_without_a_database() {
    let (status, body) = get(app(unreachable_pool(), true), "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"status":"unavailable"}"#);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn healthz_is_503_until_the_migrations_have_run(pool: PgPool) {
    let (status, _) = get(app(pool, false), "/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_home_page_is_polish_by_default() {
    let (status, body) = get(app(unreachable_pool(), true), "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="pl""#), "{body}");
    assert!(body.contains("Partnerstwa lokalne bibliotek"), "{body}");
}

#[tokio::test]
async fn the_language_cookie_chooses_english() {
    let (status, body) = get(app(unreachable_pool(), true), "/", Some("lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"<html lang="en""#), "{body}");
    assert!(body.contains("Library partnerships"), "{body}");
}

#[tokio::test]
async fn an_unknown_address_is_a_polish_404_page() {
    let (status, body) = get(app(unreachable_pool(), true), "/nie-ma/takiej", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Nie ma takiej strony"), "{body}");
}
