-- Source and key forms: a query source (UNION ALL of three legacy tables
-- with a tag column), a composite source key, a schema-qualified target,
-- uuid_v4 / uuid_v7 / keep keys, constants of every JSON type, value maps
-- with and without a default.
CREATE EXTENSION ferry;

CREATE TABLE carwash_customers (id int PRIMARY KEY, name text, phone text);
CREATE TABLE laundry_customers (id int PRIMARY KEY, name text, phone text);
CREATE TABLE water_customers   (id int PRIMARY KEY, name text, phone text);
INSERT INTO carwash_customers VALUES (1, 'Ani', '0811'), (2, 'Budi', NULL);
INSERT INTO laundry_customers VALUES (1, 'Citra', '0812'), (2, 'Ani', '0811');
INSERT INTO water_customers   VALUES (7, 'Dewi', '0813');

CREATE SCHEMA app;
CREATE TABLE app.customers (
    id uuid PRIMARY KEY, name text NOT NULL, phone text, service text,
    origin jsonb, tier smallint, active boolean, since date, score numeric);

-- composite key (service, id) over a query source
SELECT define_phase('customers', '{
  "source": {"query": "SELECT ''carwash'' AS service, id, name, phone FROM carwash_customers UNION ALL SELECT ''laundry'', id, name, phone FROM laundry_customers UNION ALL SELECT ''water'', id, name, phone FROM water_customers"},
  "source_key": ["service", "id"],
  "target": "app.customers",
  "target_key": {"column": "id", "generate": "uuid_v7"},
  "columns": {
    "name": "name",
    "phone": "phone",
    "service": {"from": "service", "map": {"carwash": "car wash"}},
    "origin": {"json": {"service": "service", "legacy_id": "id", "flags": {"const": [1, "two", null]},
                        "ok": {"const": false}, "n": {"const": 2.5}}},
    "tier": {"const": 3},
    "active": {"const": true},
    "since": {"const": "2024-01-31"},
    "score": {"sql": "length(name) * 1.5"}
  }
}');
SELECT phase, migrated, filtered, skipped FROM migrate_phase('customers');
SELECT name, phone, service, origin, tier, active, since, score FROM app.customers ORDER BY origin->>'service', (origin->>'legacy_id')::int;
-- the map has one typed column per key part
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a WHERE a.attrelid = 'ferry.map_1'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT legacy_1, legacy_2 FROM ferry.map_1 ORDER BY 1, 2;
-- v7 keys carry version 7
SELECT count(*) FILTER (WHERE substr(id::text, 15, 1) = '7') AS v7_keys FROM app.customers;
SELECT phase, migrated, skipped FROM migrate_phase('customers');
SELECT * FROM validate_migration_integrity('customers');
-- a source row deleted after migration is reported, not hidden
DELETE FROM water_customers WHERE id = 7;
SELECT * FROM validate_migration_integrity('customers');
SELECT rows_deleted FROM rollback_migration('customers');

-- keep: the legacy key is the new key; uuid_v4 keys
CREATE TABLE items (id int PRIMARY KEY, qty int);
INSERT INTO items SELECT g, g * 10 FROM generate_series(1, 4) g;
CREATE TABLE stock (id int PRIMARY KEY, quantity int);
SELECT define_phase('stock', '{"source": "items", "target": "stock",
  "target_key": {"column": "id", "generate": "keep"}, "columns": {"quantity": "qty"}}');
SELECT migrated FROM migrate_phase('stock');
SELECT * FROM stock ORDER BY id;
SELECT count(*) AS same_keys FROM ferry.map_2 WHERE legacy_1 = new_key;
CREATE TABLE stock_v4 (id uuid PRIMARY KEY, quantity int);
SELECT define_phase('stock_v4', '{"source": "public.items", "target": "stock_v4",
  "target_key": {"column": "id", "generate": "uuid_v4"}, "columns": {"quantity": "qty"}}');
SELECT migrated FROM migrate_phase('stock_v4');
SELECT count(*) FILTER (WHERE substr(id::text, 15, 1) = '4') AS v4_keys FROM stock_v4;
-- the map and the target agree on every generated key
SELECT count(*) AS mapped_rows_found FROM ferry.map_3 m JOIN stock_v4 s ON s.id = m.new_key;
SELECT sum(quantity) = (SELECT sum(qty) FROM items) AS totals_match FROM stock_v4;

-- generate: default takes the target key's own default: a serial, an
-- identity (even GENERATED ALWAYS) or a default expression
CREATE TABLE stock_serial (id serial PRIMARY KEY, quantity int);
CREATE TABLE stock_identity (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100) PRIMARY KEY, quantity int);
CREATE TABLE stock_expr (code text PRIMARY KEY DEFAULT 'S-' || nextval('stock_serial_id_seq'), quantity int);
SELECT define_phase('stock_serial', '{"source": "items", "target": "stock_serial",
  "target_key": {"column": "id", "generate": "default"}, "columns": {"quantity": "qty"}}');
SELECT define_phase('stock_identity', '{"source": "items", "target": "stock_identity",
  "target_key": {"column": "id", "generate": "default"}, "columns": {"quantity": "qty"}}');
SELECT define_phase('stock_expr', '{"source": "items", "target": "stock_expr",
  "target_key": {"column": "code", "generate": "default"}, "columns": {"quantity": "qty"}}');
SELECT phase, migrated FROM migrate_all() WHERE phase LIKE 'stock\_%';
SELECT s.id, s.quantity, m.legacy_1 FROM stock_serial s JOIN ferry.map_4 m ON m.new_key = s.id ORDER BY s.id;
SELECT s.id, s.quantity, m.legacy_1 FROM stock_identity s JOIN ferry.map_5 m ON m.new_key = s.id ORDER BY s.id;
SELECT s.code, m.legacy_1 FROM stock_expr s JOIN ferry.map_6 m ON m.new_key = s.code ORDER BY m.legacy_1;
-- a key column without a default cannot generate
SELECT define_phase('nodefault', '{"source": "items", "target": "stock",
  "target_key": {"column": "id", "generate": "default"}, "columns": {"quantity": "qty"}}');

DROP EXTENSION ferry CASCADE;
DROP SCHEMA app CASCADE;
DROP TABLE carwash_customers, laundry_customers, water_customers, items, stock, stock_v4,
  stock_serial, stock_identity, stock_expr;
