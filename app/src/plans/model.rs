//! The partnership development plan (Plan rozwoju współpracy partnerskiej):
//! one per partnership, its record id is the partnership's id, so two devices
//! starting it offline write the same plan. Approving keeps a snapshot of the
//! plan in `approved`; later edits make a revision until the next approval,
//! and every approved version stays readable.

use crate::{
    errors::Problem,
    kernel::fields::{choice, day, long_text, record_id, require, short_text},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub const ENTITY: &str = "plan";
/// Merged line by line when two devices edit them.
pub const TEXT_FIELDS: [&str; 4] = ["diagnosis", "vision", "goals", "evaluation"];
pub const ACTION_STATUSES: [&str; 3] = ["planned", "in_progress", "done"];
pub const REQUIRED: [&str; 1] = ["partnership_id"];
/// The content a version keeps.
pub const CONTENT: [&str; 5] = ["diagnosis", "vision", "goals", "evaluation", "actions"];
const MAX_ACTIONS: usize = 200;
const MAX_VERSIONS: usize = 50;

fn actions(value: &Value) -> Result<Value, Problem> {
    let list = value.as_array().ok_or(Problem::NotAllowedChoice)?;
    if list.len() > MAX_ACTIONS {
        return Err(Problem::TooLong);
    }
    let empty = Value::String(String::new());
    let mut checked = Vec::with_capacity(list.len());
    for action in list {
        let action = action.as_object().ok_or(Problem::NotAllowedChoice)?;
        let field = |name: &str| action.get(name).unwrap_or(&empty);
        let mut out = Map::new();
        out.insert(
            "id".into(),
            record_id(action.get("id").unwrap_or(&Value::Null))?,
        );
        out.insert("task".into(), short_text(field("task"), true)?);
        for name in ["indicator", "responsible", "partners", "budget"] {
            out.insert(name.into(), short_text(field(name), false)?);
        }
        out.insert(
            "deadline".into(),
            day(action.get("deadline").unwrap_or(&Value::Null), false)?,
        );
        out.insert(
            "status".into(),
            choice(
                action.get("status").unwrap_or(&Value::Null),
                &ACTION_STATUSES,
            )?,
        );
        checked.push(Value::Object(out));
    }
    Ok(Value::Array(checked))
}

/// Approved versions: `[{version, approved_on, content: {…}}]`, oldest first.
fn versions(value: &Value) -> Result<Value, Problem> {
    let list = value.as_array().ok_or(Problem::NotAllowedChoice)?;
    if list.len() > MAX_VERSIONS {
        return Err(Problem::TooLong);
    }
    let mut checked = Vec::with_capacity(list.len());
    for (n, version) in list.iter().enumerate() {
        let version = version.as_object().ok_or(Problem::NotAllowedChoice)?;
        if version.get("version").and_then(Value::as_u64) != Some(n as u64 + 1) {
            return Err(Problem::NotAllowedChoice);
        }
        let content = version
            .get("content")
            .and_then(Value::as_object)
            .ok_or(Problem::NotAllowedChoice)?;
        let mut kept = Map::new();
        for field in CONTENT {
            if let Some(value) = content.get(field) {
                kept.insert(field.into(), check_field(field, value)?);
            }
        }
        let mut out = Map::new();
        out.insert("version".into(), Value::from(n as u64 + 1));
        out.insert(
            "approved_on".into(),
            day(version.get("approved_on").unwrap_or(&Value::Null), true)?,
        );
        out.insert("content".into(), Value::Object(kept));
        checked.push(Value::Object(out));
    }
    Ok(Value::Array(checked))
}

/// One action of the plan's table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanAction {
    pub id: Uuid,
    pub task: String,
    pub indicator: String,
    /// A day, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub responsible: String,
    pub partners: String,
    pub budget: String,
    pub status: String,
}

impl PlanAction {
    /// A new, empty action to be written.
    pub fn new() -> Self {
        PlanAction {
            id: Uuid::new_v4(),
            status: "planned".to_owned(),
            ..PlanAction::default()
        }
    }

    /// A column by its name (the table, the CSV and the editor go by columns).
    pub fn text(&self, field: &str) -> String {
        match field {
            "task" => self.task.clone(),
            "indicator" => self.indicator.clone(),
            "deadline" => self.deadline.clone().unwrap_or_default(),
            "responsible" => self.responsible.clone(),
            "partners" => self.partners.clone(),
            "budget" => self.budget.clone(),
            "status" => self.status.clone(),
            _ => String::new(),
        }
    }

    /// Sets a column as typed in the editor (an empty deadline is none).
    pub fn set(&mut self, field: &str, value: String) {
        match field {
            "task" => self.task = value,
            "indicator" => self.indicator = value,
            "deadline" => self.deadline = (!value.is_empty()).then_some(value),
            "responsible" => self.responsible = value,
            "partners" => self.partners = value,
            "budget" => self.budget = value,
            "status" => self.status = value,
            _ => {}
        }
    }
}

/// What a plan says, now or in an approved version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanContent {
    pub diagnosis: String,
    pub vision: String,
    pub goals: String,
    pub evaluation: String,
    pub actions: Vec<PlanAction>,
}

impl PlanContent {
    /// A section (one of `TEXT_FIELDS`) by its name.
    pub fn section(&self, field: &str) -> &str {
        match field {
            "diagnosis" => &self.diagnosis,
            "vision" => &self.vision,
            "goals" => &self.goals,
            "evaluation" => &self.evaluation,
            _ => "",
        }
    }
}

