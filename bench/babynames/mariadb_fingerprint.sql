-- bench/babynames/mariadb_fingerprint.sql: the target's rows as one line: count, births total, md5 in
-- key order over each object with its keys sorted (JSON_NORMALIZE): JSON_OBJECTAGG writes the years in
-- the order it reads them, which differs between the hand-written statement and ferry's.
SET SESSION group_concat_max_len = 1073741824;
SELECT CONCAT(count(*), ' rows, ', (SELECT sum(j.b) FROM name_births n, JSON_TABLE(JSON_EXTRACT(n.births, '$.*'), '$[*]' COLUMNS (b INT PATH '$')) j),
              ' births, md5 ', MD5(GROUP_CONCAT(name, '/', sex, '=', JSON_NORMALIZE(births) ORDER BY name, sex SEPARATOR '\n')))
FROM name_births;
