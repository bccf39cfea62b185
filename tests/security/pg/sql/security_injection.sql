-- security_injection: hostile identifiers and SQL in specs (issue 10, item 6).
-- Every name from a spec is quoted (or refused); a "sql" expression runs as
-- the caller inside the planned statement and cannot end it.
\set VERBOSITY terse
CREATE EXTENSION ferry;
CREATE SCHEMA "inj; --";
SET search_path = public, "inj; --";
-- t must survive everything below
CREATE TABLE t (id int);
INSERT INTO t VALUES (1);

-- a table, a target and columns named to break out of their quotes
CREATE TABLE "inj; --"."x""; DROP TABLE t; --" (
    "id" bigint PRIMARY KEY,
    "na""me; DROP TABLE t; --" text,
    "/* c */ `b` 'q' \" text,
    "іd" text                           -- Cyrillic і: not "id"
);
INSERT INTO "inj; --"."x""; DROP TABLE t; --"
SELECT g, 'name ' || g, 'c' || g, 'cyrillic ' || g FROM generate_series(1, 5) AS g;
CREATE TABLE "inj; --"."t"")--" (
    "k" uuid PRIMARY KEY,
    "legacy""id" bigint,
    "ti""tle;--" text,
    "c/*" text,
    "іd" text,
    "doc'" jsonb
);
SELECT define_phase('inj "phase"; --', $${
  "source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"",
  "target_key": {"column": "k", "generate": "uuid_v5"},
  "legacy_column": "legacy\"id",
  "columns": {
    "ti\"tle;--": "na\"me; DROP TABLE t; --",
    "c/*": "/* c */ `b` 'q' \\",
    "іd": "іd",
    "doc'": {"json": {"k'); DROP TABLE t; --": "іd", "\"q\"": {"const": "'; DROP TABLE t; --"}}}
  }
}$$);
SELECT phase, migrated, rejected FROM migrate_phase('inj "phase"; --');
SELECT "legacy""id", "ti""tle;--", "c/*", "іd", "doc'"
FROM "inj; --"."t"")--" ORDER BY "legacy""id" LIMIT 2;
SELECT check_name, status FROM validate_migration_integrity('inj "phase"; --');
SELECT check_name, status FROM preflight('inj "phase"; --');
SELECT phase, rows_deleted FROM rollback_migration('inj "phase"; --');
SELECT count(*) AS t_survives FROM t;

-- a name with a NUL byte cannot reach ferry: jsonb refuses \u0000 in text
SELECT define_phase('nul', '{"source": "a\u0000b", "target": "t", "columns": {"id": "id"}}');
-- a look-alike names a table that does not exist: refused by name, never
-- resolved to the table it resembles
SELECT define_phase('lookalike', $${"source": "\"inj; --\".\"х\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"c/*": "id"}}$$);

-- "sql" expressions: run inside the planned statement, as the caller
SELECT define_phase('inj_sql1', $${"source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"ti\"tle;--": {"sql": "1); DROP TABLE t; --"}}}$$);
SELECT define_phase('inj_sql2', $${"source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"ti\"tle;--": {"sql": "'a'; DROP TABLE t"}}}$$);
SELECT define_phase('inj_where', $${"source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"ti\"tle;--": "na\"me; DROP TABLE t; --"}, "where": "true; DROP TABLE t"}$$);
SELECT define_phase('inj_comment', $${"source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"ti\"tle;--": {"sql": "'a' /* unterminated"}}}$$);
SELECT count(*) AS t_survives FROM t;
-- a semicolon inside a string literal of an expression is data
SELECT define_phase('inj_sql_ok', $${"source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"ti\"tle;--": {"sql": "'a; DROP TABLE t; --' || id"}}}$$);
SELECT phase, migrated FROM migrate_phase('inj_sql_ok');
SELECT DISTINCT left("ti""tle;--", 19) AS value FROM "inj; --"."t"")--";
-- an expression reading a table the caller may not read fails as the caller
CREATE ROLE regress_inj_user;
GRANT USAGE, CREATE ON SCHEMA ferry TO regress_inj_user;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ferry TO regress_inj_user;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ferry TO regress_inj_user;
GRANT USAGE ON SCHEMA "inj; --" TO regress_inj_user;
GRANT SELECT ON "inj; --"."x""; DROP TABLE t; --" TO regress_inj_user;
GRANT INSERT ON "inj; --"."t"")--" TO regress_inj_user;
SET ROLE regress_inj_user;
SELECT define_phase('inj_reads_t', $${"source": "\"inj; --\".\"x\"\"; DROP TABLE t; --\"",
  "target": "\"inj; --\".\"t\"\")--\"", "target_key": {"column": "k", "generate": "uuid_v5"},
  "columns": {"ti\"tle;--": {"sql": "(SELECT count(*) FROM public.t)::text"}}}$$);
RESET ROLE;
SELECT count(*) AS t_survives FROM t;

-- leave the database as the test found it
RESET search_path;
DROP EXTENSION ferry CASCADE;
DROP SCHEMA "inj; --" CASCADE;
DROP TABLE t;
DROP OWNED BY regress_inj_user;
DROP ROLE regress_inj_user;