/// An approved version: its number (from 1), its day and what it said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Version {
    pub version: u64,
    pub approved_on: String,
    pub content: PlanContent,
}

/// A plan as the device holds it (checked when it was saved).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    pub partnership_id: Option<Uuid>,
    pub diagnosis: String,
    pub vision: String,
    pub goals: String,
    pub evaluation: String,
    pub actions: Vec<PlanAction>,
    pub approved: Vec<Version>,
}

impl Plan {
    /// What it says now (an approval keeps this).
    pub fn content(&self) -> PlanContent {
        PlanContent {
            diagnosis: self.diagnosis.clone(),
            vision: self.vision.clone(),
            goals: self.goals.clone(),
            evaluation: self.evaluation.clone(),
            actions: self.actions.clone(),
        }
    }
}

/// Checks one field and returns it normalized. Unknown fields are refused.
pub fn check_field(field: &str, value: &Value) -> Result<Value, Problem> {
    match field {
        "partnership_id" => record_id(value),
        "diagnosis" | "vision" | "goals" | "evaluation" => long_text(value),
        "actions" => actions(value),
        "approved" => versions(value),
        _ => Err(Problem::NotAllowedChoice),
    }
}

pub fn check_record(data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
    require(data, &REQUIRED)
}

/// The plan's content now, as an approval would keep it.
pub fn content(data: &Map<String, Value>) -> Map<String, Value> {
    CONTENT
        .iter()
        .filter_map(|f| data.get(*f).map(|v| ((*f).to_owned(), v.clone())))
        .collect()
}

/// The plan's `approved` list with the current content added as the next version.
pub fn approve(data: &Map<String, Value>, today: &str) -> Value {
    let mut list = data
        .get("approved")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut version = Map::new();
    version.insert("version".into(), Value::from(list.len() as u64 + 1));
    version.insert("approved_on".into(), Value::String(today.to_owned()));
    version.insert("content".into(), Value::Object(content(data)));
    list.push(Value::Object(version));
    Value::Array(list)
}

/// Whether `now` keeps every version of `stored`, unchanged and first
/// (approving appends; nothing approved is rewritten or dropped).
pub fn appends(stored: &[Value], now: &[Value]) -> bool {
    now.len() >= stored.len() && now[..stored.len()] == *stored
}

/// Where the plan stands: never approved, approved as it is, or changed
/// since its last approval (a revision in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Approved(u64),
    Revised(u64),
}

pub fn stage(data: &Map<String, Value>) -> Stage {
    let last = data
        .get("approved")
        .and_then(Value::as_array)
        .and_then(|list| list.last())
        .and_then(Value::as_object);
    match last {
        None => Stage::Draft,
        Some(last) => {
            let number = last.get("version").and_then(Value::as_u64).unwrap_or(1);
            let same = last.get("content").and_then(Value::as_object) == Some(&content(data));
            if same {
                Stage::Approved(number)
            } else {
                Stage::Revised(number)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan() -> Map<String, Value> {
        json!({
            "partnership_id": "5a1e0000-0000-4000-8000-000000000301",
            "diagnosis": "Brakuje miejsca spotkań dla seniorów.",
            "actions": [{"id": "5a1e0000-0000-4000-8000-000000000901", "task": " Kino plenerowe ",
                         "indicator": "100 widzów", "deadline": "2027-07-01", "status": "planned"}],
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn actions_are_checked_and_normalized() {
        let checked = check_field("actions", &plan()["actions"]).expect("valid");
        assert_eq!(checked[0]["task"], "Kino plenerowe");
        assert_eq!(checked[0]["budget"], "");
        assert_eq!(
            check_field(
                "actions",
                &json!([{"id": "x", "task": "A", "status": "planned"}])
            ),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(
            check_field(
                "actions",
                &json!([{"id": "5a1e0000-0000-4000-8000-000000000901", "task": "", "status": "planned"}])
            ),
            Err(Problem::Required)
        );
        assert_eq!(
            check_field("owner", &json!("x")),
            Err(Problem::NotAllowedChoice)
        );
    }

    #[test]
    fn approving_keeps_a_version_and_an_edit_makes_a_revision() {
        let mut data = plan();
        let actions = check_field("actions", &data["actions"]).expect("valid");
        data.insert("actions".into(), actions);
        assert_eq!(stage(&data), Stage::Draft);
        let approved = approve(&data, "2026-11-22");
        assert_eq!(check_field("approved", &approved).as_ref(), Ok(&approved));
        data.insert("approved".into(), approved);
        assert_eq!(stage(&data), Stage::Approved(1));
        data.insert("vision".into(), json!("Biblioteka jako dom kultury wsi."));
        assert_eq!(stage(&data), Stage::Revised(1));
        let second = approve(&data, "2027-01-10");
        assert_eq!(second[1]["version"], 2);
        assert_eq!(second[0]["content"].get("vision"), None);
        // Versions are numbered from 1 without gaps.
        let mut broken = second.clone();
        broken[1]["version"] = json!(5);
        assert_eq!(
            check_field("approved", &broken),
            Err(Problem::NotAllowedChoice)
        );
    }

    #[test]
    fn approving_only_appends() {
        let one = vec![json!({"version": 1})];
        let both = vec![json!({"version": 1}), json!({"version": 2})];
        let rewritten = vec![json!({"version": 1, "content": {}})];
        assert!(appends(&[], &one));
        assert!(appends(&one, &both));
        assert!(appends(&one, &one));
        assert!(!appends(&one, &[]));
        assert!(!appends(&both, &one));
        assert!(!appends(&one, &rewritten));
    }
}
