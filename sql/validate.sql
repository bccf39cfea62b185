-- The validation suite, each check in its PASS and its FAIL form, then
-- assert_migration_integrity, and rollback's drift guard and cascade.
CREATE EXTENSION ferry;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, number text, total_cents int, status text);
CREATE TABLE customers (id int PRIMARY KEY, name text, phone text);
INSERT INTO customers VALUES (1, 'Ani', '0811'), (2, 'Budi', '0812'), (3, 'Citra', NULL);
INSERT INTO orders VALUES (1, 1, 'CW-1', 1000, 'paid'), (2, 1, 'CW-2', 250, 'paid'), (3, 2, 'CW-3', 99, 'open'),
                          (4, 3, 'CW-4', 1, 'open');
CREATE TABLE new_customers (id uuid PRIMARY KEY, name text, phone text, legacy_id int);
CREATE TABLE new_orders (id uuid PRIMARY KEY, customer_id uuid, order_number text, total numeric, status text);

SELECT define_phase('customers', '{"source": "customers", "target": "new_customers", "legacy_column": "legacy_id",
  "columns": {"name": "name", "phone": "phone"}, "unique": ["phone"]}');
SELECT define_phase('orders', '{"source": "orders", "target": "new_orders",
  "columns": {"customer_id": {"from": "customer_id", "ref": "customers"}, "order_number": "number",
              "total": {"from": "total_cents", "convert": "cents_to_decimal"}, "status": "status"},
  "required": ["customer_id", "order_number"],
  "unique": ["order_number"],
  "aggregates": [{"name": "total", "source": "sum(total_cents) / 100.0", "target": "sum(total)"},
                 {"name": "orders_per_status", "source": "count(*)", "target": "count(*)",
                  "per": {"source": "status", "target": "status"}}],
  "checks": [{"name": "no_negative_totals", "sql": "SELECT count(*) = 0 FROM new_orders WHERE total < 0"}]}');
SELECT phase, migrated, rejected FROM migrate_all();

-- everything holds
SELECT phase, check_name, status, details, sample FROM validate_migration_integrity();
SELECT assert_migration_integrity();

-- now break each promise, inside a transaction
BEGIN;
UPDATE new_orders SET total = total + 1 WHERE order_number = 'CW-2';              -- round trip, aggregate, drift
UPDATE new_orders SET status = 'lost' WHERE order_number = 'CW-3';                -- round trip, aggregate per status
UPDATE new_orders SET order_number = NULL WHERE total = 0.01;                      -- required
INSERT INTO new_orders VALUES (gen_random_uuid(), NULL, 'CW-1', 5, 'x');           -- unique (an app row)
UPDATE new_orders SET customer_id = '00000000-0000-0000-0000-000000000099'
WHERE order_number = 'CW-1' AND total = 10.00;                                     -- reference
UPDATE new_customers SET phone = '0811' WHERE name = 'Budi';                       -- unique on customers
INSERT INTO new_customers VALUES (gen_random_uuid(), 'Dup', NULL, 1);              -- legacy key twice
INSERT INTO new_orders VALUES (gen_random_uuid(), NULL, 'NEG', -3, 'x');           -- custom check
SELECT phase, check_name, status, details, sample FROM validate_migration_integrity()
WHERE status <> 'PASS' ORDER BY phase DESC, check_name, details;
SELECT assert_migration_integrity('orders');
ROLLBACK;

-- rollback: a phase others still refer to waits for them, or cascades
SELECT * FROM rollback_migration('customers');
-- the drift guard: a row changed after the migration is not silently undone
UPDATE new_orders SET status = 'refunded' WHERE order_number = 'CW-1';
SELECT * FROM rollback_migration('customers', cascade => true);
SELECT * FROM rollback_migration('orders');
SELECT * FROM rollback_migration('customers', cascade => true, force => true);
SELECT (SELECT count(*) FROM new_orders) AS orders_left, (SELECT count(*) FROM new_customers) AS customers_left;

-- bad proof specs are refused at define time
SELECT define_phase('x', '{"source": "orders", "target": "new_orders", "columns": {}, "required": ["nope"]}');
SELECT define_phase('x', '{"source": "orders", "target": "new_orders", "columns": {},
  "aggregates": [{"name": "a", "source": "sum(no_such)", "target": "count(*)"}]}');
SELECT define_phase('x', '{"source": "orders", "target": "new_orders", "columns": {},
  "aggregates": [{"name": "a", "source": "count(*)", "target": "count(*)", "per": {"source": "status"}}]}');
SELECT define_phase('x', '{"source": "orders", "target": "new_orders", "columns": {},
  "checks": [{"name": "c", "sql": "SELECT count(*) FROM nowhere"}]}');
SELECT define_phase('x', '{"source": "orders", "target": "new_orders", "columns": {},
  "checks": [{"name": "c", "query": "SELECT true"}]}');

DROP EXTENSION ferry CASCADE;
DROP TABLE orders, customers, new_customers, new_orders;
