//! Support hours (godziny wsparcia): consultations logged by tutors and
//! librarians, meetings counted automatically, hours against the budget.

pub mod api;
pub mod glance;
pub mod model;
pub mod pages;
pub mod rules;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Name of the local-store reference holding `Vec<MyLibrary>`.
pub const LIBRARIES: &str = "libraries";

/// A library the person works with, as the device keeps it for offline forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyLibrary {
    pub id: Uuid,
    pub name: String,
    /// May add and change partners (the library's people, its coordinators).
    pub editable: bool,
    /// May log consultation hours (also its tutors).
    pub logs_hours: bool,
    pub programs: Vec<MyProgram>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProgram {
    pub id: Uuid,
    pub name: String,
    /// Support hours per library, in tenths of an hour (24 h = 240).
    pub budget_tenths: u32,
    /// Tutors assigned to the library in this program.
    pub tutors: Vec<TutorRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TutorRef {
    pub id: Uuid,
    pub name: String,
}

/// Hours a library used in a program, against its budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursRow {
    pub library_id: Uuid,
    pub library_name: String,
    pub program_id: Uuid,
    pub program_name: String,
    pub used_minutes: u64,
    pub budget_tenths: u32,
}

/// The library page's summary of its partnership work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Glance {
    pub hours: Vec<HoursRow>,
    /// Partners per sector code, most first.
    pub sectors: Vec<(String, i64)>,
    pub next_meeting: Option<NextMeeting>,
    pub open_tasks: i64,
    pub overdue_tasks: i64,
    /// Past meetings, oldest first, with how many people signed in.
    pub attendance: Vec<AttendancePoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMeeting {
    pub id: Uuid,
    pub title: String,
    pub starts_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendancePoint {
    pub id: Uuid,
    pub title: String,
    pub starts_at: String,
    pub signed: i64,
}
