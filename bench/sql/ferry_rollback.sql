-- ferry: rollback_migration, children first, each guarded by statement_timeout like the seed's
-- DELETEs (run without ON_ERROR_STOP).
SET statement_timeout = :timeout_ms;
SELECT clock_timestamp() AS t0 \gset
SELECT sum(rows_deleted) AS deleted FROM rollback_migration('wedding_guests') \gset
\set err :ERROR
\set state :LAST_ERROR_SQLSTATE
RESET statement_timeout;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds, status)
SELECT :n, :run, 'ferry', 'rollback', 'participants', 1, 3 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz),
  CASE WHEN :'err' = 'false' THEN 'ok' WHEN :'state' = '57014' THEN 'timeout' ELSE 'error ' || :'state' END;
SET statement_timeout = :timeout_ms;
SELECT clock_timestamp() AS t0 \gset
SELECT sum(rows_deleted) AS deleted FROM rollback_migration('wedding_data') \gset
\set err :ERROR
\set state :LAST_ERROR_SQLSTATE
RESET statement_timeout;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds, status)
SELECT :n, :run, 'ferry', 'rollback', 'events', 2, :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz),
  CASE WHEN :'err' = 'false' THEN 'ok' WHEN :'state' = '57014' THEN 'timeout' ELSE 'error ' || :'state' END;
