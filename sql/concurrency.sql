-- Two sessions (the second through dblink): a second run of a phase that is
-- being worked on is refused at once, not queued; a batched run cancelled
-- with pg_cancel_backend resumes with no gap and no duplicate.
CREATE EXTENSION ferry;
CREATE EXTENSION dblink;
SET client_min_messages = warning;
SELECT dblink_connect('other', format('dbname=%s port=%s host=%s', current_database(),
       current_setting('port'), split_part(current_setting('unix_socket_directories'), ',', 1))) AS connected;
SELECT dblink_exec('other', 'SET client_min_messages = warning');

CREATE TABLE src (id int PRIMARY KEY, v text);
INSERT INTO src SELECT g, 'v' || g FROM generate_series(1, 3000) g;
CREATE TABLE dst (id uuid PRIMARY KEY, v text, legacy_id int);
CREATE TABLE slow_switch (on_ boolean);
INSERT INTO slow_switch VALUES (true);
CREATE FUNCTION slow_v(id int, v text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF id = 1750 AND (SELECT on_ FROM slow_switch) THEN PERFORM pg_sleep(30); END IF;
  RETURN v;
END $$;
SELECT define_phase('p', '{"source": "src", "target": "dst", "legacy_column": "legacy_id",
  "columns": {"v": {"sql": "slow_v(id, v)"}}}');

-- the other session holds the phase inside an open transaction
SELECT dblink_exec('other', 'BEGIN');
SELECT dblink_exec('other', 'UPDATE slow_switch SET on_ = false');
SELECT * FROM dblink('other', 'SELECT migrated FROM migrate_phase(''p'')') AS t(migrated bigint);
-- this session is refused at once, by name
SELECT * FROM migrate_phase('p');
CALL migrate_phase_batched('p', 500);
SELECT * FROM rollback_migration('p');
SELECT dblink_exec('other', 'ROLLBACK');
SELECT count(*) AS written_by_the_rolled_back_run FROM dst;

-- a batched run in the other session, cancelled by pg_cancel_backend in its
-- fourth batch (rows 1501-2000, row 1750 sleeps)
SELECT pid AS other_pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_send_query('other', 'CALL migrate_phase_batched(''p'', 500)');
DO $$ BEGIN
  FOR i IN 1..300 LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN (SELECT count(*) FROM ferry.map_1) >= 1500
          AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep');
    PERFORM pg_sleep(0.1);
  END LOOP;
END $$;
SELECT pg_cancel_backend(:other_pid) AS cancelled;
SELECT * FROM dblink_get_result('other') AS t(r text);
SELECT (SELECT count(*) FROM dst) AS target_rows, (SELECT count(*) FROM ferry.map_1) AS map_rows;
-- nobody holds the phase any more: the run is interrupted, not running
SELECT state, last_status, last_error FROM migration_status;

-- the next run resumes after the last committed batch
UPDATE slow_switch SET on_ = false;
CALL migrate_phase_batched('p', 500);
SELECT status, rows, progress, error IS NOT NULL AS has_error FROM ferry.migration_log ORDER BY id;
SELECT count(*) AS target_rows, count(DISTINCT legacy_id) AS distinct_keys, min(legacy_id), max(legacy_id) FROM dst;
SELECT * FROM validate_migration_integrity('p');

SELECT dblink_disconnect('other');
DROP EXTENSION ferry CASCADE;
DROP EXTENSION dblink;
DROP TABLE src, dst, slow_switch;
DROP FUNCTION slow_v(int, text);
