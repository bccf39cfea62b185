-- preflight: what migrate_phase would find wrong, before any write.  Every
-- check in its OK form and in its WARN/ERROR form, and proof that preflight
-- writes nothing.
CREATE EXTENSION ferry;

CREATE TABLE pf_invitations (id bigint PRIMARY KEY, couple text);
INSERT INTO pf_invitations SELECT g, 'Couple ' || g FROM generate_series(1, 3) g;
CREATE TABLE pf_events (id uuid PRIMARY KEY, title text NOT NULL, legacy_id bigint);

-- a legacy table without a primary key, and a target stricter than it
CREATE TABLE pf_guests_src (id bigint, invitation_id bigint, name text,
                            tier text, email text, price numeric);
INSERT INTO pf_guests_src VALUES
  (1, 1, 'Ani', 'gold', 'ani@x.id', 10.5),
  (2, 1, 'Budi Santoso', 'silver', 'budi@x.id', 20),  -- name too long for varchar(8)
  (3, 99, 'Citra', 'bronze', 'same@x.id', 30),        -- no invitation 99; 'bronze' is no integer
  (4, 2, NULL, 'gold', 'same@x.id', 40),              -- no name; same email as 3
  (4, 3, 'Dewi', 'gold', 'dewi@x.id', 50),            -- key 4 again
  (NULL, 1, 'Eka', 'gold', 'eka@x.id', 60),           -- no key
  (7, 2, 'Fajar', 'gold', 'taken@x.id', 1000.5),      -- email taken; price too large
  (8, NULL, 'Gita', 'gold', NULL, 5);                 -- nothing wrong
CREATE TABLE pf_participants (
  id uuid PRIMARY KEY, event_id uuid REFERENCES pf_events, name varchar(8) NOT NULL,
  rank integer, email text UNIQUE, price numeric(4,1));
-- a row the application wrote
INSERT INTO pf_participants VALUES (gen_random_uuid(), NULL, 'Old', 1, 'taken@x.id', 1);

SELECT define_phase('pf_parent', '{"source": "pf_invitations", "target": "pf_events",
  "legacy_column": "legacy_id", "columns": {"title": "couple"}}');
SELECT define_phase('pf_guests', '{"source": "pf_guests_src", "target": "pf_participants",
  "columns": {"event_id": {"from": "invitation_id", "ref": "pf_parent"},
              "name": "name",
              "rank": {"from": "tier", "map": {"gold": "1", "silver": "2"}},
              "email": "email", "price": "price"}}');

-- every check in its OK form: one row each
SELECT * FROM preflight('pf_parent');

-- the books before (phase ids are 1 and 2: the maps are ferry.map_1, ferry.map_2)
CREATE TEMP VIEW pf_books AS SELECT
  (SELECT count(*) FROM pf_events) AS events,
  (SELECT count(*) FROM pf_participants) AS participants,
  (SELECT count(*) FROM ferry.map_1) AS map_1,
  (SELECT count(*) FROM ferry.map_2) AS map_2,
  (SELECT count(*) FROM ferry.migration_rejects) AS rejects,
  (SELECT count(*) FROM ferry.migration_log) AS log_rows;
SELECT * FROM pf_books;

-- before its parent ran: the dependency is missing and no ref resolves
SELECT check_name, status, rows, details, sample FROM preflight('pf_guests')
 WHERE check_name IN ('refs', 'dependencies');

SELECT phase, migrated FROM migrate_phase('pf_parent');
SELECT * FROM pf_books;

-- every problem of the guests, each with its count and legacy keys
SELECT * FROM preflight('pf_guests');

-- preflight wrote nothing: only the parent's run is in the books
SELECT * FROM pf_books;

-- as preflight said, migrate_phase fails: values that do not fit are rejected,
-- but the duplicate key 4 stops the run, and nothing is written
\set VERBOSITY terse
SELECT phase, migrated FROM migrate_phase('pf_guests');
\set VERBOSITY default
SELECT * FROM pf_books;

-- with "on_error": "abort" the same values would fail the run: ERROR
SELECT define_phase('pf_guests_abort', '{"source": "pf_guests_src", "target": "pf_participants",
  "on_error": "abort", "columns": {"name": "name", "price": "price"}}');
SELECT check_name, status, rows, details FROM preflight('pf_guests_abort') WHERE check_name = 'casts';
SELECT drop_phase('pf_guests_abort');

-- a ref with on_missing error is an ERROR, with null a WARN
CREATE TABLE pf_strict (id uuid PRIMARY KEY, event_id uuid, other_event uuid);
SELECT define_phase('pf_strict', '{"source": "pf_guests_src", "source_key": "price", "target": "pf_strict",
  "columns": {"event_id": {"from": "invitation_id", "ref": "pf_parent", "on_missing": "error"},
              "other_event": {"from": "invitation_id", "ref": "pf_parent", "on_missing": "null"}}}');
SELECT check_name, status, rows, details, sample FROM preflight('pf_strict') WHERE check_name = 'refs';

