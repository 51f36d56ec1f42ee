//! `/partnerzy` (the list with search, sector filter, chart and a form to
//! add one) and `/partnerzy/:id` (one partner: details, meetings attended).
//! Both read and write the device's store, so they work offline.

use crate::i18n::{Locale, td_string};
use crate::partners::model::{Partner, SECTORS};
use uuid::Uuid;

mod detail;
mod form;
mod list;

// Siblings reach each other's items through these.
pub use detail::PartnerPage;
#[allow(unused_imports)]
use detail::*;
#[allow(unused_imports)]
use form::*;
#[allow(unused_imports)]
use list::*;
pub use list::{PartnersPage, SectorChart};

const PAGE: usize = 25;

pub fn sector_label(sector: &str, locale: Locale) -> String {
    match sector {
        "local_government" => td_string!(locale, partners.sector_local_government),
        "ngo" => td_string!(locale, partners.sector_ngo),
        "school" => td_string!(locale, partners.sector_school),
        "culture" => td_string!(locale, partners.sector_culture),
        "business" => td_string!(locale, partners.sector_business),
        "informal_group" => td_string!(locale, partners.sector_informal_group),
        "local_leader" => td_string!(locale, partners.sector_local_leader),
        _ => td_string!(locale, partners.sector_other),
    }
    .to_string()
}

pub use crate::sync::local::text;

/// Whether a partner matches the typed search (name, contact, role, e-mail).
pub fn matches(partner: &Partner, search: &str) -> bool {
    let search = search.trim().to_lowercase();
    search.is_empty()
        || [
            &partner.name,
            &partner.contact_person,
            &partner.role,
            &partner.email,
        ]
        .iter()
        .any(|text| text.to_lowercase().contains(&search))
}

/// Partners per sector, in the interface's sector order, empty ones left out.
pub fn by_sector(partners: &[(Uuid, Partner)]) -> Vec<(&'static str, usize)> {
    SECTORS
        .iter()
        .map(|sector| {
            let count = partners.iter().filter(|(_, p)| p.sector == *sector).count();
            (*sector, count)
        })
        .filter(|(_, count)| *count > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn partner(name: &str, sector: &str, contact: &str) -> (Uuid, Partner) {
        let stored = json!({ "name": name, "sector": sector, "contact_person": contact });
        (
            Uuid::new_v4(),
            serde_json::from_value(stored).expect("a partner"),
        )
    }

    #[test]
    fn search_looks_at_name_contact_and_role_and_sectors_are_counted() {
        let list = vec![
            partner("Urząd Gminy Zalesie", "local_government", "Jan Wójt"),
            partner("Szkoła Podstawowa", "school", "Anna Nowak"),
            partner("Szkoła Muzyczna", "school", ""),
        ];
        assert!(matches(&list[0].1, "wójt"));
        assert!(matches(&list[1].1, " szkoła "));
        assert!(!matches(&list[0].1, "szkoła"));
        assert_eq!(
            by_sector(&list),
            vec![("local_government", 1), ("school", 2)]
        );
    }
}
