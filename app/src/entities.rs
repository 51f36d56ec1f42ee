//! The one list of what this app syncs. The server's writer and the
//! browser's sync provider are handed it; adding an entity means a feature
//! folder with its `rules.rs` and one line here.

use crate::{attendance, meetings, partners, plans, support, sync::rules::Registry};
use std::sync::OnceLock;

pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let registry = Registry::new(vec![
            &meetings::rules::Meetings,
            &attendance::rules::SignIns,
            &partners::rules::Partners,
            &plans::rules::Plans,
            &support::rules::Consultations,
        ])
        .with_references(vec![
            &meetings::rules::Partnerships,
            &support::rules::Libraries,
        ]);
        #[cfg(feature = "ssr")]
        let registry = registry.with_tokens(&attendance::rules::KioskTokens);
        registry
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    /// The sync panel names a refused field in its entity's own words
    /// (it once called every field of a partner or a sign-in "Status").
    #[test]
    fn a_refused_field_is_named_by_its_own_entity() {
        let label = |entity: &str, field: &str, locale: Locale| {
            registry()
                .get(entity)
                .map(|rules| rules.field_label(field, locale))
        };
        let polish = Locale::pl;
        assert_eq!(
            label("partner", "phone", polish).as_deref(),
            Some("Telefon")
        );
        assert_eq!(
            label("sign_in", "full_name", polish).as_deref(),
            Some("Imię i nazwisko")
        );
        assert_eq!(
            label("plan", "diagnosis", polish).as_deref(),
            Some("Diagnoza lokalnych potrzeb i zasobów")
        );
        assert_eq!(
            label("consultation", "topic", polish).as_deref(),
            Some("Temat")
        );
        assert_eq!(
            label("consultation", "topic", Locale::en).as_deref(),
            Some("Topic")
        );
        assert_eq!(
            label("meeting", "status", polish).as_deref(),
            Some("Status")
        );
    }

    #[test]
    fn every_entity_is_listed_once() {
        let mut names: Vec<&str> = registry().iter().map(|rules| rules.name()).collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all);
        assert_eq!(all, 5);
    }
}
