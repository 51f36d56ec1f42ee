//! How long the workspace pages' data takes to prepare for a library with
//! 500 partners, 200 meetings (with minutes and tasks), 100 consultations
//! and 4 000 sign-ins, read from the device store as the pages read it.
//! Run with `cargo bench -p app --bench workspace` (or `scripts/bench`).
//! Native code: the browser's wasm is slower by a small factor, and the
//! browser's localStorage adds its own reads.

use app::{
    meetings::PartnershipRef,
    meetings::{model as meeting, tasks::task_lines, view::MeetingView},
    partners::{
        model as partner,
        pages::{by_sector, matches},
    },
    support::{MyLibrary, MyProgram, TutorRef, model as consultation, pages::rows_on_device},
    sync::{
        Change,
        local::{LocalStore, MemoryStorage},
    },
    ui::page_of,
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

const PARTNERS: usize = 500;
const MEETINGS: usize = 200;
const CONSULTATIONS: usize = 100;
const SIGN_INS_PER_MEETING: usize = 20;

fn change(entity: &str, rev: i64, data: Value) -> Change {
    Change {
        entity: entity.to_owned(),
        record_id: Uuid::new_v4(),
        rev,
        deleted: false,
        data: data.as_object().cloned().unwrap_or_default(),
        library_id: None,
    }
}

fn library() -> (
    LocalStore<MemoryStorage>,
    Vec<MyLibrary>,
    Vec<PartnershipRef>,
) {
    let (library, program, partnership, tutor) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let mut changes = Vec::new();
    let mut rev = 0;
    let mut next = || {
        rev += 1;
        rev
    };
    for n in 0..PARTNERS {
        let sector = partner::SECTORS[n % partner::SECTORS.len()];
        changes.push(change(partner::ENTITY, next(), json!({
            "library_id": library, "name": format!("Partner {n:03} z gminy"), "sector": sector,
            "contact_person": format!("Osoba {n}"), "email": format!("p{n}@gmina.pl"),
            "phone": "+48 600 100 200", "role": "wsparcie wydarzeń", "member_since": "2025-03-01",
            "notes": "Współpracujemy od lat przy festynie i zajęciach dla dzieci.\n".repeat(5),
        })));
    }
    let mut meeting_ids = Vec::new();
    for n in 0..MEETINGS {
        let day = 1 + n % 28;
        let month = 1 + n / 28 % 12;
        let c = change(
            meeting::ENTITY,
            next(),
            json!({
                "partnership_id": partnership, "kind": "working", "status": "held",
                "title": format!("Spotkanie robocze nr {n}"),
                "starts_at": format!("2025-{month:02}-{day:02}T10:00:00Z"),
                "ends_at": format!("2025-{month:02}-{day:02}T12:00:00Z"),
                "place": "Czytelnia", "facilitator": "Tutor programu",
                "agenda": "1. Sprawy bieżące\n2. Plan działań\n3. Wolne wnioski",
                "minutes": "Rozmawialiśmy o potrzebach mieszkańców i planie na kolejny miesiąc.\n".repeat(30),
                "decisions": "Przygotować plakat i zaprosić szkołę.",
                "tasks": (0..5).map(|t| json!({
                    "id": Uuid::new_v4(), "title": format!("Zadanie {t}"), "owner": "Ola",
                    "deadline": "2025-12-01", "status": if t % 2 == 0 { "open" } else { "done" },
                })).collect::<Vec<_>>(),
            }),
        );
        meeting_ids.push(c.record_id);
        changes.push(c);
    }
    for (n, meeting_id) in meeting_ids.iter().enumerate() {
        for s in 0..SIGN_INS_PER_MEETING {
            changes.push(change("sign_in", next(), json!({
                "meeting_id": meeting_id, "full_name": format!("Uczestnik {n}-{s}"),
                "organization": format!("Partner {:03} z gminy", (n + s) % PARTNERS),
                "function": "członek", "clause_version": 1, "clause_ack": true, "image_consent": false,
                "signed_at": "2025-03-01T10:05:00Z",
                "signature": {"kind": "drawn", "strokes": [[10, 10, 200, 300, 400, 120, 500, 200, 600, 100]]},
            })));
        }
    }
    for (n, meeting_id) in meeting_ids.iter().enumerate().take(CONSULTATIONS) {
        changes.push(change(consultation::ENTITY, next(), json!({
            "library_id": library, "program_id": program, "tutor_id": tutor, "tutor_name": "Tutor",
            "date": "2025-04-01", "minutes": 60, "mode": "remote", "topic": format!("Konsultacja {n}"),
            "meeting_id": if n % 4 == 0 { json!(meeting_id) } else { Value::Null },
        })));
    }
    let mut store = LocalStore::open_at(MemoryStorage::default(), "bench/".into()).expect("store");
    for chunk in changes.chunks(500) {
        let cursor = chunk.last().map_or(0, |c| c.rev);
        store
            .apply_response(&[], chunk, cursor, None)
            .expect("pull");
    }
    let libraries = vec![MyLibrary {
        id: library,
        name: "Biblioteka".into(),
        editable: true,
        logs_hours: true,
        programs: vec![MyProgram {
            id: program,
            name: "Program".into(),
            budget_tenths: 240,
            tutors: vec![TutorRef {
                id: tutor,
                name: "Tutor".into(),
            }],
        }],
    }];
    let partnerships = vec![PartnershipRef {
        id: partnership,
        name: "Partnerstwo".into(),
        library_id: library,
        library_name: "Biblioteka".into(),
        program_name: "Program".into(),
        program_id: program,
        editable: true,
        funding_line: None,
        clause: None,
    }];
    (store, libraries, partnerships)
}

/// The median of `runs` timings of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let (store, libraries, partnerships) = library();
    let runs = 21;
    let rows: Vec<(&str, Duration)> = vec![
        (
            "partner list: read 500, sort, search, sectors, page 1",
            median(runs, || {
                let mut all = store
                    .list_as::<partner::Partner>(partner::ENTITY)
                    .expect("list");
                all.sort_by_cached_key(|(_, p)| p.name.to_lowercase());
                let found: Vec<_> = all
                    .iter()
                    .filter(|(_, p)| matches(p, "gminy"))
                    .cloned()
                    .collect();
                std::hint::black_box((by_sector(&all), page_of(&found, 1, 25)));
            }),
        ),
        (
            "meeting list: read 200, views, page 1",
            median(runs, || {
                let all = store
                    .list_as::<meeting::Meeting>(meeting::ENTITY)
                    .expect("list");
                let views: Vec<MeetingView> = all
                    .into_iter()
                    .map(|(id, m)| MeetingView::new(id, m))
                    .collect();
                std::hint::black_box(page_of(&views, 1, 20));
            }),
        ),
        (
            "tasks: 1 000 tasks of 200 meetings",
            median(runs, || {
                let all = store.list_as(meeting::ENTITY).expect("list");
                std::hint::black_box(task_lines(&all, "2026-11-22"));
            }),
        ),
        (
            "hours: 200 meetings + 100 consultations",
            median(runs, || {
                let meetings = store.list_as(meeting::ENTITY).expect("list");
                let consultations = store.list_as(consultation::ENTITY).expect("list");
                std::hint::black_box(rows_on_device(
                    &libraries,
                    &partnerships,
                    &meetings,
                    &consultations,
                ));
            }),
        ),
        (
            "partner page: match 4 000 sign-ins by organization",
            median(runs, || {
                let key = partner::match_key("Partner 007 z gminy");
                let signed = store
                    .list_as::<app::attendance::model::SignIn>("sign_in")
                    .expect("list")
                    .into_iter()
                    .filter(|(_, s)| partner::match_key(&s.organization) == key)
                    .count();
                std::hint::black_box(signed);
            }),
        ),
    ];
    println!(
        "| workspace data ({PARTNERS} partners, {MEETINGS} meetings, {} sign-ins) | median of {runs} |",
        MEETINGS * SIGN_INS_PER_MEETING
    );
    println!("|---|---:|");
    for (what, time) in rows {
        println!("| {what} | {:.1} ms |", time.as_secs_f64() * 1000.0);
    }
}
