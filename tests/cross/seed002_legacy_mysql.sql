-- Seed 002, the legacy side: a slice of the ordermys MySQL production schema
-- (PascalCase tables and columns, INT AUTO_INCREMENT keys, UNIX timestamps,
-- TINYINT flags, status codes, an OrderData TEXT blob, no foreign keys),
-- filled with deterministic generated rows, some of them dirty on purpose.
-- Loaded into a throwaway MariaDB with the mariadb client; PostgreSQL reads
-- it through mysql_fdw (tests/cross/seed002_migration.sql, run by
-- scripts/cross-seed002.sh).  Every dirty row is named here with the rule
-- that makes it, so the counts seed002_migration.sql asserts can be checked
-- by hand.
--
--   Credentials   40 rows: LastLogin 0 ("never") for every 8th
--   Factories      4 rows
--   Brands         5 rows: one inactive
--   Saddles       40 rows: every 9th soft-deleted, every 7th inactive
--   Fitters       30 rows: 26..30 have no login (UserID NULL), every 10th deleted
--   Customers    500 rows: UTF-8 names (one with an emoji); every 25th deleted;
--                 FitterID 0 ("none") for every 50th, 999 (a fitter that never
--                 existed) for every 97th; customer 77's e-mail is 280
--                 characters long (the new schema allows 255)
--   Statuses       6 rows: the legacy status codes
--   Orders      1200 rows: every 200th has a customer that does not exist;
--                 OrderTime 0 (unknown) where ID % 300 = 150; drafts
--                 (OrderStatus 0) where ID % 60 = 7; status 3 ("on hold",
--                 which the new schema does not know) where ID % 100 = 33;
--                 FitterID NULL where ID % 40 = 0; OrderData: JSON as PHP's
--                 json_encode wrote it, except truncated JSON where
--                 ID % 100 = 13, PHP serialize() text where ID % 100 = 57,
--                 '' where ID % 150 = 99 and NULL where ID % 250 = 11
--   OrdersInfo  2401 rows: two option lines per order, plus line 2401 whose
--                 order never existed
--
-- Those counts are for @n = 1200 orders, the default. bench/seed002.sh sets
-- @n to scale the three big tables: @n Orders, 2 @n + 1 OrdersInfo lines and
-- @c = @n * 5 / 12 Customers (500 per 1200 orders); a missing customer is
-- @c * 100 + ID and the lost line's order GREATEST(99999, @n + 1), so both
-- stay missing at any size. The UNIX times repeat (CreatedTime every 9000
-- customers, OrderTime every 4000 orders) so that they stay below 2^31:
-- mysql_fdw imports INT UNSIGNED as integer, and a larger value fails
-- ferry's run ("value ... is out of range for type integer").
SET @n = COALESCE(@n, 1200);
SET @c = GREATEST(@n * 5 DIV 12, 100);
SET NAMES utf8mb4;
DROP DATABASE IF EXISTS ordermys;
CREATE DATABASE ordermys CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE ordermys;

CREATE TABLE Credentials (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  UserName varchar(100) NOT NULL,
  Email varchar(300) DEFAULT NULL,
  UserType tinyint NOT NULL DEFAULT 2,
  LastLogin int unsigned NOT NULL DEFAULT 0
) ENGINE=InnoDB;

