//! The consultation (hours of support) as the sync engine sees it: owned by
//! its library, logged by a tutor assigned to it in a program it takes part
//! in, edited field by field.

use super::model;
use crate::{
    errors::Problem,
    i18n::{Locale, td_string},
    sync::rules::{EntityRules, Kind, Owner},
};
use serde_json::{Map, Value};
use uuid::Uuid;

pub struct Consultations;

/// Which libraries take part in which programs, and with which tutors.
#[cfg(feature = "ssr")]
#[derive(Default)]
struct Assignments {
    taking_part: std::collections::HashSet<(Uuid, Uuid)>,
    tutors: std::collections::HashSet<(Uuid, Uuid, Uuid)>,
}

impl EntityRules for Consultations {
    fn name(&self) -> &'static str {
        model::ENTITY
    }

    fn kind(&self) -> Kind {
        Kind::Merged {
            text_fields: &model::TEXT_FIELDS,
            list_fields: &[],
        }
    }

    fn owner(&self) -> Owner {
        Owner::Library("library_id")
    }

    fn check_field(&self, field: &str, value: &Value) -> Result<Value, Problem> {
        model::check_field(field, value)
    }

    fn check_record(&self, data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
        model::check_record(data)
    }

    /// A meeting it names must be one of its library's.
    fn linked(&self) -> &'static [(&'static str, &'static str)] {
        &[("meeting_id", crate::meetings::model::ENTITY)]
    }

    /// The library's people and coordinators, and the tutor for her own hours.
    #[cfg(feature = "ssr")]
    fn may_touch(
        &self,
        check: &crate::sync::rules::WriteCheck<'_>,
    ) -> Result<(), crate::sync::rules::Refusal> {
        use crate::accounts::access::{Action, Target};
        let own_hours = check
            .actor
            .may(Action::LogHours, Target::Library(check.library_id))
            && check.uuid("tutor_id") == Some(check.actor.user_id);
        if own_hours {
            return Ok(());
        }
        check.may_edit_library()
    }

    /// In a program the library takes part in, by a tutor assigned to it
    /// there; a meeting it names (when set) is one of the library's.
    #[cfg(feature = "ssr")]
    fn may_write(
        &self,
        check: &crate::sync::rules::WriteCheck<'_>,
    ) -> Result<(), crate::sync::rules::Refusal> {
        use crate::sync::rules::Refusal;
        self.may_touch(check)?;
        let empty = Assignments::default();
        let known = check.facts::<Assignments>().unwrap_or(&empty);
        let library = check.library_id;
        let program = check.uuid("program_id").unwrap_or_default();
        let tutor = check.uuid("tutor_id").unwrap_or_default();
        if !known.taking_part.contains(&(library, program)) {
            return Err(Refusal::invalid("program_id", Problem::NotAllowedChoice));
        }
        if !known.tutors.contains(&(library, program, tutor)) {
            return Err(Refusal::invalid("tutor_id", Problem::NotAllowedChoice));
        }
        // Checked when set (the meeting was loaded with the batch).
        if let Some(meeting) = crate::sync::rules::uuid_in(&check.mutation.data, "meeting_id")
            && (check.linked)(crate::meetings::model::ENTITY, meeting) != Some(library)
        {
            return Err(Refusal::invalid("meeting_id", Problem::NotAllowedChoice));
        }
        Ok(())
    }

    #[cfg(feature = "ssr")]
    fn facts<'a>(
        &'a self,
        tx: &'a mut sqlx::PgConnection,
        libraries: &'a [Uuid],
    ) -> crate::sync::rules::server::FactsFuture<'a> {
        Box::pin(async move {
            let taking_part: Vec<(Uuid, Uuid)> = sqlx::query_as(
                "select library_id, program_id from program_libraries where library_id = any($1)",
            )
            .bind(libraries)
            .fetch_all(&mut *tx)
            .await?;
            let tutors: Vec<(Uuid, Uuid, Uuid)> = sqlx::query_as(
                "select library_id, program_id, tutor_id from tutor_assignments
                 where library_id = any($1)",
            )
            .bind(libraries)
            .fetch_all(&mut *tx)
            .await?;
            let facts = Assignments {
                taking_part: taking_part.into_iter().collect(),
                tutors: tutors.into_iter().collect(),
            };
            Ok(Some(Box::new(facts) as crate::sync::rules::server::Facts))
        })
    }

    fn label(&self, locale: Locale) -> String {
        td_string!(locale, sync.entity_consultation).to_string()
    }

    fn field_label(&self, field: &str, locale: Locale) -> String {
        match field {
            "library_id" => td_string!(locale, hours.library),
            "program_id" => td_string!(locale, hours.program),
            "tutor_id" | "tutor_name" => td_string!(locale, hours.tutor),
            "date" => td_string!(locale, hours.date),
            "minutes" => td_string!(locale, hours.duration),
            "mode" => td_string!(locale, hours.mode),
            "topic" => td_string!(locale, hours.topic),
            "meeting_id" => td_string!(locale, hours.meeting),
            _ => td_string!(locale, attendance.notes),
        }
        .to_string()
    }

    fn title_field(&self) -> &'static str {
        "topic"
    }

    fn page(&self, _record_id: Uuid, _data: &Map<String, Value>) -> Option<String> {
        Some("/godziny".to_owned())
    }
}

/// The libraries a person works with (their programs and tutors), kept on
/// the device for the offline hours form.
pub struct Libraries;

impl crate::sync::rules::Reference for Libraries {
    fn name(&self) -> &'static str {
        super::LIBRARIES
    }

    fn fetch(&self, offline: Vec<Uuid>) -> crate::sync::rules::ReferenceFuture {
        Box::pin(async move {
            let libraries = super::api::my_libraries(Some(offline)).await?;
            serde_json::to_value(libraries).map_err(|_| crate::errors::AppError::Internal)
        })
    }
}
