-- Seed 001's three validation queries.
SELECT clock_timestamp() AS t0 \gset
SELECT (SELECT COUNT(*) FROM wedding_invitations) old_count, (SELECT COUNT(*) FROM events WHERE legacy_id IS NOT NULL) new_count \gset hv_
SELECT COUNT(*) orphans FROM event_participants ep LEFT JOIN events e ON e.id = ep.event_id WHERE e.id IS NULL \gset hv_
SELECT COUNT(*) missing FROM events WHERE title IS NULL OR title = '' OR event_type_id IS NULL \gset hv_
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'hand', 'validate', 'seed 001 checks', 1, 4 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
\if :first
INSERT INTO bench.info (size, section, line) VALUES (:n, 'validate',
  format('hand-written checks: old_count %s, new_count %s, orphans %s, missing %s (old_count <> new_count: the check cannot tell soft-deleted rows from lost ones)',
         :hv_old_count, :hv_new_count, :hv_orphans, :hv_missing));
\endif
