//! A library's meetings on its page, from the server, a page at a time: for
//! a coordinator (or anyone) whose device does not hold that library, so
//! her program is never mirrored onto her laptop to be read.

use crate::meetings::{
    api::{LIBRARY_MEETINGS_PAGE, MeetingList},
    view::{kind_label, status_label},
};
use crate::{
    errors::AppError,
    format,
    i18n::{t, t_string, use_i18n},
    ui::{ErrorNotice, PageButtons},
};
use leptos::prelude::*;
use leptos_router::components::A;

/// The list from the library page's own resource (made at the page's top,
/// see `directory::libraries::LibraryPage`), a page at a time.
#[component]
pub fn LibraryMeetings(
    meetings: Resource<Result<MeetingList, AppError>>,
    /// Which page of the list the resource loads.
    page: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="library-meetings-heading">
            <h2 id="library-meetings-heading">{t!(i18n, meetings.title)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, list.loading)}</p> }>
                {move || meetings.get().map(|result| match result {
                    Ok(meetings) => view! { <MeetingTable meetings page /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MeetingTable(meetings: MeetingList, page: RwSignal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    if meetings.items.is_empty() {
        return view! { <p>{t!(i18n, meetings.none)}</p> }.into_any();
    }
    let total = usize::try_from(meetings.total).unwrap_or(usize::MAX);
    let count = i32::try_from(meetings.total).unwrap_or(i32::MAX);
    let size = LIBRARY_MEETINGS_PAGE as usize;
    view! {
        <p>{t!(i18n, meetings.count, count = move || count)}</p>
        <table class="table" data-testid="library-meetings">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, meetings.starts_at)}</th>
                    <th scope="col">{t!(i18n, meetings.field_title)}</th>
                    <th scope="col">{t!(i18n, meetings.kind)}</th>
                    <th scope="col">{t!(i18n, meetings.status)}</th>
                    <th scope="col">{t!(i18n, meetings.signed)}</th>
                </tr>
            </thead>
            <tbody>
                {meetings.items.into_iter().map(|meeting| {
                    // Its editor where the device holds it; read from the server elsewhere.
                    let title = view! { <A href=format!("/spotkania/{}", meeting.id)>{meeting.title.clone()}</A> };
                    let signed = i32::try_from(meeting.sign_ins).unwrap_or(i32::MAX);
                    view! {
                        <tr>
                            <td>{format::when(&meeting.starts_at, locale)}</td>
                            <td>{title}<span class="table__sub">{meeting.partnership}</span></td>
                            <td>{kind_label(&meeting.kind, locale)}</td>
                            <td>{status_label(&meeting.status, locale)}</td>
                            <td>{t_string!(i18n, meetings.signed_count, count = signed).to_string()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <PageButtons page total size />
    }
    .into_any()
}
