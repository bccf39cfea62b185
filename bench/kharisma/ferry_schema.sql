-- bench/kharisma/ferry_schema.sql: ferry's side of the seed 000 benchmark, run in the database
-- kharisma_ferry that holds ferry's procedures. The seed's new tables with the same columns and
-- the same indexes as hand_schema.sql, with two differences, those of
-- tests/scenarios_mariadb/seed000_kharisma.sql: every id is a UUID that ferry makes (uuid_v7, see ferry_define.sql;
-- a composite legacy key [service, id] cannot feed an AUTO_INCREMENT key's legacy_column), and
-- customers.phone may be NULL (the seed's NOT NULL is what drops the phone-less customers and,
-- through its inner JOIN, their orders). The legacy tables are read through the scenario's two
-- UNION ALL views, and the administrator is the application row the seed inserts by hand.
CREATE TABLE users (id UUID PRIMARY KEY, username VARCHAR(50) UNIQUE NOT NULL,
  email VARCHAR(100) UNIQUE NOT NULL, password_hash VARCHAR(255) NOT NULL, full_name VARCHAR(100) NOT NULL,
  phone VARCHAR(20), role ENUM('admin','manager','cashier','service_staff','viewer') NOT NULL DEFAULT 'service_staff',
  is_active BOOLEAN DEFAULT TRUE, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, last_login TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE customers (id UUID PRIMARY KEY, name VARCHAR(100) NOT NULL, phone VARCHAR(20),
  email VARCHAR(100), address TEXT, customer_type ENUM('regular','vip','corporate') DEFAULT 'regular',
  membership_number VARCHAR(50), discount_percentage DECIMAL(5,2) DEFAULT 0, notes TEXT, is_active BOOLEAN DEFAULT TRUE,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at TIMESTAMP NULL, UNIQUE KEY unique_phone (phone)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE orders (id UUID PRIMARY KEY, order_number VARCHAR(50) UNIQUE NOT NULL, customer_id UUID NOT NULL,
  service_type ENUM('car_wash','laundry','carpet','water_delivery') NOT NULL,
  status ENUM('pending','in_progress','quality_check','completed','awaiting_payment','paid','cancelled','closed') DEFAULT 'pending',
  subtotal_price DECIMAL(10,2) NOT NULL, discount_amount DECIMAL(10,2) DEFAULT 0, tax_amount DECIMAL(10,2) DEFAULT 0,
  total_amount DECIMAL(10,2) NOT NULL, notes TEXT, created_by UUID NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, completed_at TIMESTAMP NULL, deleted_at TIMESTAMP NULL,
  FOREIGN KEY fk_orders_customer (customer_id) REFERENCES customers(id) ON DELETE RESTRICT,
  FOREIGN KEY fk_orders_created_by (created_by) REFERENCES users(id) ON DELETE RESTRICT,
  INDEX idx_customer_date (customer_id, created_at DESC), INDEX idx_status_date (status, created_at DESC))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE payments (id UUID PRIMARY KEY, order_id UUID NOT NULL,
  payment_method ENUM('cash','bank_transfer','ewallet','card') NOT NULL, amount DECIMAL(10,2) NOT NULL,
  status ENUM('pending','completed','failed','refunded') DEFAULT 'completed', transaction_id VARCHAR(100), notes TEXT,
  created_by UUID NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, deleted_at TIMESTAMP NULL,
  FOREIGN KEY fk_payments_order (order_id) REFERENCES orders(id) ON DELETE CASCADE,
  FOREIGN KEY fk_payments_created_by (created_by) REFERENCES users(id) ON DELETE RESTRICT)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE VIEW legacy_customers AS
  SELECT 'carwash' AS service, c.customer_id AS id, c.name, c.phone_number AS phone, c.address,
         c.created_at, c.updated_at FROM kharisma_db.carwash_customers c
  UNION ALL
  SELECT 'laundry', l.customer_id, l.name, l.phone_number, l.address, l.created_at, l.updated_at
    FROM kharisma_db.laundry_customers l
  UNION ALL
  SELECT 'water', w.customer_id, w.name, w.phone_number, w.address, w.created_at, w.updated_at
    FROM kharisma_db.drinking_water_customers w;
CREATE VIEW legacy_orders AS
  SELECT 'carwash' AS service, 'CW' AS prefix, t.carwash_transaction_id AS id, t.customer_id,
         t.date AS order_date, t.end_date, t.final_price AS price_cents, t.license_plate, NULL AS quantity
    FROM kharisma_db.carwash_transactions t
  UNION ALL
  SELECT 'laundry', 'LD', l.laundry_item_id, l.customer_id, l.date, NULL, l.price, NULL, l.quantity
    FROM kharisma_db.laundry_items l
  UNION ALL
  SELECT 'water', 'WD', w.drinking_water_transaction_id, w.customer_id, w.date, NULL, w.price, NULL, w.quantity
    FROM kharisma_db.drinking_water_transactions w;

INSERT INTO users (id, username, email, full_name, password_hash, role, is_active, created_at)
VALUES ('00000000-0000-0000-0000-00000000ad01', 'admin', 'admin@kharisma.local', 'Administrator', '$2a$12$',
        'admin', TRUE, '2025-10-22 00:00:00');
