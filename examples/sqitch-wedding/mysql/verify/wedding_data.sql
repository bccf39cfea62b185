-- Verify wedding:wedding_data: raises, listing every FAIL, if the phase
-- lost a row or broke a check
CALL assert_migration_integrity('wedding_data');
