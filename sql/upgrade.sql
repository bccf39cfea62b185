-- Upgrades: install the oldest version, migrate a phase with it, update
-- the extension in place, and show that the catalog data survived and that
-- the old phase works with the new version's objects.
CREATE EXTENSION ferry VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'ferry';
-- 0.2's objects are not there yet
SELECT to_regprocedure('migration_report(text, text)') IS NULL AS no_report_in_0_1;

CREATE TABLE up_src (id int PRIMARY KEY, name text, gone boolean NOT NULL DEFAULT false);
INSERT INTO up_src SELECT g, CASE WHEN g % 10 <> 0 THEN 'n' || g END, g % 7 = 0 FROM generate_series(1, 50) g;
CREATE TABLE up_dst (id uuid PRIMARY KEY, legacy_id int UNIQUE, name text NOT NULL);
SELECT define_phase('up', '{"source": "up_src", "target": "up_dst", "legacy_column": "legacy_id",
                            "columns": {"name": "name"}, "where": "NOT gone"}');
SELECT phase, migrated, rejected, filtered FROM migrate_phase('up');

ALTER EXTENSION ferry UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'ferry';

-- the phase, its id map, its rejects and its log are all still there
SELECT phase, state, migrated, rejected, last_operation, last_status FROM migration_status;
SELECT count(*) AS map_entries FROM id_mappings WHERE phase = 'up';
SELECT reason, count(*) FROM ferry.migration_rejects GROUP BY reason;
SELECT * FROM validate_migration_integrity('up') WHERE status <> 'PASS';
-- 0.2's functions work on a phase defined under 0.1
SELECT * FROM migration_accounting('up');
SELECT count(*) > 0 AS report_lines FROM migration_report('up');
-- a catch-up run after the update migrates only the new rows
INSERT INTO up_src VALUES (51, 'n51', false);
SELECT phase, migrated, rejected, filtered FROM migrate_phase('up');
SELECT phase, rows_deleted FROM rollback_migration('up');
SELECT phase, state, migrated, rejected FROM migration_status;

-- the catalog tables are still marked for pg_dump, under the new version too
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) AS t(oid) JOIN pg_class c ON c.oid = t.oid
 WHERE e.extname = 'ferry' ORDER BY 1;

-- an upgraded install has the same objects as a fresh one
CREATE TEMP TABLE upgraded AS
SELECT pg_describe_object(classid, objid, 0) AS object FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ferry');
SELECT drop_phase('up');
DROP EXTENSION ferry CASCADE;
CREATE EXTENSION ferry;
SELECT extversion FROM pg_extension WHERE extname = 'ferry';
SELECT object FROM upgraded
EXCEPT SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ferry');
SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ferry')
EXCEPT SELECT object FROM upgraded;

DROP EXTENSION ferry CASCADE;
DROP TABLE up_src, up_dst;
