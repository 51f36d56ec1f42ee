//! Small pieces every page uses: error notices, the search box and pager of
//! lists, and field error sentences.

use crate::{
    errors::{AppError, Problem},
    i18n::{t, t_string, use_i18n},
    sync::{
        engine::{DeviceStore, use_sync},
        local::StoreError,
    },
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The sentence for a refused field, in the person's language.
pub fn problem_text(problem: Problem) -> String {
    let i18n = use_i18n();
    match problem {
        Problem::Required => t_string!(i18n, problem.required),
        Problem::TooLong => t_string!(i18n, problem.too_long),
        Problem::NotAnEmail => t_string!(i18n, problem.not_an_email),
        Problem::TooShort => t_string!(i18n, problem.too_short),
        Problem::TooCommon => t_string!(i18n, problem.too_common),
        Problem::ContainsEmail => t_string!(i18n, problem.contains_email),
        Problem::Mismatch => t_string!(i18n, problem.mismatch),
        Problem::WrongPassword => t_string!(i18n, problem.wrong_password),
        Problem::Deactivated => t_string!(i18n, problem.deactivated),
        Problem::NotAllowedChoice => t_string!(i18n, problem.not_allowed_choice),
        Problem::Approved => t_string!(i18n, problem.approved),
    }
    .to_string()
}

/// The sentence for an error that is not about one field.
pub fn error_text(error: &AppError) -> String {
    let i18n = use_i18n();
    match error {
        AppError::Unauthorized => t_string!(i18n, errors.unauthorized).to_string(),
        AppError::Forbidden => t_string!(i18n, errors.forbidden).to_string(),
        AppError::NotFound => t_string!(i18n, errors.not_found).to_string(),
        AppError::Transport { .. } => t_string!(i18n, errors.offline).to_string(),
        AppError::Validation { problem, .. } => problem_text(*problem),
        AppError::TooManyAttempts { retry_after_secs } => t_string!(
            i18n,
            login.too_many,
            count = i32::try_from(retry_after_secs.div_ceil(60)).unwrap_or(i32::MAX)
        )
        .to_string(),
        AppError::BadCredentials => t_string!(i18n, login.bad_credentials).to_string(),
        AppError::Busy { .. } => t_string!(i18n, errors.busy).to_string(),
        AppError::Internal | AppError::BadRequest | AppError::TooLarge | AppError::NotJson => {
            t_string!(i18n, errors.internal).to_string()
        }
    }
}

/// A page-level error: a sentence, and a way to sign in when that is the cure.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = matches!(error, AppError::Unauthorized).then(|| {
        view! { <p><a class="button" href="/logowanie">{t!(i18n, errors.sign_in)}</a></p> }
    });
    view! {
        <div class="notice notice--error" role="alert">
            <p>{error_text(&error)}</p>
            {sign_in}
        </div>
    }
}

/// The list's search text and page from the address (`?q=…&strona=…`), so a
/// list can be bookmarked, reloaded and reached with the back button.
pub fn list_query() -> (Signal<String>, Signal<u32>) {
    let query = use_query_map();
    let search = Signal::derive(move || query.read().get("q").unwrap_or_default());
    let page = Signal::derive(move || {
        query
            .read()
            .get("strona")
            .and_then(|page| page.parse().ok())
            .filter(|page| *page >= 1)
            .unwrap_or(1)
    });
    (search, page)
}

