-- Libraries (a branch, filia, points at its main library) and the support
-- programs they take part in.

create table libraries (
    id uuid primary key,
    name text not null check (length(btrim(name)) between 1 and 200),
    municipality text not null check (length(btrim(municipality)) between 1 and 120),
    voivodeship text not null check (length(btrim(voivodeship)) between 1 and 60),
    parent_id uuid references libraries (id) on delete restrict,
    created_at timestamptz not null default now(),
    check (parent_id is distinct from id)
);

create index libraries_parent_id on libraries (parent_id) where parent_id is not null;

create table programs (
    id uuid primary key,
    name text not null check (length(btrim(name)) between 1 and 200),
    operator text not null check (length(btrim(operator)) between 1 and 200),
    round text,
    starts_on date,
    ends_on date,
    -- Support hours each library of the program may use, e.g. 24 in PRB round III.
    support_hours_per_library numeric(6, 1) not null check (support_hours_per_library >= 0),
    created_at timestamptz not null default now(),
    check (ends_on is null or starts_on is null or ends_on >= starts_on)
);
