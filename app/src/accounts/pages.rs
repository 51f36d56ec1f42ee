//! The sign-in page and the signed-in person's menu in the header.

use super::{
    api::{
        ChangePassword, Login, Logout, LogoutEverywhere, Me, SetPassword, password_link,
        signed_in_person,
    },
    model::{Email, NewPassword, Strength, strength},
};
use crate::{
    errors::{AppError, Field, Problem},
    i18n::{t, t_string, use_i18n},
    ui::{ErrorNotice, adopt_typed, error_text, problem_text},
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
    // Read from the fields at submit time: on a slow tablet a person may
    // type before the page has hydrated, and that text must count.
    let email = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    // The button stays disabled until the app has hydrated: a native submit
    // before that would send the password nowhere useful.
    let hydrated = crate::ui::hydrated();

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
                    let value = |field: NodeRef<leptos::html::Input>| {
                        field.get_untracked().map(|input| input.value()).unwrap_or_default()
                    };
                    login.dispatch(Login { email: value(email), password: value(password) });
                }
            >
                <label class="field">
                    <span>{t!(i18n, login.email)}</span>
                    <input type="email" name="email" autocomplete="username" required node_ref=email />
                </label>
                <label class="field">
                    <span>{t!(i18n, login.password)}</span>
                    <input type="password" name="password" autocomplete="current-password" required node_ref=password />
                </label>
                <p class="form__error" role="alert">{error}</p>
                <button type="submit" class="button" disabled=move || !hydrated.get() || login.pending().get()>
                    {t!(i18n, login.submit)}
                </button>
            </form>
        </section>
    }
}

/// The signed-in person's name (always in sight: on a shared tablet the next
/// person must see who is signed in), or a sign-in link.
#[component]
pub fn UserName() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    view! {
        <Transition>
            {move || {
                me.get().map(|result| match result {
                    Ok(Some(person)) => {
                        let name = person.full_name;
                        let title = name.clone();
                        view! { <a class="user-menu__name" href="/konto" title=title>{name}</a> }.into_any()
                    }
                    _ => view! {
                        <a class="button button--quiet" href="/logowanie">{t!(i18n, login.title)}</a>
                    }.into_any(),
                })
            }}
        </Transition>
    }
}

/// The sign-out button of the signed-in person.
#[component]
pub fn SignOut() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let logout = ServerAction::<Logout>::new();
    // A click before hydration would do nothing: the button waits for the app.
    let hydrated = crate::ui::hydrated();
    // Only a sign-out the server confirmed leaves the page: offline, the
    // cookie and this person's cached pages are still there, and the next
    // person at a shared tablet must not find them.
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            go_to("/logowanie");
        }
    });
    let failed = move || {
        matches!(logout.value().get(), Some(Err(_)))
            .then(|| view! { <span class="user-menu__error" role="alert">{t!(i18n, login.logout_failed)}</span> })
    };
    view! {
        <Transition>
            {move || {
                me.get().and_then(Result::ok).flatten().map(|_| view! {
                    <button type="button" class="button button--quiet" disabled=move || !hydrated.get()
                        on:click=move |_| { logout.dispatch(Logout {}); }>
                        {t!(i18n, login.logout)}
                    </button>
                    {failed}
                })
            }}
        </Transition>
    }
}

/// Checks a new password on the device with the server's rules; the
/// problem, if any, goes to `local` for the form to show.
fn new_password_ok(
    local: RwSignal<Option<Problem>>,
    email: &str,
    password: &str,
    repeat: &str,
) -> bool {
    let problem = match Email::parse(email) {
        Ok(email) => NewPassword::parse(password, &email)
            .err()
            // A typed mismatch is already shown under the second field.
            .or(repeat.is_empty().then_some(Problem::Mismatch)),
        // The server knows the address; let it decide.
        Err(_) => None,
    };
    local.set(problem);
    problem.is_none() && password == repeat
}

