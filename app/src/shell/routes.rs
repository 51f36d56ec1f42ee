//! The routes whose code the browser loads when they are first opened (each
//! is a chunk of its own: `cargo leptos build --split`). The home page and
//! sign-in stay in the main module, so the first visit pays for them only.
//! The service worker caches every chunk after the first visit, so routes
//! never opened online still open offline.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// A route whose page is the component `$page`, loaded with its chunk.
macro_rules! lazy_routes {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_routes! {
    Invitation => crate::accounts::pages::SetPasswordPage,
    Account => crate::accounts::pages::AccountPage,
    Libraries => crate::directory::libraries::LibrariesPage,
    Library => crate::directory::libraries::LibraryPage,
    Programs => crate::directory::programs::ProgramsPage,
    Program => crate::directory::programs::ProgramPage,
    People => crate::directory::people::PeoplePage,
    Meetings => crate::meetings::pages::MeetingsPage,
    Meeting => crate::meetings::pages::MeetingPage,
    Attendance => crate::attendance::list::AttendancePage,
    Kiosk => crate::attendance::kiosk::KioskPage,
    PersonalData => crate::attendance::personal_page::PersonalDataPage,
    Tasks => crate::meetings::tasks::TasksPage,
    Partners => crate::partners::pages::PartnersPage,
    Partner => crate::partners::pages::PartnerPage,
    Hours => crate::support::pages::HoursPage,
    Plans => crate::plans::pages::PlansPage,
    Plan => crate::plans::pages::PlanPage,
}
