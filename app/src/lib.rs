//! Partnerstwa: the application shared by the server (feature `ssr`) and the
//! browser (feature `hydrate`).
//!
//! Each feature lives in its own module with its types, server functions,
//! components and, behind `ssr`, its database code.

#![recursion_limit = "512"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod accounts;
pub mod attendance;
pub mod directory;
pub mod entities;
pub mod home;
pub mod kernel;
pub mod layout;
pub mod meetings;
pub mod network;
pub mod not_found;
pub mod partners;
pub mod plans;
pub mod shell;
pub mod support;
pub mod sync;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod server_context;

// The shared layer is used everywhere by these short paths.
pub use kernel::{clock, cookies, errors, format};
pub use shell::{App, shell};

/// The browser entry point: attaches the reactive app to the server-rendered
/// HTML. Routes live in chunks of their own (`shell::routes`), so hydration
/// waits for the current route's chunk before it walks the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    // Not Leptos's own spawner: hydrate_from_async sets that up itself.
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body, App).await.forget();
        kernel::hydration::finish();
        // Hydrated: the page answers from here on (the first-load benchmark
        // and the browser tests wait for this mark).
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
