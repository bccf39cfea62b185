-- The content hash kept in id maps (ferry.content_hash over the typed row),
-- what it sees as a change, and the upgrade from 0.1, whose maps hold the
-- hash of each row's text: unchanged rows must not look drifted after
-- ALTER EXTENSION ferry UPDATE, rows that had drifted still must.
CREATE EXTENSION ferry VERSION '0.1';
CREATE TABLE src (id int PRIMARY KEY, name text, amount numeric, doc jsonb, tags int[], at timestamptz);
INSERT INTO src SELECT i, 'n' || i, i / 10.0, jsonb_build_object('k', i), ARRAY[i, i + 1], '2026-01-01'::timestamptz + i * interval '1 hour'
FROM generate_series(1, 5) AS i;
CREATE TABLE dst (id uuid PRIMARY KEY, legacy_id int, name text, amount numeric, doc jsonb, tags int[], at timestamptz);
SELECT define_phase('p', '{"source": "src", "target": "dst", "legacy_column": "legacy_id",
  "columns": {"name": "name", "amount": "amount", "doc": "doc", "tags": "tags", "at": "at"}}');
-- what migrate_phase of 0.1 wrote: the target rows and, in the map, the hash of
-- each row's text, its columns in the order ferry reads the spec (by name)
INSERT INTO dst SELECT uuid_v5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', id::text), id, name, amount, doc, tags, at FROM src;
INSERT INTO ferry.map_1 (legacy_1, new_key, run_id, row_hash)
SELECT legacy_id, id, 1, ferry.row_hash(ROW(amount, at, doc, name, tags)::text) FROM dst;
-- a row the application changed after that migration
UPDATE dst SET name = 'changed' WHERE legacy_id = 2;
ALTER EXTENSION ferry UPDATE TO '0.2';
-- the unchanged rows carry the new hash, the changed one still differs
SELECT m.legacy_1, m.row_hash = ferry.content_hash(ROW(t.amount, t.at, t.doc, t.name, t.tags)) AS same
FROM ferry.map_1 AS m JOIN dst AS t ON t.id = m.new_key ORDER BY 1;
SELECT check_name, status, details, sample FROM validate_migration_integrity('p') WHERE check_name = 'content_unchanged';
-- rehashing again changes nothing: no entry holds a text hash of its row any more
SELECT ferry.rehash_content('p');

-- what the hash sees: a change only in case, in a numeric's scale, in a
-- document, an empty string for a NULL, the order of two values; arrays
-- (hashed in text) and timestamps likewise
SELECT ferry.content_hash(ROW('a'::text)) <> ferry.content_hash(ROW('A'::text)) AS case_seen,
       ferry.content_hash(ROW(1.0::numeric)) <> ferry.content_hash(ROW(1.00::numeric)) AS scale_seen,
       ferry.content_hash(ROW(1.0::numeric)) = ferry.content_hash(ROW(1.0::numeric(5,1))) AS same_value_same_hash,
       ferry.content_hash(ROW('{"a": 1, "b": 2}'::jsonb)) = ferry.content_hash(ROW('{"b":2,"a":1}'::jsonb)) AS jsonb_canonical,
       ferry.content_hash(ROW('{"a": 1}'::jsonb)) <> ferry.content_hash(ROW('{"a": 2}'::jsonb)) AS jsonb_seen,
       ferry.content_hash(ROW(''::text)) <> ferry.content_hash(ROW(NULL::text)) AS null_seen,
       ferry.content_hash(ROW('a'::text, 'b'::text)) <> ferry.content_hash(ROW('b'::text, 'a'::text)) AS order_seen,
       ferry.content_hash(ROW('ab'::text, 'c'::text)) <> ferry.content_hash(ROW('a'::text, 'bc'::text)) AS boundary_seen,
       ferry.content_hash(ROW(ARRAY[1, 2])) <> ferry.content_hash(ROW(ARRAY[2, 1])) AS array_seen,
       ferry.content_hash(ROW(1::int, now())) <> ferry.content_hash(ROW(1::int, now() + interval '1 us')) AS time_seen;
-- a toasted value hashes like the same value inline
CREATE TABLE big (v text);
INSERT INTO big VALUES (repeat('x', 100000));
SELECT ferry.content_hash(ROW(v)) = ferry.content_hash(ROW(repeat('x', 100000))) AS toast_same FROM big;

-- a migration of 0.2 keeps content hashes, and validation then finds no drift
SELECT * FROM rollback_migration('p', force => true);
SELECT phase, migrated, rejected FROM migrate_phase('p');
SELECT check_name, status, details FROM validate_migration_integrity('p') WHERE check_name = 'content_unchanged';
UPDATE dst SET amount = 0.10 WHERE legacy_id = 1;   -- 0.1 -> 0.10: the value compares equal, its text does not
SELECT check_name, status, details, sample FROM validate_migration_integrity('p') WHERE check_name = 'content_unchanged';

DROP EXTENSION ferry CASCADE;
DROP TABLE src, dst, big;
