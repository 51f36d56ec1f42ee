//! Writing what a batch did, one statement per table.

use super::batch::{Batch, entity_hint};
use crate::{
    errors::{AppError, internal},
    sync::Status,
};
use serde_json::{Map, Value};
use sqlx::PgConnection;

impl Batch<'_> {
    /// Writes what the batch did: records, their versions, the applied
    /// mutations with their results and the audits, one statement each.
    pub(super) async fn write(self, tx: &mut PgConnection) -> Result<(), AppError> {
        let mut entities = Vec::new();
        let mut ids = Vec::new();
        let mut libraries = Vec::new();
        let mut revs = Vec::new();
        let mut deleted = Vec::new();
        let mut datas = Vec::new();
        // Records deleted now: what was said of them before goes too.
        let gone: std::collections::HashSet<(String, uuid::Uuid)> = self
            .records
            .iter()
            .filter(|(_, row)| row.dirty && row.deleted)
            .map(|(key, _)| key.clone())
            .collect();
        for ((entity, id), row) in self.records.into_iter().filter(|(_, row)| row.dirty) {
            entities.push(entity);
            ids.push(id);
            libraries.push(row.library_id);
            revs.push(row.rev);
            deleted.push(row.deleted);
            datas.push(Value::Object(row.data));
        }
        if !ids.is_empty() {
            sqlx::query(
                "insert into records (entity, id, library_id, rev, deleted, data)
                 select * from unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[], $5::boolean[], $6::jsonb[])
                 on conflict (entity, id) do update
                 set rev = excluded.rev, deleted = excluded.deleted, data = excluded.data, updated_at = now()",
            )
            .bind(&entities)
            .bind(&ids)
            .bind(&libraries)
            .bind(&revs)
            .bind(&deleted)
            .bind(&datas)
            .execute(&mut *tx)
            .await?;
        }
        if !self.versions.is_empty() {
            let (mut entities, mut ids, mut revs, mut datas) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for ((entity, id), rev, data) in self.versions {
                entities.push(entity);
                ids.push(id);
                revs.push(rev);
                datas.push(Value::Object(data));
            }
            sqlx::query(
                "insert into record_versions (entity, record_id, rev, data)
                 select * from unnest($1::text[], $2::uuid[], $3::bigint[], $4::jsonb[])",
            )
            .bind(&entities)
            .bind(&ids)
            .bind(&revs)
            .bind(&datas)
            .execute(&mut *tx)
            .await?;
        }
        let (mut ids, mut devices, mut users, mut entities) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut records, mut datas, mut results) = (Vec::new(), Vec::new(), Vec::new());
        for one in self.applied {
            ids.push(one.mutation.id);
            devices.push(one.device_id);
            users.push(one.user_id);
            records.push(one.mutation.record_id);
            // Only a merging entity's later pushes read what was sent, and
            // only what was applied.
            let keep = self.registry.merges(&one.mutation.entity)
                && one.result.status != Status::Rejected
                && !gone.contains(&(one.mutation.entity.clone(), one.mutation.record_id));
            let data = if keep {
                one.mutation.data.clone()
            } else {
                Map::new()
            };
            datas.push(Value::Object(data));
            entities.push(entity_hint(&one.mutation.entity));
            let result =
                serde_json::to_value(&one.result).map_err(|e| internal("sync result", e))?;
            results.push(result);
        }
        sqlx::query(
            "insert into applied_mutations (id, device_id, user_id, entity, record_id, data, result)
             select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::jsonb[], $7::jsonb[])",
        )
        .bind(&ids)
        .bind(&devices)
        .bind(&users)
        .bind(&entities)
        .bind(&records)
        .bind(&datas)
        .bind(&results)
        .execute(&mut *tx)
        .await?;
        if !gone.is_empty() {
            let (entities, ids): (Vec<String>, Vec<uuid::Uuid>) = gone.into_iter().unzip();
            sqlx::query(
                "delete from record_versions v
                 using unnest($1::text[], $2::uuid[]) as g(entity, id)
                 where v.entity = g.entity and v.record_id = g.id",
            )
            .bind(&entities)
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "update applied_mutations a set data = '{}'::jsonb
                 from unnest($1::text[], $2::uuid[]) as g(entity, id)
                 where a.entity = g.entity and a.record_id = g.id and a.data <> '{}'::jsonb",
            )
            .bind(&entities)
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        }
        if !self.audits.is_empty() {
            let (mut actors, mut actions, mut types) = (Vec::new(), Vec::new(), Vec::new());
            let (mut subjects, mut details) = (Vec::new(), Vec::new());
            for (actor, subject, action, subject_type, detail) in self.audits {
                actors.push(actor);
                subjects.push(subject);
                actions.push(action);
                types.push(subject_type);
                details.push(detail);
            }
            sqlx::query(
                "insert into audit_log (actor_id, action, subject_type, subject_id, details)
                 select * from unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[])",
            )
            .bind(&actors)
            .bind(&actions)
            .bind(&types)
            .bind(&subjects)
            .bind(&details)
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}
