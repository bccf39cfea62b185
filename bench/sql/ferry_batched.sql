-- ferry: CALL migrate_phase_batched(..., 50000) for the two phases (a commit per batch).
SET client_min_messages = warning;
SELECT pg_backend_pid() AS pid \gset
\set poll `bash :benchdir/rss_poll.sh start :pid :rssfile`
SELECT clock_timestamp() AS t0 \gset
CALL migrate_phase_batched('wedding_data', 50000);
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'batched', 'migrate', 'events', 1, :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT clock_timestamp() AS t0 \gset
CALL migrate_phase_batched('wedding_guests', 50000);
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'batched', 'migrate', 'participants', 2, 3 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
\set hwm `awk '/VmHWM/{print $2}' /proc/:pid/status`
\set anon `bash :benchdir/rss_poll.sh stop :pid :rssfile`
INSERT INTO bench.rss (size, run, competitor, vmhwm_kb, peak_rss_anon_kb) VALUES (:n, :run, 'batched', :hwm, NULLIF(:'anon', '')::bigint);
\if :first
INSERT INTO bench.info (size, section, line)
SELECT :n, 'batched', format('after migrate_phase_batched: %s migrated %s, rejected %s, state %s', phase, migrated, rejected, state)
FROM migration_status ORDER BY phase;
\endif
