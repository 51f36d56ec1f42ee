//! The sign-in page and the signed-in person's menu in the header.

use super::api::{Login, Logout, Me, signed_in_person};
use crate::{
    errors::AppError,
    i18n::{t, t_string, use_i18n},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Loads the signed-in person once per page; shared by the header and pages.
pub fn provide_me() {
    let resource = Resource::new(|| (), |_| signed_in_person());
    provide_context(resource);
}

pub fn use_me() -> Resource<Result<Option<Me>, AppError>> {
    expect_context()
}

/// Leaves the page for `path` with a full load, so no signed-in state stays in memory.
fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window().location().assign(path);
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // The button stays disabled until the app has hydrated: a native submit
    // before that would send the password nowhere useful.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    Effect::new(move |_| {
        if let Some(Ok(_)) = login.value().get() {
            go_to("/");
        }
    });
    let error = move || match login.value().get() {
        Some(Err(AppError::BadCredentials)) => {
            Some(t_string!(i18n, login.bad_credentials).to_string())
        }
        Some(Err(AppError::TooManyAttempts { retry_after_secs })) => Some(
            t_string!(
                i18n,
                login.too_many,
                count = retry_after_secs.div_ceil(60) as i32
            )
            .to_string(),
        ),
        Some(Err(_)) => Some(t_string!(i18n, login.failed).to_string()),
        _ => None,
    };

    view! {
        <Title text=move || t_string!(i18n, login.title).to_string() />
        <section class="narrow">
            <h1>{t!(i18n, login.title)}</h1>
            <form
                class="form"
                method="post"
                on:submit=move |ev| {
                    ev.prevent_default();
                    login.dispatch(Login { email: email.get(), password: password.get() });
                }
            >
                <label class="field">
                    <span>{t!(i18n, login.email)}</span>
                    <input type="email" name="email" autocomplete="username" required bind:value=email />
                </label>
                <label class="field">
                    <span>{t!(i18n, login.password)}</span>
                    <input type="password" name="password" autocomplete="current-password" required bind:value=password />
                </label>
                <p class="form__error" role="alert">{error}</p>
                <button type="submit" class="button" disabled=move || !hydrated.get() || login.pending().get()>
                    {t!(i18n, login.submit)}
                </button>
            </form>
        </section>
    }
}

/// The signed-in person's name and a sign-out button, or a sign-in link.
#[component]
pub fn UserMenu() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            go_to("/logowanie");
        }
    });
    view! {
        <Transition>
            {move || {
                me.get().map(|result| match result {
                    Ok(Some(person)) => view! {
                        <span class="user-menu__name">{person.full_name}</span>
                        <button type="button" class="button button--quiet" on:click=move |_| { logout.dispatch(Logout {}); }>
                            {t!(i18n, login.logout)}
                        </button>
                    }.into_any(),
                    _ => view! {
                        <a class="button button--quiet" href="/logowanie">{t!(i18n, login.title)}</a>
                    }.into_any(),
                })
            }}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Locale, td_string};

    #[test]
    fn polish_waiting_time_uses_all_plural_forms() {
        let minutes =
            |count: i32| td_string!(Locale::pl, login.too_many, count = count).to_string();
        assert!(minutes(1).ends_with("za 1 minutę."));
        assert!(minutes(2).ends_with("za 2 minuty."));
        assert!(minutes(5).ends_with("za 5 minut."));
        assert!(minutes(12).ends_with("za 12 minut."));
        assert!(minutes(22).ends_with("za 22 minuty."));
    }

    #[test]
    fn english_waiting_time_has_two_forms() {
        let minutes =
            |count: i32| td_string!(Locale::en, login.too_many, count = count).to_string();
        assert!(minutes(1).ends_with("in 1 minute."));
        assert!(minutes(15).ends_with("in 15 minutes."));
    }
}
