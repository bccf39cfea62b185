-- ferry: validate_migration_integrity() over both phases.
SELECT clock_timestamp() AS t0 \gset
SELECT string_agg(format('%s/%s %s', phase, check_name, status), ', ') AS checks,
       count(*) FILTER (WHERE status = 'FAIL') AS fails
FROM validate_migration_integrity() \gset fv_
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'ferry', 'validate', 'validate_migration_integrity()', 1, 4 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
\if :first
INSERT INTO bench.info (size, section, line) VALUES (:n, 'validate', 'ferry: ' || :'fv_checks');
\endif
