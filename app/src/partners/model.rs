//! A partner's fields and their checks, run in the browser before a save and
//! on the server before the change is applied.

use crate::{
    accounts::model::Email,
    errors::Problem,
    kernel::fields::{choice, day, long_text, record_id, require, short_text},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub const ENTITY: &str = "partner";

/// Sectors in the order the interface lists them.
pub const SECTORS: [&str; 8] = [
    "local_government",
    "ngo",
    "school",
    "culture",
    "business",
    "informal_group",
    "local_leader",
    "other",
];

/// Merged line by line when two devices edit it.
pub const TEXT_FIELDS: [&str; 1] = ["notes"];
pub const REQUIRED: [&str; 3] = ["library_id", "name", "sector"];
/// Meetings confirmed (or ruled out) by the librarian, per partner.
const MAX_MEETINGS: usize = 1_000;

fn email(value: &Value) -> Result<Value, Problem> {
    match value.as_str().map(str::trim) {
        Some("") => Ok(Value::String(String::new())),
        Some(text) => Email::parse(text).map(|e| Value::String(e.as_str().to_owned())),
        None => Err(Problem::NotAllowedChoice),
    }
}

/// A phone number as people write it: digits, spaces, `+`, `-`, brackets.
fn phone(value: &Value) -> Result<Value, Problem> {
    let text = value.as_str().ok_or(Problem::NotAllowedChoice)?.trim();
    if text.is_empty() {
        return Ok(Value::String(String::new()));
    }
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if text.chars().count() > 30 {
        return Err(Problem::TooLong);
    }
    if !allowed || digits < 7 {
        return Err(Problem::NotAllowedChoice);
    }
    Ok(Value::String(text.to_owned()))
}

fn meeting_ids(value: &Value) -> Result<Value, Problem> {
    let list = value.as_array().ok_or(Problem::NotAllowedChoice)?;
    if list.len() > MAX_MEETINGS {
        return Err(Problem::TooLong);
    }
    let mut ids: Vec<Value> = list.iter().map(record_id).collect::<Result<_, _>>()?;
    ids.dedup();
    Ok(Value::Array(ids))
}

/// Checks one field and returns it normalized. Unknown fields are refused.
pub fn check_field(field: &str, value: &Value) -> Result<Value, Problem> {
    match field {
        "library_id" => record_id(value),
        "name" => short_text(value, true),
        "sector" => choice(value, &SECTORS),
        "contact_person" | "role" => short_text(value, false),
        "email" => email(value),
        "phone" => phone(value),
        "member_since" => day(value, false),
        "notes" => long_text(value),
        "attended" | "dismissed" => meeting_ids(value),
        _ => Err(Problem::NotAllowedChoice),
    }
}

/// Checks a whole partner (a new one, or after a merge).
pub fn check_record(data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
    require(data, &REQUIRED)
}

/// A partner as the device holds it (checked when it was saved): what the
/// list and the partner page read. Fields a record lacks read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Partner {
    pub library_id: Option<Uuid>,
    pub name: String,
    pub sector: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
    pub role: String,
    /// A day, `YYYY-MM-DD`, or empty.
    pub member_since: String,
    pub notes: String,
    /// Meetings the librarian confirmed it attended, and ones she ruled out.
    pub attended: Vec<Uuid>,
    pub dismissed: Vec<Uuid>,
}

impl Partner {
    /// A text field by its name, for the screens that list fields.
    pub fn text(&self, field: &str) -> &str {
        match field {
            "name" => &self.name,
            "sector" => &self.sector,
            "contact_person" => &self.contact_person,
            "email" => &self.email,
            "phone" => &self.phone,
            "role" => &self.role,
            "member_since" => &self.member_since,
            "notes" => &self.notes,
            _ => "",
        }
    }
}

/// An organization's name as sign-ins write it, for matching: case, spacing,
/// quotes and punctuation do not count ("Koło Gospodyń  Wiejskich" =
/// "koło gospodyń wiejskich", "Szkoła Podstawowa nr 1" = "szkoła podstawowa nr. 1").
pub fn match_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .filter(|word| !matches!(*word, "nr"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_checked_and_normalized() {
        assert_eq!(
            check_field("email", &json!(" Ewa@Gmina.PL ")),
            Ok(json!("ewa@gmina.pl"))
        );
        assert_eq!(check_field("email", &json!("")), Ok(json!("")));
        assert_eq!(
            check_field("email", &json!("ewa@")),
            Err(Problem::NotAnEmail)
        );
        assert_eq!(
            check_field("phone", &json!(" +48 81 123-45-67 ")),
            Ok(json!("+48 81 123-45-67"))
        );
        assert_eq!(
            check_field("phone", &json!("call me")),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(
            check_field("sector", &json!("church")),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(check_field("member_since", &json!("")), Ok(Value::Null));
        assert_eq!(
            check_field("member_since", &json!("1.01.2024")),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(check_field("name", &json!("  ")), Err(Problem::Required));
        assert_eq!(
            check_field("attended", &json!(["nope"])),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(
            check_field("salary", &json!(1)),
            Err(Problem::NotAllowedChoice)
        );
    }

    #[test]
    fn a_partner_needs_a_library_a_name_and_a_sector() {
        let mut data = Map::new();
        data.insert(
            "library_id".into(),
            json!("5a1e0000-0000-4000-8000-000000000001"),
        );
        data.insert("name".into(), json!("Urząd Gminy"));
        assert_eq!(check_record(&data), Err(("sector", Problem::Required)));
        data.insert("sector".into(), json!("local_government"));
        assert_eq!(check_record(&data), Ok(()));
    }

    #[test]
    fn organization_names_match_without_case_spacing_or_punctuation() {
        assert_eq!(
            match_key("Koło Gospodyń  Wiejskich"),
            match_key("koło gospodyń wiejskich")
        );
        assert_eq!(
            match_key("Szkoła Podstawowa nr 1"),
            match_key("„Szkoła Podstawowa” nr. 1")
        );
        assert_ne!(
            match_key("Szkoła Podstawowa nr 1"),
            match_key("Szkoła Podstawowa nr 2")
        );
    }
}
