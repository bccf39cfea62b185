-- ferry for MariaDB 10.11: catalog and UDFs.
--
-- Run once per server, as a user that may create databases and functions
-- (CREATE FUNCTION ... SONAME needs INSERT on mysql.func), after copying
-- ferry.so into the server's plugin_dir:
--
--     mariadb < mariadb_plugin/install.sql
--
-- Then, in every database that migrates data, load the procedures:
--
--     mariadb mydb < mariadb_plugin/procedures.sql
--
-- The catalog's tables live in the database `ferry_catalog`, on which no
-- user gets a right of its own; users reach the shared ones through the
-- views of the database `ferry` (ferry.phases, ferry.migration_log,
-- ferry.migration_rejects, ferry.baselines), which show a user only the
-- phases it owns or was granted, and a phase's id map (ferry_catalog.map_<id>)
-- by a grant on that table to its owner and grantees (see the ISOLATION
-- block at the end).  A user who migrates needs, besides EXECUTE on the
-- procedures and the usual rights on the source and target tables,
--
--     GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE, CREATE TEMPORARY TABLES ON ferry.* TO u;
--
-- (CREATE TEMPORARY TABLES for the id map define_phase builds in the
-- session before ferry.ferry_adopt_map makes it the phase's).  A user
-- without them cannot even read the catalog: ferry's procedures then fail
-- with MariaDB's own "command denied" error.  The procedures are
-- SQL SECURITY INVOKER: they can do only what their caller may do.
--
-- The UDFs are global (MariaDB has no schema for UDFs); they only compute
-- (UUIDs, JSON reshaping, spec validation, SQL plans) and never run SQL themselves.

CREATE DATABASE IF NOT EXISTS ferry CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE DATABASE IF NOT EXISTS ferry_catalog CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- ---------------------------------------------------------------- ISOLATION (move)
-- A catalog of version 1 or 2 kept its tables and id maps in `ferry` itself;
-- they move, rows and all, to `ferry_catalog` (RENAME TABLE moves a table
-- between databases without copying), where the rest of this file finds
-- them.  The ISOLATION block at the end puts views in their place.
DELIMITER //
BEGIN NOT ATOMIC
    DECLARE v_table VARCHAR(64);
    DECLARE v_done BOOLEAN DEFAULT FALSE;
    DECLARE c_tables CURSOR FOR
        SELECT TABLE_NAME FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = 'ferry' AND TABLE_TYPE = 'BASE TABLE'
           AND TABLE_NAME REGEXP '^(phases|migration_log|migration_rejects|catalog_version|baselines|map_[0-9]+|journal_[0-9]+)$';
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = TRUE;
    OPEN c_tables;
    moving: LOOP
        FETCH c_tables INTO v_table;
        IF v_done THEN
            LEAVE moving;
        END IF;
        -- the name matched the pattern above: letters, digits and '_' only
        EXECUTE IMMEDIATE CONCAT('RENAME TABLE `ferry`.`', v_table, '` TO `ferry_catalog`.`', v_table, '`');
    END LOOP;
    CLOSE c_tables;
END//
DELIMITER ;

-- One row per phase per database.  Names are exact (binary collation).
CREATE TABLE IF NOT EXISTS ferry_catalog.phases (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    db          VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    name        VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    spec        LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
                CHECK (JSON_VALID(spec)),
    checksum    CHAR(40) CHARACTER SET ascii NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY phases_db_name (db, name)
) ENGINE = InnoDB;

-- The run log.  A migrate run is logged inside its own transaction, so a
-- run that fails leaves no row at all (nothing partial).  A batched run
-- commits its row first and each batch with it: rows done so far, and in
-- progress the last committed key (a JSON array of its parts as text), where
-- the next run resumes if this one is interrupted ('started' while nobody
-- runs the phase, or 'failed' with the error).
CREATE TABLE IF NOT EXISTS ferry_catalog.migration_log (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    db          VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    phase       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    operation   VARCHAR(32) CHARACTER SET ascii NOT NULL,
    status      VARCHAR(16) CHARACTER SET ascii NOT NULL
                CHECK (status IN ('started', 'completed', 'failed', 'rolled_back')),
    `rows`      BIGINT NULL,
    seconds     DOUBLE NULL,
    error       TEXT CHARACTER SET utf8mb4 NULL,
    batch_size  BIGINT NULL,
    progress    JSON NULL,
    started_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    finished_at DATETIME(6) NULL,
    KEY migration_log_phase (db, phase, id)
) ENGINE = InnoDB;
-- batched runs (a catalog from before they came gets the columns)
ALTER TABLE ferry_catalog.migration_log
    ADD COLUMN IF NOT EXISTS batch_size BIGINT NULL AFTER error,
    ADD COLUMN IF NOT EXISTS progress JSON NULL AFTER batch_size;

-- Quarantined rows: a row a run could not migrate, with its reason and
-- the whole source row, until a later run migrates it.
CREATE TABLE IF NOT EXISTS ferry_catalog.migration_rejects (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    phase_id    BIGINT NOT NULL,
    phase       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    run_id      BIGINT NOT NULL,
    legacy_key  JSON NULL,
    reason      TEXT CHARACTER SET utf8mb4 NOT NULL,
    source_row  JSON NULL,
    rejected_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY migration_rejects_phase (phase_id, id)
) ENGINE = InnoDB;

-- Baselines (capture_baseline): per label and table, the exact row count,
-- the size the engine reports and a checksum of the content, as the caller
-- measured them in database db.
CREATE TABLE IF NOT EXISTS ferry_catalog.baselines (
    db          VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    label       VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    schema_name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    table_name  VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    row_count   BIGINT NOT NULL,
    total_bytes BIGINT NOT NULL,
    checksum    DECIMAL(65, 0) NOT NULL,
    captured_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    captured_by VARCHAR(384) CHARACTER SET utf8mb4 NOT NULL,
    PRIMARY KEY (db, label, schema_name, table_name)
) ENGINE = InnoDB;

-- The catalog's version, one row.  Running this file again upgrades in
-- place: every object above and below is IF NOT EXISTS, and a later
-- version's changes to existing catalog tables go here, each in a block
-- that runs only below its version and then raises the row, e.g.
--     BEGIN NOT ATOMIC
--       IF (SELECT version FROM ferry_catalog.catalog_version) < 2 THEN
--         ALTER TABLE ferry_catalog.migration_log ADD COLUMN ...;
--         UPDATE ferry_catalog.catalog_version SET version = 2;
--       END IF;
--     END
-- Version 1 is the catalog of ferry 0.1 and 0.2.
CREATE TABLE IF NOT EXISTS ferry_catalog.catalog_version (
    version     INT NOT NULL PRIMARY KEY
) ENGINE = InnoDB;
INSERT INTO ferry_catalog.catalog_version (version)
SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM ferry_catalog.catalog_version);
-- Version 2: live sync (start_sync, stop_sync, finish_sync).  A phase that
-- syncs has its sync's log row (operation 'sync'; the rows sync maps and
-- rejects carry its id as run_id) and the time sync started; its triggers
-- note the time of the last change they synced, kept after sync stops.
DELIMITER //
BEGIN NOT ATOMIC
    IF (SELECT version FROM ferry_catalog.catalog_version) < 2 THEN
        ALTER TABLE ferry_catalog.phases
            ADD COLUMN IF NOT EXISTS sync_run_id BIGINT NULL,
            ADD COLUMN IF NOT EXISTS sync_started_at DATETIME(6) NULL,
            ADD COLUMN IF NOT EXISTS last_synced_at DATETIME(6) NULL;
        UPDATE ferry_catalog.catalog_version SET version = 2;
    END IF;
