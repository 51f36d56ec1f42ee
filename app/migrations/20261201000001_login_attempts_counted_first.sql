-- Sign-in attempts are counted before the password is checked, in one
-- statement that also records whether that attempt was let through
-- (`allowed`, read back by the same statement) and the limit of its key.
alter table login_failures
    add column lock_after integer not null default 5,
    add column allowed boolean not null default true;

-- Accounts that have signed in from an address: a lock of that address by
-- strangers' failures does not refuse them (accounts/throttle.rs).
create table known_sign_ins (
    key text primary key,
    last_at timestamptz not null
);
