-- bench/babynames/mariadb_fingerprint.sql: the target's rows as one line: count, births total, md5 in
-- key order (JSON_OBJECTAGG writes the years in the order it reads them: both sides read the same plan).
SET SESSION group_concat_max_len = 1073741824;
SELECT CONCAT(count(*), ' rows, ', (SELECT sum(j.b) FROM name_births n, JSON_TABLE(JSON_EXTRACT(n.births, '$.*'), '$[*]' COLUMNS (b INT PATH '$')) j),
              ' births, md5 ', MD5(GROUP_CONCAT(name, '/', sex, '=', births ORDER BY name, sex SEPARATOR '\n')))
FROM name_births;
