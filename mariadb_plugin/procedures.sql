-- ferry for MariaDB 10.11: the user-facing procedures.
--
-- WHERE THIS FILE RUNS.  Load it INTO THE DATABASE THAT MIGRATES, once per
-- such database, after install.sql (which creates the `ferry` catalog and
-- the global UDFs):
--
--     mariadb mydb < mariadb_plugin/procedures.sql
--     -- or, inside a session:  USE mydb; SOURCE mariadb_plugin/procedures.sql
--
-- Why not one copy in `ferry`: a stored routine runs with its own database
-- as the current one, so a procedure living in `ferry` could not tell which
-- database its caller meant.  Living in the user's database, DATABASE()
-- inside these procedures is that database: phases are kept per database
-- (ferry.phases.db), and unqualified table names in a spec ("events")
-- resolve in it; "otherdb.events" names another database.
--
-- WHO MAY DO WHAT.  Every procedure is SQL SECURITY INVOKER: it can do only
-- what its caller may do.  The caller needs rights on the source and target
-- tables and on the `ferry` catalog (see install.sql).  The UDFs only
-- compute -- validate a spec, plan statements, make UUIDs -- and never run
-- SQL; these procedures run the planned statements with PREPARE/EXECUTE
-- (EXECUTE IMMEDIATE), so grants are enforced as for hand-written SQL.
--
-- ERRORS.  A UDF returns {"error": {"sqlstate", "message", "detail",
-- "hint"}}; ferry_raise turns it into SIGNAL with that SQLSTATE and the
-- message (detail and hint appended), cut to fit the client's 512 bytes.
-- SQLSTATEs are PostgreSQL's, as on the PostgreSQL side (42P01 unknown
-- table, 42703 unknown column, 42704 unknown phase, 22P02 bad JSON, 22023
-- bad spec, 22004 NULL argument, 0A000 not supported, 55000 wrong phase
-- state, 55P03 phase busy, XX001 accounting).  Every check that can fail
-- runs before the first write, so an error leaves nothing behind.
--
-- TRANSACTIONS.  migrate_phase and rollback_migration are atomic: inside a
-- transaction of the caller they work under a savepoint and leave the
-- commit to the caller; otherwise they START TRANSACTION and COMMIT.  On
-- any error everything they wrote, including the migration_log row, is
-- rolled back and the error re-raised.  define_phase and drop_phase run
-- DDL (the phase's id map), which commits implicitly, as DDL does.
--
-- A {"query": ...} source is described once, when define_phase runs,
-- into an empty table in `ferry` (ferry_query_table).
--
-- The statements below run with the sql_mode set here, whatever the
-- session had: routines keep the sql_mode of their creation, and the
-- planner's SQL and the `sql` expressions of specs are written for it
-- (in particular || is OR, not concatenation: use CONCAT()).

SET @ferry_saved_sql_mode = @@sql_mode;
SET sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

DROP PROCEDURE IF EXISTS ferry_raise;
DROP PROCEDURE IF EXISTS ferry_fail;
DROP PROCEDURE IF EXISTS ferry_check;
DROP PROCEDURE IF EXISTS ferry_relation_meta;
DROP PROCEDURE IF EXISTS ferry_build_meta;
DROP PROCEDURE IF EXISTS ferry_query_table;
DROP PROCEDURE IF EXISTS ferry_load;
DROP PROCEDURE IF EXISTS ferry_map_rows;
DROP PROCEDURE IF EXISTS ferry_lock;
DROP PROCEDURE IF EXISTS ferry_exec_plan;
DROP PROCEDURE IF EXISTS ferry_exec;
DROP PROCEDURE IF EXISTS ferry_dependents;
DROP PROCEDURE IF EXISTS ferry_accounting;
DROP PROCEDURE IF EXISTS ferry_phase_order;
DROP PROCEDURE IF EXISTS define_phase;
DROP PROCEDURE IF EXISTS drop_phase;
DROP PROCEDURE IF EXISTS grant_phase;
DROP PROCEDURE IF EXISTS revoke_phase;
DROP PROCEDURE IF EXISTS ferry_share_phase;
DROP PROCEDURE IF EXISTS ferry_owner_only;
DROP PROCEDURE IF EXISTS migrate_phase;
DROP PROCEDURE IF EXISTS ferry_migrate;
DROP PROCEDURE IF EXISTS ferry_runs;
DROP FUNCTION IF EXISTS ferry_statements;
DROP PROCEDURE IF EXISTS migrate_phase_dry_run;
DROP PROCEDURE IF EXISTS migrate_all;
DROP PROCEDURE IF EXISTS ferry_interrupted;
DROP PROCEDURE IF EXISTS ferry_keyscan;
DROP PROCEDURE IF EXISTS migrate_phase_batched;
DROP PROCEDURE IF EXISTS validate_migration_integrity;
DROP PROCEDURE IF EXISTS ferry_validate;
DROP PROCEDURE IF EXISTS ferry_check_rows;
DROP PROCEDURE IF EXISTS assert_migration_integrity;
DROP PROCEDURE IF EXISTS migration_status;
DROP PROCEDURE IF EXISTS id_mappings;
DROP PROCEDURE IF EXISTS ferry_map_probe;
DROP PROCEDURE IF EXISTS map_id;
DROP PROCEDURE IF EXISTS legacy_id;
DROP PROCEDURE IF EXISTS rollback_migration;
DROP PROCEDURE IF EXISTS rollback_migration_ex;
DROP PROCEDURE IF EXISTS ferry_rollback;
DROP PROCEDURE IF EXISTS ferry_cascade_order;
DROP PROCEDURE IF EXISTS ferry_uniques;
DROP PROCEDURE IF EXISTS preflight;

DELIMITER //

-- ferry_raise: SIGNAL needs a literal SQLSTATE, so there is one branch per
-- state fy_sqlstate() (or this file) can produce.  The client shows at
-- most 511 bytes of a message, so longer text is cut at a character
-- boundary with "...".
CREATE PROCEDURE ferry_raise(IN p_error LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    DECLARE v_state VARCHAR(5) CHARACTER SET ascii;
    DECLARE v_text TEXT CHARACTER SET utf8mb4;
    DECLARE v_part TEXT CHARACTER SET utf8mb4;

    IF p_error IS NULL OR NOT JSON_VALID(p_error) THEN
        SET p_error = JSON_OBJECT('error', JSON_OBJECT('sqlstate', 'XX000',
            'message', 'ferry: a ferry function returned no result (out of memory?)'));
    END IF;
    SET v_state = JSON_VALUE(p_error, '$.error.sqlstate');
    SET v_text = COALESCE(JSON_UNQUOTE(JSON_EXTRACT(p_error, '$.error.message')),
                          'ferry: unknown error');
    SET v_part = JSON_UNQUOTE(JSON_EXTRACT(p_error, '$.error.detail'));
    IF v_part <> '' THEN
        SET v_text = CONCAT(v_text, ' DETAIL: ', v_part);
    END IF;
    SET v_part = JSON_UNQUOTE(JSON_EXTRACT(p_error, '$.error.hint'));
    IF v_part <> '' THEN
        SET v_text = CONCAT(v_text, ' HINT: ', v_part);
    END IF;
    IF OCTET_LENGTH(v_text) > 500 THEN
        SET v_text = LEFT(v_text, 497);
        WHILE OCTET_LENGTH(v_text) > 497 DO
            SET v_text = LEFT(v_text, CHAR_LENGTH(v_text) - 1);
        END WHILE;
        SET v_text = CONCAT(v_text, '...');
    END IF;
    CASE v_state
        WHEN '22P02' THEN SIGNAL SQLSTATE '22P02' SET MESSAGE_TEXT = v_text;
        WHEN '22023' THEN SIGNAL SQLSTATE '22023' SET MESSAGE_TEXT = v_text;
        WHEN '22004' THEN SIGNAL SQLSTATE '22004' SET MESSAGE_TEXT = v_text;
        WHEN '42P01' THEN SIGNAL SQLSTATE '42P01' SET MESSAGE_TEXT = v_text;
        WHEN '42703' THEN SIGNAL SQLSTATE '42703' SET MESSAGE_TEXT = v_text;
        WHEN '42704' THEN SIGNAL SQLSTATE '42704' SET MESSAGE_TEXT = v_text;
        WHEN '0A000' THEN SIGNAL SQLSTATE '0A000' SET MESSAGE_TEXT = v_text;
        WHEN '55000' THEN SIGNAL SQLSTATE '55000' SET MESSAGE_TEXT = v_text;
        WHEN '25001' THEN SIGNAL SQLSTATE '25001' SET MESSAGE_TEXT = v_text;
        WHEN '42809' THEN SIGNAL SQLSTATE '42809' SET MESSAGE_TEXT = v_text;
        WHEN '55P03' THEN SIGNAL SQLSTATE '55P03' SET MESSAGE_TEXT = v_text;
        WHEN '23503' THEN SIGNAL SQLSTATE '23503' SET MESSAGE_TEXT = v_text;
        WHEN '23000' THEN SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = v_text;
        WHEN '2BP01' THEN SIGNAL SQLSTATE '2BP01' SET MESSAGE_TEXT = v_text;
        WHEN 'XX001' THEN SIGNAL SQLSTATE 'XX001' SET MESSAGE_TEXT = v_text;
        WHEN '53200' THEN SIGNAL SQLSTATE '53200' SET MESSAGE_TEXT = v_text;
        WHEN '2D000' THEN SIGNAL SQLSTATE '2D000' SET MESSAGE_TEXT = v_text;
        WHEN '21000' THEN SIGNAL SQLSTATE '21000' SET MESSAGE_TEXT = v_text;
        WHEN '42501' THEN SIGNAL SQLSTATE '42501' SET MESSAGE_TEXT = v_text;
        ELSE SIGNAL SQLSTATE 'XX000' SET MESSAGE_TEXT = v_text;
    END CASE;
END//

-- ferry_fail: the procedures' own errors take the same road as the UDFs',
-- so every ferry error looks alike.
CREATE PROCEDURE ferry_fail(IN p_state VARCHAR(5) CHARACTER SET ascii,
                            IN p_message TEXT CHARACTER SET utf8mb4,
                            IN p_hint TEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    CALL ferry_raise(JSON_OBJECT('error', JSON_OBJECT('sqlstate', p_state,
        'message', p_message, 'detail', '', 'hint', COALESCE(p_hint, ''))));
END//

-- ferry_check: a UDF cannot raise, it answers; this turns an error answer
-- (or a NULL one, after an allocation failure) into the error.
CREATE PROCEDURE ferry_check(IN p_result LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    IF p_result IS NULL OR NOT JSON_VALID(p_result)
       OR JSON_EXISTS(p_result, '$.error') THEN
        CALL ferry_raise(p_result);
    END IF;
END//

-- ferry_relation_meta: the core knows nothing of MariaDB's catalog, so a
-- relation is described to it as JSON read from information_schema.  A
-- missing table is reported here, by name, before anything is planned.
-- Names compare exactly (BINARY): information_schema's collation is
-- case-insensitive, ferry's names are not.  The names are also compared
-- as utf8mb3, information_schema's character set: compared with utf8mb4,
-- its columns are converted, and it then reads every table of the server
-- instead of looking the one up (milliseconds per call with a few
-- thousand tables; the same in ferry_build_meta and ferry_map_rows).
-- Identifiers are utf8mb3, so the conversion loses no name a table can
-- have, and BINARY still compares the name as it was given.
CREATE PROCEDURE ferry_relation_meta(IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                                     IN p_role VARCHAR(16) CHARACTER SET ascii,
                                     IN p_rel LONGTEXT CHARACTER SET utf8mb4,
                                     OUT o_json LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_given VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_schema VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_cols LONGTEXT CHARACTER SET utf8mb4;

    SET v_given = JSON_VALUE(p_rel, '$.schema');
    SET v_schema = COALESCE(v_given, DATABASE());
    SET v_name = JSON_VALUE(p_rel, '$.name');
    IF NOT EXISTS (SELECT 1 FROM information_schema.TABLES
                   WHERE TABLE_SCHEMA = CONVERT(v_schema USING utf8mb3)
                     AND TABLE_NAME = CONVERT(v_name USING utf8mb3)
                     AND BINARY TABLE_SCHEMA = BINARY v_schema
                     AND BINARY TABLE_NAME = BINARY v_name) THEN
        CALL ferry_fail('42P01',
            CONCAT('phase "', p_phase, '": ', p_role, ' table "',
                   IF(v_given IS NULL, '', CONCAT(v_given, '.')), v_name,
                   '" does not exist'),
            IF(v_given IS NULL,
               CONCAT('Unqualified names are looked up in the current database (',
                      DATABASE(), '); write "database.table" to name another database.'),
               NULL));
    END IF;
    SELECT GROUP_CONCAT(CONCAT('{"name":', JSON_QUOTE(COLUMN_NAME),
                               ',"type":', JSON_QUOTE(COLUMN_TYPE),
                               ',"notnull":', IF(IS_NULLABLE = 'NO', 'true', 'false'),
                               ',"hasdefault":',
                               IF((COLUMN_DEFAULT IS NOT NULL AND COLUMN_DEFAULT <> 'NULL')
                                  OR EXTRA LIKE '%auto_increment%'
                                  OR EXTRA LIKE '%GENERATED%', 'true', 'false'),
                               '}')
                        ORDER BY ORDINAL_POSITION SEPARATOR ',')
      INTO v_cols
      FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = CONVERT(v_schema USING utf8mb3) AND TABLE_NAME = CONVERT(v_name USING utf8mb3)
       AND BINARY TABLE_SCHEMA = BINARY v_schema
       AND BINARY TABLE_NAME = BINARY v_name;
    SET o_json = CONCAT('{"schema":', JSON_QUOTE(v_schema), ',"name":', JSON_QUOTE(v_name),
                        ',"columns":[', COALESCE(v_cols, ''), ']}');
    IF NOT JSON_VALID(o_json) THEN
        CALL ferry_fail('XX000',
            CONCAT('phase "', p_phase, '": the column list of ', p_role, ' table "',
                   v_name, '" is longer than group_concat_max_len'),
            'Raise group_concat_max_len for this session.');
    END IF;
END//

-- ferry_query_table: the table in `ferry` that describes the {"query": ...}
-- source p_query of phase p_name (install.sql, ferry_query_name): its
-- owner's, or the caller's while the phase is not written yet.
CREATE PROCEDURE ferry_query_table(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                   IN p_query LONGTEXT CHARACTER SET utf8mb4,
                                   OUT o_name VARCHAR(64) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    IF EXISTS (SELECT 1 FROM ferry.phases WHERE db = DATABASE() AND name = p_name) THEN
        SET o_name = ferry.ferry_query_name((SELECT owner FROM ferry.phases WHERE db = DATABASE() AND name = p_name),
                                            DATABASE(), p_query);
    ELSE
        SET o_name = ferry.ferry_query_name(SUBSTRING_INDEX(USER(), '@', 1), DATABASE(), p_query);
    END IF;
END//

-- ferry_build_meta: the metadata JSON the planning UDFs take (see
-- fy_meta_parse in core/ferry.h), for the relations a phase summary names
-- and the phases it depends on (their id maps resolve its refs).
CREATE PROCEDURE ferry_build_meta(IN p_summary LONGTEXT CHARACTER SET utf8mb4,
                                  IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                                  IN p_phase_id BIGINT,
                                  OUT o_meta LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_source LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_target LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_refs LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_dep VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_dep_id BIGINT;
    DECLARE v_dep_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_dep_schema VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_dep_table VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_i INT DEFAULT 0;

    IF p_summary IS NULL OR p_phase IS NULL THEN
        CALL ferry_fail('22004', 'ferry_build_meta: the phase and its summary must not be NULL', NULL);
    END IF;
    IF JSON_VALUE(p_summary, '$.source_query') IS NOT NULL THEN
        -- the query's columns, from the table define_phase described it in
        CALL ferry_query_table(p_phase, JSON_VALUE(p_summary, '$.source_query'), v_dep_table);
        IF NOT EXISTS (SELECT 1 FROM information_schema.TABLES
                        WHERE TABLE_SCHEMA = 'ferry' AND TABLE_NAME = CONVERT(v_dep_table USING utf8mb3)) THEN
            CALL ferry_fail('42P01',
                CONCAT('phase "', p_phase, '": the description of its source query (ferry.', v_dep_table,
                       ') is missing'),
                'Drop the phase and define it again: define_phase describes the query.');
        END IF;
        CALL ferry_relation_meta(p_phase, 'source', JSON_OBJECT('schema', 'ferry', 'name', v_dep_table), v_source);
        SET v_source = JSON_REMOVE(v_source, '$.schema', '$.name');
    ELSE
        CALL ferry_relation_meta(p_phase, 'source', JSON_EXTRACT(p_summary, '$.source'), v_source);
    END IF;
    CALL ferry_relation_meta(p_phase, 'target', JSON_EXTRACT(p_summary, '$.target'), v_target);
    WHILE v_i < JSON_LENGTH(p_summary, '$.depends_on') DO
        SET v_dep = JSON_VALUE(p_summary, CONCAT('$.depends_on[', v_i, ']'));
        SET v_dep_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() AND name = v_dep);
        IF v_dep_id IS NULL THEN
            CALL ferry_fail('42704',
                CONCAT('phase "', p_phase, '" depends on phase "', v_dep, '", which does not exist'),
                CONCAT('Define phase "', v_dep, '" first.'));
        END IF;
        SET v_dep_summary = ferry_phase_check(v_dep, (SELECT spec FROM ferry.phases WHERE id = v_dep_id));
        CALL ferry_check(v_dep_summary);
        SET v_dep_schema = COALESCE(JSON_VALUE(v_dep_summary, '$.target.schema'), DATABASE());
        SET v_dep_table = JSON_VALUE(v_dep_summary, '$.target.name');
        -- its target, only when it resolves: validation says so otherwise.
        -- IF() returns text; JSON_EXTRACT makes it an object again.  A BIGINT
        -- variable would come out quoted: + 0 keeps phase_id a number.
        SET v_refs = JSON_ARRAY_APPEND(v_refs, '$', JSON_EXTRACT(IF(EXISTS (
                SELECT 1 FROM information_schema.TABLES
                 WHERE TABLE_SCHEMA = CONVERT(v_dep_schema USING utf8mb3)
                   AND TABLE_NAME = CONVERT(v_dep_table USING utf8mb3)
                   AND BINARY TABLE_SCHEMA = v_dep_schema AND BINARY TABLE_NAME = v_dep_table),
            JSON_OBJECT('phase', v_dep, 'phase_id', v_dep_id + 0,
                        'nkeys', CAST(JSON_VALUE(v_dep_summary, '$.nkeys') AS UNSIGNED),
                        'target_schema', v_dep_schema, 'target_name', v_dep_table,
                        'target_key', JSON_VALUE(v_dep_summary, '$.target_key')),
            JSON_OBJECT('phase', v_dep, 'phase_id', v_dep_id + 0,
                        'nkeys', CAST(JSON_VALUE(v_dep_summary, '$.nkeys') AS UNSIGNED))), '$'));
        SET v_i = v_i + 1;
    END WHILE;
    -- an AUTO_INCREMENT target key: "generate": "default" lets the INSERT draw it
    IF EXISTS (SELECT 1 FROM information_schema.COLUMNS
                WHERE TABLE_SCHEMA = CONVERT(JSON_VALUE(v_target, '$.schema') USING utf8mb3)
                  AND TABLE_NAME = CONVERT(JSON_VALUE(v_target, '$.name') USING utf8mb3)
                  AND BINARY TABLE_SCHEMA = JSON_VALUE(v_target, '$.schema')
                  AND BINARY TABLE_NAME = JSON_VALUE(v_target, '$.name')
                  AND BINARY COLUMN_NAME = JSON_VALUE(p_summary, '$.target_key')
                  AND EXTRA LIKE '%auto_increment%') THEN
        SET v_refs = CONCAT(v_refs, ',"key_default":"AUTO_INCREMENT"');
    END IF;
    SET o_meta = CONCAT('{"catalog_schema":"ferry","map_schema":"ferry_catalog","phase_id":', p_phase_id,
                        ',"source":', v_source, ',"target":', v_target, ',"refs":', v_refs, '}');
END//

-- ferry_load: every procedure but define_phase starts from a stored phase;
-- a NULL or unknown name is one clear error here, before anything else.
CREATE PROCEDURE ferry_load(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                            OUT o_id BIGINT,
                            OUT o_spec LONGTEXT CHARACTER SET utf8mb4,
                            OUT o_summary LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    IF p_name IS NULL THEN
        CALL ferry_fail('22004', 'phase name must not be NULL', NULL);
    END IF;
    SET o_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() AND name = p_name);
    IF o_id IS NULL THEN
        CALL ferry_fail('42704', CONCAT('phase "', p_name, '" does not exist'),
            CONCAT('Define it with CALL define_phase(''', p_name,
                   ''', spec) in database ', DATABASE(), '.'));
    END IF;
    SET o_spec = (SELECT spec FROM ferry.phases WHERE id = o_id);
    SET o_summary = ferry_phase_check(p_name, o_spec);
    CALL ferry_check(o_summary);
END//

-- ferry_map_rows: how many legacy rows a phase has mapped; a phase with
-- rows must not be redefined or dropped.  A map dropped by hand counts 0.
CREATE PROCEDURE ferry_map_rows(IN p_id BIGINT, OUT o_rows BIGINT)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    SET o_rows = 0;
    IF EXISTS (SELECT 1 FROM information_schema.TABLES
               WHERE TABLE_SCHEMA = 'ferry_catalog' AND TABLE_NAME = CONVERT(CONCAT('map_', p_id) USING utf8mb3)) THEN
        EXECUTE IMMEDIATE CONCAT('SELECT count(*) INTO @ferry_map_rows FROM `ferry_catalog`.`map_',
                                 p_id, '`');
        SET o_rows = @ferry_map_rows;
        SET @ferry_map_rows = NULL;
    END IF;
END//

-- ferry_lock: one session works on a phase at a time.  The lock is the
-- session's (GET_LOCK), so a session that dies frees it; a second session
-- is refused at once instead of waiting.
CREATE PROCEDURE ferry_lock(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                            IN p_id BIGINT,
                            OUT o_lock VARCHAR(64) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    SET o_lock = CONCAT('ferry.phase.', p_id);
    IF GET_LOCK(o_lock, 0) IS NOT TRUE THEN
        CALL ferry_fail('55P03',
            CONCAT('phase "', p_name, '" is already being worked on by another session'),
            'Wait for the other session to finish, then run it again.');
    END IF;
END//

-- ferry_exec_plan: runs a plan's statements in order (p_roles: only the
-- statements of these roles, a JSON array; NULL: all).  o_counts sums, per
-- role, the rows each statement wrote or removed ({"map": 3, "insert": 3,
-- ...}), and holds the numbers of a "count" statement (source_rows,
-- migrated, filtered, this_run, orphans): a prepared SELECT can only write
-- user variables, which are cleared again.  An "assert" statement that
-- finds rows stops the plan with the core's words (ferry_validate_verdict).
-- An error names the phase and the statement's role.
CREATE PROCEDURE ferry_exec_plan(IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                                 IN p_plan LONGTEXT CHARACTER SET utf8mb4,
                                 IN p_roles TEXT CHARACTER SET utf8mb4,
                                 OUT o_counts LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_n INT;
    DECLARE v_rows BIGINT;
    DECLARE v_role VARCHAR(32) CHARACTER SET ascii DEFAULT 'plan';
    DECLARE v_sql LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_verdict LONGTEXT CHARACTER SET utf8mb4;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        DECLARE v_msg TEXT CHARACTER SET utf8mb4;
        DECLARE v_where TEXT CHARACTER SET utf8mb4;

        IF v_role = 'verdict' THEN
            RESIGNAL;
        END IF;
        GET DIAGNOSTICS CONDITION 1 v_msg = MESSAGE_TEXT;
        SET v_where = CONCAT(' [ferry phase "', p_phase, '", ',
            IF(v_role = 'probe',
               CONCAT('the SQL of ', JSON_UNQUOTE(JSON_EXTRACT(p_plan, CONCAT('$.statements[', v_i, '].label')))),
               CONCAT(v_role, ' statement')), ']');
        IF OCTET_LENGTH(v_msg) + OCTET_LENGTH(v_where) > 500 THEN
            SET v_msg = LEFT(v_msg, GREATEST(0, 500 - CHAR_LENGTH(v_where)) DIV 4);
        END IF;
        SET v_msg = CONCAT(v_msg, v_where);
        RESIGNAL SET MESSAGE_TEXT = v_msg;
    END;

    SET o_counts = '{}';
    SET v_n = JSON_LENGTH(p_plan, '$.statements');
    WHILE v_i < v_n DO
        SET v_role = JSON_VALUE(p_plan, CONCAT('$.statements[', v_i, '].role'));
        SET v_sql = JSON_UNQUOTE(JSON_EXTRACT(p_plan, CONCAT('$.statements[', v_i, '].sql')));
        IF p_roles IS NOT NULL AND NOT JSON_CONTAINS(p_roles, JSON_QUOTE(v_role)) THEN
            SET v_role = 'skipped';
        ELSEIF v_role = 'count' THEN
            EXECUTE IMMEDIATE CONCAT(
                'SELECT source_rows, migrated, filtered, this_run, orphans ',
                'INTO @ferry_source_rows, @ferry_migrated, @ferry_filtered, ',
                '@ferry_this_run, @ferry_orphans FROM (', v_sql, ') AS ferry_count');
            SET o_counts = JSON_SET(o_counts, '$.source_rows', @ferry_source_rows,
                                    '$.migrated', @ferry_migrated, '$.filtered', @ferry_filtered,
                                    '$.this_run', @ferry_this_run, '$.orphans', @ferry_orphans);
            SET @ferry_source_rows = NULL, @ferry_migrated = NULL, @ferry_filtered = NULL,
                @ferry_this_run = NULL, @ferry_orphans = NULL;
        ELSEIF v_role = 'probe' THEN
            -- parsed and resolved, as the caller, never run
            PREPARE ferry_probe FROM v_sql;
            DEALLOCATE PREPARE ferry_probe;
        ELSEIF v_role = 'assert' THEN
            EXECUTE IMMEDIATE CONCAT('SELECT failures, sample INTO @ferry_failures, @ferry_sample FROM (',
                                     v_sql, ') AS ferry_assert');
            SET v_verdict = ferry_validate_verdict(p_phase,
                JSON_VALUE(p_plan, CONCAT('$.statements[', v_i, '].check')),
                JSON_VALUE(p_plan, CONCAT('$.statements[', v_i, '].severity')),
                JSON_UNQUOTE(JSON_EXTRACT(p_plan, CONCAT('$.statements[', v_i, '].label'))),
                JSON_UNQUOTE(JSON_EXTRACT(p_plan, CONCAT('$.statements[', v_i, '].finding'))),
                @ferry_failures, @ferry_sample);
            SET @ferry_failures = NULL, @ferry_sample = NULL;
            SET v_role = 'verdict';
            CALL ferry_check(v_verdict);
        ELSE
            EXECUTE IMMEDIATE v_sql;
            SET v_rows = ROW_COUNT();
            SET o_counts = JSON_SET(o_counts, CONCAT('$.', v_role),
                                    COALESCE(JSON_VALUE(o_counts, CONCAT('$.', v_role)), 0) + v_rows);
        END IF;
        SET v_i = v_i + 1;
    END WHILE;
END//

-- ferry_exec: every statement of a plan (ferry_exec_plan), with the rows
-- the "insert" and "delete_target" statements wrote and removed and the
-- numbers of its "count" statement as OUT parameters.
CREATE PROCEDURE ferry_exec(IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                            IN p_plan LONGTEXT CHARACTER SET utf8mb4,
                            OUT o_inserted BIGINT,
                            OUT o_deleted BIGINT,
                            OUT o_source_rows BIGINT,
                            OUT o_migrated BIGINT,
                            OUT o_filtered BIGINT,
                            OUT o_this_run BIGINT,
                            OUT o_orphans BIGINT)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_counts LONGTEXT CHARACTER SET utf8mb4;

    CALL ferry_exec_plan(p_phase, p_plan, NULL, v_counts);
    SET o_inserted = COALESCE(JSON_VALUE(v_counts, '$.insert'), 0),
        o_deleted = COALESCE(JSON_VALUE(v_counts, '$.delete_target'), 0),
        o_source_rows = JSON_VALUE(v_counts, '$.source_rows'),
        o_migrated = JSON_VALUE(v_counts, '$.migrated'),
        o_filtered = JSON_VALUE(v_counts, '$.filtered'),
        o_this_run = JSON_VALUE(v_counts, '$.this_run'),
        o_orphans = JSON_VALUE(v_counts, '$.orphans');
END//

-- ferry_phase_order: the phases of this database in dependency order (a
-- JSON array of names; ferry_dependency_order, the core's sort, as on
-- PostgreSQL), with p_summary standing in for the stored phase of its name
-- (a spec being defined; a new one comes last).  A cycle or a dependency
-- on a phase that does not exist is refused by name (22023, 42704), and a
-- stored spec the core refuses by the core's error, the first in
-- definition order.  define_phase runs this for every phase it defines, so
-- the graph is read in one statement: a loop of one query per phase made a
-- chain of 1,000 phases take minutes to define.  A phase whose stored spec
-- the core refuses gets no node (CONCAT of NULL; GROUP_CONCAT leaves it
-- out), so fewer nodes than phases means such an error; the stored spec of
-- the phase p_summary replaces is checked too.
CREATE PROCEDURE ferry_phase_order(IN p_summary LONGTEXT CHARACTER SET utf8mb4,
                                   OUT o_order LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_graph LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4 DEFAULT JSON_VALUE(p_summary, '$.name');
    DECLARE v_placed BOOLEAN;
    DECLARE v_phases BIGINT;

    SET STATEMENT group_concat_max_len = 4294967295 FOR
    SELECT CONCAT('[', COALESCE(GROUP_CONCAT(
               CONCAT('{"name":', JSON_QUOTE(p.name), ',"depends_on":',
                      JSON_EXTRACT(IF(p.name = v_name,
                                      IF(JSON_EXTRACT(ferry_phase_check(p.name, p.spec), '$.depends_on') IS NULL,
                                         NULL, p_summary),
                                      ferry_phase_check(p.name, p.spec)), '$.depends_on'), '}')
               ORDER BY p.id SEPARATOR ','), ''), ']'),
           count(*), COALESCE(MAX(p.name = v_name), FALSE)
      INTO v_graph, v_phases, v_placed
      FROM ferry.phases AS p
     WHERE p.db = DATABASE();
    IF JSON_LENGTH(v_graph) < v_phases THEN
        SET v_summary = (SELECT s.summary
                           FROM (SELECT p.id, ferry_phase_check(p.name, p.spec) AS summary
                                   FROM ferry.phases AS p WHERE p.db = DATABASE()) AS s
                          WHERE s.summary IS NULL OR NOT JSON_VALID(s.summary) OR JSON_EXISTS(s.summary, '$.error')
                          ORDER BY s.id LIMIT 1);
        CALL ferry_check(v_summary);
    END IF;
    IF p_summary IS NOT NULL AND NOT v_placed THEN
        SET v_graph = JSON_ARRAY_APPEND(v_graph, '$', JSON_OBJECT('name', v_name,
            'depends_on', JSON_EXTRACT(p_summary, '$.depends_on')));
    END IF;
    SET o_order = ferry_dependency_order(v_graph);
    CALL ferry_check(o_order);
END//

-- define_phase: validate a spec against the tables and store it, creating
-- the phase's id map.  The same spec again is a no-op; a different spec
-- replaces a phase that has not run, and is refused once rows are mapped
-- (roll back first), as Flyway refuses an edited applied script.
CREATE PROCEDURE define_phase(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                              IN p_spec LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
body: BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_rows BIGINT;
    DECLARE v_created BOOLEAN DEFAULT FALSE;
    DECLARE v_checksum CHAR(40) CHARACTER SET ascii;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_order LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_query_table VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_sql LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_i INT;
    DECLARE v_n1, v_n2, v_n3, v_n4, v_n5, v_n6, v_n7 BIGINT;

    -- A new phase whose map could not be created (completely: the table
    -- may exist without its index) is not left half-defined.  DDL has
    -- committed the phase row already, so it is undone by hand.
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_created THEN
            EXECUTE IMMEDIATE CONCAT('DROP TEMPORARY TABLE IF EXISTS `ferry`.`map_', v_id, '`, `ferry`.`journal_', v_id, '`');
            CALL ferry.ferry_drop_map(v_id, TRUE);
            DELETE FROM ferry.phases WHERE id = v_id;
        END IF;
        RESIGNAL;
    END;

    IF p_name IS NULL THEN
        CALL ferry_fail('22004', 'phase name must not be NULL', NULL);
    END IF;
    IF p_spec IS NULL THEN
        CALL ferry_fail('22004', CONCAT('spec of phase "', p_name, '" must not be NULL'), NULL);
    END IF;
    SET v_summary = ferry_phase_check(p_name, p_spec);
    CALL ferry_check(v_summary);
    SET v_checksum = JSON_VALUE(v_summary, '$.checksum');
    SET v_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() AND name = p_name);
    IF v_id IS NOT NULL
       AND (SELECT checksum FROM ferry.phases WHERE id = v_id) = v_checksum THEN
        LEAVE body;
    END IF;

    -- A query source is described first (DDL: it commits, like the map's).
    -- Its SELECT runs here, with the caller's rights, so a query the caller
    -- may not run, or that is no SELECT, fails now, by MariaDB's error.
    IF JSON_VALUE(v_summary, '$.source_query') IS NOT NULL THEN
        CALL ferry_query_table(p_name, JSON_VALUE(v_summary, '$.source_query'), v_query_table);
        query_columns: BEGIN
            DECLARE EXIT HANDLER FOR SQLEXCEPTION
            BEGIN
                DECLARE v_msg TEXT CHARACTER SET utf8mb4;

                GET DIAGNOSTICS CONDITION 1 v_msg = MESSAGE_TEXT;
                SET v_msg = CONCAT(LEFT(v_msg, 300), ' [ferry phase "', LEFT(p_name, 64), '", source query]');
                RESIGNAL SET MESSAGE_TEXT = v_msg;
            END;
            EXECUTE IMMEDIATE CONCAT('CREATE OR REPLACE TEMPORARY TABLE `ferry`.`', v_query_table,
                                     '` ENGINE=InnoDB AS SELECT * FROM (',
                                     JSON_VALUE(v_summary, '$.source_query'), ') AS s LIMIT 0');
        END query_columns;
        CALL ferry.ferry_query(DATABASE(), JSON_VALUE(v_summary, '$.source_query'), v_id, TRUE);
    END IF;
    -- Check the spec against the tables before writing anything.  For a
    -- new phase the id is not known yet; it only names the map table, and
    -- this plan is not executed.
    CALL ferry_build_meta(v_summary, p_name, COALESCE(v_id, 1), v_meta);
    SET v_plan = ferry_plan_define(p_name, p_spec, v_meta);
    CALL ferry_check(v_plan);
    CALL ferry_phase_order(v_summary, v_order);
    -- every piece of the spec's SQL, tried (prepared, not run) as the
    -- caller: a mistake names the phase and the column or "where"
    SET v_plan = ferry_plan_probe(p_name, p_spec, v_meta);
    CALL ferry_check(v_plan);
    CALL ferry_exec(p_name, v_plan, v_n1, v_n2, v_n3, v_n4, v_n5, v_n6, v_n7);

    IF v_id IS NOT NULL THEN
        CALL ferry_refuse_if_syncing(p_name, v_id, 'redefining it');
        CALL ferry_map_rows(v_id, v_rows);
        IF v_rows > 0 THEN
            CALL ferry_fail('55000',
                CONCAT('phase "', p_name, '" has run (', v_rows,
                       ' mapped rows): its spec cannot be changed'),
                CONCAT('Roll it back first with CALL rollback_migration(''', p_name, ''').'));
        END IF;
        UPDATE ferry.phases
           SET spec = JSON_UNQUOTE(JSON_EXTRACT(v_summary, '$.spec')),
               checksum = v_checksum, updated_at = SYSDATE(6)
         WHERE id = v_id;
        CALL ferry.ferry_drop_map(v_id, FALSE);
    ELSE
        INSERT INTO ferry.phases (db, name, spec, checksum)
        VALUES (DATABASE(), p_name, JSON_UNQUOTE(JSON_EXTRACT(v_summary, '$.spec')), v_checksum);
        SET v_id = LAST_INSERT_ID();
        SET v_created = TRUE;
        SET v_meta = JSON_SET(v_meta, '$.phase_id', v_id);
    END IF;
    -- The map (and an update phase's journal) is built as the caller, from
    -- the planned DDL, as a temporary table of `ferry` (which no other
    -- session sees), then handed to the catalog by ferry.ferry_adopt_map,
    -- which makes it the phase's (install.sql, ISOLATION): users may not
    -- create tables in the catalog themselves.
    SET v_plan = ferry_plan_define(p_name, p_spec, JSON_REMOVE(v_meta, '$.map_schema'));
    CALL ferry_check(v_plan);
    IF JSON_VALUE(v_plan, '$.statements[0].sql') NOT LIKE 'CREATE TABLE %' THEN
        CALL ferry_fail('XX000', CONCAT('the plan of phase "', p_name, '" does not start with its map'), NULL);
    END IF;
    SET v_i = 0;
    WHILE v_i < JSON_LENGTH(v_plan, '$.statements') DO
        SET v_sql = JSON_VALUE(v_plan, CONCAT('$.statements[', v_i, '].sql'));
        IF v_sql LIKE 'CREATE TABLE %' THEN
            SET v_plan = JSON_SET(v_plan, CONCAT('$.statements[', v_i, '].sql'),
                                  CONCAT('CREATE TEMPORARY TABLE ', SUBSTRING(v_sql, 14)));
        END IF;
        SET v_i = v_i + 1;
    END WHILE;
    CALL ferry_exec(p_name, v_plan, v_n1, v_n2, v_n3, v_n4, v_n5, v_n6, v_n7);
    CALL ferry.ferry_adopt_map(v_id);
END//

-- drop_phase: forget a phase and drop its map, refused while the map holds
-- rows (they are the only record of what to roll back).  The tables are not
-- looked at, so a phase whose tables are gone can still be dropped.
CREATE PROCEDURE drop_phase(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_rows BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_owner_only(p_name, v_id, 'drop');
    CALL ferry_refuse_if_syncing(p_name, v_id, 'dropping it');
    CALL ferry_map_rows(v_id, v_rows);
    IF v_rows > 0 THEN
        CALL ferry_fail('55000',
            CONCAT('phase "', p_name, '" has ', v_rows, ' mapped rows and cannot be dropped'),
            CONCAT('Roll it back first with CALL rollback_migration(''', p_name, ''').'));
    END IF;
    CALL ferry.ferry_drop_map(v_id, TRUE);
    IF JSON_VALUE(v_summary, '$.source_query') IS NOT NULL THEN
        CALL ferry.ferry_query(DATABASE(), JSON_VALUE(v_summary, '$.source_query'), v_id, FALSE);
    END IF;
    DELETE FROM ferry.phases WHERE id = v_id;
END//

-- ferry_owner_only: refuse, by the phase's name, what only its owner may
-- do (ferry's definer procedures check again, by id).  A phase from before
-- ferry kept owners (owner NULL) is everyone's.
CREATE PROCEDURE ferry_owner_only(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                  IN p_id BIGINT,
                                  IN p_action VARCHAR(32) CHARACTER SET ascii)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_owner VARCHAR(128) CHARACTER SET utf8mb4 DEFAULT (SELECT owner FROM ferry.phases WHERE id = p_id);
    IF v_owner IS NOT NULL AND v_owner <> SUBSTRING_INDEX(USER(), '@', 1) THEN
        CALL ferry_fail('42501',
            CONCAT('phase "', p_name, '" belongs to user "', v_owner, '": only its owner may ', p_action, ' it'),
            CONCAT('Ask ', v_owner, ' to do it.'));
    END IF;
END//

-- ferry_share_phase: grant_phase and revoke_phase.  A phase belongs to the
-- user who defined it; ferry.ferry_share (install.sql, ISOLATION) checks
-- that again as the catalog's definer and records the grantee by name.
CREATE PROCEDURE ferry_share_phase(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                   IN p_user VARCHAR(128) CHARACTER SET utf8mb4,
                                   IN p_grant BOOLEAN)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    IF p_user IS NULL OR p_user = '' THEN
        CALL ferry_fail('22004', CONCAT('grant_phase/revoke_phase of phase "', p_name,
                                        '": the user name must not be NULL or empty'),
            CONCAT('For example CALL grant_phase(''', p_name, ''', ''bob'').'));
    END IF;
    CALL ferry_owner_only(p_name, v_id, 'grant or revoke');
    CALL ferry.ferry_share(v_id, p_user, p_grant);
END//

-- grant_phase: let another user (by user name, any host) run, validate,
-- roll back and read the phase: its id map, rejects and run log.  The
-- user still needs its own rights on the phase's tables.
CREATE PROCEDURE grant_phase(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                             IN p_user VARCHAR(128) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
    CALL ferry_share_phase(p_name, p_user, TRUE)//

-- revoke_phase: undo grant_phase.
CREATE PROCEDURE revoke_phase(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                              IN p_user VARCHAR(128) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
    CALL ferry_share_phase(p_name, p_user, FALSE)//

-- ferry_migrate: map every pending source row and write its target row,
-- atomically, then prove the books balance before committing.  o_row is
-- the run's result row as a JSON object (migrate_phase and migrate_all
-- show it).
CREATE PROCEDURE ferry_migrate(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                               OUT o_row LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_run BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_lock VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;
    DECLARE v_locked BOOLEAN DEFAULT FALSE;
    DECLARE v_start DATETIME(6) DEFAULT SYSDATE(6);
    DECLARE v_seconds DOUBLE;
    DECLARE v_inserted, v_deleted, v_source, v_migrated, v_filtered, v_this_run, v_orphans BIGINT;
    DECLARE v_rejected BIGINT;
    DECLARE v_merge BOOLEAN;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open THEN
            IF v_outer THEN
                ROLLBACK TO SAVEPOINT ferry_migrate;
            ELSE
                ROLLBACK;
            END IF;
        END IF;
        IF v_locked THEN
            DO RELEASE_LOCK(v_lock);
        END IF;
        RESIGNAL;
    END;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_build_meta(v_summary, p_name, v_id, v_meta);
    -- Plan once before any write: a bad phase fails with nothing written.
    SET v_plan = ferry_plan_migrate(p_name, v_spec, v_meta, 0);
    CALL ferry_check(v_plan);

    CALL ferry_lock(p_name, v_id, v_lock);
    SET v_locked = TRUE;

    -- before the run's transaction: reading the log there locked it, and two
    -- phases starting at once then deadlocked on their INSERT into it
    CALL ferry_interrupted(p_name);
    IF v_outer THEN
        SAVEPOINT ferry_migrate;
    ELSE
        START TRANSACTION;
    END IF;
    SET v_open = TRUE;
    INSERT INTO ferry.migration_log (db, phase, operation, status, started_at)
    VALUES (DATABASE(), p_name, 'migrate', 'started', v_start);
    SET v_run = LAST_INSERT_ID();
    SET v_plan = ferry_plan_migrate(p_name, v_spec, v_meta, v_run);
    CALL ferry_check(v_plan);
    CALL ferry_exec(p_name, v_plan, v_inserted, v_deleted, v_source, v_migrated,
                    v_filtered, v_this_run, v_orphans);
    SELECT count(*) INTO v_rejected FROM ferry.migration_rejects WHERE phase_id = v_id;
    -- a merge phase writes one row per new group: its other rows are merged
    SET v_merge = COALESCE(JSON_LENGTH(v_spec, '$.merge_on'), 0) > 0;
    IF v_source <> v_migrated + v_filtered + v_rejected
       OR (NOT v_merge AND v_inserted <> v_this_run) OR v_inserted > v_this_run THEN
        CALL ferry_fail('XX001',
            CONCAT('phase "', p_name, '": the books do not balance after the run (source_rows=',
                   v_source, ', migrated=', v_migrated, ', filtered=', v_filtered,
                   ', rejected=', v_rejected, ', this_run=', v_this_run,
                   ', target rows written=', v_inserted, '); nothing was written'),
            NULL);
    END IF;
    SET v_seconds = ROUND(TIMESTAMPDIFF(MICROSECOND, v_start, SYSDATE(6)) / 1000000, 3);
    UPDATE ferry.migration_log
       SET status = 'completed', `rows` = v_this_run, seconds = v_seconds,
           finished_at = SYSDATE(6)
     WHERE id = v_run;
    IF v_outer THEN
        RELEASE SAVEPOINT ferry_migrate;
    ELSE
        COMMIT;
    END IF;
    SET v_open = FALSE;
    DO RELEASE_LOCK(v_lock);
    SET v_locked = FALSE;

    SET o_row = JSON_OBJECT('phase', p_name, 'migrated', v_inserted,
                            'merged', v_this_run - v_inserted,
                            'rejected', v_rejected, 'filtered', v_filtered,
                            'skipped', v_migrated - v_this_run, 'seconds', v_seconds,
                            'plan', JSON_EXTRACT(v_plan, '$.statements'));
END//

-- ferry_runs: result rows collected by ferry_migrate, as one result set:
-- phase, migrated, merged, rejected, filtered, skipped, seconds, and, when
-- p_statements (a dry run), the statements of each run's plan.
CREATE PROCEDURE ferry_runs(IN p_rows LONGTEXT CHARACTER SET utf8mb4,
                            IN p_statements BOOLEAN)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    EXECUTE IMMEDIATE CONCAT(
        'SELECT r.phase, r.migrated, r.merged, r.rejected, r.filtered, r.skipped, r.seconds',
        IF(p_statements, ', ferry_statements(r.plan) AS statements', ''),
        ' FROM JSON_TABLE(?, ''$[*]'' COLUMNS (',
        '  seq FOR ORDINALITY,',
        '  phase VARCHAR(255) CHARACTER SET utf8mb4 PATH ''$.phase'',',
        '  migrated BIGINT PATH ''$.migrated'',',
        '  merged BIGINT PATH ''$.merged'',',
        '  rejected BIGINT PATH ''$.rejected'',',
        '  filtered BIGINT PATH ''$.filtered'',',
        '  skipped BIGINT PATH ''$.skipped'',',
        '  seconds DOUBLE PATH ''$.seconds'',',
        '  plan JSON PATH ''$.plan'')) AS r ORDER BY r.seq')
      USING p_rows;
END//

-- ferry_statements: a plan's statements as the SQL text a DBA can read or
-- run, each ended by ";" on a line of its own.
CREATE FUNCTION ferry_statements(p_plan LONGTEXT CHARACTER SET utf8mb4)
    RETURNS LONGTEXT CHARACTER SET utf8mb4
    SQL SECURITY INVOKER
    DETERMINISTIC NO SQL
BEGIN
    DECLARE v_text LONGTEXT CHARACTER SET utf8mb4 DEFAULT '';
    DECLARE v_i INT DEFAULT 0;

    WHILE v_i < COALESCE(JSON_LENGTH(p_plan), 0) DO
        SET v_text = CONCAT(v_text, JSON_UNQUOTE(JSON_EXTRACT(p_plan, CONCAT('$[', v_i, '].sql'))), ';\n');
        SET v_i = v_i + 1;
    END WHILE;
    RETURN v_text;
END//

-- migrate_phase: one phase's run (ferry_migrate), shown as one row.
CREATE PROCEDURE migrate_phase(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_row LONGTEXT CHARACTER SET utf8mb4;

    CALL ferry_migrate(p_name, v_row);
    CALL ferry_runs(JSON_ARRAY(JSON_EXTRACT(v_row, '$')), FALSE);
END//

-- migrate_phase_dry_run: migrate_phase(name, dry_run => true) of
-- PostgreSQL (a MariaDB 10.11 procedure has no parameter defaults, so a
-- second parameter would break every CALL migrate_phase('x')): the whole
-- run, inside a transaction (or a savepoint of the caller's) that is then
-- rolled back, so the counts are the real ones and nothing is written, not
-- even the log row; the run's statements come as a last column.
CREATE PROCEDURE migrate_phase_dry_run(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_row LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open AND v_outer THEN
            ROLLBACK TO SAVEPOINT ferry_dry_run;
        ELSEIF v_open THEN
            ROLLBACK;
        END IF;
        RESIGNAL;
    END;

    IF v_outer THEN
        SAVEPOINT ferry_dry_run;
    ELSE
        START TRANSACTION;
    END IF;
    SET v_open = TRUE;
    CALL ferry_migrate(p_name, v_row);
    IF v_outer THEN
        ROLLBACK TO SAVEPOINT ferry_dry_run;
    ELSE
        ROLLBACK;
    END IF;
    SET v_open = FALSE;
    CALL ferry_runs(JSON_ARRAY(JSON_EXTRACT(v_row, '$')), TRUE);
END//

-- migrate_all: every phase of this database, each after the phases it
-- depends on (otherwise in definition order), in one transaction: all of
-- them or, on an error, none.  define_phase refuses a cycle; one made
-- behind its back (the catalog edited by hand) is refused here by name
-- before anything runs.  The result rows are collected as text, without
-- the statements of each run (not shown): appending to a JSON array parses
-- and prints it whole again, minutes for 1,000 phases.
CREATE PROCEDURE migrate_all()
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_order LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_rows LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_row LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_i, v_n INT;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open AND v_outer THEN
            ROLLBACK TO SAVEPOINT ferry_migrate_all;
        ELSEIF v_open THEN
            ROLLBACK;
        END IF;
        RESIGNAL;
    END;

    CALL ferry_phase_order(NULL, v_order);
    SET v_n = JSON_LENGTH(v_order);

    IF v_outer THEN
        SAVEPOINT ferry_migrate_all;
    ELSE
        START TRANSACTION;
    END IF;
    SET v_open = TRUE;
    SET v_i = 0;
    WHILE v_i < v_n DO
        CALL ferry_migrate(JSON_VALUE(v_order, CONCAT('$[', v_i, ']')), v_row);
        SET v_rows = CONCAT_WS(', ', v_rows, JSON_REMOVE(v_row, '$.plan'));
        SET v_i = v_i + 1;
    END WHILE;
    IF v_outer THEN
        RELEASE SAVEPOINT ferry_migrate_all;
    ELSE
        COMMIT;
    END IF;
    CALL ferry_runs(CONCAT('[', COALESCE(v_rows, ''), ']'), FALSE);
END//

-- ferry_interrupted: a batched run that is still 'started' while its
-- caller holds the phase's lock was interrupted (its session died or was
-- killed, or the server stopped): it is marked failed, so the log says so.
-- The rows are found by a plain read and updated one by one through the
-- primary key, which locks those rows alone: an UPDATE over the phase's
-- range of the log's index would also lock the gap after it, and two
-- phases doing that at once deadlocked on their next INSERT into the log
-- (tests/faults/mariadb.sh, two phases on one target).  Its callers run it
-- before their run's transaction: the read's shared locks on the log then
-- end with it instead of holding off the other phase's INSERT.
CREATE PROCEDURE ferry_interrupted(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT DEFAULT 0;

    WHILE v_id IS NOT NULL DO
        SET v_id = (SELECT MIN(id) FROM ferry.migration_log
                     WHERE db = DATABASE() AND phase = p_name AND operation = 'migrate'
                       AND status = 'started' AND id > v_id);
        UPDATE ferry.migration_log
           SET status = 'failed', finished_at = SYSDATE(6),
               error = 'interrupted before it finished (session ended, killed or server stopped)'
         WHERE id = v_id;
    END WHILE;
END//

-- ferry_keyscan: one key scan of a batched run (ferry_plan_keyscan): the
-- last key of p_range, the p_n-th one, or (count) how many rows it holds.
-- o_key is the key as a JSON array of its parts as text, NULL for none.
CREATE PROCEDURE ferry_keyscan(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                               IN p_spec LONGTEXT CHARACTER SET utf8mb4,
                               IN p_meta LONGTEXT CHARACTER SET utf8mb4,
                               IN p_range LONGTEXT CHARACTER SET utf8mb4,
                               IN p_scan VARCHAR(8) CHARACTER SET ascii,
                               IN p_n BIGINT,
                               OUT o_key LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;

    SET v_plan = ferry_plan_keyscan(p_name, p_spec, p_meta, p_range, p_scan, p_n);
    CALL ferry_check(v_plan);
    -- a scalar subquery: no row gives NULL, not a "no data" warning
    EXECUTE IMMEDIATE CONCAT('SET @ferry_key = (',
                             JSON_UNQUOTE(JSON_EXTRACT(v_plan, '$.statements[0].sql')), ')');
    SET o_key = @ferry_key, @ferry_key = NULL;
END//

-- migrate_phase_batched: a phase too big for one transaction, in batches of
-- p_batch_size source rows in source key order (keyset pagination: each
-- batch is an index range scan), each committed with its map rows, rejects,
-- target rows and the run's progress in ferry.migration_log.  The keys
-- present at the start bound the run, so it ends under a steady insert
-- load.  A run that dies loses only its open batch: the next run marks it
-- failed and resumes after its last committed key, with no gap and no
-- duplicate (rows are skipped once mapped, whatever the key says).  Rows
-- whose key has a NULL part are in no key range; a last step rejects them.
-- One result row per batch as it commits (rows done, of the run's total,
-- the last key committed, rows/s, ETA), then the run's row as
-- migrate_phase gives it.
CREATE PROCEDURE migrate_phase_batched(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                       IN p_batch_size BIGINT)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_run BIGINT DEFAULT NULL;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_counts LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_lo, v_hi, v_max LONGTEXT CHARACTER SET utf8mb4 DEFAULT NULL;
    DECLARE v_lock VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_open BOOLEAN DEFAULT FALSE;
    DECLARE v_locked BOOLEAN DEFAULT FALSE;
    DECLARE v_last BOOLEAN DEFAULT FALSE;
    DECLARE v_merge BOOLEAN;
    DECLARE v_start DATETIME(6) DEFAULT SYSDATE(6);
    DECLARE v_secs, v_rate DOUBLE;
    DECLARE v_total, v_done, v_batches BIGINT DEFAULT 0;
    DECLARE v_mapped, v_written, v_rejected BIGINT DEFAULT 0;
    DECLARE v_batch_mapped, v_batch_written BIGINT;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        DECLARE v_msg TEXT CHARACTER SET utf8mb4;

        GET DIAGNOSTICS CONDITION 1 v_msg = MESSAGE_TEXT;
        IF v_open THEN
            ROLLBACK;
        END IF;
        -- the committed batches stay; the log row says why the run stopped
        IF v_run IS NOT NULL THEN
            START TRANSACTION;
            UPDATE ferry.migration_log
               SET status = 'failed', error = v_msg, finished_at = SYSDATE(6),
                   seconds = ROUND(TIMESTAMPDIFF(MICROSECOND, v_start, SYSDATE(6)) / 1000000, 3)
             WHERE id = v_run;
            COMMIT;
        END IF;
        IF v_locked THEN
            DO RELEASE_LOCK(v_lock);
        END IF;
        RESIGNAL;
    END;

    IF p_batch_size IS NULL THEN
        SET p_batch_size = 10000;
    END IF;
    IF p_batch_size <= 0 THEN
        CALL ferry_fail('22023', CONCAT('batch_size of phase "', COALESCE(p_name, ''),
                                        '" must be positive, not ', p_batch_size), NULL);
    END IF;
    IF @@in_transaction = 1 THEN
        CALL ferry_fail('2D000',
            'migrate_phase_batched commits every batch and cannot run inside a transaction',
            CONCAT('Run CALL migrate_phase_batched(''', COALESCE(p_name, ''), ''', ', p_batch_size,
                   ') on its own, or CALL migrate_phase(''', COALESCE(p_name, ''),
                   ''') inside the transaction.'));
    END IF;
    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_build_meta(v_summary, p_name, v_id, v_meta);
    -- Plan once before any write: a bad phase fails with nothing written.
    SET v_plan = ferry_plan_migrate_range(p_name, v_spec, v_meta, 0, '{}');
    CALL ferry_check(v_plan);

    CALL ferry_lock(p_name, v_id, v_lock);
    SET v_locked = TRUE;
    -- the dependencies and every "on_missing": "error" ref, before any write
    CALL ferry_exec_plan(p_name, v_plan, '["assert"]', v_counts);

    -- resume after the last committed batch of an interrupted run, unless
    -- something happened to the phase since (a rollback, another run)
    SET v_lo = (SELECT IF(l.status IN ('started', 'failed'), l.progress, NULL)
                  FROM ferry.migration_log AS l
                 WHERE l.db = DATABASE() AND l.phase = p_name
                 ORDER BY l.id DESC LIMIT 1);
    CALL ferry_interrupted(p_name);
    START TRANSACTION;
    SET v_open = TRUE;
    INSERT INTO ferry.migration_log (db, phase, operation, status, batch_size, started_at)
    VALUES (DATABASE(), p_name, 'migrate', 'started', p_batch_size, v_start);
    SET v_run = LAST_INSERT_ID();
    IF v_lo IS NULL THEN
        -- a fresh run judges every row again: forget earlier rejects
        CALL ferry_exec_plan(p_name, v_plan, '["clear_rejects"]', v_counts);
    END IF;
    COMMIT;
    SET v_open = FALSE;

    CALL ferry_keyscan(p_name, v_spec, v_meta, JSON_OBJECT('lo', JSON_EXTRACT(v_lo, '$')),
                       'last', 0, v_max);
    IF v_max IS NOT NULL THEN
        CALL ferry_keyscan(p_name, v_spec, v_meta,
                           JSON_OBJECT('lo', JSON_EXTRACT(v_lo, '$'), 'hi', JSON_EXTRACT(v_max, '$')),
                           'count', 0, v_total);
    END IF;
    SET v_merge = COALESCE(JSON_LENGTH(v_spec, '$.merge_on'), 0) > 0;
    WHILE v_max IS NOT NULL AND NOT v_last DO
        CALL ferry_keyscan(p_name, v_spec, v_meta,
                           JSON_OBJECT('lo', JSON_EXTRACT(v_lo, '$'), 'hi', JSON_EXTRACT(v_max, '$')),
                           'nth', p_batch_size, v_hi);
        IF v_hi IS NULL OR v_hi = v_max THEN
            SET v_hi = v_max, v_last = TRUE;
        END IF;
        SET v_plan = ferry_plan_migrate_range(p_name, v_spec, v_meta, v_run,
            JSON_OBJECT('lo', JSON_EXTRACT(v_lo, '$'), 'hi', JSON_EXTRACT(v_hi, '$')));
        CALL ferry_check(v_plan);
        START TRANSACTION;
        SET v_open = TRUE;
        CALL ferry_exec_plan(p_name, v_plan, '["assert", "reject", "map", "insert", "update", "hash"]', v_counts);
        SET v_batch_mapped = COALESCE(JSON_VALUE(v_counts, '$.map'), 0),
            v_batch_written = COALESCE(JSON_VALUE(v_counts, '$.insert'), 0);
        IF NOT v_merge AND v_batch_written <> v_batch_mapped THEN
            CALL ferry_fail('XX001',
                CONCAT('phase "', p_name, '": batch ', v_batches + 1, ' mapped ', v_batch_mapped,
                       ' source rows but wrote ', v_batch_written, ' target rows; the batch was not written'),
                CONCAT('Run CALL migrate_phase_batched(''', p_name, ''', ', p_batch_size, ') again.'));
        END IF;
        UPDATE ferry.migration_log
           SET `rows` = COALESCE(`rows`, 0) + v_batch_mapped, progress = v_hi
         WHERE id = v_run;
        COMMIT;
        SET v_open = FALSE;
        SET v_lo = v_hi, v_batches = v_batches + 1,
            v_mapped = v_mapped + v_batch_mapped, v_written = v_written + v_batch_written,
            v_rejected = v_rejected + COALESCE(JSON_VALUE(v_counts, '$.reject'), 0),
            v_done = IF(v_last, v_total, v_done + p_batch_size),
            v_secs = TIMESTAMPDIFF(MICROSECOND, v_start, SYSDATE(6)) / 1000000,
            v_rate = IF(v_secs > 0, v_done / v_secs, 0);
        SELECT p_name AS phase, v_batches AS batch, v_done AS rows_done, v_total AS rows_total,
               ROUND(IF(v_total > 0, 100 * v_done / v_total, 100)) AS percent,
               v_hi AS last_key, ROUND(v_rate) AS rows_per_second,
               ROUND(IF(v_rate > 0, (v_total - v_done) / v_rate, 0), 1) AS eta_seconds;
    END WHILE;

    -- the rows no key range holds (a NULL in the key), then the books, once
    SET v_plan = ferry_plan_migrate_range(p_name, v_spec, v_meta, v_run, '{"nulls": true}');
    CALL ferry_check(v_plan);
    START TRANSACTION;
    SET v_open = TRUE;
    CALL ferry_exec_plan(p_name, v_plan, '["assert", "reject", "map", "insert", "update", "hash"]', v_counts);
    SET v_rejected = v_rejected + COALESCE(JSON_VALUE(v_counts, '$.reject'), 0),
        v_mapped = v_mapped + COALESCE(JSON_VALUE(v_counts, '$.map'), 0),
        v_written = v_written + COALESCE(JSON_VALUE(v_counts, '$.insert'), 0);
    SET v_plan = ferry_plan_accounting(p_name, v_spec, v_meta, v_run);
    CALL ferry_check(v_plan);
    CALL ferry_exec_plan(p_name, v_plan, NULL, v_counts);
    SET v_secs = ROUND(TIMESTAMPDIFF(MICROSECOND, v_start, SYSDATE(6)) / 1000000, 3);
    UPDATE ferry.migration_log
       SET status = 'completed', `rows` = v_mapped, seconds = v_secs, finished_at = SYSDATE(6)
     WHERE id = v_run;
    COMMIT;
    SET v_open = FALSE;
    DO RELEASE_LOCK(v_lock);
    SET v_locked = FALSE;

    CALL ferry_runs(JSON_ARRAY(JSON_OBJECT('phase', p_name, 'migrated', v_written,
        'merged', v_mapped - v_written, 'rejected', v_rejected,
        'filtered', CAST(JSON_VALUE(v_counts, '$.filtered') AS SIGNED),
        'skipped', CAST(JSON_VALUE(v_counts, '$.migrated') AS SIGNED)
                   - CAST(JSON_VALUE(v_counts, '$.this_run') AS SIGNED),
        'seconds', v_secs)), FALSE);
END//

-- ferry_uniques: the target's unique indexes (the primary key included),
-- for preflight's uniqueness check, added to the metadata as "uniques".
-- An index on a prefix of a column (SUB_PART) compares less than the
-- values, so it is left out, as PostgreSQL leaves out expression indexes.
CREATE PROCEDURE ferry_uniques(INOUT io_meta LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_uniques LONGTEXT CHARACTER SET utf8mb4;

    SELECT CONCAT('[', COALESCE(GROUP_CONCAT(u.ix ORDER BY u.name SEPARATOR ','), ''), ']')
      INTO v_uniques
      FROM (SELECT INDEX_NAME AS name,
                   CONCAT('{"name":', JSON_QUOTE(INDEX_NAME), ',"columns":[',
                          GROUP_CONCAT(JSON_QUOTE(COLUMN_NAME) ORDER BY SEQ_IN_INDEX SEPARATOR ','),
                          ']}') AS ix
              FROM information_schema.STATISTICS
             WHERE BINARY TABLE_SCHEMA = JSON_VALUE(io_meta, '$.target.schema')
               AND BINARY TABLE_NAME = JSON_VALUE(io_meta, '$.target.name')
               AND NON_UNIQUE = 0
             GROUP BY INDEX_NAME
            HAVING SUM(SUB_PART IS NOT NULL) = 0) AS u;
    SET io_meta = JSON_SET(io_meta, '$.uniques', JSON_EXTRACT(v_uniques, '$'));
END//

-- preflight: what migrate_phase would find wrong with a phase's pending
-- rows, before any write, one row per finding or per check that finds
-- nothing (phase, check_name, status, rows, details, sample), worded by
-- the core as on PostgreSQL.  The checks run inside a transaction (read
-- only when it is preflight's own) or a savepoint of the caller's, rolled
-- back after them: even a spec's sql that writes leaves nothing behind.  A
-- check whose statement fails is reported as ERROR "could not check"; a
-- table or column that does not resolve is the relations ERROR, and then
-- nothing else is checked.
CREATE PROCEDURE preflight(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4 DEFAULT '{}';
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_results LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_report LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_relations TEXT CHARACTER SET utf8mb4 DEFAULT NULL;
    DECLARE v_error TEXT CHARACTER SET utf8mb4;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;
    DECLARE v_i, v_n INT DEFAULT 0;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open AND v_outer THEN
            ROLLBACK TO SAVEPOINT ferry_preflight;
        ELSEIF v_open THEN
            ROLLBACK;
        END IF;
        RESIGNAL;
    END;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    relations: BEGIN
        DECLARE EXIT HANDLER FOR SQLEXCEPTION
            GET DIAGNOSTICS CONDITION 1 v_relations = MESSAGE_TEXT;
        CALL ferry_build_meta(v_summary, p_name, v_id, v_meta);
        CALL ferry_uniques(v_meta);
        SET v_plan = ferry_plan_preflight(p_name, v_spec, v_meta);
        CALL ferry_check(v_plan);
    END relations;

    IF v_relations IS NULL THEN
        IF v_outer THEN
            SAVEPOINT ferry_preflight;
        ELSE
            START TRANSACTION READ ONLY;
        END IF;
        SET v_open = TRUE;
        SET v_n = JSON_LENGTH(v_plan, '$.statements');
        WHILE v_i < v_n DO
            SET v_error = NULL, @ferry_failures = NULL, @ferry_sample = NULL;
            one_check: BEGIN
                DECLARE EXIT HANDLER FOR SQLEXCEPTION
                    GET DIAGNOSTICS CONDITION 1 v_error = MESSAGE_TEXT;
                EXECUTE IMMEDIATE CONCAT('SELECT failures, sample INTO @ferry_failures, @ferry_sample FROM (',
                    JSON_UNQUOTE(JSON_EXTRACT(v_plan, CONCAT('$.statements[', v_i, '].sql'))),
                    ') AS ferry_check');
            END one_check;
            SET v_results = JSON_ARRAY_APPEND(v_results, '$',
                JSON_OBJECT('failures', CAST(@ferry_failures AS SIGNED), 'sample', @ferry_sample,
                            'error', v_error));
            SET v_i = v_i + 1;
        END WHILE;
        SET @ferry_failures = NULL, @ferry_sample = NULL;
        IF v_outer THEN
            ROLLBACK TO SAVEPOINT ferry_preflight;
        ELSE
            ROLLBACK;
        END IF;
        SET v_open = FALSE;
        SET v_report = ferry_preflight_report(p_name, v_spec, v_meta,
                                              JSON_OBJECT('results', JSON_EXTRACT(v_results, '$')));
    ELSE
        SET v_report = ferry_preflight_report(p_name, v_spec, '{}',
                                              JSON_OBJECT('relations_error', v_relations));
    END IF;
    CALL ferry_check(v_report);
    SELECT r.phase, r.check_name, r.status, r.rows, r.details, r.sample
      FROM JSON_TABLE(v_report, '$[*]' COLUMNS (
               seq FOR ORDINALITY,
               phase VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.phase',
               check_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.check_name',
               status VARCHAR(8) CHARACTER SET utf8mb4 PATH '$.status',
               `rows` BIGINT PATH '$.rows',
               details VARCHAR(1000) CHARACTER SET utf8mb4 PATH '$.details',
               sample VARCHAR(4000) CHARACTER SET utf8mb4 PATH '$.sample')) AS r
     ORDER BY r.seq;
END//

-- ferry_accounting: the accounting checks of one phase, appended to a JSON
-- array of result rows (one result set for any number of phases).  The
-- verdicts are worded by the core (ferry_accounting_checks), as on
-- PostgreSQL.
CREATE PROCEDURE ferry_accounting(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                  INOUT io_checks LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_checks LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_stmt LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_i, v_n INT DEFAULT 0;
    DECLARE v_inserted, v_deleted, v_source, v_migrated, v_filtered, v_this_run, v_orphans, v_rejected BIGINT;
    DECLARE v_merged BIGINT;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_build_meta(v_summary, p_name, v_id, v_meta);
    SET v_plan = ferry_plan_accounting(p_name, v_spec, v_meta, 0);
    CALL ferry_check(v_plan);
    CALL ferry_exec(p_name, v_plan, v_inserted, v_deleted, v_source, v_migrated,
                    v_filtered, v_this_run, v_orphans);
    SELECT count(*) INTO v_rejected FROM ferry.migration_rejects WHERE phase_id = v_id;
    -- rows merged into another's target row (0 unless merge_on: keys are unique)
    EXECUTE IMMEDIATE CONCAT('SELECT count(*) - count(DISTINCT new_key) INTO @ferry_merged FROM `ferry_catalog`.`map_',
                             v_id, '`');
    SET v_merged = @ferry_merged, @ferry_merged = NULL;
    SET v_checks = ferry_accounting_checks(p_name, v_source, v_migrated, v_merged, v_filtered,
                                           v_rejected, v_orphans);
    CALL ferry_check(v_checks);
    SET io_checks = JSON_MERGE_PRESERVE(io_checks, v_checks);

    -- the checks beyond the books: one statement each, (failures, sample),
    -- worded by the core as on PostgreSQL
    SET v_plan = ferry_plan_validate(p_name, v_spec, v_meta, 0);
    CALL ferry_check(v_plan);
    SET v_n = JSON_LENGTH(v_plan, '$.statements');
    WHILE v_i < v_n DO
        SET v_stmt = JSON_EXTRACT(v_plan, CONCAT('$.statements[', v_i, ']'));
        EXECUTE IMMEDIATE CONCAT('SELECT failures, sample INTO @ferry_failures, @ferry_sample FROM (',
                                 JSON_UNQUOTE(JSON_EXTRACT(v_stmt, '$.sql')), ') AS ferry_check');
        SET v_checks = ferry_validate_verdict(p_name,
                JSON_UNQUOTE(JSON_EXTRACT(v_stmt, '$.check')),
                JSON_UNQUOTE(JSON_EXTRACT(v_stmt, '$.severity')),
                JSON_UNQUOTE(JSON_EXTRACT(v_stmt, '$.label')),
                JSON_UNQUOTE(JSON_EXTRACT(v_stmt, '$.finding')),
                @ferry_failures, @ferry_sample);
        CALL ferry_check(v_checks);
        SET io_checks = JSON_MERGE_PRESERVE(io_checks, v_checks);
        SET @ferry_failures = NULL, @ferry_sample = NULL;
        SET v_i = v_i + 1;
    END WHILE;
END//

-- ferry_validate: every check of a phase (NULL: every phase of this
-- database, in definition order) as a JSON array of verdicts.  Each
-- phase's verdicts are added to the others' as text, without their
-- brackets: a JSON function would parse and print again the verdicts of
-- every phase before (minutes for 1,000 phases).
CREATE PROCEDURE ferry_validate(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                OUT o_checks LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_checks LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_all LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_id BIGINT DEFAULT 0;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;

    IF p_name IS NOT NULL THEN
        CALL ferry_accounting(p_name, v_checks);
    ELSE
        -- No cursor: a NOT FOUND handler would also catch conditions of
        -- the procedures called inside the loop.  The next phase is one
        -- index probe (MIN(id) read every phase after this one).
        SET v_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() ORDER BY id LIMIT 1);
        WHILE v_id IS NOT NULL DO
            SET v_name = (SELECT name FROM ferry.phases WHERE id = v_id), v_checks = '[]';
            CALL ferry_accounting(v_name, v_checks);
            SET v_all = CONCAT_WS(', ', v_all, NULLIF(SUBSTRING(v_checks, 2, CHAR_LENGTH(v_checks) - 2), ''));
            SET v_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() AND id > v_id ORDER BY id LIMIT 1);
        END WHILE;
        SET v_checks = CONCAT('[', COALESCE(v_all, ''), ']');
    END IF;
    SET o_checks = v_checks;
END//

-- ferry_check_rows: the verdicts of ferry_validate as rows.
CREATE PROCEDURE ferry_check_rows(IN p_checks LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    SELECT c.phase, c.check_name, c.status, c.details, c.sample
      FROM JSON_TABLE(p_checks, '$[*]' COLUMNS (
               seq FOR ORDINALITY,
               phase VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.phase',
               check_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.check_name',
               status VARCHAR(4) CHARACTER SET utf8mb4 PATH '$.status',
               details VARCHAR(1000) CHARACTER SET utf8mb4 PATH '$.details',
               sample VARCHAR(4000) CHARACTER SET utf8mb4 PATH '$.sample')) AS c
     ORDER BY c.seq;
END//

-- validate_migration_integrity: the proof a phase lost no row (NULL: every
-- phase of this database), one row per check.
CREATE PROCEDURE validate_migration_integrity(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_checks LONGTEXT CHARACTER SET utf8mb4;

    CALL ferry_validate(p_name, v_checks);
    CALL ferry_check_rows(v_checks);
END//

-- assert_migration_integrity: validation as one error listing every FAIL
-- (SQLSTATE 23000), for migration files run by the mariadb client, Flyway
-- or Liquibase; WARNs stop nothing.
CREATE PROCEDURE assert_migration_integrity(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_checks LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_n BIGINT;
    DECLARE v_fails LONGTEXT CHARACTER SET utf8mb4;

    CALL ferry_validate(p_name, v_checks);
    SELECT count(*), GROUP_CONCAT(CONCAT(c.phase, ': ', c.check_name, ': ', c.details,
                                         COALESCE(CONCAT(' (', c.sample, ')'), ''))
                                  ORDER BY c.seq SEPARATOR '\n')
      INTO v_n, v_fails
      FROM JSON_TABLE(v_checks, '$[*]' COLUMNS (
               seq FOR ORDINALITY,
               phase VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.phase',
               check_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.check_name',
               status VARCHAR(4) CHARACTER SET utf8mb4 PATH '$.status',
               details VARCHAR(1000) CHARACTER SET utf8mb4 PATH '$.details',
               sample VARCHAR(4000) CHARACTER SET utf8mb4 PATH '$.sample')) AS c
     WHERE c.status = 'FAIL';
    IF v_n > 0 THEN
        CALL ferry_raise(JSON_OBJECT('error', JSON_OBJECT('sqlstate', '23000',
            'message', CONCAT('migration integrity: ', v_n, ' check', IF(v_n = 1, '', 's'), ' failed'),
            'detail', v_fails, 'hint', '')));
    END IF;
END//

-- migration_status: one row per phase of this database, in definition
-- order: phase, source, target, state (defined, migrated, rolled_back,
-- running: a batched run is in progress, interrupted: a batched run's log
-- row is still open but nobody holds the phase's lock, failed: the last
-- run failed, as the next run recorded for an interrupted one), migrated
-- (source rows in the id map), rejected, the last run (sync's log rows
-- aside), and syncing, sync_started_at, last_synced_at.  A failed
-- migrate_phase leaves no log row on MariaDB: it is rolled back with its
-- work.  As on PostgreSQL, an interrupted run's last_error says after how
-- many rows; the next migrate_phase_batched marks it failed and resumes.
CREATE PROCEDURE migration_status()
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_rows LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_id BIGINT;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_mapped BIGINT;
    DECLARE v_log BIGINT;
    DECLARE v_free BOOLEAN;

    SET v_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() ORDER BY id LIMIT 1);
    WHILE v_id IS NOT NULL DO
        SELECT name, spec INTO v_name, v_spec FROM ferry.phases WHERE id = v_id;
        CALL ferry_map_rows(v_id, v_mapped);
        SET v_log = (SELECT MAX(id) FROM ferry.migration_log
                      WHERE db = DATABASE() AND phase = v_name AND operation <> 'sync');
        SET v_free = IS_FREE_LOCK(CONCAT('ferry.phase.', v_id)) = 1;
        SET v_rows = JSON_ARRAY_APPEND(v_rows, '$', JSON_EXTRACT((
            SELECT JSON_OBJECT('phase', v_name,
                       'source', JSON_VALUE(v_spec, '$.source'),
                       'target', JSON_VALUE(v_spec, '$.target'),
                       'state', CASE WHEN NOT EXISTS (SELECT 1 FROM ferry.migration_log r
                                                      WHERE r.db = DATABASE() AND r.phase = v_name
                                                        AND r.operation = 'migrate') THEN 'defined'
                                     WHEN l.status = 'failed' THEN 'failed'
                                     WHEN l.status = 'started' AND v_free THEN 'interrupted'
                                     WHEN l.status = 'started' THEN 'running'
                                     WHEN l.operation = 'rollback' OR l.status = 'rolled_back' THEN 'rolled_back'
                                     ELSE 'migrated' END,
                       'migrated', v_mapped + 0,
                       'rejected', (SELECT count(*) FROM ferry.migration_rejects j WHERE j.phase_id = v_id),
                       'last_run_at', l.started_at, 'last_operation', l.operation,
                       'last_status', l.status, 'last_seconds', l.seconds,
                       'last_error', IF(l.status = 'started' AND v_free,
                                        CONCAT('interrupted after ', COALESCE(l.`rows`, 0),
                                               ' rows: no session holds the phase (it was cancelled, or its session or the server died)'),
                                        l.error),
                       'syncing', p.sync_run_id IS NOT NULL, 'sync_started_at', p.sync_started_at,
                       'last_synced_at', p.last_synced_at)
              FROM (SELECT 1) AS one LEFT JOIN ferry.migration_log AS l ON l.id = v_log
              JOIN ferry.phases AS p ON p.id = v_id), '$'));
        SET v_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() AND id > v_id ORDER BY id LIMIT 1);
    END WHILE;
    SELECT s.phase, s.source, s.target, s.state, s.migrated, s.rejected, s.last_run_at,
           s.last_operation, s.last_status, s.last_seconds, s.last_error,
           s.syncing, s.sync_started_at, s.last_synced_at
      FROM JSON_TABLE(v_rows, '$[*]' COLUMNS (
               seq FOR ORDINALITY,
               phase VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.phase',
               source VARCHAR(600) CHARACTER SET utf8mb4 PATH '$.source',
               target VARCHAR(600) CHARACTER SET utf8mb4 PATH '$.target',
               state VARCHAR(16) CHARACTER SET utf8mb4 PATH '$.state',
               migrated BIGINT PATH '$.migrated',
               rejected BIGINT PATH '$.rejected',
               last_run_at DATETIME(6) PATH '$.last_run_at',
               last_operation VARCHAR(16) CHARACTER SET utf8mb4 PATH '$.last_operation',
               last_status VARCHAR(16) CHARACTER SET utf8mb4 PATH '$.last_status',
               last_seconds DOUBLE PATH '$.last_seconds',
               last_error TEXT CHARACTER SET utf8mb4 PATH '$.last_error',
               syncing BOOLEAN PATH '$.syncing',
               sync_started_at DATETIME(6) PATH '$.sync_started_at',
               last_synced_at DATETIME(6) PATH '$.last_synced_at')) AS s
     ORDER BY s.seq;
END//

-- id_mappings: the id map of a phase (NULL: of every phase of this
-- database) as rows: phase, legacy_table, legacy_id (a composite key's
-- parts joined with /), new_table, new_id, run_id.  One UNION ALL over the
-- maps, read with the caller's rights.
CREATE PROCEDURE id_mappings(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_sql LONGTEXT CHARACTER SET utf8mb4 DEFAULT NULL;
    DECLARE v_id BIGINT;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_key TEXT CHARACTER SET utf8mb4;
    DECLARE v_k INT;

    IF p_name IS NOT NULL THEN
        CALL ferry_load(p_name, v_id, v_spec, v_summary);
    END IF;
    SET v_id = (SELECT id FROM ferry.phases
                 WHERE db = DATABASE() AND (p_name IS NULL OR name = p_name) ORDER BY id LIMIT 1);
    WHILE v_id IS NOT NULL DO
        SELECT name, spec INTO v_name, v_spec FROM ferry.phases WHERE id = v_id;
        SET v_summary = ferry_phase_check(v_name, v_spec);
        CALL ferry_check(v_summary);
        SET v_key = 'CAST(m.legacy_1 AS CHAR)', v_k = 2;
        WHILE v_k <= JSON_VALUE(v_summary, '$.nkeys') DO
            SET v_key = CONCAT(v_key, ', CAST(m.legacy_', v_k, ' AS CHAR)');
            SET v_k = v_k + 1;
        END WHILE;
        SET v_sql = CONCAT_WS(' UNION ALL ', v_sql,
            CONCAT('SELECT ', QUOTE(v_name), ' AS phase, ', COALESCE(QUOTE(JSON_VALUE(v_spec, '$.source')), 'NULL'),
                   ' AS legacy_table, CONCAT_WS(''/'', ', v_key, ') AS legacy_id, ',
                   QUOTE(JSON_VALUE(v_spec, '$.target')), ' AS new_table, CAST(m.new_key AS CHAR) AS new_id, ',
                   'm.run_id FROM `ferry_catalog`.`map_', v_id, '` AS m'));
        SET v_id = (SELECT id FROM ferry.phases
                     WHERE db = DATABASE() AND (p_name IS NULL OR name = p_name) AND id > v_id
                     ORDER BY id LIMIT 1);
    END WHILE;
    IF v_sql IS NULL THEN
        SELECT NULL AS phase, NULL AS legacy_table, NULL AS legacy_id, NULL AS new_table,
               NULL AS new_id, NULL AS run_id FROM DUAL WHERE FALSE;
    ELSE
        EXECUTE IMMEDIATE CONCAT(v_sql, ' ORDER BY 1, 6, 3');
    END IF;
END//

-- ferry_map_probe: one lookup in a phase's id map, for map_id and
-- legacy_id.  A stored function cannot run dynamic SQL, and every phase's
-- map is a table of its own (ferry_catalog.map_<id>), so both are procedures with
-- an OUT parameter.  p_by_legacy: p_key is a legacy key (a composite one
-- as a JSON array of its parts in source_key order) and the answer is the
-- new key; otherwise p_key is a new key and the answer the legacy key
-- (parts joined with /), and a new key several legacy keys were merged
-- into is refused (21000).  One index probe; NULL when nothing matches.
CREATE PROCEDURE ferry_map_probe(IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                                 IN p_key TEXT CHARACTER SET utf8mb4,
                                 IN p_by_legacy BOOLEAN,
                                 OUT o_key TEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_nkeys INT;
    DECLARE v_where TEXT CHARACTER SET utf8mb4 DEFAULT 'm.legacy_1 = @ferry_key';
    DECLARE v_legacy TEXT CHARACTER SET utf8mb4 DEFAULT 'CAST(m.legacy_1 AS CHAR CHARACTER SET utf8mb4)';
    DECLARE v_k INT DEFAULT 2;

    CALL ferry_load(p_phase, v_id, v_spec, v_summary);
    SET o_key = NULL, v_nkeys = JSON_VALUE(v_summary, '$.nkeys');
    IF p_by_legacy AND v_nkeys > 1 AND p_key IS NOT NULL
       AND (NOT JSON_VALID(p_key) OR JSON_TYPE(p_key) <> 'ARRAY' OR JSON_LENGTH(p_key) <> v_nkeys) THEN
        CALL ferry_fail('22023',
            CONCAT('phase "', p_phase, '" has a source key of ', v_nkeys,
                   ' columns: pass the legacy key as a JSON array of ', v_nkeys, ' values'),
            CONCAT('For example CALL map_id(''', p_phase, ''', ''[7, 3]'', @new_key).'));
    END IF;
    IF v_nkeys > 1 THEN
        SET v_where = 'm.legacy_1 = JSON_VALUE(@ferry_key, ''$[0]'')';
    END IF;
    WHILE v_k <= v_nkeys DO
        SET v_where = CONCAT(v_where, ' AND m.legacy_', v_k, ' = JSON_VALUE(@ferry_key, ''$[', v_k - 1, ']'')'),
            v_legacy = CONCAT(v_legacy, ', CAST(m.legacy_', v_k, ' AS CHAR CHARACTER SET utf8mb4)');
        SET v_k = v_k + 1;
    END WHILE;
    IF p_key IS NOT NULL AND p_by_legacy THEN
        SET @ferry_key = p_key;
        EXECUTE IMMEDIATE CONCAT('SET @ferry_found = (SELECT CAST(m.new_key AS CHAR CHARACTER SET utf8mb4)',
                                 ' FROM `ferry_catalog`.`map_', v_id, '` AS m WHERE ', v_where, ')');
        SET o_key = @ferry_found;
    ELSEIF p_key IS NOT NULL THEN
        SET @ferry_key = p_key;
        EXECUTE IMMEDIATE CONCAT('SELECT count(*), MIN(CONCAT_WS(''/'', ', v_legacy, '))',
                                 ' INTO @ferry_n, @ferry_found FROM `ferry_catalog`.`map_', v_id,
                                 '` AS m WHERE m.new_key = @ferry_key');
        IF @ferry_n > 1 THEN
            SET @ferry_key = NULL, @ferry_found = NULL;
            CALL ferry_fail('21000',
                CONCAT('phase "', p_phase, '" merged ', @ferry_n, ' legacy keys into new key ', p_key),
                CONCAT('CALL id_mappings(''', p_phase, ''') lists them.'));
        END IF;
        SET o_key = @ferry_found;
    END IF;
    SET @ferry_key = NULL, @ferry_found = NULL, @ferry_n = NULL;
END//

-- map_id: the new key (as text) a phase made from a legacy key:
-- CALL map_id('wedding_data', '42', @event_id).  See ferry_map_probe.
CREATE PROCEDURE map_id(IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                        IN p_legacy_key TEXT CHARACTER SET utf8mb4,
                        OUT o_new_key TEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    CALL ferry_map_probe(p_phase, p_legacy_key, TRUE, o_new_key);
END//

-- legacy_id: the legacy key (as text, a composite one's parts joined with
-- /) a phase mapped to a new key: CALL legacy_id('wedding_data', @event_id,
-- @invitation).  See ferry_map_probe.
CREATE PROCEDURE legacy_id(IN p_phase VARCHAR(255) CHARACTER SET utf8mb4,
                           IN p_new_key TEXT CHARACTER SET utf8mb4,
                           OUT o_legacy_key TEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    CALL ferry_map_probe(p_phase, p_new_key, FALSE, o_legacy_key);
END//

-- ferry_dependents: the phases of this database that depend on p_name and
-- still have migrated rows, as a JSON array of names; rolling p_name back
-- under them would leave their references pointing nowhere.  Every
-- rollback asks, so the phases that name p_name are found in one statement
-- (a query per phase made rolling back a long chain take minutes), and the
-- core parses only the specs that can name it: a dependency is a string
-- of the spec's JSON, whose text holds it as it is unless the text has an
-- escape (a backslash).  Only the maps of the phases found are counted.
CREATE PROCEDURE ferry_dependents(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                  OUT o_names LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_ids LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_id BIGINT;
    DECLARE v_rows BIGINT;
    DECLARE v_i INT DEFAULT 0;

    SET o_names = '[]';
    SET STATEMENT group_concat_max_len = 4294967295 FOR
    SELECT CONCAT('[', COALESCE(GROUP_CONCAT(p.id ORDER BY p.id SEPARATOR ','), ''), ']') INTO v_ids
      FROM ferry.phases AS p
     WHERE p.db = DATABASE()
       AND (LOCATE(p_name, p.spec) > 0 OR LOCATE('\\', p.spec) > 0)
       AND JSON_CONTAINS(JSON_EXTRACT(ferry_phase_check(p.name, p.spec), '$.depends_on'), JSON_QUOTE(p_name));
    WHILE v_i < JSON_LENGTH(v_ids) DO
        SET v_id = JSON_VALUE(v_ids, CONCAT('$[', v_i, ']'));
        CALL ferry_map_rows(v_id, v_rows);
        IF v_rows > 0 THEN
            SET o_names = JSON_ARRAY_APPEND(o_names, '$', (SELECT name FROM ferry.phases WHERE id = v_id));
        END IF;
        SET v_i = v_i + 1;
    END WHILE;
END//

-- ferry_cascade_order: what rollback_migration_ex(name, TRUE, ...) rolls
-- back: the phase and, transitively, the phases that depend on it and
-- still have migrated rows, as a JSON array of names, children before
-- their parents (the reverse of the dependency order), so no reference
-- ever points at a row already gone.  A loop, not recursion: no depth limit.
CREATE PROCEDURE ferry_cascade_order(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                     OUT o_order LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_set LONGTEXT CHARACTER SET utf8mb4 DEFAULT JSON_ARRAY(p_name);
    DECLARE v_deps LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_all LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_i, v_k INT DEFAULT 0;

    WHILE v_i < JSON_LENGTH(v_set) DO
        CALL ferry_dependents(JSON_VALUE(v_set, CONCAT('$[', v_i, ']')), v_deps);
        SET v_k = 0;
        WHILE v_k < JSON_LENGTH(v_deps) DO
            SET v_name = JSON_VALUE(v_deps, CONCAT('$[', v_k, ']'));
            IF NOT JSON_CONTAINS(v_set, JSON_QUOTE(v_name)) THEN
                SET v_set = JSON_ARRAY_APPEND(v_set, '$', v_name);
            END IF;
            SET v_k = v_k + 1;
        END WHILE;
        SET v_i = v_i + 1;
    END WHILE;
    CALL ferry_phase_order(NULL, v_all);
    SET o_order = '[]', v_i = JSON_LENGTH(v_all) - 1;
    WHILE v_i >= 0 DO
        SET v_name = JSON_VALUE(v_all, CONCAT('$[', v_i, ']'));
        IF JSON_CONTAINS(v_set, JSON_QUOTE(v_name)) THEN
            SET o_order = JSON_ARRAY_APPEND(o_order, '$', v_name);
        END IF;
        SET v_i = v_i - 1;
    END WHILE;
END//

-- ferry_rollback: one phase's rollback, atomic: unless p_force, the drift
-- guard refuses (55000, naming the first legacy keys) when a target row it
-- would delete was changed since the migration wrote it (its content hash
-- differs from the map's); then it deletes exactly the target rows the
-- phase's map names (rows written later by the application have no map
-- entry and stay) and empties the map and the rejects.  A phase that other
-- phases with migrated rows depend on is refused (2BP01).  An update phase
-- instead puts the journaled before-images back and empties the journal.
-- o_row is the result row as JSON: phase, target, rows_deleted,
-- rows_restored (the journal's rows: MariaDB's ROW_COUNT of the restoring
-- UPDATE would leave out rows that hold those values already).
CREATE PROCEDURE ferry_rollback(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                IN p_force BOOLEAN,
                                OUT o_row LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_drift LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_counts LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_target VARCHAR(600) CHARACTER SET utf8mb4;
    DECLARE v_dependents LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_lock VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;
    DECLARE v_locked BOOLEAN DEFAULT FALSE;
    DECLARE v_start DATETIME(6) DEFAULT SYSDATE(6);
    DECLARE v_inserted, v_deleted, v_source, v_migrated, v_filtered, v_this_run, v_orphans BIGINT;
    DECLARE v_restored BIGINT DEFAULT 0;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open THEN
            IF v_outer THEN
                ROLLBACK TO SAVEPOINT ferry_rollback;
            ELSE
                ROLLBACK;
            END IF;
        END IF;
        IF v_locked THEN
            DO RELEASE_LOCK(v_lock);
        END IF;
        RESIGNAL;
    END;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_refuse_if_syncing(p_name, v_id, 'rolling it back');
    CALL ferry_build_meta(v_summary, p_name, v_id, v_meta);
    SET v_plan = ferry_plan_rollback(p_name, v_spec, v_meta);
    CALL ferry_check(v_plan);
    SET v_drift = ferry_plan_drift(p_name, v_spec, v_meta);
    CALL ferry_check(v_drift);
    CALL ferry_dependents(p_name, v_dependents);
    IF JSON_LENGTH(v_dependents) > 0 THEN
        CALL ferry_fail('2BP01',
            CONCAT('phase "', p_name, '" is still referred to by phases that have migrated rows: ',
                   (SELECT GROUP_CONCAT(d.name ORDER BY d.seq SEPARATOR ', ')
                      FROM JSON_TABLE(v_dependents, '$[*]' COLUMNS (
                               seq FOR ORDINALITY,
                               name VARCHAR(255) CHARACTER SET utf8mb4 PATH '$')) AS d)),
            CONCAT('Roll those back first, or CALL rollback_migration_ex(', QUOTE(p_name),
                   ', TRUE, FALSE) rolls them back before it.'));
    END IF;
    -- the resolved name, database included, as PostgreSQL reports schema.table
    SET v_target = CONCAT(JSON_VALUE(v_meta, '$.target.schema'), '.', JSON_VALUE(v_meta, '$.target.name'));

    CALL ferry_lock(p_name, v_id, v_lock);
    SET v_locked = TRUE;

    IF v_outer THEN
        SAVEPOINT ferry_rollback;
    ELSE
        START TRANSACTION;
    END IF;
    SET v_open = TRUE;
    CALL ferry_interrupted(p_name);
    IF NOT p_force THEN
        CALL ferry_exec_plan(p_name, v_drift, NULL, v_counts);
    END IF;
    IF JSON_VALUE(v_spec, '$.kind') = 'update' THEN
        EXECUTE IMMEDIATE CONCAT('SELECT count(*) INTO @ferry_restored FROM `ferry_catalog`.`journal_', v_id, '`');
        SET v_restored = @ferry_restored, @ferry_restored = NULL;
    END IF;
    CALL ferry_exec(p_name, v_plan, v_inserted, v_deleted, v_source, v_migrated,
                    v_filtered, v_this_run, v_orphans);
    UPDATE ferry.migration_log SET status = 'rolled_back'
     WHERE db = DATABASE() AND phase = p_name AND operation = 'migrate'
       AND status = 'completed';
    INSERT INTO ferry.migration_log (db, phase, operation, status, `rows`, seconds,
                                     started_at, finished_at)
    VALUES (DATABASE(), p_name, 'rollback', 'completed', v_deleted + v_restored,
            ROUND(TIMESTAMPDIFF(MICROSECOND, v_start, SYSDATE(6)) / 1000000, 3),
            v_start, SYSDATE(6));
    IF v_outer THEN
        RELEASE SAVEPOINT ferry_rollback;
    ELSE
        COMMIT;
    END IF;
    SET v_open = FALSE;
    DO RELEASE_LOCK(v_lock);
    SET v_locked = FALSE;

    SET o_row = JSON_OBJECT('phase', p_name, 'target', v_target, 'rows_deleted', v_deleted,
                            'rows_restored', v_restored);
END//

-- rollback_migration_ex: rollback_migration(name, cascade, force) of
-- PostgreSQL (a MariaDB procedure has no parameter defaults, so the
-- two-flag form has a name of its own and CALL rollback_migration(name)
-- stays as it was).  With p_cascade the phases that depend on this one and
-- have migrated rows are rolled back first, children before parents, all
-- in one transaction (or a savepoint of the caller's); p_force skips the
-- drift guard of every phase it rolls back.  One row per phase rolled back.
CREATE PROCEDURE rollback_migration_ex(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                       IN p_cascade BOOLEAN,
                                       IN p_force BOOLEAN)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_order LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_rows LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_row LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_id BIGINT;
    DECLARE v_spec, v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open AND v_outer THEN
            ROLLBACK TO SAVEPOINT ferry_rollback_all;
        ELSEIF v_open THEN
            ROLLBACK;
        END IF;
        RESIGNAL;
    END;

    IF p_cascade IS NULL OR p_force IS NULL THEN
        CALL ferry_fail('22004', 'rollback_migration_ex: cascade and force must not be NULL', NULL);
    END IF;
    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    IF p_cascade THEN
        CALL ferry_cascade_order(p_name, v_order);
    ELSE
        SET v_order = JSON_ARRAY(p_name);
    END IF;
    IF v_outer THEN
        SAVEPOINT ferry_rollback_all;
    ELSE
        START TRANSACTION;
    END IF;
    SET v_open = TRUE;
    WHILE v_i < JSON_LENGTH(v_order) DO
        CALL ferry_rollback(JSON_VALUE(v_order, CONCAT('$[', v_i, ']')), p_force, v_row);
        SET v_rows = JSON_ARRAY_APPEND(v_rows, '$', JSON_EXTRACT(v_row, '$'));
        SET v_i = v_i + 1;
    END WHILE;
    IF v_outer THEN
        RELEASE SAVEPOINT ferry_rollback_all;
    ELSE
        COMMIT;
    END IF;
    SET v_open = FALSE;
    SELECT r.phase, r.target, r.rows_deleted, r.rows_restored
      FROM JSON_TABLE(v_rows, '$[*]' COLUMNS (
               seq FOR ORDINALITY,
               phase VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.phase',
               target VARCHAR(600) CHARACTER SET utf8mb4 PATH '$.target',
               rows_deleted BIGINT PATH '$.rows_deleted',
               rows_restored BIGINT PATH '$.rows_restored')) AS r
     ORDER BY r.seq;
END//

-- rollback_migration: rollback_migration_ex(name, FALSE, FALSE): refused
-- while dependent phases have rows or a row to undo was changed since.
CREATE PROCEDURE rollback_migration(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    CALL rollback_migration_ex(p_name, FALSE, FALSE);
END//

DELIMITER ;

-- ======================================================= migration_report
-- (issue 11.)
-- migration_report(name, format): a report people read, the same lines as
-- on PostgreSQL: per phase the books, the last run with its rows/s, the
-- rollback, the rejects grouped by reason with sample keys and validation,
-- as plain text ('text') or Markdown ('markdown'), one row per line.  It
-- validates now (ferry_validate), so the books are today's.  NULL name:
-- every phase of this database.
DROP PROCEDURE IF EXISTS migration_report;
DELIMITER //
CREATE PROCEDURE migration_report(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                  IN p_format VARCHAR(16) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_md BOOLEAN;
    DECLARE v_lines LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_checks LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_id, v_run, v_rb BIGINT;
    DECLARE v_name VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;

    IF p_format IS NULL OR p_format NOT IN ('text', 'markdown') THEN
        CALL ferry_fail('22023', CONCAT('migration_report: format must be ''text'' or ''markdown'', not ',
                                        COALESCE(QUOTE(p_format), 'NULL')), NULL);
    END IF;
    IF p_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ferry.phases WHERE db = DATABASE() AND name = p_name) THEN
        CALL ferry_fail('42704', CONCAT('phase "', p_name, '" does not exist'),
                        'CALL migration_status() lists the phases.');
    END IF;
    SET v_md = p_format = 'markdown';
    SET v_lines = JSON_ARRAY(IF(v_md, '# ferry migration report', 'ferry migration report'));
    SET v_id = (SELECT id FROM ferry.phases WHERE db = DATABASE() AND (p_name IS NULL OR name = p_name)
                 ORDER BY id LIMIT 1);
    WHILE v_id IS NOT NULL DO
        SELECT name, spec INTO v_name, v_spec FROM ferry.phases WHERE id = v_id;
        CALL ferry_validate(v_name, v_checks);
        SET v_run = (SELECT MAX(id) FROM ferry.migration_log
                      WHERE db = DATABASE() AND phase = v_name AND operation = 'migrate');
        SET v_rb = (SELECT MAX(id) FROM ferry.migration_log
                     WHERE db = DATABASE() AND phase = v_name AND operation = 'rollback' AND id > COALESCE(v_run, 0));
        SET v_lines = JSON_ARRAY_APPEND(v_lines, '$', '', '$',
            CONCAT(IF(v_md, '## ', 'phase '), v_name, ': ',
                   IF(v_md, CONCAT('`', JSON_VALUE(v_spec, '$.source'), '` -> `', JSON_VALUE(v_spec, '$.target'), '`'),
                      CONCAT(JSON_VALUE(v_spec, '$.source'), ' -> ', JSON_VALUE(v_spec, '$.target'))),
                   ', ',
                   COALESCE((SELECT CASE WHEN v_run IS NULL THEN 'defined'
                                WHEN l.status = 'failed' THEN 'failed'
                                WHEN l.status = 'started' THEN 'running'
                                WHEN l.operation = 'rollback' OR l.status = 'rolled_back' THEN 'rolled_back'
                                ELSE 'migrated' END
                      FROM ferry.migration_log AS l
                     WHERE l.id = (SELECT MAX(id) FROM ferry.migration_log
                                    WHERE db = DATABASE() AND phase = v_name AND operation <> 'sync')), 'defined')));
        IF v_md THEN
            SET v_lines = JSON_ARRAY_APPEND(v_lines, '$', '');
        END IF;
        SET v_lines = JSON_ARRAY_APPEND(v_lines,
            '$', CONCAT(IF(v_md, '- rows: ', '  rows        '),
                        (SELECT c.details FROM JSON_TABLE(v_checks, '$[*]' COLUMNS (
                                    check_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.check_name',
                                    details VARCHAR(1000) CHARACTER SET utf8mb4 PATH '$.details')) AS c
                          WHERE c.check_name = 'row_accounting')),
            '$', CONCAT(IF(v_md, '- last run: ', '  last run    '),
                        COALESCE((SELECT CONCAT(l.status, ' at ', DATE_FORMAT(l.started_at, '%Y-%m-%d %H:%i:%s'), ': ',
                                                COALESCE(l.`rows`, 0), ' rows in ',
                                                CAST(ROUND(COALESCE(l.seconds, 0), 3) AS DECIMAL(20, 3)), ' s',
                                                IF(l.seconds > 0, CONCAT(', ', ROUND(COALESCE(l.`rows`, 0) / l.seconds),
                                                                         ' rows/s'), ''),
                                                COALESCE(CONCAT(': ', l.error), ''))
                                    FROM ferry.migration_log AS l WHERE l.id = v_run), 'never migrated')),
            '$', CONCAT(IF(v_md, '- rollback: ', '  rollback    '),
                        COALESCE((SELECT CONCAT('rolled back at ', DATE_FORMAT(l.started_at, '%Y-%m-%d %H:%i:%s'), ': ',
                                                COALESCE(l.`rows`, 0), ' rows deleted in ',
                                                CAST(ROUND(COALESCE(l.seconds, 0), 3) AS DECIMAL(20, 3)), ' s')
                                    FROM ferry.migration_log AS l WHERE l.id = v_rb), 'not rolled back')));
        -- rejects by reason, the most frequent first, with their first keys
        SET v_lines = JSON_MERGE_PRESERVE(v_lines, COALESCE(
            (SELECT JSON_ARRAYAGG(CONCAT(IF(v_md, '- rejects: ', IF(r.n = 1, '  rejects     ', '              ')),
                                         r.cnt, ' x ', r.reason, ' (keys ', r.keys,
                                         IF(r.cnt > 3, ', ...', ''), ')') ORDER BY r.n)
               FROM (SELECT j.reason, COUNT(*) AS cnt,
                            GROUP_CONCAT(j.legacy_key ORDER BY j.id SEPARATOR ', ' LIMIT 3) AS `keys`,
                            ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC, j.reason) AS n
                       FROM ferry.migration_rejects AS j WHERE j.phase_id = v_id
                      GROUP BY j.reason) AS r),
            JSON_ARRAY(IF(v_md, '- rejects: none', '  rejects     none'))));
        IF v_md THEN
            SET v_lines = JSON_ARRAY_APPEND(v_lines, '$', '', '$', '| check | status | details |',
                                            '$', '|---|---|---|');
        END IF;
        SET v_lines = JSON_MERGE_PRESERVE(v_lines, COALESCE(
            (SELECT JSON_ARRAYAGG(IF(v_md,
                        CONCAT('| ', c.check_name, ' | ', c.status, ' | ', REPLACE(c.details, '|', '\\|'),
                               COALESCE(CONCAT(' (', REPLACE(c.sample, '|', '\\|'), ')'), ''), ' |'),
                        CONCAT(IF(c.seq = 1, '  validation  ', '              '), c.status, ' ', c.check_name, ': ',
                               c.details, COALESCE(CONCAT(' (', c.sample, ')'), ''))) ORDER BY c.seq)
               FROM JSON_TABLE(v_checks, '$[*]' COLUMNS (
                        seq FOR ORDINALITY,
                        check_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.check_name',
                        status VARCHAR(4) CHARACTER SET utf8mb4 PATH '$.status',
                        details VARCHAR(1000) CHARACTER SET utf8mb4 PATH '$.details',
                        sample VARCHAR(4000) CHARACTER SET utf8mb4 PATH '$.sample')) AS c),
            '[]'));
        SET v_id = (SELECT id FROM ferry.phases
                     WHERE db = DATABASE() AND id > v_id AND (p_name IS NULL OR name = p_name)
                     ORDER BY id LIMIT 1);
    END WHILE;
    SELECT l.report
      FROM JSON_TABLE(v_lines, '$[*]' COLUMNS (
               seq FOR ORDINALITY,
               report TEXT CHARACTER SET utf8mb4 PATH '$')) AS l
     ORDER BY l.seq;
END//
DELIMITER ;

-- ================================================================== SYNC
-- (issue 8.)
-- start_sync / stop_sync / finish_sync: live sync from the legacy table.
-- MariaDB has no statement-level triggers and no dynamic SQL in a trigger,
-- so a phase syncs through three per-row AFTER triggers on its source,
-- ferry_sync_<phase id>_insert|update|delete, whose bodies are static SQL
-- planned by ferry_plan_sync from the plan migrate_phase runs.  A stored
-- procedure may create and drop triggers through prepared statements, so
-- start_sync installs them and stop_sync drops them; both are DDL, which
-- MariaDB commits at once, so they refuse to run inside a transaction.
DROP PROCEDURE IF EXISTS ferry_sync_outside;
DROP PROCEDURE IF EXISTS ferry_sync_run;
DROP PROCEDURE IF EXISTS ferry_sync_meta;
DROP PROCEDURE IF EXISTS ferry_refuse_if_syncing;
DROP PROCEDURE IF EXISTS ferry_drop_sync_triggers;
DROP PROCEDURE IF EXISTS ferry_stop_sync;
DROP PROCEDURE IF EXISTS ferry_sync_current;
DROP PROCEDURE IF EXISTS start_sync;
DROP PROCEDURE IF EXISTS stop_sync;
DROP PROCEDURE IF EXISTS finish_sync;
DROP PROCEDURE IF EXISTS create_compat_view;
DELIMITER //

-- ferry_sync_outside: trigger DDL commits the caller's transaction, so
-- the sync procedures refuse to run inside one, before any write.
CREATE PROCEDURE ferry_sync_outside(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                    IN p_what VARCHAR(32) CHARACTER SET ascii)
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    IF @@in_transaction = 1 THEN
        CALL ferry_fail('25001',
            CONCAT('phase "', p_name, '": ', p_what, ' cannot run inside a transaction'),
            'It creates or drops triggers, which MariaDB commits at once; COMMIT first.');
    END IF;
END//

-- ferry_sync_run: the sync's log row of a phase, NULL when it does not sync.
CREATE PROCEDURE ferry_sync_run(IN p_id BIGINT, OUT o_run BIGINT)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    SET o_run = (SELECT sync_run_id FROM ferry.phases WHERE id = p_id);
END//

-- ferry_sync_meta: the metadata a phase's sync triggers are planned with:
-- ferry_build_meta's, but the catalog is the database ferry_sync_<id>
-- (install.sql, ferry_sync_views), which a trigger reaches for whoever
-- wrote the source row.
CREATE PROCEDURE ferry_sync_meta(IN p_summary LONGTEXT CHARACTER SET utf8mb4,
                                 IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                 IN p_id BIGINT,
                                 OUT o_meta LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    CALL ferry_build_meta(p_summary, p_name, p_id, o_meta);
    SET o_meta = JSON_SET(o_meta, '$.catalog_schema', CONCAT('ferry_sync_', p_id));
END//

-- ferry_refuse_if_syncing: while triggers write a phase's rows, redefining,
-- rolling back or dropping the phase would be overtaken by the next write.
CREATE PROCEDURE ferry_refuse_if_syncing(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                         IN p_id BIGINT,
                                         IN p_what VARCHAR(32) CHARACTER SET ascii)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_run BIGINT;

    CALL ferry_sync_run(p_id, v_run);
    IF v_run IS NOT NULL THEN
        CALL ferry_fail('55000', CONCAT('phase "', p_name, '" is syncing: stop it before ', p_what),
            CONCAT('CALL stop_sync(''', p_name, ''') first.'));
    END IF;
END//

-- ferry_drop_sync_triggers: the phase's triggers, wherever they are (the
-- source may have been renamed), found by name in information_schema.
CREATE PROCEDURE ferry_drop_sync_triggers(IN p_id BIGINT)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_schema VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_name VARCHAR(64) CHARACTER SET utf8mb4;

    SET v_name = '';
    WHILE v_name IS NOT NULL DO
        SELECT MIN(TRIGGER_NAME) INTO v_name FROM information_schema.TRIGGERS
         WHERE TRIGGER_NAME IN (CONCAT('ferry_sync_', p_id, '_insert'),
                                CONCAT('ferry_sync_', p_id, '_update'),
                                CONCAT('ferry_sync_', p_id, '_delete'));
        IF v_name IS NOT NULL THEN
            SELECT MIN(TRIGGER_SCHEMA) INTO v_schema FROM information_schema.TRIGGERS
             WHERE TRIGGER_NAME = v_name;
            EXECUTE IMMEDIATE CONCAT('DROP TRIGGER IF EXISTS `', REPLACE(v_schema, '`', '``'),
                                     '`.`', v_name, '`');
        END IF;
    END WHILE;
END//

-- ferry_stop_sync: drop the triggers, close the sync's log row (rows: the
-- source rows sync mapped) and mark the phase not syncing.
CREATE PROCEDURE ferry_stop_sync(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                 IN p_id BIGINT,
                                 IN p_run BIGINT,
                                 OUT o_synced BIGINT)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    CALL ferry_drop_sync_triggers(p_id);
    CALL ferry.ferry_sync_views(p_id, NULL);
    EXECUTE IMMEDIATE CONCAT('SELECT count(*) INTO @ferry_synced FROM `ferry_catalog`.`map_', p_id,
                             '` WHERE run_id = ?') USING p_run;
    SET o_synced = @ferry_synced;
    SET @ferry_synced = NULL;
    UPDATE ferry.migration_log
       SET status = 'completed', `rows` = o_synced, finished_at = SYSDATE(6),
           seconds = ROUND(TIMESTAMPDIFF(MICROSECOND, started_at, SYSDATE(6)) / 1000000, 3)
     WHERE id = p_run;
    UPDATE ferry.phases SET sync_run_id = NULL, sync_started_at = NULL WHERE id = p_id;
END//

-- ferry_sync_current: the installed triggers are the ones the phase's plan
-- gives now (their bodies compared with information_schema.TRIGGERS).  A
-- trigger planned before the source, the target or a referenced phase
-- changed would sync rows that migrate_phase would not write so: refused,
-- naming the phase, with the way out.
CREATE PROCEDURE ferry_sync_current(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                    IN p_id BIGINT,
                                    IN p_run BIGINT,
                                    IN p_spec LONGTEXT CHARACTER SET utf8mb4,
                                    IN p_summary LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_sql LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_i INT DEFAULT 0;
    DECLARE v_stale INT DEFAULT 0;

    CALL ferry_sync_meta(p_summary, p_name, p_id, v_meta);
    SET v_plan = ferry_plan_sync(p_name, p_spec, v_meta, p_run);
    CALL ferry_check(v_plan);
    WHILE v_i < JSON_LENGTH(v_plan, '$.statements') DO
        SET v_sql = JSON_UNQUOTE(JSON_EXTRACT(v_plan, CONCAT('$.statements[', v_i, '].sql')));
        IF v_sql LIKE 'CREATE TRIGGER %' AND NOT EXISTS (
               SELECT 1 FROM information_schema.TRIGGERS
                WHERE BINARY TRIGGER_SCHEMA = JSON_VALUE(v_meta, '$.source.schema')
                  AND BINARY TRIGGER_NAME = CONCAT('ferry_sync_', p_id, '_',
                      ELT(v_i DIV 2 + 1, 'insert', 'update', 'delete'))
                  AND BINARY ACTION_STATEMENT = SUBSTRING(v_sql, LOCATE(' FOR EACH ROW BEGIN ', v_sql) + 14)) THEN
            SET v_stale = v_stale + 1;
        END IF;
        SET v_i = v_i + 1;
    END WHILE;
    IF v_stale > 0 THEN
        CALL ferry_fail('55000',
            CONCAT('phase "', p_name, '": ', v_stale, ' of its sync triggers are missing or no longer what its plan gives',
                   ' (the source, the target or a referenced phase changed since start_sync)'),
            CONCAT('CALL stop_sync(''', p_name, '''); CALL start_sync(''', p_name,
                   '''); then CALL migrate_phase and validate before finishing.'));
    END IF;
END//

-- start_sync: install the phase's sync triggers, planned now, and open
-- the sync's log row (operation 'sync'), whose id the rows sync maps and
-- rejects carry.  Refused while it syncs, for a query source, a merge_on
-- or an update phase.  A failure takes out what it installed.
CREATE PROCEDURE start_sync(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_run BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_counts LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_lock VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_locked BOOLEAN DEFAULT FALSE;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_run IS NOT NULL THEN
            CALL ferry_drop_sync_triggers(v_id);
            CALL ferry.ferry_sync_views(v_id, NULL);
            DELETE FROM ferry.migration_log WHERE id = v_run;
        END IF;
        IF v_locked THEN
            DO RELEASE_LOCK(v_lock);
        END IF;
        RESIGNAL;
    END;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_owner_only(p_name, v_id, 'start sync on');
    CALL ferry_sync_outside(p_name, 'start_sync');
    CALL ferry_sync_run(v_id, v_run);
    IF v_run IS NOT NULL THEN
        SET v_run = NULL;
        CALL ferry_fail('55000', CONCAT('phase "', p_name, '" is already syncing'),
            CONCAT('CALL stop_sync(''', p_name, ''') first to restart it.'));
    END IF;
    CALL ferry_sync_meta(v_summary, p_name, v_id, v_meta);
    IF EXISTS (SELECT 1 FROM information_schema.TABLES
                WHERE BINARY TABLE_SCHEMA = JSON_VALUE(v_meta, '$.source.schema')
                  AND BINARY TABLE_NAME = JSON_VALUE(v_meta, '$.source.name')
                  AND TABLE_TYPE <> 'BASE TABLE') THEN
        CALL ferry_fail('42809',
            CONCAT('phase "', p_name, '": source "', JSON_VALUE(v_meta, '$.source.name'),
                   '" is a view; sync needs triggers on a table'),
            'Name the view''s base table as the source, or migrate with catch-up runs of migrate_phase.');
    END IF;
    -- planned once before any write: a phase sync cannot carry fails here
    CALL ferry_check(ferry_plan_sync(p_name, v_spec, v_meta, 0));
    CALL ferry_lock(p_name, v_id, v_lock);
    SET v_locked = TRUE;
    INSERT INTO ferry.migration_log (db, phase, operation, status)
    VALUES (DATABASE(), p_name, 'sync', 'started');
    SET v_run = LAST_INSERT_ID();
    SET v_plan = ferry_plan_sync(p_name, v_spec, v_meta, v_run);
    CALL ferry_check(v_plan);
    -- the triggers run as the caller's account (their definer)
    CALL ferry.ferry_sync_views(v_id, CURRENT_USER());
    CALL ferry_exec_plan(p_name, v_plan, NULL, v_counts);
    UPDATE ferry.phases SET sync_run_id = v_run, sync_started_at = NOW(6), last_synced_at = NULL
     WHERE id = v_id;
    DO RELEASE_LOCK(v_lock);
    SET v_locked = FALSE;
END//

-- stop_sync: drop the phase's sync triggers; the target keeps what they wrote.
CREATE PROCEDURE stop_sync(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_run BIGINT;
    DECLARE v_synced BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_lock VARCHAR(64) CHARACTER SET utf8mb4;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_owner_only(p_name, v_id, 'stop sync on');
    CALL ferry_sync_outside(p_name, 'stop_sync');
    CALL ferry_sync_run(v_id, v_run);
    IF v_run IS NULL THEN
        CALL ferry_fail('55000', CONCAT('phase "', p_name, '" is not syncing'),
            CONCAT('Start it with CALL start_sync(''', p_name, ''').'));
    END IF;
    CALL ferry_lock(p_name, v_id, v_lock);
    CALL ferry_stop_sync(p_name, v_id, v_run, v_synced);
    DO RELEASE_LOCK(v_lock);
END//

-- finish_sync: the cut-over, refused while the triggers are stale
-- (ferry_sync_current).  The catch-up (migrate_phase) and the
-- validation run in one transaction, rolled back with the error of
-- assert_migration_integrity (23000, every FAIL listed; sync stays on) if
-- validation has a FAIL; after the COMMIT the triggers are dropped.  The
-- DROP TRIGGER cannot join that transaction (DDL commits) and a procedure
-- cannot LOCK TABLES: a write landing between the COMMIT and the drop is
-- still synced by the triggers (DROP TRIGGER waits for the transactions
-- using the table), but the validation did not see it.  One row: phase,
-- caught_up (rows the catch-up migrated), synced (rows sync mapped),
-- sync_started_at.
CREATE PROCEDURE finish_sync(IN p_name VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_run BIGINT;
    DECLARE v_synced BIGINT;
    DECLARE v_started DATETIME(6);
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_row LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_lock VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_open BOOLEAN DEFAULT FALSE;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open THEN
            ROLLBACK;
        END IF;
        RESIGNAL;
    END;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    CALL ferry_owner_only(p_name, v_id, 'finish sync on');
    CALL ferry_sync_outside(p_name, 'finish_sync');
    CALL ferry_sync_run(v_id, v_run);
    IF v_run IS NULL THEN
        CALL ferry_fail('55000', CONCAT('phase "', p_name, '" is not syncing'),
            CONCAT('Start it with CALL start_sync(''', p_name, '''), or migrate it with CALL migrate_phase(''', p_name, ''').'));
    END IF;
    CALL ferry_sync_current(p_name, v_id, v_run, v_spec, v_summary);
    SET v_started = (SELECT sync_started_at FROM ferry.phases WHERE id = v_id);
    START TRANSACTION;
    SET v_open = TRUE;
    CALL ferry_migrate(p_name, v_row);
    CALL assert_migration_integrity(p_name);
    COMMIT;
    SET v_open = FALSE;
    CALL ferry_lock(p_name, v_id, v_lock);
    CALL ferry_stop_sync(p_name, v_id, v_run, v_synced);
    DO RELEASE_LOCK(v_lock);
    SELECT p_name AS phase,
           JSON_VALUE(v_row, '$.migrated') + JSON_VALUE(v_row, '$.merged') AS caught_up,
           v_synced AS synced, v_started AS sync_started_at;
END//

-- create_compat_view: the legacy table's shape as a read-only view over
-- the phase's target rows (those its id map names), computed back through
-- the spec's inverse (ferry_plan_compat_view), then one row per legacy
-- column: where it comes back from, or why it is NULL.  MariaDB has no
-- INSTEAD OF triggers: there is no writable form.
CREATE PROCEDURE create_compat_view(IN p_name VARCHAR(255) CHARACTER SET utf8mb4,
                                    IN p_view VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_id BIGINT;
    DECLARE v_spec LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_summary LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_meta LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_plan LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_rows LONGTEXT CHARACTER SET utf8mb4 DEFAULT '';
    DECLARE v_role VARCHAR(32) CHARACTER SET ascii;
    DECLARE v_sql LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_i INT DEFAULT 0;

    CALL ferry_load(p_name, v_id, v_spec, v_summary);
    IF p_view IS NULL THEN
        CALL ferry_fail('22004', CONCAT('phase "', p_name, '": view name must not be NULL'), NULL);
    END IF;
    CALL ferry_build_meta(v_summary, p_name, v_id, v_meta);
    SET v_plan = ferry_plan_compat_view(p_name, v_spec, v_meta, p_view);
    CALL ferry_check(v_plan);
    WHILE v_i < JSON_LENGTH(v_plan, '$.statements') DO
        SET v_role = JSON_VALUE(v_plan, CONCAT('$.statements[', v_i, '].role'));
        SET v_sql = JSON_UNQUOTE(JSON_EXTRACT(v_plan, CONCAT('$.statements[', v_i, '].sql')));
        IF v_role = 'ddl' THEN
            EXECUTE IMMEDIATE v_sql;
        ELSE
            SET v_rows = CONCAT(v_rows, IF(v_rows = '', '', ' UNION ALL '), v_sql);
        END IF;
        SET v_i = v_i + 1;
    END WHILE;
    EXECUTE IMMEDIATE v_rows;
END//

DELIMITER ;

-- ============================================================ baselines
-- capture_baseline(label, tables) / compare_baseline(a, b): what a DBA
-- writes down before a migration to compare with after it and after its
-- rollback (seed 000's "baseline metrics", which read information_schema's
-- TABLE_ROWS, an estimate for InnoDB): per table, its exact row count, its
-- size as the engine reports it (DATA_LENGTH + INDEX_LENGTH, an estimate)
-- and a checksum of its content -- the sum over its rows of 60 bits of the
-- MD5 of the row's QUOTE()d values, so independent of row order and
-- changed by any changed, added or removed row.  It reads as the caller:
-- with no list it measures every base table of this database the caller
-- may read (one it may not is left out), a named one it may not read fails
-- with MariaDB's own error.  tables: NULL or a JSON array of names, 't' (in
-- this database) or 'db.t'.  The checksums differ from PostgreSQL's (other
-- hashes); only "same" or "changed" compares across engines.
DROP PROCEDURE IF EXISTS ferry_baseline_measure;
DROP PROCEDURE IF EXISTS capture_baseline;
DROP PROCEDURE IF EXISTS compare_baseline;
DELIMITER //

-- ferry_baseline_measure: one statement per table (count and checksum in
-- one scan); o_rows a JSON array of {schema_name, table_name, row_count,
-- total_bytes, checksum}, shared by capture_baseline and a comparison
-- with now.
CREATE PROCEDURE ferry_baseline_measure(IN p_tables LONGTEXT CHARACTER SET utf8mb4,
                                        IN p_skip_unreadable BOOLEAN,
                                        OUT o_rows LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_done BOOLEAN DEFAULT FALSE;
    DECLARE v_denied BOOLEAN DEFAULT FALSE;
    DECLARE v_name VARCHAR(200) CHARACTER SET utf8mb4;
    DECLARE v_schema VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_table VARCHAR(64) CHARACTER SET utf8mb4;
    DECLARE v_values LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_saved_len BIGINT DEFAULT @@SESSION.group_concat_max_len;
    DECLARE c_tables CURSOR FOR
        SELECT t.name FROM JSON_TABLE(p_tables, '$[*]' COLUMNS (
                   name VARCHAR(200) CHARACTER SET utf8mb4 PATH '$' NULL ON EMPTY)) AS t;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = TRUE;

    IF p_tables IS NULL THEN
        SET p_tables = (SELECT COALESCE(JSON_ARRAYAGG(CONCAT(t.TABLE_SCHEMA, '.', t.TABLE_NAME)), '[]')
                          FROM information_schema.TABLES AS t
                         WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE');
        SET p_skip_unreadable = TRUE;
    ELSEIF NOT JSON_VALID(p_tables) OR JSON_TYPE(p_tables) <> 'ARRAY' THEN
        CALL ferry_fail('22023', 'baseline: tables must be NULL or a JSON array of table names',
                        'e.g. ''["orders", "otherdb.customers"]''');
    END IF;
    SET o_rows = '[]';
    SET SESSION group_concat_max_len = 16777216;
    OPEN c_tables;
    measure: LOOP
        FETCH c_tables INTO v_name;
        IF v_done THEN
            LEAVE measure;
        END IF;
        -- 'db.t' or 't'; a name with a dot in it is found as 'db.t' first
        SET v_schema = IF(LOCATE('.', v_name) > 0, SUBSTRING_INDEX(v_name, '.', 1), DATABASE());
        SET v_table = IF(LOCATE('.', v_name) > 0, SUBSTRING(v_name, LOCATE('.', v_name) + 1), v_name);
        IF v_name IS NULL OR NOT EXISTS (SELECT 1 FROM information_schema.TABLES AS t
                                          WHERE t.TABLE_SCHEMA = BINARY v_schema AND t.TABLE_NAME = BINARY v_table) THEN
            CLOSE c_tables;
            SET SESSION group_concat_max_len = v_saved_len;
            CALL ferry_fail('42P01', CONCAT('baseline: table ', COALESCE(QUOTE(v_name), 'NULL'), ' does not exist'),
                            'Name tables as a query would, ''t'' or ''db.t''; a NULL list measures every table you may read.');
        END IF;
        SET v_values = (SELECT GROUP_CONCAT(CONCAT('QUOTE(`', REPLACE(c.COLUMN_NAME, '`', '``'), '`)')
                                            ORDER BY c.ORDINAL_POSITION SEPARATOR ', ')
                          FROM information_schema.COLUMNS AS c
                         WHERE c.TABLE_SCHEMA = BINARY v_schema AND c.TABLE_NAME = BINARY v_table);
        SET @ferry_bl_rows = NULL, @ferry_bl_sum = NULL;
        BEGIN
            -- 1142: SELECT command denied; with no list the table is left out
            DECLARE CONTINUE HANDLER FOR 1142
            BEGIN
                IF NOT p_skip_unreadable THEN
                    SET SESSION group_concat_max_len = v_saved_len;
                    RESIGNAL;
                END IF;
                SET v_denied = TRUE;
            END;
            SET v_denied = FALSE;
            EXECUTE IMMEDIATE CONCAT(
                'SELECT COUNT(*), COALESCE(SUM(CAST(CONV(LEFT(MD5(CONCAT_WS(0x1f, ', v_values,
                ')), 15), 16, 10) AS UNSIGNED)), 0) INTO @ferry_bl_rows, @ferry_bl_sum FROM `',
                REPLACE(v_schema, '`', '``'), '`.`', REPLACE(v_table, '`', '``'), '`');
        END;
        IF NOT v_denied THEN
            SET o_rows = JSON_ARRAY_APPEND(o_rows, '$', JSON_OBJECT(
                'schema_name', v_schema, 'table_name', v_table, 'row_count', @ferry_bl_rows,
                'total_bytes', (SELECT COALESCE(t.DATA_LENGTH, 0) + COALESCE(t.INDEX_LENGTH, 0)
                                  FROM information_schema.TABLES AS t
                                 WHERE t.TABLE_SCHEMA = BINARY v_schema AND t.TABLE_NAME = BINARY v_table),
                'checksum', CAST(@ferry_bl_sum AS CHAR)));
        END IF;
    END LOOP;
    CLOSE c_tables;
    SET SESSION group_concat_max_len = v_saved_len;
    SET @ferry_bl_rows = NULL, @ferry_bl_sum = NULL;
END//

CREATE PROCEDURE capture_baseline(IN p_label VARCHAR(255) CHARACTER SET utf8mb4,
                                  IN p_tables LONGTEXT CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_rows LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_outer BOOLEAN DEFAULT (@@in_transaction = 1);
    DECLARE v_open BOOLEAN DEFAULT FALSE;

    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        IF v_open AND v_outer THEN
            ROLLBACK TO SAVEPOINT ferry_baseline;
        ELSEIF v_open THEN
            ROLLBACK;
        END IF;
        RESIGNAL;
    END;

    IF p_label IS NULL OR p_label = '' THEN
        CALL ferry_fail('22004', 'capture_baseline: the label must not be NULL or empty', NULL);
    END IF;
    CALL ferry_baseline_measure(p_tables, FALSE, v_rows);
    -- a label captured again is measured again: the earlier rows go, in
    -- the caller's transaction if one is open
    IF v_outer THEN
        SAVEPOINT ferry_baseline;
    ELSE
        START TRANSACTION;
    END IF;
    SET v_open = TRUE;
    DELETE FROM ferry.baselines WHERE db = DATABASE() AND label = p_label;
    INSERT INTO ferry.baselines (db, label, schema_name, table_name, row_count, total_bytes, checksum, captured_by)
    SELECT DATABASE(), p_label, m.schema_name, m.table_name, m.row_count, m.total_bytes, m.checksum, CURRENT_USER()
      FROM JSON_TABLE(v_rows, '$[*]' COLUMNS (
               schema_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.schema_name',
               table_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.table_name',
               row_count BIGINT PATH '$.row_count',
               total_bytes BIGINT PATH '$.total_bytes',
               checksum DECIMAL(65, 0) PATH '$.checksum')) AS m;
    IF NOT v_outer THEN
        COMMIT;
    END IF;
    SET v_open = FALSE;
    SELECT CONCAT(b.schema_name, '.', b.table_name) AS table_name, b.row_count, b.total_bytes, b.checksum
      FROM ferry.baselines AS b
     WHERE b.db = DATABASE() AND b.label = p_label
     ORDER BY b.schema_name, b.table_name;
END//

CREATE PROCEDURE compare_baseline(IN p_a VARCHAR(255) CHARACTER SET utf8mb4,
                                  IN p_b VARCHAR(255) CHARACTER SET utf8mb4)
    SQL SECURITY INVOKER
    READS SQL DATA
BEGIN
    DECLARE v_now LONGTEXT CHARACTER SET utf8mb4 DEFAULT '[]';
    DECLARE v_tables LONGTEXT CHARACTER SET utf8mb4;

    IF p_a IS NULL OR NOT EXISTS (SELECT 1 FROM ferry.baselines WHERE db = DATABASE() AND label = p_a) THEN
        CALL ferry_fail('42704', CONCAT('compare_baseline: no baseline ', COALESCE(QUOTE(p_a), 'NULL')),
                        'CALL capture_baseline(label, NULL) records one.');
    END IF;
    IF p_b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ferry.baselines WHERE db = DATABASE() AND label = p_b) THEN
        CALL ferry_fail('42704', CONCAT('compare_baseline: no baseline ', QUOTE(p_b)),
                        'Pass NULL as b to compare baseline a with the tables as they are now.');
    END IF;
    IF p_b IS NULL THEN
        -- now, over the tables of a that are still there
        SET v_tables = (SELECT COALESCE(JSON_ARRAYAGG(CONCAT(b.schema_name, '.', b.table_name)), '[]')
                          FROM ferry.baselines AS b
                         WHERE b.db = DATABASE() AND b.label = p_a
                           AND EXISTS (SELECT 1 FROM information_schema.TABLES AS t
                                        WHERE t.TABLE_SCHEMA = BINARY b.schema_name
                                          AND t.TABLE_NAME = BINARY b.table_name));
        CALL ferry_baseline_measure(v_tables, FALSE, v_now);
    END IF;
    SELECT CONCAT(COALESCE(x.schema_name, y.schema_name), '.', COALESCE(x.table_name, y.table_name)) AS table_name,
           x.row_count AS rows_a, y.row_count AS rows_b, y.row_count - x.row_count AS rows_diff,
           x.total_bytes AS bytes_a, y.total_bytes AS bytes_b,
           CASE WHEN x.table_name IS NULL THEN CONCAT('only in ', COALESCE(p_b, 'now'))
                WHEN y.table_name IS NULL THEN CONCAT('only in ', p_a)
                WHEN x.checksum = y.checksum AND x.row_count = y.row_count THEN 'same'
                ELSE 'changed' END AS content
      FROM (SELECT b.schema_name, b.table_name, b.row_count, b.total_bytes, b.checksum
              FROM ferry.baselines AS b WHERE b.db = DATABASE() AND b.label = p_a) AS x
      LEFT JOIN (SELECT b.schema_name, b.table_name, b.row_count, b.total_bytes, b.checksum
                   FROM ferry.baselines AS b WHERE b.db = DATABASE() AND b.label = p_b
                 UNION ALL
                 SELECT m.schema_name, m.table_name, m.row_count, m.total_bytes, m.checksum
                   FROM JSON_TABLE(v_now, '$[*]' COLUMNS (
                            schema_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.schema_name',
                            table_name VARCHAR(64) CHARACTER SET utf8mb4 PATH '$.table_name',
                            row_count BIGINT PATH '$.row_count',
                            total_bytes BIGINT PATH '$.total_bytes',
                            checksum DECIMAL(65, 0) PATH '$.checksum')) AS m) AS y
        ON y.schema_name = x.schema_name AND y.table_name = x.table_name
    UNION ALL
    SELECT CONCAT(y.schema_name, '.', y.table_name), NULL, y.row_count, NULL, NULL, y.total_bytes,
           CONCAT('only in ', p_b)
      FROM ferry.baselines AS y
     WHERE y.db = DATABASE() AND y.label = p_b
       AND NOT EXISTS (SELECT 1 FROM ferry.baselines AS x
                        WHERE x.db = DATABASE() AND x.label = p_a
                          AND x.schema_name = y.schema_name AND x.table_name = y.table_name)
    ORDER BY 1;
END//
DELIMITER ;

SET sql_mode = @ferry_saved_sql_mode;
SET @ferry_saved_sql_mode = NULL;