/// A new password typed twice, with a strength meter in words and a bar.
/// `problem` is the server's verdict on the password, if any.
#[component]
fn NewPasswordFields(
    email: Signal<String>,
    password: RwSignal<String>,
    repeat: RwSignal<String>,
    problem: Signal<Option<Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (new_field, repeat_field) = (NodeRef::new(), NodeRef::new());
    adopt_typed(new_field, password);
    adopt_typed(repeat_field, repeat);
    let level = move || {
        let typed = password.get();
        if typed.is_empty() {
            return None;
        }
        let email = Email::parse(&email.get()).ok()?;
        Some(strength(&typed, &email))
    };
    let level_text = move || {
        level().map(|level| match level {
            Strength::Refused => t_string!(i18n, password.strength_refused).to_string(),
            Strength::Fair => t_string!(i18n, password.strength_fair).to_string(),
            Strength::Strong => t_string!(i18n, password.strength_strong).to_string(),
        })
    };
    let level_value = move || match level() {
        None => 0,
        Some(Strength::Refused) => 1,
        Some(Strength::Fair) => 2,
        Some(Strength::Strong) => 3,
    };
    let mismatch = move || {
        let repeated = repeat.get();
        (!repeated.is_empty() && repeated != password.get())
            .then(|| problem_text(Problem::Mismatch))
    };
    view! {
        <div class="field">
            <label for="new-password">{t!(i18n, password.new_password)}</label>
            <input id="new-password" type="password" name="new-password" autocomplete="new-password" required
                aria-describedby="password-hint password-strength password-problem" bind:value=password node_ref=new_field />
            <span class="field__hint" id="password-hint">{t!(i18n, password.hint)}</span>
            <span class="strength" id="password-strength" aria-live="polite">
                <meter min="0" max="3" low="1.5" high="2.5" optimum="3" value=level_value aria-hidden="true"></meter>
                " "{t!(i18n, password.strength)}": "<strong>{level_text}</strong>
            </span>
            <span class="field__error" id="password-problem">{move || problem.get().map(problem_text)}</span>
        </div>
        <label class="field">
            <span>{t!(i18n, password.repeat)}</span>
            <input type="password" name="repeat-password" autocomplete="new-password" required bind:value=repeat node_ref=repeat_field />
            <span class="field__error">{mismatch}</span>
        </label>
    }
}

