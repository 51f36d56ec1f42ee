-- The sync engine's storage. Every synced entity (meetings now; sign-ins,
-- partners, plans, hours later) lives in `records` as validated JSON, owned
-- by one library; every accepted change takes the next value of one server
-- sequence, so devices pull "everything after revision N".

create sequence revisions;

create table records (
    entity text not null,
    id uuid not null,
    library_id uuid not null references libraries (id) on delete cascade,
    rev bigint not null,
    deleted boolean not null default false,
    data jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (entity, id)
);

create index records_library_rev on records (library_id, rev);
create index records_rev on records (rev);

-- Every state a record had: with a device's own earlier mutations on top,
-- what the device saw when it made a change (the ancestor of a merge).
create table record_versions (
    entity text not null,
    record_id uuid not null,
    rev bigint not null,
    data jsonb not null,
    primary key (entity, record_id, rev)
);

-- Every mutation id applied, written in the same transaction as its effect,
-- with the result a replay gets back.
create table applied_mutations (
    id uuid primary key,
    device_id uuid not null,
    user_id uuid references users (id) on delete set null,
    entity text not null,
    record_id uuid not null,
    -- The fields as sent, and the result a replay gets back.
    data jsonb not null,
    result jsonb not null,
    applied_at timestamptz not null default now()
);

create index applied_mutations_device_record on applied_mutations (device_id, entity, record_id);

-- A value that lost a merge, kept so that a person can choose.
create table sync_conflicts (
    id bigint generated always as identity primary key,
    entity text not null,
    record_id uuid not null,
    field text not null,
    kept_value jsonb,
    other_value jsonb,
    mutation_id uuid not null,
    user_id uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    resolved_at timestamptz
);

create index sync_conflicts_record on sync_conflicts (entity, record_id) where resolved_at is null;
