-- ferry_tap 0.2: pgTAP assertions about ferry phases.  A separate
-- extension (requires ferry and pgtap), so that CREATE EXTENSION ferry
-- never needs pgTAP:
--     CREATE EXTENSION pgtap; CREATE EXTENSION ferry; CREATE EXTENSION ferry_tap;
-- Each function returns one TAP test line through pgTAP's ok()/is(), with
-- diagnostics on failure, so it counts in plan() like any pgTAP assertion.
\echo Use "CREATE EXTENSION ferry_tap" to load this file. \quit

-- ferry_phase_ok: a phase (NULL: every phase) whose validation has no
-- FAIL; the diagnostics list each FAIL as assert_migration_integrity does.
CREATE FUNCTION ferry_phase_ok(name text, description text DEFAULT NULL)
    RETURNS text LANGUAGE sql VOLATILE
    AS $fn$
    SELECT ok(count(*) = 0,
              coalesce(description, 'phase ' || coalesce(quote_literal(name), 'all') || ' validates without FAIL'))
           || CASE WHEN count(*) = 0 THEN ''
                   ELSE E'\n' || diag(string_agg(v.phase || ': ' || v.check_name || ': ' || v.details
                                                 || coalesce(' (' || v.sample || ')', ''), E'\n')) END
      FROM validate_migration_integrity(name) AS v
     WHERE v.status = 'FAIL'
$fn$;
COMMENT ON FUNCTION ferry_phase_ok(text, text) IS 'ferry_tap: ok when validate_migration_integrity has no FAIL';

-- ferry_accounting_is: the phase's books equal the figures given (a NULL
-- figure is not compared), in one test; the diagnostics show both sides.
CREATE FUNCTION ferry_accounting_is(name text, migrated bigint DEFAULT NULL,
                                    rejected bigint DEFAULT NULL, merged bigint DEFAULT NULL,
                                    filtered bigint DEFAULT NULL, description text DEFAULT NULL)
    RETURNS text LANGUAGE sql VOLATILE
    AS $fn$
    SELECT is(format('migrated %s, merged %s, filtered %s, rejected %s',
                     CASE WHEN $2 IS NULL THEN '*' ELSE a.migrated::text END,
                     CASE WHEN $4 IS NULL THEN '*' ELSE a.merged::text END,
                     CASE WHEN $5 IS NULL THEN '*' ELSE a.filtered::text END,
                     CASE WHEN $3 IS NULL THEN '*' ELSE a.rejected::text END),
              format('migrated %s, merged %s, filtered %s, rejected %s',
                     coalesce($2::text, '*'), coalesce($4::text, '*'),
                     coalesce($5::text, '*'), coalesce($3::text, '*')),
              coalesce($6, 'phase ' || quote_literal($1) || ' accounts for its rows as expected'))
      FROM migration_accounting($1) AS a
$fn$;
COMMENT ON FUNCTION ferry_accounting_is(text, bigint, bigint, bigint, bigint, text) IS 'ferry_tap: is() on a phase''s books (migrated, rejected, merged, filtered; NULL: not compared)';

-- ferry_rollback_ok: a phase is rolled back: its id map is empty and it
-- has no rejects left.
CREATE FUNCTION ferry_rollback_ok(name text, description text DEFAULT NULL)
    RETURNS text LANGUAGE sql VOLATILE
    AS $fn$
    SELECT ok(coalesce(s.migrated = 0 AND s.rejected = 0, false),
              coalesce($2, 'phase ' || quote_literal($1) || ' is rolled back'))
           || CASE WHEN coalesce(s.migrated = 0 AND s.rejected = 0, false) THEN ''
                   ELSE E'\n' || diag(CASE WHEN s.phase IS NULL THEN 'no phase ' || quote_literal($1)
                                      ELSE format('state %s: %s rows still mapped, %s rejects', s.state,
                                                  s.migrated, s.rejected) END) END
      FROM (SELECT 1) AS one LEFT JOIN migration_status AS s ON s.phase = $1
$fn$;
COMMENT ON FUNCTION ferry_rollback_ok(text, text) IS 'ferry_tap: ok when a phase holds no mapped rows and no rejects';
