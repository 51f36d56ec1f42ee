//! A meeting's fields and how each one is checked. The sync engine carries
//! meetings as JSON objects; every field a device sends passes `check_field`
//! in the browser before it is saved and again on the server before it is
//! applied, so an invalid meeting cannot exist past either edge.

use crate::{
    errors::Problem,
    kernel::fields::{choice, instant, is_day, long_text, record_id, require, short_text},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub const ENTITY: &str = "meeting";

/// Long texts merged line by line when two devices edit them.
pub const TEXT_FIELDS: [&str; 4] = ["agenda", "minutes", "decisions", "next_meeting"];

pub const KINDS: [&str; 7] = [
    "initiating",
    "working",
    "summary",
    "webinar",
    "study_visit",
    "seminar",
    "consultation",
];
pub const STATUSES: [&str; 3] = ["draft", "held", "approved"];
pub const TASK_STATUSES: [&str; 3] = ["open", "in_progress", "done"];

/// A task agreed at a meeting (an item of its `tasks` list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Task {
    pub id: Uuid,
    pub title: String,
    pub owner: String,
    /// A day, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub status: String,
}

/// A meeting as the device holds it (checked when it was saved): what the
/// lists and other features read. Fields a record lacks read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Meeting {
    pub partnership_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    /// UTC instants, `YYYY-MM-DDTHH:MM:SSZ`.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub facilitator: String,
    /// Empty for a draft.
    pub status: String,
    pub agenda: String,
    pub minutes: String,
    pub decisions: String,
    pub next_meeting: String,
    pub tasks: Vec<Task>,
}

/// Fields a new meeting must have.
pub const REQUIRED: [&str; 4] = ["partnership_id", "kind", "title", "starts_at"];

const MAX_TASKS: usize = 200;

fn tasks(value: &Value) -> Result<Value, Problem> {
    let list = value.as_array().ok_or(Problem::NotAllowedChoice)?;
    if list.len() > MAX_TASKS {
        return Err(Problem::TooLong);
    }
    let mut checked = Vec::with_capacity(list.len());
    for task in list {
        let task = task.as_object().ok_or(Problem::NotAllowedChoice)?;
        let id = task
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| Uuid::parse_str(id).ok())
            .ok_or(Problem::NotAllowedChoice)?;
        let deadline = match task.get("deadline").unwrap_or(&Value::Null) {
            Value::Null => Value::Null,
            Value::String(day) if is_day(day) => Value::String(day.clone()),
            _ => return Err(Problem::NotAllowedChoice),
        };
        let mut out = Map::new();
        out.insert("id".into(), Value::String(id.to_string()));
        out.insert(
            "title".into(),
            short_text(task.get("title").unwrap_or(&Value::Null), true)?,
        );
        out.insert(
            "owner".into(),
            short_text(
                task.get("owner").unwrap_or(&Value::String(String::new())),
                false,
            )?,
        );
        out.insert("deadline".into(), deadline);
        out.insert(
            "status".into(),
            choice(task.get("status").unwrap_or(&Value::Null), &TASK_STATUSES)?,
        );
        checked.push(Value::Object(out));
    }
    Ok(Value::Array(checked))
}

/// Checks one field and returns it normalized (trimmed titles, tasks with
/// only known keys). Unknown fields are refused.
pub fn check_field(field: &str, value: &Value) -> Result<Value, Problem> {
    match field {
        "partnership_id" => record_id(value),
        "kind" => choice(value, &KINDS),
        "status" => choice(value, &STATUSES),
        "title" => short_text(value, true),
        "place" | "facilitator" => short_text(value, false),
        "starts_at" => instant(value, true),
        "ends_at" => instant(value, false),
        "agenda" | "minutes" | "decisions" | "next_meeting" => long_text(value),
        "tasks" => tasks(value),
        _ => Err(Problem::NotAllowedChoice),
    }
}

/// Checks a whole record (after a merge): required fields present, the end
/// not before the start. Returns the offending field.
pub fn check_record(data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
    require(data, &REQUIRED)?;
    let text = |field: &str| data.get(field).and_then(Value::as_str);
    if let (Some(start), Some(end)) = (text("starts_at"), text("ends_at"))
        && end < start
    {
        return Err(("ends_at", Problem::NotAllowedChoice));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::fields::MAX_TEXT;
    use serde_json::json;

    #[test]
    fn fields_are_checked_and_normalized() {
        assert_eq!(
            check_field("title", &json!("  Spotkanie  ")),
            Ok(json!("Spotkanie"))
        );
        assert_eq!(check_field("title", &json!(" ")), Err(Problem::Required));
        assert_eq!(
            check_field("kind", &json!("party")),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(
            check_field("secret", &json!("x")),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(
            check_field("minutes", &json!("a".repeat(MAX_TEXT + 1))),
            Err(Problem::TooLong)
        );
        let task = json!([{"id": "5a1e0000-0000-4000-8000-000000000999", "title": " Plakat ",
                           "status": "open", "deadline": "2026-11-02", "extra": 1}]);
        assert_eq!(
            check_field("tasks", &task),
            Ok(
                json!([{"id": "5a1e0000-0000-4000-8000-000000000999", "title": "Plakat",
                       "owner": "", "deadline": "2026-11-02", "status": "open"}])
            )
        );
    }

    #[test]
    fn a_record_needs_its_core_fields_and_a_sane_end() {
        let mut data = Map::new();
        assert_eq!(
            check_record(&data),
            Err(("partnership_id", Problem::Required))
        );
        data.insert(
            "partnership_id".into(),
            json!("5a1e0000-0000-4000-8000-000000000301"),
        );
        data.insert("kind".into(), json!("working"));
        data.insert("title".into(), json!("Robocze"));
        data.insert("starts_at".into(), json!("2026-10-20T12:00:00Z"));
        assert_eq!(check_record(&data), Ok(()));
        data.insert("ends_at".into(), json!("2026-10-20T11:00:00Z"));
        assert_eq!(
            check_record(&data),
            Err(("ends_at", Problem::NotAllowedChoice))
        );
    }
}
