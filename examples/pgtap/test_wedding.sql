-- A user's own pgTAP test of the wedding migration, run with pg_prove
-- after the migration (examples/flyway-style V1..V3):
--     pg_prove -d mydb examples/pgtap/test_wedding.sql
-- ferry_tap is a separate extension, so ferry itself never needs pgTAP.
CREATE EXTENSION IF NOT EXISTS ferry_tap CASCADE;  -- and pgtap, if missing
BEGIN;
SELECT plan(7);

SELECT ferry_phase_ok('wedding_data');
SELECT ferry_phase_ok('wedding_guests');
SELECT ferry_accounting_is('wedding_data', migrated => 1960, rejected => 0, filtered => 40);
SELECT ferry_accounting_is('wedding_guests', migrated => 5850, merged => 0, filtered => 150);
SELECT results_eq('SELECT count(*) FROM events WHERE legacy_id IS NOT NULL', ARRAY[1960::bigint],
                  'every migrated invitation is an event');

-- undo inside the test's transaction: the ROLLBACK below puts it all back
SELECT lives_ok($$SELECT rollback_migration('wedding_guests')$$, 'the guests roll back');
SELECT ferry_rollback_ok('wedding_guests');

SELECT * FROM finish();
ROLLBACK;
