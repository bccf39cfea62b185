-- Revert wedding:wedding_data: delete exactly the rows the phase wrote
BEGIN;
SELECT * FROM rollback_migration('wedding_data');
SELECT drop_phase('wedding_data');
COMMIT;
