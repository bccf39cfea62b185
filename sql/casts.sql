-- Values the target type will not take are rejected with their reason, not
-- an abort of the whole run: the fast statement runs first, and when it
-- meets such a value it is undone and the safe one rejects row by row.
-- "on_error": "abort" keeps the error instead.
CREATE EXTENSION ferry;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
CREATE TABLE legacy (id int PRIMARY KEY, code text, price numeric, feeling text, qty int);
INSERT INTO legacy VALUES
  (1, 'AB', 12.5, 'happy', 1),
  (2, 'TOOLONGCODE', 1.0, 'sad', 2),      -- code longer than varchar(5)
  (3, 'CD', 123456.0, 'happy', 3),        -- price beyond numeric(4,1)
  (4, 'EF', 3.0, 'grumpy', 4),            -- no such mood
  (5, 'GH', 4.0, 'sad', 0);               -- qty breaks the domain
CREATE TABLE modern (id uuid PRIMARY KEY, code varchar(5), price numeric(4,1), feeling mood, qty positive_int);

SELECT define_phase('items', '{"source": "legacy", "target": "modern",
  "columns": {"code": "code", "price": "price", "feeling": {"from": "feeling", "map": {"glad": "happy"}},
              "qty": "qty"}}');
SELECT phase, migrated, rejected FROM migrate_phase('items');
SELECT legacy_key, reason FROM ferry.migration_rejects ORDER BY legacy_key->>'id';
SELECT code, price, feeling, qty FROM modern;
SELECT * FROM validate_migration_integrity('items');
SELECT rows_deleted FROM rollback_migration('items');

-- on_error: abort keeps PostgreSQL's error and writes nothing
SELECT define_phase('items', '{"source": "legacy", "target": "modern", "on_error": "abort",
  "columns": {"code": "code", "price": "price", "feeling": {"from": "feeling", "map": {"glad": "happy"}},
              "qty": "qty"}}');
SELECT phase, migrated, rejected FROM migrate_phase('items');
SELECT count(*) AS written FROM modern;
SELECT define_phase('bad', '{"source": "legacy", "target": "modern", "on_error": "ignore", "columns": {}}');

-- a mapped value or a constant too long for a varchar(n) / char(n) column is
-- rejected, not cut to fit (PostgreSQL's explicit CAST truncates silently)
CREATE TABLE short (id uuid PRIMARY KEY, code varchar(2), tag char(1), origin varchar(3));
SELECT define_phase('short', '{"source": "legacy", "target": "short",
  "columns": {"code": {"from": "code", "map": {"AB": "ABC", "CD": "CD"}, "default": "EF"},
              "tag": {"from": "feeling", "map": {"happy": "h", "sad": "sad"}},
              "origin": {"const": "old"}}}');
SELECT phase, migrated, rejected FROM migrate_phase('short');
SELECT legacy_key->>'id' AS id, reason FROM ferry.migration_rejects WHERE phase = 'short'
 ORDER BY legacy_key->>'id';
SELECT code, tag, origin FROM short ORDER BY code, tag;
SELECT rows_deleted FROM rollback_migration('short');
SELECT drop_phase('short');
SELECT define_phase('short', '{"source": "legacy", "target": "short",
  "columns": {"code": {"const": "X"}, "origin": {"const": "legacy"}}}');
SELECT phase, migrated, rejected FROM migrate_phase('short');
SELECT DISTINCT reason FROM ferry.migration_rejects WHERE phase = 'short';

DROP EXTENSION ferry CASCADE;
DROP TABLE legacy, modern, short;
DROP TYPE mood;
DROP DOMAIN positive_int;
