-- bench/kharisma/hand_schema.sql: the seed's new schema (migrations/schema/001_create_new_tables.sql,
-- the tables it migrates into), as ../shared/bench/kharisma_baseline.sql has it: INT AUTO_INCREMENT keys.
DROP DATABASE IF EXISTS kharisma_db_new;
CREATE DATABASE kharisma_db_new;
USE kharisma_db_new;
CREATE TABLE users (id INT PRIMARY KEY AUTO_INCREMENT, username VARCHAR(50) UNIQUE NOT NULL,
  email VARCHAR(100) UNIQUE NOT NULL, password_hash VARCHAR(255) NOT NULL, full_name VARCHAR(100) NOT NULL,
  phone VARCHAR(20), role ENUM('admin','manager','cashier','service_staff','viewer') NOT NULL DEFAULT 'service_staff',
  is_active BOOLEAN DEFAULT TRUE, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, last_login TIMESTAMP NULL,
  deleted_at TIMESTAMP NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100) NOT NULL, phone VARCHAR(20) NOT NULL,
  email VARCHAR(100), address TEXT, customer_type ENUM('regular','vip','corporate') DEFAULT 'regular',
  membership_number VARCHAR(50), discount_percentage DECIMAL(5,2) DEFAULT 0, notes TEXT, is_active BOOLEAN DEFAULT TRUE,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at TIMESTAMP NULL, UNIQUE KEY unique_phone (phone)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, order_number VARCHAR(50) UNIQUE NOT NULL, customer_id INT NOT NULL,
  service_type ENUM('car_wash','laundry','carpet','water_delivery') NOT NULL,
  status ENUM('pending','in_progress','quality_check','completed','awaiting_payment','paid','cancelled','closed') DEFAULT 'pending',
  subtotal_price DECIMAL(10,2) NOT NULL, discount_amount DECIMAL(10,2) DEFAULT 0, tax_amount DECIMAL(10,2) DEFAULT 0,
  total_amount DECIMAL(10,2) NOT NULL, notes TEXT, created_by INT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, completed_at TIMESTAMP NULL, deleted_at TIMESTAMP NULL,
  FOREIGN KEY fk_orders_customer (customer_id) REFERENCES customers(id) ON DELETE RESTRICT,
  FOREIGN KEY fk_orders_created_by (created_by) REFERENCES users(id) ON DELETE RESTRICT,
  INDEX idx_customer_date (customer_id, created_at DESC), INDEX idx_status_date (status, created_at DESC))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE payments (id INT PRIMARY KEY AUTO_INCREMENT, order_id INT NOT NULL,
  payment_method ENUM('cash','bank_transfer','ewallet','card') NOT NULL, amount DECIMAL(10,2) NOT NULL,
  status ENUM('pending','completed','failed','refunded') DEFAULT 'completed', transaction_id VARCHAR(100), notes TEXT,
  created_by INT NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, deleted_at TIMESTAMP NULL,
  FOREIGN KEY fk_payments_order (order_id) REFERENCES orders(id) ON DELETE CASCADE,
  FOREIGN KEY fk_payments_created_by (created_by) REFERENCES users(id) ON DELETE RESTRICT)
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
