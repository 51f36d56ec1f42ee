//! A value that lost a merge, kept by the server as a record of its own so
//! every device of the library sees it (offline too) until a person settles it.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

pub const ENTITY: &str = "conflict";

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Conflict {
    /// The entity and record the conflict is about.
    pub entity: String,
    pub record_id: Uuid,
    pub field: String,
    /// The value the record kept (null, a cleared field, is read back as missing).
    #[serde(default)]
    pub kept: Value,
    /// The value that was set aside.
    #[serde(default)]
    pub other: Value,
    /// When the server stored it (UTC).
    pub created_at: String,
}
