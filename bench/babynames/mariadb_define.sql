-- bench/babynames/mariadb_define.sql: ferry's phase, as on PostgreSQL: the year rows merged on
-- (name, sex), each group's {year: births} folded by the merge rule object_agg (JSON_OBJECTAGG).
-- The source is utf8mb4_general_ci, ferry's id map utf8mb4_bin.
CALL define_phase('name_births', '{
  "source": "baby_name",
  "target": "name_births",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "merge_on": ["name", "sex"],
  "columns": {"name": "name", "sex": "sex", "births": {"from": "births", "merge": "object_agg", "key": "year"}}
}');
