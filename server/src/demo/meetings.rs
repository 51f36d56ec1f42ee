//! The demo's meetings, tasks and partners, dated from the day they are seeded (and re-dated later, unless someone changed them).

use super::*;
use app::format;
use sqlx::PgPool;
use uuid::{Uuid, uuid};

/// The demo's calendar, counted from the day it is loaded, so the demo
/// tells the same story whenever it is seeded: the partnership started some
/// weeks ago, met last week, and meets again in ten days.
pub(super) struct Calendar {
    pub(super) now: i64,
}

impl Calendar {
    /// The day in Poland `offset` days from today, `YYYY-MM-DD`.
    pub(super) fn day(&self, offset: i64) -> String {
        app::clock::poland_day(&format::instant_of(self.now + offset * 86_400)).unwrap_or_default()
    }

    /// The UTC instant of a Polish wall-clock time `HH:MM`, `offset` days from today.
    pub(super) fn at(&self, offset: i64, time: &str) -> String {
        format::from_warsaw_local(&format!("{}T{time}", self.day(offset))).unwrap_or_default()
    }

    /// "5 listopada 2026".
    pub(super) fn long_day(&self, offset: i64) -> String {
        let day = self.day(offset);
        let year = day.get(0..4).and_then(|p| p.parse().ok());
        let month = day.get(5..7).and_then(|p| p.parse().ok());
        let date = day.get(8..10).and_then(|p| p.parse().ok());
        match (year, month, date) {
            (Some(year), Some(month), Some(day)) => {
                format::Day { year, month, day }.long(app::i18n::Locale::pl)
            }
            _ => day,
        }
    }
}

/// Days from the day of seeding: the initiating meeting, the working one, the coming one.
pub(super) const INITIATING: i64 = -77;
pub(super) const WORKING: i64 = -7;
pub(super) const COMING: i64 = 10;

