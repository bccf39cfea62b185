-- Revert wedding:wedding_guests
BEGIN;
SELECT * FROM rollback_migration('wedding_guests');
SELECT drop_phase('wedding_guests');
COMMIT;
