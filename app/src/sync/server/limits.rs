//! What a mutation's own content decides, before any record is read: what
//! can never be stored (U+0000, which PostgreSQL refuses in text and jsonb,
//! and changes over `MAX_RECORD_BYTES`) and its fields as its entity checks
//! them. Done in each request's own task, so a room of tablets is checked in
//! parallel and the one writer only applies.

use super::{refused, rejection};
use crate::{
    errors::Problem,
    sync::{
        MAX_RECORD_BYTES, Mutation, MutationResult, Op, RefusalCode,
        rules::{Refusal, Registry, check_fields},
    },
};
use serde_json::{Map, Value};
use uuid::Uuid;

/// About how many bytes `value` takes as JSON, and whether it holds U+0000
/// (which PostgreSQL cannot store in text or jsonb).
pub(super) fn measure(value: &Value) -> (usize, bool) {
    fn digits(mut n: u64) -> usize {
        let mut count = 1;
        while n >= 10 {
            n /= 10;
            count += 1;
        }
        count
    }
    match value {
        Value::Null => (4, false),
        Value::Bool(_) => (5, false),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => (digits(u), false),
            (None, Some(i)) => (1 + digits(i.unsigned_abs()), false),
            _ => (24, false),
        },
        Value::String(text) => (text.len() + 2, text.contains('\0')),
        Value::Array(items) => items.iter().fold((2, false), |(size, nul), item| {
            let (s, n) = measure(item);
            (size + s + 1, nul || n)
        }),
        Value::Object(fields) => fields.iter().fold((2, false), |(size, nul), (k, v)| {
            let (s, n) = entry(k, v);
            (size + s, nul || n)
        }),
    }
}

/// One field of an object, `"key": value,`, as `measure` counts it.
fn entry(key: &str, value: &Value) -> (usize, bool) {
    let (size, nul) = measure(value);
    (key.len() + 4 + size, nul || key.contains('\0'))
}

/// About how many bytes a record's fields take as JSON.
pub(super) fn record_bytes(fields: &Map<String, Value>) -> usize {
    fields.iter().map(|(k, v)| entry(k, v).0).sum::<usize>() + 2
}

/// Why a mutation can never be stored, if so: U+0000 anywhere, or data over
/// `MAX_RECORD_BYTES`. It is refused on its own before any statement sees
/// it, instead of failing the whole push (and its retries).
pub(super) fn unfit(mutation: &Mutation) -> Option<MutationResult> {
    let id = mutation.id;
    if mutation.entity.contains('\0') {
        return Some(refused(
            id,
            Refusal::invalid("entity", Problem::NotAllowedChoice),
        ));
    }
    let mut size = 2;
    for (field, value) in &mutation.data {
        let (bytes, nul) = entry(field, value);
        if nul {
            let field = if field.contains('\0') { "data" } else { field };
            return Some(refused(
                id,
                Refusal::invalid(field, Problem::NotAllowedChoice),
            ));
        }
        size += bytes;
    }
    (size > MAX_RECORD_BYTES).then(|| too_large(id))
}

/// A mutation's fields as its entity checks them, or the first bad one.
pub(super) type Fields = Result<Map<String, Value>, (String, Problem)>;

/// What `prepare` found of one mutation.
#[derive(Default)]
pub(super) struct Prepared {
    /// Why it can never be stored, if so.
    pub unfit: Option<MutationResult>,
    /// Its fields checked one by one (an upsert of a known entity that fits).
    pub fields: Option<Fields>,
}

/// Each mutation's own checks, in order.
pub(super) fn prepare(registry: &Registry, mutations: &[Mutation]) -> Vec<Prepared> {
    mutations
        .iter()
        .map(|mutation| {
            let unfit = unfit(mutation);
            let fields = match (&unfit, registry.get(&mutation.entity)) {
                (None, Some(rules)) if mutation.op == Op::Upsert => {
                    Some(check_fields(rules, &mutation.data))
                }
                _ => None,
            };
            Prepared { unfit, fields }
        })
        .collect()
}

pub(super) fn too_large(id: Uuid) -> MutationResult {
    rejection(
        id,
        RefusalCode::TooLarge,
        "the change is larger than a record may be",
    )
}
