-- Revert wedding:wedding_data: delete exactly the rows the phase wrote
CALL rollback_migration('wedding_data');
CALL drop_phase('wedding_data');
