-- security_input: every SQL-callable function with bad input (issue 10,
-- item 7): NULLs, empty strings, wrong JSON types, huge inputs, broken
-- encodings.  Each call gives its result or one clear error, and the
-- server answers the next call (a crash would end this file's session).
\set VERBOSITY terse
CREATE EXTENSION ferry;
CREATE SCHEMA bad;
CREATE TABLE bad.src (id bigint PRIMARY KEY, v text);
INSERT INTO bad.src VALUES (1, 'a');
CREATE TABLE bad.tgt (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), v text);
-- the outcome of a call: ok and the first 60 characters of its result, or
-- the sqlstate and the error's first 150
CREATE FUNCTION bad.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'ok ' || coalesce(left(r, 60), 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || left(SQLERRM, 150);
END $$;
CREATE TABLE bad.calls (n serial, q text);
INSERT INTO bad.calls (q) VALUES
  -- define_phase / drop_phase
  ($$SELECT define_phase(NULL, NULL)$$),
  ($$SELECT define_phase(NULL, '{}')$$),
  ($$SELECT define_phase('', '{}')$$),
  ($$SELECT define_phase(repeat('p', 64), '{}')$$),
  ($$SELECT define_phase('p', NULL)$$),
  ($$SELECT define_phase('p', '[]')$$),
  ($$SELECT define_phase('p', '"spec"')$$),
  ($$SELECT define_phase('p', '1')$$),
  ($$SELECT define_phase('p', 'null')$$),
  ($$SELECT define_phase('p', '{}')$$),
  ($$SELECT define_phase('p', '{"source": 1, "target": [], "columns": "x"}')$$),
  ($$SELECT define_phase('p', '{"source": "bad.src", "target": "bad.tgt", "columns": []}')$$),
  ($$SELECT define_phase('p', '{"source": "", "target": "bad.tgt", "columns": {"v": "v"}}')$$),
  ($$SELECT define_phase('p', '{"source": "bad.src", "target": "bad.tgt", "columns": {"v": {"sql": ""}}}')$$),
  ($$SELECT define_phase('p', '{"source": "bad.src", "target": "bad.tgt", "columns": {"v": {"from": null}}}')$$),
  ($$SELECT define_phase('p', jsonb_build_object('source', 'bad.src', 'target', 'bad.tgt', 'columns',
      (SELECT jsonb_object_agg('c' || g, 'v') FROM generate_series(1, 10000) AS g)))$$),
  ($$SELECT define_phase('p', jsonb_build_object('source', repeat('s', 16 * 1024 * 1024), 'target', 'bad.tgt', 'columns', '{"v": "v"}'::jsonb))$$),
  ($$SELECT define_phase('p', jsonb_build_object('source', 'bad.src', 'target', 'bad.tgt', 'columns',
      jsonb_build_object('v', jsonb_build_object('from', 'v', 'map',
      (SELECT jsonb_object_agg('k' || g, repeat('x', 40)) FROM generate_series(1, 300000) AS g)))))$$),
  ($$SELECT drop_phase(NULL)$$),
  ($$SELECT drop_phase('')$$),
  ($$SELECT drop_phase('no such phase')$$),
  -- running, checking, undoing
  ($$SELECT migrate_phase(NULL)$$),
  ($$SELECT migrate_phase('')$$),
  ($$SELECT migrate_phase('no such phase')$$),
  ($$SELECT migrate_phase('no such phase', NULL)$$),
  ($$SELECT migrate_phase(repeat('p', 16 * 1024 * 1024))$$),
  ($$SELECT count(*) FROM migrate_all()$$),
  ($$SELECT count(*) FROM validate_migration_integrity(NULL)$$),
  ($$SELECT validate_migration_integrity('')$$),
  ($$SELECT assert_migration_integrity('no such phase')$$),
  ($$SELECT rollback_migration(NULL)$$),
  ($$SELECT rollback_migration('no such phase', NULL, NULL)$$),
  ($$SELECT preflight(NULL)$$),
  ($$SELECT preflight('')$$),
  ($$SELECT start_sync(NULL)$$),
  ($$SELECT start_sync('no such phase')$$),
  ($$SELECT stop_sync('')$$),
  ($$SELECT finish_sync(NULL)$$),
  ($$SELECT create_compat_view(NULL, NULL)$$),
  ($$SELECT create_compat_view('no such phase', '')$$),
  -- keys and lookups
  ($$SELECT uuid_v5(NULL, NULL)$$),
  ($$SELECT uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', repeat('x', 16 * 1024 * 1024))$$),
  ($$SELECT uuid_v7() IS NOT NULL$$),
  ($$SELECT map_id(NULL, NULL::int)$$),
  ($$SELECT map_id('', 1)$$),
  ($$SELECT map_id('no such phase', 1, NULL::uuid)$$),
  ($$SELECT legacy_id(NULL, NULL::uuid)$$),
  ($$SELECT legacy_id('no such phase', 'x'::text, NULL::int[])$$),
  -- helpers
  ($$SELECT ferry.value_fits(NULL::int, NULL, NULL)$$),
  ($$SELECT ferry.value_fits('x'::text, 'no_such_type', true)$$),
  ($$SELECT ferry.value_fits('x'::text, '', false)$$),
  ($$SELECT ferry.value_fits('x'::text, 'int; DROP TABLE bad.src', false)$$),
  ($$SELECT ferry.json_keys_case(NULL, NULL)$$),
  ($$SELECT ferry.json_keys_case('{"A": 1}', '')$$),
  ($$SELECT ferry.json_keys_case('[1, "x"]', 'snake')$$),
  ($$SELECT ferry.json_keys_case('{"AbC": 1, "ab_c": 2}', 'snake')$$),
  ($$SELECT length(ferry.json_keys_case(jsonb_build_object('DocBody', repeat('x', 16 * 1024 * 1024)), 'snake')::text)$$),
  ($$SELECT ferry.row_hash(NULL)$$),
  ($$SELECT ferry.row_hash('')$$),
  ($$SELECT ferry.row_hash(repeat('x', 16 * 1024 * 1024)) <> 0$$),
  ($$SELECT ferry.may_read_phase(NULL)$$),
  -- legacy formats
  ($$SELECT legacy_to_json(NULL, NULL)$$),
  ($$SELECT legacy_to_json('', '')$$),
  ($$SELECT legacy_to_json('', 'php')$$),
  ($$SELECT legacy_to_json('a:1:{', 'php')$$),
  ($$SELECT legacy_to_json('s:1:"é";', 'php')$$),
  ($$SELECT legacy_to_json('a=1', 'kv:')$$),
  ($$SELECT legacy_to_json('a=1', 'no such format')$$),
  ($$SELECT length(legacy_to_json('"' || repeat('x', 16 * 1024 * 1024) || '"', 'json')::text)$$),
  ($$SELECT legacy_to_json(repeat('[', 100000), 'json')$$),
  ($$SELECT legacy_to_json(repeat('a:1:{i:0;', 100000), 'php')$$),
  ($$SELECT legacy_to_json(repeat('a[', 100000) || '=1', 'query')$$),
  ($$SELECT legacy_to_json(convert_from('\xc328'::bytea, 'UTF8'), 'json')$$),
  ($$SELECT legacy_to_json_error(NULL, NULL)$$),
  ($$SELECT legacy_to_json_error('a:1:{', 'php')$$),
  -- json_restructure
  ($$SELECT json_restructure(NULL, NULL)$$),
  ($$SELECT json_restructure('{}', '{}')$$),
  ($$SELECT json_restructure('{}', '"rename"')$$),
  ($$SELECT json_restructure('{}', '[1]')$$),
  ($$SELECT json_restructure('{}', '[{"op": "no such op"}]')$$),
  ($$SELECT json_restructure('{}', '[{"op": "rename"}]')$$),
  ($$SELECT json_restructure('[1, 2]', '[{"op": "rename", "from": "a", "to": "b"}]')$$),
  ($$SELECT json_restructure('"text"', '[{"op": "flatten"}]')$$),
  ($$SELECT length(json_restructure(jsonb_build_object('a', repeat('x', 16 * 1024 * 1024)), '[{"op": "rename", "from": "a", "to": "b"}]')::text)$$),
  ($$SELECT json_restructure('{"a": 1}', (SELECT jsonb_agg(jsonb_build_object('op', 'rename', 'from', CASE WHEN g % 2 = 1 THEN 'a' ELSE 'b' END,
      'to', CASE WHEN g % 2 = 1 THEN 'b' ELSE 'a' END)) FROM generate_series(1, 10000) AS g))$$),
  ($$SELECT json_restructure((repeat('{"a":', 5000) || '1' || repeat('}', 5000))::jsonb, '[{"op": "flatten"}]')$$),
  ($$SELECT json_restructure_inverse(NULL)$$),
  ($$SELECT json_restructure_inverse('{}')$$),
  ($$SELECT json_restructure_inverse('[{"op": "drop", "path": "a"}]')$$),
  -- broken encodings never reach ferry: PostgreSQL refuses them first
  ($$SELECT define_phase('p', '{"source": "\ud800"}')$$),
  ($$SELECT define_phase(convert_from('\xff'::bytea, 'UTF8'), '{}')$$);
SELECT n, bad.try(q) AS outcome FROM bad.calls ORDER BY n;
SELECT 1 AS still_answering;
-- an unknown 16 MB phase name is not echoed back whole, twice
DO $$
DECLARE h text;
BEGIN
    PERFORM migrate_phase(repeat('p', 16 * 1024 * 1024));
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RAISE NOTICE 'migrate_phase: message of % bytes, hint of % bytes', length(SQLERRM), length(h);
END $$;
DO $$
DECLARE h text;
BEGIN
    PERFORM map_id(repeat('p', 16 * 1024 * 1024), 1);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RAISE NOTICE 'map_id: message of % bytes, hint of % bytes', length(SQLERRM), length(h);
END $$;
CALL migrate_phase_batched(NULL);
CALL migrate_phase_batched('no such phase', 0);
CALL migrate_phase_batched('no such phase', -1);
SELECT 1 AS still_answering;

-- a chain of 1,000 phases, each depending on the one before
DO $$
BEGIN
    FOR i IN 0 .. 999 LOOP
        PERFORM define_phase('chain_' || i, jsonb_build_object('source', 'bad.src', 'target', 'bad.tgt',
            'target_key', jsonb_build_object('column', 'id', 'generate', 'default'),
            'columns', '{"v": "v"}'::jsonb)
            || CASE WHEN i > 0 THEN jsonb_build_object('depends_on', 'chain_' || (i - 1)) ELSE '{}' END);
    END LOOP;
END $$;
SELECT bad.try($$SELECT migrate_phase('chain_999')$$) AS out_of_order;
SELECT count(*) AS phases_migrated_in_order FROM migrate_all();
SELECT count(*) AS target_rows FROM bad.tgt;
SELECT bad.try($$SELECT rollback_migration('chain_0')$$) AS refused_while_depended_on;
-- a cascade goes 100 phases deep: deeper, one clear error and nothing undone
SELECT bad.try($$SELECT rollback_migration('chain_0', cascade => true)$$) AS too_deep;
SELECT count(*) AS phases_rolled_back, sum(rows_deleted) AS rows FROM rollback_migration('chain_900', cascade => true);
SELECT count(*) AS target_rows FROM bad.tgt;

-- leave the database as the test found it
DROP EXTENSION ferry CASCADE;
DROP SCHEMA bad CASCADE;
