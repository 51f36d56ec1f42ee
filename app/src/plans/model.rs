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
        // A section not yet written when the version was kept reads as
        // empty, as the page shows it: one form for every version.
        let mut kept = Map::new();
        for field in CONTENT {
            let unwritten = match field {
                "actions" => Value::Array(Vec::new()),
                _ => Value::String(String::new()),
            };
            let value = content.get(field).unwrap_or(&unwritten);
            kept.insert(field.into(), check_field(field, value)?);
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

    /// Sets a section (one of `TEXT_FIELDS`) by its name.
    pub fn set_section(&mut self, field: &str, value: String) {
        match field {
            "diagnosis" => self.diagnosis = value,
            "vision" => self.vision = value,
            "goals" => self.goals = value,
            "evaluation" => self.evaluation = value,
            _ => {}
        }
    }

    /// Keeps what it says now as the next approved version.
    pub fn approve(&mut self, today: &str) {
        self.approved.push(Version {
            version: self.approved.len() as u64 + 1,
            approved_on: today.to_owned(),
            content: self.content(),
        });
    }

    /// Where it stands: never approved, approved as it is, or changed since
    /// its last approval (a revision in progress).
    pub fn stage(&self) -> Stage {
        match self.approved.last() {
            None => Stage::Draft,
            Some(last) if last.content == self.content() => Stage::Approved(last.version),
            Some(last) => Stage::Revised(last.version),
        }
    }

    /// The fields in which it differs from `before`, checked as the engine
    /// will check them: what a save writes.
    pub fn changes_from(
        &self,
        before: &Plan,
    ) -> Result<Map<String, Value>, (&'static str, Problem)> {
        let was = fields_of(before)?;
        Ok(fields_of(self)?
            .into_iter()
            .filter(|(field, value)| was.get(field) != Some(value))
            .collect())
    }
}

/// Every field a plan has.
const FIELDS: [&str; 7] = [
    "partnership_id",
    "diagnosis",
    "vision",
    "goals",
    "evaluation",
    "actions",
    "approved",
];

/// A plan's fields as stored, each checked (an unset partnership is left out).
fn fields_of(plan: &Plan) -> Result<Map<String, Value>, (&'static str, Problem)> {
    let Ok(Value::Object(mut fields)) = serde_json::to_value(plan) else {
        return Ok(Map::new());
    };
    let mut checked = Map::new();
    for name in FIELDS {
        match fields.remove(name) {
            None | Some(Value::Null) => {}
            Some(value) => {
                let value = check_field(name, &value).map_err(|problem| (name, problem))?;
                checked.insert(name.to_owned(), value);
            }
        }
    }
    Ok(checked)
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

/// Whether the approved versions `now` keeps every version `stored`,
/// unchanged and first (approving appends; nothing approved is rewritten or
/// dropped). Both are compared as checked, so a version kept before a section
/// was written matches its form with the section empty.
pub fn keeps_versions(stored: Option<&Value>, now: Option<&Value>) -> bool {
    let checked = |list: Option<&Value>| match list {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(list) => match versions(list) {
            Ok(Value::Array(list)) => Some(list),
            _ => None,
        },
    };
    match (checked(stored), checked(now)) {
        (Some(stored), Some(now)) => now.len() >= stored.len() && now[..stored.len()] == *stored,
        _ => false,
    }
}

/// Where the plan stands: never approved, approved as it is, or changed
/// since its last approval (a revision in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Approved(u64),
    Revised(u64),
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

    fn typed(data: Map<String, Value>) -> Plan {
        serde_json::from_value(Value::Object(data)).expect("a plan")
    }

    #[test]
    fn approving_keeps_a_version_and_an_edit_makes_a_revision() {
        let mut plan = typed(plan());
        plan.actions[0].task = "Kino plenerowe".into();
        assert_eq!(plan.stage(), Stage::Draft);
        plan.approve("2026-11-22");
        assert_eq!(plan.stage(), Stage::Approved(1));
        let approved = serde_json::to_value(&plan.approved).expect("json");
        assert_eq!(check_field("approved", &approved).as_ref(), Ok(&approved));
        plan.set_section("vision", "Biblioteka jako dom kultury wsi.".into());
        assert_eq!(plan.stage(), Stage::Revised(1));
        plan.approve("2027-01-10");
        assert_eq!(plan.approved[1].version, 2);
        assert_eq!(plan.approved[0].content.vision, "");
        assert_eq!(plan.stage(), Stage::Approved(2));
        // Versions are numbered from 1 without gaps.
        let mut broken = serde_json::to_value(&plan.approved).expect("json");
        broken[1]["version"] = json!(5);
        assert_eq!(
            check_field("approved", &broken),
            Err(Problem::NotAllowedChoice)
        );
    }

    #[test]
    fn a_save_writes_only_what_changed_checked() {
        let before = typed(plan());
        let mut now = before.clone();
        assert_eq!(now.changes_from(&before), Ok(Map::new()));
        now.set_section("goals", "Kino plenerowe co miesiąc.".into());
        now.actions[0].task = "  Kino  ".into();
        let changed = now.changes_from(&before).expect("valid");
        assert_eq!(changed.len(), 2);
        assert_eq!(changed["goals"], "Kino plenerowe co miesiąc.");
        assert_eq!(changed["actions"][0]["task"], "Kino");
        // A new plan names its partnership; a blank task is refused.
        let fresh = Plan {
            partnership_id: before.partnership_id,
            ..Plan::default()
        };
        assert!(
            fresh
                .changes_from(&Plan::default())
                .expect("valid")
                .contains_key("partnership_id")
        );
        now.actions[0].task = " ".into();
        assert_eq!(
            now.changes_from(&before),
            Err(("actions", Problem::Required))
        );
    }

    #[test]
    fn approving_only_appends() {
        let mut plan = typed(plan());
        plan.approve("2026-11-22");
        let one = serde_json::to_value(&plan.approved).expect("json");
        plan.approve("2026-11-23");
        let both = serde_json::to_value(&plan.approved).expect("json");
        let mut rewritten = one.clone();
        rewritten[0]["content"]["vision"] = json!("Inna wizja.");
        assert!(keeps_versions(None, Some(&one)));
        assert!(keeps_versions(Some(&one), Some(&both)));
        assert!(keeps_versions(Some(&one), Some(&one)));
        assert!(!keeps_versions(Some(&one), None));
        assert!(!keeps_versions(Some(&both), Some(&one)));
        assert!(!keeps_versions(Some(&one), Some(&rewritten)));
    }

    #[test]
    fn a_version_kept_before_a_section_was_written_still_matches() {
        // Stored by an earlier release: only the sections written then.
        let stored = json!([{"version": 1, "approved_on": "2026-11-22",
                             "content": {"diagnosis": "Brakuje miejsca."}}]);
        let plan: Plan = serde_json::from_value(json!({
            "partnership_id": "5a1e0000-0000-4000-8000-000000000301",
            "diagnosis": "Brakuje miejsca.",
            "approved": stored,
        }))
        .expect("a plan");
        assert_eq!(plan.stage(), Stage::Approved(1));
        let sent = serde_json::to_value(&plan.approved).expect("json");
        assert!(keeps_versions(Some(&stored), Some(&sent)));
    }
}
