-- ferry 0.1 -> 0.2: the SQL objects added or changed since 0.1.
-- ferry--0.1.sql is what 0.1 installed and is never edited again; a fresh
-- CREATE EXTENSION ferry runs it and then this file.
\echo Use "ALTER EXTENSION ferry UPDATE TO '0.2'" to load this file. \quit

-- ------------------------------------------------- writable compat views
-- create_compat_view(..., writable => true): the INSTEAD OF trigger that
-- writes a row written through the view to the legacy table (sync carries it).
CREATE FUNCTION ferry_compat_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'ferry_compat_trigger' LANGUAGE C;
COMMENT ON FUNCTION ferry_compat_trigger() IS 'ferry: the INSTEAD OF trigger of a writable compat view (one row per firing, into the legacy table)';
