-- bench/babynames/pg_define.sql: ferry's phase: the 1.69M year rows merged on (name, sex), each
-- group's {year: births} folded by the merge rule object_agg (jsonb_object_agg), every legacy row
-- mapped to its group's row, with uuid_v5 keys and the accounting per legacy row.
SELECT define_phase('name_births', '{
  "source": "baby_name",
  "target": "name_births",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "merge_on": ["name", "sex"],
  "columns": {"name": "name", "sex": "sex", "births": {"from": "births", "merge": "object_agg", "key": "year"}}
}');
