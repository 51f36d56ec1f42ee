//! A sign-in on a meeting's attendance list (wpis na liście obecności), and
//! how each of its fields is checked — in the kiosk before it is saved, and
//! on the server before it is applied. Sign-ins are append-only: once made,
//! one is never edited, so two devices can never conflict over it.

use crate::{
    errors::Problem,
    kernel::fields::{is_utc_instant, short_text},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

pub const ENTITY: &str = "sign_in";

/// Fields every sign-in has.
pub const REQUIRED: [&str; 6] = [
    "meeting_id",
    "full_name",
    "clause_version",
    "image_consent",
    "signature",
    "signed_at",
];

/// Signature coordinates are quantized to whole numbers in 0..=SCALE.
pub const SCALE: u16 = 1000;
/// A drawn signature's size limit, in coordinates (x and y count separately).
pub const MAX_COORDINATES: usize = 4000;
pub const MAX_STROKES: usize = 100;

/// One stroke of a drawn signature: `[x, y, x, y, …]` on the pad's grid.
pub type Stroke = Vec<u16>;

/// How a person signed: strokes drawn on the pad, or a name typed by
/// someone who cannot draw (printed as such). On the wire and in storage
/// `{"kind": "drawn", "strokes": [[x, y, …], …]}` or
/// `{"kind": "typed", "name": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Signature {
    Drawn { strokes: Vec<Stroke> },
    Typed { name: String },
}

impl Signature {
    /// Parses and checks a signature: at least one stroke, each of whole
    /// coordinate pairs in 0..=1000, within the size limits; a typed name
    /// as a short text.
    pub fn parse(value: &Value) -> Result<Signature, Problem> {
        let object = value.as_object().ok_or(Problem::Required)?;
        match object.get("kind").and_then(Value::as_str) {
            Some("drawn") => {
                let strokes = object
                    .get("strokes")
                    .and_then(Value::as_array)
                    .ok_or(Problem::Required)?;
                if strokes.is_empty() {
                    return Err(Problem::Required);
                }
                if strokes.len() > MAX_STROKES {
                    return Err(Problem::TooLong);
                }
                // Counted before anything is converted: an oversized one costs little.
                let coordinates: usize = strokes
                    .iter()
                    .map(|stroke| stroke.as_array().map_or(0, Vec::len))
                    .sum();
                if coordinates > MAX_COORDINATES {
                    return Err(Problem::TooLong);
                }
                let strokes = strokes
                    .iter()
                    .map(stroke)
                    .collect::<Result<Vec<Stroke>, Problem>>()?;
                Ok(Signature::Drawn { strokes })
            }
            Some("typed") => {
                let name = short_text(object.get("name").unwrap_or(&Value::Null), true)?;
                Ok(Signature::Typed {
                    name: name.as_str().unwrap_or_default().to_owned(),
                })
            }
            _ => Err(Problem::Required),
        }
    }

    /// As stored and sent.
    pub fn to_value(&self) -> Value {
        match self {
            Signature::Drawn { strokes } => json!({ "kind": "drawn", "strokes": strokes }),
            Signature::Typed { name } => json!({ "kind": "typed", "name": name }),
        }
    }
}

fn stroke(value: &Value) -> Result<Stroke, Problem> {
    let coordinates = value.as_array().ok_or(Problem::NotAllowedChoice)?;
    if coordinates.len() < 2 || coordinates.len() % 2 != 0 {
        return Err(Problem::NotAllowedChoice);
    }
    coordinates
        .iter()
        .map(|c| {
            c.as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .filter(|c| *c <= SCALE)
                .ok_or(Problem::NotAllowedChoice)
        })
        .collect()
}

/// Why and when an entry was struck off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strike {
    pub reason: String,
    pub at: String,
}

/// A sign-in as the device holds it (checked when it was made): what the
/// list, the printout and the CSV read. Fields a record lacks read as empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub meeting_id: Uuid,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub function: String,
    /// Given only with its own consent.
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub image_consent: Option<bool>,
    /// Typed in from a paper list: the signature is on the paper.
    #[serde(default)]
    pub typed_later: bool,
    #[serde(default)]
    pub signature: Option<Signature>,
    #[serde(default)]
    pub signed_at: String,
    #[serde(default)]
    pub struck: Option<Strike>,
}

