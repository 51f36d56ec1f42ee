-- Kiosk tokens: a tablet signs people in for one meeting without anyone's
-- session. Only a hash of the token is kept, as for sessions.
create table kiosk_tokens (
    id uuid primary key,
    token_hash bytea not null unique,
    meeting_id uuid not null,
    library_id uuid not null references libraries (id) on delete cascade,
    created_by uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz
);

create index kiosk_tokens_meeting on kiosk_tokens (meeting_id);

-- How long sign-ins are kept after their meeting (the grant's settlement
-- period); then the server erases them.
alter table programs
    add column sign_in_retention_months integer not null default 60
    check (sign_in_retention_months between 1 and 240);

-- Sign-ins by meeting: the retention job and the attendance list read them so.
create index records_sign_in_meeting on records ((data ->> 'meeting_id'))
    where entity = 'sign_in';
