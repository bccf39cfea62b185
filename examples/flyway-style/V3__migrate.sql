-- V3: both phases, parents first, in this file's one transaction when run
-- with --single-transaction (Flyway's default); a failure writes nothing.
SELECT * FROM migrate_all();
