//! The Partnerstwa server: configuration, the HTTP router, and the
//! command-line tasks (`serve`, `migrate`, `seed-demo`, `create-admin`).

pub mod admin;
pub mod api_errors;
pub mod config;
pub mod demo;
pub mod health;
pub mod request_guard;
pub mod router;
pub mod service_worker;
pub mod static_files;
pub mod telemetry;

pub use router::{AppState, router};
