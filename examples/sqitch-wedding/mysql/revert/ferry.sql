-- Revert wedding:ferry: ferry stays installed (uninstall.sql removes it)
SELECT 1;
