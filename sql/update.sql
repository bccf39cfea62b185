-- Update phases: set columns of existing rows, journal the before-images,
-- restore them exactly on rollback.
CREATE EXTENSION ferry;
CREATE TABLE items (id int PRIMARY KEY, name text, quantity int, use_batch_system boolean NOT NULL DEFAULT false,
                    note text, price numeric(8,3));
INSERT INTO items SELECT g, 'item ' || g, g * 3, false, CASE WHEN g = 2 THEN 'keep me' END, g / 3.0
FROM generate_series(1, 5) g;
CREATE TABLE flags (item_id int PRIMARY KEY, note text);
INSERT INTO flags VALUES (2, 'from flags'), (3, NULL), (4, 'four'), (99, 'no such item');
CREATE TEMP TABLE before AS SELECT md5(string_agg(i::text, '|' ORDER BY id)) AS items FROM items i;

-- the source can be another table: rows are matched by target_key = source_key
SELECT define_phase('flag', '{"kind": "update", "source": "flags", "source_key": "item_id",
  "target": "items", "target_key": "id",
  "columns": {"use_batch_system": {"const": true}, "note": {"sql": "coalesce(note, ''batched'')"},
              "price": {"const": 1.5}}}');
SELECT phase, migrated, rejected, filtered, skipped FROM migrate_phase('flag');
SELECT * FROM items ORDER BY id;
-- the journal holds exactly the values the update replaced
SELECT id, note, use_batch_system, price FROM ferry.journal_1 ORDER BY id;
SELECT legacy_key, reason FROM ferry.migration_rejects;
SELECT * FROM validate_migration_integrity('flag');
SELECT phase, migrated, rejected, skipped FROM migrate_phase('flag');
SELECT * FROM rollback_migration('flag');
SELECT (SELECT items FROM before) = md5(string_agg(i::text, '|' ORDER BY id)) AS items_restored_exactly FROM items i;
SELECT count(*) AS journal_rows FROM ferry.journal_1;

-- bad update specs
SELECT define_phase('x', '{"kind": "update", "source": "flags", "source_key": "item_id", "target": "items",
  "target_key": {"column": "id", "generate": "uuid_v4"}, "columns": {"note": "note"}}');
SELECT define_phase('x', '{"kind": "update", "source": "flags", "source_key": "item_id", "target": "items",
  "target_key": "id", "columns": {}}');
SELECT define_phase('x', '{"kind": "update", "source": "flags", "source_key": "item_id", "target": "items",
  "target_key": "id", "legacy_column": "quantity", "columns": {"note": "note"}}');
SELECT define_phase('x', '{"kind": "upsert", "source": "flags", "target": "items", "columns": {}}');

DROP EXTENSION ferry CASCADE;
DROP TABLE items, flags;