/// Three meetings of the Zalesie partnership, so the meeting screens have
/// something to show: one approved, one held whose notes are unfinished, one
/// coming; its partners and a tutor's consultation. They go in as synced
/// records, so devices pull them like any other. `now` (seconds since the
/// epoch) places them; a record nobody has changed since it was seeded is
/// moved to the new dates when the demo is seeded again on a later day.
/// Kept apart from `seed`, which tests use on an empty meeting table.
pub async fn seed_meetings(pool: &PgPool, now: i64) -> Result<(), SeedError> {
    use serde_json::json;
    let on = Calendar { now };
    let meetings = [
        (
            uuid!("5a1e0000-0000-4000-8000-000000000401"),
            json!({
                "partnership_id": ZALESIE_PARTNERSHIP, "kind": "initiating", "status": "approved",
                "title": "Spotkanie inicjujące partnerstwa",
                "starts_at": on.at(INITIATING, "14:00"), "ends_at": on.at(INITIATING, "16:00"),
                "place": "Czytelnia biblioteki w Zalesiu", "facilitator": "Tomasz Wiśniewski",
                "agenda": "1. Przedstawienie się partnerów\n2. Potrzeby mieszkańców\n3. Czy tworzymy partnerstwo?",
                "minutes": "Przyszło 14 osób z gminy, szkoły, koła gospodyń wiejskich i OSP.\nRozmawialiśmy o tym, czego brakuje mieszkańcom: miejsca spotkań dla seniorów i zajęć dla młodzieży po lekcjach.\nWszyscy obecni chcą działać razem.",
                "decisions": "Tworzymy partnerstwo. Następne spotkanie: plan działań.",
                "next_meeting": format!("Kolejne spotkanie odbędzie się {} o 16.00 w czytelni.", on.long_day(WORKING)),
                "tasks": [
                    {"id": "5a1e0000-0000-4000-8000-000000000411", "title": "Rozesłać notatkę partnerom",
                     "owner": "Barbara Kowalska", "deadline": on.day(INITIATING + 7), "status": "done"},
                    {"id": "5a1e0000-0000-4000-8000-000000000412", "title": "Zebrać pomysły od młodzieży",
                     "owner": "Szkoła Podstawowa w Zalesiu", "deadline": on.day(INITIATING + 35), "status": "done"}
                ]
            }),
        ),
        (
            uuid!("5a1e0000-0000-4000-8000-000000000402"),
            json!({
                "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working", "status": "draft",
                "title": "Spotkanie robocze: plan działań na kolejny rok",
                "starts_at": on.at(WORKING, "16:00"), "ends_at": on.at(WORKING, "18:00"),
                "place": "Czytelnia biblioteki w Zalesiu", "facilitator": "Tomasz Wiśniewski",
                "agenda": "1. Pomysły młodzieży\n2. Zadania na kolejny rok\n3. Kto za co odpowiada",
                "minutes": "Omówiliśmy pomysły młodzieży: kino plenerowe i warsztaty z robotyki.\n",
                "decisions": "", "next_meeting": "",
                "tasks": [
                    {"id": "5a1e0000-0000-4000-8000-000000000421", "title": "Zapytać gminę o salę na warsztaty",
                     "owner": "Urząd Gminy Zalesie", "deadline": on.day(WORKING + 21), "status": "in_progress"}
                ]
            }),
        ),
        (
            uuid!("5a1e0000-0000-4000-8000-000000000403"),
            json!({
                "partnership_id": ZALESIE_PARTNERSHIP, "kind": "summary", "status": "draft",
                "title": "Podsumowanie roku partnerstwa",
                "starts_at": on.at(COMING, "14:00"), "ends_at": null,
                "place": "Świetlica wiejska w Borowie", "facilitator": "",
                "agenda": "1. Co się udało w tym roku\n2. Plan rozwoju współpracy na kolejny rok",
                "minutes": "", "decisions": "", "next_meeting": "", "tasks": []
            }),
        ),
    ];
    let partner = |n: u128, name: &str, sector: &str, contact: &str, role: &str| {
        (
            "partner",
            Uuid::from_u128(0x5a1e0000_0000_4000_8000_000000000500 + n),
            json!({
                "library_id": ZALESIE, "name": name, "sector": sector, "contact_person": contact,
                "email": "", "phone": "", "role": role, "member_since": on.day(INITIATING), "notes": "",
                "attended": ["5a1e0000-0000-4000-8000-000000000401"], "dismissed": []
            }),
        )
    };
    let mut records: Vec<(&str, Uuid, serde_json::Value)> = meetings
        .into_iter()
        .map(|(id, data)| ("meeting", id, data))
        .collect();
    records.extend([
        partner(
            1,
            "Urząd Gminy Zalesie",
            "local_government",
            "Jan Kowalczyk",
            "współfinansowanie, sala",
        ),
        partner(
            2,
            "Szkoła Podstawowa w Zalesiu",
            "school",
            "Anna Nowak",
            "zajęcia dla młodzieży",
        ),
        partner(
            3,
            "Koło Gospodyń Wiejskich w Borowie",
            "ngo",
            "Halina Wiśniewska",
            "poczęstunek, warsztaty",
        ),
        partner(
            4,
            "Ochotnicza Straż Pożarna w Zalesiu",
            "ngo",
            "Piotr Zając",
            "kino plenerowe",
        ),
        partner(
            5,
            "Gminny Ośrodek Kultury",
            "culture",
            "Ewa Lis",
            "wspólne wydarzenia",
        ),
        partner(
            6,
            "Sklep „U Marty”",
            "business",
            "Marta Kwiatkowska",
            "nagrody w konkursach",
        ),
        (
            "consultation",
            uuid!("5a1e0000-0000-4000-8000-000000000601"),
            json!({
                "library_id": ZALESIE, "program_id": PRB_ROUND_III, "tutor_id": ACCOUNTS[1].id,
                "tutor_name": ACCOUNTS[1].full_name, "date": on.day(INITIATING + 16), "minutes": 60,
                "mode": "remote", "topic": "Przygotowanie spotkania roboczego", "meeting_id": null,
                "notes": ""
            }),
        ),
    ]);
    let mut tx = pool.begin().await?;
    // Revisions are taken in commit order, as a sync push takes them, so a
    // device pulling meanwhile never skips a re-dated record.
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(app::sync::server::SYNC_LOCK)
        .execute(&mut *tx)
        .await?;
    // Eighteen months of the program, from the start of the month four months ago.
    sqlx::query(
        "update programs set
             starts_on = date_trunc('month', $2::date)::date,
             ends_on = (date_trunc('month', $2::date) + interval '18 months' - interval '1 day')::date
         where id = $1",
    )
    .bind(PRB_ROUND_III)
    .bind(on.day(-120))
    .execute(&mut *tx)
    .await?;
    for (entity, id, data) in records {
        // New, or untouched since an earlier seeding (no mutation was ever
        // applied to it) and dated for another day: written as a new revision.
        sqlx::query(
            "with r as (select nextval('revisions') as rev),
             stored as (
                 insert into records (entity, id, library_id, rev, data)
                 select $1, $2, $3, rev, $4 from r
                 on conflict (entity, id) do update
                     set rev = excluded.rev, data = excluded.data, updated_at = now()
                     where records.data is distinct from excluded.data and not records.deleted
                       and not exists (select 1 from applied_mutations a
                                       where a.entity = $1 and a.record_id = $2)
                 returning id, rev, data)
             insert into record_versions (entity, record_id, rev, data)
             select $1, id, rev, data from stored",
        )
        .bind(entity)
        .bind(id)
        .bind(ZALESIE)
        .bind(data)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
