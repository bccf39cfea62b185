-- A run that starts with an empty id map drops the map's new_key index,
-- writes, builds the index again and analyzes the map, in the run's
-- transaction; a run that fails leaves the index as it was.
CREATE EXTENSION ferry;
CREATE TABLE src (id int PRIMARY KEY, v text);
INSERT INTO src SELECT i, 'v' || i FROM generate_series(1, 1000) AS i;
CREATE TABLE dst (id uuid PRIMARY KEY, legacy_id int, v varchar(4) NOT NULL);
SELECT define_phase('p', '{"source": "src", "target": "dst", "legacy_column": "legacy_id",
  "columns": {"v": "v"}, "on_error": "abort"}');
SELECT reltuples FROM pg_class WHERE oid = 'ferry.map_1'::regclass;
-- a value that does not fit varchar(4) aborts the run: nothing written, the index still there
\set VERBOSITY terse
SELECT phase, migrated FROM migrate_phase('p');
\set VERBOSITY default
SELECT indexdef FROM pg_indexes WHERE schemaname = 'ferry' AND tablename = 'map_1' ORDER BY 1;
SELECT count(*) AS mapped FROM ferry.map_1;
DELETE FROM src WHERE id >= 1000;
-- the first run: the index is back, the map's statistics know its size
SELECT phase, migrated FROM migrate_phase('p');
SELECT indexdef FROM pg_indexes WHERE schemaname = 'ferry' AND tablename = 'map_1' ORDER BY 1;
SELECT reltuples FROM pg_class WHERE oid = 'ferry.map_1'::regclass;
-- the index serves the lookups by new key
SELECT legacy_id('p', id) = legacy_id::text AS found FROM dst WHERE legacy_id = 7;
-- a later run (the map is not empty) keeps the index as it is
INSERT INTO src VALUES (1000, 'last');
SELECT phase, migrated FROM migrate_phase('p');
SELECT count(*) FROM pg_indexes WHERE schemaname = 'ferry' AND tablename = 'map_1';
SELECT check_name, status FROM validate_migration_integrity('p') WHERE status <> 'PASS';

DROP EXTENSION ferry CASCADE;
DROP TABLE src, dst;
