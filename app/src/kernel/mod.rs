//! The shared layer below the features: errors, field checks, formats, the
//! CSV writer, cookies, the clock and the hydration mark. It names no
//! feature.

pub mod clock;
pub mod cookies;
pub mod csv;
pub mod errors;
pub mod fields;
pub mod format;
pub mod hydration;
