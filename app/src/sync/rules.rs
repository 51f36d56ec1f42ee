//! What a feature tells the engine about its entity. The engine owns the
//! mechanism (outbox, revisions, merges, conflicts, pulls); each feature
//! hands it one `EntityRules` in `crate::entities`, and nothing here names
//! a feature.

use super::Mutation;
use crate::{errors::Problem, i18n::Locale};
use serde_json::{Map, Value};
use uuid::Uuid;

/// How a record of an entity changes once it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Edited field by field on devices; what two devices change at once is
    /// merged, long texts line by line and lists item by item.
    Merged {
        text_fields: &'static [&'static str],
        /// Lists of objects with an `id`, merged item by item.
        list_fields: &'static [&'static str],
    },
    /// Added once and never changed (a signature on a list). At most one
    /// field may be set later, once (`amendment`), and is audited.
    AppendOnly {
        /// A field the server fills with the sending device's id.
        device_field: Option<&'static str>,
        amendment: Option<Amendment>,
    },
}

/// The one later change an append-only record allows (a strike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amendment {
    pub field: &'static str,
    /// The audit log's action for it.
    pub audit_action: &'static str,
}

/// Which library owns a record, found from one of its fields. Fixed once
/// the record exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The field names the library.
    Library(&'static str),
    /// The field names a partnership; its lead library owns the record.
    Partnership(&'static str),
    /// The field names a record of `entity`; its library owns this one, and
    /// it must exist and not be deleted.
    Record {
        field: &'static str,
        entity: &'static str,
    },
}

impl Owner {
    pub fn field(self) -> &'static str {
        match self {
            Owner::Library(field) | Owner::Partnership(field) | Owner::Record { field, .. } => {
                field
            }
        }
    }
}

/// Why a mutation is refused. Its code travels in `Rejection::code`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: Problem },
}

impl Refusal {
    pub fn invalid(field: &str, problem: Problem) -> Refusal {
        Refusal::Invalid {
            field: field.to_owned(),
            problem,
        }
    }

    pub fn not_allowed() -> Refusal {
        Refusal::Forbidden("not allowed")
    }
}

/// A field's check: the normalized value, or why it is refused.
pub type FieldCheck = fn(&str, &Value) -> Result<Value, Problem>;
/// A whole record's check: the offending field and why.
pub type RecordCheck = fn(&Map<String, Value>) -> Result<(), (&'static str, Problem)>;

/// A value as a person reads it when an entity says nothing better: text as
/// it is, a list one item a line (an item by its title, task or name).
pub fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let named = ["title", "task", "name"]
                    .iter()
                    .find_map(|key| item.get(*key).and_then(Value::as_str));
                format!("• {}", named.map_or_else(|| plain(item), str::to_owned))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// One synced entity, as its feature describes it.
pub trait EntityRules: Send + Sync + 'static {
    /// The name on the wire and in the database (`"sign_in"`).
    fn name(&self) -> &'static str;
    fn kind(&self) -> Kind;
    fn owner(&self) -> Owner;
    /// One field, checked and normalized (the same code on every side).
    fn check_field(&self, field: &str, value: &Value) -> Result<Value, Problem>;
    /// The whole record once its fields are checked.
    fn check_record(&self, data: &Map<String, Value>) -> Result<(), (&'static str, Problem)>;

    /// Other records a mutation names (field, entity) that its checks need,
    /// loaded with the batch (a consultation's meeting).
    fn linked(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Whether a kiosk token made for `scope` (a meeting) may push `mutation`.
    fn token_may_push(&self, _scope: Uuid, _mutation: &Mutation) -> bool {
        false
    }

    /// Fields pulled only to devices of people who may edit the record's
    /// library (an attendee's contact data): the others' devices never
    /// hold them.
    fn editors_only(&self) -> &'static [&'static str] {
        &[]
    }

    /// Pulled fields a device lets go of, oldest records first, when what it
    /// holds passes its budget (a drawn signature): shown from the server
    /// when online, said to be there when not.
    fn spare(&self) -> &'static [&'static str] {
        &[]
    }

    /// What the sync panel calls a record of this entity ("Spotkanie").
    fn label(&self, locale: Locale) -> String;
    /// What the sync panel calls a field when a change to it is refused.
    fn field_label(&self, field: &str, locale: Locale) -> String;
    /// A field's value as a person reads it, on the conflict screen.
    fn readable(&self, _field: &str, value: &Value, _locale: Locale) -> String {
        plain(value)
    }
    /// The field holding a record's title, for the sync panel.
    fn title_field(&self) -> &'static str {
        "title"
    }
    /// The page of a record, if it has one.
    fn page(&self, _record_id: Uuid, _data: &Map<String, Value>) -> Option<String> {
        None
    }

    /// Who may change or delete a record of this entity that now holds
    /// `data`. By default, whoever may edit its library.
    #[cfg(feature = "ssr")]
    fn may_touch(&self, check: &WriteCheck<'_>) -> Result<(), Refusal> {
        check.may_edit_library()
    }

    /// Whether a record may be written as `check.data` (after any merge),
    /// beyond `may_touch`: choices that depend on stored facts.
    #[cfg(feature = "ssr")]
    fn may_write(&self, check: &WriteCheck<'_>) -> Result<(), Refusal> {
        self.may_touch(check)
    }

    /// The facts `may_write` needs about `libraries`, loaded once per batch.
    #[cfg(feature = "ssr")]
    fn facts<'a>(
        &'a self,
        _tx: &'a mut sqlx::PgConnection,
        _libraries: &'a [Uuid],
    ) -> server::FactsFuture<'a> {
        Box::pin(async { Ok(None) })
    }

    /// What the audit log keeps of an amendment (the reason of a strike).
    fn audit_details(&self, _record: &Map<String, Value>) -> Value {
        Value::Null
    }
}

