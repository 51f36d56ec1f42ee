//! Gives every failed server-function response the HTTP status of its error.
//!
//! Errors raised by our code already set it (`app::errors::respond`), but
//! server_fn answers 500 for requests it cannot even decode, before our code
//! runs. This reads the (small, JSON) error body back and fixes the status,
//! so malformed input gets a 4xx and a clear code.

use app::errors::AppError;
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    middleware::Next,
    response::Response,
};
use http::StatusCode;

/// The header server_fn puts on error responses.
const SERVER_FN_ERROR: &str = "serverfnerror";
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn status_from_error(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
