//! The attendance list of one meeting (lista obecności): on screen for the
//! library, the tutor and the coordinator, printed on A4 with signatures for
//! the program's report, and as CSV for Polish Excel. It reads the device's
//! store, so it works offline; strikes and paper entries are saved there too.

use crate::attendance::model::{ENTITY, SignIn, Signature};
use crate::sync::local::read_as;
use crate::{
    format,
    i18n::{Locale, td_string},
    kernel::csv::csv,
    meetings::PartnershipRef,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub mod online;
mod page;
mod paper;

// Siblings reach each other's items through these.
pub use page::AttendancePage;
#[allow(unused_imports)]
use page::*;
#[allow(unused_imports)]
use paper::*;

/// One line of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub id: Uuid,
    pub full_name: String,
    pub organization: String,
    pub function: String,
    pub image_consent: Option<bool>,
    pub signature: Option<Signature>,
    pub paper: bool,
    pub signed_at: String,
    /// The reason, when struck off.
    pub struck: Option<String>,
    /// Not on the server yet.
    pub pending: bool,
    /// Another entry (not struck) has the same name.
    pub duplicate: bool,
}

/// A name as compared for duplicates: case and spacing do not count.
pub fn comparable_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The meeting's sign-ins in the order they were made, duplicates flagged.
/// `records` come in the store's order.
pub fn attendees(
    records: Vec<(Uuid, Map<String, Value>)>,
    meeting: Uuid,
    pending: &HashSet<Uuid>,
) -> Vec<Attendee> {
    let mut list: Vec<Attendee> = records
        .into_iter()
        .filter_map(|(id, data)| read_as::<SignIn>(ENTITY, id, data).map(|sign_in| (id, sign_in)))
        .filter(|(_, sign_in)| sign_in.meeting_id == meeting)
        .map(|(id, sign_in)| Attendee {
            id,
            paper: sign_in.typed_later,
            full_name: sign_in.full_name,
            organization: sign_in.organization,
            function: sign_in.function,
            image_consent: sign_in.image_consent,
            signature: sign_in.signature,
            signed_at: sign_in.signed_at,
            struck: sign_in.struck.map(|strike| strike.reason),
            pending: pending.contains(&id),
            duplicate: false,
        })
        .collect();
    // Stable: within one second the store's order (saved here, or pulled
    // in the server's order) stands.
    list.sort_by(|a, b| a.signed_at.cmp(&b.signed_at));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for attendee in list.iter().filter(|a| a.struck.is_none()) {
        *seen
            .entry(comparable_name(&attendee.full_name))
            .or_default() += 1;
    }
    for attendee in list.iter_mut().filter(|a| a.struck.is_none()) {
        attendee.duplicate = seen
            .get(&comparable_name(&attendee.full_name))
            .is_some_and(|n| *n > 1);
    }
    list
}

fn yes_no(consent: Option<bool>, locale: Locale) -> String {
    match consent {
        Some(true) => td_string!(locale, kiosk.yes).to_string(),
        Some(false) => td_string!(locale, kiosk.no).to_string(),
        None => String::new(),
    }
}

/// The list as CSV rows: the printed columns, the kind of signature and the
/// time of the entry. Struck entries are left out, as on paper.
pub fn csv_rows(list: &[Attendee], locale: Locale) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        td_string!(locale, attendance.number).to_string(),
        td_string!(locale, kiosk.full_name).to_string(),
        td_string!(locale, kiosk.organization).to_string(),
        td_string!(locale, kiosk.function).to_string(),
        td_string!(locale, attendance.image_consent).to_string(),
        td_string!(locale, kiosk.signature).to_string(),
        td_string!(locale, attendance.signed_at).to_string(),
    ]];
    for (number, attendee) in list.iter().filter(|a| a.struck.is_none()).enumerate() {
        let signature = if attendee.paper {
            td_string!(locale, attendance.on_paper)
        } else if matches!(attendee.signature, Some(Signature::Typed { .. })) {
            td_string!(locale, attendance.typed)
        } else {
            td_string!(locale, attendance.drawn)
        };
        rows.push(vec![
            (number + 1).to_string(),
            attendee.full_name.clone(),
            attendee.organization.clone(),
            attendee.function.clone(),
            yes_no(attendee.image_consent, locale),
            signature.to_string(),
            format::when(&attendee.signed_at, locale),
        ]);
    }
    rows
}

