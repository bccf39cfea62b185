-- ferry 0.1: data migrations in named phases, with proof and undo.
\echo Use "CREATE EXTENSION ferry" to load this file. \quit

-- The catalog lives in its own schema; user schemas stay clean.  PUBLIC
-- gets nothing: grant the migrating role what it needs (see README).
CREATE SCHEMA ferry;
REVOKE ALL ON SCHEMA ferry FROM PUBLIC;

CREATE TABLE ferry.phases (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    spec        jsonb NOT NULL,
    checksum    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ferry.phases IS 'ferry: one row per phase; the id map of phase N is ferry.map_N';

CREATE TABLE ferry.migration_log (
    id          bigserial PRIMARY KEY,
    phase       text NOT NULL,
    operation   text NOT NULL CHECK (operation IN ('migrate', 'rollback')),
    status      text NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'rolled_back')),
    rows        bigint,
    seconds     numeric,
    error       text,
    batch_size  integer,
    progress    jsonb,
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz
);
CREATE INDEX ON ferry.migration_log (phase, id);
COMMENT ON COLUMN ferry.migration_log.progress IS 'batched runs: the source key of the last committed batch, where a resumed run goes on';
COMMENT ON TABLE ferry.migration_log IS 'ferry: one row per run of migrate_phase or rollback_migration';

CREATE TABLE ferry.migration_rejects (
    id          bigserial PRIMARY KEY,
    phase_id    bigint NOT NULL,
    phase       text NOT NULL,
    run_id      bigint NOT NULL,
    legacy_key  jsonb,
    reason      text NOT NULL,
    source_row  jsonb,
    rejected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON ferry.migration_rejects (phase_id, id);
COMMENT ON TABLE ferry.migration_rejects IS 'ferry: source rows a run could not migrate, with the reason and the whole row; re-judged by every run';

REVOKE ALL ON ALL TABLES IN SCHEMA ferry FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA ferry FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('ferry.phases', '');
SELECT pg_catalog.pg_extension_config_dump('ferry.phases_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ferry.migration_log', '');
SELECT pg_catalog.pg_extension_config_dump('ferry.migration_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('ferry.migration_rejects', '');
SELECT pg_catalog.pg_extension_config_dump('ferry.migration_rejects_id_seq', '');

CREATE FUNCTION define_phase(name text, spec jsonb) RETURNS void
    AS 'MODULE_PATHNAME', 'define_phase' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION define_phase(text, jsonb) IS 'ferry: validate and store a phase spec, create its id map';

CREATE FUNCTION drop_phase(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'drop_phase' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION drop_phase(text) IS 'ferry: forget a phase that holds no migrated rows';

CREATE FUNCTION migrate_phase(name text, dry_run boolean DEFAULT false)
    RETURNS TABLE (phase text, migrated bigint, merged bigint, rejected bigint,
                   filtered bigint, skipped bigint, seconds numeric, statements text)
    AS 'MODULE_PATHNAME', 'migrate_phase' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate_phase(text, boolean) IS 'ferry: migrate the unmapped source rows of a phase, in the caller''s transaction; dry_run writes nothing';

CREATE PROCEDURE migrate_phase_batched(name text, batch_size integer DEFAULT 10000)
    AS 'MODULE_PATHNAME', 'migrate_phase_batched' LANGUAGE C;
COMMENT ON PROCEDURE migrate_phase_batched(text, integer) IS 'ferry: migrate a phase in batches of batch_size source rows, committing each; resumable';

CREATE FUNCTION migrate_all()
    RETURNS TABLE (phase text, migrated bigint, merged bigint, rejected bigint,
                   filtered bigint, skipped bigint, seconds numeric, statements text)
    AS 'MODULE_PATHNAME', 'migrate_all' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migrate_all() IS 'ferry: migrate every phase, each after the phases it depends on, in the caller''s transaction';

CREATE FUNCTION validate_migration_integrity(name text DEFAULT NULL)
    RETURNS TABLE (phase text, check_name text, status text, details text)
    AS 'MODULE_PATHNAME', 'validate_migration_integrity' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION validate_migration_integrity(text) IS 'ferry: prove a phase (or all): PASS/WARN/FAIL per check';

CREATE FUNCTION rollback_migration(name text)
    RETURNS TABLE (phase text, target text, rows_deleted bigint)
    AS 'MODULE_PATHNAME', 'rollback_migration' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION rollback_migration(text) IS 'ferry: delete exactly the rows a phase wrote, then its id map';

CREATE FUNCTION uuid_v5(namespace uuid, name text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'uuid_v5' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v5(uuid, text) IS 'ferry: name-based UUID (RFC 9562 version 5, SHA-1)';

CREATE FUNCTION uuid_v7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'uuid_v7' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7() IS 'ferry: time-ordered UUID (RFC 9562 version 7)';
