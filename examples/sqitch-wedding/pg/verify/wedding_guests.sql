-- Verify wedding:wedding_guests
BEGIN;
SELECT assert_migration_integrity('wedding_guests');
ROLLBACK;
