//! The open kiosk: the form, the thanks, and leaving with the PIN.

use super::*;
use crate::attendance::{
    Clause, KioskOpening,
    model::{Signature, Stroke},
    signature::SignaturePad,
};
use crate::{
    errors::Problem,
    i18n::{t, t_string, use_i18n},
    sync::engine::{SyncEngine, use_sync},
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[component]
pub(super) fn Active(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
    link: SyncEngine,
    waiting: Memo<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = config.get_untracked() else {
        return ().into_any();
    };
    // Each person gets a new form: nothing typed before survives in it.
    let person = RwSignal::new(0u32);
    let thanks = RwSignal::new(false);
    let leaving = RwSignal::new(false);
    browser::trap_back_button();
    let sync = use_sync();
    let saved = Callback::new(move |data: Map<String, Value>| -> bool {
        let Some(config) = config.get_untracked() else {
            return false;
        };
        if store_sign_in(&config, sync, link, data).is_err() {
            return false;
        }
        thanks.set(true);
        browser::after(THANKS_MS, move || {
            if thanks.get_untracked() {
                thanks.set(false);
                person.update(|n| *n += 1);
            }
        });
        true
    });
    let next = move |_| {
        thanks.set(false);
        person.update(|n| *n += 1);
        browser::focus("kiosk-full_name");
    };
    // The link expired or was revoked: the sign-ins stay here until the
    // tablet opens a new link.
    let expired =
        move || link.status.get().trouble == Some(crate::sync::engine::Trouble::SignedOut);
    let opening = current.opening.clone();
    view! {
        <div class="kiosk__bar">
            <p class="kiosk__waiting" role="status">
                {move || waiting_sentence(waiting.get())}
            </p>
            <button type="button" class="button button--quiet kiosk__finish"
                on:click=move |_| { leaving.set(true); browser::focus("kiosk-exit-pin"); }>
                {t!(i18n, kiosk.finish)}
            </button>
        </div>
        {move || expired().then(|| view! {
            <p class="notice notice--error kiosk__expired" role="alert">{t!(i18n, kiosk.link_expired)}</p>
        })}
        {move || {
            if leaving.get() {
                view! { <Leave config stage leaving /> }.into_any()
            } else if thanks.get() {
                view! {
                    <section class="kiosk__panel kiosk__thanks" role="status" aria-live="assertive">
                        <p class="kiosk__thanks-text">{t!(i18n, kiosk.thanks)}</p>
                        <p>{t!(i18n, kiosk.thanks_next)}</p>
                        <p><button type="button" class="button button--large" on:click=next>{t!(i18n, kiosk.next_person)}</button></p>
                    </section>
                }.into_any()
            } else {
                person.track();
                view! { <SignInForm opening=opening.clone() saved /> }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
pub(super) fn SignInForm(
    opening: KioskOpening,
    saved: Callback<Map<String, Value>, bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let entry = Entry::new();
    let strokes = RwSignal::new(Vec::<Stroke>::new());
    let too_long = RwSignal::new(false);
    let typed_instead = RwSignal::new(false);
    let typed_name = RwSignal::new(String::new());
    let failed = RwSignal::new(false);
    let clause = opening.clause.clone().unwrap_or(Clause {
        version: 0,
        short_text: String::new(),
        full_text: String::new(),
    });
    let meeting = opening.meeting_id;
    let version_clause = clause.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut data = entry.data(meeting, &version_clause);
        if typed_instead.get_untracked() {
            let name = typed_name.get_untracked();
            if !name.trim().is_empty() {
                data.insert("signature".into(), Signature::Typed { name }.to_value());
            }
        } else {
            let strokes = strokes.get_untracked();
            if !strokes.is_empty() {
                data.insert("signature".into(), Signature::Drawn { strokes }.to_value());
            }
        }
        if typed_instead.get_untracked() && !data.contains_key("signature") {
            // Points the attendee at the field to type in.
            entry
                .problems
                .set(BTreeMap::from([("signature".into(), Problem::Required)]));
            browser::focus("kiosk-typed_name");
            return;
        }
        if !entry.checked(&data, "kiosk") {
            return;
        }
        failed.set(!saved.run(data));
    };
    let clear = move |_| {
        strokes.set(Vec::new());
        too_long.set(false);
    };
    let signature_error = move || {
        let missing = entry.problem("signature").get().is_some();
        if too_long.get() {
            Some(t_string!(i18n, kiosk.signature_too_long).to_string())
        } else if missing {
            Some(t_string!(i18n, kiosk.signature_missing).to_string())
        } else {
            None
        }
    };
    let pad_label = Signal::derive(move || t_string!(i18n, kiosk.signature_pad).to_string());
    view! {
        <MeetingHead opening=opening.clone() />
        <form class="form kiosk__form" on:submit=submit autocomplete="off" novalidate=true>
            <p class="muted">{t!(i18n, kiosk.required_note)}</p>
            <TextInput id="kiosk-full_name" label=t_string!(i18n, kiosk.full_name).to_string()
                value=entry.full_name problem=entry.problem("full_name") required=true />
            <div class="form-grid">
                <TextInput id="kiosk-organization" label=t_string!(i18n, kiosk.organization).to_string()
                    value=entry.organization problem=entry.problem("organization") />
                <TextInput id="kiosk-function" label=t_string!(i18n, kiosk.function).to_string()
                    value=entry.function problem=entry.problem("function") />
            </div>
            <TextInput id="kiosk-contact" label=t_string!(i18n, kiosk.contact).to_string()
                value=entry.contact problem=entry.problem("contact") />
            <p class="check" hidden=move || entry.contact.with(|c| c.trim().is_empty())>
                <input type="checkbox" id="kiosk-contact_consent"
                    aria-describedby="kiosk-contact_consent-error"
                    prop:checked=entry.contact_consent
                    on:change=move |ev| entry.contact_consent.set(event_target_checked(&ev)) />
                <label for="kiosk-contact_consent">{t!(i18n, kiosk.contact_consent)}</label>
            </p>
            <FieldError id="kiosk-contact_consent-error".into() problem=entry.problem("contact_consent")
                text=Signal::derive(move || t_string!(i18n, kiosk.contact_consent_missing).to_string()) />
            <ClauseAck entry clause=clause.clone() prefix="kiosk" />
            <ImageConsent entry prefix="kiosk" />
            <fieldset class="signature-field">
                <legend>{t!(i18n, kiosk.signature)} " *"</legend>
                <div hidden=move || typed_instead.get()>
                    <p class="muted" id="kiosk-signature-hint">{t!(i18n, kiosk.signature_hint)}</p>
                    <div id="kiosk-signature" tabindex="-1" class="signature-field__pad">
                        <SignaturePad strokes too_long label=pad_label described_by="kiosk-signature-hint kiosk-signature-error".into() />
                    </div>
                    <p><button type="button" class="button button--quiet" on:click=clear>{t!(i18n, kiosk.clear)}</button></p>
                </div>
                <p class="check">
                    <input type="checkbox" id="kiosk-typed_instead"
                        prop:checked=typed_instead
                        on:change=move |ev| typed_instead.set(event_target_checked(&ev)) />
                    <label for="kiosk-typed_instead">{t!(i18n, kiosk.typed_instead)}</label>
                </p>
                <div hidden=move || !typed_instead.get()>
                    <p class="field">
                        <label for="kiosk-typed_name">{t!(i18n, kiosk.typed_name)}</label>
                        <input id="kiosk-typed_name" type="text" maxlength="200" autocomplete="off"
                            aria-describedby="kiosk-signature-error"
                            prop:value=typed_name on:input=move |ev| typed_name.set(event_target_value(&ev)) />
                    </p>
                </div>
                <span class="field__error" id="kiosk-signature-error" role="alert">{signature_error}</span>
            </fieldset>
            {move || failed.get().then(|| view! {
                <p class="notice notice--error" role="alert">{t!(i18n, kiosk.not_saved)}</p>
            })}
            <p><button type="submit" class="button button--large kiosk__submit">{t!(i18n, kiosk.submit)}</button></p>
        </form>
    }
}

/// Leaving the kiosk needs the PIN set when it was opened.
/// A PIN field: digits on a tablet's number pad, hidden, never remembered.
#[component]
pub(super) fn PinInput(
    id: &'static str,
    error_id: &'static str,
    label: String,
    value: RwSignal<String>,
    invalid: Signal<bool>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="password" inputmode="numeric" maxlength="8" autocomplete="off"
            aria-describedby=error_id aria-invalid=move || invalid.get().to_string()
            prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
    }
}

#[component]
pub(super) fn Leave(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
    leaving: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pin = RwSignal::new(String::new());
    let wrong = RwSignal::new(false);
    let leave = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(mut current) = config.get_untracked() else {
            return;
        };
        if pin_hash(&current.salt, &pin.get_untracked()) != current.pin_hash {
            wrong.set(true);
            pin.set(String::new());
            browser::focus("kiosk-exit-pin");
            return;
        }
        current.active = false;
        // Not saved: the next reload asks for setup again, which is fine.
        let _ = save_config(&current);
        browser::leave_full_screen();
        browser::release_back_button();
        config.set(Some(current));
        stage.set(Stage::Closed);
    };
    view! {
        <section class="kiosk__panel" aria-labelledby="kiosk-exit-heading">
            <h2 id="kiosk-exit-heading">{t!(i18n, kiosk.finish_title)}</h2>
            <form class="form" on:submit=leave autocomplete="off">
                <p class="field">
                    <PinInput id="kiosk-exit-pin" error_id="kiosk-exit-error" value=pin
                        label=t_string!(i18n, kiosk.finish_pin).to_string()
                        invalid=Signal::from(wrong) />
                    <span class="field__error" id="kiosk-exit-error">
                        {move || wrong.get().then(|| t_string!(i18n, kiosk.finish_wrong))}
                    </span>
                </p>
                <p class="button-row">
                    <button type="submit" class="button">{t!(i18n, kiosk.finish_confirm)}</button>
                    <button type="button" class="button button--quiet" on:click=move |_| leaving.set(false)>
                        {t!(i18n, kiosk.back_to_form)}
                    </button>
                </p>
            </form>
        </section>
    }
}

#[component]
pub(super) fn Closed(
    config: RwSignal<Option<KioskConfig>>,
    stage: RwSignal<Stage>,
    waiting: Memo<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(current) = config.get_untracked() else {
        return ().into_any();
    };
    let meeting = current.opening.meeting_id;
    let own_device = current.user.is_some();
    view! {
        <section class="kiosk__panel">
            <h1>{t!(i18n, kiosk.closed_title)}</h1>
            <p role="status">
                {move || waiting_sentence(waiting.get())}
            </p>
            <p class="button-row">
                {own_device.then(|| view! {
                    <a class="button" href=format!("/spotkania/{meeting}/obecnosc")>{t!(i18n, kiosk.to_list)}</a>
                })}
                <button type="button" class="button button--quiet" on:click=move |_| stage.set(Stage::Setup)>
                    {t!(i18n, kiosk.reopen)}
                </button>
            </p>
        </section>
    }
    .into_any()
}
