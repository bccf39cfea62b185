-- bench/json.sh's report in markdown: every time, the medians, the ratios, the checksums.
\pset format unaligned
\pset tuples_only on
SELECT '| case | competitor | median s | rows/s | runs (s) |';
SELECT '|---|---|---:|---:|---|';
SELECT format('| %s | %s | %s | %s | %s |', kase, competitor,
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::numeric, 2),
              round(:n / percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)),
              string_agg(round(seconds, 2)::text, ' / ' ORDER BY run))
FROM jb.t GROUP BY kase, competitor ORDER BY kase, min(ctid);
SELECT '';
-- (a) the JSON columns' cost: with minus without, per run and side; median over runs
WITH cost AS (
  SELECT run, split_part(competitor, ' ', 1) AS side,
         sum(seconds) FILTER (WHERE competitor LIKE '% with JSON') - sum(seconds) FILTER (WHERE competitor LIKE '% without JSON') AS s,
         sum(seconds) FILTER (WHERE competitor LIKE '% with JSON') AS total
  FROM jb.t WHERE kase = 'a' GROUP BY run, split_part(competitor, ' ', 1)),
med AS (
  SELECT side, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS s, percentile_cont(0.5) WITHIN GROUP (ORDER BY total) AS total,
         string_agg(round(s, 2)::text, ' / ' ORDER BY run) AS runs
  FROM cost GROUP BY side)
SELECT format('(a) building location + form_data (with JSON minus without, median of the per-run differences): hand-written %s s (%s), ferry %s s (%s): ferry %sx (target <= 1.1x). Whole 009 with JSON: ferry %sx the hand-written statement.',
              round(h.s::numeric, 2), h.runs, round(f.s::numeric, 2), f.runs,
              round((f.s / nullif(h.s, 0))::numeric, 2), round((f.total / h.total)::numeric, 2))
FROM med h, med f WHERE h.side = 'hand' AND f.side = 'ferry';
WITH med AS (
  SELECT competitor, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS s FROM jb.t WHERE kase = 'b' GROUP BY competitor)
SELECT format('(b) json_restructure %s s vs hand-written jsonb %s s: %sx (target <= 2x); %sx the floor copy (%s s).',
              round(f.s::numeric, 2), round(h.s::numeric, 2), round((f.s / h.s)::numeric, 2),
              round((f.s / c.s)::numeric, 2), round(c.s::numeric, 2))
FROM med f, med h, med c
WHERE f.competitor = 'json_restructure' AND h.competitor = 'hand-written jsonb' AND c.competitor = 'floor (copy)';
SELECT '';
SELECT format('checksum (%s): hand-written %s rows md5 %s, ferry %s rows md5 %s: %s', h.kase, h.rows, h.md5, f.rows, f.md5,
              CASE WHEN h.rows = f.rows AND h.md5 = f.md5 THEN 'identical' ELSE 'MISMATCH' END)
FROM jb.sums h JOIN jb.sums f ON f.kase = h.kase AND f.side = 'ferry' WHERE h.side = 'hand' ORDER BY h.kase;
