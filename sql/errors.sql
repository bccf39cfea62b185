-- Bad input: each mistake gives one clear error naming the phase, table or
-- column, and writes nothing.
CREATE EXTENSION ferry;
CREATE TABLE legacy (id int PRIMARY KEY, name text, price_cents int);
INSERT INTO legacy SELECT g, 'item ' || g, g * 100 FROM generate_series(1, 5) g;
CREATE TABLE modern (id uuid PRIMARY KEY, name text NOT NULL, price numeric, legacy_id int);

CREATE VIEW catalog_state AS
SELECT (SELECT count(*) FROM ferry.phases) AS phases,
       (SELECT count(*) FROM pg_tables WHERE schemaname = 'ferry' AND tablename LIKE 'map%') AS maps,
       (SELECT count(*) FROM modern) AS target_rows,
       (SELECT count(*) FROM ferry.migration_log) AS log_rows;

-- malformed JSON: PostgreSQL's json parser names the token and the line
SELECT define_phase('p', '{"source": "legacy", "target": }');
-- NULL arguments
SELECT define_phase(NULL, '{"source": "legacy", "target": "modern", "columns": {}}');
SELECT define_phase('p', NULL);
SELECT * FROM migrate_phase(NULL);
SELECT * FROM rollback_migration(NULL);
SELECT drop_phase(NULL);
-- a phase that does not exist
SELECT * FROM migrate_phase('nope');
SELECT * FROM validate_migration_integrity('nope');
SELECT * FROM rollback_migration('nope');
-- the spec is not an object, or misses what it needs
SELECT define_phase('p', '[1, 2]');
SELECT define_phase('p', '{"target": "modern", "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern"}');
-- an unknown key, with the closest known key as a hint
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "colums": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"name": {"sqll": "name"}}}');
-- a documented key this version cannot carry out is refused, not ignored
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {}, "merge_on": ["name"]}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"name": {"from": "name", "ref": "other"}}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "target_key": {"column": "id", "generate": "uuid_v9"}, "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"name": {"sql": "name", "const": 1}}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"name": 42}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"id": "id"}}');
-- unknown tables and columns, named
SELECT define_phase('p', '{"source": "legasy", "target": "modern", "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "nowhere.modern", "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"name": "nmae"}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"title": "name"}}');
SELECT define_phase('p', '{"source": "legacy", "source_key": "legacy_id", "target": "modern", "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "legacy_column": "old_id", "columns": {}}');
SELECT define_phase('p', '{"source": "legacy", "target": "modern", "columns": {"price": {"json": {"a": "missing_col"}}}}');
-- a bad relation name
SELECT define_phase('p', '{"source": "a.b.c", "target": "modern", "columns": {}}');
SELECT define_phase('p', '{"source": "\"unterminated", "target": "modern", "columns": {}}');
-- a bad phase name
SELECT define_phase('', '{"source": "legacy", "target": "modern", "columns": {}}');
-- nothing was written by any of the above
SELECT * FROM catalog_state;

-- SQL in a spec that does not plan is refused at define time, named by its
-- phase and column (or where), and nothing is stored
SELECT define_phase('bad_sql', '{"source": "legacy", "target": "modern", "columns": {"name": {"sql": "name ||| 1"}}}');
SELECT define_phase('bad_sql', '{"source": "legacy", "target": "modern",
  "columns": {"name": "name", "price": {"json": {"p": {"sql": "price_cents +"}}}}}');
SELECT define_phase('bad_sql', '{"source": "legacy", "target": "modern", "columns": {"name": "name"},
  "where": "no_such_column > 1"}');
-- and it cannot smuggle a second statement in
SELECT define_phase('bad_sql', '{"source": "legacy", "target": "modern", "columns": {"name": "name"},
  "where": "true) LIMIT 0; DROP TABLE legacy; SELECT (1"}');
SELECT define_phase('bad_sql', '{"source": {"query": "SELECT * FROM legacy) s; DROP TABLE legacy; SELECT * FROM (SELECT 1"},
  "target": "modern", "columns": {"name": "name"}}');
SELECT count(*) AS legacy_still_there FROM legacy;
SELECT * FROM catalog_state;

-- a phase that has run cannot be redefined or dropped until rolled back
SELECT define_phase('items', '{"source": "legacy", "target": "modern", "legacy_column": "legacy_id",
  "columns": {"name": "name", "price": {"sql": "price_cents / 100.0"}}}');
SELECT migrated FROM migrate_phase('items');
-- the same spec again (keys in another order) is a no-op
SELECT define_phase('items', '{"target": "modern", "source": "legacy", "legacy_column": "legacy_id",
  "columns": {"price": {"sql": "price_cents / 100.0"}, "name": "name"}}');
SELECT define_phase('items', '{"source": "legacy", "target": "modern", "legacy_column": "legacy_id",
  "columns": {"name": "name"}}');
SELECT drop_phase('items');
SELECT * FROM catalog_state;
SELECT * FROM rollback_migration('items');
-- now both are allowed
SELECT define_phase('items', '{"source": "legacy", "target": "modern", "legacy_column": "legacy_id",
  "columns": {"name": "name"}}');
SELECT drop_phase('items');
SELECT * FROM catalog_state;

-- names that need quoting: a table with a space, columns with a quote, a
-- semicolon and a backslash; the planner quotes every identifier
CREATE TABLE "Order Items" ("Item Id" int PRIMARY KEY, "it""em; name" text, "back\slash" text);
INSERT INTO "Order Items" VALUES (1, 'a''b', 'c\d'), (2, 'e;f', NULL);
CREATE TABLE "new; items" (id uuid PRIMARY KEY, "na""me" text, note text, tag text);
SELECT define_phase('quoted', '{"source": "\"Order Items\"", "source_key": "Item Id", "target": "new; items",
  "columns": {"na\"me": "it\"em; name", "note": "back\\slash", "tag": {"const": "it''s; DROP TABLE legacy; --"}}}');
SELECT migrated FROM migrate_phase('quoted');
SELECT "na""me", note, tag FROM "new; items" ORDER BY 1;
SELECT count(*) AS legacy_still_there FROM legacy;
SELECT rows_deleted FROM rollback_migration('quoted');

DROP EXTENSION ferry CASCADE;
DROP VIEW catalog_state;
DROP TABLE legacy, modern, "Order Items", "new; items";
