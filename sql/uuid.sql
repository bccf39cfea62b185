-- uuid_v5 against RFC 9562's vector; uuid_v7 layout and order.
CREATE EXTENSION ferry;
SELECT uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com') AS rfc_9562_vector;
SELECT uuid_v5(NULL, 'x') IS NULL AS null_in_null_out, uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', NULL) IS NULL AS too;
SELECT uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', '') AS empty_name;
SELECT count(DISTINCT u) AS distinct_keys,
       bool_and(substr(u::text, 15, 1) = '7') AS version_7,
       bool_and(substr(u::text, 20, 1) IN ('8', '9', 'a', 'b')) AS rfc_variant
FROM (SELECT uuid_v7() AS u FROM generate_series(1, 1000)) s;
-- keys made one after another never sort backwards by their timestamp part
SELECT bool_and(substr(a::text, 1, 13) <= substr(b::text, 1, 13)) AS time_ordered
FROM (SELECT u AS a, lead(u) OVER (ORDER BY n) AS b
      FROM (SELECT n, uuid_v7() AS u FROM generate_series(1, 1000) n) s) t WHERE b IS NOT NULL;

DROP EXTENSION ferry;
