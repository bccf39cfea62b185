-- bench/kharisma/ferry_define.sql: seed 000's four phases, as tests/scenarios_mariadb/seed000_kharisma.sql
-- defines them (its required / unique / aggregates / checks are the seed's verification steps, so
-- validate_migration_integrity runs them all), except that the keys are uuid_v7, not uuid_v5: a
-- time-ordered key appends to InnoDB's clustered index where a v5 key lands on a random page
-- (MariaDB's UUID type stores a v7 key in its own byte order); at n = 30000 the orders and payments
-- phases took 9.7 + 8.7 s and 12.6 + 7.0 s with v7 against 15.4 + 15.0 s and 17.4 + 13.6 s with v5
-- (two alternating rounds, loaded machine; bench/NOTES.md).
-- Step 3.1: employees -> users (an employee without a name is filtered, and counted).
CALL define_phase('users', '{
  "source": "kharisma_db.employees",
  "source_key": "employee_id",
  "target": "users",
  "target_key": {"column": "id", "generate": "uuid_v7"},
  "columns": {
    "username":      {"sql": "LOWER(REPLACE(CONCAT(''user_'', name), '' '', ''_''))"},
    "email":         {"sql": "CONCAT(''employee_'', employee_id, ''@kharisma.local'')"},
    "full_name":     "name",
    "phone":         "phone_number",
    "password_hash": {"const": "$2a$12$"},
    "role":          {"const": "service_staff"},
    "is_active":     {"const": true},
    "created_at":    {"sql": "COALESCE(created_at, ''2025-10-22 00:00:00'')"},
    "updated_at":    {"sql": "COALESCE(updated_at, created_at, ''2025-10-22 00:00:00'')"}
  },
  "where": "name IS NOT NULL AND name <> ''''",
  "required": ["username", "email", "full_name"],
  "unique": ["username", "email"],
  "aggregates": [{"name": "users_per_employee", "source": "count(*)", "target": "count(*)"}],
  "checks": [{"name": "emails_well_formed",
              "sql": "SELECT count(*) = 0 FROM users WHERE email NOT REGEXP ''^employee_[0-9]+@kharisma[.]local$'' AND username <> ''admin''"}]
}');

-- Step 3.2: customers de-duplicated by phone across the three services.
-- Rows sharing a phone become one customer: the name and the address of
-- the newest account that has one (merge_order: created_at DESC), the
-- earliest created_at, the latest update; a customer without a phone
-- merges with nobody and stays a customer of its own.
CALL define_phase('customers', '{
  "source": "legacy_customers",
  "source_key": ["service", "id"],
  "target": "customers",
  "target_key": {"column": "id", "generate": "uuid_v7"},
  "merge_on": ["phone"],
  "merge_order": "created_at DESC, service, id",
  "columns": {
    "name":       {"from": "name", "merge": "first_non_null"},
    "phone":      "phone",
    "address":    {"from": "address", "merge": "first_non_null"},
    "created_at": {"from": "created_at", "merge": "min"},
    "updated_at": {"sql": "COALESCE(updated_at, created_at)", "merge": "max"}
  },
  "required": ["name"],
  "unique": ["phone"],
  "aggregates": [{"name": "one_customer_per_phone", "source": "count(DISTINCT phone) + sum(phone IS NULL)",
                  "target": "count(*)"},
                 {"name": "phoneless_customers_kept", "source": "sum(phone IS NULL)", "target": "sum(phone IS NULL)"}]
}');

-- Step 3.3: the three transaction tables -> orders.  The customer is found
-- through the customers phase's id map by the legacy key (service,
-- customer_id), so an order of a phone-less customer keeps its customer,
-- and an order whose customer does not exist is rejected with the reason.
CALL define_phase('orders', '{
  "source": "legacy_orders",
  "source_key": ["service", "id"],
  "target": "orders",
  "target_key": {"column": "id", "generate": "uuid_v7"},
  "depends_on": ["users"],
  "columns": {
    "order_number":   {"sql": "CONCAT(prefix, ''-'', DATE_FORMAT(order_date, ''%Y%m''), ''-'', LPAD(id, 6, ''0''))"},
    "customer_id":    {"from": ["service", "customer_id"], "ref": "customers"},
    "service_type":   {"from": "service", "map": {"carwash": "car_wash", "laundry": "laundry", "water": "water_delivery"}},
    "status":         {"sql": "IF(service <> ''carwash'' OR end_date IS NOT NULL, ''completed'', ''pending'')"},
    "subtotal_price": {"from": "price_cents", "convert": "cents_to_decimal"},
    "total_amount":   {"from": "price_cents", "convert": "cents_to_decimal"},
    "notes":          {"sql": "IF(service = ''carwash'', CONCAT(''License: '', license_plate), CONCAT(''Quantity: '', quantity))"},
    "created_by":     {"sql": "(SELECT u.id FROM users u WHERE u.username = ''admin'')"},
    "created_at":     "order_date",
    "updated_at":     "order_date",
    "completed_at":   {"sql": "IF(service = ''carwash'' AND end_date IS NOT NULL, CAST(CONCAT(end_date, '' 23:59:59'') AS DATETIME), NULL)"}
  },
  "required": ["order_number", "customer_id", "created_by", "subtotal_price", "total_amount"],
  "unique": ["order_number"],
  "aggregates": [
    {"name": "total_amount", "source": "sum(price_cents) / 100", "target": "sum(total_amount)"},
    {"name": "orders_per_service", "source": "count(*)", "target": "count(*)",
     "per": {"source": "prefix", "target": "LEFT(order_number, 2)"}},
    {"name": "revenue_per_month", "source": "sum(price_cents) / 100", "target": "sum(total_amount)",
     "per": {"source": "DATE_FORMAT(order_date, ''%Y-%m'')", "target": "DATE_FORMAT(created_at, ''%Y-%m'')"}}],
  "checks": [
    {"name": "no_orphaned_orders_customer",
     "sql": "SELECT count(*) = 0 FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"},
    {"name": "no_orphaned_orders_created_by",
     "sql": "SELECT count(*) = 0 FROM orders o LEFT JOIN users u ON u.id = o.created_by WHERE u.id IS NULL"},
    {"name": "valid_prices",
     "sql": "SELECT count(*) = 0 FROM orders WHERE subtotal_price < 0 OR total_amount < 0 OR total_amount < subtotal_price"},
    {"name": "no_negative_discounts",
     "sql": "SELECT count(*) = 0 FROM orders WHERE discount_amount < 0 OR discount_amount > subtotal_price"},
    {"name": "order_number_format",
     "sql": "SELECT count(*) = 0 FROM orders WHERE order_number NOT REGEXP ''^(CW|LD|WD)-[0-9]{6}-[0-9]{6}$''"},
    {"name": "completed_car_washes_have_completed_at",
     "sql": "SELECT count(*) = 0 FROM orders WHERE service_type = ''car_wash'' AND (status = ''completed'') <> (completed_at IS NOT NULL)"}]
}');

