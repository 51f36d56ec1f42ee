//! What a request must look like to reach a server function, and what every
//! response carries so that other sites cannot frame or repurpose our pages.
//!
//! Server functions read JSON whatever the body claims to be, so without
//! this a `<form enctype="text/plain">` on any site could post a valid body
//! with the victim's cookie (SameSite=Lax does not stop a site on another
//! port of the same host). Browsers say where a request comes from
//! (`Sec-Fetch-Site`, `Origin`); our own pages always send JSON from the same
//! origin. Clients that are not browsers (tests, curl, benchmarks) send
//! neither header and are judged by their credentials alone.

use app::errors::AppError;
use axum::{
    body::Body,
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// Refuses a server-function call that is not JSON (415) or that a browser
/// sent from another site or origin (403), before its body is read.
pub async fn same_origin_json(request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && let Err(error) = check(request.headers())
    {
        return refusal(&error);
    }
    next.run(request).await
}

const X_FORWARDED_HOST: header::HeaderName = header::HeaderName::from_static("x-forwarded-host");

fn check(headers: &HeaderMap) -> Result<(), AppError> {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let media_type = text(header::CONTENT_TYPE)
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case("application/json")) {
        return Err(AppError::NotJson);
    }
    // "none": the person typed the address; anything but our own origin is refused.
    if let Some(site) = headers.get("sec-fetch-site")
        && site != "same-origin"
        && site != "none"
    {
        return Err(AppError::Forbidden);
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest);
        // The host the browser addressed: as sent, or as a reverse proxy that
        // rewrites Host passes it on.
        let addressed = [text(header::HOST), text(X_FORWARDED_HOST)];
        if !addressed
            .into_iter()
            .flatten()
            .any(|host| !host.is_empty() && origin_host == Some(host))
        {
            return Err(AppError::Forbidden);
        }
    }
    Ok(())
}

fn refusal(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_string(error).unwrap_or_default();
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The Content-Security-Policy of pages whose inline scripts carry `nonce`:
/// scripts only from here (and those inline ones), wasm allowed to compile,
/// no plugins, no framing by anyone.
pub fn page_policy(nonce: &str) -> String {
    // A debug build's pages reload through cargo-leptos's websocket.
    let reload = if cfg!(debug_assertions) { " ws:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'{reload}; \
         worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// For every other response (server functions, files): nothing may frame it.
const OTHER_POLICY: &str = "frame-ancestors 'none'; object-src 'none'";

/// No framing (clickjacking of the erase, invite and deactivate buttons), no
/// content sniffing, no address leaking to other sites.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(OTHER_POLICY),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_json_passes_whatever_its_parameters() {
        let json = headers(&[("content-type", "Application/JSON; charset=utf-8")]);
        assert_eq!(check(&json), Ok(()));
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            let map = headers(&[("content-type", other)]);
            assert_eq!(check(&map), Err(AppError::NotJson), "{other}");
        }
        assert_eq!(check(&HeaderMap::new()), Err(AppError::NotJson));
    }

    #[test]
    fn a_browser_request_from_another_origin_or_site_is_refused() {
        let base = [
            ("content-type", "application/json"),
            ("host", "biblioteka.pl"),
        ];
        let ours = headers(&[
            base[0],
            base[1],
            ("origin", "https://biblioteka.pl"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(check(&ours), Ok(()));
        let proxied = headers(&[
            base[0],
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "biblioteka.pl"),
            ("origin", "https://biblioteka.pl"),
        ]);
        assert_eq!(check(&proxied), Ok(()));
        for (name, value) in [
            ("origin", "https://zly.example"),
            ("origin", "https://biblioteka.pl:8443"),
            ("origin", "null"),
            ("sec-fetch-site", "same-site"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let map = headers(&[base[0], base[1], (name, value)]);
            assert_eq!(check(&map), Err(AppError::Forbidden), "{name}: {value}");
        }
    }
}
