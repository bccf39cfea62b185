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
-- The catalog lives in its own database `ferry`.  Nothing here is granted
-- to anyone: MariaDB has no PUBLIC role, and ferry adds no grant.  A user
-- who migrates needs, besides EXECUTE on the procedures and the usual
-- rights on the source and target tables,
--
--     GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX ON ferry.* TO u;
--
-- (CREATE, DROP and INDEX for the per-phase id map tables
-- ferry.map_<phase id>, which define_phase creates and drop_phase drops).
-- A user without them cannot even read the catalog: ferry's procedures
-- then fail with MariaDB's own "command denied" error.  The procedures are
-- SQL SECURITY INVOKER: they can do only what their caller may do.
--
-- The UDFs are global (MariaDB has no schema for UDFs); they only compute
-- (UUIDs, JSON reshaping, spec validation, SQL plans) and never run SQL themselves.

CREATE DATABASE IF NOT EXISTS ferry CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;

-- One row per phase per database.  Names are exact (binary collation).
CREATE TABLE IF NOT EXISTS ferry.phases (
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
CREATE TABLE IF NOT EXISTS ferry.migration_log (
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
ALTER TABLE ferry.migration_log
    ADD COLUMN IF NOT EXISTS batch_size BIGINT NULL AFTER error,
    ADD COLUMN IF NOT EXISTS progress JSON NULL AFTER batch_size;

-- Quarantined rows: a row a run could not migrate, with its reason and
-- the whole source row, until a later run migrates it.
CREATE TABLE IF NOT EXISTS ferry.migration_rejects (
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
CREATE TABLE IF NOT EXISTS ferry.baselines (
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
--       IF (SELECT version FROM ferry.catalog_version) < 2 THEN
--         ALTER TABLE ferry.migration_log ADD COLUMN ...;
--         UPDATE ferry.catalog_version SET version = 2;
--       END IF;
--     END
-- Version 1 is the catalog of ferry 0.1 and 0.2.
CREATE TABLE IF NOT EXISTS ferry.catalog_version (
    version     INT NOT NULL PRIMARY KEY
) ENGINE = InnoDB;
INSERT INTO ferry.catalog_version (version)
SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM ferry.catalog_version);

-- Version 2: live sync (start_sync, stop_sync, finish_sync).  A phase that
-- syncs has its sync's log row (operation 'sync'; the rows sync maps and
-- rejects carry its id as run_id) and the time sync started; its triggers
-- note the time of the last change they synced, kept after sync stops.
DELIMITER //
BEGIN NOT ATOMIC
    IF (SELECT version FROM ferry.catalog_version) < 2 THEN
        ALTER TABLE ferry.phases
            ADD COLUMN IF NOT EXISTS sync_run_id BIGINT NULL,
            ADD COLUMN IF NOT EXISTS sync_started_at DATETIME(6) NULL,
            ADD COLUMN IF NOT EXISTS last_synced_at DATETIME(6) NULL;
        UPDATE ferry.catalog_version SET version = 2;
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
