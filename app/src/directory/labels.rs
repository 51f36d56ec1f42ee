//! How a program and an account's state are named wherever they appear.

use super::AccountStatus;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

/// A program's name with its round, if it has one.
pub fn program_label(name: &str, round: Option<&str>) -> String {
    match round {
        Some(round) => format!("{name} — {round}"),
        None => name.to_owned(),
    }
}

/// An account's state in words (never by colour alone).
#[component]
pub fn StatusBadge(status: AccountStatus) -> impl IntoView {
    let i18n = use_i18n();
    let (class, text) = match status {
        AccountStatus::Active => ("badge badge--ok", t!(i18n, people.status_active).into_any()),
        AccountStatus::Invited => (
            "badge badge--wait",
            t!(i18n, people.status_invited).into_any(),
        ),
        AccountStatus::Deactivated => (
            "badge badge--off",
            t!(i18n, people.status_deactivated).into_any(),
        ),
    };
    view! { <span class=class>{text}</span> }
}
