//! What the tests share: the real router and ways to call it, signing in,
//! mutations as a device sends them, a push, a number from the database.

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use leptos::prelude::LeptosOptions;
use serde_json::{Value, json};
use server::{AppState, demo, router};
use sqlx::PgPool;
use std::sync::{Arc, atomic::AtomicBool};
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub set_cookie: Vec<String>,
    pub cache_control: Option<String>,
    pub body: String,
}

pub fn app(pool: PgPool, migrated: bool) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("partnerstwa")
        .site_root("target/site")
        .build();
    router(AppState {
        leptos_options,
        pool,
        migrated: Arc::new(AtomicBool::new(migrated)),
        client_address_from: app::server_context::ClientAddressFrom::default(),
    })
}

pub fn unreachable_pool() -> PgPool {
    app::db::connect_lazy("postgres://nobody@127.0.0.1:9/none", 1).expect("lazy pool")
}

pub async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let set_cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    let cache_control = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        set_cookie,
        cache_control,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub async fn get(app: Router, uri: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).expect("request")).await
}

/// `POST` a JSON body, as the browser's sync engine and other clients do.
pub async fn post_json(app: Router, uri: &str, json: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(
        app,
        request.body(Body::from(json.to_owned())).expect("request"),
    )
    .await
}

/// `POST` a JSON body from a client at `address`, as the server sees
/// connections (the peer address of a real socket).
pub async fn post_json_from(app: Router, uri: &str, json: &str, address: &str) -> Reply {
    let peer: std::net::SocketAddr = format!("{address}:40000").parse().expect("address");
    let mut request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json.to_owned()))
        .expect("request");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    send(app, request).await
}

/// `POST` a JSON body with a kiosk token, as a kiosk tablet does.
pub async fn call_with_token(pool: &PgPool, path: &str, body: &str, token: &str) -> Reply {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    send(
        app(pool.clone(), true),
        request.body(Body::from(body.to_owned())).expect("request"),
    )
    .await
}

/// `POST`s JSON to the app over a fresh router on `pool`.
pub async fn call(pool: &PgPool, path: &str, body: &str, cookie: Option<&str>) -> Reply {
    post_json(app(pool.clone(), true), path, body, cookie).await
}

/// Signs in and returns the `name=value` of the session cookie.
pub async fn sign_in(pool: &PgPool, email: &str, password: &str) -> String {
    let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
    let reply = call(pool, "/api/login", &body, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply
        .set_cookie
        .iter()
        .find(|c| c.starts_with("partnerstwa_session="))
        .expect("a session cookie");
    cookie.split(';').next().expect("name=value").to_owned()
}

/// The actor behind an account, as a session would load it.
pub async fn actor_of(pool: &PgPool, email: &str) -> app::accounts::access::Actor {
    let user: uuid::Uuid = sqlx::query_scalar("select id from users where email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .expect("user");
    app::accounts::session::load_actor(pool, user)
        .await
        .expect("actor")
}

/// Seeds the demo data and signs in as one of its accounts.
pub async fn demo_sign_in(pool: &PgPool, email: &str) -> String {
    demo::seed(pool, false).await.expect("seed");
    sign_in(pool, email, demo::DEMO_PASSWORD).await
}

/// A partnership led by Rudka (library 2), for requests that reach into it.
pub const RUDKA_PARTNERSHIP: uuid::Uuid = uuid::uuid!("5a1e0000-0000-4000-8000-0000000003aa");

pub async fn rudka_partnership(pool: &PgPool) {
    sqlx::query(
        "insert into partnerships (id, name, lead_library_id, program_id)
         values ($1, 'Partnerstwo Rudki', $2, $3) on conflict do nothing",
    )
    .bind(RUDKA_PARTNERSHIP)
    .bind(demo::RUDKA)
    .bind(demo::PRB_ROUND_III)
    .execute(pool)
    .await
    .expect("partnership");
}

/// A new record's (or a blind) change, as a device sends it.
pub fn upsert(entity: &str, record: uuid::Uuid, data: Value) -> Value {
    edit(entity, record, Value::Null, data)
}

/// A change made by a device that saw the record at `base_rev`.
pub fn edit(entity: &str, record: uuid::Uuid, base_rev: Value, data: Value) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(), "seq": 1, "entity": entity, "record_id": record,
        "op": "upsert", "base_rev": base_rev, "data": data, "client_time": null,
    })
}

/// A sync request of a device that has seen everything up to `cursor`.
pub fn sync_body(device: uuid::Uuid, cursor: i64, mutations: &[Value]) -> String {
    json!({ "device_id": device, "cursor": cursor, "pull_limit": 500, "mutations": mutations })
        .to_string()
}

/// Pushes from a new device with a session; the results, one per mutation.
pub async fn push(pool: &PgPool, cookie: &str, mutations: &[Value]) -> Vec<Value> {
    let body = sync_body(uuid::Uuid::new_v4(), 0, mutations);
    let reply = call(pool, "/api/sync", &body, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer: Value = serde_json::from_str(&reply.body).expect("json");
    answer["results"].as_array().cloned().unwrap_or_default()
}

/// One number from the database.
pub async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await
        .expect("scalar")
}

/// The day in Poland `days` from today, `YYYY-MM-DD`.
pub fn day_in(days: i64) -> String {
    app::clock::poland_day(&app::clock::instant_in(days, 0)).expect("day")
}
