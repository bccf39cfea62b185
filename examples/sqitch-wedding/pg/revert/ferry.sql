-- Revert wedding:ferry: the catalog goes with the extension, so only once
-- every phase has been reverted (drop_phase refuses a phase with rows)
BEGIN;
DROP EXTENSION ferry;
COMMIT;