/// Checks one field and returns it normalized. Unknown fields are refused.
pub fn check_field(field: &str, value: &Value) -> Result<Value, Problem> {
    match field {
        "meeting_id" => value
            .as_str()
            .and_then(|id| Uuid::parse_str(id).ok())
            .map(|id| Value::String(id.to_string()))
            .ok_or(Problem::NotAllowedChoice),
        "full_name" => short_text(value, true),
        "organization" | "function" | "contact" => short_text(value, false),
        "clause_version" => match value.as_i64() {
            Some(version) if version >= 1 => Ok(value.clone()),
            _ => Err(Problem::NotAllowedChoice),
        },
        // The clause must be acknowledged; consents are an explicit yes or no.
        "clause_ack" => match value {
            Value::Bool(true) => Ok(value.clone()),
            _ => Err(Problem::Required),
        },
        "image_consent" | "contact_consent" | "typed_later" => match value {
            Value::Bool(_) => Ok(value.clone()),
            _ => Err(Problem::Required),
        },
        "signature" => Signature::parse(value).map(|signature| signature.to_value()),
        "struck" => strike(value),
        "signed_at" => match value.as_str() {
            Some(text) if is_utc_instant(text) => Ok(value.clone()),
            _ => Err(Problem::NotAllowedChoice),
        },
        _ => Err(Problem::NotAllowedChoice),
    }
}

/// A strike: `{"reason": "…", "at": "<UTC instant>"}`. A struck entry stays
/// on record (and in the audit log) but is not counted or printed.
fn strike(value: &Value) -> Result<Value, Problem> {
    let object = value.as_object().ok_or(Problem::Required)?;
    let reason = short_text(object.get("reason").unwrap_or(&Value::Null), true)?;
    let at = match object.get("at").and_then(Value::as_str) {
        Some(text) if is_utc_instant(text) => text.to_owned(),
        _ => return Err(Problem::NotAllowedChoice),
    };
    let mut out = Map::new();
    out.insert("reason".into(), reason);
    out.insert("at".into(), Value::String(at));
    Ok(Value::Object(out))
}

/// Whether `data` is a strike of an existing sign-in rather than a sign-in.
pub fn is_strike(data: &Map<String, Value>) -> bool {
    data.len() == 1 && data.contains_key("struck")
}

/// Whether the entry was typed in from a paper list (it has no signature
/// here: the signature is on the paper).
pub fn from_paper(data: &Map<String, Value>) -> bool {
    data.get("typed_later") == Some(&Value::Bool(true))
}

/// Checks a whole sign-in: required fields present, the clause acknowledged,
/// and contact data only with its own consent. Returns the offending field.
pub fn check_record(data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
    for field in REQUIRED {
        if field == "signature" && from_paper(data) {
            continue;
        }
        if data.get(field).is_none_or(Value::is_null) {
            return Err((field, Problem::Required));
        }
    }
    if data.get("clause_ack") != Some(&Value::Bool(true)) {
        return Err(("clause_ack", Problem::Required));
    }
    let contact = data
        .get("contact")
        .and_then(Value::as_str)
        .is_some_and(|c| !c.trim().is_empty());
    if contact && data.get("contact_consent") != Some(&Value::Bool(true)) {
        return Err(("contact_consent", Problem::Required));
    }
    Ok(())
}

/// Checks every field of `data`, then the whole; the normalized sign-in or
/// the first problem.
pub fn check(data: &Map<String, Value>) -> Result<Map<String, Value>, (String, Problem)> {
    let checked: Map<String, Value> = data
        .iter()
        .map(|(field, value)| {
            check_field(field, value)
                .map(|value| (field.clone(), value))
                .map_err(|problem| (field.clone(), problem))
        })
        .collect::<Result<_, _>>()?;
    check_record(&checked).map_err(|(field, problem)| (field.to_owned(), problem))?;
    Ok(checked)
}

