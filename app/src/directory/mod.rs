//! Libraries, programs and people: the lists and detail pages every other
//! feature hangs from, and the types they travel in.

pub mod api;
mod labels;
pub mod libraries;
mod list;
pub mod people;
pub mod program_settings;
pub mod programs;

pub use labels::{StatusBadge, program_label};
pub use list::PagedList;

use crate::format::Day;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Rows per page in every list.
pub const PER_PAGE: u32 = 20;

/// One page of a list, with the total to page through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u32,
    pub page: u32,
}

impl<T> Page<T> {
    /// Number of pages, at least one (an empty list still has a page).
    pub fn pages(&self) -> u32 {
        self.total.div_ceil(PER_PAGE).max(1)
    }
}

/// A library named in a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryRef {
    pub id: Uuid,
    pub name: String,
}

/// A program named in a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramRef {
    pub id: Uuid,
    pub name: String,
    pub round: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryRow {
    pub id: Uuid,
    pub name: String,
    pub municipality: String,
    pub voivodeship: String,
    pub parent: Option<LibraryRef>,
    pub branches: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// Invited; has not set a password yet.
    Invited,
    Deactivated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: Uuid,
    pub full_name: String,
    pub email: String,
    pub status: AccountStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tutor {
    pub person: Member,
    pub program: ProgramRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryView {
    pub id: Uuid,
    pub name: String,
    pub municipality: String,
    pub voivodeship: String,
    pub parent: Option<LibraryRef>,
    pub branches: Vec<LibraryRef>,
    pub programs: Vec<ProgramRef>,
    pub librarians: Vec<Member>,
    pub tutors: Vec<Tutor>,
    /// Whether the viewer may invite people to this library.
    pub can_invite: bool,
    /// Programs in which the viewer may assign a tutor to this library.
    pub tutor_programs: Vec<ProgramRef>,
    /// Whether every device of the viewer holds this library (hers, or
    /// tutored by her); otherwise she may choose to take it offline.
    #[serde(default)]
    pub held_by_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramRow {
    pub id: Uuid,
    pub name: String,
    pub operator: String,
    pub round: Option<String>,
    pub starts_on: Option<Day>,
    pub ends_on: Option<Day>,
    pub libraries: u32,
}

/// A program's information clause: the one the kiosk shows.
pub use crate::attendance::Clause;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramView {
    pub id: Uuid,
    pub name: String,
    pub operator: String,
    pub round: Option<String>,
    pub starts_on: Option<Day>,
    pub ends_on: Option<Day>,
    /// Support hours per library in tenths of an hour (24 h = 240).
    pub support_tenths_per_library: u32,
    pub funding_line: Option<String>,
    pub clause: Option<Clause>,
    /// Months after its meeting a sign-in is kept, then erased.
    pub sign_in_retention_months: i32,
    /// Whether the viewer may change the settings (coordinator or admin).
    pub manageable: bool,
    /// The program's libraries the viewer may see.
    pub libraries: Vec<LibraryRef>,
    pub coordinators: Vec<Member>,
}

/// What a person does, as far as the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Duty {
    Librarian {
        library: LibraryRef,
    },
    Tutor {
        library: LibraryRef,
        program: ProgramRef,
    },
    Coordinator {
        program: ProgramRef,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub person: Member,
    pub is_admin: bool,
    pub duties: Vec<Duty>,
    /// Whether the viewer may deactivate or reactivate this account.
    pub can_manage: bool,
}
