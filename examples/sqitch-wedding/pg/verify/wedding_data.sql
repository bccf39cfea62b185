-- Verify wedding:wedding_data: raises, listing every FAIL, if the phase
-- lost a row or broke a check
BEGIN;
SELECT assert_migration_integrity('wedding_data');
ROLLBACK;
