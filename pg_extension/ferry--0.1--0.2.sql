-- ferry 0.1 -> 0.2: the SQL objects added or changed since 0.1.
-- ferry--0.1.sql is what 0.1 installed and is never edited again; a fresh
-- CREATE EXTENSION ferry runs it and then this file.
\echo Use "ALTER EXTENSION ferry UPDATE TO '0.2'" to load this file. \quit

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
