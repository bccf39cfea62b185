-- Seed 003: items -> stock_batches, copy never move; then the items'
-- useBatchSystem flag set by an update phase that journals before-images;
-- per-item and total quantities verified; rollback leaves items intact.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION ferry;

CREATE TABLE items (
  "itemId" int PRIMARY KEY, name text NOT NULL, quantity int NOT NULL, unit text,
  "useBatchSystem" boolean NOT NULL DEFAULT false, "updatedAt" timestamptz NOT NULL DEFAULT '2024-01-01');
INSERT INTO items ("itemId", name, quantity, unit)
SELECT g, 'Item ' || g, (g * 7) % 50, (ARRAY['pcs', 'kg'])[1 + g % 2] FROM generate_series(1, 200) g;
-- three items are archived (quantity 0) and get no batch
CREATE TABLE stock_batches (
  id uuid PRIMARY KEY, item_id int NOT NULL REFERENCES items ("itemId"), batch_number text NOT NULL UNIQUE,
  quantity int NOT NULL CHECK (quantity > 0), unit text, received_at timestamptz, legacy_item_id int);

SELECT table_name, row_count FROM capture_baseline('items_before', ARRAY['items']);

-- one batch per item that holds stock
SELECT define_phase('stock_batches', '{
  "source": "items", "source_key": "itemId", "target": "stock_batches", "legacy_column": "legacy_item_id",
  "columns": {
    "item_id": "itemId",
    "batch_number": {"sql": "''B-'' || lpad(\"itemId\"::text, 6, ''0'')"},
    "quantity": "quantity", "unit": "unit", "received_at": "updatedAt"},
  "where": "quantity > 0"}');
-- then the flag, on the items that got a batch
SELECT define_phase('use_batch_system', '{
  "kind": "update", "source": "items", "source_key": "itemId", "target": "items", "target_key": "itemId",
  "depends_on": ["stock_batches"],
  "columns": {"useBatchSystem": {"const": true}},
  "where": "EXISTS (SELECT 1 FROM stock_batches b WHERE b.item_id = \"itemId\")"}');

CREATE TEMP TABLE runs AS SELECT * FROM migrate_all();
SELECT phase, migrated, rejected, filtered, skipped FROM runs;
DO $$ BEGIN
  ASSERT (SELECT migrated FROM runs WHERE phase = 'stock_batches') = 196, 'batches';
  ASSERT (SELECT filtered FROM runs WHERE phase = 'stock_batches') = 4, 'items without stock';
  ASSERT (SELECT migrated FROM runs WHERE phase = 'use_batch_system') = 196, 'flags set';
  ASSERT (SELECT filtered FROM runs WHERE phase = 'use_batch_system') = 4, 'flags not set';
  ASSERT (SELECT count(*) FROM validate_migration_integrity() WHERE status = 'FAIL') = 0, 'validation';
  -- the seed's checks: per item and in total the quantities match
  ASSERT NOT EXISTS (SELECT 1 FROM items i LEFT JOIN (SELECT item_id, sum(quantity) q FROM stock_batches GROUP BY 1) b
                     ON b.item_id = i."itemId" WHERE i.quantity <> coalesce(b.q, 0)), 'per-item quantities';
  ASSERT (SELECT sum(quantity) FROM items) = (SELECT sum(quantity) FROM stock_batches), 'total quantity';
  ASSERT (SELECT count(*) FROM items WHERE "useBatchSystem") = 196, 'the flag';
  -- copy, never move: the items kept their quantities
  ASSERT (SELECT sum(quantity) FROM items) = (SELECT sum((g * 7) % 50) FROM generate_series(1, 200) g);
END $$;

-- rollback in reverse order restores the flag exactly and removes the batches
SELECT * FROM rollback_migration('use_batch_system');
SELECT * FROM rollback_migration('stock_batches');
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM stock_batches) = 0;
  ASSERT (SELECT content FROM compare_baseline('items_before')) = 'same',
         'items are exactly as before, flag included';
END $$;
\echo seed 003: ok
