-- ferry 0.1 -> 0.2: the SQL objects added or changed since 0.1.
-- ferry--0.1.sql is what 0.1 installed and is never edited again; a fresh
-- CREATE EXTENSION ferry runs it and then this file.
\echo Use "ALTER EXTENSION ferry UPDATE TO '0.2'" to load this file. \quit

-- ---------------------------------------------------------------- security
-- A reject keeps the whole source row and a failed run's log row the
-- server's error, which may quote a value of it: neither may show a row to
-- a role that could not read it.  Whoever may read a phase's id map (its
-- definer, who read the source to migrate it, and whom the definer grants
-- SELECT on ferry.map_<id>) sees the phase's rejects and log rows; others
-- see none.  The catalog's owner bypasses this as owners do.
CREATE FUNCTION ferry.may_read_phase(phase_id bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$SELECT COALESCE(pg_catalog.has_table_privilege(
             pg_catalog.to_regclass('ferry.map_' || phase_id), 'SELECT'), false)$$;
COMMENT ON FUNCTION ferry.may_read_phase(bigint) IS 'ferry: whether the current role may read the id map of a phase, and so its rejects and run log';
ALTER TABLE ferry.migration_rejects ENABLE ROW LEVEL SECURITY;
CREATE POLICY migration_rejects_of_readable_phases ON ferry.migration_rejects
    USING (ferry.may_read_phase(phase_id));
ALTER TABLE ferry.migration_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY migration_log_of_readable_phases ON ferry.migration_log
    USING (ferry.may_read_phase(phase_id));
