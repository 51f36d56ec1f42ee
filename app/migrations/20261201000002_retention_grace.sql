-- A shortened retention period takes effect only after a grace period, so a
-- wrong number can be put right before any list is erased: until
-- `retention_grace_until` the job keeps `retention_grace_months`.
alter table programs
    add column retention_grace_months integer,
    add column retention_grace_until timestamptz;
