//! Partnership development plans (plany rozwoju współpracy partnerskiej),
//! written on the device and synced like meetings.

pub mod model;
pub mod pages;
pub mod rules;
