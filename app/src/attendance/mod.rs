//! Attendance lists (listy obecności): sign-ins collected at meetings.

pub mod kiosk;
pub mod kiosk_api;
pub mod list;
pub mod model;
pub mod personal;
pub mod personal_page;
#[cfg(feature = "ssr")]
pub mod retention;
pub mod rules;
pub mod signature;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The information clause shown at sign-in (RODO); its version is recorded
/// with every sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub version: i32,
    pub short_text: String,
    pub full_text: String,
}

/// A kiosk link for another tablet: its token works for one meeting until
/// `expires_at` (after the meeting day) or until revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskLink {
    pub token: String,
    /// The kiosk's address with the token in its fragment (never sent to a server log).
    pub url: String,
    pub expires_at: String,
    /// The address as a QR code, an SVG document.
    pub qr_svg: String,
}

/// What a kiosk shows about its meeting: no more than the form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskOpening {
    pub meeting_id: Uuid,
    pub title: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub place: String,
    pub clause: Option<Clause>,
}
