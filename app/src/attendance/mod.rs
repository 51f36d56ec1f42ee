//! Attendance lists (listy obecności): sign-ins collected at meetings.

pub mod model;
