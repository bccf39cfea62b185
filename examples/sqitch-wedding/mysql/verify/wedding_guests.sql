-- Verify wedding:wedding_guests
CALL assert_migration_integrity('wedding_guests');
