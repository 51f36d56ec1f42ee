//! The sync contract of `shared/design/sync.md`: what a device sends to
//! `POST /api/sync` and what it gets back. The wire shapes are fixed.

pub mod api;
pub mod conflict;
pub mod engine;
pub mod local;
#[cfg(feature = "ssr")]
pub mod server;
pub mod status;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Most changes one pull returns.
pub const MAX_PULL: u32 = 1000;
/// Most mutations one push may carry.
pub const MAX_MUTATIONS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Upsert,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub id: Uuid,
    /// The device's own counter, for ordering its outbox; the server orders by revision.
    pub seq: u64,
    pub entity: String,
    pub record_id: Uuid,
    pub op: Op,
    pub base_rev: Option<i64>,
    #[serde(default)]
    pub data: Map<String, Value>,
    /// The device clock: shown, never trusted for ordering.
    pub client_time: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    Merged,
    Rejected,
}

/// Why a mutation was refused; the device keeps it under "needs attention".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// `forbidden`, `not_found`, `validation`, `unknown_entity`.
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<crate::errors::Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationResult {
    pub id: Uuid,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<i64>,
    #[serde(default)]
    pub replayed: bool,
    /// Fields whose other value was kept as a conflict for a person to settle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Rejection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub entity: String,
    pub record_id: Uuid,
    pub rev: i64,
    pub deleted: bool,
    pub data: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub results: Vec<MutationResult>,
    pub changes: Vec<Change>,
    pub cursor: i64,
    pub more: bool,
}
