-- ferry 0.1 -> 0.2: the SQL objects added or changed since 0.1.
-- ferry--0.1.sql is what 0.1 installed and is never edited again; a fresh
-- CREATE EXTENSION ferry runs it and then this file.
\echo Use "ALTER EXTENSION ferry UPDATE TO '0.2'" to load this file. \quit

-- ------------------------------------------------ json_restructure_error (issue 6)
-- Why json_restructure would refuse a document, or NULL: a restructure column
-- quarantines such a row with this reason instead of failing the run.
CREATE FUNCTION json_restructure_error(doc text, spec jsonb) RETURNS text
    AS 'MODULE_PATHNAME', 'json_restructure_error' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_restructure_error(text, jsonb) IS 'ferry: why json_restructure would refuse the document, or NULL';
