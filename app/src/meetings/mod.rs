//! Partnership meetings (spotkania): written on the device, synced later.

pub mod api;
pub mod model;
pub mod online;
pub mod pages;
pub mod rules;
pub mod tasks;
pub mod view;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Name of the local-store reference holding `Vec<PartnershipRef>`.
pub const PARTNERSHIPS: &str = "partnerships";

/// A partnership the person works with, and whether they may edit its meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnershipRef {
    pub id: Uuid,
    pub name: String,
    pub library_id: Uuid,
    pub library_name: String,
    pub program_name: String,
    /// Meetings count toward this program's support hours.
    #[serde(default)]
    pub program_id: Uuid,
    pub editable: bool,
    /// The program's funding line, printed on attendance lists.
    #[serde(default)]
    pub funding_line: Option<String>,
    /// The program's newest information clause, shown in the kiosk.
    #[serde(default)]
    pub clause: Option<crate::attendance::Clause>,
}
