-- ferry 0.1 -> 0.2: the SQL objects added or changed since 0.1.
-- ferry--0.1.sql is what 0.1 installed and is never edited again; a fresh
-- CREATE EXTENSION ferry runs it and then this file.
\echo Use "ALTER EXTENSION ferry UPDATE TO '0.2'" to load this file. \quit

-- ------------------------------------------------------------ content hash (branch perf)
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
