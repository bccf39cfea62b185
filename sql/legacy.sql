-- legacy_to_json: values stored in legacy text formats read into jsonb,
-- and legacy_to_json_error, the reason a migration rejects a row with.
CREATE EXTENSION ferry;

SELECT legacy_to_json('{"a": 1, ''b'': [1, 2,], /* c */ "big": 123456789012345678901234567890}', 'json');
SELECT legacy_to_json('a:2:{s:4:"name";s:4:"Zoë";s:5:"sizes";a:2:{i:0;i:17;i:1;d:17.5;}}', 'php');
SELECT legacy_to_json('color=red&sizes%5B%5D=17&sizes[]=18&fit[tree]=wide', 'query');
SELECT legacy_to_json('seat = deep; tree=wide;;flap=', 'kv');
SELECT legacy_to_json(E'seat: deep\ntree: wide', E'kv:\\n:: ');
SELECT legacy_to_json(NULL, 'php') IS NULL AS null_in_null_out;

-- malformed values: the error names the format and the byte
SELECT legacy_to_json('a:1:{s:4:"name"}', 'php');
SELECT legacy_to_json('{"a": 1, "a": 2}', 'json');
SELECT legacy_to_json('s:3:"a' || chr(1) || 'b";', 'php');
-- a NUL inside a string is valid JSON but jsonb cannot hold it
SELECT legacy_to_json('{"a": "x\u0000y", "b": "\\u0000 is text"}', 'json');
SELECT legacy_to_json('{"b": "\\u0000 is text"}', 'json');
-- a bad format is the caller's error on both functions
SELECT legacy_to_json('x', 'yaml');
SELECT legacy_to_json_error('x', 'yaml');
SELECT legacy_to_json('x', NULL);

-- set-based: the reasons of a whole column in one statement
CREATE TABLE blobs (id int PRIMARY KEY, data text);
INSERT INTO blobs VALUES (1, 'a:1:{s:1:"k";i:1;}'), (2, 'a:1:{s:1:"k";i:1;'), (3, NULL), (4, 'N;');
SELECT id, legacy_to_json_error(data, 'php') AS reason,
       CASE WHEN legacy_to_json_error(data, 'php') IS NULL THEN legacy_to_json(data, 'php') END AS doc
FROM blobs ORDER BY id;

-- the parse column form: a value that does not read is quarantined with
-- the parser's reason, the others migrate as JSON
CREATE TABLE orders_v2 (id uuid PRIMARY KEY, legacy_id int, doc jsonb);
SELECT define_phase('orders', '{"source": "blobs", "target": "orders_v2", "legacy_column": "legacy_id",
  "columns": {"doc": {"from": "data", "parse": "php"}}}');
SELECT phase, migrated, rejected FROM migrate_phase('orders');
SELECT legacy_id, doc FROM orders_v2 ORDER BY legacy_id;
SELECT legacy_key, reason, source_row FROM ferry.migration_rejects;
SELECT check_name, status, details FROM validate_migration_integrity('orders');
-- fixed at the source, the next run takes it
UPDATE blobs SET data = 'a:1:{s:1:"k";i:2;}' WHERE id = 2;
SELECT phase, migrated, rejected FROM migrate_phase('orders');
SELECT * FROM rollback_migration('orders');
-- bad parse specs are refused at define time
SELECT define_phase('x', '{"source": "blobs", "target": "orders_v2", "columns": {"doc": {"from": "data", "parse": "yaml"}}}');
SELECT define_phase('x', '{"source": "blobs", "target": "orders_v2", "columns": {"doc": {"from": "data", "parse": "php", "convert": "keys_to_snake_case"}}}');
SELECT define_phase('x', '{"source": "blobs", "target": "orders_v2", "columns": {"doc": {"json": {"inner": {"from": "data", "parse": "php"}}}}}');

SELECT drop_phase('orders');
DROP TABLE blobs, orders_v2;
DROP EXTENSION ferry;
