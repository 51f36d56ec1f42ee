//! Support hours (godziny wsparcia): a consultation's fields and checks, and
//! how a library's used hours are counted from consultations and meetings.

use crate::meetings::model::Meeting;
use crate::{
    errors::Problem,
    kernel::fields::{choice, day, long_text, record_id, require, short_text},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

pub const ENTITY: &str = "consultation";
pub const MODES: [&str; 2] = ["on_site", "remote"];
pub const TEXT_FIELDS: [&str; 1] = ["notes"];
pub const REQUIRED: [&str; 8] = [
    "library_id",
    "program_id",
    "tutor_id",
    "tutor_name",
    "date",
    "minutes",
    "mode",
    "topic",
];
/// A consultation lasts 5 minutes to 12 hours.
pub const MAX_MINUTES: u64 = 720;

fn minutes(value: &Value) -> Result<Value, Problem> {
    match value.as_u64() {
        Some(n) if (5..=MAX_MINUTES).contains(&n) => Ok(Value::from(n)),
        Some(n) if n > MAX_MINUTES => Err(Problem::TooLong),
        Some(_) => Err(Problem::TooShort),
        None => Err(Problem::Required),
    }
}

/// Checks one field and returns it normalized. Unknown fields are refused.
pub fn check_field(field: &str, value: &Value) -> Result<Value, Problem> {
    match field {
        "library_id" | "program_id" | "tutor_id" => record_id(value),
        "meeting_id" => match value {
            Value::Null => Ok(Value::Null),
            Value::String(text) if text.is_empty() => Ok(Value::Null),
            _ => record_id(value),
        },
        "tutor_name" | "topic" => short_text(value, true),
        "date" => day(value, true),
        "minutes" => minutes(value),
        "mode" => choice(value, &MODES),
        "notes" => long_text(value),
        _ => Err(Problem::NotAllowedChoice),
    }
}

pub fn check_record(data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
    require(data, &REQUIRED)
}

/// Minutes entered as hours, the Polish way or the English way:
/// "1,5" or "1.5" → 90; "2" → 120. `None` for anything else.
pub fn minutes_from_hours(text: &str) -> Option<u64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
    {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let hundredths: u64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole.checked_mul(60)? + (hundredths * 60).div_ceil(100))
}

/// Minutes as tenths of an hour for display (90 → 15, "1,5 godziny").
pub fn tenths_of_hour(minutes: u64) -> u32 {
    u32::try_from((minutes + 3) / 6).unwrap_or(u32::MAX)
}

/// A meeting as hours counting sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingTime {
    pub id: Uuid,
    pub library_id: Uuid,
    pub program_id: Uuid,
    /// Its length when it counts (held or approved, with a facilitator, with
    /// an end after its start); 0 otherwise.
    pub minutes: u64,
}

/// A consultation as hours counting sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationTime {
    pub library_id: Uuid,
    pub program_id: Uuid,
    pub minutes: u64,
    pub meeting_id: Option<Uuid>,
}

/// A consultation as the device holds it (checked when it was saved).
/// Fields a record lacks read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Consultation {
    pub library_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub tutor_id: Option<Uuid>,
    pub tutor_name: String,
    /// A day, `YYYY-MM-DD`.
    pub date: String,
    pub minutes: u64,
    pub mode: String,
    pub topic: String,
    pub notes: String,
    /// The meeting it was given at, if any.
    pub meeting_id: Option<Uuid>,
}

impl Consultation {
    /// What it adds to its library's hours; `None` without a library or program.
    pub fn time(&self) -> Option<ConsultationTime> {
        Some(ConsultationTime {
            library_id: self.library_id?,
            program_id: self.program_id?,
            minutes: self.minutes,
            meeting_id: self.meeting_id,
        })
    }
}

/// How long a meeting counts toward support hours.
pub fn meeting_minutes(meeting: &Meeting) -> u64 {
    let held = matches!(meeting.status.as_str(), "held" | "approved");
    let facilitated = !meeting.facilitator.trim().is_empty();
    let (Some(start), Some(end)) = (
        crate::format::epoch_of(&meeting.starts_at),
        crate::format::epoch_of(&meeting.ends_at),
    ) else {
        return 0;
    };
    if !held || !facilitated || end <= start {
        return 0;
    }
    u64::try_from((end - start) / 60).unwrap_or(0)
}

