-- ferry: migrate_phase for the two phases, in one session; the backend's peak memory is read
-- from /proc afterwards (VmHWM) and sampled during the run (RssAnon, by bench/rss_poll.sh).
SELECT pg_backend_pid() AS pid \gset
\set poll `bash :benchdir/rss_poll.sh start :pid :rssfile`
SELECT clock_timestamp() AS t0 \gset
SELECT migrated, rejected, filtered, skipped FROM migrate_phase('wedding_data') \gset fd_
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'ferry', 'migrate', 'events', 1, :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT clock_timestamp() AS t0 \gset
SELECT migrated, rejected, filtered, skipped FROM migrate_phase('wedding_guests') \gset fg_
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'ferry', 'migrate', 'participants', 2, 3 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
\set hwm `awk '/VmHWM/{print $2}' /proc/:pid/status`
\set anon `bash :benchdir/rss_poll.sh stop :pid :rssfile`
INSERT INTO bench.rss (size, run, competitor, vmhwm_kb, peak_rss_anon_kb) VALUES (:n, :run, 'ferry', :hwm, NULLIF(:'anon', '')::bigint);
\if :first
INSERT INTO bench.info (size, section, line) VALUES
  (:n, 'ferry', format('migrate_phase(''wedding_data''): migrated %s, rejected %s, filtered %s, skipped %s', :fd_migrated, :fd_rejected, :fd_filtered, :fd_skipped)),
  (:n, 'ferry', format('migrate_phase(''wedding_guests''): migrated %s, rejected %s, filtered %s, skipped %s', :fg_migrated, :fg_rejected, :fg_filtered, :fg_skipped));
INSERT INTO bench.info (size, section, line)
SELECT :n, 'ferry', format('quarantined in ferry.migration_rejects: %s x %s', count(*), reason)
FROM ferry.migration_rejects GROUP BY reason ORDER BY reason;
\endif
