-- Batched runs: commit per batch, keyset pagination on the source key,
-- resumable after a cancel with no gap and no duplicate; dry runs.
CREATE EXTENSION ferry;
-- progress NOTICEs carry rates and ETAs: keep them out of the expected output
SET client_min_messages = warning;

CREATE TABLE orders (id bigint, amount_cents int, note text);
CREATE UNIQUE INDEX ON orders (id);
INSERT INTO orders SELECT g, g * 10, 'order ' || g FROM generate_series(1, 2500) g;
INSERT INTO orders VALUES (NULL, 5, 'no key');          -- rejected, not lost
CREATE TABLE new_orders (id uuid PRIMARY KEY, amount numeric NOT NULL, note text, legacy_id bigint);

-- one row is slow while the switch is on, so that a timeout cancels the
-- run in the middle of its fourth batch
CREATE TABLE slow_switch (on_ boolean);
INSERT INTO slow_switch VALUES (true);
CREATE FUNCTION slow_note(id bigint, note text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF id = 1700 AND (SELECT on_ FROM slow_switch) THEN PERFORM pg_sleep(5); END IF;
  RETURN note;
END $$;

SELECT define_phase('orders', '{"source": "orders", "target": "new_orders", "legacy_column": "legacy_id",
  "columns": {"amount": {"sql": "amount_cents / 100.0"}, "note": {"sql": "slow_note(id, note)"}}}');

-- a dry run shows the counts and the statements, and writes nothing
UPDATE slow_switch SET on_ = false;
SELECT phase, migrated, rejected, filtered, skipped,
       statements LIKE 'DELETE FROM "ferry".migration_rejects%' AS shows_statements
FROM migrate_phase('orders', dry_run => true);
SELECT (SELECT count(*) FROM new_orders) AS target_rows, (SELECT count(*) FROM ferry.map_1) AS map_rows,
       (SELECT count(*) FROM ferry.migration_log) AS log_rows, (SELECT count(*) FROM ferry.migration_rejects) AS rejects;
UPDATE slow_switch SET on_ = true;

-- bad calls
CALL migrate_phase_batched('orders', 0);
CALL migrate_phase_batched('nope', 10);
BEGIN;
CALL migrate_phase_batched('orders', 500);
ROLLBACK;

-- cancelled in the middle of batch 4 (rows 1501-2000)
SET statement_timeout = '2s';
CALL migrate_phase_batched('orders', 500);
RESET statement_timeout;
-- batches 1-3 are committed, batch 4 is not
SELECT (SELECT count(*) FROM new_orders) AS target_rows, (SELECT count(*) FROM ferry.map_1) AS map_rows,
       (SELECT max(legacy_1) FROM ferry.map_1) AS last_key;
SELECT operation, status, rows, batch_size, progress FROM ferry.migration_log ORDER BY id;

-- the next run marks the interrupted one failed and resumes after key 1500
UPDATE slow_switch SET on_ = false;
CALL migrate_phase_batched('orders', 500);
SELECT operation, status, rows, batch_size, progress, error FROM ferry.migration_log ORDER BY id;
-- no gap, no duplicate: every keyed source row exactly once, the keyless one rejected
SELECT count(*) AS target_rows, count(DISTINCT legacy_id) AS distinct_keys,
       min(legacy_id), max(legacy_id), sum(amount) = (SELECT sum(amount_cents) / 100.0 FROM orders WHERE id IS NOT NULL) AS sums_match
FROM new_orders;
SELECT legacy_key, reason, source_row->>'note' AS note FROM ferry.migration_rejects;
SELECT * FROM validate_migration_integrity('orders');

-- a run after success migrates nothing; a run after new rows migrates them
CALL migrate_phase_batched('orders', 500);
INSERT INTO orders VALUES (2501, 1, 'late');
CALL migrate_phase_batched('orders', 500);
SELECT operation, status, rows FROM ferry.migration_log ORDER BY id;
SELECT count(*) AS target_rows FROM new_orders;

-- rollback after a batched run removes exactly what it wrote
SELECT rows_deleted FROM rollback_migration('orders');
SELECT count(*) AS target_rows FROM new_orders;

-- a run interrupted, then rolled back: the next run starts from the first
-- key again (the map is empty), not after where the interrupted one stopped
UPDATE slow_switch SET on_ = true;
SET statement_timeout = '2s';
CALL migrate_phase_batched('orders', 500);
RESET statement_timeout;
SELECT count(*) AS target_rows FROM new_orders;
SELECT rows_deleted FROM rollback_migration('orders');
UPDATE slow_switch SET on_ = false;
CALL migrate_phase_batched('orders', 500);
SELECT count(*) AS target_rows, min(legacy_id), max(legacy_id) FROM new_orders;
SELECT phase, check_name, status FROM validate_migration_integrity('orders') WHERE check_name = 'row_accounting';

DROP EXTENSION ferry CASCADE;
DROP TABLE orders, new_orders, slow_switch;
DROP FUNCTION slow_note(bigint, text);
