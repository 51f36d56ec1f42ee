//! What a program's coordinator sets for attendance lists: how long sign-ins
//! are kept, and the information clause attendees read in the kiosk. A
//! changed clause becomes a new version; sign-ins keep the version they saw.

use crate::{
    errors::{AppError, Field, Problem},
    i18n::{t, use_i18n},
    ui::{error_text, problem_text},
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Sign-ins are kept 1 to 240 months after their meeting.
pub const RETENTION_MONTHS: std::ops::RangeInclusive<i32> = 1..=240;
const MAX_SHORT: usize = 1_000;
const MAX_FULL: usize = 20_000;

/// Checks the settings as typed; the first refused field.
pub fn check(retention_months: i32, short_text: &str, full_text: &str) -> Result<(), AppError> {
    if !RETENTION_MONTHS.contains(&retention_months) {
        return Err(AppError::invalid(
            Field::RetentionMonths,
            Problem::NotAllowedChoice,
        ));
    }
    for (field, text, max) in [
        (Field::ClauseShort, short_text, MAX_SHORT),
        (Field::ClauseFull, full_text, MAX_FULL),
    ] {
        if text.trim().is_empty() {
            return Err(AppError::invalid(field, Problem::Required));
        }
        if text.chars().count() > max {
            return Err(AppError::invalid(field, Problem::TooLong));
        }
    }
    Ok(())
}

/// What was saved: the retention period and the clause version now in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSettings {
    pub retention_months: i32,
    pub clause_version: i32,
}

