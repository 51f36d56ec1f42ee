//! `GET /healthz`: 200 when the database answers and the schema is current, 503 otherwise.

use crate::AppState;
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;
use std::{sync::atomic::Ordering, time::Duration};

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let migrated = state.migrated.load(Ordering::Acquire);
    if migrated && app::db::answers(&state.pool, Duration::from_secs(2)).await {
        (StatusCode::OK, Json(json!({ "status": "ok" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable" })),
        )
    }
}
