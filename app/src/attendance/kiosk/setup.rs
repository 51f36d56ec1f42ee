//! Before the kiosk opens: why it cannot, and the PIN that will close it.

use super::*;
use crate::attendance::KioskOpening;
use crate::{
    errors::Problem,
    format,
    i18n::{t, t_string, use_i18n},
};

#[component]
pub(super) fn KioskUnopened(trouble: Unopened) -> impl IntoView {
    let i18n = use_i18n();
    let text = match trouble {
        Unopened::SignIn => t_string!(i18n, kiosk.sign_in),
        Unopened::NoMeeting => t_string!(i18n, kiosk.no_meeting),
        Unopened::ReadOnly => t_string!(i18n, kiosk.read_only),
        Unopened::NoClause => t_string!(i18n, kiosk.no_clause),
        Unopened::BadLink => t_string!(i18n, kiosk.bad_link),
        Unopened::Offline => t_string!(i18n, kiosk.offline_first),
        Unopened::Store => t_string!(i18n, sync.trouble_full),
    };
    let sign_in = (trouble == Unopened::SignIn)
        .then(|| view! { <p><a class="button" href="/logowanie">{t!(i18n, login.title)}</a></p> });
    view! {
        <section class="kiosk__panel">
            <h1>{t!(i18n, kiosk.title)}</h1>
            <div class="notice notice--error" role="alert"><p>{text}</p></div>
            {sign_in}
            <p><a href="/spotkania">{t!(i18n, meetings.back)}</a></p>
        </section>
    }
}

/// Title, date and place: all an attendee sees of the meeting.
#[component]
pub(super) fn MeetingHead(opening: KioskOpening) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || i18n.get_locale();
    let starts = opening.starts_at.clone();
    let ends = opening.ends_at.clone();
    let when = move || {
        let mut text = starts
            .as_deref()
            .map(|s| format::when(s, locale()))
            .unwrap_or_default();
        if let Some(ends) = ends.as_deref() {
            text.push('–');
            text.push_str(&format::clock(ends));
        }
        text
    };
    view! {
        <header class="kiosk__head">
            <p class="kiosk__kicker">{t!(i18n, kiosk.list)}</p>
            <h1>{opening.title.clone()}</h1>
            <p class="kiosk__meta">{when}{(!opening.place.is_empty()).then(|| format!(" · {}", opening.place))}</p>
        </header>
    }
}

#[component]
pub(super) fn Setup(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = config.get_untracked() else {
        return ().into_any();
    };
    let (pin, again) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let problem = RwSignal::new(None::<Problem>);
    let failed = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = pin.get_untracked();
        if !valid_pin(&typed) {
            problem.set(Some(Problem::NotAllowedChoice));
            browser::focus("kiosk-pin");
            return;
        }
        if typed != again.get_untracked() {
            problem.set(Some(Problem::Mismatch));
            browser::focus("kiosk-pin-again");
            return;
        }
        let Some(mut next) = config.get_untracked() else {
            return;
        };
        next.pin_hash = pin_hash(&next.salt, &typed);
        next.active = true;
        if save_config(&next).is_err() {
            failed.set(true);
            return;
        }
        browser::enter_full_screen();
        config.set(Some(next));
        stage.set(Stage::Active);
    };
    let pin_error = move || {
        problem.get().map(|p| {
            let text = match p {
                Problem::Mismatch => t_string!(i18n, kiosk.pin_mismatch).to_string(),
                _ => t_string!(i18n, kiosk.pin_invalid).to_string(),
            };
            view! { <span class="field__error" id="kiosk-pin-error">{text}</span> }
        })
    };
    view! {
        <section class="kiosk__panel">
            <MeetingHead opening=current.opening.clone() />
            <h2>{t!(i18n, kiosk.setup_title)}</h2>
            <p>{t!(i18n, kiosk.setup_lead)}</p>
            <form class="form kiosk__setup" on:submit=start autocomplete="off">
                <p class="field">
                    <PinInput id="kiosk-pin" error_id="kiosk-pin-error" value=pin
                        label=t_string!(i18n, kiosk.pin).to_string()
                        invalid=Signal::derive(move || problem.get().is_some()) />
                </p>
                <p class="field">
                    <PinInput id="kiosk-pin-again" error_id="kiosk-pin-error" value=again
                        label=t_string!(i18n, kiosk.pin_again).to_string()
                        invalid=Signal::derive(move || problem.get() == Some(Problem::Mismatch)) />
                    {pin_error}
                </p>
                {move || failed.get().then(|| view! {
                    <p class="notice notice--error" role="alert">{t!(i18n, sync.trouble_full)}</p>
                })}
                <p class="muted">{t!(i18n, kiosk.offline_note)}</p>
                <p><button type="submit" class="button button--large">{t!(i18n, kiosk.start)}</button></p>
            </form>
        </section>
    }
    .into_any()
}