fn list_href(search: &str, page: u32) -> String {
    let mut pairs = Vec::new();
    if !search.is_empty() {
        pairs.push(format!("q={}", urlencode(search)));
    }
    if page > 1 {
        pairs.push(format!("strona={page}"));
    }
    if pairs.is_empty() {
        "?".to_owned()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A search box that works as a plain GET form before hydration and
/// navigates in place after it.
#[component]
pub fn SearchBar(search: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(search.get_untracked());
    Effect::new(move |_| text.set(search.get()));
    let field = NodeRef::new();
    adopt_typed(field, text);
    let navigate = use_navigate();
    view! {
        <form
            class="search"
            method="get"
            role="search"
            on:submit=move |ev| {
                ev.prevent_default();
                navigate(&list_href(text.get_untracked().trim(), 1), Default::default());
            }
        >
            <label class="search__label" for="search">{t!(i18n, list.search_label)}</label>
            <input id="search" type="search" name="q" bind:value=text node_ref=field />
            <button type="submit" class="button">{t!(i18n, list.search)}</button>
        </form>
    }
}

/// Previous/next links and "page 2 of 5".
#[component]
pub fn Pager(search: String, page: u32, pages: u32) -> impl IntoView {
    let i18n = use_i18n();
    let previous = (page > 1).then(|| {
        let href = list_href(&search, page - 1);
        view! { <a class="button button--quiet" rel="prev" href=href>{t!(i18n, list.previous)}</a> }
    });
    let next = (page < pages).then(|| {
        let href = list_href(&search, page + 1);
        view! { <a class="button button--quiet" rel="next" href=href>{t!(i18n, list.next)}</a> }
    });
    view! {
        <nav class="pager" aria-label=move || t_string!(i18n, list.pagination)>
            {previous}
            <span class="pager__position">{t!(i18n, list.page_of, page = page, pages = pages)}</span>
            {next}
        </nav>
    }
}

/// The items of page `page` (from 1) when a list shows `size` per page.
pub fn page_of<T: Clone>(items: &[T], page: usize, size: usize) -> Vec<T> {
    let pages = items.len().div_ceil(size).max(1);
    let start = (page.clamp(1, pages) - 1) * size;
    items.iter().skip(start).take(size).cloned().collect()
}

/// Previous/next buttons for a list kept on the device (no request, no
/// address change); hidden when everything fits on one page.
#[component]
pub fn PageButtons(page: RwSignal<usize>, total: usize, size: usize) -> impl IntoView {
    let i18n = use_i18n();
    let pages = total.div_ceil(size).max(1);
    let current = move || page.get().clamp(1, pages);
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=move || t_string!(i18n, list.pagination)>
                <button type="button" class="button button--quiet" disabled=move || current() == 1
                    on:click=move |_| page.set(current() - 1)>
                    {t!(i18n, list.previous)}
                </button>
                <span class="pager__position" aria-live="polite">
                    {move || t_string!(i18n, list.page_of, page = current(), pages = pages).to_string()}
                </span>
                <button type="button" class="button button--quiet" disabled=move || current() == pages
                    on:click=move |_| page.set(current() + 1)>
                    {t!(i18n, list.next)}
                </button>
            </nav>
        }
    })
}

/// True once the page has hydrated. Submit buttons of forms handled in the
/// app wait for it: a click before that would submit the plain HTML form
/// (a reload that loses what was typed and says nothing).
pub fn hydrated() -> Signal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated.into()
}

/// What a page reads from the server once it is live (with the person's
/// session, in the browser): "Wczytywanie…" until then, the same on the
/// server's render as on hydration.
pub fn once_live<V: IntoView + 'static>(
    live: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let ready = hydrated();
    move || {
        if ready.get() {
            live().into_any()
        } else {
            view! { <p class="muted">{t!(i18n, list.loading)}</p> }.into_any()
        }
    }
}

/// Keeps what a person typed before the page hydrated: once the app is
/// live, the field's current text goes into the signal bound to it. On a
/// slow tablet the form is usable (and used) well before hydration ends.
pub fn adopt_typed(field: NodeRef<leptos::html::Input>, value: RwSignal<String>) {
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let typed = input.value();
            if !typed.is_empty() && typed != value.get_untracked() {
                value.set(typed);
            }
        }
    });
}

/// Moves the focus to an element once the page has drawn it.
pub fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        let id = id.to_owned();
        request_animation_frame(move || {
            use leptos::wasm_bindgen::JsCast;
            if let Some(element) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// The browser's confirmation dialog; on the server nothing is confirmed.
pub fn confirm(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        window().confirm_with_message(message).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        false
    }
}

/// Hands `text` to the browser as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        if let Ok(element) = document().create_element("a")
            && let Ok(link) = element.dyn_into::<web_sys::HtmlAnchorElement>()
        {
            link.set_href(&url);
            link.set_download(name);
            link.click();
        }
        // The download has started by then; the URL only holds memory.
        set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            std::time::Duration::from_secs(30),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, mime, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_slice_and_out_of_range_pages_clamp() {
        let items: Vec<u32> = (1..=60).collect();
        assert_eq!(page_of(&items, 1, 25), (1..=25).collect::<Vec<_>>());
        assert_eq!(page_of(&items, 3, 25), (51..=60).collect::<Vec<_>>());
        assert_eq!(page_of(&items, 9, 25), (51..=60).collect::<Vec<_>>());
        assert_eq!(page_of(&items, 0, 25), (1..=25).collect::<Vec<_>>());
        assert!(page_of::<u32>(&[], 1, 25).is_empty());
    }

    #[test]
    fn list_addresses_keep_the_search_and_drop_page_one() {
        assert_eq!(list_href("", 1), "?");
        assert_eq!(list_href("Zalesie Górne", 1), "?q=Zalesie+G%C3%B3rne");
        assert_eq!(list_href("a&b", 3), "?q=a%26b&strona=3");
    }
}

