-- json_restructure and its inverse, and the restructure column form: seed
-- 002's legacy OrderData blob renamed, nested and put in snake_case.
CREATE EXTENSION ferry;
SELECT json_restructure('{"OrderId": 7, "ShipCity": "Bandung", "ShipZip": "40111", "Status": 1}',
  '[{"op": "key_case", "from": "pascal", "to": "snake"},
    {"op": "nest", "keys": ["ship_city", "ship_zip"], "into": "shipping"},
    {"op": "rename", "from": "shipping.ship_city", "to": "shipping.city"},
    {"op": "map_values", "path": "status", "map": {"1": "paid", "2": "open"}}]') AS restructured;
SELECT json_restructure_inverse('[{"op": "key_case", "from": "pascal", "to": "snake"},
    {"op": "nest", "keys": ["ship_city", "ship_zip"], "into": "shipping"},
    {"op": "map_values", "path": "status", "map": {"1": "paid", "2": "open"}}]') AS inverse;
-- there and back again
WITH s(spec) AS (SELECT '[{"op": "key_case", "from": "pascal", "to": "snake"},
    {"op": "nest", "keys": ["ship_city", "ship_zip"], "into": "shipping"}]'::jsonb)
SELECT json_restructure(json_restructure(d, spec), json_restructure_inverse(spec)) = d AS round_trip
FROM s, (VALUES ('{"OrderId": 7, "ShipCity": "Bandung", "ShipZip": "40111"}'::jsonb),
                ('{"OrderId": 8}'::jsonb), ('{}'::jsonb)) AS v(d);
-- Chinook's composers: a delimited list becomes an array
SELECT json_restructure('{"composer": "Angus Young, Malcolm Young & Brian Johnson/Bon Scott"}',
  '[{"op": "split", "path": "composer", "separators": [",", "&", "/"]}]') AS composers;
SELECT json_restructure('{"q": "x"}', '[{"op": "cast", "path": "q", "to": "number", "on_error": "null"}]') AS cast_null;
-- errors name the operation
SELECT json_restructure('{"a": 1, "b": 2}', '[{"op": "rename", "from": "a", "to": "b"}]');
SELECT json_restructure('{}', '[{"op": "explode"}]');
SELECT json_restructure_inverse('[{"op": "rename", "from": "a", "to": "b"}, {"op": "drop", "keys": ["c"]}]');

-- the column form, and validation's round trip across it
CREATE TABLE "Orders" ("OrderId" int PRIMARY KEY, "OrderData" text);
INSERT INTO "Orders" VALUES (1, '{"ShipCity": "Bandung", "ItemCount": 2}'), (2, '{"ShipCity": "Bogor"}'), (3, NULL);
CREATE TABLE orders (id uuid PRIMARY KEY, data jsonb, legacy_id int);
SELECT define_phase('orders', '{"source": "\"Orders\"", "source_key": "OrderId", "target": "orders",
  "legacy_column": "legacy_id",
  "columns": {"data": {"from": "OrderData", "restructure": [{"op": "key_case", "from": "pascal", "to": "snake"},
                                                           {"op": "nest", "keys": ["ship_city"], "into": "ship"}]}}}');
SELECT phase, migrated, rejected FROM migrate_phase('orders');
SELECT legacy_id, data FROM orders ORDER BY legacy_id;
-- a document that is not JSON, or that the spec cannot be applied to, is quarantined with the reason
INSERT INTO "Orders" VALUES (4, '{"ShipCity": "Depok",'), (5, '{"ShipCity": "Depok", "Ship": {"ship_city": "Bogor"}}'),
                            (6, '{"OrderRef": 9007199254740993, "Total": 12.30}');
SELECT phase, migrated, rejected FROM migrate_phase('orders');
SELECT legacy_key, reason FROM ferry.migration_rejects ORDER BY legacy_key;
SELECT legacy_id, data FROM orders WHERE legacy_id > 3 ORDER BY legacy_id;
SELECT json_restructure_error('{"a": 1}', '[]') AS fine, json_restructure_error('[1', '[]') AS not_json;
SELECT json_restructure_error('{}', '[{"op": "explode"}]');
SELECT check_name, status, sample FROM validate_migration_integrity('orders') WHERE check_name = 'content_roundtrip';
UPDATE orders SET data = data || '{"hacked": true}' WHERE legacy_id = 2;
SELECT check_name, status, sample FROM validate_migration_integrity('orders') WHERE check_name = 'content_roundtrip';
SELECT define_phase('bad', '{"source": "\"Orders\"", "source_key": "OrderId", "target": "orders",
  "columns": {"data": {"from": "OrderData", "restructure": [{"op": "explode"}]}}}');
-- inside a json member likewise: the column's reason
CREATE TABLE wrapped (id uuid PRIMARY KEY, doc jsonb, legacy_id int);
SELECT define_phase('wrapped', '{"source": "\"Orders\"", "source_key": "OrderId", "target": "wrapped",
  "legacy_column": "legacy_id",
  "columns": {"doc": {"json": {"order": {"from": "OrderData", "restructure": [{"op": "rename", "from": "ShipCity", "to": "Ship.ship_city"}]},
                               "raw": "OrderData"}}}}');
SELECT phase, migrated, rejected FROM migrate_phase('wrapped');
SELECT legacy_key, reason FROM ferry.migration_rejects WHERE phase = 'wrapped' ORDER BY legacy_key;
SELECT legacy_id, doc->'order' AS order_doc FROM wrapped ORDER BY legacy_id;

DROP EXTENSION ferry CASCADE;
DROP TABLE "Orders", orders, wrapped;
