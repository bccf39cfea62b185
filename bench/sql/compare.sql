-- ferry (and its batched run) against the hand-written SQL, row by row over the rows both wrote;
-- the rows only one of them wrote are counted separately. A side that did not run (run.sh --skip
-- batched) is left out.
WITH pairs(tbl, side) AS (VALUES ('events', 'ferry'), ('participants', 'ferry'), ('events', 'batched'), ('participants', 'batched')),
j AS (
  SELECT p.tbl, p.side, ab.*
  FROM pairs p CROSS JOIN LATERAL (
    SELECT a.k AS ak, a.h AS ah, b.k AS bk, b.h AS bh
    FROM (SELECT k, h FROM bench.fp WHERE size = :n AND side = 'hand' AND tbl = p.tbl AND k IS NOT NULL) a
    FULL JOIN (SELECT k, h FROM bench.fp WHERE size = :n AND side = p.side AND tbl = p.tbl AND k IS NOT NULL) b ON a.k = b.k) ab
  WHERE EXISTS (SELECT 1 FROM bench.fp z WHERE z.size = :n AND z.side = p.side)),
s AS (
  SELECT tbl, side,
    count(*) FILTER (WHERE ak IS NOT NULL AND bk IS NOT NULL) AS common,
    count(*) FILTER (WHERE ah = bh) AS same,
    count(*) FILTER (WHERE ah <> bh) AS differ,
    count(*) FILTER (WHERE bk IS NULL) AS only_hand,
    count(*) FILTER (WHERE ak IS NULL) AS only_other,
    (SELECT count(*) FROM bench.fp z WHERE z.size = :n AND z.tbl = j.tbl AND z.side IN ('hand', j.side) AND z.k IS NULL) AS nokey,
    left(md5(string_agg(ah, '' ORDER BY ak) FILTER (WHERE ak IS NOT NULL AND bk IS NOT NULL)), 12) AS md5_hand,
    left(md5(string_agg(bh, '' ORDER BY bk) FILTER (WHERE ak IS NOT NULL AND bk IS NOT NULL)), 12) AS md5_other
  FROM j GROUP BY tbl, side)
INSERT INTO bench.info (size, section, line)
SELECT :n, 'check', format('%s: %s %s; %s rows both wrote, %s identical, %s differ; md5 of the common rows hand-written %s, %s %s; only hand-written %s, only %s %s, rows without a legacy key %s',
  CASE WHEN differ = 0 AND nokey = 0 AND md5_hand = md5_other THEN 'SAME' ELSE 'MISMATCH' END,
  tbl, side, common, same, differ, md5_hand, side, md5_other, only_hand, side, only_other, nokey)
FROM s ORDER BY side DESC, tbl;
SELECT count(*) > 0 AS mismatch FROM bench.info WHERE size = :n AND section = 'check' AND line LIKE 'MISMATCH%' \gset
\if :mismatch
\warn '*** MISMATCH: ferry and the hand-written SQL wrote different rows (see the check lines of the report) ***'
\endif
