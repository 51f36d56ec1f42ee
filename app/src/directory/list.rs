//! The frame of every list page: search, count, rows, pages.

use super::Page;
use crate::{
    errors::AppError,
    i18n::{t, use_i18n},
    ui::{ErrorNotice, Pager, SearchBar},
};
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};

/// A searchable, paged list: search box, count, the rows, and the pager.
/// `count` says how many matched; `rows` renders a non-empty page.
#[component]
pub fn PagedList<T, C, R>(
    data: Resource<Result<Page<T>, AppError>>,
    search: Signal<String>,
    count: C,
    rows: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    C: Fn(i32) -> AnyView + Copy + Send + Sync + 'static,
    R: Fn(Vec<T>) -> AnyView + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <SearchBar search />
        <Transition fallback=move || view! { <p>{t!(i18n, list.loading)}</p> }>
            {move || data.get().map(|result| match result {
                Ok(found) => {
                    let total = i32::try_from(found.total).unwrap_or(i32::MAX);
                    let (page, pages) = (found.page, found.pages());
                    let body = if found.items.is_empty() {
                        view! { <p>{t!(i18n, list.nothing)}</p> }.into_any()
                    } else {
                        // A table wider than a tablet scrolls in its frame, not the page.
                        view! { <div class="table-wrap">{rows(found.items)}</div> }.into_any()
                    };
                    view! {
                        <p class="list-count" role="status">{count(total)}</p>
                        {body}
                        <Pager search=search.get_untracked() page pages />
                    }.into_any()
                }
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
        </Transition>
    }
}
