//! The shared layer below the features: errors, field checks, formats, the
//! CSV writer, cookies and the clock. It names no feature.

pub mod clock;
pub mod cookies;
pub mod csv;
pub mod errors;
pub mod fields;
pub mod format;
