//! The HTTP router: the Leptos app and its server functions, `/healthz`,
//! static files, compression, cache headers and request tracing.

use crate::{
    api_errors, health::healthz, request_guard, service_worker::service_worker, static_files,
};
use app::{App, shell};
use axum::handler::Handler;
use axum::{Router, extract::FromRef, middleware, routing::get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use sqlx::PgPool;
use std::sync::{Arc, atomic::AtomicBool};
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, services::ServeDir,
    trace::TraceLayer,
};

/// Largest request body accepted: a full sync batch with long minutes fits;
/// anything larger gets 413 before it is read.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// What every request can reach. Server functions get the pool through
/// Leptos context, never through a global.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// Set once the schema migrations have run; until then `/healthz` says 503.
    pub migrated: Arc<AtomicBool>,
    /// Where a client's address is read (see `CLIENT_ADDRESS_HEADER`).
    pub client_address_from: app::server_context::ClientAddressFrom,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let pool = state.pool.clone();
        let writer =
            app::sync::server::Writer::start(state.pool.clone(), app::entities::registry());
        let address_from = state.client_address_from.clone();
        move || {
            provide_context(pool.clone());
            provide_context(writer.clone());
            provide_context(address_from.clone());
            // A page's inline scripts carry this render's nonce; its policy says so.
            if let (Some(nonce), Some(response)) = (
                leptos::nonce::use_nonce(),
                use_context::<leptos_axum::ResponseOptions>(),
            ) && let Ok(policy) =
                http::HeaderValue::from_str(&request_guard::page_policy(&nonce.to_string()))
            {
                response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
            }
        }
    };
    let options = state.leptos_options.clone();
    // Built and public files are served here, not by Leptos's file handler:
    // that one runs the page context in a new owner that can find another
    // request's response options on the same thread (seen: a split chunk
    // served with a 404 page's status, which stops the app). What is not a
    // file gets the app's 404 page.
    let not_found = file_and_error_handler_with_context::<AppState, _>(context.clone(), shell)
        .with_state(state.clone());
    let files = ServeDir::new(state.leptos_options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .fallback(not_found);

    Router::new()
        .route("/sw.js", get(service_worker))
        .leptos_routes_with_context(&state, routes, context, move || shell(options.clone()))
        .fallback_service(files)
        .layer(middleware::from_fn(api_errors::status_from_error))
        .layer(middleware::from_fn(request_guard::same_origin_json))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // axum's own 2 MiB default would otherwise refuse bodies below ours.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(static_files::cache_control))
        .layer(middleware::from_fn(crate::service_worker::stamp_pages))
        .layer(middleware::from_fn(request_guard::security_headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        // After the layers, so outside them: a balancer polls it every few
        // seconds, and its 503 while the server starts is not an error to log.
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves. Each connection's
/// peer address reaches server functions: sign-ins are throttled per client,
/// and without it every client would share one counter.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