/// Every problem of a sign-in being typed, by field, so a form can show
/// them all at once (the server stops at the first).
pub fn problems(data: &Map<String, Value>) -> std::collections::BTreeMap<String, Problem> {
    let mut out: std::collections::BTreeMap<String, Problem> = data
        .iter()
        .filter_map(|(field, value)| {
            check_field(field, value)
                .err()
                .map(|problem| (field.clone(), problem))
        })
        .collect();
    // The record checks stop at the first problem: each one found is
    // filled with a value that passes, so the next one shows.
    let mut rest = data.clone();
    for field in out.keys() {
        rest.insert(field.clone(), Value::Bool(true));
    }
    while let Err((field, problem)) = check_record(&rest) {
        out.entry(field.to_owned()).or_insert(problem);
        rest.insert(field.to_owned(), Value::Bool(true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sign_in() -> Map<String, Value> {
        json!({
            "meeting_id": "5a1e0000-0000-4000-8000-000000000401",
            "full_name": "  Anna Nowak ", "organization": "Koło Gospodyń Wiejskich",
            "function": "przewodnicząca", "clause_version": 1, "clause_ack": true,
            "image_consent": false, "signed_at": "2026-11-22T12:00:00Z",
            "signature": {"kind": "drawn", "strokes": [[0, 0, 500, 500, 1000, 1000]]},
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn a_complete_sign_in_passes_and_is_normalized() {
        let checked = check(&sign_in()).expect("valid");
        assert_eq!(checked["full_name"], "Anna Nowak");
    }

    #[test]
    fn the_clause_consents_and_signature_are_required() {
        let mut data = sign_in();
        data.remove("image_consent");
        assert_eq!(
            check(&data),
            Err(("image_consent".into(), Problem::Required))
        );
        let mut data = sign_in();
        data.insert("clause_ack".into(), json!(false));
        assert_eq!(check(&data), Err(("clause_ack".into(), Problem::Required)));
        let mut data = sign_in();
        data.insert("signature".into(), json!({"kind": "drawn", "strokes": []}));
        assert_eq!(check(&data), Err(("signature".into(), Problem::Required)));
        let mut data = sign_in();
        data.insert(
            "signature".into(),
            json!({"kind": "drawn", "strokes": [[0, 1001]]}),
        );
        assert_eq!(
            check(&data),
            Err(("signature".into(), Problem::NotAllowedChoice))
        );
        let mut data = sign_in();
        data.insert(
            "signature".into(),
            json!({"kind": "typed", "name": "Anna Nowak"}),
        );
        assert!(check(&data).is_ok());
    }

    #[test]
    fn a_form_learns_every_problem_at_once() {
        let mut data = sign_in();
        data.remove("full_name");
        data.remove("image_consent");
        data.insert("clause_ack".into(), json!(false));
        data.insert("contact".into(), json!("a@b.pl"));
        data.insert("organization".into(), json!("x".repeat(500)));
        let found = problems(&data);
        let fields: Vec<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "clause_ack",
                "contact_consent",
                "full_name",
                "image_consent",
                "organization"
            ]
        );
        assert_eq!(found["organization"], Problem::TooLong);
        assert!(problems(&sign_in()).is_empty());
    }

    #[test]
    fn an_entry_from_a_paper_list_has_no_signature_here() {
        let mut data = sign_in();
        data.remove("signature");
        assert_eq!(check(&data), Err(("signature".into(), Problem::Required)));
        data.insert("typed_later".into(), json!(true));
        assert!(check(&data).is_ok());
        assert!(from_paper(&data));
    }

    #[test]
    fn a_strike_needs_a_reason_and_a_time() {
        let strike = |value: Value| check_field("struck", &value);
        assert_eq!(
            strike(json!({"reason": " wpis podwójny ", "at": "2026-11-22T12:00:00Z"})),
            Ok(json!({"reason": "wpis podwójny", "at": "2026-11-22T12:00:00Z"}))
        );
        assert_eq!(
            strike(json!({"reason": " ", "at": "2026-11-22T12:00:00Z"})),
            Err(Problem::Required)
        );
        assert_eq!(
            strike(json!({"reason": "x", "at": "wczoraj"})),
            Err(Problem::NotAllowedChoice)
        );
        let data = json!({"struck": {"reason": "x"}});
        assert!(is_strike(data.as_object().expect("object")));
        assert!(!is_strike(&sign_in()));
    }

    #[test]
    fn contact_data_needs_its_own_consent() {
        let mut data = sign_in();
        data.insert("contact".into(), json!("anna@example.pl"));
        assert_eq!(
            check(&data),
            Err(("contact_consent".into(), Problem::Required))
        );
        data.insert("contact_consent".into(), json!(true));
        assert!(check(&data).is_ok());
    }
}
