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
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- live sync (start_sync): the log row synced rows carry as run_id, the
    -- table the triggers are on, when it started, the last synced change
    sync_run_id     bigint,
    sync_source     oid,
    sync_started_at timestamptz,
    last_synced_at  timestamptz
);
COMMENT ON TABLE ferry.phases IS 'ferry: one row per phase; the id map of phase N is ferry.map_N';

CREATE TABLE ferry.migration_log (
    id          bigserial PRIMARY KEY,
    phase_id    bigint NOT NULL,
    phase       text NOT NULL,
    operation   text NOT NULL CHECK (operation IN ('migrate', 'rollback', 'sync')),
    status      text NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'rolled_back')),
    rows        bigint,
    seconds     numeric,
    error       text,
    batch_size  integer,
    progress    jsonb,
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz
);
CREATE INDEX ON ferry.migration_log (phase_id, id);
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
-- sync forgets the rejects of the keys a statement touched
CREATE INDEX ON ferry.migration_rejects (phase_id, legacy_key);
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
    RETURNS TABLE (phase text, check_name text, status text, details text, sample text)
    AS 'MODULE_PATHNAME', 'validate_migration_integrity' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION validate_migration_integrity(text) IS 'ferry: prove a phase (or all): PASS/WARN/FAIL per check';

CREATE FUNCTION rollback_migration(name text, cascade boolean DEFAULT false, force boolean DEFAULT false)
    RETURNS TABLE (phase text, target text, rows_deleted bigint, rows_restored bigint)
    AS 'MODULE_PATHNAME', 'rollback_migration' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION rollback_migration(text, boolean, boolean) IS 'ferry: undo exactly what a phase wrote (cascade: its dependents first; force: even rows changed since)';

CREATE FUNCTION assert_migration_integrity(name text DEFAULT NULL) RETURNS void
    AS 'MODULE_PATHNAME', 'assert_migration_integrity' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION assert_migration_integrity(text) IS 'ferry: validate_migration_integrity, raising one error that lists every FAIL';