#[server(prefix = "/api", endpoint = "program-settings", input = Json, output = Json)]
pub async fn save_program_settings(
    program_id: Uuid,
    retention_months: i32,
    short_text: String,
    full_text: String,
) -> Result<SavedSettings, AppError> {
    use crate::server_context as ctx;
    ctx::as_actor(|actor, pool| async move {
        ssr::save(
            &pool,
            &actor,
            program_id,
            (retention_months, short_text.trim(), full_text.trim()),
            crate::clock::now(),
        )
        .await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{SavedSettings, check};
    use crate::{
        accounts::access::{Action, Actor, Target},
        audit,
        errors::AppError,
    };
    use sqlx::PgPool;
    use uuid::Uuid;

    /// Days a shortened retention period waits before it erases anything.
    pub const GRACE_DAYS: i64 = 30;

    /// Saves the retention period and clause as of `now` (seconds since the
    /// epoch). A shorter period starts erasing only after `GRACE_DAYS`; until
    /// then the longest period of the last `GRACE_DAYS` still holds.
    pub async fn save(
        pool: &PgPool,
        actor: &Actor,
        program_id: Uuid,
        (retention_months, short_text, full_text): (i32, &str, &str),
        now: i64,
    ) -> Result<SavedSettings, AppError> {
        if !actor.may(Action::Manage, Target::Program(program_id)) {
            return Err(AppError::Forbidden);
        }
        check(retention_months, short_text, full_text)?;
        let mut tx = pool.begin().await?;
        let grace_until = crate::format::instant_of(now + GRACE_DAYS * 86_400);
        let updated = sqlx::query(
            "update programs set
                 retention_grace_months = case
                     when $2 >= greatest(sign_in_retention_months,
                                         case when retention_grace_until > $3::timestamptz
                                              then retention_grace_months else 0 end)
                     then null
                     else greatest(sign_in_retention_months,
                                   case when retention_grace_until > $3::timestamptz
                                        then retention_grace_months else 0 end) end,
                 retention_grace_until = case
                     when $2 >= greatest(sign_in_retention_months,
                                         case when retention_grace_until > $3::timestamptz
                                              then retention_grace_months else 0 end)
                     then null
                     when $2 < sign_in_retention_months then $4::timestamptz
                     else retention_grace_until end,
                 sign_in_retention_months = $2
             where id = $1",
        )
        .bind(program_id)
        .bind(retention_months)
        .bind(crate::format::instant_of(now))
        .bind(&grace_until)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        let current: Option<(i32, String, String)> = sqlx::query_as(
            "select version, short_text, full_text from information_clauses
             where program_id = $1 order by version desc limit 1 for update",
        )
        .bind(program_id)
        .fetch_optional(&mut *tx)
        .await?;
        let clause_version = match current {
            Some((version, short, full)) if short == short_text && full == full_text => version,
            current => {
                let version = current.map_or(1, |(version, _, _)| version + 1);
                sqlx::query(
                    "insert into information_clauses (program_id, version, short_text, full_text)
                     values ($1, $2, $3, $4)",
                )
                .bind(program_id)
                .bind(version)
                .bind(short_text)
                .bind(full_text)
                .execute(&mut *tx)
                .await?;
                version
            }
        };
        audit::record(
            &mut tx,
            Some(actor.user_id),
            "program.settings",
            "program",
            program_id,
            serde_json::json!({ "retention_months": retention_months, "clause_version": clause_version }),
        )
        .await?;
        tx.commit().await?;
        Ok(SavedSettings {
            retention_months,
            clause_version,
        })
    }
}

/// The coordinator's form on the program page.
#[component]
pub fn ProgramSettings(
    program_id: Uuid,
    retention_months: i32,
    short_text: String,
    full_text: String,
    /// Called after a save, to show the program as it now is.
    saved: Callback<SavedSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The server's page shows the stored values too (`prop:` alone renders
    // nothing there): the attribute and the text are the first values.
    let months = RwSignal::new(retention_months.to_string());
    let short = RwSignal::new(short_text.clone());
    let full = RwSignal::new(full_text.clone());
    let ready = crate::ui::hydrated();
    let save = Action::new(move |(months, short, full): &(i32, String, String)| {
        save_program_settings(program_id, *months, short.clone(), full.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(settings)) = save.value().get() {
            saved.run(settings);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let months = months.get_untracked().trim().parse().unwrap_or(0);
        save.dispatch((months, short.get_untracked(), full.get_untracked()));
    };
    let problem = move |field: Field| {
        move || match save.value().get() {
            Some(Err(AppError::Validation { field: f, problem })) if f == field => {
                Some(problem_text(problem))
            }
            _ => None,
        }
    };
    let outcome = move || match save.value().get() {
        Some(Err(error)) if !matches!(error, AppError::Validation { .. }) => Some(view! {
            <p class="notice notice--error" role="alert">{error_text(&error)}</p>
        }),
        _ => None,
    };
    view! {
        <section class="panel" aria-labelledby="program-settings-heading">
            <h2 id="program-settings-heading">{t!(i18n, programs.settings)}</h2>
            <form class="form" on:submit=submit>
                <p class="field">
                    <label for="retention-months">{t!(i18n, programs.retention)}</label>
                    <span class="field__hint" id="retention-hint">{t!(i18n, programs.retention_hint)}</span>
                    <input id="retention-months" type="number" inputmode="numeric" min="1" max="240"
                        aria-describedby="retention-hint retention-error"
                        value=retention_months.to_string() prop:value=months
                        on:input=move |ev| months.set(event_target_value(&ev)) />
                    <span class="field__error" id="retention-error">{problem(Field::RetentionMonths)}</span>
                </p>
                <p class="field">
                    <label for="clause-short">{t!(i18n, programs.clause_short_label)}</label>
                    <span class="field__hint" id="clause-short-hint">{t!(i18n, programs.clause_short_hint)}</span>
                    <textarea id="clause-short" rows="4" aria-describedby="clause-short-hint clause-short-error"
                        prop:value=short on:input=move |ev| short.set(event_target_value(&ev))>{short_text}</textarea>
                    <span class="field__error" id="clause-short-error">{problem(Field::ClauseShort)}</span>
                </p>
                <p class="field">
                    <label for="clause-full">{t!(i18n, programs.clause_full_label)}</label>
                    <textarea id="clause-full" rows="12" aria-describedby="clause-full-error"
                        prop:value=full on:input=move |ev| full.set(event_target_value(&ev))>{full_text}</textarea>
                    <span class="field__error" id="clause-full-error">{problem(Field::ClauseFull)}</span>
                </p>
                {outcome}
                <p><button type="submit" class="button" disabled=move || !ready.get() || save.pending().get()>{t!(i18n, programs.settings_save)}</button></p>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_before_they_are_saved() {
        assert!(check(60, "Krótko.", "Długo.").is_ok());
        assert_eq!(
            check(0, "a", "b"),
            Err(AppError::invalid(
                Field::RetentionMonths,
                Problem::NotAllowedChoice
            ))
        );
        assert_eq!(
            check(241, "a", "b"),
            Err(AppError::invalid(
                Field::RetentionMonths,
                Problem::NotAllowedChoice
            ))
        );
        assert_eq!(
            check(12, "  ", "b"),
            Err(AppError::invalid(Field::ClauseShort, Problem::Required))
        );
        assert_eq!(
            check(12, "a", &"x".repeat(20_001)),
            Err(AppError::invalid(Field::ClauseFull, Problem::TooLong))
        );
    }
}
