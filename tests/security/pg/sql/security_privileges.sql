-- security_privileges: least privilege with real roles (issue 10, item 5).
-- ferry runs as its caller: a role migrates with exactly the rights it has,
-- another role's phase is out of its reach until the definer shares it,
-- and ferry shows no row the caller could not read.
\set VERBOSITY terse
CREATE EXTENSION ferry;
CREATE SCHEMA sec;
CREATE TABLE sec.src (id bigint PRIMARY KEY, name text, secret text);
INSERT INTO sec.src SELECT g, 'n' || g, 's' || g FROM generate_series(1, 10) AS g;
INSERT INTO sec.src VALUES (11, repeat('x', 30), 'topsecret');
CREATE TABLE sec.tgt (id uuid PRIMARY KEY, legacy_id bigint, name varchar(20), doc jsonb);
CREATE TABLE sec.docs (id bigint PRIMARY KEY, doc jsonb);
INSERT INTO sec.docs VALUES (1, '{"OrderId": 1}'), (2, '{"OrderId": 2}');
CREATE TABLE sec.docs_new (id uuid PRIMARY KEY, legacy_id bigint, doc jsonb);

-- an error as sqlstate and message, the id of a map table left out
CREATE FUNCTION sec.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, 'map_[0-9]+', 'map_N');
END $$;
GRANT USAGE ON SCHEMA sec TO PUBLIC;
GRANT EXECUTE ON FUNCTION sec.try(text) TO PUBLIC;

-- PUBLIC has no right on the catalog: schema, tables, sequences
SELECT c.relname, a.privilege_type
FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS a
WHERE c.relnamespace = 'ferry'::regnamespace AND a.grantee = 0;
SELECT count(*) AS public_rights_on_schema_ferry
FROM pg_namespace AS n CROSS JOIN LATERAL aclexplode(n.nspacl) AS a
WHERE n.nspname = 'ferry' AND a.grantee = 0;
-- no function of ferry is SECURITY DEFINER: none can run user input with
-- rights its caller lacks
SELECT p.oid::regprocedure AS security_definer
FROM pg_proc AS p JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'ferry'
WHERE p.prosecdef;
SELECT count(*) > 10 AS ferry_has_functions
FROM pg_depend AS d JOIN pg_extension AS e ON e.oid = d.refobjid AND e.extname = 'ferry'
WHERE d.classid = 'pg_proc'::regclass;

-- the migrating roles get what README's Installation says, nothing more
CREATE ROLE regress_sec_alice;
CREATE ROLE regress_sec_bob;
CREATE ROLE regress_sec_nobody;
GRANT USAGE, CREATE ON SCHEMA ferry TO regress_sec_alice, regress_sec_bob;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ferry TO regress_sec_alice, regress_sec_bob;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ferry TO regress_sec_alice, regress_sec_bob;
-- alice: SELECT on the source, INSERT on the target
GRANT SELECT ON sec.src, sec.docs TO regress_sec_alice;
GRANT INSERT ON sec.tgt, sec.docs_new TO regress_sec_alice;

-- a role without grants cannot write (or read) the catalog
SET ROLE regress_sec_nobody;
SELECT sec.try($$INSERT INTO ferry.phases (name, spec, checksum) VALUES ('x', '{}', 'x')$$);
SELECT sec.try($$UPDATE ferry.migration_log SET status = 'completed'$$);
SELECT sec.try($$DELETE FROM ferry.migration_rejects$$);
SELECT sec.try($$SELECT define_phase('x', '{"source": "sec.src", "target": "sec.tgt", "columns": {"name": "name"}}')$$);
RESET ROLE;

-- SELECT on the source and INSERT on the target are enough to migrate
SET ROLE regress_sec_alice;
SELECT define_phase('sec_p', '{"source": "sec.src", "target": "sec.tgt",
  "target_key": {"column": "id", "generate": "uuid_v5"}, "legacy_column": "legacy_id",
  "columns": {"name": "name"}}');
SELECT define_phase('sec_docs', '{"source": "sec.docs", "target": "sec.docs_new",
  "target_key": {"column": "id", "generate": "uuid_v5"}, "legacy_column": "legacy_id",
  "columns": {"doc": {"from": "doc", "restructure": [{"op": "key_case", "from": "pascal", "to": "snake"}]}}}');
