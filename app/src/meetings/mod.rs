//! Partnership meetings (spotkania).

pub mod model;
