-- capture_baseline / compare_baseline: exact row counts, sizes and a
-- content checksum per table, before and after a migration and after its
-- rollback; what a role may not read it neither measures nor shows.
-- Sizes change with every write (and are not restored by a rollback's
-- DELETE): they are not printed.
CREATE EXTENSION ferry;
CREATE SCHEMA bl;
CREATE TABLE bl.legacy (id int PRIMARY KEY, name text, note text);
CREATE TABLE bl.target (id uuid PRIMARY KEY, name text NOT NULL, legacy_id int);
CREATE TABLE bl.secret (id int PRIMARY KEY, pin text);
INSERT INTO bl.legacy SELECT g, CASE WHEN g % 10 <> 0 THEN 'n' || g END, NULL FROM generate_series(1, 50) g;
INSERT INTO bl.secret VALUES (1, '1234');
SELECT define_phase('bl', '{"source": "bl.legacy", "target": "bl.target", "legacy_column": "legacy_id",
                            "columns": {"name": "name"}}');

-- every table the caller may read (here: the bl ones)
SELECT table_name, row_count, total_bytes > 0 AS has_bytes, checksum <> 0 AS has_checksum
FROM capture_baseline('before') WHERE table_name LIKE 'bl.%';
SELECT phase, migrated, rejected FROM migrate_phase('bl');
SELECT table_name, row_count FROM capture_baseline('after', ARRAY['bl.legacy', 'bl.target']);
SELECT table_name, rows_a, rows_b, rows_diff, content FROM compare_baseline('before', 'after');
-- against now: the rollback restores the content of every table
SELECT phase, rows_deleted FROM rollback_migration('bl');
SELECT table_name, rows_a, rows_b, rows_diff, content FROM compare_baseline('before') WHERE table_name LIKE 'bl.%';

-- the checksum sees what a count does not: a changed value, a NULL for a
-- value, and two rows trading values
BEGIN;
UPDATE bl.legacy SET note = '' WHERE id = 7;
SELECT table_name, rows_diff, content FROM compare_baseline('before') WHERE table_name = 'bl.legacy';
ROLLBACK;
BEGIN;
UPDATE bl.legacy SET name = CASE id WHEN 1 THEN 'n2' ELSE 'n1' END WHERE id IN (1, 2);
SELECT table_name, rows_diff, content FROM compare_baseline('before') WHERE table_name = 'bl.legacy';
ROLLBACK;
SELECT table_name, content FROM compare_baseline('before') WHERE table_name = 'bl.legacy';

-- a label captured again is measured again
SELECT count(*) FROM capture_baseline('after', ARRAY['bl.legacy']);
SELECT label, table_name, row_count FROM ferry.baselines WHERE label = 'after' ORDER BY table_name;
-- a table dropped since: only in the baseline
CREATE TABLE bl.gone (id int);
SELECT count(*) FROM capture_baseline('with_gone', ARRAY['bl.gone', 'bl.legacy']);
DROP TABLE bl.gone;
SELECT table_name, rows_a, rows_b, content FROM compare_baseline('with_gone');

-- a role without SELECT on bl.secret: a NULL list leaves it out, naming it
-- is refused by PostgreSQL, and the baseline rows of it stay hidden
CREATE ROLE bl_reader;
GRANT USAGE ON SCHEMA ferry, bl TO bl_reader;
GRANT SELECT, INSERT, DELETE ON ferry.baselines TO bl_reader;
GRANT SELECT ON bl.legacy, bl.target TO bl_reader;
SET ROLE bl_reader;
SELECT table_name FROM capture_baseline('reader') WHERE table_name LIKE 'bl.%';
\set VERBOSITY terse
SELECT * FROM capture_baseline('reader2', ARRAY['bl.secret']);
\set VERBOSITY default
SELECT DISTINCT table_name FROM ferry.baselines ORDER BY 1;
SELECT table_name, content FROM compare_baseline('before') WHERE table_name LIKE 'bl.%';
RESET ROLE;

-- errors
\set VERBOSITY terse
SELECT * FROM capture_baseline(NULL);
SELECT * FROM capture_baseline('');
SELECT * FROM capture_baseline('x', ARRAY['bl.nosuch']);
SELECT * FROM capture_baseline('x', ARRAY[NULL]);
SELECT * FROM compare_baseline('nope');
SELECT * FROM compare_baseline(NULL);
SELECT * FROM compare_baseline('before', 'nope');
SELECT count(*) FROM ferry.baselines WHERE label = 'x';

DROP EXTENSION ferry CASCADE;
REVOKE ALL ON SCHEMA bl FROM bl_reader;
DROP SCHEMA bl CASCADE;
DROP ROLE bl_reader;
