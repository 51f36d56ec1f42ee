//! `partnerstwa seed-demo`: a small, realistic data set to try the product
//! with. Fixed ids make a second run a no-op; existing passwords are kept.

use app::accounts::password;
use sqlx::PgPool;
use uuid::{Uuid, uuid};

mod meetings;

// Siblings reach each other's items through these.
pub use meetings::seed_meetings;
#[allow(unused_imports)]
use meetings::*;

/// The password of every demo account; documented in the README.
pub const DEMO_PASSWORD: &str = "demo-demo-demo";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("demo data is refused when APP_ENV=production")]
    Production,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub struct DemoLibrary {
    pub id: Uuid,
    pub name: &'static str,
    pub municipality: &'static str,
    pub voivodeship: &'static str,
    pub parent_id: Option<Uuid>,
}

pub struct DemoAccount {
    pub id: Uuid,
    pub email: &'static str,
    pub full_name: &'static str,
}

pub const ZALESIE: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000001");
pub const ZALESIE_BOROWO: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000002");
pub const ZALESIE_LIPNICA: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000003");
pub const RUDKA: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000004");
/// In the program, with nobody assigned: the tutor must not see it.
pub const OLSZANKA: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000005");
pub const PRB_ROUND_III: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000101");
pub const ZALESIE_PARTNERSHIP: Uuid = uuid!("5a1e0000-0000-4000-8000-000000000301");

pub const LIBRARIES: [DemoLibrary; 5] = [
    DemoLibrary {
        id: ZALESIE,
        name: "Gminna Biblioteka Publiczna w Zalesiu",
        municipality: "Zalesie",
        voivodeship: "lubelskie",
        parent_id: None,
    },
    DemoLibrary {
        id: ZALESIE_BOROWO,
        name: "Filia biblioteczna w Borowie",
        municipality: "Zalesie",
        voivodeship: "lubelskie",
        parent_id: Some(ZALESIE),
    },
    DemoLibrary {
        id: ZALESIE_LIPNICA,
        name: "Filia biblioteczna w Lipnicy",
        municipality: "Zalesie",
        voivodeship: "lubelskie",
        parent_id: Some(ZALESIE),
    },
    DemoLibrary {
        id: RUDKA,
        name: "Miejsko-Gminna Biblioteka Publiczna w Rudce",
        municipality: "Rudka",
        voivodeship: "podkarpackie",
        parent_id: None,
    },
    DemoLibrary {
        id: OLSZANKA,
        name: "Gminna Biblioteka Publiczna w Olszance",
        municipality: "Olszanka",
        voivodeship: "mazowieckie",
        parent_id: None,
    },
];

const FUNDING_LINE: &str = "Program Rozwoju Bibliotek jest realizowany przez Fundację Rozwoju Społeczeństwa Informacyjnego.";
const CLAUSE_SHORT: &str = "Administratorem Twoich danych jest biblioteka prowadząca spotkanie. Dane z listy obecności służą do rozliczenia programu i są przechowywane przez okres jego trwania i archiwizacji.";
const CLAUSE_FULL: &str = "1. Administratorem danych osobowych jest biblioteka prowadząca spotkanie partnerskie.\n2. Dane (imię i nazwisko, instytucja, funkcja, podpis) są przetwarzane w celu udokumentowania udziału w spotkaniu i rozliczenia programu (art. 6 ust. 1 lit. c i e RODO).\n3. Dane kontaktowe są przetwarzane tylko za zgodą, którą można w każdej chwili wycofać.\n4. Dane są przechowywane przez okres trwania programu i archiwizacji dokumentacji.\n5. Przysługuje Ci prawo dostępu do danych, ich sprostowania, usunięcia lub ograniczenia przetwarzania oraz skarga do Prezesa UODO.";

pub const ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        id: uuid!("5a1e0000-0000-4000-8000-000000000201"),
        email: "koordynator@demo.local",
        full_name: "Katarzyna Nowak",
    },
    DemoAccount {
        id: uuid!("5a1e0000-0000-4000-8000-000000000202"),
        email: "tutor@demo.local",
        full_name: "Tomasz Wiśniewski",
    },
    DemoAccount {
        id: uuid!("5a1e0000-0000-4000-8000-000000000203"),
        email: "biblioteka1@demo.local",
        full_name: "Barbara Kowalska",
    },
    DemoAccount {
        id: uuid!("5a1e0000-0000-4000-8000-000000000204"),
        email: "biblioteka2@demo.local",
        full_name: "Ewa Zielińska",
    },
];

