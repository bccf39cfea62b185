-- Deploy wedding:ferry
BEGIN;
CREATE EXTENSION IF NOT EXISTS ferry;
COMMIT;
