//! The sync engine is generic: a throwaway entity defined here, and nowhere
//! in `app/src/sync/`, is pushed, replayed, merged and pulled through it.
//! The same entity shows the engine's own guarantees: a mutation id bound
//! to its sender and record, conflicts kept only for accepted changes, a
//! stale delete refused, lists merged item by item, a too-large change
//! refused alone, pulls bounded by bytes.

use crate::common::actor_of;
use app::{
    accounts::access::Actor,
    errors::Problem,
    i18n::Locale,
    sync::{
        Change, MAX_RECORD_BYTES, Mutation, MutationResult, RefusalCode, Status,
        rules::{EntityRules, Kind, Owner, Refusal, Registry, WriteCheck},
        server::{Sender, Writer, pull_within},
    },
};
use serde_json::{Map, Value, json};
use server::demo::{self, RUDKA, ZALESIE};
use sqlx::PgPool;
use std::sync::OnceLock;
use uuid::Uuid;

/// A note on a library's board: a title, a body merged line by line, a list
/// of items merged by id, and a `locked` flag nobody may set.
struct Notes;

const NOTE: &str = "test_note";

impl EntityRules for Notes {
    fn name(&self) -> &'static str {
        NOTE
    }

    fn kind(&self) -> Kind {
        Kind::Merged {
            text_fields: &["body"],
            list_fields: &["items"],
        }
    }

    fn owner(&self) -> Owner {
        Owner::Library("library_id")
    }

    fn check_field(&self, field: &str, value: &Value) -> Result<Value, Problem> {
        match (field, value) {
            ("library_id", Value::String(id)) if Uuid::parse_str(id).is_ok() => Ok(value.clone()),
            // Titles are stored trimmed: the device's own changes are
            // compared as they were stored.
            ("title", Value::String(title)) => Ok(json!(title.trim())),
            ("body", Value::String(_)) => Ok(value.clone()),
            ("items", Value::Array(_)) | ("locked", Value::Bool(_)) => Ok(value.clone()),
            _ => Err(Problem::NotAllowedChoice),
        }
    }

    fn check_record(&self, data: &Map<String, Value>) -> Result<(), (&'static str, Problem)> {
        match data.get("title") {
            Some(Value::String(title)) if !title.is_empty() => Ok(()),
            _ => Err(("title", Problem::Required)),
        }
    }

    fn may_write(&self, check: &WriteCheck<'_>) -> Result<(), Refusal> {
        if check.data.get("locked") == Some(&Value::Bool(true)) {
            return Err(Refusal::Forbidden("notes are never locked"));
        }
        self.may_touch(check)
    }

    fn label(&self, _locale: Locale) -> String {
        "Note".to_owned()
    }

    fn field_label(&self, field: &str, _locale: Locale) -> String {
        field.to_owned()
    }
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::new(vec![&Notes]))
}

fn note(record: Uuid, base_rev: Option<i64>, data: Value) -> Mutation {
    serde_json::from_value(json!({
        "id": Uuid::new_v4(), "seq": 1, "entity": NOTE, "record_id": record,
        "op": "upsert", "base_rev": base_rev, "data": data, "client_time": null,
    }))
    .expect("a mutation")
}

fn delete(record: Uuid, base_rev: Option<i64>) -> Mutation {
    Mutation {
        op: app::sync::Op::Delete,
        data: Map::new(),
        ..note(record, base_rev, json!({}))
    }
}

struct Setup {
    writer: Writer,
    librarian: Actor,
    pool: PgPool,
}

async fn setup(pool: PgPool) -> Setup {
    demo::seed(&pool, false).await.expect("seed");
    let librarian = actor_of(&pool, "biblioteka1@demo.local").await;
    let writer = Writer::start(pool.clone(), registry());
    Setup {
        writer,
        librarian,
        pool,
    }
}

impl Setup {
    async fn push(&self, device: Uuid, mutations: Vec<Mutation>) -> Vec<MutationResult> {
        self.writer
            .push(&self.librarian, device, mutations)
            .await
            .expect("push")
    }

    async fn one(&self, device: Uuid, mutation: Mutation) -> MutationResult {
        self.push(device, vec![mutation]).await.remove(0)
    }