/// The id in the page's address (`:id`), if it is one.
pub fn route_id() -> impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::parse_str(&id).ok())
    }
}

/// The record of `entity` the address names, read from the device's store
/// and shaped for the page; `Ok(None)` when the device has no such record.
/// It follows the address and every change to the store.
pub fn route_record<T>(
    entity: &'static str,
    shape: impl Fn(&DeviceStore, Uuid, Map<String, Value>) -> Result<T, StoreError>
    + Send
    + Sync
    + 'static,
) -> Memo<Option<Result<Option<T>, StoreError>>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let sync = use_sync();
    let id = route_id();
    Memo::new(move |_| {
        sync.read(|store| {
            let Some(id) = id() else {
                return Ok(None);
            };
            match store.view(entity, id)? {
                Some(fields) => shape(store, id, fields).map(Some),
                None => Ok(None),
            }
        })
    })
}

/// A page that reads the device's store: until the store is open it asks to
/// sign in or says it is loading; if the store cannot be read it says why;
/// otherwise it shows `ready`.
pub fn from_store<T>(
    data: Option<Result<T, StoreError>>,
    ready: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match data {
        None => view! { <NotYet /> }.into_any(),
        Some(Err(error)) => view! { <StoreTrouble error /> }.into_any(),
        Some(Ok(value)) => ready(value),
    }
}

#[component]
fn NotYet() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    move || {
        if sync.signed_out() {
            view! {
                <div class="notice" role="status">
                    <p>{t!(i18n, meetings.sign_in)}</p>
                    <p><a class="button" href="/logowanie">{t!(i18n, login.title)}</a></p>
                </div>
            }
            .into_any()
        } else {
            view! { <p class="muted" aria-busy="true">{t!(i18n, meetings.loading)}</p> }.into_any()
        }
    }
}

#[component]
fn StoreTrouble(error: StoreError) -> impl IntoView {
    let i18n = use_i18n();
    let text = match error {
        StoreError::Newer(_) => t_string!(i18n, sync.trouble_newer),
        _ => t_string!(i18n, sync.trouble_full),
    };
    view! { <div class="notice notice--error" role="alert"><p>{text}</p></div> }
}

/// A link to pass on: the address in a read-only field and a copy button
/// that says whether the copy worked. Over plain http (a library's own
/// network) browsers give no clipboard API: the field's text is then
/// selected and copied the old way, and if even that fails the person is
/// told to copy it by hand.
#[component]
pub fn LinkBox(
    /// The address, whole (with the origin).
    url: String,
    /// The field's visible label.
    #[prop(into)]
    label: Signal<String>,
    /// The field's id (a page may show more than one link).
    id: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let field = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<bool>);
    let text = url.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = text.clone();
            let field = field.get_untracked();
            leptos::task::spawn_local(async move {
                copied.set(Some(copy_text(&text, field).await));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <div class="link-box">
            <label for=id>{move || label.get()}</label>
            <div class="link-box__row">
                <input id=id type="text" readonly=true value=url.clone() prop:value=url node_ref=field
                    on:focus=move |_| { if let Some(field) = field.get_untracked() { field.select(); } } />
                <button type="button" class="button button--quiet" on:click=copy>{t!(i18n, clipboard.copy)}</button>
            </div>
            <p class="link-box__status" role="status">
                {move || copied.get().map(|done| if done {
                    t_string!(i18n, clipboard.copied).to_string()
                } else {
                    t_string!(i18n, clipboard.failed).to_string()
                })}
            </p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
async fn copy_text(text: &str, field: Option<web_sys::HtmlInputElement>) -> bool {
    use wasm_bindgen::JsCast;
    let window = window();
    if window.is_secure_context() {
        let written = window.navigator().clipboard().write_text(text);
        if wasm_bindgen_futures::JsFuture::from(written).await.is_ok() {
            return true;
        }
    }
    let Some(field) = field else { return false };
    field.select();
    window
        .document()
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false)
}
