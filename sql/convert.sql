-- Seed 002's conversions, on a MySQL dump loaded into PostgreSQL: UNIX
-- timestamps -> timestamptz, integer cents -> numeric, a TINYINT Deleted
-- flag -> deleted_at, a PascalCase JSON blob -> snake_case keys; each with
-- its inverse, and an order number made from the legacy id.
CREATE EXTENSION ferry;
CREATE TABLE "Orders" ("OrderId" int PRIMARY KEY, "CreatedAt" bigint, "TotalCents" int, "Deleted" smallint,
                       "UpdatedAt" timestamptz, "OrderData" text);
INSERT INTO "Orders" VALUES
  (1, 1700000000, 1999, 0, '2024-01-01 10:00+00', '{"ShipTo": {"ZipCode": "40111", "CityName": "Bandung"}, "LineItems": [{"ItemName": "Tea", "Qty": 2}]}'),
  (2, 1700003600, 50, 1, '2024-02-01 10:00+00', '{"GiftNote": null}'),
  (3, 0, 0, 0, '2024-03-01 10:00+00', '{}');
CREATE TABLE orders (id uuid PRIMARY KEY, order_number text NOT NULL UNIQUE, created_at timestamptz, total numeric(12,2),
                     deleted_at timestamptz, order_data jsonb, legacy_id int);
SET timezone = 'UTC';

SELECT define_phase('orders', '{"source": "\"Orders\"", "source_key": "OrderId", "target": "orders",
  "legacy_column": "legacy_id",
  "columns": {
    "order_number": {"sql": "''OMS-'' || lpad(\"OrderId\"::text, 6, ''0'')"},
    "created_at": {"from": "CreatedAt", "convert": "epoch_to_timestamp"},
    "total": {"from": "TotalCents", "convert": "cents_to_decimal"},
    "deleted_at": {"from": "Deleted", "convert": "flag_to_deleted_at", "at": "UpdatedAt"},
    "order_data": {"from": "OrderData", "convert": "keys_to_snake_case"}}}');
SELECT phase, migrated, rejected FROM migrate_phase('orders');
SELECT order_number, created_at, total, deleted_at, order_data FROM orders ORDER BY legacy_id;

-- every conversion comes back exactly through its inverse
SELECT o.legacy_id,
       extract(epoch FROM o.created_at) = l."CreatedAt" AS epoch_back,
       round(o.total * 100)::bigint = l."TotalCents" AS cents_back,
       (o.deleted_at IS NOT NULL) = (l."Deleted" <> 0) AS flag_back,
       ferry.json_keys_case(o.order_data, 'pascal') = l."OrderData"::jsonb AS keys_back
FROM orders o JOIN "Orders" l ON l."OrderId" = o.legacy_id ORDER BY 1;

-- keys that would collide are an error, not a lost value
SELECT ferry.json_keys_case('{"userId": 1, "user_id": 2}', 'snake');
SELECT ferry.json_keys_case('{"a_b": [{"c_d": 1}]}', 'camel');
SELECT ferry.json_keys_case('{}', 'kebab');

-- bad conversions are refused by name
SELECT define_phase('x', '{"source": "\"Orders\"", "source_key": "OrderId", "target": "orders",
  "columns": {"created_at": {"from": "CreatedAt", "convert": "epoch_to_time"}}}');
SELECT define_phase('x', '{"source": "\"Orders\"", "source_key": "OrderId", "target": "orders",
  "columns": {"deleted_at": {"from": "Deleted", "convert": "flag_to_deleted_at", "at": "DeletedWhen"}}}');

SELECT rows_deleted FROM rollback_migration('orders');
DROP EXTENSION ferry CASCADE;
DROP TABLE "Orders", orders;
