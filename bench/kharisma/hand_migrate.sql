-- bench/kharisma/hand_migrate.sql: seed 000's data migration (steps 3.1-3.4) as
-- ../shared/bench/kharisma_baseline.sql has it: the seed's SQL with only its invalid
-- "CROSS JOIN users u WHERE u.role = 'admin' LIMIT 1 WHERE" made "JOIN users u ON u.role = 'admin'".
-- Its inner JOIN on the customer's phone drops every order of a phone-less customer, silently.
USE kharisma_db_new;
SELECT '=== seed 000 step 3.1: users' AS step;
INSERT INTO users (username, email, full_name, phone, password_hash, role, is_active, created_at, updated_at)
SELECT LOWER(REPLACE(CONCAT('user_', e.name), ' ', '_')), CONCAT('employee_', e.employee_id, '@kharisma.local'),
  e.name, e.phone_number, '$2a$12$', 'service_staff', TRUE, COALESCE(e.created_at, NOW()), COALESCE(e.updated_at, NOW())
FROM kharisma_db.employees e WHERE e.name IS NOT NULL AND e.name != '';
INSERT IGNORE INTO users (username, email, full_name, password_hash, role, is_active, created_at)
VALUES ('admin', 'admin@kharisma.local', 'Administrator', '$2a$12$', 'admin', TRUE, NOW());

SELECT '=== seed 000 step 3.2: customers (dedup by phone)' AS step;
CREATE TEMPORARY TABLE customer_merge AS
SELECT phone_number AS phone, MAX(name) AS name, MAX(address) AS address, MAX(created_at) AS created_at,
  MAX(updated_at) AS updated_at, COUNT(*) AS service_count, 'carwash' AS primary_service
FROM kharisma_db.carwash_customers WHERE phone_number IS NOT NULL GROUP BY phone_number
UNION ALL
SELECT phone_number, MAX(name), MAX(address), MAX(created_at), MAX(updated_at), COUNT(*), 'laundry'
FROM kharisma_db.laundry_customers WHERE phone_number IS NOT NULL GROUP BY phone_number
UNION ALL
SELECT phone_number, MAX(name), MAX(address), MAX(created_at), MAX(updated_at), COUNT(*), 'water'
FROM kharisma_db.drinking_water_customers WHERE phone_number IS NOT NULL GROUP BY phone_number;
INSERT INTO customers (name, phone, address, customer_type, discount_percentage, is_active, created_at, updated_at)
SELECT DISTINCT cm.name, cm.phone, cm.address,
  CASE WHEN cm.service_count >= 50 THEN 'vip' WHEN cm.service_count >= 20 THEN 'regular' ELSE 'regular' END,
  0, TRUE, cm.created_at, cm.updated_at
FROM customer_merge cm WHERE cm.phone IS NOT NULL GROUP BY cm.phone;

SELECT '=== seed 000 step 3.3: orders (three services)' AS step;
INSERT INTO orders (order_number, customer_id, service_type, status, subtotal_price, total_amount, notes, created_by,
  created_at, updated_at, completed_at)
SELECT CONCAT('CW-', DATE_FORMAT(ct.date, '%Y%m'), '-', LPAD(ct.carwash_transaction_id, 6, '0')), c.id, 'car_wash',
  IF(ct.end_date IS NOT NULL, 'completed', 'pending'), CAST(ct.final_price / 100.0 AS DECIMAL(10,2)),
  CAST(ct.final_price / 100.0 AS DECIMAL(10,2)), CONCAT('License: ', ct.license_plate), u.id, ct.date, ct.date,
  IF(ct.end_date IS NOT NULL, CAST(CONCAT(ct.end_date, ' 23:59:59') AS DATETIME), NULL)
FROM kharisma_db.carwash_transactions ct
JOIN customers c ON c.phone = (SELECT phone_number FROM kharisma_db.carwash_customers WHERE customer_id = ct.customer_id LIMIT 1)
JOIN users u ON u.role = 'admin'
WHERE ct.customer_id IS NOT NULL;
INSERT INTO orders (order_number, customer_id, service_type, status, subtotal_price, total_amount, notes, created_by,
  created_at, updated_at)
SELECT CONCAT('LD-', DATE_FORMAT(li.date, '%Y%m'), '-', LPAD(li.laundry_item_id, 6, '0')), c.id, 'laundry', 'completed',
  CAST(li.price / 100.0 AS DECIMAL(10,2)), CAST(li.price / 100.0 AS DECIMAL(10,2)), CONCAT('Quantity: ', li.quantity),
  u.id, li.date, li.date
FROM kharisma_db.laundry_items li
JOIN customers c ON c.phone = (SELECT phone_number FROM kharisma_db.laundry_customers WHERE customer_id = li.customer_id LIMIT 1)
JOIN users u ON u.role = 'admin'
WHERE li.customer_id IS NOT NULL;
INSERT INTO orders (order_number, customer_id, service_type, status, subtotal_price, total_amount, notes, created_by,
  created_at, updated_at)
SELECT CONCAT('WD-', DATE_FORMAT(dwt.date, '%Y%m'), '-', LPAD(dwt.drinking_water_transaction_id, 6, '0')), c.id,
  'water_delivery', 'completed', CAST(dwt.price / 100.0 AS DECIMAL(10,2)), CAST(dwt.price / 100.0 AS DECIMAL(10,2)),
  CONCAT('Quantity: ', dwt.quantity), u.id, dwt.date, dwt.date
FROM kharisma_db.drinking_water_transactions dwt
JOIN customers c ON c.phone = (SELECT phone_number FROM kharisma_db.drinking_water_customers WHERE customer_id = dwt.customer_id LIMIT 1)
JOIN users u ON u.role = 'admin'
WHERE dwt.customer_id IS NOT NULL;

SELECT '=== seed 000 step 3.4: payments' AS step;
INSERT INTO payments (order_id, payment_method, amount, status, created_by, created_at)
SELECT o.id, 'cash', o.total_amount,
  CASE WHEN o.status IN ('paid', 'completed', 'closed') THEN 'completed' ELSE 'pending' END,
  o.created_by, DATE_ADD(o.created_at, INTERVAL 5 MINUTE)
FROM orders o WHERE o.status IN ('paid', 'completed', 'closed');
