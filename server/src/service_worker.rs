//! `GET /sw.js`: the service worker of `public/sw.js`, stamped with this
//! build. Each release is then a new worker, which installs beside the old
//! one and takes over only when the pages using the old one are gone.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use std::{
    hash::{DefaultHasher, Hash, Hasher},
    sync::OnceLock,
};

const TEMPLATE: &str = include_str!("../../public/sw.js");

/// The worker's text with the build stamp in place.
pub fn script(build: &str) -> String {
    TEMPLATE.replace("__BUILD__", build)
}

/// A digest of the file hashes cargo-leptos wrote next to the binary (they
/// change with every build of the browser code), or of this binary's
/// version when files are not hashed.
fn build_stamp() -> String {
    let hashes = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned());
    let mut hasher = DefaultHasher::new();
    hashes.hash(&mut hasher);
    TEMPLATE.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

pub async fn service_worker() -> Response {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    let body = SCRIPT.get_or_init(|| script(&build_stamp())).clone();
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_build_gets_its_own_caches() {
        let text = script("abc123");
        assert!(text.contains("const BUILD = 'abc123';"));
        assert!(!text.contains("__BUILD__"));
        assert_eq!(build_stamp(), build_stamp());
    }
}
