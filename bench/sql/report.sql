-- The report, in Markdown, from bench.timings / bench.rss / bench.info (psql -At -v timeout_s=...).
\pset format unaligned
\pset tuples_only on
CREATE TEMP VIEW per_run AS
  SELECT size, run, competitor, op, step, ord, rows, seconds, status FROM bench.timings
  UNION ALL
  SELECT size, run, competitor, op, 'total', 9, sum(rows), sum(seconds),
         CASE WHEN bool_and(status = 'ok') THEN 'ok'
              WHEN bool_or(status = 'timeout') THEN 'timeout' ELSE min(status) FILTER (WHERE status <> 'ok') END
  FROM bench.timings WHERE op IN ('migrate', 'rollback') GROUP BY size, run, competitor, op;
CREATE TEMP VIEW med AS
  SELECT size, competitor, op, step, min(ord) AS ord, max(rows) AS rows, count(*) AS runs,
         count(*) FILTER (WHERE status <> 'ok') AS bad,
         string_agg(DISTINCT status, ', ') FILTER (WHERE status <> 'ok') AS bad_status,
         CASE WHEN count(*) FILTER (WHERE status <> 'ok') = 0
              THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) END AS sec,
         CASE op WHEN 'migrate' THEN 1 WHEN 'validate' THEN 2 ELSE 3 END AS op_ord,
         CASE competitor WHEN 'floor' THEN 1 WHEN 'hand' THEN 2 WHEN 'ferry' THEN 3 ELSE 4 END AS comp_ord
  FROM per_run GROUP BY size, competitor, op, step;
CREATE TEMP VIEW cmp AS
  SELECT m.*, h.sec AS hand_sec, h.bad AS hand_bad, f.sec AS floor_sec,
    CASE m.op WHEN 'migrate' THEN CASE m.step WHEN 'events' THEN 'migrate invitations -> events'
                                              WHEN 'participants' THEN 'migrate guests -> participants'
                                              ELSE 'migrate, both phases' END
              WHEN 'validate' THEN 'validate'
              ELSE CASE m.step WHEN 'participants' THEN 'rollback participants' WHEN 'events' THEN 'rollback events'
                               ELSE 'rollback, both' END END AS what,
    CASE m.competitor WHEN 'floor' THEN 'floor: UNLOGGED CREATE TABLE AS, no keys'
      WHEN 'hand' THEN CASE m.op WHEN 'migrate' THEN 'hand-written 009 + 010'
                                 WHEN 'validate' THEN 'hand-written: the seed''s 3 checks'
                                 ELSE 'hand-written: the seed''s DELETEs' END
      WHEN 'ferry' THEN CASE m.op WHEN 'migrate' THEN 'ferry migrate_phase'
                                  WHEN 'validate' THEN 'ferry validate_migration_integrity()'
                                  ELSE 'ferry rollback_migration, children first' END
      ELSE 'ferry CALL migrate_phase_batched(.., 50000)' END AS who
  FROM med m
  LEFT JOIN med h ON h.size = m.size AND h.competitor = 'hand' AND h.op = m.op AND h.step = m.step
  LEFT JOIN med f ON f.size = m.size AND f.competitor = 'floor' AND f.op = m.op AND f.step = m.step;

\echo '## Results'
\echo
\echo 'Seconds are the median of the runs; rows/s = source rows read / seconds (events: the invitations,'
\echo 'participants: the guests, both/validate: invitations + guests). Ratios are ferry''s median over the'
\echo 'hand-written SQL''s and over the floor''s, for the same step.'
\echo
SELECT string_agg(block, E'\n' ORDER BY size) FROM (
SELECT t.size, format(E'### %s invitations, %s guests (%s runs)\n\n%s\n\n| workload | rows | seconds | rows/s | ferry / hand-written | ferry / floor |\n|---|---:|---:|---:|---:|---:|\n%s\n',
  t.size, 3 * t.size, max(t.runs),
  (SELECT string_agg('- ' || line, E'\n' ORDER BY ord) FROM bench.info i WHERE i.size = t.size AND section = 'data'),
  string_agg(format('| %s: %s | %s | %s | %s | %s | %s |', t.what, t.who, t.rows,
    CASE WHEN t.bad = 0 THEN to_char(t.sec, 'FM999990.000')
         WHEN t.bad_status LIKE '%timeout%' THEN format('did not finish in %s s (%s of %s runs tried)', :timeout_s, t.bad, t.runs)
         ELSE format('failed: %s (%s of %s runs)', t.bad_status, t.bad, t.runs) END,
    CASE WHEN t.bad = 0 AND t.sec > 0 THEN to_char(round(t.rows / t.sec), 'FM999999999') ELSE '' END,
    CASE WHEN t.competitor NOT IN ('ferry', 'batched') OR t.bad > 0 THEN ''
         WHEN t.hand_bad > 0 THEN '< ' || to_char(t.sec / :timeout_s, 'FM9990.00') || 'x'
         WHEN t.hand_sec > 0 THEN to_char(t.sec / t.hand_sec, 'FM9990.00') || 'x' ELSE '' END,
    CASE WHEN t.competitor NOT IN ('ferry', 'batched') OR t.bad > 0 OR t.floor_sec IS NULL THEN ''
         ELSE to_char(t.sec / t.floor_sec, 'FM9990.00') || 'x' END), E'\n' ORDER BY t.op_ord, t.ord, t.comp_ord)) AS block
FROM cmp t GROUP BY t.size) b;