/// All fields of `data` checked by `rules`, or the first bad one.
pub fn check_fields(
    rules: &dyn EntityRules,
    data: &Map<String, Value>,
) -> Result<Map<String, Value>, (String, Problem)> {
    data.iter()
        .map(|(field, value)| {
            rules
                .check_field(field, value)
                .map(|value| (field.clone(), value))
                .map_err(|problem| (field.clone(), problem))
        })
        .collect()
}

/// A record's fields checked one by one and then as a whole.
pub fn check(
    rules: &dyn EntityRules,
    data: &Map<String, Value>,
) -> Result<Map<String, Value>, (String, Problem)> {
    check_whole(rules, check_fields(rules, data)?)
}

/// Fields already checked one by one, checked as a whole record.
pub fn check_whole(
    rules: &dyn EntityRules,
    data: Map<String, Value>,
) -> Result<Map<String, Value>, (String, Problem)> {
    rules
        .check_record(&data)
        .map_err(|(field, problem)| (field.to_owned(), problem))?;
    Ok(data)
}

/// The entities one app syncs: handed to the server's writer and to the
/// browser's sync provider.
pub struct Registry {
    entities: Vec<&'static dyn EntityRules>,
    references: Vec<&'static dyn Reference>,
    #[cfg(feature = "ssr")]
    tokens: Option<&'static dyn server::PushTokens>,
}

/// Data a device keeps beside its records (the partnerships a person may
/// write for), fetched when online and read offline.
pub trait Reference: Send + Sync + 'static {
    /// Its name in the local store.
    fn name(&self) -> &'static str;
    /// Fetched for what the device holds: its person's own libraries and
    /// the `offline` ones she chose (never a whole program's).
    fn fetch(&self, offline: Vec<Uuid>) -> ReferenceFuture;
}

pub type ReferenceFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Value, crate::errors::AppError>> + 'static>,
>;

impl Registry {
    pub fn new(entities: Vec<&'static dyn EntityRules>) -> Registry {
        Registry {
            entities,
            references: Vec::new(),
            #[cfg(feature = "ssr")]
            tokens: None,
        }
    }

    pub fn with_references(mut self, references: Vec<&'static dyn Reference>) -> Registry {
        self.references = references;
        self
    }

    #[cfg(feature = "ssr")]
    pub fn with_tokens(mut self, tokens: &'static dyn server::PushTokens) -> Registry {
        self.tokens = Some(tokens);
        self
    }