/// Minutes used per (library, program). Every consultation counts. A meeting
/// with a facilitator counts by its length, unless a consultation was logged
/// for that very meeting: then the logged time stands in for it, so the same
/// hours are never counted twice.
pub fn used_minutes(
    meetings: &[MeetingTime],
    consultations: &[ConsultationTime],
) -> BTreeMap<(Uuid, Uuid), u64> {
    let logged: HashSet<Uuid> = consultations.iter().filter_map(|c| c.meeting_id).collect();
    let mut used = BTreeMap::new();
    for meeting in meetings.iter().filter(|m| !logged.contains(&m.id)) {
        if meeting.minutes > 0 {
            *used
                .entry((meeting.library_id, meeting.program_id))
                .or_insert(0) += meeting.minutes;
        }
    }
    for consultation in consultations {
        *used
            .entry((consultation.library_id, consultation.program_id))
            .or_insert(0) += consultation.minutes;
    }
    used
}

/// How close a library is to its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Within,
    /// 80% or more used.
    Near,
    Over,
}

pub fn budget_state(used_minutes: u64, budget_tenths: u32) -> Budget {
    let budget = u64::from(budget_tenths) * 6;
    if used_minutes > budget {
        Budget::Over
    } else if used_minutes * 5 >= budget * 4 {
        Budget::Near
    } else {
        Budget::Within
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn hours_are_typed_with_a_comma_or_a_point() {
        assert_eq!(minutes_from_hours("1,5"), Some(90));
        assert_eq!(minutes_from_hours("1.25"), Some(75));
        assert_eq!(minutes_from_hours(" 2 "), Some(120));
        assert_eq!(minutes_from_hours(",5"), Some(30));
        assert_eq!(minutes_from_hours("1,5h"), None);
        assert_eq!(minutes_from_hours(""), None);
        assert_eq!(minutes_from_hours("-1"), None);
        assert_eq!(tenths_of_hour(90), 15);
        assert_eq!(tenths_of_hour(80), 13);
    }

    #[test]
    fn consultation_fields_are_checked() {
        assert_eq!(check_field("minutes", &json!(90)), Ok(json!(90)));
        assert_eq!(check_field("minutes", &json!(0)), Err(Problem::TooShort));
        assert_eq!(check_field("minutes", &json!(721)), Err(Problem::TooLong));
        assert_eq!(check_field("minutes", &json!("90")), Err(Problem::Required));
        assert_eq!(
            check_field("mode", &json!("phone")),
            Err(Problem::NotAllowedChoice)
        );
        assert_eq!(check_field("meeting_id", &json!("")), Ok(Value::Null));
        assert_eq!(check_field("date", &json!("")), Err(Problem::Required));
        assert_eq!(
            check_record(&Map::new()),
            Err(("library_id", Problem::Required))
        );
    }

    #[test]
    fn a_meeting_counts_when_held_with_a_facilitator() {
        let mut meeting: Meeting = serde_json::from_value(json!({
            "status": "held", "facilitator": "Anna Tutorka",
            "starts_at": "2026-10-20T12:00:00Z", "ends_at": "2026-10-20T14:30:00Z"
        }))
        .expect("a meeting");
        assert_eq!(meeting_minutes(&meeting), 150);
        meeting.status = "draft".into();
        assert_eq!(meeting_minutes(&meeting), 0);
        meeting.status = "approved".into();
        meeting.facilitator = " ".into();
        assert_eq!(meeting_minutes(&meeting), 0);
        meeting.facilitator = "Anna".into();
        meeting.ends_at = String::new();
        assert_eq!(meeting_minutes(&meeting), 0);
    }

    #[test]
    fn meetings_and_consultations_add_up_without_counting_twice() {
        let (library, other, program) = (id(1), id(2), id(50));
        let meetings = [
            MeetingTime {
                id: id(10),
                library_id: library,
                program_id: program,
                minutes: 180,
            },
            MeetingTime {
                id: id(11),
                library_id: library,
                program_id: program,
                minutes: 120,
            },
            MeetingTime {
                id: id(12),
                library_id: library,
                program_id: program,
                minutes: 0,
            },
            MeetingTime {
                id: id(13),
                library_id: other,
                program_id: program,
                minutes: 60,
            },
        ];
        let consultations = [
            // Logged for meeting 11: replaces its 120 minutes.
            ConsultationTime {
                library_id: library,
                program_id: program,
                minutes: 150,
                meeting_id: Some(id(11)),
            },
            ConsultationTime {
                library_id: library,
                program_id: program,
                minutes: 90,
                meeting_id: None,
            },
        ];
        let used = used_minutes(&meetings, &consultations);
        assert_eq!(used[&(library, program)], 180 + 150 + 90);
        assert_eq!(used[&(other, program)], 60);
    }

    #[test]
    fn the_budget_warns_from_eighty_percent() {
        assert_eq!(budget_state(18 * 60, 240), Budget::Within);
        assert_eq!(budget_state(20 * 60, 240), Budget::Near);
        assert_eq!(budget_state(24 * 60, 240), Budget::Near);
        assert_eq!(budget_state(24 * 60 + 1, 240), Budget::Over);
    }
}
