//! Choosing the libraries a device holds beyond its person's own: a
//! coordinator takes the few she will visit without signal onto her laptop
//! and reads the rest of her program online.

use super::{MAX_OFFLINE_LIBRARIES, engine::use_sync};
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;
use uuid::Uuid;

/// Whether `library` is on this device, and a button to take it or let it go.
#[component]
pub fn OfflineChoice(library: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let held = move || {
        sync.read(|store| Ok(store.offline_libraries().contains(&library)))
            .and_then(Result::ok)
    };
    let refused = RwSignal::new(false);
    let too_many = RwSignal::new(false);
    let toggle = move |_| {
        let Some(was) = held() else {
            return;
        };
        let saved = sync.write(|store| {
            let mut chosen = store.offline_libraries().to_vec();
            if was {
                chosen.retain(|id| *id != library);
            } else if chosen.len() < MAX_OFFLINE_LIBRARIES {
                chosen.push(library);
            } else {
                return Ok(false);
            }
            store.set_offline_libraries(chosen).map(|()| true)
        });
        too_many.set(saved == Ok(false));
        refused.set(saved.is_err());
        if saved == Ok(true) {
            sync.scope_changed();
        }
    };
    view! {
        <section class="panel offline-choice no-print" aria-labelledby="offline-choice-heading">
            <h2 id="offline-choice-heading">{t!(i18n, offline.title)}</h2>
            {move || match held() {
                None => view! { <p class="muted">{t!(i18n, offline.unknown)}</p> }.into_any(),
                Some(true) => view! {
                    <p>{t!(i18n, offline.held)}</p>
                    <p><button type="button" class="button button--quiet" on:click=toggle>{t!(i18n, offline.drop)}</button></p>
                }.into_any(),
                Some(false) => view! {
                    <p>{t!(i18n, offline.online_only)}</p>
                    <p><button type="button" class="button" on:click=toggle>{t!(i18n, offline.take)}</button></p>
                }.into_any(),
            }}
            {move || refused.get().then(|| view! {
                <p class="notice notice--error" role="alert">{t!(i18n, offline.refused)}</p>
            })}
            {move || too_many.get().then(|| view! {
                <p class="notice notice--error" role="alert">{t!(i18n, offline.too_many)}</p>
            })}
        </section>
    }
}
