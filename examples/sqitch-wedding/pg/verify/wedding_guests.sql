-- Verify wedding:wedding_guests
SELECT assert_migration_integrity('wedding_guests');
