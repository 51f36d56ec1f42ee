//! The partner as the sync engine sees it: owned by its library, edited
//! field by field; notes merge line by line, its meeting lists by id.

use super::model;
use crate::{
    errors::Problem,
    i18n::{Locale, td_string},
    sync::rules::{EntityRules, Kind, Owner},
};
use serde_json::{Map, Value};
use uuid::Uuid;

pub struct Partners;

impl EntityRules for Partners {
    fn name(&self) -> &'static str {
        model::ENTITY
    }

    fn kind(&self) -> Kind {
        Kind::Merged {
            text_fields: &model::TEXT_FIELDS,
            list_fields: &["attended", "dismissed"],
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

    fn label(&self, locale: Locale) -> String {
        td_string!(locale, sync.entity_partner).to_string()
    }

    fn field_label(&self, field: &str, locale: Locale) -> String {
        match field {
            "library_id" => td_string!(locale, partners.library),
            "name" => td_string!(locale, partners.name),
            "sector" => td_string!(locale, partners.sector),
            "contact_person" => td_string!(locale, partners.contact_person),
            "email" => td_string!(locale, partners.email),
            "phone" => td_string!(locale, partners.phone),
            "role" => td_string!(locale, partners.role),
            "member_since" => td_string!(locale, partners.member_since),
            "notes" => td_string!(locale, partners.notes),
            _ => td_string!(locale, partners.meetings),
        }
        .to_string()
    }

    fn title_field(&self) -> &'static str {
        "name"
    }

    fn page(&self, record_id: Uuid, _data: &Map<String, Value>) -> Option<String> {
        Some(format!("/partnerzy/{record_id}"))
    }
}