    #[cfg(feature = "ssr")]
    pub fn tokens(&self) -> Option<&'static dyn server::PushTokens> {
        self.tokens
    }

    pub fn references(&self) -> impl Iterator<Item = &'static dyn Reference> + '_ {
        self.references.iter().copied()
    }

    pub fn get(&self, name: &str) -> Option<&'static dyn EntityRules> {
        self.entities.iter().copied().find(|e| e.name() == name)
    }

    /// What each entity's records may let go of on a full device.
    pub fn spare(&self) -> Vec<(&'static str, &'static [&'static str])> {
        self.iter()
            .map(|rules| (rules.name(), rules.spare()))
            .filter(|(_, fields)| !fields.is_empty())
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static dyn EntityRules> + '_ {
        self.entities.iter().copied()
    }

    /// Whether `entity` is merged field by field (so a later push may need
    /// what a device saw).
    pub fn merges(&self, entity: &str) -> bool {
        self.get(entity)
            .is_some_and(|e| matches!(e.kind(), Kind::Merged { .. }))
    }
}

/// What a write is checked against: who, which record, its state and what
/// the batch knows.
#[cfg(feature = "ssr")]
pub struct WriteCheck<'a> {
    pub actor: &'a crate::accounts::access::Actor,
    pub mutation: &'a Mutation,
    pub library_id: Uuid,
    /// The record as it would be stored (or as it is, for a delete).
    pub data: &'a Map<String, Value>,
    /// The record as it is stored now, if it is (not deleted).
    pub before: Option<&'a Map<String, Value>>,
    /// No record existed before this mutation.
    pub creating: bool,
    /// Whether a record of (entity, id) exists, undeleted, in this library.
    pub linked: &'a dyn Fn(&str, Uuid) -> Option<Uuid>,
    pub facts: Option<&'a (dyn std::any::Any + Send + Sync)>,
}

#[cfg(feature = "ssr")]
impl WriteCheck<'_> {
    pub fn may_edit_library(&self) -> Result<(), Refusal> {
        use crate::accounts::access::{Action, Target};
        if self
            .actor
            .may(Action::Edit, Target::Library(self.library_id))
        {
            Ok(())
        } else {
            Err(Refusal::not_allowed())
        }
    }

    /// The id in one of the record's fields.
    pub fn uuid(&self, field: &str) -> Option<Uuid> {
        uuid_in(self.data, field)
    }

    /// The facts this entity loaded for the batch.
    pub fn facts<T: 'static>(&self) -> Option<&T> {
        self.facts.and_then(|facts| facts.downcast_ref::<T>())
    }
}

pub fn uuid_in(data: &Map<String, Value>, field: &str) -> Option<Uuid> {
    data.get(field)
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::{accounts::access::Actor, errors::AppError};
    use std::{future::Future, pin::Pin};
    use uuid::Uuid;

    /// What a kiosk token lets its bearer do: push what the entities allow
    /// for `scope` (the meeting it was made for), as `actor`.
    #[derive(Debug, Clone)]
    pub struct TokenGrant {
        pub actor: Actor,
        pub scope: Uuid,
    }

    pub type Facts = Box<dyn std::any::Any + Send + Sync>;
    pub type FactsFuture<'a> =
        Pin<Box<dyn Future<Output = Result<Option<Facts>, AppError>> + Send + 'a>>;
    pub type GrantFuture<'a> =
        Pin<Box<dyn Future<Output = Result<Option<TokenGrant>, AppError>> + Send + 'a>>;

    /// Kiosk tokens: which, if any, lets its bearer push, and as whom.
    pub trait PushTokens: Send + Sync + 'static {
        fn grant<'a>(&'a self, pool: &'a sqlx::PgPool, token: &'a str) -> GrantFuture<'a>;
    }
}

#[cfg(test)]
mod tests {
    use super::plain;
    use serde_json::{Value, json};

    #[test]
    fn values_read_plainly_when_an_entity_says_nothing_better() {
        assert_eq!(plain(&json!("Notatka")), "Notatka");
        assert_eq!(plain(&Value::Null), "");
        assert_eq!(plain(&json!(90)), "90");
        assert_eq!(
            plain(&json!([{"task": "Kino"}, {"title": "Plakat"}, "m1"])),
            "• Kino\n• Plakat\n• m1"
        );
    }
}
