-- bench/babynames/pg_fingerprint.sql: the target's rows as one line: count, births total, md5 in key order.
SELECT count(*) || ' rows, ' || sum((SELECT sum(value::int) FROM jsonb_each_text(births))) || ' births, md5 '
       || md5(string_agg(name || '/' || sex || '=' || births::text, E'\n' ORDER BY name, sex))
FROM name_births;
