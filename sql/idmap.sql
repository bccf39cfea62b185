-- map_id / legacy_id lookups, the id_mappings view (seed 001's
-- migration_mappings) and the migration_status view.
CREATE EXTENSION ferry;

CREATE TABLE wedding_invitations (id bigint PRIMARY KEY, couple text, deleted boolean NOT NULL DEFAULT false);
INSERT INTO wedding_invitations SELECT g, 'Couple ' || g, g % 100 = 0 FROM generate_series(1, 1000) g;
CREATE TABLE events (id uuid PRIMARY KEY, title text NOT NULL, legacy_id bigint);

-- a composite legacy key
CREATE TABLE order_lines (order_id bigint, line_no int, sku text, PRIMARY KEY (order_id, line_no));
INSERT INTO order_lines VALUES (1, 1, 'A'), (1, 2, 'B'), (2, 1, 'C');
CREATE TABLE lines (id uuid PRIMARY KEY, sku text);

-- a varchar(3) key, and a row the target refuses (name is required)
CREATE TABLE countries (code varchar(3) PRIMARY KEY, name text);
INSERT INTO countries VALUES ('NLD', 'Netherlands'), ('IDN', 'Indonesia'), ('XXX', NULL);
CREATE TABLE regions (id uuid PRIMARY KEY, name text NOT NULL);

-- names that need quoting everywhere
CREATE TABLE "Legacy Items" ("Item No" int PRIMARY KEY, label text);
INSERT INTO "Legacy Items" VALUES (7, 'seven');
CREATE TABLE items (id uuid PRIMARY KEY, label text);

SELECT define_phase('wedding_data', '{"source": "wedding_invitations", "target": "events",
  "legacy_column": "legacy_id", "columns": {"title": "couple"}, "where": "NOT deleted"}');
SELECT define_phase('order_lines', '{"source": "order_lines", "source_key": ["order_id", "line_no"],
  "target": "lines", "columns": {"sku": "sku"}}');
SELECT define_phase('countries', '{"source": "countries", "source_key": "code", "target": "regions",
  "columns": {"name": "name"}}');
SELECT define_phase('o''neil "items"', '{"source": "\"Legacy Items\"", "source_key": "Item No",
  "target": "items", "columns": {"label": "label"}}');

-- nothing has run yet
SELECT phase, source, target, state, migrated, rejected, last_run_at, last_operation FROM migration_status;
SELECT count(*) AS entries FROM id_mappings;
SELECT map_id('wedding_data', 1) IS NULL AS not_migrated_yet;

SELECT phase, migrated, rejected, filtered FROM migrate_all();

SELECT phase, source, target, state, migrated, rejected, last_operation, last_status,
       last_seconds >= 0 AS timed, last_run_at <= now() AS ran, last_error
FROM migration_status;

-- map_id: the key in any type, the new key as text or typed like as_type
SELECT map_id('wedding_data', 42) = (SELECT id::text FROM events WHERE legacy_id = 42) AS int_key,
       map_id('wedding_data', 42::bigint) = map_id('wedding_data', '42') AS text_key,
       pg_typeof(map_id('wedding_data', 42)) AS plain,
       pg_typeof(map_id('wedding_data', 42, NULL::uuid)) AS typed;
SELECT map_id('wedding_data', 42, NULL::uuid)
       = uuid_v5(uuid_v5('538d439a-576f-522c-be31-a97e102d0964', 'wedding_data'), '42') AS the_v5_key;
-- not found is NULL: a filtered row, an unknown key, a NULL key
SELECT map_id('wedding_data', 100) IS NULL AS filtered_row,
       map_id('wedding_data', 5000) IS NULL AS unknown_key,
       map_id('wedding_data', NULL::bigint) IS NULL AS null_key;

-- legacy_id goes back
SELECT legacy_id('wedding_data', e.id) AS as_text,
       legacy_id('wedding_data', e.id::text) AS from_text,
       legacy_id('wedding_data', e.id, NULL::bigint) + 1 AS typed_plus_one
