-- Undo: children first, then parents; each removes exactly what it wrote.
SELECT * FROM rollback_migration('wedding_guests');
SELECT * FROM rollback_migration('wedding_data');
