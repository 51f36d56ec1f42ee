//! Whether the page has finished hydrating. A route hydrates once its chunk
//! has arrived, and the effects of the frame around it run meanwhile: one
//! that changes what the route shows (opening the device's store, switching
//! the language) must wait for this mark, or the route's first render in the
//! browser would differ from the server's HTML and hydration would fail.

use leptos::prelude::*;

thread_local! {
    static DONE: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// True once the whole page has hydrated; never on the server. Tracked.
pub fn done() -> bool {
    DONE.with(|done| done.get())
}

/// Marks the page hydrated (the browser entry, once hydration has ended).
pub fn finish() {
    DONE.with(|done| done.set(true));
}
