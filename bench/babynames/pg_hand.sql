-- bench/babynames/pg_hand.sql: the hand-written fold.
INSERT INTO name_births (name, sex, births)
SELECT name, sex, jsonb_object_agg(year, births ORDER BY year) FROM baby_name GROUP BY name, sex;
