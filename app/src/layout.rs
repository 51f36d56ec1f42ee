//! The frame around every page: header, navigation, main area and footer.

use crate::accounts::pages::{SignOut, UserName};
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::sync::status::SyncStatusButton;
use leptos::{html, prelude::*};
use leptos_i18n::Locale as _;
use leptos_router::{components::A, hooks::use_location};

/// Header, navigation and footer around the routed page. A kiosk has none
/// of them: attendees must not wander into the app.
#[component]
pub fn Layout(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    // A memo: the header and footer are built once, not again on every
    // navigation (only entering or leaving a kiosk changes them).
    let kiosk = Memo::new(move |_| location.pathname.with(|path| path.starts_with("/kiosk/")));
    let chrome = move || (!kiosk.get()).then(|| view! { <Chrome /> });
    // The page is built again when the language changes: every label it
    // computed and every date it formatted follows the switch, not only the
    // texts bound to the language. Like a reload, without the network trip
    // for the app (what the page reads from the server it reads again).
    // A memo: only a real change rebuilds (the provider sets the language
    // once after hydration, to the same value most times).
    let locale = Memo::new(move |_| i18n.get_locale());
    let page = move || {
        // Read, not only tracked: an unread memo never computes its value.
        let _ = locale.get();
        children()
    };
    view! {
        {chrome}
        <main id="main" class="site-main" class:site-main--kiosk=kiosk tabindex="-1">
            {page}
        </main>
        {move || (!kiosk.get()).then(|| view! {
            <footer class="site-footer">
                <p>{t!(i18n, footer.about)}</p>
                <p class="site-footer__version">{t!(i18n, footer.version, version = env!("CARGO_PKG_VERSION"))}</p>
            </footer>
        })}
    }
}

/// One row: who is signed in, the connection and the sync state stay in
/// sight at every width. Below desktop width the navigation, sign-out and
/// language sit behind "Menu" (a `<details>`, so it opens before the app
/// hydrates too); on a desktop the same elements show as a second row.
#[component]
fn Chrome() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let menu = NodeRef::<html::Details>::new();
    let toggle = NodeRef::<html::Summary>::new();
    let close = move || {
        if let Some(menu) = menu.get_untracked() {
            let _ = menu.remove_attribute("open");
        }
    };
    // A link followed from the open menu leaves it closed on the new page.
    Effect::new(move |_| {
        location.pathname.track();
        close();
    });
    // Escape closes it and gives focus back to its button, not to the page.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            close();
            if let Some(toggle) = toggle.get_untracked() {
                let _ = toggle.focus();
            }
        }
    };
    view! {
        <a class="skip-link" href="#main">{t!(i18n, nav.skip_to_content)}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <img class="brand__mark" src="/icons/icon.svg" alt="" width="32" height="32" />
                    <span class="brand__name">{t!(i18n, app.name)}</span>
                </A>
                <ConnectionStatus />
                <SyncStatusButton />
                <UserName />
                <details class="site-menu" node_ref=menu on:keydown=on_key>
                    <summary class="button button--quiet site-menu__toggle" node_ref=toggle>
                        <svg class="site-menu__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
                            <path d="M3 6h18M3 12h18M3 18h18" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                        </svg>
                        <span class="site-menu__label">{t!(i18n, nav.menu)}</span>
                    </summary>
                    <div class="site-menu__body">
                        <nav class="site-nav" aria-label=move || t_string!(i18n, nav.label)>
                            <ul>
                                <li><A href="/" exact=true>{t!(i18n, nav.home)}</A></li>
                                <SignedInLinks />
                            </ul>
                        </nav>
                        <div class="site-menu__tools">
                            <SignOut />
                            <LanguageSwitch />
                        </div>
                    </div>
                </details>
            </div>
        </header>
    }
}

/// Navigation for the signed-in person; "People" only for those who manage accounts.
#[component]
fn SignedInLinks() -> impl IntoView {
    let i18n = use_i18n();
    let me = crate::accounts::pages::use_me();
    view! {
        <Transition>
            {move || me.get().and_then(Result::ok).flatten().map(|person| {
                let manages = person.is_admin || person.is_coordinator;
                view! {
                    <li><A href="/spotkania">{t!(i18n, nav.meetings)}</A></li>
                    <li><A href="/zadania">{t!(i18n, nav.tasks)}</A></li>
                    <li><A href="/partnerzy">{t!(i18n, nav.partners)}</A></li>
                    <li><A href="/plany">{t!(i18n, nav.plans)}</A></li>
                    <li><A href="/godziny">{t!(i18n, nav.hours)}</A></li>
                    <li><A href="/biblioteki">{t!(i18n, nav.libraries)}</A></li>
                    <li><A href="/programy">{t!(i18n, nav.programs)}</A></li>
                    <li><A href="/dane-osobowe">{t!(i18n, nav.personal)}</A></li>
                    {manages.then(|| view! { <li><A href="/osoby">{t!(i18n, nav.people)}</A></li> })}
                }
            })}
        </Transition>
    }
}

/// Switches between Polish and English without a reload; the choice is kept in a cookie.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let other = move || match i18n.get_locale() {
        Locale::pl => Locale::en,
        Locale::en => Locale::pl,
    };
    // A click before hydration would do nothing: the button waits for the app.
    let hydrated = crate::ui::hydrated();
    view! {
        <button
            type="button"
            class="button button--quiet language-switch"
            disabled=move || !hydrated.get()
            lang=move || other().as_str()
            aria-label=move || t_string!(i18n, language.switch_label)
            on:click=move |_| i18n.set_locale(other())
        >
            {t!(i18n, language.switch_to)}
        </button>
    }
}

/// Whether the browser has a network connection; the sync state sits beside it.
#[component]
fn ConnectionStatus() -> impl IntoView {
    let i18n = use_i18n();
    let online = crate::network::online_signal();
    view! {
        <p class="connection-status" role="status" data-online=move || online.get().to_string()>
            <span class="connection-status__dot" aria-hidden="true"></span>
            <span class="connection-status__text">
                {move || if online.get() {
                    t!(i18n, connection.online).into_any()
                } else {
                    t!(i18n, connection.offline).into_any()
                }}
            </span>
        </p>
    }
}
