//! The server's integration tests, one binary: the real router on a fresh
//! database per test (`#[sqlx::test]`), called as the browser calls it.
//! `common` is what they share; each feature's tests sit under its name.

mod accounts;
mod attendance;
mod authorization;
mod budget;
mod common;
mod cursor;
mod devices;
mod engine;
mod faults;
mod forward;
mod http;
mod partners;
mod plans;
mod scope;
mod support;
mod sync;
