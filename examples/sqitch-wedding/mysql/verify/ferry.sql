-- Verify wedding:ferry: the catalog and the procedures are there
SELECT 1 FROM ferry.phases LIMIT 0;
SELECT 1 / COUNT(*) FROM information_schema.ROUTINES
 WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = 'migrate_phase';
