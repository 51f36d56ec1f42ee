//! The HTML document, the root component and the route table.

use crate::{
    accounts::pages::{LoginPage, provide_me},
    home::HomePage,
    i18n::{I18nContextProvider, Locale},
    layout::Layout,
    not_found::NotFoundPage,
    sync::engine::provide_sync,
};
use leptos::prelude::*;
use leptos_i18n::{Locale as _, context::UseLocalesOptions};
use leptos_meta::{HashedStylesheet, Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy,
    components::{Route, Router, Routes},
    path,
};
use routes::*;

mod routes;

/// Registers `/sw.js`, which lets the app open with no network. A new
/// version installs in the background and takes over when this page goes
/// away (reload or close), never under a page that is open.
const REGISTER_SERVICE_WORKER: &str = "if ('serviceWorker' in navigator) { \
addEventListener('load', () => navigator.serviceWorker.register('/sw.js').then((registration) => { \
addEventListener('pagehide', () => registration.waiting && registration.waiting.postMessage('skip-waiting')); \
}).catch(() => {})); }";

/// The whole HTML document the server sends; the body is hydrated in the browser.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
                <script nonce=leptos::nonce::use_nonce() inner_html=REGISTER_SERVICE_WORKER></script>
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: language, document metadata and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_me();
    let sync = provide_sync(crate::entities::registry());
    let me = crate::accounts::pages::use_me();
    // The device's store opens for whoever is signed in; in the browser
    // only, once the page has hydrated (pages render the server's
    // placeholder until then).
    Effect::new(move |_| {
        if !crate::kernel::hydration::done() {
            return;
        }
        match me.get() {
            Some(Ok(Some(person))) => sync.start(person.id),
            Some(Ok(None)) => sync.stop(),
            // Not known (yet, or the server is out of reach): keep what is open.
            _ => {}
        }
    });

    // Polish unless the person chose otherwise (the choice lives in the
    // `lang` cookie, which only the browser writes: see `LanguageCookie`).
    // The browser's Accept-Language is deliberately ignored: library staff and
    // kiosk tablets often run English-language browsers.
    let chosen_on_server = UseLocalesOptions::default().ssr_lang_header_getter(|| {
        #[cfg(feature = "ssr")]
        {
            crate::server_context::cookie_header()
                .and_then(|cookies| locale_in_cookies(&cookies))
                .map(|locale| locale.as_str().to_owned())
        }
        #[cfg(not(feature = "ssr"))]
        None
    });

    view! {
        <I18nContextProvider enable_cookie=false ssr_lang_header_getter=chosen_on_server>
            <LanguageCookie />
            <Title formatter=|page: String| {
                if page.is_empty() { "Partnerstwa".to_string() } else { format!("{page} · Partnerstwa") }
            } />
            <Meta name="description" content="Partnerstwa lokalne bibliotek: spotkania, listy obecności, plan rozwoju współpracy." />
            <Meta name="theme-color" content="#1d4f4a" />
            <Link rel="manifest" href="/manifest.webmanifest" />
            <Link rel="icon" href="/icons/icon.svg" type_="image/svg+xml" />
            <Link rel="apple-touch-icon" href="/icons/icon-192.png" />
            <Router>
                <Layout>
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/logowanie") view=LoginPage />
                        <Route path=path!("/zaproszenie/:token") view={Lazy::<Invitation>::new()} />
                        <Route path=path!("/konto") view={Lazy::<Account>::new()} />
                        <Route path=path!("/biblioteki") view={Lazy::<Libraries>::new()} />
                        <Route path=path!("/biblioteki/:id") view={Lazy::<Library>::new()} />
                        <Route path=path!("/programy") view={Lazy::<Programs>::new()} />
                        <Route path=path!("/programy/:id") view={Lazy::<Program>::new()} />
                        <Route path=path!("/osoby") view={Lazy::<People>::new()} />
                        <Route path=path!("/spotkania") view={Lazy::<Meetings>::new()} />
                        <Route path=path!("/spotkania/:id") view={Lazy::<Meeting>::new()} />
                        <Route path=path!("/spotkania/:id/obecnosc") view={Lazy::<Attendance>::new()} />
                        <Route path=path!("/kiosk/:id") view={Lazy::<Kiosk>::new()} />
                        <Route path=path!("/dane-osobowe") view={Lazy::<PersonalData>::new()} />
                        <Route path=path!("/zadania") view={Lazy::<Tasks>::new()} />
                        <Route path=path!("/partnerzy") view={Lazy::<Partners>::new()} />
                        <Route path=path!("/partnerzy/:id") view={Lazy::<Partner>::new()} />
                        <Route path=path!("/godziny") view={Lazy::<Hours>::new()} />
                        <Route path=path!("/plany") view={Lazy::<Plans>::new()} />
                        <Route path=path!("/plany/:id") view={Lazy::<Plan>::new()} />
                    </Routes>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}

/// The language named by a `Cookie` header or `document.cookie`.
fn locale_in_cookies(cookies: &str) -> Option<Locale> {
    crate::cookies::value(cookies, "lang")?.parse().ok()
}

/// Keeps the person's language in the `lang` cookie, written here only, in
/// the browser, when the language is switched (the i18n crate's own cookie
/// was also set by every server response, so a page rendered or cached in
/// one language could overwrite a choice made meanwhile). A page the service
/// worker serves from its cache (offline, or a server slower than its
/// timeout) is in the language it was cached in: after hydration the
/// choice is put back.
#[component]
fn LanguageCookie() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let document = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.dyn_into::<web_sys::HtmlDocument>().ok());
        let chosen = document
            .as_ref()
            .and_then(|document| document.cookie().ok())
            .and_then(|cookies| locale_in_cookies(&cookies));
        let i18n = crate::i18n::use_i18n();
        // Once the page has hydrated: a switch rebuilds the page.
        Effect::new(move |previous: Option<Option<Locale>>| {
            if !crate::kernel::hydration::done() {
                return None;
            }
            let shown = i18n.get_locale();
            match (previous.flatten(), chosen) {
                (None, Some(chosen)) if chosen != shown => i18n.set_locale(chosen),
                (Some(previous), _) if previous != shown => {
                    if let Some(document) = &document {
                        let cookie = format!(
                            "lang={}; path=/; max-age=31536000; samesite=lax",
                            shown.as_str()
                        );
                        let _ = document.set_cookie(&cookie);
                    }
                }
                _ => {}
            }
            Some(shown)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_language_is_read_from_the_lang_cookie_only() {
        assert_eq!(locale_in_cookies("lang=en"), Some(Locale::en));
        assert_eq!(
            locale_in_cookies("session=x; lang=pl; other=1"),
            Some(Locale::pl)
        );
        assert_eq!(locale_in_cookies("i18n_lang=en; slang=en"), None);
        assert_eq!(locale_in_cookies("lang=xx"), None);
        assert_eq!(locale_in_cookies(""), None);
    }
}
