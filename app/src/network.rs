//! What the browser knows about its network connection.

use leptos::prelude::*;

/// Follows `navigator.onLine` and the window's `online`/`offline` events.
///
/// The server renders "online" (it cannot know); the browser corrects it right
/// after hydration, so the first paint and the hydrated DOM always agree.
pub fn online_signal() -> ReadSignal<bool> {
    let (online, set_online) = signal(true);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| set_online.set(window().navigator().on_line()));
        let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_online;
    online
}

/// POSTs JSON with the kiosk token; the status and body, or `Err` when
/// the request did not complete (no network).
pub async fn post_with_token(path: &str, token: &str, body: &str) -> Result<(u16, String), ()> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use wasm_bindgen_futures::JsFuture;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        let headers = web_sys::Headers::new().map_err(drop)?;
        headers
            .set("Content-Type", "application/json")
            .map_err(drop)?;
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(drop)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(body));
        let response: web_sys::Response =
            JsFuture::from(window().fetch_with_str_and_init(path, &init))
                .await
                .map_err(drop)?
                .dyn_into()
                .map_err(drop)?;
        let text = JsFuture::from(response.text().map_err(drop)?)
            .await
            .map_err(drop)?
            .as_string()
            .unwrap_or_default();
        Ok((response.status(), text))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, token, body);
        Err(())
    }
}
