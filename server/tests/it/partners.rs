//! Partners against the real database: checked and normalised fields, kept
//! by their own library only, counted by sector on the library page.

use crate::common::{call, day_in, demo_sign_in, edit, push, scalar, sign_in, upsert};
use serde_json::{Value, json};
use server::demo::{DEMO_PASSWORD, OLSZANKA, ZALESIE};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn partners_are_checked_and_kept_by_their_library(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let librarian2 = sign_in(&pool, "biblioteka2@demo.local", DEMO_PASSWORD).await;
    let partner = Uuid::new_v4();
    let results = push(
        &pool,
        &librarian,
        &[
            upsert("partner", Uuid::new_v4(), json!({ "library_id": ZALESIE, "name": "KGW", "sector": "ngo", "email": "kgw@" })),
            upsert("partner", Uuid::new_v4(), json!({ "library_id": Uuid::new_v4(), "name": "Nikt", "sector": "ngo" })),
            upsert("partner", partner, json!({
                "library_id": ZALESIE, "name": " Koło Gospodyń Wiejskich ", "sector": "ngo",
                "email": "KGW@Zalesie.pl", "phone": "+48 600 100 200", "member_since": day_in(-77),
            })),
        ],
    )
    .await;
    assert_eq!(results[0]["error"]["field"], "email", "{results:?}");
    assert_eq!(results[1]["error"]["field"], "library_id", "{results:?}");
    assert_eq!(results[2]["status"], "applied", "{results:?}");
    let (name, email): (String, String) =
        sqlx::query_as("select data->>'name', data->>'email' from records where id = $1")
            .bind(partner)
            .fetch_one(&pool)
            .await
            .expect("partner");
    assert_eq!(
        (name.as_str(), email.as_str()),
        ("Koło Gospodyń Wiejskich", "kgw@zalesie.pl")
    );

    // Another library cannot change it, nor can it be moved to another library.
    let results = push(
        &pool,
        &librarian2,
        &[upsert("partner", partner, json!({ "name": "Przejęte" }))],
    )
    .await;
    assert_eq!(results[0]["error"]["code"], "forbidden", "{results:?}");
    let results = push(
        &pool,
        &librarian,
        &[upsert(
            "partner",
            partner,
            json!({ "library_id": OLSZANKA }),
        )],
    )
    .await;
    assert_eq!(results[0]["error"]["field"], "library_id", "{results:?}");

    // Its sector shows on the library page.
    let glance = call(
        &pool,
        "/api/library-glance",
        &json!({ "library_id": ZALESIE }).to_string(),
        Some(&librarian),
    )
    .await;
    let glance: Value = serde_json::from_str(&glance.body).expect("json");
    assert_eq!(glance["sectors"], json!([["ngo", 1]]), "{glance}");
}

/// Rows of `table` about the partner that still hold its contact's name.
async fn traces(pool: &PgPool, partner: Uuid, table: &str, id: &str) -> i64 {
    let sql = format!(
        "select count(*) from {table} where {id} = '{partner}' and data::text like '%Sklep%'"
    );
    scalar(pool, &sql).await
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_deleted_partner_leaves_no_contact_data_behind(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let partner = Uuid::new_v4();
    let results = push(
        &pool,
        &librarian,
        &[upsert(
            "partner",
            partner,
            json!({
                "library_id": ZALESIE, "name": "Sklep", "sector": "business",
                "contact_person": "Jan Sklepowy", "email": "jan@sklep.pl", "phone": "600 100 200",
            }),
        )],
    )
    .await;
    let rev = results[0]["rev"].clone();
    // Two devices change the contact person at once: a conflict keeps the other name.
    for name in ["Janina Sklepowa", "Jan Sklepowy-Nowak"] {
        let results = push(
            &pool,
            &librarian,
            &[edit(
                "partner",
                partner,
                rev.clone(),
                json!({ "contact_person": name }),
            )],
        )
        .await;
        assert_ne!(results[0]["status"], "rejected", "{results:?}");
    }
    assert!(traces(&pool, partner, "record_versions", "record_id").await > 0);
    assert!(traces(&pool, partner, "applied_mutations", "record_id").await > 0);
    let conflicts = format!(
        "select count(*) from records where entity = 'conflict' and not deleted and data->>'record_id' = '{partner}'"
    );
    assert_eq!(scalar(&pool, &conflicts).await, 1);

    let rev: i64 = sqlx::query_scalar("select rev from records where id = $1")
        .bind(partner)
        .fetch_one(&pool)
        .await
        .expect("rev");
    let delete = json!({
        "id": Uuid::new_v4(), "seq": 1, "entity": "partner", "record_id": partner,
        "op": "delete", "base_rev": rev, "data": {}, "client_time": null,
    });
    let results = push(&pool, &librarian, &[delete]).await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    assert_eq!(
        traces(&pool, partner, "record_versions", "record_id").await,
        0
    );
    assert_eq!(
        traces(&pool, partner, "applied_mutations", "record_id").await,
        0
    );
    assert_eq!(traces(&pool, partner, "records", "id").await, 0);
    assert_eq!(
        scalar(&pool, &conflicts).await,
        0,
        "its conflict holds a name"
    );
}
