//! The HTML document, the root component and the route table.

use crate::{
    accounts::pages::{AccountPage, LoginPage, SetPasswordPage, provide_me},
    attendance::{kiosk::KioskPage, list::AttendancePage, personal_page::PersonalDataPage},
    directory::{
        libraries::{LibrariesPage, LibraryPage},
        people::PeoplePage,
        programs::{ProgramPage, ProgramsPage},
    },
    home::HomePage,
    i18n::{I18nContextProvider, Locale, use_i18n},
    layout::Layout,
    meetings::{
        pages::{MeetingPage, MeetingsPage},
        tasks::TasksPage,
    },
    not_found::NotFoundPage,
    partners::pages::{PartnerPage, PartnersPage},
    plans::pages::{PlanPage, PlansPage},
    support::pages::HoursPage,
    sync::engine::provide_sync,
};
use leptos::prelude::*;
use leptos_i18n::context::{CookieOptions, UseLocalesOptions};
use leptos_meta::{HashedStylesheet, Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

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
                <script inner_html=REGISTER_SERVICE_WORKER></script>
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
    let sync = provide_sync();
    let me = crate::accounts::pages::use_me();
    // The device's store opens for whoever is signed in; in the browser only.
    Effect::new(move |_| match me.get() {
        Some(Ok(Some(person))) => sync.start(person.id),
        Some(Ok(None)) => sync.stop(),
        // Not known (yet, or the server is out of reach): keep what is open.
        _ => {}
    });

    // Polish unless the person chose otherwise (the choice lives in a cookie).
    // The browser's Accept-Language is deliberately ignored: library staff and
    // kiosk tablets often run English-language browsers.
    let no_header_locale = UseLocalesOptions::default().ssr_lang_header_getter(|| None);
    // One cookie for the whole site: without a path each directory the
    // server answered (the service worker fetches /spotkania/_ and the
    // like) got its own `lang` cookie, which then shadowed the choice.
    let cookie_options = CookieOptions::<Locale>::default().path("/");
    // Read before the i18n context starts: hydration takes the page's
    // language and writes it back into the cookie.
    let chosen = chosen_locale();

    view! {
        <I18nContextProvider cookie_name="lang" cookie_options ssr_lang_header_getter=no_header_locale>
            <KeepChosenLanguage chosen />
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
                        <Route path=path!("/zaproszenie/:token") view=SetPasswordPage />
                        <Route path=path!("/konto") view=AccountPage />
                        <Route path=path!("/biblioteki") view=LibrariesPage />
                        <Route path=path!("/biblioteki/:id") view=LibraryPage />
                        <Route path=path!("/programy") view=ProgramsPage />
                        <Route path=path!("/programy/:id") view=ProgramPage />
                        <Route path=path!("/osoby") view=PeoplePage />
                        <Route path=path!("/spotkania") view=MeetingsPage />
                        <Route path=path!("/spotkania/:id") view=MeetingPage />
                        <Route path=path!("/spotkania/:id/obecnosc") view=AttendancePage />
                        <Route path=path!("/kiosk/:id") view=KioskPage />
                        <Route path=path!("/dane-osobowe") view=PersonalDataPage />
                        <Route path=path!("/zadania") view=TasksPage />
                        <Route path=path!("/partnerzy") view=PartnersPage />
                        <Route path=path!("/partnerzy/:id") view=PartnerPage />
                        <Route path=path!("/godziny") view=HoursPage />
                        <Route path=path!("/plany") view=PlansPage />
                        <Route path=path!("/plany/:id") view=PlanPage />
                    </Routes>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}

/// The language in the `lang` cookie, in the browser; on the server the
/// i18n context reads the cookie itself.
fn chosen_locale() -> Option<Locale> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let document = web_sys::window()?
            .document()?
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()?;
        let cookies = document.cookie().ok()?;
        locale_in_cookies(&cookies)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[cfg(any(feature = "hydrate", test))]
fn locale_in_cookies(cookies: &str) -> Option<Locale> {
    cookies
        .split(';')
        .find_map(|cookie| cookie.trim().strip_prefix("lang="))
        .and_then(|value| value.parse().ok())
}

/// A page the service worker kept (offline, or a server slower than its
/// timeout) is in the language it was cached in; after hydration the
/// person's own choice is put back.
#[component]
fn KeepChosenLanguage(chosen: Option<Locale>) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(chosen) = chosen
            && i18n.get_locale_untracked() != chosen
        {
            i18n.set_locale(chosen);
        }
    });
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