/// Everything the page shows, read from the store at once.
#[derive(Debug, Clone, PartialEq)]
struct Sheet {
    meeting: Map<String, Value>,
    partnership: Option<PartnershipRef>,
    list: Vec<Attendee>,
    /// Read from the server for a device that does not hold the library:
    /// shown and printed, never changed here.
    from_server: bool,
}

impl Sheet {
    fn text(&self, field: &str) -> String {
        self.meeting
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn editable(&self) -> bool {
        !self.from_server && self.partnership.as_ref().is_none_or(|p| p.editable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(name: &str, at: &str, meeting: Uuid) -> (Uuid, Map<String, Value>) {
        let data = json!({"meeting_id": meeting, "full_name": name, "signed_at": at, "image_consent": true});
        (
            Uuid::new_v4(),
            data.as_object().cloned().unwrap_or_default(),
        )
    }

    #[test]
    fn the_list_is_in_signing_order_with_duplicates_flagged_not_merged() {
        let (here, there) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut records = vec![
            record("Ewa  Kos", "2026-11-22T10:05:00Z", here),
            record("Jan Nowak", "2026-11-22T10:00:00Z", here),
            record("ewa kos", "2026-11-22T10:07:00Z", here),
            record("Ewa Kos", "2026-11-22T10:01:00Z", there),
        ];
        let (struck_id, mut struck) = record("Jan Nowak", "2026-11-22T10:09:00Z", here);
        struck.insert(
            "struck".into(),
            json!({"reason": "pomyłka", "at": "2026-11-22T11:00:00Z"}),
        );
        records.push((struck_id, struck));
        let pending = HashSet::from([records[0].0]);
        let list = attendees(records.clone(), here, &pending);
        let names: Vec<&str> = list.iter().map(|a| a.full_name.as_str()).collect();
        assert_eq!(names, ["Jan Nowak", "Ewa  Kos", "ewa kos", "Jan Nowak"]);
        let flags: Vec<bool> = list.iter().map(|a| a.duplicate).collect();
        assert_eq!(flags, [false, true, true, false]);
        assert!(list[1].pending && !list[0].pending);
        assert_eq!(list[3].struck.as_deref(), Some("pomyłka"));
    }

    #[test]
    fn sign_ins_in_the_same_second_keep_the_stores_order() {
        let here = Uuid::from_u128(1);
        let records: Vec<_> = ["Zofia", "Adam", "Maria"]
            .into_iter()
            .map(|name| record(name, "2026-11-22T10:00:00Z", here))
            .collect();
        let names: Vec<String> = attendees(records.clone(), here, &HashSet::new())
            .into_iter()
            .map(|a| a.full_name)
            .collect();
        assert_eq!(names, ["Zofia", "Adam", "Maria"]);
    }

    #[test]
    fn csv_opens_in_polish_excel() {
        let text = csv(&[
            vec!["Lp.".into(), "Imię i nazwisko".into()],
            vec!["1".into(), "Kowalska; \"Ala\"".into()],
            vec!["2".into(), "=HYPERLINK(\"x\")".into()],
        ]);
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Lp.;Imię i nazwisko\r\n1;\"Kowalska; \"\"Ala\"\"\"\r\n2;\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
    }

    #[test]
    fn csv_rows_number_what_is_printed_and_say_how_each_signed() {
        let here = Uuid::from_u128(1);
        let mut records = vec![
            record("Anna", "2026-11-22T10:00:00Z", here),
            record("Olga", "2026-11-22T10:02:00Z", here),
            record("Piotr", "2026-11-22T10:03:00Z", here),
        ];
        records[0].1.insert(
            "signature".into(),
            json!({"kind": "drawn", "strokes": [[0, 0, 5, 5]]}),
        );
        records[1].1.insert(
            "struck".into(),
            json!({"reason": "x", "at": "2026-11-22T11:00:00Z"}),
        );
        records[2].1.insert("typed_later".into(), json!(true));
        let rows = csv_rows(
            &attendees(records.clone(), here, &HashSet::new()),
            Locale::pl,
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][0], "Lp.");
        assert_eq!(rows[1][..2], ["1".to_string(), "Anna".to_string()]);
        assert_eq!(rows[1][4], "TAK");
        assert_eq!(rows[2][..2], ["2".to_string(), "Piotr".to_string()]);
        assert_eq!(rows[2][5], "na liście papierowej");
        assert_eq!(rows[1][6], "22 listopada 2026, 11:00");
    }
}
