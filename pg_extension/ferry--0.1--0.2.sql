-- ferry 0.1 -> 0.2: the SQL objects added or changed since 0.1.
-- ferry--0.1.sql is what 0.1 installed and is never edited again; a fresh
-- CREATE EXTENSION ferry runs it and then this file.
\echo Use "ALTER EXTENSION ferry UPDATE TO '0.2'" to load this file. \quit

-- -------------------------------------------------- migration_accounting
-- The books of a phase as numbers (validation's row_accounting in words):
-- every source row is migrated into a row of its own, merged into
-- another's, filtered or rejected.
CREATE FUNCTION migration_accounting(name text,
    OUT phase text, OUT source_rows bigint, OUT migrated bigint, OUT merged bigint,
    OUT filtered bigint, OUT rejected bigint)
    AS 'MODULE_PATHNAME', 'migration_accounting' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migration_accounting(text) IS 'ferry: the books of a phase now: source rows, migrated, merged, filtered, rejected';

-- ------------------------------------------------------- migration_report
-- A report people read: per phase the books, the last run with its rate,
-- the rollback, the rejects by reason and validation, as lines of text
-- (psql shows them as a table) or of Markdown (for a ticket).  It runs
-- validate_migration_integrity now, so the books are today's, and reads
-- the catalog with the caller's rights.  No SET search_path: the phases'
-- unqualified table names resolve in the caller's, as for every ferry function.
CREATE FUNCTION migration_report(name text DEFAULT NULL, format text DEFAULT 'text')
    RETURNS TABLE (report text)
    LANGUAGE plpgsql VOLATILE
    AS $fn$
DECLARE
    md boolean;
    ph record;
    run record;
    rb record;
    r record;
    n int;
    checks jsonb;
BEGIN
    IF format IS NULL OR format NOT IN ('text', 'markdown') THEN
        RAISE EXCEPTION 'migration_report: format must be ''text'' or ''markdown'', not %',
            coalesce(quote_literal(format), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    md := format = 'markdown';
    IF name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ferry.phases AS p WHERE p.name = migration_report.name) THEN
        RAISE EXCEPTION 'phase "%" does not exist', name
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT phase FROM migration_status lists the phases.';
    END IF;
    report := CASE WHEN md THEN '# ferry migration report' ELSE 'ferry migration report' END;
    RETURN NEXT;
    FOR ph IN SELECT p.id, s.* FROM @extschema@.migration_status AS s
                JOIN ferry.phases AS p ON p.name = s.phase
               WHERE migration_report.name IS NULL OR s.phase = migration_report.name
    LOOP
        report := '';
        RETURN NEXT;
        report := CASE WHEN md THEN format('## %s: `%s` -> `%s`, %s', ph.phase, coalesce(ph.source, 'query'), ph.target, ph.state)
                       ELSE format('phase %s: %s -> %s, %s', ph.phase, coalesce(ph.source, 'query'), ph.target, ph.state) END;
        RETURN NEXT;
        IF md THEN
            report := '';
            RETURN NEXT;
        END IF;

        SELECT jsonb_agg(to_jsonb(v) ORDER BY v.o) INTO checks
          FROM @extschema@.validate_migration_integrity(ph.phase) WITH ORDINALITY
               AS v(phase, check_name, status, details, sample, o);
        report := (CASE WHEN md THEN '- rows: ' ELSE '  rows        ' END) ||
            (SELECT x.details FROM jsonb_to_recordset(checks) AS x(check_name text, details text)
              WHERE x.check_name = 'row_accounting');
        RETURN NEXT;

        SELECT l.* INTO run FROM ferry.migration_log AS l
         WHERE l.phase_id = ph.id AND l.operation = 'migrate' ORDER BY l.id DESC LIMIT 1;
        SELECT l.* INTO rb FROM ferry.migration_log AS l
         WHERE l.phase_id = ph.id AND l.operation = 'rollback' AND l.id > coalesce(run.id, 0)
         ORDER BY l.id DESC LIMIT 1;
        report := (CASE WHEN md THEN '- last run: ' ELSE '  last run    ' END) ||
            CASE WHEN run.id IS NULL THEN 'never migrated'
                 ELSE format('%s at %s: %s rows in %s s%s', run.status,
                             to_char(run.started_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(run.rows, 0),
                             coalesce(run.seconds, 0),
                             CASE WHEN run.seconds > 0
                                  THEN format(', %s rows/s', round(coalesce(run.rows, 0) / run.seconds)) ELSE '' END)
                     || CASE WHEN run.batch_size IS NOT NULL THEN format(' (batches of %s)', run.batch_size) ELSE '' END
                     || coalesce(': ' || run.error, '') END;
        RETURN NEXT;
        report := (CASE WHEN md THEN '- rollback: ' ELSE '  rollback    ' END) ||
            CASE WHEN rb.id IS NULL THEN 'not rolled back'
                 ELSE format('rolled back at %s: %s rows deleted in %s s',
                             to_char(rb.started_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(rb.rows, 0),
                             coalesce(rb.seconds, 0)) END;
        RETURN NEXT;

        n := 0;
        FOR r IN SELECT j.reason, count(*) AS rows,
                        (array_agg(j.legacy_key::text ORDER BY j.id))[1:3] AS keys
                   FROM ferry.migration_rejects AS j WHERE j.phase_id = ph.id
                  GROUP BY j.reason ORDER BY count(*) DESC, j.reason
        LOOP
            report := (CASE WHEN md THEN '- rejects: ' WHEN n = 0 THEN '  rejects     ' ELSE '              ' END) ||
                format('%s x %s (keys %s%s)', r.rows, r.reason, array_to_string(r.keys, ', '),
                       CASE WHEN r.rows > 3 THEN ', ...' ELSE '' END);
            RETURN NEXT;
            n := n + 1;
        END LOOP;
        IF n = 0 THEN
            report := CASE WHEN md THEN '- rejects: none' ELSE '  rejects     none' END;
            RETURN NEXT;
        END IF;

        IF md THEN
            report := '';
            RETURN NEXT;
            report := '| check | status | details |';
            RETURN NEXT;
            report := '|---|---|---|';
            RETURN NEXT;
        END IF;
        n := 0;
        FOR r IN SELECT v.check_name, v.status, v.details, v.sample
                   FROM jsonb_to_recordset(checks) AS v(check_name text, status text, details text, sample text)
        LOOP
            report := CASE WHEN md
                           THEN format('| %s | %s | %s%s |', r.check_name, r.status,
                                       replace(r.details, '|', '\|'),
                                       coalesce(' (' || replace(r.sample, '|', '\|') || ')', ''))
                           ELSE (CASE WHEN n = 0 THEN '  validation  ' ELSE '              ' END) ||
                                format('%s %s: %s%s', r.status, r.check_name, r.details,
                                       coalesce(' (' || r.sample || ')', '')) END;
            RETURN NEXT;
            n := n + 1;
        END LOOP;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION migration_report(text, text) IS 'ferry: a readable report of a phase (or all): books, last run and rows/s, rollback, rejects by reason, validation; text or markdown lines';

-- ------------------------------------------------- writable compat views
-- create_compat_view(..., writable => true): the INSTEAD OF trigger that
-- writes a row written through the view to the legacy table (sync carries it).
CREATE FUNCTION ferry_compat_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'ferry_compat_trigger' LANGUAGE C;
COMMENT ON FUNCTION ferry_compat_trigger() IS 'ferry: the INSTEAD OF trigger of a writable compat view (one row per firing, into the legacy table)';

-- ------------------------------------------------ json_restructure_error (issue 6)
-- Why json_restructure would refuse a document, or NULL: a restructure column
-- quarantines such a row with this reason instead of failing the run.
CREATE FUNCTION json_restructure_error(doc text, spec jsonb) RETURNS text
    AS 'MODULE_PATHNAME', 'json_restructure_error' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_restructure_error(text, jsonb) IS 'ferry: why json_restructure would refuse the document, or NULL';

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

-- ------------------------------------------------ migration_status: interrupted
-- A batched run commits its log row as 'started' and closes it when it
-- ends; a run whose session or server died (kill -9, crash, cancel) can
-- close nothing.  Such a run is told from a live one by the phase's
-- advisory lock (class 0x66657279 "fery", the phase id), which a live
-- batched run holds for its whole length and which dies with its session:
-- 'started' without a holder is 'interrupted' (the next
-- migrate_phase_batched marks it failed and resumes after its last
-- committed batch), not 'running'.
CREATE OR REPLACE VIEW migration_status WITH (security_invoker = true) AS
SELECT p.name AS phase,
       CASE WHEN jsonb_typeof(p.spec -> 'source') = 'string' THEN p.spec ->> 'source' END AS source,
       p.spec ->> 'target' AS target,
       CASE WHEN NOT EXISTS (SELECT 1 FROM ferry.migration_log AS r
                             WHERE r.phase_id = p.id AND r.operation = 'migrate') THEN 'defined'
            WHEN l.status = 'failed' THEN 'failed'
            WHEN l.status = 'started' AND l.held THEN 'running'
            WHEN l.status = 'started' THEN 'interrupted'
            WHEN l.operation = 'rollback' OR l.status = 'rolled_back' THEN 'rolled_back'
            ELSE 'migrated' END AS state,
       ferry.id_map_count(p.id) AS migrated,
       (SELECT count(*) FROM ferry.migration_rejects AS j WHERE j.phase_id = p.id) AS rejected,
       l.started_at AS last_run_at,
       l.operation AS last_operation,
       l.status AS last_status,
       l.seconds AS last_seconds,
       CASE WHEN l.status = 'started' AND NOT l.held
            THEN 'interrupted after ' || coalesce(l.rows, 0) || ' rows: no session holds the phase (it was cancelled, or its session or the server died)'
            ELSE l.error END AS last_error,
       p.sync_run_id IS NOT NULL AS syncing,
       p.sync_started_at,
       p.last_synced_at
FROM ferry.phases AS p
LEFT JOIN LATERAL (SELECT r.*,
                          EXISTS (SELECT 1 FROM pg_catalog.pg_locks AS k
                                  WHERE k.locktype = 'advisory' AND k.granted
                                    AND k.database = (SELECT d.oid FROM pg_catalog.pg_database AS d
                                                      WHERE d.datname = current_database())
                                    AND k.classid = 1717924473 AND k.objsubid = 2
                                    AND k.objid::bigint = p.id) AS held
                   FROM ferry.migration_log AS r
                   WHERE r.phase_id = p.id AND r.operation <> 'sync'
                   ORDER BY r.id DESC LIMIT 1) AS l ON true
ORDER BY p.id;
COMMENT ON VIEW migration_status IS 'ferry: one row per phase: state (defined, migrated, rolled_back, failed, running, interrupted), rows mapped, rejects, the last run, sync';

-- ------------------------------------------------------------ baselines
-- A baseline is what a DBA writes down before a migration to compare with
-- after it (seed 000's "baseline metrics", seed 004's checksums): per
-- table, its exact row count, its size, and a checksum of its content
-- (the sum of ferry.content_hash over its rows: independent of row order,
-- changed by any changed, added or removed row).  It reads as the caller,
-- so it measures only what the caller may read, and a baseline row is
-- visible only to roles that may read its table.
CREATE TABLE ferry.baselines (
    label text NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    row_count bigint NOT NULL,
    total_bytes bigint NOT NULL,
    checksum numeric NOT NULL,
    captured_at timestamptz NOT NULL DEFAULT now(),
    captured_by name NOT NULL DEFAULT current_user,
    PRIMARY KEY (label, schema_name, table_name)
);
COMMENT ON TABLE ferry.baselines IS 'ferry: per label and table, the exact row count, size and content checksum capture_baseline measured';
REVOKE ALL ON ferry.baselines FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('ferry.baselines', '');
ALTER TABLE ferry.baselines ENABLE ROW LEVEL SECURITY;
CREATE POLICY baselines_of_readable_tables ON ferry.baselines
    USING (COALESCE(pg_catalog.has_table_privilege(pg_catalog.to_regclass(
               pg_catalog.quote_ident(schema_name) || '.' || pg_catalog.quote_ident(table_name)), 'SELECT'), false));

-- ferry.baseline_tables: the tables a baseline measures.  Named ones must
-- exist (the caller's own reading of them is what checks the right to);
-- with none named, every table, partitioned table and foreign table
-- outside the system schemas and ferry's that the caller may read, its
-- partitions counted once, in their parent.
CREATE FUNCTION ferry.baseline_tables(tables text[]) RETURNS SETOF regclass
    LANGUAGE plpgsql STABLE
    AS $fn$
DECLARE
    t text;
BEGIN
    IF tables IS NOT NULL THEN
        FOREACH t IN ARRAY tables LOOP
            IF t IS NULL OR pg_catalog.to_regclass(t) IS NULL THEN
                RAISE EXCEPTION 'baseline: table % does not exist', coalesce(quote_literal(t), 'NULL')
                    USING ERRCODE = 'undefined_table',
                          HINT = 'Name tables as a query would, e.g. ''public.orders''; a NULL list measures every table you may read.';
            END IF;
            RETURN NEXT pg_catalog.to_regclass(t);
        END LOOP;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT c.oid::regclass FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'ferry')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
      AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
    ORDER BY n.nspname, c.relname;
END $fn$;

-- ferry.baseline_measure: one statement per table (count and checksum in
-- one scan), shared by capture_baseline and a comparison with now.
CREATE FUNCTION ferry.baseline_measure(tables text[])
    RETURNS TABLE (schema_name text, table_name text, row_count bigint, total_bytes bigint, checksum numeric)
    LANGUAGE plpgsql VOLATILE
    AS $fn$
DECLARE
    rel regclass;
BEGIN
    FOR rel IN SELECT * FROM ferry.baseline_tables(tables) LOOP
        SELECT n.nspname::text, c.relname::text INTO schema_name, table_name
        FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.oid = rel;
        EXECUTE format('SELECT count(*), coalesce(sum(ferry.content_hash(t)), 0) FROM %s AS t', rel)
            INTO row_count, checksum;
        total_bytes := pg_catalog.pg_total_relation_size(rel);
        RETURN NEXT;
    END LOOP;
END $fn$;

CREATE FUNCTION capture_baseline(label text, tables text[] DEFAULT NULL)
    RETURNS TABLE (table_name text, row_count bigint, total_bytes bigint, checksum numeric)
    LANGUAGE plpgsql VOLATILE
    AS $fn$
BEGIN
    IF label IS NULL OR label = '' THEN
        RAISE EXCEPTION 'capture_baseline: the label must not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- a label captured again is measured again: the earlier rows go
    DELETE FROM ferry.baselines AS b WHERE b.label = capture_baseline.label;
    RETURN QUERY
    WITH m AS (SELECT * FROM ferry.baseline_measure(tables)),
         kept AS (INSERT INTO ferry.baselines (label, schema_name, table_name, row_count, total_bytes, checksum)
                  SELECT capture_baseline.label, m.schema_name, m.table_name, m.row_count, m.total_bytes, m.checksum
                  FROM m RETURNING 1)
    SELECT pg_catalog.quote_ident(m.schema_name) || '.' || pg_catalog.quote_ident(m.table_name),
           m.row_count, m.total_bytes, m.checksum
    FROM m ORDER BY 1;
END $fn$;
COMMENT ON FUNCTION capture_baseline(text, text[]) IS 'ferry: record the exact row count, size and content checksum of every table (or the ones named) under a label';

CREATE FUNCTION compare_baseline(a text, b text DEFAULT NULL)
    RETURNS TABLE (table_name text, rows_a bigint, rows_b bigint, rows_diff bigint,
                   bytes_a bigint, bytes_b bigint, content text)
    LANGUAGE plpgsql VOLATILE
    AS $fn$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ferry.baselines AS x WHERE x.label = a) THEN
        RAISE EXCEPTION 'compare_baseline: no baseline %', coalesce(quote_literal(a), 'NULL')
            USING ERRCODE = 'undefined_object',
                  HINT = 'capture_baseline(label) records one; a baseline of a table you may not read is not shown.';
    END IF;
    IF b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ferry.baselines AS x WHERE x.label = b) THEN
        RAISE EXCEPTION 'compare_baseline: no baseline %', quote_literal(b)
            USING ERRCODE = 'undefined_object',
                  HINT = 'Leave b out to compare baseline a with the tables as they are now.';
    END IF;
    RETURN QUERY
    WITH x AS (SELECT * FROM ferry.baselines AS s WHERE s.label = a),
         y AS (SELECT s.schema_name, s.table_name, s.row_count, s.total_bytes, s.checksum
               FROM ferry.baselines AS s WHERE s.label = b
               UNION ALL
               SELECT m.* FROM ferry.baseline_measure(
                   (SELECT coalesce(array_agg(pg_catalog.quote_ident(s.schema_name) || '.'
                                             || pg_catalog.quote_ident(s.table_name)), '{}')
                    FROM x AS s WHERE pg_catalog.to_regclass(pg_catalog.quote_ident(s.schema_name) || '.'
                                                            || pg_catalog.quote_ident(s.table_name)) IS NOT NULL)) AS m
               WHERE b IS NULL)
    SELECT pg_catalog.quote_ident(coalesce(x.schema_name, y.schema_name)) || '.'
           || pg_catalog.quote_ident(coalesce(x.table_name, y.table_name)),
           x.row_count, y.row_count, y.row_count - x.row_count, x.total_bytes, y.total_bytes,
           CASE WHEN x.table_name IS NULL THEN 'only in ' || coalesce(b, 'now')
                WHEN y.table_name IS NULL THEN 'only in ' || a
                WHEN x.checksum = y.checksum AND x.row_count = y.row_count THEN 'same'
                ELSE 'changed' END
    FROM x FULL JOIN y ON y.schema_name = x.schema_name AND y.table_name = x.table_name
    ORDER BY 1;
END $fn$;
COMMENT ON FUNCTION compare_baseline(text, text) IS 'ferry: per table, the rows and sizes of two baselines (or of one and now) and whether the content is the same';

-- ------------------------------------------------------------ content hash
-- (last in this file: the carry-over below loads phases through the new
-- library, after every other change of the catalog above)
-- The content hash kept in the id maps for drift detection is now computed
-- over the typed values of the row, not over its text:
-- ferry.content_hash(ROW(t.a, t.b)).  ferry.row_hash(text) stays for the
-- maps 0.1 wrote, which are carried over below.
CREATE FUNCTION ferry.content_hash(row_value record) RETURNS bigint
    AS 'MODULE_PATHNAME', 'content_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ferry.content_hash(record) IS 'ferry: the content hash of a row, over its typed values (64 bits)';

CREATE FUNCTION ferry.rehash_content(phase text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rehash_content' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION ferry.rehash_content(text) IS 'ferry: a phase''s id map carried over from the 0.1 content hash (the row''s text); rows that had drifted stay drifted';

-- Every map 0.1 wrote: an entry whose target row is unchanged gets the new
-- hash, a drifted one keeps its old hash and is still reported.  A phase
-- that cannot be resolved (its tables gone) is named and left as it was.
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT name FROM ferry.phases ORDER BY id LOOP
        BEGIN
            PERFORM ferry.rehash_content(p.name);
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'ferry: phase "%": its content hashes were not carried over: %', p.name, SQLERRM
                USING HINT = format('Run SELECT ferry.rehash_content(%L) once the phase resolves, or validation will report its rows as changed.', p.name);
        END;
    END LOOP;
END
$$;