CREATE FUNCTION uuid_v5(namespace uuid, name text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'uuid_v5' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v5(uuid, text) IS 'ferry: name-based UUID (RFC 9562 version 5, SHA-1)';

CREATE FUNCTION uuid_v7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'uuid_v7' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION uuid_v7() IS 'ferry: time-ordered UUID (RFC 9562 version 7)';

-- ------------------------------------------------------------------ id maps
-- map_id / legacy_id: lookups through a phase's id map for hand-written SQL.
-- The key is any type (cast to the map column's type, so the primary key or
-- the new_key index is used); a composite key is passed as an array of its
-- parts.  The two-argument forms return text, the three-argument forms the
-- type of as_type (map_id('p', id, NULL::uuid)).  Not STRICT: a NULL key
-- gives NULL, a NULL phase is an error.
CREATE FUNCTION map_id(phase text, legacy_key anycompatible) RETURNS text
    AS 'MODULE_PATHNAME', 'map_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION map_id(text, anycompatible) IS 'ferry: the new key a phase made of a legacy key (array for a composite key), as text; NULL if unmapped';

CREATE FUNCTION map_id(phase text, legacy_key anycompatible, as_type anyelement) RETURNS anyelement
    AS 'MODULE_PATHNAME', 'map_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION map_id(text, anycompatible, anyelement) IS 'ferry: the new key a phase made of a legacy key, typed like as_type (e.g. NULL::uuid); NULL if unmapped';

CREATE FUNCTION legacy_id(phase text, new_key anycompatible) RETURNS text
    AS 'MODULE_PATHNAME', 'legacy_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION legacy_id(text, anycompatible) IS 'ferry: the legacy key a new key was made from, as text (composite parts joined with /); NULL if unmapped';

CREATE FUNCTION legacy_id(phase text, new_key anycompatible, as_type anyelement) RETURNS anyelement
    AS 'MODULE_PATHNAME', 'legacy_id' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION legacy_id(text, anycompatible, anyelement) IS 'ferry: the legacy key a new key was made from, typed like as_type (an array type gives a composite key''s parts); NULL if unmapped';

-- Internal helpers of the views below: maps are tables created at runtime,
-- so reading them takes dynamic SQL, one statement per phase.
CREATE FUNCTION ferry.id_map_entries(phase_id bigint)
    RETURNS TABLE (legacy_id text, new_id text, run_id bigint)
    AS 'MODULE_PATHNAME', 'id_map_entries' LANGUAGE C STABLE;
COMMENT ON FUNCTION ferry.id_map_entries(bigint) IS 'ferry: the rows of the id map of one phase, keys as text';

CREATE FUNCTION ferry.id_map_count(phase_id bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'id_map_count' LANGUAGE C STABLE;
COMMENT ON FUNCTION ferry.id_map_count(bigint) IS 'ferry: the exact row count of the id map of one phase';

-- The views run with the rights of the role that queries them
-- (security_invoker), never their owner's: reading them needs the same
-- rights on ferry's catalog as reading the catalog directly.
CREATE VIEW id_mappings WITH (security_invoker = true) AS
SELECT p.name AS phase,
       CASE WHEN jsonb_typeof(p.spec -> 'source') = 'string' THEN p.spec ->> 'source' END AS legacy_table,
       m.legacy_id,
       p.spec ->> 'target' AS new_table,
       m.new_id,
       m.run_id
FROM ferry.phases AS p
CROSS JOIN LATERAL ferry.id_map_entries(p.id) AS m;
COMMENT ON VIEW id_mappings IS 'ferry: every id map entry of every phase; composite legacy keys joined with /';

-- state: defined (never migrated), migrated, rolled_back, failed (the last
-- run failed), running (a run's log row is still open).  The log is read by
-- phase id: a phase dropped and defined again under the same name starts
-- with no history.
CREATE VIEW migration_status WITH (security_invoker = true) AS
SELECT p.name AS phase,
       CASE WHEN jsonb_typeof(p.spec -> 'source') = 'string' THEN p.spec ->> 'source' END AS source,
       p.spec ->> 'target' AS target,
       CASE WHEN NOT EXISTS (SELECT 1 FROM ferry.migration_log AS r
                             WHERE r.phase_id = p.id AND r.operation = 'migrate') THEN 'defined'
            WHEN l.status = 'failed' THEN 'failed'
            WHEN l.status = 'started' THEN 'running'
            WHEN l.operation = 'rollback' OR l.status = 'rolled_back' THEN 'rolled_back'
            ELSE 'migrated' END AS state,
       ferry.id_map_count(p.id) AS migrated,
       (SELECT count(*) FROM ferry.migration_rejects AS j WHERE j.phase_id = p.id) AS rejected,
       l.started_at AS last_run_at,
       l.operation AS last_operation,
       l.status AS last_status,
       l.seconds AS last_seconds,
       l.error AS last_error,
       p.sync_run_id IS NOT NULL AS syncing,
       p.sync_started_at,
       p.last_synced_at
FROM ferry.phases AS p
LEFT JOIN LATERAL (SELECT r.* FROM ferry.migration_log AS r
                   WHERE r.phase_id = p.id AND r.operation <> 'sync'
                   ORDER BY r.id DESC LIMIT 1) AS l ON true
ORDER BY p.id;
COMMENT ON VIEW migration_status IS 'ferry: one row per phase: state, rows mapped, rejects, the last run, sync';

GRANT SELECT ON id_mappings, migration_status TO PUBLIC;

-- preflight: what would go wrong, before any write.
CREATE FUNCTION preflight(name text)
    RETURNS TABLE (phase text, check_name text, status text, rows bigint,
                   details text, sample text)
    AS 'MODULE_PATHNAME', 'preflight' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION preflight(text) IS 'ferry: what migrate_phase would find wrong with a phase (relations, keys, refs, NOT NULL, casts, uniqueness, dependencies); writes nothing';

-- Whether a value converts to a type as an INSERT (or, explicit_cast, a
-- CAST) would convert it, without raising: the conversion runs in a
-- subtransaction.  PARALLEL UNSAFE for that reason.
CREATE FUNCTION ferry.value_fits(value anyelement, type_name text,
                                 explicit_cast boolean DEFAULT false)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'value_fits' LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ferry.value_fits(anyelement, text, boolean) IS 'ferry: whether a value converts to a type (assignment, or explicit cast) without error';

-- ------------------------------------------------------------ conversions
-- The keys_to_snake_case / keys_to_pascal_case / keys_to_camel_case
-- conversions of a column: every object key of a document, at any depth.
CREATE FUNCTION ferry.json_keys_case(doc jsonb, style text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'json_keys_case' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ferry.json_keys_case(jsonb, text) IS 'ferry: a document with every key in snake, pascal or camel case';

-- The content hash of a row (its text), kept in the id map at migration
-- time for drift detection: ferry.row_hash(ROW(t.a, t.b)::text).
CREATE FUNCTION ferry.row_hash(row_text text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'row_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ferry.row_hash(text) IS 'ferry: the content hash of a row''s text (the first 64 bits of its SHA-1)';

-- ------------------------------------------------------------ legacy_to_json
CREATE FUNCTION legacy_to_json(doc text, format text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'legacy_to_json' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION legacy_to_json(text, text) IS 'ferry: a value in a legacy text format (json lenient, php serialize(), query string, kv) as jsonb; raises the reason and byte';
CREATE FUNCTION legacy_to_json_error(doc text, format text) RETURNS text
    AS 'MODULE_PATHNAME', 'legacy_to_json_error' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION legacy_to_json_error(text, text) IS 'ferry: why legacy_to_json would refuse the value, or NULL';

-- ------------------------------------------------------- json_restructure
CREATE FUNCTION json_restructure(doc jsonb, spec jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'json_restructure' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_restructure(jsonb, jsonb) IS 'ferry: reshape a document by a spec of operations (rename, nest, flatten, pick, drop, cast, map_values, default, split, join, key_case)';
CREATE FUNCTION json_restructure_inverse(spec jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'json_restructure_inverse' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_restructure_inverse(jsonb) IS 'ferry: the spec that undoes a restructure spec, or an error naming the operation that has no exact inverse';

-- ------------------------------------------------------------------- sync
-- Live sync: statement-level AFTER triggers with transition tables on a
-- phase's source table keep its target current; they run with the rights
-- of whoever writes to the source (no SECURITY DEFINER anywhere).
CREATE FUNCTION ferry_sync_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'ferry_sync_trigger' LANGUAGE C;
COMMENT ON FUNCTION ferry_sync_trigger() IS 'ferry: the trigger function of start_sync''s triggers (one firing per statement)';

CREATE FUNCTION start_sync(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'start_sync' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION start_sync(text) IS 'ferry: keep a phase''s target current from its source table with statement-level triggers';

CREATE FUNCTION stop_sync(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'stop_sync' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION stop_sync(text) IS 'ferry: drop a phase''s sync triggers';

CREATE FUNCTION finish_sync(name text)
    RETURNS TABLE (phase text, caught_up bigint, synced bigint, sync_started_at timestamptz)
    AS 'MODULE_PATHNAME', 'finish_sync' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION finish_sync(text) IS 'ferry: cut-over: lock the source, catch up, refuse on a validation FAIL, stop sync, in one transaction';

CREATE FUNCTION create_compat_view(name text, view_name text, writable boolean DEFAULT false) RETURNS void
    AS 'MODULE_PATHNAME', 'create_compat_view' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION create_compat_view(text, text, boolean) IS 'ferry: a view with the legacy source''s shape over the phase''s target rows, from the spec''s inverse';