FROM events e WHERE e.legacy_id = 42;
SELECT legacy_id('wedding_data', '00000000-0000-0000-0000-000000000000') IS NULL AS unknown_new_key;

-- a composite key: its parts as an array, in source_key order
SELECT map_id('order_lines', ARRAY[1, 2], NULL::uuid)
       = uuid_v5(uuid_v5('538d439a-576f-522c-be31-a97e102d0964', 'order_lines'), '1/2') AS int_parts,
       map_id('order_lines', ARRAY['1', '2']) = map_id('order_lines', ARRAY[1, 2]) AS text_parts,
       map_id('order_lines', ARRAY[1, NULL]) IS NULL AS null_part,
       map_id('order_lines', ARRAY[9, 9]) IS NULL AS unknown_key;
SELECT l.sku, legacy_id('order_lines', l.id) AS as_text,
       legacy_id('order_lines', l.id, NULL::int[]) AS as_ints,
       legacy_id('order_lines', l.id, NULL::text[]) AS as_texts
FROM lines l ORDER BY l.sku;

-- a varchar(3) key is never matched by truncating a longer one
SELECT map_id('countries', 'NLD') IS NOT NULL AS exact,
       map_id('countries', 'NLDX') IS NULL AS longer,
       map_id('countries', 'NLD'::varchar(3)) = map_id('countries', 'NLD') AS varchar_arg,
       map_id('countries', 'XXX') IS NULL AS rejected_row;

-- quoted names
SELECT legacy_id('o''neil "items"', map_id('o''neil "items"', 7, NULL::uuid)) AS round_trip;

-- the phase may change from row to row
SELECT v.phase, v.key, map_id(v.phase, v.key) IS NOT NULL AS found
FROM (VALUES (1, 'wedding_data', '1'), (2, 'countries', 'IDN'), (3, 'wedding_data', '2'),
             (4, 'countries', 'ABC'), (5, 'wedding_data', '3')) AS v(n, phase, key)
ORDER BY v.n;

-- errors
SELECT map_id('weding_data', 1);
SELECT map_id(NULL, 1);
SELECT map_id('wedding_data', 'forty-two');
SELECT map_id('wedding_data', now());
SELECT map_id('order_lines', 1);
SELECT map_id('order_lines', ARRAY[1, 2, 3]);
SELECT legacy_id('order_lines', l.id, NULL::bigint) FROM lines l WHERE l.sku = 'A';
-- a new key that several legacy keys map to (a merge) is not answered at random
INSERT INTO ferry.map_1 SELECT 5000, new_key, run_id FROM ferry.map_1 WHERE legacy_1 = 42;
SELECT legacy_id('wedding_data', e.id) FROM events e WHERE e.legacy_id = 42;
DELETE FROM ferry.map_1 WHERE legacy_1 = 5000;

-- set-based: one phase lookup per call site, one index probe per row
-- (the scans the statement adds to the transaction's statistics: 1000
-- source rows, so 1000 index probes of the map and one read of the catalog)
BEGIN;
CREATE TEMP TABLE scans_before AS
SELECT relname, seq_scan, coalesce(idx_scan, 0) AS idx_scan
FROM pg_stat_xact_user_tables WHERE schemaname = 'ferry' AND relname IN ('phases', 'map_1');
SELECT count(*) AS mapped FROM wedding_invitations w WHERE map_id('wedding_data', w.id, NULL::uuid) IS NOT NULL;
SELECT s.relname, s.seq_scan - b.seq_scan AS seq_scans,
       coalesce(s.idx_scan, 0) - b.idx_scan AS index_scans
FROM pg_stat_xact_user_tables s JOIN scans_before b USING (relname)
WHERE s.schemaname = 'ferry' ORDER BY s.relname;
COMMIT;
DROP TABLE scans_before;
SET force_parallel_mode = on;
SELECT count(*) AS mapped_in_parallel FROM wedding_invitations w WHERE map_id('wedding_data', w.id) IS NOT NULL;
RESET force_parallel_mode;
-- in a set-based UPDATE, as a migration script would use it
ALTER TABLE events ADD COLUMN legacy_back bigint;
UPDATE events SET legacy_back = legacy_id('wedding_data', id, NULL::bigint);
SELECT count(*) AS rows, count(*) FILTER (WHERE legacy_back = legacy_id) AS traced FROM events;

