//! A meeting as the screens read it from the local store, and the words for
//! its kinds and statuses.

use super::model::Meeting;
use crate::i18n::{Locale, td_string};
use serde_json::Value;
use uuid::Uuid;

/// Which list a meeting belongs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Upcoming,
    /// It took place, and its notes are still a draft.
    ToComplete,
    Past,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingView {
    pub id: Uuid,
    pub partnership_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub starts_at: String,
    pub status: String,
}

impl MeetingView {
    pub fn new(id: Uuid, meeting: Meeting) -> Self {
        Self {
            id,
            partnership_id: meeting.partnership_id,
            kind: meeting.kind,
            title: meeting.title,
            starts_at: meeting.starts_at,
            status: match meeting.status.as_str() {
                "" => "draft".to_owned(),
                _ => meeting.status,
            },
        }
    }

    /// Upcoming from its start on; afterwards "to complete" while a draft.
    pub fn section(&self, now: &str) -> Section {
        if self.starts_at.as_str() >= now {
            Section::Upcoming
        } else if self.status == "draft" {
            Section::ToComplete
        } else {
            Section::Past
        }
    }
}

/// Upcoming ones soonest first; the others latest first.
pub fn sort_for(section: Section, meetings: &mut [MeetingView]) {
    meetings.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.title.cmp(&b.title)));
    if section != Section::Upcoming {
        meetings.reverse();
    }
}

pub fn kind_label(kind: &str, locale: Locale) -> String {
    match kind {
        "initiating" => td_string!(locale, meetings.kind_initiating),
        "working" => td_string!(locale, meetings.kind_working),
        "summary" => td_string!(locale, meetings.kind_summary),
        "webinar" => td_string!(locale, meetings.kind_webinar),
        "study_visit" => td_string!(locale, meetings.kind_study_visit),
        "seminar" => td_string!(locale, meetings.kind_seminar),
        _ => td_string!(locale, meetings.kind_consultation),
    }
    .to_string()
}

pub fn status_label(status: &str, locale: Locale) -> String {
    match status {
        "held" => td_string!(locale, meetings.status_held),
        "approved" => td_string!(locale, meetings.status_approved),
        _ => td_string!(locale, meetings.status_draft),
    }
    .to_string()
}

pub fn task_status_label(status: &str, locale: Locale) -> String {
    match status {
        "in_progress" => td_string!(locale, meetings.task_in_progress),
        "done" => td_string!(locale, meetings.task_done),
        _ => td_string!(locale, meetings.task_open),
    }
    .to_string()
}

/// The label of a meeting field, for the conflict screen.
pub fn field_label(field: &str, locale: Locale) -> String {
    match field {
        "title" => td_string!(locale, meetings.field_title),
        "kind" => td_string!(locale, meetings.kind),
        "starts_at" => td_string!(locale, meetings.starts_at),
        "ends_at" => td_string!(locale, meetings.ends_at),
        "place" => td_string!(locale, meetings.place),
        "facilitator" => td_string!(locale, meetings.facilitator),
        "agenda" => td_string!(locale, meetings.agenda),
        "minutes" => td_string!(locale, meetings.minutes),
        "decisions" => td_string!(locale, meetings.decisions),
        "next_meeting" => td_string!(locale, meetings.next_meeting),
        "tasks" => td_string!(locale, meetings.tasks),
        _ => td_string!(locale, meetings.status),
    }
    .to_string()
}

/// A field's value as a person reads it (tasks one per line).
pub fn readable(field: &str, value: &Value, locale: Locale) -> String {
    match value {
        Value::String(text) if field == "kind" => kind_label(text, locale),
        Value::String(text) if field == "status" => status_label(text, locale),
        Value::String(text) if field.ends_with("_at") => crate::format::when(text, locale),
        Value::String(text) => text.clone(),
        Value::Array(tasks) => tasks
            .iter()
            .map(|task| {
                let title = task
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let status = task
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                format!("• {title} ({})", task_status_label(status, locale))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meeting(starts_at: &str, status: &str) -> MeetingView {
        let stored = json!({"title": "S", "starts_at": starts_at, "status": status});
        MeetingView::new(
            Uuid::nil(),
            serde_json::from_value(stored).expect("a meeting"),
        )
    }

    #[test]
    fn meetings_fall_into_upcoming_to_complete_and_past() {
        let now = "2026-11-22T12:00:00Z";
        assert_eq!(
            meeting("2026-12-01T12:00:00Z", "draft").section(now),
            Section::Upcoming
        );
        assert_eq!(
            meeting("2026-11-01T12:00:00Z", "draft").section(now),
            Section::ToComplete
        );
        assert_eq!(
            meeting("2026-11-01T12:00:00Z", "approved").section(now),
            Section::Past
        );
        assert_eq!(
            MeetingView::new(Uuid::nil(), Meeting::default()).status,
            "draft"
        );
    }

    #[test]
    fn values_read_as_words() {
        assert_eq!(
            readable("kind", &json!("study_visit"), Locale::pl),
            "Wizyta studyjna"
        );
        assert_eq!(
            readable(
                "tasks",
                &json!([{"title": "Plakat", "status": "done"}]),
                Locale::pl
            ),
            "• Plakat (Zrobione)"
        );
    }
}
