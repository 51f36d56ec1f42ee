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
