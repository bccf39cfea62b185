-- Verify wedding:ferry: fails (division by zero) when the extension is missing
BEGIN;
SELECT 1 / count(*) FROM pg_extension WHERE extname = 'ferry';
ROLLBACK;