-- a check whose statement fails says so, as migrate_phase would fail
CREATE TABLE pf_div (id uuid PRIMARY KEY, n integer NOT NULL);
SELECT define_phase('pf_div', '{"source": "pf_invitations", "target": "pf_div",
  "columns": {"n": {"sql": "10 / (id - 1)"}}}');
SELECT check_name, status, rows, details FROM preflight('pf_div') WHERE status <> 'OK';

-- composite keys: the sample spells a NULL part; a unique index over two
-- columns is checked, one over a column the spec does not fill is not
CREATE TABLE pf_pairs_src (a int, b text, v text);
INSERT INTO pf_pairs_src VALUES (1, 'x', 'p'), (1, NULL, 'q'), (2, 'y', 'r'), (2, 'y', 'r'), (3, 'z', 'r');
CREATE TABLE pf_pairs (id uuid PRIMARY KEY, a int, v text, note text,
                       UNIQUE (a, v), UNIQUE (note));
INSERT INTO pf_pairs VALUES (gen_random_uuid(), 1, 'p', 'app row');
SELECT define_phase('pf_pairs', '{"source": "pf_pairs_src", "source_key": ["a", "b"], "target": "pf_pairs",
  "columns": {"a": "a", "v": "v"}}');
SELECT check_name, status, rows, details, sample FROM preflight('pf_pairs') WHERE status <> 'OK';

-- a merge_on phase writes one row per group: the rows of a group are no
-- duplicates of each other, and a catch-up run does not collide with its
-- group's own row
CREATE TABLE pf_cust_src (id int PRIMARY KEY, name text, phone text);
INSERT INTO pf_cust_src VALUES (1, 'Ani', '0811'), (2, 'Ani S.', '0811'), (3, NULL, '0815'),
                               (4, 'Budi', NULL), (5, 'Eve', '0899');
CREATE TABLE pf_customers (id uuid PRIMARY KEY, name text NOT NULL, phone text UNIQUE);
INSERT INTO pf_customers VALUES (gen_random_uuid(), 'App', '0899');
SELECT define_phase('pf_customers', '{"source": "pf_cust_src", "target": "pf_customers", "merge_on": ["phone"],
  "columns": {"name": {"from": "name", "merge": "first_non_null"}, "phone": "phone"}}');
SELECT check_name, status, rows, details, sample FROM preflight('pf_customers') WHERE status <> 'OK';
DELETE FROM pf_cust_src WHERE id = 5;
SELECT phase, migrated, merged, rejected FROM migrate_phase('pf_customers');
INSERT INTO pf_cust_src VALUES (6, 'Ani T.', '0811');
SELECT check_name, status, rows, details, sample FROM preflight('pf_customers') WHERE status <> 'OK';

-- the schema changed after the phase was defined: a row, not an error
CREATE TABLE pf_gone_src (id bigint PRIMARY KEY, label text);
CREATE TABLE pf_gone (id uuid PRIMARY KEY, label text);
SELECT define_phase('pf_gone', '{"source": "pf_gone_src", "target": "pf_gone", "columns": {"label": "label"}}');
ALTER TABLE pf_gone_src DROP COLUMN label;
SELECT * FROM preflight('pf_gone');
DROP TABLE pf_gone_src;
SELECT check_name, status, details FROM preflight('pf_gone') WHERE check_name = 'relations';

-- a phase that does not exist, or no name, is the caller's mistake
SELECT * FROM preflight('nope');
SELECT * FROM preflight(NULL);

-- value_fits converts as an INSERT (assignment) or a CAST (explicit) would,
-- except that a cast too is held to the type's modifier: nothing is cut to fit
SELECT ferry.value_fits('12'::text, 'integer', true) AS text_int_cast,
       ferry.value_fits('12'::text, 'integer') AS text_int_assign,
       ferry.value_fits('x'::text, 'integer', true) AS x_int,
       ferry.value_fits(3.7, 'integer') AS rounds,
       ferry.value_fits('abcdefghi'::text, 'varchar(8)') AS too_long,
       ferry.value_fits('abcdefghi'::text, 'varchar(8)', true) AS cast_too_long,
       ferry.value_fits(999.95, 'numeric(4,1)') AS overflow,
       ferry.value_fits(5, 'bigint') AS same_family,
       ferry.value_fits(NULL::text, 'integer') AS null_fits;
CREATE DOMAIN pf_positive AS integer CHECK (VALUE > 0);
SELECT ferry.value_fits(-1, 'pf_positive') AS negative, ferry.value_fits(1, 'pf_positive') AS positive;
SELECT ferry.value_fits(1, 'no_such_type');

-- in a read-only transaction
BEGIN READ ONLY;
SELECT check_name, status, rows FROM preflight('pf_parent');
ROLLBACK;

DROP EXTENSION ferry CASCADE;
DROP TABLE pf_participants, pf_events, pf_guests_src, pf_invitations, pf_strict, pf_div,
  pf_pairs_src, pf_pairs, pf_gone, pf_cust_src, pf_customers;
DROP DOMAIN pf_positive;
