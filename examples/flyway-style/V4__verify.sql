-- V4: the proof.  assert_migration_integrity raises one error listing every
-- FAIL, so ON_ERROR_STOP (or Flyway) stops here and later versions never run.
SELECT assert_migration_integrity();
