-- One-time links to set a password: sent with an invitation, or printed by
-- `partnerstwa create-admin`. Only the SHA-256 of the token is stored.
create table password_links (
    token_hash bytea primary key,
    user_id uuid not null references users (id) on delete cascade,
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
);

create index password_links_user on password_links (user_id);

create index audit_log_actor on audit_log (actor_id, at);
