//! `/godziny`: support hours on the device — how many of each library's
//! budgeted hours are used (meetings with a facilitator count by
//! themselves), a form to log a consultation, and the consultations logged.
//! Works offline; the library page shows the server's count once synced.

use crate::support::{
    HoursRow, MyLibrary,
    model::{
        Budget, Consultation, MeetingTime, budget_state, meeting_minutes, tenths_of_hour,
        used_minutes,
    },
};
use crate::{
    format,
    i18n::{Locale, t_string, td_string, use_i18n},
    meetings::{PartnershipRef, model::Meeting},
};
use leptos::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

mod consultations;
mod hours;
mod new;

// Siblings reach each other's items through these.
#[allow(unused_imports)]
use consultations::*;
pub use hours::HoursPage;
#[allow(unused_imports)]
use hours::*;
#[allow(unused_imports)]
use new::*;

const PAGE: usize = 20;

pub fn mode_label(mode: &str, locale: Locale) -> String {
    match mode {
        "on_site" => td_string!(locale, hours.mode_on_site),
        _ => td_string!(locale, hours.mode_remote),
    }
    .to_string()
}

/// Hours used per library and program from what the device holds, in the
/// libraries' order: the same counting as the server's.
pub fn rows_on_device(
    libraries: &[MyLibrary],
    partnerships: &[PartnershipRef],
    meetings: &[(Uuid, Meeting)],
    consultations: &[(Uuid, Consultation)],
) -> Vec<HoursRow> {
    let program_of: HashMap<Uuid, (Uuid, Uuid)> = partnerships
        .iter()
        .map(|p| (p.id, (p.library_id, p.program_id)))
        .collect();
    let meetings: Vec<MeetingTime> = meetings
        .iter()
        .filter_map(|(id, m)| {
            let (library_id, program_id) = *program_of.get(&m.partnership_id?)?;
            Some(MeetingTime {
                id: *id,
                library_id,
                program_id,
                minutes: meeting_minutes(m),
            })
        })
        .collect();
    let consultations: Vec<_> = consultations.iter().filter_map(|(_, c)| c.time()).collect();
    let used = used_minutes(&meetings, &consultations);
    libraries
        .iter()
        .flat_map(|library| {
            library.programs.iter().map(|program| HoursRow {
                library_id: library.id,
                library_name: library.name.clone(),
                program_id: program.id,
                program_name: program.name.clone(),
                used_minutes: used.get(&(library.id, program.id)).copied().unwrap_or(0),
                budget_tenths: program.budget_tenths,
            })
        })
        .collect()
}

/// "18 z 24 godzin" with a bar and a warning near or over the budget.
#[component]
pub fn HoursMeter(row: HoursRow, #[prop(optional)] show_library: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let used = tenths_of_hour(row.used_minutes);
    let state = budget_state(row.used_minutes, row.budget_tenths);
    let sentence = t_string!(
        i18n,
        hours.used_of,
        used = format::tenths(used, locale),
        budget = format::hours(row.budget_tenths, locale)
    )
    .to_string();
    let warning = match state {
        Budget::Within => None,
        Budget::Near => Some(t_string!(i18n, hours.near_limit).to_string()),
        Budget::Over => Some(t_string!(i18n, hours.over_limit).to_string()),
    };
    let class = match state {
        Budget::Within => "hours",
        Budget::Near => "hours hours--near",
        Budget::Over => "hours hours--over",
    };
    let heading = if show_library {
        format!("{} — {}", row.library_name, row.program_name)
    } else {
        row.program_name.clone()
    };
    let max = row.budget_tenths.max(1);
    view! {
        <div class=class>
            <p class="hours__title">{heading}</p>
            <p class="hours__sentence">{sentence}</p>
            <meter class="hours__meter" min="0" max=max.to_string() low=(max * 4 / 5).to_string()
                high=max.to_string() optimum="0" value=used.min(max).to_string()
                aria-label=t_string!(i18n, hours.meter_label).to_string()></meter>
            {warning.map(|w| view! { <p class="hours__warning" role="status">{w}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::MyProgram;
    use serde_json::json;

    fn fields<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        serde_json::from_value(value).expect("a record")
    }

    #[test]
    fn the_device_counts_each_library_and_program_from_its_own_records() {
        let (zalesie, rudka, prb, blisko) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let program = |id, budget_tenths| MyProgram {
            id,
            name: String::new(),
            budget_tenths,
            tutors: Vec::new(),
        };
        let library = |id, programs| MyLibrary {
            id,
            name: String::new(),
            editable: true,
            logs_hours: true,
            programs,
        };
        let libraries = [
            library(zalesie, vec![program(prb, 240), program(blisko, 100)]),
            library(rudka, vec![program(prb, 240)]),
        ];
        let partnership = Uuid::from_u128(10);
        let partnerships = [PartnershipRef {
            id: partnership,
            name: String::new(),
            library_id: zalesie,
            library_name: String::new(),
            program_name: String::new(),
            program_id: prb,
            editable: true,
            funding_line: None,
            clause: None,
        }];
        let meeting = |partnership: Uuid, status: &str| -> Meeting {
            fields(json!({
                "partnership_id": partnership, "status": status, "facilitator": "Anna",
                "starts_at": "2026-03-02T10:00:00Z", "ends_at": "2026-03-02T12:00:00Z",
            }))
        };
        let (logged, held, draft, elsewhere) = (
            Uuid::from_u128(20),
            Uuid::from_u128(21),
            Uuid::from_u128(22),
            Uuid::from_u128(23),
        );
        let meetings = [
            (logged, meeting(partnership, "held")),
            (held, meeting(partnership, "approved")),
            (draft, meeting(partnership, "draft")),
            // A partnership the device does not know: no library to count for.
            (elsewhere, meeting(Uuid::from_u128(11), "held")),
        ];
        let consultation =
            |library: Uuid, program: Uuid, minutes: u64, meeting: Option<Uuid>| -> Consultation {
                fields(json!({
                    "library_id": library, "program_id": program, "minutes": minutes,
                    "meeting_id": meeting,
                }))
            };
        let consultations = [
            (
                Uuid::from_u128(30),
                consultation(zalesie, prb, 90, Some(logged)),
            ),
            (Uuid::from_u128(31), consultation(zalesie, blisko, 45, None)),
            (Uuid::from_u128(32), consultation(rudka, prb, 60, None)),
        ];
        let rows = rows_on_device(&libraries, &partnerships, &meetings, &consultations);
        let used: Vec<(Uuid, Uuid, u64, u32)> = rows
            .iter()
            .map(|r| (r.library_id, r.program_id, r.used_minutes, r.budget_tenths))
            .collect();
        assert_eq!(
            used,
            [
                // 90 logged for the first meeting (not its 120), 120 for the second.
                (zalesie, prb, 90 + 120, 240),
                (zalesie, blisko, 45, 100),
                (rudka, prb, 60, 240),
            ]
        );
    }
}
