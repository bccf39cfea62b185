-- finish_sync under a constant insert load: a pgbench writer (two clients)
-- keeps inserting into the source while the cut-over runs.  finish_sync ends,
-- and no write lands between its validation and the dropped triggers: every
-- row committed before the cut-over is mapped, every row after it is not
-- (until a catch-up migrates it).
CREATE EXTENSION ferry;
CREATE TABLE src (id bigint PRIMARY KEY, v text);
CREATE TABLE dst (id uuid PRIMARY KEY, v text, legacy_id bigint);
CREATE SEQUENCE src_ids;
SELECT define_phase('load', '{"source": "src", "target": "dst", "legacy_column": "legacy_id", "columns": {"v": "v"}}');
SELECT start_sync('load');
SELECT migrated FROM migrate_phase('load');
SELECT '/tmp/ferry_sync_load_' || pg_backend_pid() AS pidfile, current_database() AS db \gset
\setenv FERRY_PIDFILE :pidfile
\setenv FERRY_DB :db
\! (echo "INSERT INTO src SELECT nextval('src_ids'), 'row';" | pgbench -n -c 2 -T 5 -f - "$FERRY_DB" >/dev/null 2>&1 & echo $! >"$FERRY_PIDFILE")
SELECT pg_sleep(1.5);
SELECT count(*) > 0 AS synced_while_writing FROM dst;
CREATE TEMP TABLE cut AS SELECT * FROM finish_sync('load');
SELECT phase, synced > 0 AS synced FROM cut;
SELECT count(*) AS sync_triggers FROM pg_trigger WHERE tgrelid = 'src'::regclass;
\! while kill -0 "$(cat "$FERRY_PIDFILE")" 2>/dev/null; do sleep 0.2; done; rm -f "$FERRY_PIDFILE"
-- the cut-over split the writes in two: mapped before it, unmapped after
SELECT (SELECT max(legacy_1) FROM ferry.map_1) < (SELECT min(id) FROM src WHERE id NOT IN (SELECT legacy_1 FROM ferry.map_1))
       AS cut_cleanly,
       (SELECT count(*) > 0 FROM src WHERE id NOT IN (SELECT legacy_1 FROM ferry.map_1)) AS writes_went_on;
SELECT count(*) = (SELECT count(*) FROM ferry.map_1) AS every_mapped_row_written FROM dst;
SELECT migrated > 0 AS caught_up FROM migrate_phase('load');
SELECT phase, check_name, status FROM validate_migration_integrity('load') WHERE status <> 'PASS';
DROP EXTENSION ferry CASCADE;
DROP TABLE src, dst;
DROP SEQUENCE src_ids;