    /// The note as the database holds it, with its revision.
    async fn stored(&self, record: Uuid) -> (i64, bool, Value) {
        sqlx::query_as("select rev, deleted, data from records where entity = $1 and id = $2")
            .bind(NOTE)
            .bind(record)
            .fetch_one(&self.pool)
            .await
            .expect("the note")
    }

    async fn conflicts(&self, record: Uuid) -> Vec<Value> {
        sqlx::query_scalar(
            "select data from records where entity = 'conflict' and data->>'record_id' = $1",
        )
        .bind(record.to_string())
        .fetch_all(&self.pool)
        .await
        .expect("conflicts")
    }

    async fn notes_pulled(&self, bytes: usize) -> (Vec<Change>, usize) {
        let (mut cursor, mut pages, mut notes) = (0, 0, Vec::new());
        loop {
            let holding = Default::default();
            let page = pull_within(
                &self.pool,
                registry(),
                &self.librarian,
                (cursor, 1000),
                &holding,
                bytes,
            )
            .await
            .expect("pull");
            pages += 1;
            notes.extend(page.changes.into_iter().filter(|c| c.entity == NOTE));
            cursor = page.cursor;
            if !page.more {
                return (notes, pages);
            }
        }
    }
}

fn new_note(title: &str) -> Value {
    json!({ "library_id": ZALESIE, "title": title, "body": "one\ntwo\nthree\n", "items": [] })
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_entity_the_engine_never_heard_of_syncs_through_it(pool: PgPool) {
    let app = setup(pool).await;
    let (phone, laptop) = (Uuid::new_v4(), Uuid::new_v4());
    let record = Uuid::new_v4();

    // Push, then the same mutation again: one effect, the original result.
    let create = note(record, None, new_note("Plan zajęć"));
    let first = app.one(phone, create.clone()).await;
    assert_eq!(first.status, Status::Applied, "{first:?}");
    let again = app.one(phone, create).await;
    assert!(again.replayed && again.rev == first.rev, "{again:?}");
    let base = first.rev;

    // Two devices change different lines of the body from the same base.
    let a = app
        .one(
            phone,
            note(record, base, json!({ "body": "ONE\ntwo\nthree\n" })),
        )
        .await;
    let b = app
        .one(
            laptop,
            note(record, base, json!({ "body": "one\ntwo\nTHREE\n" })),
        )
        .await;
    assert_eq!(a.status, Status::Applied, "{a:?}");
    assert_eq!(b.status, Status::Merged, "{b:?}");
    let (_, _, data) = app.stored(record).await;
    assert_eq!(data["body"], "ONE\ntwo\nTHREE\n");

    // A short field changed on both: the later wins, the other is kept.
    let base = b.rev;
    app.one(phone, note(record, base, json!({ "title": "Zajęcia" })))
        .await;
    let late = app
        .one(laptop, note(record, base, json!({ "title": "Warsztaty" })))
        .await;
    assert_eq!(late.conflicts, vec!["title".to_owned()], "{late:?}");
    let conflicts = app.conflicts(record).await;
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["other"], "Zajęcia");

    // Pulled like any other record, with its library's.
    let (pulled, _) = app.notes_pulled(app::sync::MAX_PULL_BYTES).await;
    assert_eq!(pulled.len(), 1);
    assert_eq!(pulled[0].data["title"], "Warsztaty");
    assert_eq!(pulled[0].data["body"], "ONE\ntwo\nTHREE\n");

    // Checked and owned by its rules: a library the person has no part in.
    let foreign = note(
        Uuid::new_v4(),
        None,
        json!({ "library_id": RUDKA, "title": "x" }),
    );
    let refused = app.one(phone, foreign).await;
    assert_eq!(refused.status, Status::Rejected);
    assert_eq!(refused.error.map(|e| e.code), Some(RefusalCode::Forbidden));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_mutation_id_answers_only_its_own_sender_and_record(pool: PgPool) {
    let app = setup(pool).await;
    let device = Uuid::new_v4();
    let create = note(Uuid::new_v4(), None, new_note("Pierwsza"));
    let first = app.one(device, create.clone()).await;
    assert_eq!(first.status, Status::Applied);

    // Another person sends the same id (for her own record): refused, so her
    // device keeps the change instead of dropping it as done.
    let tutor = actor_of(&app.pool, "biblioteka2@demo.local").await;
    let theirs = Mutation {
        record_id: Uuid::new_v4(),
        ..create.clone()
    };
    let stolen = app
        .writer
        .push(&tutor, Uuid::new_v4(), vec![create.clone()])
        .await
        .expect("push")
        .remove(0);
    assert_eq!(stolen.status, Status::Rejected, "{stolen:?}");
    assert!(!stolen.replayed);
    assert_eq!(stolen.error.map(|e| e.code), Some(RefusalCode::IdTaken));

    // The same person, the same id, another record: not a replay either.
    let other = app.one(device, theirs).await;
    assert_eq!(other.error.map(|e| e.code), Some(RefusalCode::IdTaken));

    // A kiosk's id is bound to its device too.
    let kiosk = Sender {
        actor: app.librarian.clone(),
        device_id: Uuid::new_v4(),
        by_token: true,
    };
    let results =
        app::sync::server::push(&app.pool, registry(), &kiosk, std::slice::from_ref(&create))
            .await
            .expect("push");
    assert_eq!(
        results[0].error.as_ref().map(|e| e.code),
        Some(RefusalCode::IdTaken)
    );

    // A kiosk's change comes again from the same tablet through a new link,
    // made by another librarian: the same change, answered as done.
    let tablet = Sender {
        actor: app.librarian.clone(),
        device_id: Uuid::new_v4(),
        by_token: true,
    };
    let signed = note(Uuid::new_v4(), None, new_note("Z kiosku"));
    let pushed = app::sync::server::push(
        &app.pool,
        registry(),
        &tablet,
        std::slice::from_ref(&signed),
    )
    .await
    .expect("push");
    let new_link = Sender {
        actor: tutor.clone(),
        ..tablet
    };
    let again = app::sync::server::push(&app.pool, registry(), &new_link, &[signed])
        .await
        .expect("push");
    assert!(
        again[0].replayed && again[0].rev == pushed[0].rev,
        "{again:?}"
    );

    // Its own sender gets the original result back, from any of her devices
    // (a rescue file read on another tablet).
    let replay = app.one(Uuid::new_v4(), create).await;
    assert!(replay.replayed && replay.rev == first.rev, "{replay:?}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_refused_change_keeps_no_conflict(pool: PgPool) {
    let app = setup(pool).await;
    let (phone, laptop) = (Uuid::new_v4(), Uuid::new_v4());
    let record = Uuid::new_v4();
    let base = app
        .one(phone, note(record, None, new_note("Stara")))
        .await
        .rev;
    app.one(phone, note(record, base, json!({ "title": "Nowa" })))
        .await;
    // From the old base: the title would clash, but the change is refused.
    let refused = app
        .one(
            laptop,
            note(record, base, json!({ "title": "Inna", "locked": true })),
        )
        .await;
    assert_eq!(refused.status, Status::Rejected, "{refused:?}");
    assert!(app.conflicts(record).await.is_empty());
    assert_eq!(app.stored(record).await.2["title"], "Nowa");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_delete_from_a_device_that_missed_changes_is_refused(pool: PgPool) {
    let app = setup(pool).await;
    let (phone, laptop) = (Uuid::new_v4(), Uuid::new_v4());
    let record = Uuid::new_v4();
    let created = app
        .one(phone, note(record, None, new_note("Zebranie")))
        .await
        .rev;
    app.one(laptop, note(record, created, json!({ "body": "nowe\n" })))
        .await;

    let stale = app.one(phone, delete(record, created)).await;
    assert_eq!(stale.status, Status::Rejected, "{stale:?}");
    assert_eq!(stale.error.map(|e| e.code), Some(RefusalCode::Stale));
    let (rev, deleted, data) = app.stored(record).await;
    assert!(!deleted);
    assert_eq!(data["body"], "nowe\n");

    // Seen the latest: deleted.
    let seen = app.one(phone, delete(record, Some(rev))).await;
    assert_eq!(seen.status, Status::Applied, "{seen:?}");
    assert!(app.stored(record).await.1);

    // A device's own later edits are not "missed": it may delete what only
    // it changed, before it pulled its own change back.
    let mine = Uuid::new_v4();
    let base = app.one(phone, note(mine, None, new_note("Moja"))).await.rev;
    app.one(phone, note(mine, base, json!({ "title": "Moja 2" })))
        .await;
    let own = app.one(phone, delete(mine, base)).await;
    assert_eq!(own.status, Status::Applied, "{own:?}");

    // Made and deleted offline, sent together: the title the device sent
    // ("  Szkic ") is not the one stored ("Szkic"), and the delete still holds.
    let draft = Uuid::new_v4();
    let results = app
        .push(
            laptop,
            vec![note(draft, None, new_note("  Szkic ")), delete(draft, None)],
        )
        .await;
    assert_eq!(results[1].status, Status::Applied, "{results:?}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn list_items_added_on_two_devices_are_both_kept(pool: PgPool) {
    let app = setup(pool).await;
    let (phone, laptop) = (Uuid::new_v4(), Uuid::new_v4());
    let record = Uuid::new_v4();
    let item = |id: u32, text: &str| json!({ "id": id.to_string(), "text": text });
    let mut first = new_note("Lista");
    first["items"] = json!([item(1, "krzesła")]);
    let base = app.one(phone, note(record, None, first)).await.rev;
    let a = json!({ "items": [item(1, "krzesła"), item(2, "kawa")] });
    let b = json!({ "items": [item(1, "krzesła"), item(3, "rzutnik")] });
    app.one(phone, note(record, base, a)).await;
    let merged = app.one(laptop, note(record, base, b)).await;
    assert_eq!(merged.status, Status::Merged, "{merged:?}");
    assert!(merged.conflicts.is_empty());
    let items = app.stored(record).await.2["items"].clone();
    assert_eq!(
        items,
        json!([item(1, "krzesła"), item(2, "kawa"), item(3, "rzutnik")])
    );
    assert!(app.conflicts(record).await.is_empty());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_change_too_large_to_store_is_refused_alone(pool: PgPool) {
    let app = setup(pool).await;
    let device = Uuid::new_v4();
    let mut huge = new_note("Duża");
    huge["body"] = json!("x".repeat(MAX_RECORD_BYTES));
    let small = note(Uuid::new_v4(), None, new_note("Mała"));
    let results = app
        .push(device, vec![note(Uuid::new_v4(), None, huge), small])
        .await;
    assert_eq!(
        results[0].error.as_ref().map(|e| e.code),
        Some(RefusalCode::TooLarge)
    );
    assert_eq!(results[1].status, Status::Applied, "{results:?}");

    // Nor can edits, each small, grow a record past it.
    let record = Uuid::new_v4();
    let mut half = new_note("Rośnie");
    half["body"] = json!("a".repeat(MAX_RECORD_BYTES / 2 + 10));
    let base = app.one(device, note(record, None, half)).await.rev;
    let mut more = Map::new();
    more.insert("title".into(), json!("b".repeat(MAX_RECORD_BYTES / 2 + 10)));
    let grown = app
        .one(device, note(record, base, Value::Object(more)))
        .await;
    assert_eq!(grown.error.map(|e| e.code), Some(RefusalCode::TooLarge));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_pull_page_is_bounded_by_bytes(pool: PgPool) {
    let app = setup(pool).await;
    let device = Uuid::new_v4();
    let mutations: Vec<Mutation> = (0..12)
        .map(|n| {
            let mut data = new_note(&format!("Notatka {n}"));
            data["body"] = json!("z".repeat(20_000));
            note(Uuid::new_v4(), None, data)
        })
        .collect();
    let results = app.push(device, mutations).await;
    assert!(results.iter().all(|r| r.status == Status::Applied));
    // About 60 kB a page: every note arrives, in several pages.
    let (notes, pages) = app.notes_pulled(60_000).await;
    assert_eq!(notes.len(), 12);
    assert!(pages >= 4, "{pages} pages");
    // A record larger than the bound still comes, alone.
    let (notes, _) = app.notes_pulled(10).await;
    assert_eq!(notes.len(), 12);
}