END//
DELIMITER ;

-- Version 3: the catalog moved to `ferry_catalog` (above) and a phase has
-- an owner, the user name that defined it.  The phases of an older catalog
-- have none (NULL): every migrating user may use them, as before the
-- upgrade.  A baseline has one too, part of its key, so that two users'
-- labels do not meet; an older catalog's baselines have '' (everyone's).
DELIMITER //
BEGIN NOT ATOMIC
    IF (SELECT version FROM ferry_catalog.catalog_version) < 3 THEN
        ALTER TABLE ferry_catalog.phases
            ADD COLUMN IF NOT EXISTS owner VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER id;
        ALTER TABLE ferry_catalog.baselines
            ADD COLUMN IF NOT EXISTS owner VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
                DEFAULT '' FIRST,
            DROP PRIMARY KEY,
            ADD PRIMARY KEY (owner, db, label, schema_name, table_name);
        UPDATE ferry_catalog.catalog_version SET version = 3;
    END IF;
END//
DELIMITER ;

-- UDFs.  The C function names equal the SQL names (see mariadb_plugin/*.c).
CREATE FUNCTION IF NOT EXISTS uuid_v4 RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS legacy_to_json RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS legacy_to_json_error RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS json_restructure RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS json_restructure_inverse RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS json_restructure_error RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS json_keys_case RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS uuid_v5 RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS uuid_v7 RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_phase_check RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_define RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_drop RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_probe RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_dependency_order RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_migrate RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_migrate_range RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_keyscan RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_accounting RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_accounting_checks RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_validate RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_validate_verdict RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_rollback RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_sync RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_compat_view RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_drift RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_content_hash RETURNS INTEGER SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_plan_preflight RETURNS STRING SONAME 'ferry.so';
CREATE FUNCTION IF NOT EXISTS ferry_preflight_report RETURNS STRING SONAME 'ferry.so';

-- ---------------------------------------------------------------- ISOLATION
-- MariaDB has no row level security, so a user's view of the catalog is
-- made of SQL SECURITY DEFINER views: `ferry` holds views named as the
-- shared tables of the catalog (and the gatekeeping procedures below, and
-- the descriptions of query sources), which read and write the tables of
-- `ferry_catalog` as the locked account 'ferry'@'localhost' and show the
-- caller only the phases it may use: those it owns, those granted to it
-- (grant_phase), and those of an older catalog (no owner).  A phase's run
-- log and rejects (whole source rows) go with it; WITH CHECK OPTION refuses
-- a write the caller could not read back.  Its id map and journal are
-- tables granted to the accounts of its owner and grantees
-- (ferry_phase_tables says why not views).
--
-- Inside such a view CURRENT_USER() is the definer: the caller is known by
-- USER(), whose user name part is the name the client logged in with
-- (hence no anonymous account, checked below).  Accounts that share a user
-- name (alice@localhost, alice@'%') are one owner.
--
-- The definer runs no text a user wrote: the procedures take a phase id
-- (a number) and check that the caller owns the phase; grant_phase stores
-- the grantee's name as data and grants to the accounts mysql.global_priv
-- has for it, quoted as read there.
CREATE USER IF NOT EXISTS 'ferry'@'localhost' ACCOUNT LOCK;
ALTER USER 'ferry'@'localhost' ACCOUNT LOCK;
-- (GRANT OPTION: the id maps and journals are granted to their phases'
-- users, ferry_phase_user; mysql.global_priv names a user's accounts)
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, EXECUTE, TRIGGER ON ferry_catalog.* TO 'ferry'@'localhost'
    WITH GRANT OPTION;
GRANT SELECT, CREATE, CREATE VIEW, DROP, SHOW VIEW, EXECUTE ON ferry.* TO 'ferry'@'localhost';
GRANT SELECT ON mysql.global_priv TO 'ferry'@'localhost';
-- the databases ferry_sync_<phase id> of the phases that sync (SYNC below)
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, CREATE VIEW, SHOW VIEW
    ON `ferry\_sync\_%`.* TO 'ferry'@'localhost' WITH GRANT OPTION;

-- The grants a catalog of version 1 or 2 asked for (CREATE, DROP, INDEX on ferry.*)
-- would let a user drop a view of `ferry` and put a table of its own in
-- its place, which other users' procedures would then read and write: they
-- are taken back from every account, and the two rights the views need
-- given instead.  The account names come from mysql.db, quoted.
DELIMITER //
BEGIN NOT ATOMIC
    DECLARE v_user, v_host VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_account TEXT CHARACTER SET utf8mb4;
    DECLARE v_done BOOLEAN DEFAULT FALSE;
    DECLARE c_accounts CURSOR FOR
        SELECT User, Host FROM mysql.db
         WHERE Db = 'ferry' AND NOT (User = 'ferry' AND Host = 'localhost')
           AND 'Y' IN (Create_priv, Drop_priv, Index_priv, Alter_priv, Create_view_priv, Trigger_priv,
                       Create_routine_priv, Alter_routine_priv, Event_priv, Lock_tables_priv);
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = TRUE;
    OPEN c_accounts;
    revoking: LOOP
        FETCH c_accounts INTO v_user, v_host;
        IF v_done THEN
            LEAVE revoking;
        END IF;
        -- a role's row has no host
        SET v_account = IF(v_host = '', QUOTE(v_user), CONCAT(QUOTE(v_user), '@', QUOTE(v_host)));
        EXECUTE IMMEDIATE CONCAT('REVOKE CREATE, DROP, INDEX, ALTER, CREATE VIEW, TRIGGER, CREATE ROUTINE, ',
                                 'ALTER ROUTINE, EVENT, LOCK TABLES ON ferry.* FROM ', v_account);
        EXECUTE IMMEDIATE CONCAT('GRANT EXECUTE, CREATE TEMPORARY TABLES ON ferry.* TO ', v_account);
    END LOOP;
    CLOSE c_accounts;
END//
DELIMITER ;

-- the account a syncing phase's triggers run as, quoted (ferry_sync_views)
CREATE TABLE IF NOT EXISTS ferry_catalog.sync_grants (
    phase_id    BIGINT NOT NULL PRIMARY KEY,
    grantee     VARCHAR(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
) ENGINE = InnoDB;

-- who besides its owner may use a phase (grant_phase, revoke_phase)
CREATE TABLE IF NOT EXISTS ferry_catalog.phase_grants (
    phase_id    BIGINT NOT NULL,
    grantee     VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    granted_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (phase_id, grantee)
) ENGINE = InnoDB;

DELIMITER //
-- An anonymous account lets a client log in under any name, and USER()
-- is that name: with one, the views below would tell nobody apart.  (The
-- views cannot look for one themselves: mysql.global_priv is an Aria table,
-- and reading it inside a transaction breaks the savepoints of ferry's
-- runs.)  Checked here, at each install; creating one later is the DBA's
-- mistake to avoid (README, MariaDB 10.11).
BEGIN NOT ATOMIC
    IF EXISTS (SELECT 1 FROM mysql.global_priv WHERE User = '') THEN
        SIGNAL SQLSTATE '42501' SET MESSAGE_TEXT =
            'ferry: this server has an anonymous account, so a login name proves nothing and ferry cannot keep users apart; drop it (DROP USER ''''@''localhost'') and run install.sql again';
    END IF;
END//

-- caller: the user name the session logged in with (the user part of
-- USER(); CURRENT_USER() would be the definer).
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' FUNCTION ferry_catalog.caller()
    RETURNS VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
    SQL SECURITY DEFINER NOT DETERMINISTIC NO SQL
    RETURN SUBSTRING_INDEX(USER(), '@', 1)//

-- may_own: whether the caller may change, drop, share or build the map of
-- a phase of owner p_owner: only its owner may (a grantee may run it).
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' FUNCTION ferry_catalog.may_own(
        p_owner VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)
    RETURNS BOOLEAN
    SQL SECURITY DEFINER NOT DETERMINISTIC READS SQL DATA
BEGIN
    RETURN p_owner IS NULL OR p_owner = ferry_catalog.caller();
END//

-- A phase is owned by the user who inserts it, whatever the INSERT says,
-- and only its owner may change or delete it (a grantee may run it).  One
-- column is not the owner's alone: a sync trigger notes last_synced_at for
-- whoever wrote the source row (SYNC below), so a change of that column
-- alone is anyone's who can reach the row.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' TRIGGER ferry_catalog.phases_owner
    BEFORE INSERT ON ferry_catalog.phases FOR EACH ROW
    SET NEW.owner = ferry_catalog.caller()//
-- A baseline is its capturer's, whatever the INSERT says.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' TRIGGER ferry_catalog.baselines_owner
    BEFORE INSERT ON ferry_catalog.baselines FOR EACH ROW
    SET NEW.owner = ferry_catalog.caller()//
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' TRIGGER ferry_catalog.phases_update
    BEFORE UPDATE ON ferry_catalog.phases FOR EACH ROW
BEGIN
    IF NOT ferry_catalog.may_own(OLD.owner)
       AND NOT (NEW.id <=> OLD.id AND NEW.owner <=> OLD.owner AND NEW.db <=> OLD.db
                AND NEW.name <=> OLD.name AND NEW.spec <=> OLD.spec AND NEW.checksum <=> OLD.checksum
                AND NEW.created_at <=> OLD.created_at AND NEW.updated_at <=> OLD.updated_at
                AND NEW.sync_run_id <=> OLD.sync_run_id
                AND NEW.sync_started_at <=> OLD.sync_started_at) THEN
        SET @ferry_denied = CONCAT('phase "', OLD.name, '" belongs to user "', OLD.owner,
                                   '": only its owner may change it');
        SIGNAL SQLSTATE '42501' SET MESSAGE_TEXT = @ferry_denied;
    END IF;
    SET NEW.owner = OLD.owner, NEW.id = OLD.id;
END//
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' TRIGGER ferry_catalog.phases_delete
    BEFORE DELETE ON ferry_catalog.phases FOR EACH ROW
BEGIN
    IF NOT ferry_catalog.may_own(OLD.owner) THEN
        SET @ferry_denied = CONCAT('phase "', OLD.name, '" belongs to user "', OLD.owner,
                                   '": only its owner may drop it');
        SIGNAL SQLSTATE '42501' SET MESSAGE_TEXT = @ferry_denied;
    END IF;
END//

-- ferry_phase_tables: give (p_grant) or take back the rights on the id
-- map and journal of phase p_id to or from account p_account (quoted).
-- They are tables of ferry_catalog that a phase's owner and grantees reach
-- by these grants, not through views: MariaDB 10.11 refuses a prepared
-- multi-table UPDATE that reads a SQL SECURITY DEFINER view ("SELECT
-- command denied to user 'ferry'"), and the runs' statements are prepared.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry_catalog.ferry_phase_tables(
        IN p_id BIGINT, IN p_account VARCHAR(400) CHARACTER SET utf8mb4, IN p_grant BOOLEAN)
    SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
    DECLARE v_table VARCHAR(64) CHARACTER SET utf8mb4 DEFAULT '';
    -- a grant already taken back (by hand, or the account is gone) is no error here
    DECLARE CONTINUE HANDLER FOR 1141, 1147, 1133 BEGIN END;

    WHILE v_table IS NOT NULL DO
        -- names as utf8mb3, information_schema's: compared as utf8mb4 they
        -- would make it read every table of the server
        SELECT MIN(TABLE_NAME) INTO v_table FROM information_schema.TABLES
         WHERE TABLE_SCHEMA = 'ferry_catalog' AND TABLE_NAME > CONVERT(v_table USING utf8mb3)
           AND TABLE_NAME IN (CONVERT(CONCAT('map_', p_id) USING utf8mb3),
                              CONVERT(CONCAT('journal_', p_id) USING utf8mb3));
        IF v_table IS NOT NULL THEN
            EXECUTE IMMEDIATE CONCAT(IF(p_grant, 'GRANT', 'REVOKE'),
                                     ' SELECT, INSERT, UPDATE, DELETE ON `ferry_catalog`.`', v_table,
                                     IF(p_grant, '` TO ', '` FROM '), p_account);
        END IF;
    END WHILE;
END//

-- ferry_phase_user: ferry_phase_tables for every account of the user named
-- p_user (alice@localhost and alice@'%' are one owner, as in the views).
-- An account created later gets nothing: grant_phase again.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry_catalog.ferry_phase_user(
        IN p_id BIGINT, IN p_user VARCHAR(128) CHARACTER SET utf8mb4, IN p_grant BOOLEAN)
    SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
    DECLARE v_host VARCHAR(255) CHARACTER SET utf8mb4 DEFAULT '';

    -- a role's row has no host: roles are not users here.  The account is
    -- quoted from the row found, not from what the caller passed.
    WHILE v_host IS NOT NULL DO
        SELECT MIN(Host) INTO v_host FROM mysql.global_priv WHERE User = p_user AND Host > v_host;
        IF v_host IS NOT NULL THEN
            CALL ferry_catalog.ferry_phase_tables(p_id,
                (SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.global_priv
                  WHERE User = p_user AND Host = v_host), p_grant);
        END IF;
    END WHILE;
END//

-- ferry_phase_users: ferry_phase_user for the owner of phase p_id (the
-- caller, for a phase of an older catalog) and every user it is shared with.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry_catalog.ferry_phase_users(
        IN p_id BIGINT, IN p_grant BOOLEAN)
    SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
    DECLARE v_user VARCHAR(128) CHARACTER SET utf8mb4 DEFAULT '';

    CALL ferry_catalog.ferry_phase_user(p_id, COALESCE((SELECT owner FROM ferry_catalog.phases WHERE id = p_id),
                                                       ferry_catalog.caller()), p_grant);
    WHILE v_user IS NOT NULL DO
        SELECT MIN(grantee) INTO v_user FROM ferry_catalog.phase_grants WHERE phase_id = p_id AND grantee > v_user;
        IF v_user IS NOT NULL THEN
            CALL ferry_catalog.ferry_phase_user(p_id, v_user, p_grant);
        END IF;
    END WHILE;
END//

-- ferry_owned: the phase p_id, refused unless the caller owns it.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry_catalog.ferry_owned(IN p_id BIGINT)
    SQL SECURITY DEFINER READS SQL DATA
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ferry_catalog.phases
                    WHERE id = p_id AND ferry_catalog.may_own(owner)) THEN
        SET @ferry_denied = CONCAT('phase id ', COALESCE(p_id, 'NULL'), ' does not exist or is not yours');
        SIGNAL SQLSTATE '42501' SET MESSAGE_TEXT = @ferry_denied;
    END IF;
END//

-- ferry_adopt_map: make the caller's temporary tables ferry.map_<id> and,
-- for an update phase, ferry.journal_<id> (built by define_phase from the
-- planned DDL, as the caller) the id map and journal of its phase p_id:
-- tables of ferry_catalog of the same structure, empty, granted to the
-- accounts of the owner and of the users the phase is shared with.  A
-- temporary table is seen only by its session, so no other user can touch
-- it before it is adopted.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry.ferry_adopt_map(IN p_id BIGINT)
    SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
    DECLARE v_journal BOOLEAN DEFAULT TRUE;

    CALL ferry_catalog.ferry_owned(p_id);
    EXECUTE IMMEDIATE CONCAT('CREATE TABLE `ferry_catalog`.`map_', p_id, '` LIKE `ferry`.`map_', p_id, '`');
    EXECUTE IMMEDIATE CONCAT('DROP TEMPORARY TABLE `ferry`.`map_', p_id, '`');
    journal: BEGIN
        -- no journal: not an update phase
        DECLARE EXIT HANDLER FOR 1146 SET v_journal = FALSE;
        EXECUTE IMMEDIATE CONCAT('CREATE TABLE `ferry_catalog`.`journal_', p_id, '` LIKE `ferry`.`journal_', p_id, '`');
    END journal;
    IF v_journal THEN
        EXECUTE IMMEDIATE CONCAT('DROP TEMPORARY TABLE `ferry`.`journal_', p_id, '`');
    END IF;
    -- a redefined phase's new map is shared as the old one was
    CALL ferry_catalog.ferry_phase_users(p_id, TRUE);
END//

-- ferry_drop_map: drop the id map (and journal) of the caller's phase
-- p_id, refused while the map holds rows (they are the only record of what
-- to roll back); the grants on them are taken back first (MariaDB keeps a
-- dropped table's grants for the next table of its name).  Who the phase
-- is shared with is forgotten too (p_forget: drop_phase), or kept for the
-- map a redefinition builds next.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry.ferry_drop_map(IN p_id BIGINT, IN p_forget BOOLEAN)
    SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
    CALL ferry_catalog.ferry_owned(p_id);
    IF EXISTS (SELECT 1 FROM information_schema.TABLES
                WHERE TABLE_SCHEMA = 'ferry_catalog' AND TABLE_NAME = CONVERT(CONCAT('map_', p_id) USING utf8mb3)) THEN
        EXECUTE IMMEDIATE CONCAT('SET @ferry_map_rows = (SELECT count(*) FROM `ferry_catalog`.`map_', p_id, '`)');
        IF @ferry_map_rows > 0 THEN
            SET @ferry_denied = CONCAT('the map of phase id ', p_id, ' holds ', @ferry_map_rows, ' rows');
            SIGNAL SQLSTATE '55000' SET MESSAGE_TEXT = @ferry_denied;
        END IF;
    END IF;
    CALL ferry_catalog.ferry_phase_users(p_id, FALSE);
    EXECUTE IMMEDIATE CONCAT('DROP TABLE IF EXISTS `ferry_catalog`.`map_', p_id, '`, `ferry_catalog`.`journal_', p_id, '`');
    IF p_forget THEN
        DELETE FROM ferry_catalog.phase_grants WHERE phase_id = p_id;
    END IF;
END//

-- ferry_share: let the user named p_grantee use the caller's phase p_id
-- (p_grant) or no longer (NOT p_grant): the views show it the phase, and
-- its accounts get the rights on the phase's id map and journal.  The
-- name is stored and quoted, never run.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry.ferry_share(
        IN p_id BIGINT, IN p_grantee VARCHAR(128) CHARACTER SET utf8mb4, IN p_grant BOOLEAN)
    SQL SECURITY DEFINER MODIFIES SQL DATA
body: BEGIN
    CALL ferry_catalog.ferry_owned(p_id);
    IF p_grantee IS NULL OR p_grantee = '' OR p_grant IS NULL THEN
        SIGNAL SQLSTATE '22004' SET MESSAGE_TEXT = 'grantee must be a user name';
    END IF;
    -- the owner keeps its phase (granting it to the owner gives the rights
    -- to the owner's accounts created since); a phase of an older catalog,
    -- which has none, is shared as any other (NOT NULL is not true)
    IF NOT p_grantee <> (SELECT owner FROM ferry_catalog.phases WHERE id = p_id) THEN
        IF p_grant THEN
            CALL ferry_catalog.ferry_phase_user(p_id, p_grantee, TRUE);
        END IF;
        LEAVE body;
    END IF;
    IF p_grant THEN
        INSERT IGNORE INTO ferry_catalog.phase_grants (phase_id, grantee) VALUES (p_id, p_grantee);
    ELSE
        DELETE FROM ferry_catalog.phase_grants WHERE phase_id = p_id AND grantee = p_grantee;
    END IF;
    CALL ferry_catalog.ferry_phase_user(p_id, p_grantee, p_grant);
END//

-- ferry_query_name: the name of the empty table of `ferry` that describes
-- a {"query": ...} source p_query of database p_db for the phases of
-- p_owner (NULL: those of an older catalog, which have no owner): its
-- result's columns, with their types.  A procedure cannot read the columns
-- of a result or of a temporary table, so define_phase describes the query
-- into one (ferry_query) and every later run describes the source from it.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' FUNCTION ferry.ferry_query_name(
        p_owner VARCHAR(128) CHARACTER SET utf8mb4, p_db VARCHAR(64) CHARACTER SET utf8mb4,
        p_query LONGTEXT CHARACTER SET utf8mb4)
    RETURNS VARCHAR(64) CHARACTER SET utf8mb4
    SQL SECURITY DEFINER DETERMINISTIC NO SQL
    RETURN CONCAT('query_', SHA1(CONCAT(IF(p_owner IS NULL, '', CONCAT(p_owner, '/')), p_db, '.', p_query)))//

-- ferry_query: the description of query p_query of database p_db for the
-- phases of the owner of phase p_id (which the caller must own) or, for a
-- phase not written yet (p_id NULL), of the caller.  p_adopt: the caller's
-- temporary table of that name (define_phase ran the query into it, LIMIT
-- 0, as the caller) becomes it; otherwise it is dropped unless a phase of
-- that owner in p_db other than p_id still has the query.  The name is
-- computed here from the owner, so a user can only ever replace its own
-- descriptions; the query's text is hashed, never run.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry.ferry_query(
        IN p_db VARCHAR(64) CHARACTER SET utf8mb4, IN p_query LONGTEXT CHARACTER SET utf8mb4,
        IN p_id BIGINT, IN p_adopt BOOLEAN)
    SQL SECURITY DEFINER MODIFIES SQL DATA
BEGIN
    DECLARE v_owner VARCHAR(128) CHARACTER SET utf8mb4 DEFAULT ferry_catalog.caller();
    DECLARE v_name VARCHAR(64) CHARACTER SET utf8mb4;

    IF p_db IS NULL OR p_query IS NULL OR p_adopt IS NULL THEN
        SIGNAL SQLSTATE '22004' SET MESSAGE_TEXT = 'ferry_query: database, query and action must not be NULL';
    END IF;
    IF p_id IS NOT NULL THEN
        CALL ferry_catalog.ferry_owned(p_id);
        SET v_owner = (SELECT owner FROM ferry_catalog.phases WHERE id = p_id);
    END IF;
    SET v_name = ferry.ferry_query_name(v_owner, p_db, p_query);
    IF p_adopt THEN
        EXECUTE IMMEDIATE CONCAT('CREATE OR REPLACE TABLE `ferry_catalog`.`', v_name, '` LIKE `ferry`.`', v_name, '`');
        EXECUTE IMMEDIATE CONCAT('DROP TEMPORARY TABLE `ferry`.`', v_name, '`');
        EXECUTE IMMEDIATE CONCAT('CREATE OR REPLACE TABLE `ferry`.`', v_name, '` LIKE `ferry_catalog`.`', v_name, '`');
        EXECUTE IMMEDIATE CONCAT('DROP TABLE `ferry_catalog`.`', v_name, '`');
    ELSEIF NOT EXISTS (SELECT 1 FROM ferry_catalog.phases
                        WHERE db = p_db AND owner <=> v_owner AND id <> p_id
                          AND JSON_VALUE(ferry_phase_check(name, spec), '$.source_query') = p_query) THEN
        EXECUTE IMMEDIATE CONCAT('DROP TABLE IF EXISTS `ferry`.`', v_name, '`');
    END IF;
END//

-- ferry_sync_views: what the sync triggers of the caller's phase p_id
-- need to reach the catalog, granted to p_account, the account they run
-- as; or none any more (p_account NULL).  A trigger runs with the rights of
-- the account that created it (start_sync's caller), but USER() is
-- whoever wrote the source row, so the views of `ferry`, which filter on
-- USER(), would hide the phase from it.  It gets the database
-- ferry_sync_<p_id> instead, whose views show the phase's own row and
-- rejects (the id maps are the owner's tables already, ferry_phase_user).
-- ferry_catalog.sync_grants keeps the account, so that the grants can be
-- taken back: MariaDB keeps a dropped view's grants.  start_sync passes
-- CURRENT_USER(); naming another account would only let it write this
-- phase's sync bookkeeping, which its owner may give away anyway.  Nothing
-- a user wrote is run: the account must exist (mysql.global_priv) and is
-- quoted, objects are built from ids.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' PROCEDURE ferry.ferry_sync_views(
        IN p_id BIGINT, IN p_account VARCHAR(384) CHARACTER SET utf8mb4)
    SQL SECURITY DEFINER MODIFIES SQL DATA
body: BEGIN
    DECLARE v_db VARCHAR(64) CHARACTER SET utf8mb4 DEFAULT CONCAT('`ferry_sync_', p_id, '`');
    DECLARE v_to VARCHAR(400) CHARACTER SET utf8mb4;
    DECLARE v_user VARCHAR(128) CHARACTER SET utf8mb4;
    DECLARE v_host VARCHAR(255) CHARACTER SET utf8mb4;

    CALL ferry_catalog.ferry_owned(p_id);
    SET v_to = (SELECT grantee FROM ferry_catalog.sync_grants WHERE phase_id = p_id);
    IF v_to IS NOT NULL THEN
        revoking: BEGIN
            -- a grant already taken back (by hand, or the account is gone) is no error here
            DECLARE CONTINUE HANDLER FOR 1141, 1147, 1133 BEGIN END;
            EXECUTE IMMEDIATE CONCAT('REVOKE SELECT, UPDATE ON ', v_db, '.`phases` FROM ', v_to);
            EXECUTE IMMEDIATE CONCAT('REVOKE SELECT, INSERT, DELETE ON ', v_db, '.`migration_rejects` FROM ', v_to);
        END revoking;
        DELETE FROM ferry_catalog.sync_grants WHERE phase_id = p_id;
    END IF;
    EXECUTE IMMEDIATE CONCAT('DROP DATABASE IF EXISTS ', v_db);
    IF p_account IS NULL THEN
        LEAVE body;
    END IF;

    SET v_host = SUBSTRING_INDEX(p_account, '@', -1);
    SET v_user = LEFT(p_account, CHAR_LENGTH(p_account) - CHAR_LENGTH(v_host) - 1);
    IF v_host = p_account OR NOT EXISTS (SELECT 1 FROM mysql.global_priv WHERE User = v_user AND Host = v_host) THEN
        SIGNAL SQLSTATE '22023' SET MESSAGE_TEXT = 'account must be an existing user@host, as CURRENT_USER() gives it';
    END IF;
    SET v_to = (SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.global_priv
                 WHERE User = v_user AND Host = v_host);
    INSERT INTO ferry_catalog.sync_grants (phase_id, grantee) VALUES (p_id, v_to);
    EXECUTE IMMEDIATE CONCAT('CREATE DATABASE ', v_db, ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
    EXECUTE IMMEDIATE CONCAT('CREATE VIEW ', v_db, '.`phases` AS SELECT * FROM `ferry_catalog`.`phases` WHERE id = ',
                             p_id, ' WITH CHECK OPTION');
    EXECUTE IMMEDIATE CONCAT('CREATE VIEW ', v_db, '.`migration_rejects` AS SELECT * FROM `ferry_catalog`.`migration_rejects`',
                             ' WHERE phase_id = ', p_id, ' WITH CHECK OPTION');
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, UPDATE ON ', v_db, '.`phases` TO ', v_to);
    EXECUTE IMMEDIATE CONCAT('GRANT SELECT, INSERT, DELETE ON ', v_db, '.`migration_rejects` TO ', v_to);
END//

-- The phases the caller may use: those it owns, those granted to it, and
-- those of an older catalog (no owner).  The test is written out, not a
-- stored function: the views run it for every row they read, and the
-- procedures' loops read the phases many times over.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' SQL SECURITY DEFINER VIEW ferry_catalog.caller_phases AS
SELECT p.id, p.db, p.name FROM ferry_catalog.phases AS p
 WHERE p.owner IS NULL OR p.owner = SUBSTRING_INDEX(USER(), '@', 1)
    OR p.id IN (SELECT g.phase_id FROM ferry_catalog.phase_grants AS g
                 WHERE g.grantee = SUBSTRING_INDEX(USER(), '@', 1))//

-- the views of `ferry`, and one per id map (an older catalog's maps
-- too).  ferry.phases repeats caller_phases' test: a view whose WHERE reads
-- its own table through a subquery could not be written through.
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' SQL SECURITY DEFINER VIEW ferry.phases AS
SELECT * FROM ferry_catalog.phases AS p
 WHERE p.owner IS NULL OR p.owner = SUBSTRING_INDEX(USER(), '@', 1)
    OR p.id IN (SELECT g.phase_id FROM ferry_catalog.phase_grants AS g
                 WHERE g.grantee = SUBSTRING_INDEX(USER(), '@', 1))
WITH CHECK OPTION//
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' SQL SECURITY DEFINER VIEW ferry.migration_log AS
SELECT * FROM ferry_catalog.migration_log AS l
 WHERE EXISTS (SELECT 1 FROM ferry_catalog.caller_phases AS p WHERE p.db = l.db AND p.name = l.phase)
WITH CHECK OPTION//
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' SQL SECURITY DEFINER VIEW ferry.migration_rejects AS
SELECT * FROM ferry_catalog.migration_rejects AS r
 WHERE EXISTS (SELECT 1 FROM ferry_catalog.caller_phases AS p WHERE p.id = r.phase_id)
WITH CHECK OPTION//
-- a user's baselines (capture_baseline), and an older catalog's
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' SQL SECURITY DEFINER VIEW ferry.baselines AS
SELECT * FROM ferry_catalog.baselines AS b
 WHERE b.owner IN ('', SUBSTRING_INDEX(USER(), '@', 1))
WITH CHECK OPTION//
CREATE OR REPLACE DEFINER = 'ferry'@'localhost' SQL SECURITY DEFINER VIEW ferry.catalog_version AS
SELECT MAX(version) AS version FROM ferry_catalog.catalog_version//
-- The id maps of an older catalog's phases (no owner: everyone's) are
-- granted to every account that may use `ferry`, as they were before the
-- upgrade.
BEGIN NOT ATOMIC
    DECLARE v_id BIGINT DEFAULT 0;
    DECLARE v_user, v_host VARCHAR(255) CHARACTER SET utf8mb4;
    DECLARE v_done BOOLEAN DEFAULT FALSE;
    DECLARE c_accounts CURSOR FOR
        SELECT User, Host FROM mysql.db
         WHERE Db = 'ferry' AND Host <> '' AND Select_priv = 'Y' AND NOT (User = 'ferry' AND Host = 'localhost');
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = TRUE;
    WHILE v_id IS NOT NULL DO
        SELECT MIN(id) INTO v_id FROM ferry_catalog.phases WHERE owner IS NULL AND id > v_id;
        IF v_id IS NOT NULL THEN
            SET v_done = FALSE;
            OPEN c_accounts;
            granting: LOOP
                FETCH c_accounts INTO v_user, v_host;
                IF v_done THEN
                    LEAVE granting;
                END IF;
                CALL ferry_catalog.ferry_phase_tables(v_id, CONCAT(QUOTE(v_user), '@', QUOTE(v_host)), TRUE);
            END LOOP;
            CLOSE c_accounts;
        END IF;
    END WHILE;
END//
DELIMITER ;