/// Inserts the demo data that is not there yet, in one transaction.
pub async fn seed(pool: &PgPool, production: bool) -> Result<(), SeedError> {
    if production {
        return Err(SeedError::Production);
    }
    // One hash for all accounts: hashing is deliberately slow.
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD)).await??;

    let mut tx = pool.begin().await?;
    for library in &LIBRARIES {
        sqlx::query(
            "insert into libraries (id, name, municipality, voivodeship, parent_id)
             values ($1, $2, $3, $4, $5)
             on conflict (id) do nothing",
        )
        .bind(library.id)
        .bind(library.name)
        .bind(library.municipality)
        .bind(library.voivodeship)
        .bind(library.parent_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "insert into programs (id, name, operator, round, support_hours_per_library)
         values ($1, 'Program Rozwoju Bibliotek', 'Fundacja Rozwoju Społeczeństwa Informacyjnego', 'III', 24)
         on conflict (id) do nothing",
    )
    .bind(PRB_ROUND_III)
    .execute(&mut *tx)
    .await?;
    sqlx::query("update programs set funding_line = $2 where id = $1 and funding_line is null")
        .bind(PRB_ROUND_III)
        .bind(FUNDING_LINE)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into information_clauses (program_id, version, short_text, full_text)
         values ($1, 1, $2, $3) on conflict do nothing",
    )
    .bind(PRB_ROUND_III)
    .bind(CLAUSE_SHORT)
    .bind(CLAUSE_FULL)
    .execute(&mut *tx)
    .await?;
    for account in &ACCOUNTS {
        sqlx::query(
            "insert into users (id, email, full_name, password_hash)
             values ($1, $2, $3, $4)
             on conflict (email) do nothing",
        )
        .bind(account.id)
        .bind(account.email)
        .bind(account.full_name)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    }
    grant_demo_roles(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Who is who in the demo: the coordinator runs the program all three main
/// libraries take part in, the tutor supports Zalesie and Rudka (not
/// Olszanka), each librarian has one library.
async fn grant_demo_roles(tx: &mut sqlx::PgConnection) -> Result<(), SeedError> {
    let [coordinator, tutor, librarian1, librarian2] = ACCOUNTS.map(|a| a.id);
    let statements: [(&str, Vec<Uuid>); 9] = [
        (
            "insert into program_libraries (program_id, library_id) values ($1, $2) on conflict do nothing",
            vec![PRB_ROUND_III, ZALESIE],
        ),
        (
            "insert into program_libraries (program_id, library_id) values ($1, $2) on conflict do nothing",
            vec![PRB_ROUND_III, RUDKA],
        ),
        (
            "insert into program_libraries (program_id, library_id) values ($1, $2) on conflict do nothing",
            vec![PRB_ROUND_III, OLSZANKA],
        ),
        (
            "insert into program_coordinators (program_id, user_id) values ($1, $2) on conflict do nothing",
            vec![PRB_ROUND_III, coordinator],
        ),
        (
            "insert into tutor_assignments (program_id, library_id, tutor_id) values ($1, $2, $3) on conflict do nothing",
            vec![PRB_ROUND_III, ZALESIE, tutor],
        ),
        (
            "insert into tutor_assignments (program_id, library_id, tutor_id) values ($1, $2, $3) on conflict do nothing",
            vec![PRB_ROUND_III, RUDKA, tutor],
        ),
        (
            "insert into library_memberships (library_id, user_id, role) values ($1, $2, 'librarian') on conflict do nothing",
            vec![ZALESIE, librarian1],
        ),
        (
            "insert into library_memberships (library_id, user_id, role) values ($1, $2, 'librarian') on conflict do nothing",
            vec![RUDKA, librarian2],
        ),
        (
            "insert into partnerships (id, name, lead_library_id, program_id)
             values ($1, 'Partnerstwo dla Zalesia', $2, $3) on conflict do nothing",
            vec![ZALESIE_PARTNERSHIP, ZALESIE, PRB_ROUND_III],
        ),
    ];
    for (sql, ids) in statements {
        let mut query = sqlx::query(sql);
        for id in ids {
            query = query.bind(id);
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::format;

    async fn count(pool: &PgPool, table: &str) -> i64 {
        sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(pool)
            .await
            .expect("count")
    }

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn seeding_twice_gives_the_demo_data_once(pool: PgPool) {
        seed(&pool, false).await.expect("first seed");
        seed(&pool, false).await.expect("second seed");
        assert_eq!(count(&pool, "libraries").await, 5);
        assert_eq!(count(&pool, "information_clauses").await, 1);
        assert_eq!(count(&pool, "programs").await, 1);
        assert_eq!(count(&pool, "users").await, 4);

        let branches: Vec<String> =
            sqlx::query_scalar("select name from libraries where parent_id = $1 order by name")
                .bind(ZALESIE)
                .fetch_all(&pool)
                .await
                .expect("branches");
        assert_eq!(branches.len(), 2);

        let stored: String =
            sqlx::query_scalar("select password_hash from users where email = 'tutor@demo.local'")
                .fetch_one(&pool)
                .await
                .expect("tutor");
        assert!(password::verify(DEMO_PASSWORD, &stored).expect("verify"));
    }

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn demo_records_are_valid_and_seeded_once(pool: PgPool) {
        use app::{
            meetings::model as meeting, partners::model as partner, support::model as hours,
        };
        seed(&pool, false).await.expect("seed");
        let now = app::clock::now();
        seed_meetings(&pool, now).await.expect("first");
        seed_meetings(&pool, now).await.expect("second");
        let stored: Vec<(String, serde_json::Value)> =
            sqlx::query_as("select entity, data from records")
                .fetch_all(&pool)
                .await
                .expect("records");
        assert_eq!(stored.len(), 3 + 6 + 1);
        for (entity, data) in stored {
            let fields = data.as_object().cloned().expect("object");
            let (check_field, check_record): (CheckField, CheckRecord) = match entity.as_str() {
                meeting::ENTITY => (meeting::check_field, meeting::check_record),
                partner::ENTITY => (partner::check_field, partner::check_record),
                _ => (hours::check_field, hours::check_record),
            };
            for (field, value) in &fields {
                assert_eq!(
                    check_field(field, value).as_ref(),
                    Ok(value),
                    "{entity} {field}"
                );
            }
            assert_eq!(check_record(&fields), Ok(()), "{entity}");
        }
        assert_eq!(count(&pool, "record_versions").await, 10);
    }

    const DAY: i64 = 86_400;

    async fn glance_on(pool: &PgPool, now: i64) -> app::support::Glance {
        app::support::api::ssr::glance(pool, ZALESIE, now)
            .await
            .expect("glance")
    }

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn the_demo_has_a_meeting_ahead_on_whatever_day_it_is_seeded(pool: PgPool) {
        seed(&pool, false).await.expect("seed");
        // Today, then a year and a half later on the same database: the
        // untouched demo moves along with the day it is seeded on.
        for now in [app::clock::now(), app::clock::now() + 550 * DAY] {
            seed_meetings(&pool, now).await.expect("seed meetings");
            let glance = glance_on(&pool, now).await;
            let next = glance.next_meeting.expect("a meeting ahead");
            let starts = format::epoch_of(&next.starts_at).expect("instant");
            assert!(
                (9 * DAY..11 * DAY).contains(&(starts - now)),
                "{}",
                next.starts_at
            );
            assert_eq!(next.title, "Podsumowanie roku partnerstwa");
            // The held meetings are behind, and no task is overdue yet.
            assert_eq!(glance.attendance.len(), 2);
            assert_eq!((glance.open_tasks, glance.overdue_tasks), (1, 0));
        }
        let (starts, ends): (String, String) =
            sqlx::query_as("select starts_on::text, ends_on::text from programs")
                .fetch_one(&pool)
                .await
                .expect("program");
        let today = app::clock::poland_day(&app::clock::instant_in(550, 0)).expect("day");
        assert!(starts < today && today < ends, "{starts} {today} {ends}");
    }

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn seeding_again_later_keeps_a_meeting_someone_changed(pool: PgPool) {
        seed(&pool, false).await.expect("seed");
        let now = app::clock::now();
        seed_meetings(&pool, now).await.expect("first");
        let working = uuid!("5a1e0000-0000-4000-8000-000000000402");
        let starts = |pool: PgPool| async move {
            sqlx::query_scalar::<_, String>("select data->>'starts_at' from records where id = $1")
                .bind(working)
                .fetch_one(&pool)
                .await
                .expect("starts")
        };
        let before = starts(pool.clone()).await;
        // The librarian's device saved a change to it.
        sqlx::query(
            "insert into applied_mutations (id, device_id, entity, record_id, data, result)
             values ($1, $1, 'meeting', $2, '{}', '{}')",
        )
        .bind(Uuid::new_v4())
        .bind(working)
        .execute(&pool)
        .await
        .expect("mutation");
        seed_meetings(&pool, now + 30 * DAY).await.expect("later");
        assert_eq!(starts(pool.clone()).await, before);
        // The coming meeting, untouched, moved on by thirty days.
        let next = glance_on(&pool, now + 30 * DAY)
            .await
            .next_meeting
            .expect("next");
        let ahead = format::epoch_of(&next.starts_at).expect("instant") - now;
        assert!((39 * DAY..41 * DAY).contains(&ahead), "{}", next.starts_at);
        assert_eq!(count(&pool, "record_versions").await, 10 + 9);
    }

    type CheckField =
        fn(&str, &serde_json::Value) -> Result<serde_json::Value, app::errors::Problem>;
    type CheckRecord = fn(
        &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), (&'static str, app::errors::Problem)>;

    #[sqlx::test(migrator = "app::db::MIGRATOR")]
    async fn production_refuses_demo_data_and_writes_nothing(pool: PgPool) {
        assert!(matches!(
            seed(&pool, true).await,
            Err(SeedError::Production)
        ));
        assert_eq!(count(&pool, "users").await, 0);
    }
}