-- Step 3.4: payments derived from the completed orders (the same source
-- rows; the pending car washes are filtered, and counted).
CALL define_phase('payments', '{
  "source": "legacy_orders",
  "source_key": ["service", "id"],
  "target": "payments",
  "target_key": {"column": "id", "generate": "uuid_v7"},
  "where": "service <> ''carwash'' OR end_date IS NOT NULL",
  "columns": {
    "order_id":       {"from": ["service", "id"], "ref": "orders"},
    "payment_method": {"const": "cash"},
    "amount":         {"from": "price_cents", "convert": "cents_to_decimal"},
    "status":         {"const": "completed"},
    "created_by":     {"sql": "(SELECT u.id FROM users u WHERE u.username = ''admin'')"},
    "created_at":     {"sql": "DATE_ADD(order_date, INTERVAL 5 MINUTE)"}
  },
  "required": ["order_id", "amount"],
  "unique": ["order_id"],
  "aggregates": [{"name": "paid_total", "source": "sum(price_cents) / 100", "target": "sum(amount)"}],
  "checks": [
    {"name": "every_completed_order_paid",
     "sql": "SELECT count(*) = 0 FROM orders o WHERE o.status = ''completed'' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)"},
    {"name": "payment_equals_order_total",
     "sql": "SELECT count(*) = 0 FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.amount <> o.total_amount"},
    {"name": "no_orphaned_payments",
     "sql": "SELECT count(*) = 0 FROM payments p LEFT JOIN orders o ON o.id = p.order_id WHERE o.id IS NULL"}]
}');
