-- bench/babynames/pg_define.sql: ferry's phase. ferry's merge_on has no merge rule that builds a JSON
-- object from the merged rows (min, max, first, last, first_non_null, sum, count), so a phase over
-- the 1.69M year rows cannot fold them. The fold is written by hand in a query source, grouped by
-- the key; the phase adds the id map, the uuid_v5 keys, the content hashes and the accounting, per
-- (name, sex) group, not per legacy year row.
SELECT define_phase('name_births', '{
  "source": {"query": "SELECT name, sex, jsonb_object_agg(year, births ORDER BY year) AS births FROM baby_name GROUP BY name, sex"},
  "source_key": ["name", "sex"],
  "target": "name_births",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "columns": {"name": "name", "sex": "sex", "births": "births"}
}');
