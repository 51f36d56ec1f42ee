//! Partners (partnerzy): the organizations and people around a library,
//! kept on the device and synced like meetings.

pub mod model;
pub mod pages;
pub mod rules;
