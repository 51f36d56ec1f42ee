-- Sign-in attempts are counted before the password is checked, in one
-- statement that also records whether that attempt was let through
-- (`allowed`, read back by the same statement) and the limit of its key.
alter table login_failures
    add column lock_after integer not null default 5,
    add column allowed boolean not null default true;