\echo '### The issue''s targets'
\echo
\echo '| rows | target | measured | |'
\echo '|---:|---|---:|---|'
WITH g AS (
  SELECT size,
    max(sec) FILTER (WHERE competitor = 'ferry' AND op = 'migrate' AND step = 'total') AS fm,
    max(sec) FILTER (WHERE competitor = 'hand' AND op = 'migrate' AND step = 'total') AS hm,
    max(sec) FILTER (WHERE competitor = 'floor' AND op = 'migrate' AND step = 'total') AS flm,
    max(sec) FILTER (WHERE competitor = 'ferry' AND op = 'validate') AS fv,
    max(sec) FILTER (WHERE competitor = 'ferry' AND op = 'rollback' AND step = 'total') AS fr,
    bool_or(bad > 0) FILTER (WHERE competitor = 'ferry' AND op = 'rollback' AND step = 'total') AS fr_bad
  FROM med GROUP BY size),
r AS (
  SELECT size, 1 AS o, 'ferry migrate <= 1.0x hand-written' AS target, fm / hm AS x, 1.0 AS lim, false AS dnf FROM g
  UNION ALL SELECT size, 2, 'ferry migrate <= 2x floor', fm / flm, 2.0, false FROM g
  UNION ALL SELECT size, 3, 'ferry validate <= 0.3x ferry migrate', fv / fm, 0.3, false FROM g
  UNION ALL SELECT size, 4, 'ferry rollback <= 0.5x ferry migrate', fr / fm, 0.5, fr_bad FROM g)
SELECT format('| %s | %s | %s | %s |', size, target,
  CASE WHEN dnf THEN format('did not finish in %s s', :timeout_s) WHEN x IS NULL THEN '' ELSE to_char(x, 'FM9990.00') || 'x' END,
  CASE WHEN x IS NULL AND NOT dnf THEN 'not measured' WHEN dnf OR x > lim THEN 'missed' ELSE 'met' END)
FROM r ORDER BY size, o;
\echo

\echo '### Time per row'
\echo
\echo 'Both phases'' median seconds over the source rows they read (invitations + guests), in microseconds;'
\echo 'the last column is the slowest size''s figure over the fastest''s in this report (the issue: <= 1.3x).'
\echo
\echo '| competitor | rows | µs per row | slowest / fastest size |'
\echo '|---|---:|---:|---:|'
WITH t AS (
  SELECT competitor, comp_ord, size, sec * 1e6 / rows AS us FROM med
  WHERE op = 'migrate' AND step = 'total' AND bad = 0)
SELECT format('| %s | %s | %s | %s |', competitor, size, to_char(us, 'FM9990.00'),
  CASE WHEN count(*) OVER w > 1 THEN to_char(max(us) OVER w / min(us) OVER w, 'FM990.00') || 'x' ELSE '' END)
FROM t WINDOW w AS (PARTITION BY competitor) ORDER BY comp_ord, size;
\echo

\echo '### Backend memory during the migration'
\echo
\echo 'VmHWM: the backend''s peak resident set (it includes the shared_buffers pages it touched), read from'
\echo '/proc/<pid>/status after the two phases, in the same session. Peak RssAnon: its private memory'
\echo '(work_mem-bounded sorts, hashes and tuplestores, and the AFTER trigger queue of the foreign keys,'
\echo 'which holds one entry per inserted row until the statement ends), sampled every 50 ms during each'
\echo 'competitor''s two statements. Median over the runs, MB.'
\echo
\echo '| rows | competitor | VmHWM MB | peak RssAnon MB |'
\echo '|---:|---|---:|---:|'
SELECT format('| %s | %s | %s | %s |', size,
  CASE competitor WHEN 'hand' THEN 'hand-written 009 + 010' WHEN 'ferry' THEN 'ferry migrate_phase x 2'
       ELSE 'ferry migrate_phase_batched x 2' END,
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY vmhwm_kb)::numeric / 1024),
  coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY peak_rss_anon_kb)::numeric / 1024)::text, ''))
FROM bench.rss GROUP BY size, competitor
ORDER BY size, CASE competitor WHEN 'hand' THEN 1 WHEN 'ferry' THEN 2 ELSE 3 END;
\echo

\echo '### Same rows? Counts, rejects, validation'
\echo
SELECT format(E'%s rows:\n%s\n', size, string_agg('- ' || line, E'\n' ORDER BY ord))
FROM bench.info WHERE section IN ('check', 'ferry', 'batched', 'validate', 'hand') AND size > 0
GROUP BY size ORDER BY size;

\echo '### Every run'
\echo
\echo '| rows | run | competitor | op | step | seconds | status |'
\echo '|---:|---:|---|---|---|---:|---|'
SELECT format('| %s | %s | %s | %s | %s | %s | %s |', size, run, competitor, op, step, to_char(seconds, 'FM999990.000'), status)
FROM bench.timings
ORDER BY size, run, CASE competitor WHEN 'floor' THEN 1 WHEN 'hand' THEN 2 WHEN 'ferry' THEN 3 ELSE 4 END,
         CASE op WHEN 'migrate' THEN 1 WHEN 'validate' THEN 2 ELSE 3 END, ord;