/// The page behind an invitation link: set a password, then be signed in.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let holder = Resource::new(token, password_link);
    let set = ServerAction::<SetPassword>::new();
    let ready = crate::ui::hydrated();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = set.value().get() {
            go_to("/");
        }
    });
    let local = RwSignal::new(None::<Problem>);
    let problem = Signal::derive(move || {
        local.get().or_else(|| match set.value().get() {
            Some(Err(AppError::Validation {
                field: Field::Password,
                problem,
            })) => Some(problem),
            _ => None,
        })
    });
    let failure = move || match set.value().get() {
        Some(Err(AppError::Validation { .. })) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(error_text(&error)),
    };
    view! {
        <Title text=move || t_string!(i18n, password.title).to_string() />
        <section class="narrow">
            <h1>{t!(i18n, password.title)}</h1>
            <Transition fallback=move || view! { <p>{t!(i18n, list.loading)}</p> }>
                {move || holder.get().map(|result| match result {
                    Ok(holder) => {
                        let email = Signal::stored(holder.email.clone());
                        view! {
                            <p>{t!(i18n, password.intro, name = holder.full_name.clone(), email = holder.email.clone())}</p>
                            <form class="form" novalidate on:submit=move |ev| {
                                ev.prevent_default();
                                if !new_password_ok(local, &email.get_untracked(), &password.get_untracked(), &repeat.get_untracked()) {
                                    return;
                                }
                                set.dispatch(SetPassword { token: token(), password: password.get_untracked() });
                            }>
                                <input type="text" name="username" autocomplete="username" value=holder.email hidden />
                                <NewPasswordFields email password repeat problem />
                                <p class="form__error" role="alert">{failure}</p>
                                <button type="submit" class="button" disabled=move || !ready.get() || set.pending().get()>
                                    {t!(i18n, password.submit)}
                                </button>
                            </form>
                        }.into_any()
                    }
                    Err(AppError::NotFound) => view! {
                        <p class="notice notice--error" role="alert">{t!(i18n, password.invalid_link)}</p>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// The signed-in person's account: name, e-mail, and changing the password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_me();
    let change = ServerAction::<ChangePassword>::new();
    let everywhere = ServerAction::<LogoutEverywhere>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = everywhere.value().get() {
            go_to("/logowanie");
        }
    });
    let everywhere_failed = move || match everywhere.value().get() {
        Some(Err(error)) => {
            Some(view! { <p class="form__error" role="alert">{error_text(&error)}</p> })
        }
        _ => None,
    };
    let ready = crate::ui::hydrated();
    let current = RwSignal::new(String::new());
    let current_field = NodeRef::new();
    adopt_typed(current_field, current);
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            password.set(String::new());
            repeat.set(String::new());
        }
    });
    let local = RwSignal::new(None::<Problem>);
    let problem = Signal::derive(move || {
        local.get().or_else(|| match change.value().get() {
            Some(Err(AppError::Validation {
                field: Field::Password,
                problem,
            })) => Some(problem),
            _ => None,
        })
    });
    let current_problem = move || match change.value().get() {
        Some(Err(AppError::Validation {
            field: Field::CurrentPassword,
            problem,
        })) => Some(problem_text(problem)),
        _ => None,
    };
    let outcome = move || match change.value().get() {
        Some(Ok(())) => {
            Some(view! { <p class="notice notice--ok">{t!(i18n, account.changed)}</p> }.into_any())
        }
        Some(Err(AppError::Validation { .. })) | None => None,
        Some(Err(error)) => {
            Some(view! { <p class="form__error">{error_text(&error)}</p> }.into_any())
        }
    };
    view! {
        <Title text=move || t_string!(i18n, account.title).to_string() />
        <section class="narrow">
            <h1>{t!(i18n, account.title)}</h1>
            <Transition fallback=move || view! { <p>{t!(i18n, list.loading)}</p> }>
                {move || me.get().map(|result| match result {
                    Ok(Some(person)) => {
                        let email = Signal::stored(person.email.clone());
                        view! {
                            <p><strong>{person.full_name}</strong>" · "{person.email.clone()}</p>
                            <h2>{t!(i18n, account.change_password)}</h2>
                            <form class="form" novalidate on:submit=move |ev| {
                                ev.prevent_default();
                                if !new_password_ok(local, &email.get_untracked(), &password.get_untracked(), &repeat.get_untracked()) {
                                    return;
                                }
                                change.dispatch(ChangePassword { current: current.get_untracked(), new: password.get_untracked() });
                            }>
                                <input type="text" name="username" autocomplete="username" value=person.email hidden />
                                <label class="field">
                                    <span>{t!(i18n, account.current)}</span>
                                    <input type="password" name="current-password" autocomplete="current-password" required bind:value=current node_ref=current_field />
                                    <span class="field__error">{current_problem}</span>
                                </label>
                                <NewPasswordFields email password repeat problem />
                                <div role="status">{outcome}</div>
                                <button type="submit" class="button" disabled=move || !ready.get() || change.pending().get()>
                                    {t!(i18n, account.submit)}
                                </button>
                            </form>
                            <h2>{t!(i18n, account.everywhere_title)}</h2>
                            <p>{t!(i18n, account.everywhere_intro)}</p>
                            {everywhere_failed}
                            <button type="button" class="button button--quiet" disabled=move || !ready.get() || everywhere.pending().get()
                                on:click=move |_| { everywhere.dispatch(LogoutEverywhere {}); }>
                                {t!(i18n, account.everywhere)}
                            </button>
                            <ForgetDevice />
                        }.into_any()
                    }
                    Ok(None) => view! { <ErrorNotice error=AppError::Unauthorized /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Signing out and taking this person's data off the device (a shared or
/// borrowed tablet). Only once everything made here is on the server.
#[component]
fn ForgetDevice() -> impl IntoView {
    let i18n = use_i18n();
    let sync = crate::sync::engine::use_sync();
    let logout = ServerAction::<Logout>::new();
    let ready = crate::ui::hydrated();
    let unsent = move || {
        sync.status.with(|s| {
            s.summary
                .as_ref()
                .is_some_and(|s| s.waiting + s.needs_attention > 0)
        })
    };
    // The session ends first: offline nothing is taken away.
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            // Kept (and sent at the next sign-in) if a change came in meanwhile.
            let _ = sync.forget_here();
            go_to("/logowanie");
        }
    });
    let failed = move || {
        matches!(logout.value().get(), Some(Err(_))).then(
            || view! { <p class="form__error" role="alert">{t!(i18n, login.logout_failed)}</p> },
        )
    };
    let forget = move |_| {
        // Checked again here: a change may have come in since the page drew.
        if !sync.holds_unsent() && crate::ui::confirm(t_string!(i18n, account.forget_confirm)) {
            logout.dispatch(Logout {});
        }
    };
    view! {
        <h2>{t!(i18n, account.forget_title)}</h2>
        <p>{t!(i18n, account.forget_intro)}</p>
        {move || unsent().then(|| view! { <p class="notice" role="status">{t!(i18n, account.forget_unsent)}</p> })}
        {failed}
        <button type="button" class="button button--quiet"
            disabled=move || !ready.get() || unsent() || logout.pending().get()
            on:click=forget>
            {t!(i18n, account.forget)}
        </button>
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
