-- ferry for MariaDB: uninstall.
--
-- Run it in each database where procedures.sql was loaded
--
--     mariadb mydb < mariadb_plugin/uninstall.sql
--
-- It drops the procedures of the current database, the global UDFs, the
-- catalog databases `ferry` (views) and `ferry_catalog` (tables, every id
-- map included), those of syncing phases (`ferry_sync_<id>`), the rights
-- given on them, and the catalog's locked account 'ferry'@'localhost': after
-- this, phases can no longer be rolled back.  Roll back or keep a dump of
-- `ferry_catalog` first.
-- Running it in a second database after the first is harmless (IF EXISTS).

-- A phase still syncing has triggers on its source that write to the
-- catalog: without it, every write to that table would fail.  Drop them
-- (in every database: this is the last of the catalog).
DELIMITER //
BEGIN NOT ATOMIC
    DECLARE v_trigger VARCHAR(200) CHARACTER SET utf8mb4 DEFAULT '';

    WHILE v_trigger IS NOT NULL DO
        SELECT MIN(CONCAT('`', REPLACE(TRIGGER_SCHEMA, '`', '``'), '`.`', TRIGGER_NAME, '`'))
          INTO v_trigger FROM information_schema.TRIGGERS
         WHERE TRIGGER_NAME LIKE 'ferry\_sync\_%';
        IF v_trigger IS NOT NULL THEN
            EXECUTE IMMEDIATE CONCAT('DROP TRIGGER ', v_trigger);
        END IF;
    END WHILE;
END//
DELIMITER ;

DROP PROCEDURE IF EXISTS define_phase;
DROP PROCEDURE IF EXISTS drop_phase;
DROP PROCEDURE IF EXISTS grant_phase;
DROP PROCEDURE IF EXISTS revoke_phase;
DROP PROCEDURE IF EXISTS ferry_share_phase;
DROP PROCEDURE IF EXISTS ferry_owner_only;
DROP PROCEDURE IF EXISTS migrate_phase;
DROP PROCEDURE IF EXISTS validate_migration_integrity;
DROP PROCEDURE IF EXISTS rollback_migration;
DROP PROCEDURE IF EXISTS rollback_migration_ex;
DROP PROCEDURE IF EXISTS ferry_rollback;
DROP PROCEDURE IF EXISTS ferry_cascade_order;
DROP PROCEDURE IF EXISTS ferry_raise;
DROP PROCEDURE IF EXISTS ferry_fail;
DROP PROCEDURE IF EXISTS ferry_check;
DROP PROCEDURE IF EXISTS ferry_relation_meta;
DROP PROCEDURE IF EXISTS ferry_build_meta;
DROP PROCEDURE IF EXISTS ferry_query_table;
DROP PROCEDURE IF EXISTS ferry_sync_meta;
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
DROP PROCEDURE IF EXISTS ferry_baseline_measure;
DROP PROCEDURE IF EXISTS capture_baseline;
DROP PROCEDURE IF EXISTS compare_baseline;
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
DROP PROCEDURE IF EXISTS ferry_sync_outside;
DROP PROCEDURE IF EXISTS ferry_sync_run;
DROP PROCEDURE IF EXISTS ferry_refuse_if_syncing;
DROP PROCEDURE IF EXISTS ferry_drop_sync_triggers;
DROP PROCEDURE IF EXISTS ferry_stop_sync;
DROP PROCEDURE IF EXISTS ferry_sync_current;
DROP PROCEDURE IF EXISTS start_sync;
DROP PROCEDURE IF EXISTS stop_sync;
DROP PROCEDURE IF EXISTS finish_sync;
DROP PROCEDURE IF EXISTS create_compat_view;
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
DROP FUNCTION IF EXISTS ferry_plan_sync;
DROP FUNCTION IF EXISTS ferry_plan_compat_view;
DROP FUNCTION IF EXISTS ferry_plan_drift;
DROP FUNCTION IF EXISTS ferry_content_hash;
DROP FUNCTION IF EXISTS ferry_plan_preflight;
DROP FUNCTION IF EXISTS ferry_preflight_report;

-- The rights on id maps and journals (ferry_catalog) and on the views of
-- syncing phases (ferry_sync_<id>) are given per table: MariaDB would keep
-- them after the tables are gone, for the next table of the same name.
DELIMITER //
BEGIN NOT ATOMIC
    DECLARE v_revoke TEXT CHARACTER SET utf8mb4;
    DECLARE v_db VARCHAR(64) CHARACTER SET utf8mb4 DEFAULT '';
    DECLARE v_done BOOLEAN DEFAULT FALSE;
    DECLARE c_grants CURSOR FOR
        SELECT CONCAT('REVOKE ALL PRIVILEGES ON `', Db, '`.`', Table_name, '` FROM ', QUOTE(User), '@', QUOTE(Host))
          FROM mysql.tables_priv WHERE Db = 'ferry_catalog' OR Db LIKE 'ferry\_sync\_%';
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = TRUE;

    OPEN c_grants;
    revoking: LOOP
        FETCH c_grants INTO v_revoke;
        IF v_done THEN
            LEAVE revoking;
        END IF;
        EXECUTE IMMEDIATE v_revoke;
    END LOOP;
    CLOSE c_grants;
    WHILE v_db IS NOT NULL DO
        SELECT MIN(SCHEMA_NAME) INTO v_db FROM information_schema.SCHEMATA
         WHERE SCHEMA_NAME REGEXP '^ferry_sync_[0-9]+$';
        IF v_db IS NOT NULL THEN
            EXECUTE IMMEDIATE CONCAT('DROP DATABASE `', v_db, '`');
        END IF;
    END WHILE;
END//
DELIMITER ;

DROP DATABASE IF EXISTS ferry;
DROP DATABASE IF EXISTS ferry_catalog;
DROP USER IF EXISTS 'ferry'@'localhost';
