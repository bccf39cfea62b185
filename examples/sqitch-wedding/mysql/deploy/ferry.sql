-- Deploy wedding:ferry: nothing to create here.  On MariaDB ferry is
-- installed once per server (install.sql: the `ferry` catalog database and
-- the UDFs) and its procedures are loaded into this database
-- (procedures.sql) before Sqitch runs; this change only checks for them.
SELECT 1 / COUNT(*) FROM information_schema.ROUTINES
 WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = 'migrate_phase';
