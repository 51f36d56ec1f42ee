-- When each version was kept, so that what merges no longer need can go:
-- versions older than the merge history (but never a record's current one),
-- and the fields of mutations applied before it (their ids and results stay,
-- so a late replay still gets its answer). Rows kept before this migration
-- count from now.
alter table record_versions add column created_at timestamptz not null default now();
create index record_versions_created on record_versions (created_at);
create index applied_mutations_with_data on applied_mutations (applied_at)
    where data <> '{}'::jsonb;
-- A deleted record's history is found by the record (its mutations, its
-- open conflicts), within the writer's lock.
create index applied_mutations_record on applied_mutations (entity, record_id);
create index records_open_conflicts on records ((data->>'record_id'))
    where entity = 'conflict' and not deleted;
