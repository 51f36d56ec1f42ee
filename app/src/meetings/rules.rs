//! The meeting as the sync engine sees it: owned by its partnership's lead
//! library, edited field by field; notes merge line by line, tasks by item.

use super::model;
use crate::{
    errors::Problem,
    i18n::{Locale, td_string},
    sync::rules::{EntityRules, Kind, Owner},
};
use serde_json::{Map, Value};
use uuid::Uuid;

pub struct Meetings;

impl EntityRules for Meetings {
    fn name(&self) -> &'static str {
        model::ENTITY
    }

    fn kind(&self) -> Kind {
        Kind::Merged {
            text_fields: &model::TEXT_FIELDS,
            list_fields: &["tasks"],
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

    fn label(&self, locale: Locale) -> String {
        td_string!(locale, sync.entity_meeting).to_string()
    }

    fn field_label(&self, field: &str, locale: Locale) -> String {
        super::view::field_label(field, locale)
    }

    fn readable(&self, field: &str, value: &Value, locale: Locale) -> String {
        super::view::readable(field, value, locale)
    }

    fn page(&self, record_id: Uuid, _data: &Map<String, Value>) -> Option<String> {
        Some(format!("/spotkania/{record_id}"))
    }
}

/// The partnerships a person works with, kept on the device for offline forms.
pub struct Partnerships;

impl crate::sync::rules::Reference for Partnerships {
    fn name(&self) -> &'static str {
        super::PARTNERSHIPS
    }

    fn fetch(&self, offline: Vec<Uuid>) -> crate::sync::rules::ReferenceFuture {
        Box::pin(async move {
            let partnerships = super::api::my_partnerships(Some(offline)).await?;
            serde_json::to_value(partnerships).map_err(|_| crate::errors::AppError::Internal)
        })
    }
}
