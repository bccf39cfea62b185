-- bench/babynames/mariadb_define.sql: ferry's phase. As on PostgreSQL, no merge rule builds a JSON
-- object, so the fold is written by hand, here in a view (MariaDB phases take no query source).
CREATE OR REPLACE VIEW baby_name_folded AS
SELECT name, sex, JSON_OBJECTAGG(year, births) AS births FROM baby_name GROUP BY name, sex;
CALL define_phase('name_births', '{
  "source": "baby_name_folded",
  "source_key": ["name", "sex"],
  "target": "name_births",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "columns": {"name": "name", "sex": "sex", "births": "births"}
}');
