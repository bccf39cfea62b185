-- A sync trigger keeps, per backend, the phase, its metadata, its planned
-- statements and their prepared plans between firings (issue 8); a
-- redefined phase, DDL on the target or the source, or a restarted sync
-- must make them again before a firing writes anything.
CREATE EXTENSION ferry;

CREATE TABLE inv (id bigint PRIMARY KEY, couple text, budget_cents bigint);
CREATE TABLE ev (id uuid PRIMARY KEY, title text NOT NULL, budget numeric, legacy_id bigint);
SELECT define_phase('inv', '{"source": "inv", "target": "ev", "legacy_column": "legacy_id",
  "columns": {"title": "couple", "budget": {"from": "budget_cents", "convert": "cents_to_decimal"}}}');
SELECT start_sync('inv');

-- one round of writes: each statement is one firing
CREATE PROCEDURE pg_temp.writes(a bigint, b bigint, name_a text, name_b text, renamed text)
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inv VALUES (a, name_a, a * 100);
  INSERT INTO inv VALUES (b, name_b, b * 100);
  UPDATE inv SET couple = renamed WHERE id = b;
  DELETE FROM inv WHERE id = a;
END $$;
-- ferry's kept plans in this backend (PostgreSQL's plan cache entries)
CREATE VIEW kept_plans AS SELECT count(*) AS n FROM pg_backend_memory_contexts
  WHERE name = 'CachedPlanSource' AND ident LIKE '%ferry%';
CALL pg_temp.writes(1, 2, 'Ani', 'Budi', 'Citra');
CREATE TEMP TABLE plans_after AS SELECT n FROM kept_plans;
-- the second round of the same writes prepares nothing new: it uses the cache
CALL pg_temp.writes(3, 4, 'Dedi', 'Eka', 'Fajar');
SELECT (SELECT n FROM plans_after) > 0 AS kept_plans, (SELECT n FROM kept_plans) - (SELECT n FROM plans_after) AS new_plans,
       (SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'ferry sync firing') AS cached_phases;
-- a 1,000-row statement gets plans of its own (made for its row count)
INSERT INTO inv SELECT g, 'bulk ' || g, g FROM generate_series(1000, 1999) AS g;
SELECT (SELECT n FROM kept_plans) > (SELECT n FROM plans_after) AS bulk_plans;
DELETE FROM inv WHERE id >= 1000;
SELECT legacy_id, title, budget FROM ev ORDER BY legacy_id;
SELECT (SELECT count(*) FROM ferry.map_1) AS mapped, (SELECT count(*) FROM ev) AS target;

-- DDL on the target between firings: a column that is no longer NOT NULL
-- takes a NULL the cached statements rejected (and the other way round)
INSERT INTO inv VALUES (5, NULL, 500);
ALTER TABLE ev ALTER COLUMN title DROP NOT NULL;
INSERT INTO inv VALUES (6, NULL, 600);
SELECT legacy_id, title, budget FROM ev WHERE legacy_id >= 5 ORDER BY legacy_id;
DELETE FROM inv WHERE id = 6;
ALTER TABLE ev ALTER COLUMN title SET NOT NULL;
INSERT INTO inv VALUES (7, NULL, 700);
SELECT legacy_key, reason FROM ferry.migration_rejects ORDER BY legacy_key::text;
SELECT legacy_id, title, budget FROM ev WHERE legacy_id >= 5 ORDER BY legacy_id;

-- DDL on the source between firings: the transition tables change shape
ALTER TABLE inv ALTER COLUMN budget_cents TYPE numeric;
INSERT INTO inv VALUES (8, 'Gita', 812.5);
UPDATE inv SET budget_cents = 1 WHERE id = 2;
ALTER TABLE inv ADD COLUMN note text;
ALTER TABLE inv DROP COLUMN note;
ALTER TABLE inv ADD COLUMN note text;
INSERT INTO inv VALUES (9, 'Hadi', 900, 'note');
SELECT legacy_id, title, budget FROM ev WHERE legacy_id IN (2, 8, 9) ORDER BY legacy_id;

INSERT INTO inv (id, budget_cents, couple) VALUES (10, 1000, 'Indah');
UPDATE inv SET couple = 'Joko' WHERE id = 9;

-- stopped, rolled back and defined again under the same name: a new phase
-- id and sync run; the firings write the new phase's rows
SELECT stop_sync('inv');
SELECT count(*) > 0 AS rolled_back FROM rollback_migration('inv');
SELECT define_phase('inv', '{"source": "inv", "target": "ev", "legacy_column": "legacy_id",
  "columns": {"title": {"sql": "lower(couple)"}, "budget": {"from": "budget_cents", "convert": "cents_to_decimal"}}}');
SELECT start_sync('inv');
SELECT migrated FROM migrate_phase('inv');
INSERT INTO inv (id, budget_cents, couple) VALUES (11, 1100, 'Kiki');
UPDATE inv SET couple = 'Lala' WHERE id = 10;
SELECT legacy_id, title, budget FROM ev ORDER BY legacy_id;
SELECT status, count(*) FROM validate_migration_integrity('inv') GROUP BY status ORDER BY status;

-- after stop_sync no firing is left, cached or not
SELECT stop_sync('inv');
INSERT INTO inv (id, budget_cents, couple) VALUES (12, 1200, 'Mira');
SELECT count(*) AS unsynced FROM ev WHERE legacy_id = 12;

DROP EXTENSION ferry CASCADE;
DROP VIEW kept_plans;
DROP TABLE inv, ev;
