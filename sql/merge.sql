-- De-duplication (seed 000): customers of three services merged by phone;
-- every legacy key of a group maps to the one new row; catch-up runs merge
-- new rows into existing groups and recompute them.
CREATE EXTENSION ferry;

CREATE TABLE carwash_customers (id int PRIMARY KEY, name text, phone text, spent_cents int, joined date);
CREATE TABLE laundry_customers (id int PRIMARY KEY, name text, phone text, spent_cents int, joined date);
CREATE TABLE water_customers   (id int PRIMARY KEY, name text, phone text, spent_cents int, joined date);
INSERT INTO carwash_customers VALUES (1, 'Ani', '0811', 1000, '2024-01-05'), (2, 'Budi', NULL, 500, '2024-01-01'),
                                     (3, NULL, '0815', 100, '2024-01-01');
INSERT INTO laundry_customers VALUES (1, 'Ani S.', '0811', 2000, '2024-01-01'), (2, 'Citra', '0812', 300, '2024-02-01');
INSERT INTO water_customers   VALUES (7, 'Ani', '0811', 50, '2024-03-01'), (8, 'Dewi', NULL, 70, '2024-01-01'),
                                     (9, 'Citra', '0812', 30, '2024-01-15');
CREATE TABLE customers (
  id uuid PRIMARY KEY, name text NOT NULL, phone text UNIQUE, total numeric, accounts int,
  first_joined date, last_joined date, first_name_seen text, services text);

SELECT define_phase('customers', '{
  "source": {"query": "SELECT ''carwash'' AS service, * FROM carwash_customers UNION ALL SELECT ''laundry'', * FROM laundry_customers UNION ALL SELECT ''water'', * FROM water_customers"},
  "source_key": ["service", "id"],
  "target": "customers",
  "merge_on": ["phone"],
  "merge_order": "joined, service",
  "columns": {
    "name":         {"from": "name", "merge": "first_non_null"},
    "phone":        "phone",
    "total":        {"sql": "spent_cents / 100.0", "merge": "sum"},
    "accounts":     {"from": "id", "merge": "count"},
    "first_joined": {"from": "joined", "merge": "min"},
    "last_joined":  {"from": "joined", "merge": "max"},
    "first_name_seen": {"from": "name", "merge": "first"},
    "services":     {"from": "service", "merge": "last"}
  }
}');

SELECT phase, migrated, merged, rejected, filtered, skipped FROM migrate_phase('customers');
SELECT name, phone, total, accounts, first_joined, last_joined, first_name_seen, services FROM customers ORDER BY phone NULLS LAST, name;
-- every legacy key of a merged group maps to its one row
SELECT m.legacy_1 AS service, m.legacy_2 AS id, c.name, c.phone
FROM ferry.map_1 m JOIN customers c ON c.id = m.new_key ORDER BY c.phone NULLS LAST, 1, 2;
-- carwash 3 has no name at all in its group: rejected with the reason, not lost
SELECT legacy_key, reason FROM ferry.migration_rejects;
SELECT * FROM validate_migration_integrity('customers');

-- catch-up: a new account for an existing phone joins its group, whose row
-- is recomputed; a new phone is a new row
INSERT INTO water_customers VALUES (10, 'Ani W.', '0811', 150, '2023-12-01'), (11, 'Eko', '0816', 10, '2024-05-01');
SELECT phase, migrated, merged, rejected, filtered, skipped FROM migrate_phase('customers');
SELECT name, phone, total, accounts, first_joined, last_joined, first_name_seen, services FROM customers ORDER BY phone NULLS LAST, name;
SELECT * FROM validate_migration_integrity('customers');
SELECT count(*) AS map_rows, count(DISTINCT new_key) AS target_rows FROM ferry.map_1;

-- rollback removes each merged row once
SELECT rows_deleted FROM rollback_migration('customers');
SELECT count(*) AS left_over FROM customers;

-- bad merge specs
SELECT define_phase('x', '{"source": "carwash_customers", "target": "customers", "merge_on": ["phone"],
  "columns": {"name": "name"}}');
SELECT define_phase('x', '{"source": "carwash_customers", "target": "customers", "merge_on": ["phone"],
  "columns": {"name": {"from": "name", "merge": "median"}}}');
SELECT define_phase('x', '{"source": "carwash_customers", "target": "customers",
  "columns": {"name": {"from": "name", "merge": "first"}}}');
SELECT define_phase('x', '{"source": "carwash_customers", "target": "customers", "merge_on": ["phone"],
  "target_key": {"column": "id", "generate": "keep"}, "columns": {"name": {"from": "name", "merge": "first"}}}');
SELECT define_phase('x', '{"source": "carwash_customers", "target": "customers", "merge_on": ["telephone"],
  "columns": {"name": {"from": "name", "merge": "first"}}}');
SELECT define_phase('x', '{"source": "carwash_customers", "target": "customers", "merge_order": "joined",
  "columns": {"name": "name"}}');

DROP EXTENSION ferry CASCADE;
DROP TABLE carwash_customers, laundry_customers, water_customers, customers;
