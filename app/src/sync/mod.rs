//! The sync contract of `shared/design/sync.md`: what a device sends to
//! `POST /api/sync` and what it gets back. The wire shapes are fixed.

pub mod api;
pub mod conflict;
pub mod engine;
pub mod local;
#[cfg(feature = "ssr")]
pub mod merge;
pub mod offline;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod settle;
pub mod status;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Most changes one pull returns.
pub const MAX_PULL: u32 = 1000;
/// Most mutations one push may carry.
pub const MAX_MUTATIONS: usize = 1000;
/// The largest request body the server reads (8 MiB); larger ones get 413.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The largest one mutation's data, or a record after a merge, may be (as
/// JSON): one that is larger can never be accepted, so it is refused on its
/// own (`too_large`) and the rest of the outbox flows.
pub const MAX_RECORD_BYTES: usize = 2 * 1024 * 1024;
/// About how many bytes of records one pull page carries at most (at least
/// one record, however large).
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;

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

/// Why a mutation was refused, on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    Forbidden,
    NotFound,
    Validation,
    UnknownEntity,
    /// Larger than `MAX_RECORD_BYTES`.
    TooLarge,
    /// A delete of a record changed elsewhere since the device saw it.
    Stale,
    /// The mutation id was already used for another change.
    IdTaken,
    /// A code this version does not know (from a newer server).
    #[serde(other)]
    Other,
}

/// Why a mutation was refused; the device keeps it under "needs attention".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub code: RefusalCode,
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

impl MutationResult {
    /// A refusal with its code and a message for the log (the device shows
    /// its own words for the code).
    pub fn rejected(id: Uuid, code: RefusalCode, message: &str) -> MutationResult {
        MutationResult {
            id,
            status: Status::Rejected,
            rev: None,
            replayed: false,
            conflicts: Vec::new(),
            error: Some(Rejection {
                code,
                message: message.to_owned(),
                field: None,
                problem: None,
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub entity: String,
    pub record_id: Uuid,
    pub rev: i64,
    pub deleted: bool,
    pub data: Map<String, Value>,
    /// The library the record belongs to: a device drops the records of a
    /// library that leaves its scope. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library_id: Option<Uuid>,
}

/// Most libraries a device may ask to hold offline.
pub const MAX_OFFLINE_LIBRARIES: usize = 1000;

/// What a device holds, sent with each pull (all optional on the wire: a
/// request without them is answered as before, over everything the person
/// works with).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    /// Libraries whose records the device holds up to `cursor`, as the last
    /// answer's `scope` said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Vec<Uuid>>,
    /// Libraries a coordinator or admin chose to take offline on this
    /// device, beyond her own and her tutored ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline: Vec<Uuid>,
    /// A fill under way, as the last answer gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Fill>,
    /// The held libraries whose records came with the fields only their
    /// editors get, as the last answer said: one whose right changed is
    /// filled again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editing: Option<Vec<Uuid>>,
}

impl Holding {
    /// Refused before anything is applied: a push whose pull is refused
    /// would be applied and never acknowledged, round after round.
    pub fn check(&self) -> Result<(), crate::errors::AppError> {
        let many = |list: Option<&Vec<Uuid>>| list.is_some_and(|l| l.len() > MAX_HELD_LIBRARIES);
        if self.offline.len() > MAX_OFFLINE_LIBRARIES
            || many(self.held.as_ref())
            || many(self.editing.as_ref())
            || many(self.fill.as_ref().map(|fill| &fill.libraries))
        {
            return Err(crate::errors::AppError::BadRequest);
        }
        Ok(())
    }
}

/// The offline libraries a request for reference data names (`None`: none),
/// refused past the limit.
pub fn offline_list(offline: Option<Vec<Uuid>>) -> Result<Vec<Uuid>, crate::errors::AppError> {
    let offline = offline.unwrap_or_default();
    if offline.len() > MAX_OFFLINE_LIBRARIES {
        return Err(crate::errors::AppError::BadRequest);
    }
    Ok(offline)
}

/// Most libraries a request may say it holds (more than any scope).
pub const MAX_HELD_LIBRARIES: usize = 10_000;

/// Libraries new to a device's scope get their records up to its cursor
/// first, in pages, before the cursor moves on: so the cursor never skips
/// a change of a library added late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    pub libraries: Vec<Uuid>,
    /// The last revision of the fill already sent.
    pub after: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub results: Vec<MutationResult>,
    pub changes: Vec<Change>,
    pub cursor: i64,
    pub more: bool,
    /// The libraries the device holds once it has taken in this answer:
    /// records of any other library (but those with unsent changes) go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<Uuid>>,
    /// A fill to go on with (send it back in `Holding::fill`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Fill>,
    /// Of `scope`, the libraries sent with their editors' fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editing: Option<Vec<Uuid>>,
}
