-- bench/kharisma/legacy.sql: seed 000's legacy schema (kharisma_db) at @n transactions per
-- service and @n/10 customers per service; the generator of ../shared/bench/kharisma_baseline.sql,
-- unchanged except that the database gets utf8mb4_unicode_ci, the collation the seed declares for
-- its new tables (ferry's content round trip compares legacy and new text columns, and MariaDB
-- refuses to compare two different IMPLICIT collations; the seed's own SQL reads it the same way).
-- 2% of the customers of each service have no phone: the seed's inner JOIN drops their orders.
DROP DATABASE IF EXISTS kharisma_db;
CREATE DATABASE kharisma_db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE kharisma_db;
SET @c = GREATEST(@n DIV 10, 10);

CREATE TABLE employees (employee_id INT PRIMARY KEY, name VARCHAR(100), phone_number VARCHAR(20),
  created_at DATETIME, updated_at DATETIME);
INSERT INTO employees SELECT seq, CONCAT('Employee ', seq), CONCAT('0812', LPAD(seq, 8, '0')),
  '2020-01-01' + INTERVAL seq DAY, NULL FROM seq_1_to_40;

-- Three customer tables; phones overlap across services (the same person uses several).
CREATE TABLE carwash_customers (customer_id INT PRIMARY KEY, name VARCHAR(100), phone_number VARCHAR(20),
  address TEXT, created_at DATETIME, updated_at DATETIME);
CREATE TABLE laundry_customers LIKE carwash_customers;
CREATE TABLE drinking_water_customers LIKE carwash_customers;
INSERT INTO carwash_customers SELECT seq, CONCAT('Cust ', seq),
  IF(seq % 50 = 0, NULL, CONCAT('0813', LPAD(seq, 8, '0'))), CONCAT(seq % 300, ' Jalan Raya'),
  '2019-01-01' + INTERVAL (seq % 1500) DAY, NULL FROM seq_1_to_10000000 WHERE seq <= @c;
INSERT INTO laundry_customers SELECT seq, CONCAT('Laundry cust ', seq),
  IF(seq % 50 = 1, NULL, CONCAT('0813', LPAD(seq * 2, 8, '0'))), CONCAT(seq % 200, ' Gang Melati'),
  '2019-06-01' + INTERVAL (seq % 1200) DAY, NULL FROM seq_1_to_10000000 WHERE seq <= @c;
INSERT INTO drinking_water_customers SELECT seq, CONCAT('Water cust ', seq),
  IF(seq % 50 = 2, NULL, CONCAT('0813', LPAD(seq * 3, 8, '0'))), NULL,
  '2020-01-01' + INTERVAL (seq % 900) DAY, NULL FROM seq_1_to_10000000 WHERE seq <= @c;

-- Prices are integer cents (rupiah * 100), as in the legacy system.
CREATE TABLE carwash_transactions (carwash_transaction_id INT PRIMARY KEY, customer_id INT, date DATE,
  end_date DATE, final_price INT, license_plate VARCHAR(20));
INSERT INTO carwash_transactions SELECT seq, 1 + seq % @c, '2023-01-01' + INTERVAL (seq % 1000) DAY,
  IF(seq % 10 = 0, NULL, '2023-01-01' + INTERVAL (seq % 1000) DAY), 2500000 + (seq % 7) * 500000,
  CONCAT('B ', seq % 9999, ' XY') FROM seq_1_to_10000000 WHERE seq <= @n;
CREATE TABLE laundry_items (laundry_item_id INT PRIMARY KEY, customer_id INT, date DATE, price INT, quantity INT);
INSERT INTO laundry_items SELECT seq, 1 + seq % @c, '2023-01-01' + INTERVAL (seq % 1000) DAY,
  700000 + (seq % 5) * 100000, 1 + seq % 6 FROM seq_1_to_10000000 WHERE seq <= @n;
CREATE TABLE drinking_water_transactions (drinking_water_transaction_id INT PRIMARY KEY, customer_id INT,
  date DATE, price INT, quantity INT);
INSERT INTO drinking_water_transactions SELECT seq, 1 + seq % @c, '2023-01-01' + INTERVAL (seq % 1000) DAY,
  500000, 1 + seq % 4 FROM seq_1_to_10000000 WHERE seq <= @n;
ANALYZE TABLE carwash_customers, laundry_customers, drinking_water_customers,
  carwash_transactions, laundry_items, drinking_water_transactions;
