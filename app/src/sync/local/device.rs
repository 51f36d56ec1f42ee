//! One device, several people and several kinds of record: whose data it
//! holds, letting go of what nobody needs here any more, and reading a
//! record as its feature's type.

use super::{Fields, LocalStore, Storage};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// The people whose data this device holds (kiosk stores aside).
pub fn people<S: Storage>(storage: &S) -> Vec<Uuid> {
    let mut found: Vec<Uuid> = storage
        .keys()
        .iter()
        .filter_map(|key| key.strip_prefix("partnerstwa/")?.split('/').next())
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Removes from the device the data of everyone but `keep` whose changes
/// made here have all reached the server (on a shared tablet, the next
/// person cannot read the last one's attendees). A store with anything
/// unsent or refused keeps that, and the records it concerns, but lets go
/// of the rest of what it pulled: the browser's storage is shared, and the
/// budget of the person now here must find its room. One this version
/// cannot read stays as it is.
pub fn forget_others<S: Storage>(storage: &mut S, keep: Uuid) -> Vec<Uuid> {
    let mut forgotten = Vec::new();
    for person in people(&*storage) {
        if person == keep {
            continue;
        }
        let Ok(mut store) = LocalStore::open(&mut *storage, person) else {
            continue;
        };
        match store.holds_unsent() {
            Ok(false) => {
                store.forget();
                forgotten.push(person);
            }
            // Pulled again from the start when she signs in next.
            Ok(true) => {
                let _ = store.let_go_of_pulled();
            }
            Err(_) => {}
        }
    }
    forgotten
}

/// A record's fields as a feature's type. Every record was checked when it
/// was made, and the types read missing (or emptied, null) fields as empty,
/// so one that does not read is not of this kind: it is left out, and said
/// so in the log.
pub fn read_as<T: DeserializeOwned>(entity: &str, id: Uuid, mut data: Fields) -> Option<T> {
    data.retain(|_, value| !value.is_null());
    match serde_json::from_value(Value::Object(data)) {
        Ok(record) => Some(record),
        Err(error) => {
            leptos::logging::warn!("{entity} {id} does not read: {error}");
            None
        }
    }
}
