//! Development plans against the real database: one plan per partnership,
//! kept by its library, with approved versions numbered without gaps.

use crate::common::{
    RUDKA_PARTNERSHIP, day_in, demo_sign_in, edit, push, rudka_partnership, sign_in, upsert,
};
use serde_json::{Value, json};
use server::demo::{DEMO_PASSWORD, ZALESIE_PARTNERSHIP};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_partnership_has_one_plan_kept_by_its_library_with_its_versions(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let librarian2 = sign_in(&pool, "biblioteka2@demo.local", DEMO_PASSWORD).await;
    rudka_partnership(&pool).await;
    let content = json!({
        "partnership_id": ZALESIE_PARTNERSHIP,
        "diagnosis": "Brakuje miejsca spotkań dla seniorów.",
        "actions": [{"id": Uuid::new_v4(), "task": "Kino plenerowe", "indicator": "100 widzów",
                     "deadline": day_in(200), "responsible": "OSP", "partners": "Gmina",
                     "budget": "2 000 zł", "status": "planned"}],
    });
    let mut approved = content.clone();
    approved["approved"] = json!([{ "version": 1, "approved_on": day_in(-9),
        "content": { "diagnosis": content["diagnosis"], "actions": content["actions"] } }]);
    let results = push(
        &pool,
        &librarian,
        &[
            // A second plan of the same partnership under another id: refused.
            upsert("plan", Uuid::new_v4(), content.clone()),
            upsert("plan", ZALESIE_PARTNERSHIP, approved),
        ],
    )
    .await;
    assert_eq!(
        results[0]["error"]["field"], "partnership_id",
        "{results:?}"
    );
    assert_eq!(results[1]["status"], "applied", "{results:?}");
    // Versions are numbered from one without gaps.
    let results = push(
        &pool,
        &librarian,
        &[edit(
            "plan",
            ZALESIE_PARTNERSHIP,
            results[1]["rev"].clone(),
            json!({
                "approved": [{ "version": 2, "approved_on": day_in(-9), "content": {} }],
            }),
        )],
    )
    .await;
    assert_eq!(results[0]["error"]["field"], "approved", "{results:?}");
    // Another library can neither change Zalesie's plan nor start one for it.
    let results = push(
        &pool,
        &librarian2,
        &[
            upsert(
                "plan",
                ZALESIE_PARTNERSHIP,
                json!({ "vision": "Obca wizja" }),
            ),
            upsert(
                "plan",
                RUDKA_PARTNERSHIP,
                json!({ "partnership_id": RUDKA_PARTNERSHIP, "vision": "Nasza wizja" }),
            ),
        ],
    )
    .await;
    assert_eq!(results[0]["error"]["code"], "forbidden", "{results:?}");
    assert_eq!(results[1]["status"], "applied", "{results:?}");
    let version: i32 = sqlx::query_scalar(
        "select jsonb_array_length(data->'approved') from records where entity = 'plan' and id = $1",
    )
    .bind(ZALESIE_PARTNERSHIP)
    .fetch_one(&pool)
    .await
    .expect("plan");
    assert_eq!(version, 1);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_approved_version_is_never_rewritten_or_dropped(pool: PgPool) {
    let librarian = demo_sign_in(&pool, "biblioteka1@demo.local").await;
    let version = |n: u64, diagnosis: &str| json!({ "version": n, "approved_on": day_in(-3), "content": { "diagnosis": diagnosis } });
    let results = push(
        &pool,
        &librarian,
        &[upsert(
            "plan",
            ZALESIE_PARTNERSHIP,
            json!({ "partnership_id": ZALESIE_PARTNERSHIP, "diagnosis": "Pierwsza.",
                    "approved": [version(1, "Pierwsza.")] }),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    let rev = results[0]["rev"].clone();
    // A device that saw version 1 removes it, or rewrites what it said.
    for approved in [json!([]), json!([version(1, "Inna treść.")])] {
        let results = push(
            &pool,
            &librarian,
            &[edit(
                "plan",
                ZALESIE_PARTNERSHIP,
                rev.clone(),
                json!({ "approved": approved }),
            )],
        )
        .await;
        assert_eq!(results[0]["error"]["field"], "approved", "{results:?}");
        assert_eq!(results[0]["error"]["problem"], "approved", "{results:?}");
    }
    // Approving again appends version 2.
    let results = push(
        &pool,
        &librarian,
        &[edit(
            "plan",
            ZALESIE_PARTNERSHIP,
            rev,
            json!({ "approved": [version(1, "Pierwsza."), version(2, "Druga.")] }),
        )],
    )
    .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    let kept: Value = sqlx::query_scalar(
        "select data->'approved' from records where entity = 'plan' and id = $1",
    )
    .bind(ZALESIE_PARTNERSHIP)
    .fetch_one(&pool)
    .await
    .expect("plan");
    assert_eq!(kept[0]["content"]["diagnosis"], "Pierwsza.");
    assert_eq!(kept[1]["content"]["diagnosis"], "Druga.");
}
