//! The development plan as the sync engine sees it: one per partnership
//! (its id is the partnership's), edited field by field; its texts merge
//! line by line, its actions and approved versions by item.

use super::model;
use crate::{
    errors::Problem,
    i18n::{Locale, td_string},
    sync::rules::{EntityRules, Kind, Owner},
};
use serde_json::{Map, Value};
use uuid::Uuid;

pub struct Plans;

impl EntityRules for Plans {
    fn name(&self) -> &'static str {
        model::ENTITY
    }

    fn kind(&self) -> Kind {
        Kind::Merged {
            text_fields: &model::TEXT_FIELDS,
            list_fields: &["actions", "approved"],
        }
    }

    fn owner(&self) -> Owner {
        Owner::Partnership("partnership_id")
    }

    fn check_field(&self, field: &str, value: &Value) -> Result<Value, Problem> {
        model::check_field(field, value)
    }

    fn check_record(&self, data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
        model::check_record(data)
    }

    /// One plan per partnership: a new plan's id is its partnership's.
    /// Approvals are appended: the versions stored stay first, unchanged,
    /// whatever a stale or altered device sends.
    #[cfg(feature = "ssr")]
    fn may_write(
        &self,
        check: &crate::sync::rules::WriteCheck<'_>,
    ) -> Result<(), crate::sync::rules::Refusal> {
        use crate::sync::rules::Refusal;
        if check.creating && check.uuid("partnership_id") != Some(check.mutation.record_id) {
            return Err(Refusal::invalid(
                "partnership_id",
                Problem::NotAllowedChoice,
            ));
        }
        self.may_touch(check)?;
        if let Some(before) = check.before
            && !model::keeps_versions(before.get("approved"), check.data.get("approved"))
        {
            return Err(Refusal::invalid("approved", Problem::Approved));
        }
        Ok(())
    }

    fn label(&self, locale: Locale) -> String {
        td_string!(locale, sync.entity_plan).to_string()
    }

    fn field_label(&self, field: &str, locale: Locale) -> String {
        match field {
            "diagnosis" => td_string!(locale, plans.diagnosis),
            "vision" => td_string!(locale, plans.vision),
            "goals" => td_string!(locale, plans.goals),
            "evaluation" => td_string!(locale, plans.evaluation),
            "actions" => td_string!(locale, plans.actions),
            "approved" => td_string!(locale, plans.versions),
            _ => td_string!(locale, meetings.partnership),
        }
        .to_string()
    }

    fn title_field(&self) -> &'static str {
        ""
    }

    fn page(&self, record_id: Uuid, _data: &Map<String, Value>) -> Option<String> {
        Some(format!("/plany/{record_id}"))
    }
}
