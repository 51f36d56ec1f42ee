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
