-- Revert wedding:wedding_guests
SELECT * FROM rollback_migration('wedding_guests');
SELECT drop_phase('wedding_guests');
