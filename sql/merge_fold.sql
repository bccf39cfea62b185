-- object_agg (issue 9): a group's rows folded into one JSON object, the
-- babynames shape: one row per (name, sex) with {"<year>": births, ...}.
-- A NULL key, and a key an earlier row of its group has (pending or migrated
-- earlier), reject their row with the reason; the first row keeps the key;
-- nothing is overwritten or dropped quietly.
CREATE EXTENSION ferry;
SET client_min_messages = warning;

CREATE TABLE baby_name (id int PRIMARY KEY, name text, sex char(1), year int, births int);
INSERT INTO baby_name VALUES
  (1, 'Mary', 'F', 1880, 7065), (2, 'Mary', 'F', 1881, 6919), (3, 'Mary', 'F', 1882, 8148),
  (4, 'John', 'M', 1880, 9655), (5, 'John', 'M', 1881, 8769),
  (6, 'Anna', 'F', 1880, 2604),
  (7, 'Leslie', 'F', 1880, 8), (8, 'Leslie', 'M', 1880, 79),
  (9, 'Ida', 'F', NULL, 1472),                                -- no year: rejected alone
  (10, 'Ida', 'F', 1881, 1439),
  (11, 'Emma', 'F', 1880, 2003), (12, 'Emma', 'F', 1880, 2004), -- the same year twice: the later row is rejected
  (13, 'Emma', 'F', 1881, 2034),
  (14, 'Bertha', 'F', 1880, NULL);                            -- a NULL value is a JSON null, kept
CREATE TABLE name_births (id uuid PRIMARY KEY, name text NOT NULL, sex char(1) NOT NULL, births jsonb NOT NULL, years int);

SELECT define_phase('name_births', '{
  "source": "baby_name",
  "target": "name_births",
  "merge_on": ["name", "sex"],
  "columns": {
    "name":   "name",
    "sex":    "sex",
    "births": {"from": "births", "merge": "object_agg", "key": "year"},
    "years":  {"from": "year", "merge": "count"}
  }
}');
SELECT phase, migrated, merged, rejected, filtered, skipped FROM migrate_phase('name_births');
SELECT name, sex, births, years FROM name_births ORDER BY name, sex;
SELECT legacy_key, reason FROM ferry.migration_rejects ORDER BY legacy_key;
SELECT * FROM migration_accounting('name_births');
SELECT check_name, status, details FROM validate_migration_integrity('name_births') WHERE check_name = 'row_accounting';

-- catch-up: a new year joins its group's object, which is recomputed; a
-- year the object already has is rejected, naming the earlier run
INSERT INTO baby_name VALUES (15, 'Mary', 'F', 1883, 8012), (16, 'John', 'M', 1881, 1), (17, 'Zoe', 'F', 1881, 5);
SELECT phase, migrated, merged, rejected, filtered, skipped FROM migrate_phase('name_births');
SELECT name, sex, births, years FROM name_births WHERE name IN ('Mary', 'John', 'Zoe') ORDER BY name, sex;
SELECT legacy_key, reason FROM ferry.migration_rejects ORDER BY legacy_key;
SELECT check_name, status, details FROM validate_migration_integrity('name_births') WHERE check_name = 'row_accounting';

-- rollback removes each folded row once; batches of 2 split groups across
-- batches and give the same objects and books
SELECT rows_deleted FROM rollback_migration('name_births');
SELECT count(*) AS left_over FROM name_births;
CALL migrate_phase_batched('name_births', 2);
SELECT name, sex, births, years FROM name_births ORDER BY name, sex;
SELECT * FROM migration_accounting('name_births');
SELECT rows_deleted FROM rollback_migration('name_births');

-- bad object_agg specs
SELECT define_phase('x', '{"source": "baby_name", "target": "name_births", "merge_on": ["name", "sex"],
  "columns": {"births": {"from": "births", "merge": "object_agg"}}}');
SELECT define_phase('x', '{"source": "baby_name", "target": "name_births", "merge_on": ["name", "sex"],
  "columns": {"births": {"from": "births", "merge": "sum", "key": "year"}}}');
SELECT define_phase('x', '{"source": "baby_name", "target": "name_births", "merge_on": ["name", "sex"],
  "columns": {"births": {"from": "births", "merge": "object_agg", "key": "yr"}}}');
SELECT define_phase('x', '{"source": "baby_name", "target": "name_births", "merge_on": ["name", "sex"],
  "columns": {"births": {"json": {"n": {"from": "births", "merge": "object_agg", "key": "year"}}, "merge": "first"}}}');

DROP EXTENSION ferry CASCADE;
DROP TABLE baby_name, name_births;
