//! Cache headers for static files.
//!
//! cargo-leptos puts a content hash in the names of the JS, wasm and CSS it
//! builds (`/pkg/partnerstwa.3f9a…e1.wasm`), so those can be cached for a year:
//! a new build has new names. The main JS glue is the exception: its name is
//! hashed before the split loader's name is written into it, so two builds
//! can give the same name to glue importing different loaders (which load
//! different chunks); it is revalidated, like every other file. Pages and API
//! answers are never stored: they may hold a signed-in person's data, which
//! must not come back from a cache (or the back button) after logout.

use axum::{
    extract::Request,
    http::{HeaderValue, header::CACHE_CONTROL},
    middleware::Next,
    response::Response,
};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";
const NO_STORE: &str = "private, no-store";

pub async fn cache_control(request: Request, next: Next) -> Response {
    let policy = policy_for(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() && !response.headers().contains_key(CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// The `Cache-Control` value for a path.
fn policy_for(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or_default();
    if !file.contains('.') || path.starts_with("/api/") {
        NO_STORE
    } else if path.starts_with("/pkg/") && has_content_hash(file) && !is_main_glue(file) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// `partnerstwa.<hash>.js`, the module that imports the split loader.
fn is_main_glue(file: &str) -> bool {
    file.starts_with("partnerstwa.") && file.ends_with(".js")
}

/// `name.<hash>.ext`, where cargo-leptos writes the hash as 22 characters of
/// URL-safe base64 (128 bits).
fn has_content_hash(file: &str) -> bool {
    let mut parts = file.split('.').collect::<Vec<_>>();
    parts.pop();
    parts.iter().skip(1).any(|part| {
        part.len() >= 16
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_build_output_is_cached_for_a_year() {
        assert_eq!(
            policy_for("/pkg/partnerstwa.5V98z4DPlh1VYSJuRf8YkA.wasm"),
            IMMUTABLE
        );
        assert_eq!(
            policy_for("/pkg/partnerstwa_bg.wasm.d.iaux_zFsBdfKHm_5TQcruA.ts"),
            IMMUTABLE
        );
    }

    #[test]
    fn split_chunks_and_their_loader_are_cached_for_a_year() {
        for chunk in [
            "/pkg/chunk_12.Hbq9yIrJrR1qFvz8bH0Aag.wasm",
            "/pkg/split___kiosk_view_383759748479229830.QL-SfzgJ5qqYB90csr5dlQ.wasm",
            "/pkg/__wasm_split.FiPPEvGl8iy1jxqBmFo4-A.js",
        ] {
            assert_eq!(policy_for(chunk), IMMUTABLE, "{chunk}");
        }
    }

    #[test]
    fn the_main_glue_is_revalidated_though_its_name_is_hashed() {
        assert_eq!(
            policy_for("/pkg/partnerstwa.-tru3TWGxdfhIfTqAjdX4A.js"),
            REVALIDATE
        );
    }

    #[test]
    fn unhashed_files_are_revalidated() {
        assert_eq!(policy_for("/pkg/partnerstwa.wasm"), REVALIDATE);
        assert_eq!(policy_for("/pkg/partnerstwa_bg.wasm.d.ts"), REVALIDATE);
        assert_eq!(policy_for("/pkg/partnerstwa_bg.wasm.d.ts"), REVALIDATE);
        assert_eq!(policy_for("/manifest.webmanifest"), REVALIDATE);
        assert_eq!(policy_for("/icons/icon-192.png"), REVALIDATE);
    }

    #[test]
    fn pages_and_api_answers_are_never_stored() {
        assert_eq!(policy_for("/"), NO_STORE);
        assert_eq!(policy_for("/spotkania/123"), NO_STORE);
        assert_eq!(policy_for("/api/login"), NO_STORE);
        assert_eq!(policy_for("/healthz"), NO_STORE);
    }
}
