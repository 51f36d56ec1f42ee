//! What only a browser can do; nothing on the server.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// Takes the kiosk token out of the address (`#klucz=…`), so it is not
/// left in the history or on screen.
pub fn take_link_token() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let hash = location.hash().ok()?;
        let token = hash.strip_prefix("#klucz=")?.to_owned();
        let path = location.pathname().ok()?;
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(
                &leptos::wasm_bindgen::JsValue::NULL,
                "",
                Some(&path),
            );
        }
        (!token.is_empty()).then_some(token)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

pub use crate::ui::focus;

pub fn after(ms: u64, then: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    set_timeout(then, std::time::Duration::from_millis(ms));
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, then);
}

pub fn enter_full_screen() {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        // Refused outside a tap or by the browser: the kiosk works all the same.
        let _ = root.request_fullscreen();
    }
}

pub fn leave_full_screen() {
    #[cfg(feature = "hydrate")]
    if document().fullscreen_element().is_some() {
        document().exit_fullscreen();
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static BACK: std::cell::RefCell<Option<WindowListenerHandle>> = const { std::cell::RefCell::new(None) };
}

/// "Back" stays on the kiosk: an entry of its own is pushed on the
/// history and pushed again whenever back takes it away.
pub fn trap_back_button() {
    #[cfg(feature = "hydrate")]
    {
        fn push() {
            if let Ok(history) = window().history() {
                let _ = history.push_state(&leptos::wasm_bindgen::JsValue::NULL, "");
            }
        }
        let already = BACK.with(|back| back.borrow().is_some());
        if already {
            return;
        }
        push();
        let handle = window_event_listener_untyped("popstate", move |_| push());
        BACK.with(|back| *back.borrow_mut() = Some(handle));
    }
}

pub fn release_back_button() {
    #[cfg(feature = "hydrate")]
    if let Some(handle) = BACK.with(|back| back.borrow_mut().take()) {
        handle.remove();
    }
}