SELECT phase, migrated, rejected FROM migrate_phase('sec_p');
SELECT phase, migrated, rejected FROM migrate_phase('sec_docs');
-- preflight and validation read the target too: a permission error, not a finding
SELECT sec.try($$SELECT * FROM preflight('sec_p')$$);
SELECT sec.try($$SELECT * FROM validate_migration_integrity('sec_p')$$);
-- the definer sees its own reject, with the row it could read
SELECT phase, reason, source_row ->> 'secret' AS secret FROM ferry.migration_rejects;
SELECT phase, operation, status FROM ferry.migration_log ORDER BY id;
RESET ROLE;
GRANT SELECT, DELETE ON sec.tgt, sec.docs_new TO regress_sec_alice;
SET ROLE regress_sec_alice;
SELECT check_name, status FROM preflight('sec_p');
SELECT check_name, status FROM validate_migration_integrity('sec_p');
RESET ROLE;

-- bob may read and write the source and target, but alice has not shared
-- her phases: he cannot run, validate or roll them back, and sees none of
-- their rejects or runs
GRANT SELECT ON sec.src, sec.docs TO regress_sec_bob;
GRANT SELECT, INSERT, DELETE ON sec.tgt, sec.docs_new TO regress_sec_bob;
SET ROLE regress_sec_bob;
SELECT sec.try($$SELECT * FROM migrate_phase('sec_p')$$);
SELECT sec.try($$SELECT * FROM migrate_phase('sec_p', dry_run => true)$$);
SELECT sec.try($$SELECT * FROM validate_migration_integrity('sec_p')$$);
SELECT sec.try($$SELECT * FROM rollback_migration('sec_p')$$);
SELECT sec.try($$SELECT map_id('sec_p', 1)$$);
SELECT count(*) AS rejects_bob_sees FROM ferry.migration_rejects;
SELECT count(*) AS runs_bob_sees FROM ferry.migration_log;
SELECT sec.try($$SELECT * FROM migration_status WHERE phase = 'sec_p'$$);
RESET ROLE;

-- alice shares her phases' id maps with bob; bob loses SELECT on the
-- sources: every entry point refuses with the permission error
SET ROLE regress_sec_alice;
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ferry.map_%s TO regress_sec_bob', id)
FROM ferry.phases WHERE name IN ('sec_p', 'sec_docs') ORDER BY id \gexec
RESET ROLE;
REVOKE SELECT ON sec.src, sec.docs FROM regress_sec_bob;
SET ROLE regress_sec_bob;
SELECT sec.try($$SELECT * FROM migrate_phase('sec_p')$$);
SELECT sec.try($$SELECT * FROM preflight('sec_p')$$);
SELECT sec.try($$SELECT * FROM validate_migration_integrity('sec_p')$$);
SELECT sec.try($$SELECT * FROM migrate_phase('sec_docs')$$);
SELECT sec.try($$SELECT * FROM validate_migration_integrity('sec_docs')$$);
-- a failed dry run leaves the session usable (it left a subtransaction open)
SELECT * FROM migrate_phase('sec_p', dry_run => true);
SELECT 1 AS still_answering;
RESET ROLE;
-- with SELECT on the source again bob can validate and roll back the phase
-- alice shared
GRANT SELECT ON sec.src TO regress_sec_bob;
SET ROLE regress_sec_bob;
SELECT check_name, status FROM validate_migration_integrity('sec_p');
SELECT phase, rows_deleted FROM rollback_migration('sec_p');
RESET ROLE;
SELECT count(*) AS target_rows_left FROM sec.tgt;
-- alice redefines the rolled-back phase: its new id map is shared with bob
-- as the old one was
SET ROLE regress_sec_alice;
SELECT define_phase('sec_p', '{"source": "sec.src", "target": "sec.tgt",
  "target_key": {"column": "id", "generate": "uuid_v5"}, "columns": {"name": "name"}}');
RESET ROLE;
SET ROLE regress_sec_bob;
SELECT phase, migrated FROM migrate_phase('sec_p');
SELECT phase, rows_deleted FROM rollback_migration('sec_p');
RESET ROLE;

-- leave the database as the test found it
DROP EXTENSION ferry CASCADE;
DROP SCHEMA sec CASCADE;
DROP OWNED BY regress_sec_alice, regress_sec_bob, regress_sec_nobody;
DROP ROLE regress_sec_alice;
DROP ROLE regress_sec_bob;
DROP ROLE regress_sec_nobody;
