-- Revert wedding:wedding_data: delete exactly the rows the phase wrote
SELECT * FROM rollback_migration('wedding_data');
SELECT drop_phase('wedding_data');
