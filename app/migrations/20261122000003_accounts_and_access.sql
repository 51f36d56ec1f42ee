-- Who may do what: admins, librarians of a library (and its branches), tutors
-- assigned to libraries in a program, coordinators of programs. Sessions live
-- here so that several server processes share them.

alter table users add column is_admin boolean not null default false;

alter table programs add column funding_line text;

-- The information clause (RODO) shown at sign-in and printed on attendance
-- lists. Versions are never edited: a change is a new version.
create table information_clauses (
    program_id uuid not null references programs (id) on delete cascade,
    version integer not null check (version > 0),
    short_text text not null check (length(btrim(short_text)) > 0),
    full_text text not null check (length(btrim(full_text)) > 0),
    created_at timestamptz not null default now(),
    primary key (program_id, version)
);

-- Libraries taking part in a program; a coordinator sees these.
create table program_libraries (
    program_id uuid not null references programs (id) on delete cascade,
    library_id uuid not null references libraries (id) on delete cascade,
    joined_at timestamptz not null default now(),
    primary key (program_id, library_id)
);

create index program_libraries_library on program_libraries (library_id);

create table partnerships (
    id uuid primary key,
    name text not null check (length(btrim(name)) between 1 and 200),
    lead_library_id uuid not null references libraries (id) on delete restrict,
    program_id uuid not null references programs (id) on delete restrict,
    created_at timestamptz not null default now()
);

create index partnerships_lead_library on partnerships (lead_library_id);

create table library_memberships (
    user_id uuid not null references users (id) on delete cascade,
    library_id uuid not null references libraries (id) on delete cascade,
    role text not null check (role in ('librarian')),
    created_at timestamptz not null default now(),
    primary key (user_id, library_id)
);

create index library_memberships_library on library_memberships (library_id);

create table tutor_assignments (
    tutor_id uuid not null references users (id) on delete cascade,
    library_id uuid not null references libraries (id) on delete cascade,
    program_id uuid not null references programs (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (tutor_id, library_id, program_id)
);

create index tutor_assignments_library on tutor_assignments (library_id);

create table program_coordinators (
    user_id uuid not null references users (id) on delete cascade,
    program_id uuid not null references programs (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (user_id, program_id)
);

-- The cookie holds a random token; only its SHA-256 is stored, so a leaked
-- table does not hand out live sessions.
create table sessions (
    token_hash bytea primary key,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null
);

create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

-- Failed sign-ins per account and per client address, for throttling.
create table login_failures (
    key text primary key,
    failures integer not null,
    window_started_at timestamptz not null,
    locked_until timestamptz
);

-- Who did what, when. Holds ids and field names, never personal data.
create table audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    actor_id uuid references users (id) on delete set null,
    action text not null,
    subject_type text not null,
    subject_id uuid,
    details jsonb not null default '{}'::jsonb
);

create index audit_log_subject on audit_log (subject_type, subject_id);
