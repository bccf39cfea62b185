-- Seed 001's rollback: two DELETEs, each guarded by statement_timeout (run without ON_ERROR_STOP).
SET statement_timeout = :timeout_ms;
SELECT clock_timestamp() AS t0 \gset
DELETE FROM event_participants WHERE event_id IN (SELECT id FROM events WHERE legacy_id IS NOT NULL);
\set err :ERROR
\set state :LAST_ERROR_SQLSTATE
RESET statement_timeout;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds, status)
SELECT :n, :run, 'hand', 'rollback', 'participants', 1, 3 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz),
  CASE WHEN :'err' = 'false' THEN 'ok' WHEN :'state' = '57014' THEN 'timeout' ELSE 'error ' || :'state' END;
SET statement_timeout = :timeout_ms;
SELECT clock_timestamp() AS t0 \gset
DELETE FROM events WHERE legacy_id IS NOT NULL;
\set err :ERROR
\set state :LAST_ERROR_SQLSTATE
RESET statement_timeout;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds, status)
SELECT :n, :run, 'hand', 'rollback', 'events', 2, :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz),
  CASE WHEN :'err' = 'false' THEN 'ok' WHEN :'state' = '57014' THEN 'timeout' ELSE 'error ' || :'state' END;
