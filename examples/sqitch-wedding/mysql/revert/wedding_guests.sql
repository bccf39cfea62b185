-- Revert wedding:wedding_guests
CALL rollback_migration('wedding_guests');
CALL drop_phase('wedding_guests');
