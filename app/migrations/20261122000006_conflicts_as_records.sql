-- Conflicts travel to devices like any other record (entity 'conflict',
-- owned by the library of the record they are about), so every device of
-- the library sees them, offline too, and settles one by deleting it.
drop table sync_conflicts;
