-- People who sign in. Roles and memberships come with the accounts feature.

create table users (
    id uuid primary key,
    email text not null check (email = lower(btrim(email)) and position('@' in email) > 1),
    full_name text not null check (length(btrim(full_name)) between 1 and 200),
    -- Argon2id in PHC format; null until the person sets a password.
    password_hash text,
    is_active boolean not null default true,
    created_at timestamptz not null default now()
);

create unique index users_email on users (email);
