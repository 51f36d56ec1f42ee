//! What a server function can learn about its request (server only): the
//! pool, the session, the client's address. No globals: all of it comes
//! through Leptos context, set up by the server's router.

use crate::{
    accounts::session,
    errors::{AppError, respond},
};
use axum::extract::ConnectInfo;
use http::{header, request::Parts};
use leptos::prelude::use_context;
use sqlx::PgPool;
use std::net::SocketAddr;

pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| crate::errors::internal("context", "no database pool"))
}

/// The writer that commits pushes in groups (`sync::server::Writer`).
pub fn sync_writer() -> Result<crate::sync::server::Writer, AppError> {
    use_context::<crate::sync::server::Writer>()
        .ok_or_else(|| crate::errors::internal("context", "no sync writer"))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The request's `Cookie` header(s), joined as one.
pub fn cookie_header() -> Option<String> {
    let parts = parts()?;
    let values: Vec<&str> = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join("; "))
}

/// The session token from the request's cookie, if any.
pub fn session_token() -> Option<String> {
    session::token_from_cookie_header(&cookie_header()?).map(str::to_owned)
}

/// The token of an `Authorization: Bearer …` header (a kiosk token).
pub fn bearer_token() -> Option<String> {
    let parts = parts()?;
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// The address people reach this server at (`https://host`), for links
/// shown to them (a kiosk QR code). Empty when the request names no host.
pub fn origin() -> String {
    let host = parts().and_then(|parts| {
        parts
            .headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .map(str::to_owned)
    });
    match host {
        Some(host) if is_https() => format!("https://{host}"),
        Some(host) => format!("http://{host}"),
        None => String::new(),
    }
}

/// Whether the client reached us over HTTPS (directly or through a proxy).
pub fn is_https() -> bool {
    parts().is_some_and(|parts| {
        parts.uri.scheme_str() == Some("https")
            || parts
                .headers
                .get("x-forwarded-proto")
                .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
    })
}

/// Where the client's address comes from: the connection's peer, or behind a
/// reverse proxy the last entry of a header that proxy sets
/// (`CLIENT_ADDRESS_HEADER`, e.g. `X-Forwarded-For`). Never trusted otherwise,
/// since anyone can send any header.
#[derive(Debug, Clone, Default)]
pub struct ClientAddressFrom(pub Option<http::HeaderName>);

/// The client's IP address, for throttling failed logins.
pub fn client_address() -> String {
    let Some(parts) = parts() else {
        return "unknown".to_owned();
    };
    let proxied = use_context::<ClientAddressFrom>()
        .and_then(|from| from.0)
        .and_then(|name| {
            let last = parts.headers.get_all(name).iter().next_back()?;
            let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
            entry.parse::<std::net::IpAddr>().ok()
        });
    proxied
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// Adds a `Set-Cookie` header to the current response.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// The frame of a server function that acts for the signed-in person: who
/// they are (or `Unauthorized`), the pool, then `work`; an error sets the
/// answer's HTTP status.
pub async fn as_actor<T, Fut>(
    work: impl FnOnce(crate::accounts::access::Actor, PgPool) -> Fut,
) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(
        async {
            // Read before the first wait: context is the request's only
            // while the function runs in its render.
            let pool = pool()?;
            let actor = actor_of(&pool).await?;
            work(actor, pool).await
        }
        .await,
    )
}

/// The frame of a server function anyone may call (signing in, a link, a
/// kiosk token): the pool, then `work`; an error sets the HTTP status.
pub async fn with_pool<T, Fut>(work: impl FnOnce(PgPool) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    respond(async { work(pool()?).await }.await)
}

/// The signed-in person and what they may do, or `Unauthorized`. Every
/// server function that reads or writes data starts here.
pub async fn actor() -> Result<crate::accounts::access::Actor, AppError> {
    actor_of(&pool()?).await
}

async fn actor_of(pool: &PgPool) -> Result<crate::accounts::access::Actor, AppError> {
    let token = session_token().ok_or(AppError::Unauthorized)?;
    let user_id = session::resolve(pool, &token)
        .await?
        .ok_or(AppError::Unauthorized)?;
    session::load_actor(pool, user_id).await
}
