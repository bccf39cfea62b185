-- bench/kharisma/hand_validate.sql: seed 000's verification (steps 4.1, 4.2 and 4.3, every query
-- of its migrations/verification/00[123]_*.sql, verbatim). They print; they assert nothing.
USE kharisma_db_new;

SELECT 'users' as table_name, COUNT(*) as new_count, (SELECT COUNT(*) FROM kharisma_db.employees) as old_count
FROM users
UNION ALL
SELECT 'customers', COUNT(*),
  (SELECT COUNT(DISTINCT phone_number) FROM (SELECT phone_number FROM kharisma_db.carwash_customers UNION SELECT phone_number FROM kharisma_db.laundry_customers UNION SELECT phone_number FROM kharisma_db.drinking_water_customers) t)
FROM customers
UNION ALL
SELECT 'orders', COUNT(*),
  ((SELECT COUNT(*) FROM kharisma_db.carwash_transactions) + (SELECT COUNT(*) FROM kharisma_db.laundry_items) + (SELECT COUNT(*) FROM kharisma_db.drinking_water_transactions))
FROM orders
UNION ALL
SELECT 'payments', COUNT(*), 0 FROM payments;

SELECT 'Orphaned orders (no customer)' as check_type, COUNT(*) as issue_count
FROM orders o LEFT JOIN customers c ON o.customer_id = c.id WHERE c.id IS NULL
UNION ALL
SELECT 'Orphaned payments (no order)', COUNT(*)
FROM payments p LEFT JOIN orders o ON p.order_id = o.id WHERE o.id IS NULL
UNION ALL
SELECT 'Orphaned orders (no created_by user)', COUNT(*)
FROM orders o LEFT JOIN users u ON o.created_by = u.id WHERE u.id IS NULL;

SELECT CASE WHEN COUNT(*) = COUNT(DISTINCT order_number) THEN 'All order numbers are unique ✓'
  ELSE CONCAT('Duplicate order numbers found: ', COUNT(*) - COUNT(DISTINCT order_number)) END as validation
FROM orders;

SELECT CASE WHEN COUNT(*) = 0 THEN 'All prices are valid ✓' ELSE CONCAT('Invalid prices found: ', COUNT(*)) END as validation
FROM orders WHERE subtotal_price < 0 OR total_amount < 0 OR total_amount < subtotal_price;

SELECT DISTINCT service_type, COUNT(*) as count FROM orders GROUP BY service_type ORDER BY service_type;

SELECT status, COUNT(*) as count FROM orders GROUP BY status ORDER BY status;

SELECT CASE WHEN COUNT(*) = 0 THEN 'No negative discounts ✓' ELSE CONCAT('Found ', COUNT(*), ' orders with invalid discounts') END as validation
FROM orders WHERE discount_amount < 0 OR discount_amount > subtotal_price;

SELECT CASE WHEN COUNT(*) = COUNT(DISTINCT phone) THEN 'All customer phones are unique ✓'
  ELSE 'Duplicate customer phones found ✗' END as validation
FROM customers;
