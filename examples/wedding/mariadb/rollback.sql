-- Undo: children first, then parents; each removes exactly what it wrote.
CALL rollback_migration('wedding_guests');
CALL rollback_migration('wedding_data');