-- id_mappings: every entry of every phase, keys as text
SELECT phase, legacy_table, new_table, count(*) AS entries, min(run_id) = max(run_id) AS one_run
FROM id_mappings GROUP BY phase, legacy_table, new_table ORDER BY phase;
SELECT count(*) AS matches_events FROM id_mappings m JOIN events e
  ON m.new_id = e.id::text AND m.legacy_id = e.legacy_id::text WHERE m.phase = 'wedding_data';
SELECT legacy_id, new_id = map_id(phase, string_to_array(legacy_id, '/')) AS same_as_map_id
FROM id_mappings WHERE phase = 'order_lines' ORDER BY legacy_id;

-- migration_status follows the phase through its life
SELECT * FROM rollback_migration('countries');
SELECT phase, state, migrated, rejected, last_operation, last_status FROM migration_status;
SELECT phase, migrated FROM migrate_phase('countries');
SELECT phase, state, migrated, last_operation, last_status FROM migration_status WHERE phase = 'countries';
-- a failed run (an interrupted batched run, as the next run marks it) reads so
INSERT INTO ferry.migration_log (phase_id, phase, operation, status, error, finished_at)
SELECT id, name, 'migrate', 'failed', 'duplicate key value', clock_timestamp()
FROM ferry.phases WHERE name = 'order_lines';
SELECT phase, state, migrated, last_operation, last_status, last_error FROM migration_status WHERE phase = 'order_lines';
-- a phase dropped and defined again starts a new history
SELECT * FROM rollback_migration('o''neil "items"');
SELECT drop_phase('o''neil "items"');
SELECT define_phase('o''neil "items"', '{"source": "\"Legacy Items\"", "source_key": "Item No",
  "target": "items", "columns": {"label": "label"}}');
SELECT phase, state, migrated, last_run_at, last_operation FROM migration_status WHERE phase = 'o''neil "items"';

-- least privilege: nothing is SECURITY DEFINER, the views run as their reader
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer
FROM pg_proc p WHERE p.proname IN ('map_id', 'legacy_id', 'id_map_entries', 'id_map_count')
ORDER BY p.oid::regprocedure::text;
SELECT relname, reloptions FROM pg_class WHERE relname IN ('id_mappings', 'migration_status') ORDER BY 1;
CREATE ROLE regress_ferry_reader;
SET ROLE regress_ferry_reader;
SELECT * FROM migration_status;
SELECT * FROM id_mappings;
SELECT map_id('wedding_data', 1);
RESET ROLE;
GRANT USAGE ON SCHEMA ferry TO regress_ferry_reader;
GRANT SELECT ON ferry.phases TO regress_ferry_reader;
SET ROLE regress_ferry_reader;
SELECT map_id('wedding_data', 1);
SELECT count(*) FROM id_mappings WHERE phase = 'wedding_data';
RESET ROLE;
GRANT SELECT ON ferry.map_1 TO regress_ferry_reader;
SET ROLE regress_ferry_reader;
SELECT map_id('wedding_data', 1) IS NOT NULL AS granted;
-- a filter on the phase reads only that phase's map: the other maps are
-- not granted, and only reading them all fails
SELECT count(*) AS entries FROM id_mappings WHERE phase = 'wedding_data';
SELECT count(*) AS entries FROM id_mappings;
SELECT phase, state, migrated FROM migration_status WHERE phase = 'wedding_data';
RESET ROLE;
GRANT SELECT ON ferry.migration_log, ferry.migration_rejects TO regress_ferry_reader;
SET ROLE regress_ferry_reader;
SELECT phase, state, migrated FROM migration_status WHERE phase = 'wedding_data';
RESET ROLE;

-- leave the database as the test found it
DROP EXTENSION ferry CASCADE;
DROP TABLE events, wedding_invitations, lines, order_lines, regions, countries, items, "Legacy Items";
DROP ROLE regress_ferry_reader;
