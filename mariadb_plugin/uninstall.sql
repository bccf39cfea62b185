-- ferry for MariaDB: uninstall.
--
-- Run it in each database where procedures.sql was loaded
--
--     mariadb mydb < mariadb_plugin/uninstall.sql
--
-- It drops the procedures of the current database, the global UDFs, the
-- catalog databases `ferry` (views) and `ferry_catalog` (tables, every id
-- map included) and the catalog's locked account 'ferry'@'localhost': after
-- this, phases can no longer be rolled back.  Roll back or keep a dump of
-- `ferry_catalog` first.
-- Running it in a second database after the first is harmless (IF EXISTS).

DROP PROCEDURE IF EXISTS define_phase;
DROP PROCEDURE IF EXISTS drop_phase;
DROP PROCEDURE IF EXISTS grant_phase;
DROP PROCEDURE IF EXISTS revoke_phase;
DROP PROCEDURE IF EXISTS ferry_share_phase;
DROP PROCEDURE IF EXISTS ferry_owner_only;
DROP PROCEDURE IF EXISTS migrate_phase;
DROP PROCEDURE IF EXISTS validate_migration_integrity;
DROP PROCEDURE IF EXISTS rollback_migration;
DROP PROCEDURE IF EXISTS ferry_raise;
DROP PROCEDURE IF EXISTS ferry_fail;
DROP PROCEDURE IF EXISTS ferry_check;
DROP PROCEDURE IF EXISTS ferry_relation_meta;
DROP PROCEDURE IF EXISTS ferry_build_meta;
DROP PROCEDURE IF EXISTS ferry_load;
DROP PROCEDURE IF EXISTS ferry_map_rows;
DROP PROCEDURE IF EXISTS ferry_exec;
DROP PROCEDURE IF EXISTS ferry_accounting;
DROP PROCEDURE IF EXISTS ferry_dependents;
DROP PROCEDURE IF EXISTS ferry_migrate;
DROP PROCEDURE IF EXISTS ferry_runs;
DROP PROCEDURE IF EXISTS migrate_all;
DROP PROCEDURE IF EXISTS ferry_validate;
DROP PROCEDURE IF EXISTS ferry_check_rows;
DROP PROCEDURE IF EXISTS assert_migration_integrity;
DROP PROCEDURE IF EXISTS migration_status;
DROP PROCEDURE IF EXISTS id_mappings;
DROP PROCEDURE IF EXISTS migration_report;
DROP PROCEDURE IF EXISTS ferry_exec_plan;
DROP PROCEDURE IF EXISTS ferry_interrupted;
DROP PROCEDURE IF EXISTS ferry_keyscan;
DROP PROCEDURE IF EXISTS ferry_lock;
DROP PROCEDURE IF EXISTS migrate_phase_batched;
DROP PROCEDURE IF EXISTS ferry_map_probe;
DROP PROCEDURE IF EXISTS ferry_phase_order;
DROP PROCEDURE IF EXISTS ferry_uniques;
DROP PROCEDURE IF EXISTS legacy_id;
DROP PROCEDURE IF EXISTS map_id;
DROP PROCEDURE IF EXISTS migrate_phase_dry_run;
DROP PROCEDURE IF EXISTS preflight;
DROP FUNCTION IF EXISTS ferry_statements;

DROP FUNCTION IF EXISTS uuid_v4;
DROP FUNCTION IF EXISTS legacy_to_json;
DROP FUNCTION IF EXISTS legacy_to_json_error;
DROP FUNCTION IF EXISTS json_restructure;
DROP FUNCTION IF EXISTS json_restructure_inverse;
DROP FUNCTION IF EXISTS json_restructure_error;
DROP FUNCTION IF EXISTS json_keys_case;
DROP FUNCTION IF EXISTS uuid_v5;
DROP FUNCTION IF EXISTS uuid_v7;
DROP FUNCTION IF EXISTS ferry_phase_check;
DROP FUNCTION IF EXISTS ferry_plan_define;
DROP FUNCTION IF EXISTS ferry_plan_drop;
DROP FUNCTION IF EXISTS ferry_plan_probe;
DROP FUNCTION IF EXISTS ferry_dependency_order;
DROP FUNCTION IF EXISTS ferry_plan_migrate;
DROP FUNCTION IF EXISTS ferry_plan_migrate_range;
DROP FUNCTION IF EXISTS ferry_plan_keyscan;
DROP FUNCTION IF EXISTS ferry_plan_accounting;
DROP FUNCTION IF EXISTS ferry_accounting_checks;
DROP FUNCTION IF EXISTS ferry_plan_validate;
DROP FUNCTION IF EXISTS ferry_validate_verdict;
DROP FUNCTION IF EXISTS ferry_plan_rollback;
DROP FUNCTION IF EXISTS ferry_plan_preflight;
DROP FUNCTION IF EXISTS ferry_preflight_report;

DROP DATABASE IF EXISTS ferry;
DROP DATABASE IF EXISTS ferry_catalog;
DROP USER IF EXISTS 'ferry'@'localhost';
