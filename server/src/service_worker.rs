//! `GET /sw.js`: the service worker of `public/sw.js`, stamped with this
//! build and told its split files. Each release is then a new worker, which
//! installs beside the old one and takes over only when the pages using the
//! old one are gone.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::config::LeptosOptions;
use std::{
    collections::{BTreeMap, BTreeSet},
    hash::{DefaultHasher, Hash, Hasher},
    path::Path,
    sync::OnceLock,
};

const TEMPLATE: &str = include_str!("../../public/sw.js");

/// The worker's text with the build stamp and the split files in place.
pub fn script(build: &str, split_files: &[String]) -> String {
    let files = serde_json::to_string(split_files).unwrap_or_else(|_| "[]".to_owned());
    TEMPLATE
        .replace("__BUILD__", build)
        .replace("'__SPLIT_FILES__'", &files)
}

/// The file hashes cargo-leptos wrote next to the binary (they change with
/// every build of the browser code); none when files are not hashed.
fn build_hashes() -> Option<String> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .and_then(|path| std::fs::read_to_string(path).ok())
}

/// A digest of the build's file hashes, or of this binary's version when
/// files are not hashed.
fn build_stamp(hashes: Option<&str>) -> String {
    let mut hasher = DefaultHasher::new();
    hashes
        .unwrap_or(env!("CARGO_PKG_VERSION"))
        .hash(&mut hasher);
    TEMPLATE.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The hash `hash.txt` gives a kind of file (`split: <hash>`), or none.
fn hash_of<'a>(hashes: Option<&'a str>, kind: &str) -> Option<&'a str> {
    hashes?.lines().find_map(|line| {
        let (name, hash) = line.split_once(':')?;
        (name.trim() == kind).then(|| hash.trim())
    })
}

/// `name.<hash>.ext`, or `name.ext` for a build without hashed names.
fn hashed(name: &str, hash: Option<&str>, ext: &str) -> String {
    match hash {
        Some(hash) => format!("{name}.{hash}.{ext}"),
        None => format!("{name}.{ext}"),
    }
}

/// Every file of the build's split (the loader and each route's chunks),
/// from the manifest cargo-leptos writes beside them. The worker caches
/// them all, so a route never opened online still opens offline: a chunk
/// that cannot be fetched stops the app.
fn split_files(options: &LeptosOptions, hashes: Option<&str>) -> Vec<String> {
    let pkg = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let manifest = pkg.join(hashed(
        "__wasm_split_manifest",
        hash_of(hashes, "manifest"),
        "json",
    ));
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Vec::new();
    };
    let modules = match serde_json::from_str::<BTreeMap<String, Vec<String>>>(&text) {
        Ok(split) => split.into_values().flatten().collect::<BTreeSet<_>>(),
        Err(error) => {
            tracing::error!(%error, path = %manifest.display(), "the split manifest does not parse");
            return Vec::new();
        }
    };
    let url = |file: String| format!("/{}/{file}", options.site_pkg_dir);
    std::iter::once(url(hashed("__wasm_split", hash_of(hashes, "split"), "js")))
        .chain(
            modules
                .into_iter()
                .map(|module| url(format!("{module}.wasm"))),
        )
        .collect()
}

/// This build's stamp, computed once.
fn stamp() -> &'static str {
    static STAMP: OnceLock<String> = OnceLock::new();
    STAMP.get_or_init(|| build_stamp(build_hashes().as_deref()))
}

/// The header that tells the service worker which build a page is of.
pub const BUILD_HEADER: &str = "x-partnerstwa-build";

/// Stamps every page with its build: a worker of an older build, still in
/// control while a new version is deployed, must not hand that page the
/// files of its own build (split chunks of one build do not fit the main
/// module of another).
pub async fn stamp_pages(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if page && let Ok(value) = HeaderValue::from_str(stamp()) {
        response.headers_mut().insert(BUILD_HEADER, value);
    }
    response
}

pub async fn service_worker(State(options): State<LeptosOptions>) -> Response {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    let body = SCRIPT
        .get_or_init(|| {
            let hashes = build_hashes();
            script(stamp(), &split_files(&options, hashes.as_deref()))
        })
        .clone();
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
        let text = script("abc123", &[]);
        assert!(text.contains("const BUILD = 'abc123';"));
        assert!(!text.contains("__BUILD__"));
        assert_eq!(build_stamp(Some("js: a")), build_stamp(Some("js: a")));
        assert_ne!(build_stamp(Some("js: a")), build_stamp(Some("js: b")));
    }

    #[test]
    fn the_worker_is_told_every_split_file_of_the_build() {
        let site = std::env::temp_dir().join(format!("sw-split-{}", std::process::id()));
        let pkg = site.join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(
            pkg.join("__wasm_split_manifest.M1.json"),
            r#"{"kiosk_1":["chunk_0.C0","split_kiosk_1.K1"],"plan_2":["chunk_0.C0","split_plan_2.P2"]}"#,
        )
        .unwrap();
        let options = LeptosOptions::builder()
            .output_name("partnerstwa")
            .site_root(site.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .build();
        let hashes = "js: J\nwasm: W\ncss: S\nmanifest: M1\nsplit: L1\n";
        let files = split_files(&options, Some(hashes));
        assert_eq!(
            files,
            [
                "/pkg/__wasm_split.L1.js",
                "/pkg/chunk_0.C0.wasm",
                "/pkg/split_kiosk_1.K1.wasm",
                "/pkg/split_plan_2.P2.wasm",
            ]
        );
        let text = script("b", &files);
        assert!(text.contains(r#"const SPLIT_FILES = ["/pkg/__wasm_split.L1.js","#));
        // A build without a split (or its manifest) gives an empty list.
        assert!(split_files(&options, Some("js: J\n")).is_empty());
        std::fs::remove_dir_all(&site).unwrap();
    }
}