CREATE TABLE Factories (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  FactoryName varchar(200) NOT NULL,
  Region varchar(10) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE Brands (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  BrandName varchar(200) NOT NULL,
  Active tinyint NOT NULL DEFAULT 1
) ENGINE=InnoDB;

CREATE TABLE Saddles (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  BrandID int NOT NULL,
  ModelName varchar(255) NOT NULL,
  FactoryEU int DEFAULT NULL,
  FactoryUS int DEFAULT NULL,
  FactoryAU int DEFAULT NULL,
  Active tinyint NOT NULL DEFAULT 1,
  Deleted tinyint NOT NULL DEFAULT 0
) ENGINE=InnoDB;

CREATE TABLE Fitters (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  UserID int DEFAULT NULL,
  Name varchar(255) NOT NULL,
  City varchar(255) DEFAULT NULL,
  Country varchar(255) DEFAULT NULL,
  Deleted tinyint NOT NULL DEFAULT 0
) ENGINE=InnoDB;

CREATE TABLE Customers (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  Name varchar(255) NOT NULL,
  Email varchar(300) DEFAULT NULL,
  Address varchar(255) DEFAULT NULL,
  City varchar(255) DEFAULT NULL,
  Country varchar(255) DEFAULT NULL,
  FitterID int NOT NULL DEFAULT 0,
  CreatedTime int unsigned NOT NULL,
  ModifiedTime int unsigned NOT NULL,
  Deleted tinyint NOT NULL DEFAULT 0
) ENGINE=InnoDB;

CREATE TABLE Statuses (
  ID tinyint NOT NULL PRIMARY KEY,
  StatusName varchar(50) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE Orders (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  CustomerID int NOT NULL,
  FitterID int DEFAULT NULL,
  SaddleID int NOT NULL,
  OrderTime int unsigned NOT NULL DEFAULT 0,
  OrderData text,
  SpecialNotes text,
  PriceSaddle decimal(10,2) NOT NULL DEFAULT 0.00,
  PriceDeposit decimal(10,2) NOT NULL DEFAULT 0.00,
  OrderStatus tinyint NOT NULL DEFAULT 1
) ENGINE=InnoDB;

CREATE TABLE OrdersInfo (
  ID int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  OrderID int NOT NULL,
  OptionName varchar(100) NOT NULL,
  OptionValue varchar(255) DEFAULT NULL,
  Price decimal(10,2) NOT NULL DEFAULT 0.00
) ENGINE=InnoDB;

-- seq_1_to_N comes from MariaDB's built-in Sequence engine: one row per
-- number, so every row below is a pure function of its ID.
INSERT INTO Credentials (ID, UserName, Email, UserType, LastLogin)
SELECT seq, CONCAT('user', seq), CONCAT('user', seq, '@ordermys.example'),
       CASE WHEN seq <= 3 THEN 1 WHEN seq <= 35 THEN 2 ELSE 3 END,
       IF(seq % 8 = 0, 0, 1600000000 + seq * 3600)
FROM seq_1_to_40;

INSERT INTO Factories (ID, FactoryName, Region) VALUES
  (1, 'Walsall Saddlery Works', 'EU'), (2, 'Kentucky Leather Co.', 'US'),
  (3, 'Victoria Tack Makers', 'AU'), (4, 'Fábrica de Sillas Córdoba', 'EU');

INSERT INTO Brands (ID, BrandName, Active) VALUES
  (1, 'Custom', 1), (2, 'Icon', 1), (3, 'Wolfgang', 1), (4, 'Kent & Masters', 1), (5, 'Ancien Régime', 0);

INSERT INTO Saddles (ID, BrandID, ModelName, FactoryEU, FactoryUS, FactoryAU, Active, Deleted)
SELECT seq, 1 + seq % 5, CONCAT(ELT(1 + seq % 4, 'Dressage', 'Jump', 'Event', 'Monoflap'), ' ', seq),
       IF(seq % 2 = 0, 1, 4), IF(seq % 3 = 0, NULL, 2), 3,
       IF(seq % 7 = 0, 0, 1), IF(seq % 9 = 0, 1, 0)
FROM seq_1_to_40;

INSERT INTO Fitters (ID, UserID, Name, City, Country, Deleted)
SELECT seq, IF(seq <= 25, seq + 10, NULL),
       CONCAT(ELT(1 + seq % 5, 'Siân', 'Jürgen', 'Åsa', 'François', 'Bob'), ' Fitter ', seq),
       ELT(1 + seq % 4, 'Leeds', 'München', 'Lexington', 'Ballarat'),
       ELT(1 + seq % 4, 'GB', 'DE', 'US', 'AU'),
       IF(seq % 10 = 0, 1, 0)
FROM seq_1_to_30;

INSERT INTO Customers (ID, Name, Email, Address, City, Country, FitterID, CreatedTime, ModifiedTime, Deleted)
SELECT seq,
       CASE WHEN seq = 42 THEN 'Zoë 🐴 Müller'
            ELSE CONCAT(ELT(1 + seq % 7, 'Zoë', 'Łukasz', 'Søren', 'Amélie', 'Ólafur', '花子', 'Mary'),
                        ' ', ELT(1 + seq % 5, 'Müller', 'Wróbel', 'Ødegård', 'Brontë', 'Smith'), ' ', seq) END,
       IF(seq = 77, CONCAT(REPEAT('x', 268), '@example.com'), CONCAT('customer', seq, '@example.com')),
       CONCAT(seq, ' Stable Lane'),
       ELT(1 + seq % 6, 'York', 'Köln', 'Utrecht', 'Austin', 'Perth', 'Cork'),
       ELT(1 + seq % 6, 'GB', 'DE', 'NL', 'US', 'AU', 'IE'),
       CASE WHEN seq % 50 = 0 THEN 0 WHEN seq % 97 = 0 THEN 999 ELSE 1 + seq % 30 END,
       1325376000 + (seq % 9000) * 86400, 1325376000 + (seq % 9000) * 86400 + 3600 * (seq % 1000),
       IF(seq % 25 = 0, 1, 0)
FROM seq_1_to_10000000 WHERE seq <= @c;

INSERT INTO Statuses (ID, StatusName) VALUES
  (0, 'Draft'), (1, 'New'), (3, 'On hold'), (7, 'Completed'), (9, 'Cancelled'), (11, 'In production');

INSERT INTO Orders (ID, CustomerID, FitterID, SaddleID, OrderTime, OrderData, SpecialNotes,
                    PriceSaddle, PriceDeposit, OrderStatus)
SELECT seq,
       IF(seq % 200 = 0, @c * 100 + seq, 1 + (seq * 7) % @c),
       IF(seq % 40 = 0, NULL, 1 + seq % 30),
       1 + seq % 40,
       IF(seq % 300 = 150, 0, 1335000000 + (seq % 4000) * 180000),
       CASE WHEN seq % 250 = 11 THEN NULL
            WHEN seq % 150 = 99 THEN ''
            WHEN seq % 100 = 13 THEN CONCAT('{"SeatSize":"', 16 + seq % 3, '","TreeWidth":"Med')
            WHEN seq % 100 = 57 THEN CONCAT('a:2:{s:8:"SeatSize";s:2:"', 16 + seq % 3, '";s:9:"TreeWidth";s:4:"Wide";}')
            ELSE CONCAT('{"SeatSize":"', 16 + seq % 3, '.5","TreeWidth":"', ELT(1 + seq % 3, 'Narrow', 'Medium', 'Wide'),
                        '","LeatherType":"', ELT(1 + seq % 4, 'Black Calf', 'Havana', 'Brown Buffalo', 'Grain'),
                        '","Options":{"KneeRolls":"', IF(seq % 2 = 0, 'Large', 'Small'),
                        '","GulletSize":', 1 + seq % 4, ',"Monogram":', IF(seq % 5 = 0, '"AB"', 'null'),
                        '},"FitterNotes":"', IF(seq % 11 = 0, 'Größe 17½\\" — Sattel für Pferd', 'none'), '"}') END,
       IF(seq % 9 = 0, CONCAT('Rush order nº ', seq, ' — ship to the yard'), NULL),
       1500.00 + (seq % 37) * 25.50,
       150.00 + (seq % 37) * 2.55,
       CASE WHEN seq % 60 = 7 THEN 0
            WHEN seq % 100 = 33 THEN 3
            ELSE ELT(1 + seq % 5, 1, 7, 7, 11, 9) END
FROM seq_1_to_10000000 WHERE seq <= @n;

INSERT INTO OrdersInfo (ID, OrderID, OptionName, OptionValue, Price)
SELECT seq, (seq + 1) DIV 2,
       ELT(1 + seq % 4, 'Knee Roll', 'Gullet', 'Seat Colour', 'Stitching'),
       ELT(1 + seq % 3, 'Large', 'Contrast', 'Noir'),
       (seq % 6) * 12.50
FROM seq_1_to_20000000 WHERE seq <= 2 * @n;
INSERT INTO OrdersInfo (ID, OrderID, OptionName, OptionValue, Price)
VALUES (2 * @n + 1, GREATEST(99999, @n + 1), 'Knee Roll', 'Lost', 0.00);
