//! What a device store keeps beside its records: its bookkeeping, the
//! outbox, the refused changes, and the rescue file.

use crate::sync::{Mutation, Rejection};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The store's own bookkeeping (read and written only by `LocalStore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Meta {
    pub(super) schema_version: u32,
    pub(super) device_id: Uuid,
    pub(super) cursor: i64,
    pub(super) next_seq: u64,
    /// When the outbox was last emptied by the server (RFC 3339, device clock; display only).
    pub(super) last_sent_at: Option<String>,
    /// The libraries whose records this store holds up to `cursor`. `None`
    /// in a store written before devices had scopes (its records do not
    /// say their library): it is relabelled.
    #[serde(default)]
    pub(super) held: Option<Vec<Uuid>>,
    /// Libraries chosen to be held offline beyond the person's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) offline: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) fill: Option<crate::sync::Fill>,
    /// The held libraries whose records came with their editors' fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) editing: Option<Vec<Uuid>>,
    /// Pulling everything again from the start, so every record learns its
    /// library; those the pull does not bring back go when it ends.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) relabel: bool,
    /// Bytes the pulled records take; `None` in a store that never counted.
    #[serde(default)]
    pub(super) replica: Option<u64>,
    /// Records whose spare fields were let go of (on the server only), by entity.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(super) spared: std::collections::BTreeMap<String, u64>,
}

/// A record as the server last sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pulled {
    pub rev: i64,
    pub deleted: bool,
    pub data: Map<String, Value>,
    /// The library it belongs to (unknown in stores written before scopes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<Uuid>,
    /// Fields its entity can spare were let go of to keep within the budget.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spared: bool,
}

/// A mutation in the outbox; `sent` once it went out in a request whose
/// answer has not come back (it is then resent as is, never changed).
/// Once accepted it stays, as `acked_rev`, until the device has pulled that
/// revision of its record, so the screen never jumps back to older text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub mutation: Mutation,
    pub sent: bool,
    #[serde(default)]
    pub acked_rev: Option<i64>,
}

/// A mutation the server refused, kept until the person deals with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub mutation: Mutation,
    pub error: Rejection,
}

/// What the header shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub waiting: usize,
    pub needs_attention: usize,
    pub last_sent_at: Option<String>,
}

/// Everything unsent, for the rescue file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescue {
    pub schema_version: u32,
    pub device_id: Uuid,
    pub pending: Vec<Mutation>,
    pub refused: Vec<Refused>,
}
