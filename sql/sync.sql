-- Live sync from the legacy tables (start_sync, stop_sync, finish_sync) and
-- compatibility views (create_compat_view): seeds 001 and 004 run the old
-- and the new schema side by side.
CREATE EXTENSION ferry;

CREATE TABLE invitations (id bigint PRIMARY KEY, couple text, status text, venue text, city text,
  budget_cents bigint, deleted boolean NOT NULL DEFAULT false);
INSERT INTO invitations VALUES
  (1, 'Ani & Budi', 'p', 'Hall A', 'Jakarta', 150000, false),
  (2, 'Citra & Dedi', 'd', 'Garden', 'Bogor', NULL, false),
  (3, 'Eka & Fajar', 'p', NULL, 'Depok', 99, false);
CREATE TABLE guests (id bigint PRIMARY KEY, invitation_id bigint, name text);
INSERT INTO guests VALUES (1, 1, 'Gita'), (2, 1, 'Hadi'), (3, 2, 'Indah');
CREATE TABLE events (id uuid PRIMARY KEY, title text NOT NULL, status text, location jsonb,
  budget numeric, legacy_id bigint, deleted_at timestamptz);
CREATE TABLE participants (id uuid PRIMARY KEY, event_id uuid, name text NOT NULL);

SELECT define_phase('invites', '{"source": "invitations", "target": "events", "legacy_column": "legacy_id",
  "columns": {"title": "couple",
              "status": {"from": "status", "map": {"p": "published", "d": "draft"}},
              "location": {"json": {"venue": "venue", "city": "city"}},
              "budget": {"from": "budget_cents", "convert": "cents_to_decimal"}},
  "where": "NOT deleted", "on_source_delete": "soft"}');
SELECT define_phase('guests', '{"source": "guests", "target": "participants",
  "columns": {"event_id": {"from": "invitation_id", "ref": "invites"}, "name": "name"}}');

-- sync starts first, then the migration: no change made in between is missed
SELECT start_sync('invites');
SELECT start_sync('guests');
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname LIKE 'ferry_sync%' ORDER BY 1, 2;
SELECT phase, migrated, rejected, filtered FROM migrate_all();
SELECT phase, state, migrated, syncing, sync_started_at IS NOT NULL AS started FROM migration_status;
CREATE TEMP TABLE first_ids AS SELECT legacy_id, id FROM events;

-- inserts: one row per statement or many, filtered by the where, refs
-- resolved through the map, rejects quarantined as migrate_phase does
INSERT INTO invitations VALUES (4, 'Joko & Kiki', 'p', 'Beach', 'Bali', 5000, false),
                               (5, 'Lala & Mamat', 'd', NULL, NULL, NULL, true);
INSERT INTO guests VALUES (4, 4, 'Nina'), (5, 99, 'Oki'), (6, 1, NULL);
SELECT legacy_id, title, status, location, budget, deleted_at IS NOT NULL AS deleted FROM events ORDER BY legacy_id;
SELECT g.id, p.name, e.legacy_id AS invitation FROM guests g
  LEFT JOIN ferry.map_2 m ON m.legacy_1 = g.id LEFT JOIN participants p ON p.id = m.new_key
  LEFT JOIN events e ON e.id = p.event_id ORDER BY g.id;
SELECT phase, legacy_key, reason FROM ferry.migration_rejects ORDER BY phase, legacy_key::text;

-- updates: the target row changes in place (same key), the map's content
-- hash follows, a rejected row is judged again, a row that is rejected now
-- leaves the target
UPDATE invitations SET couple = 'Ani & Budi Santoso', status = 'd', budget_cents = 160000 WHERE id = 1;
UPDATE guests SET invitation_id = 4 WHERE id = 1;
UPDATE guests SET name = 'Putri' WHERE id = 6;
UPDATE guests SET name = NULL WHERE id = 3;
SELECT e.legacy_id, e.title, e.status, e.budget, e.id = f.id AS same_key
FROM events e JOIN first_ids f USING (legacy_id) WHERE legacy_id = 1;
SELECT g.id, p.name, e.legacy_id AS invitation FROM guests g
  LEFT JOIN ferry.map_2 m ON m.legacy_1 = g.id LEFT JOIN participants p ON p.id = m.new_key
  LEFT JOIN events e ON e.id = p.event_id ORDER BY g.id;
SELECT phase, legacy_key, reason FROM ferry.migration_rejects ORDER BY phase, legacy_key::text;

-- deletes: delete (the default) takes the target row and its map entry
DELETE FROM guests WHERE id IN (2, 3);
SELECT count(*) AS participants, (SELECT count(*) FROM ferry.map_2) AS mapped FROM participants;

-- soft: an invitation leaving the where, or deleted, marks its event; one
-- that comes back is revived
UPDATE invitations SET deleted = true WHERE id = 2;
SELECT legacy_id, deleted_at IS NOT NULL AS deleted FROM events ORDER BY legacy_id;
UPDATE invitations SET deleted = false, venue = 'Big Garden' WHERE id = 2;
DELETE FROM invitations WHERE id = 3;
SELECT legacy_id, location, deleted_at IS NOT NULL AS deleted FROM events ORDER BY legacy_id;
SELECT phase, check_name, status, details FROM validate_migration_integrity()
WHERE check_name IN ('row_accounting', 'source_rows_gone', 'content_roundtrip', 'content_unchanged');

-- a guest's invitation arrives later: the guest stays rejected until a
-- catch-up run resolves it
INSERT INTO invitations VALUES (99, 'Late couple', 'p', NULL, NULL, NULL, false);
SELECT count(*) AS rejected_guests FROM ferry.migration_rejects WHERE phase = 'guests';
SELECT phase, migrated, rejected FROM migrate_phase('guests');
SELECT count(*) AS rejected_guests FROM ferry.migration_rejects WHERE phase = 'guests';

-- a synced row is the row a migration writes: roll guests back, migrate
-- them again, compare target rows, map entries and content hashes
CREATE TEMP TABLE synced AS SELECT p.*, m.legacy_1, m.row_hash FROM participants p JOIN ferry.map_2 m ON m.new_key = p.id;
-- (a syncing phase is neither rolled back nor dropped: the next write would overtake it)
SELECT phase, rows_deleted FROM rollback_migration('guests');
SELECT drop_phase('guests');
SELECT stop_sync('guests');
SELECT phase, rows_deleted FROM rollback_migration('guests');
SELECT phase, migrated FROM migrate_phase('guests');
SELECT start_sync('guests');
SELECT count(*) AS differ FROM (
  (TABLE synced EXCEPT SELECT p.*, m.legacy_1, m.row_hash FROM participants p JOIN ferry.map_2 m ON m.new_key = p.id)
  UNION ALL
  (SELECT p.*, m.legacy_1, m.row_hash FROM participants p JOIN ferry.map_2 m ON m.new_key = p.id EXCEPT TABLE synced)) d;

-- a trigger that fails makes the application's statement fail as a whole
CREATE TABLE strict_participants (id uuid PRIMARY KEY, event_id uuid, name text);
SELECT define_phase('guests_strict', '{"source": "guests", "target": "strict_participants",
  "columns": {"event_id": {"from": "invitation_id", "ref": "invites", "on_missing": "error"}, "name": "name"}}');
SELECT phase, migrated FROM migrate_phase('guests_strict');
SELECT start_sync('guests_strict');
INSERT INTO guests VALUES (7, 1, 'Rudi'), (8, 12345, 'Sari');
UPDATE guests SET invitation_id = 777 WHERE id = 1;
SELECT (SELECT count(*) FROM guests) AS guests, (SELECT count(*) FROM participants) AS participants,
       (SELECT count(*) FROM strict_participants) AS strict, (SELECT count(*) FROM ferry.map_2) AS mapped;
INSERT INTO guests VALUES (7, 1, 'Rudi');
SELECT name FROM strict_participants ORDER BY name;

-- stop_sync leaves no trigger behind
SELECT stop_sync('guests_strict');
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgfoid = 'ferry_sync_trigger'::regproc ORDER BY 1, 2;
SELECT stop_sync('guests_strict');

-- compatibility views: the legacy shape over the target, from the spec's inverse
SELECT create_compat_view('guests', 'guests_compat');
SELECT count(*) AS differ FROM ((TABLE guests EXCEPT TABLE guests_compat) UNION ALL (TABLE guests_compat EXCEPT TABLE guests)) d;
SELECT create_compat_view('invites', 'public.invitations_compat');
SELECT id, couple, status, venue, city, budget_cents, deleted FROM invitations_compat ORDER BY id;
SELECT count(*) AS differ FROM (
  (SELECT id, couple, status, venue, city, budget_cents FROM invitations WHERE NOT deleted
   EXCEPT SELECT id, couple, status, venue, city, budget_cents FROM invitations_compat)
  UNION ALL
  (SELECT id, couple, status, venue, city, budget_cents FROM invitations_compat WHERE id <> 3
   EXCEPT SELECT id, couple, status, venue, city, budget_cents FROM invitations)) d;
SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a
WHERE a.attrelid = 'invitations_compat'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- writable compat views: a row written through the view goes to the legacy
-- table (the one source of truth until the cut-over) and sync carries it
-- into the target in the same statement, as migrate_phase would write it
SELECT create_compat_view('invites', 'invitations_rw', writable => true);
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'invitations_rw'::regclass;
INSERT INTO invitations_rw (id, couple, status, venue, city, budget_cents)
VALUES (20, 'Vera & Wawan', 'p', 'Villa', 'Solo', 700), (21, 'Xena & Yoga', 'd', NULL, 'Solo', NULL) RETURNING *;
SELECT * FROM invitations WHERE id >= 20 ORDER BY id;
SELECT legacy_id, title, status, location, budget, deleted_at IS NOT NULL AS deleted FROM events WHERE legacy_id >= 20 ORDER BY legacy_id;
-- an update writes only the columns it changed: "deleted", NULL in the view, stays false
UPDATE invitations_rw SET city = 'Surakarta', budget_cents = budget_cents + 1 WHERE city = 'Solo';
UPDATE invitations_rw SET city = city WHERE id = 20;
SELECT * FROM invitations WHERE id >= 20 ORDER BY id;
SELECT legacy_id, location, budget FROM events WHERE legacy_id >= 20 ORDER BY legacy_id;
-- a delete follows on_source_delete (soft here): the event stays, marked
DELETE FROM invitations_rw WHERE id = 21;
SELECT id FROM invitations WHERE id >= 20 ORDER BY id;
SELECT legacy_id, deleted_at IS NOT NULL AS deleted FROM events WHERE legacy_id >= 20 ORDER BY legacy_id;
SELECT count(*) AS differ FROM (
  (SELECT id, couple, status, venue, city, budget_cents FROM invitations WHERE NOT deleted
   EXCEPT SELECT id, couple, status, venue, city, budget_cents FROM invitations_rw)
  UNION ALL
  (SELECT id, couple, status, venue, city, budget_cents FROM invitations_rw WHERE id NOT IN (3, 21)
   EXCEPT SELECT id, couple, status, venue, city, budget_cents FROM invitations)) d;
-- a row the phase rejects fails the write: nothing in the legacy table, no reject
SELECT create_compat_view('guests', 'guests_rw', writable => true);
INSERT INTO guests_rw VALUES (30, 20, 'Yanti'), (31, 4321, 'Zaki');
UPDATE guests_rw SET name = NULL WHERE id = 4;
SELECT count(*) AS guests, (SELECT count(*) FROM ferry.migration_rejects WHERE legacy_key->>'id' IN ('4', '30', '31')) AS rejects
FROM guests WHERE id IN (30, 31) OR (id = 4 AND name IS NULL);
INSERT INTO guests_rw VALUES (30, 20, 'Yanti');
SELECT g.id, p.name, e.legacy_id AS invitation FROM guests_rw g JOIN participants p ON p.name = g.name
  JOIN events e ON e.id = p.event_id WHERE g.id = 30;
SELECT count(*) AS differ FROM ((TABLE guests EXCEPT TABLE guests_rw) UNION ALL (TABLE guests_rw EXCEPT TABLE guests)) d;
-- the legacy table draws what it generates: an identity key left NULL, a
-- generated column
CREATE TABLE notes (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text,
  len int GENERATED ALWAYS AS (length(body)) STORED);
CREATE TABLE new_notes (id uuid PRIMARY KEY, body text, len int);
SELECT define_phase('notes', '{"source": "notes", "target": "new_notes", "columns": {"body": "body", "len": "len"}}');
SELECT start_sync('notes');
SELECT create_compat_view('notes', 'notes_rw', writable => true);
INSERT INTO notes_rw (body, len) VALUES ('hello', 99), ('hi', NULL);
UPDATE notes_rw SET body = body || ' world', len = 0 WHERE body = 'hello';
SELECT * FROM notes ORDER BY id;
SELECT * FROM notes_rw ORDER BY id;
SELECT stop_sync('notes');
-- without sync the write would never reach the view: refused
SELECT create_compat_view('guests_strict', 'guests_strict_rw', writable => true);
INSERT INTO guests_strict_rw VALUES (32, 1, 'Ayu');

-- finish_sync: refused while validation has a FAIL (sync stays on), then
-- the cut-over: catch-up, validation, triggers gone, in one transaction
UPDATE participants SET name = 'tampered' WHERE name = 'Nina';
SELECT phase, caught_up, synced FROM finish_sync('guests');
SELECT count(*) AS guest_triggers FROM pg_trigger WHERE tgrelid = 'guests'::regclass;
UPDATE participants SET name = 'Nina' WHERE name = 'tampered';
INSERT INTO guests VALUES (9, 2, 'Tono');
ALTER TABLE guests DISABLE TRIGGER USER;
INSERT INTO guests VALUES (10, 2, 'Umi');
ALTER TABLE guests ENABLE TRIGGER USER;
SELECT phase, caught_up, synced FROM finish_sync('guests');
SELECT count(*) AS guest_triggers FROM pg_trigger WHERE tgrelid = 'guests'::regclass;
SELECT phase, check_name, status FROM validate_migration_integrity('guests') WHERE status <> 'PASS';
SELECT phase, syncing, last_synced_at IS NOT NULL AS synced_once FROM migration_status;
SELECT operation, status, rows FROM ferry.migration_log WHERE operation = 'sync' ORDER BY id;

-- what sync refuses
SELECT finish_sync('guests');
SELECT stop_sync('guests');
SELECT start_sync('invites');
CREATE TABLE owners (id int PRIMARY KEY, email text);
CREATE TABLE orgs (id uuid PRIMARY KEY, email text);
SELECT define_phase('orgs', '{"source": "owners", "target": "orgs", "merge_on": ["email"], "columns": {"email": "email"}}');
SELECT define_phase('from_query', '{"source": {"query": "SELECT id, email FROM owners"}, "target": "orgs", "columns": {"email": "email"}}');
SELECT start_sync('from_query');
SELECT create_compat_view('from_query', 'from_query_rw', writable => true);
SELECT define_phase('bad_delete', '{"source": "owners", "target": "orgs", "columns": {"email": "email"}, "on_source_delete": "purge"}');
SELECT define_phase('bad_delete', '{"source": "owners", "target": "orgs", "columns": {"email": "email"}, "on_source_delete": {"soft": "gone_at"}}');

-- keep: a deleted source row leaves its target row and map entry as they are
CREATE TABLE kept (id uuid PRIMARY KEY, email text);
SELECT define_phase('kept', '{"source": "owners", "target": "kept", "columns": {"email": "email"}, "on_source_delete": "keep"}');
SELECT start_sync('kept');
INSERT INTO owners VALUES (1, 'a@example.com'), (2, 'b@example.com');
DELETE FROM owners WHERE id = 1;
UPDATE owners SET email = 'b@example.org' WHERE id = 2;
SELECT email FROM kept ORDER BY email;
SELECT stop_sync('kept');

-- merged groups: one target row per email; a member's insert, update or
-- delete recomputes its group's row in place (same key), a member that
-- changes its email moves to that group, and a group left empty follows
-- on_source_delete
CREATE TABLE customers (id int PRIMARY KEY, email text, name text, spent int);
CREATE TABLE people (id uuid PRIMARY KEY, email text NOT NULL, name text, spent bigint, members bigint);
INSERT INTO customers VALUES (1, 'a@x', 'Ann', 10), (2, 'a@x', 'Anna', 5), (3, 'b@x', 'Bob', 7);
SELECT define_phase('people', '{"source": "customers", "target": "people", "merge_on": ["email"],
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "columns": {"email": "email", "name": {"from": "name", "merge": "first"},
              "spent": {"from": "spent", "merge": "sum"}, "members": {"from": "id", "merge": "count"}}}');
SELECT start_sync('people');
SELECT phase, migrated, merged FROM migrate_phase('people');
CREATE TEMP TABLE people_keys AS SELECT email, id FROM people;
INSERT INTO customers VALUES (4, 'a@x', 'Annie', 1), (5, 'c@x', 'Cid', 3), (6, 'c@x', 'Cy', 4);
UPDATE customers SET spent = spent + 100 WHERE id IN (1, 3);
UPDATE customers SET email = 'b@x' WHERE id = 2;
DELETE FROM customers WHERE id = 5;
SELECT p.email, p.name, p.spent, p.members, p.id = k.id AS same_key FROM people p LEFT JOIN people_keys k USING (email) ORDER BY email;
SELECT legacy_id, p.email FROM id_mappings m JOIN people p ON p.id::text = m.new_id WHERE phase = 'people' ORDER BY legacy_id;
DELETE FROM customers WHERE email = 'c@x';
SELECT email, members FROM people ORDER BY email;
-- a merged value the target refuses fails the application's write, nothing half-applied
\set VERBOSITY terse
UPDATE customers SET email = NULL, name = 'Nobody' WHERE id = 3;
\set VERBOSITY default
SELECT (SELECT count(*) FROM customers WHERE email IS NULL) AS null_emails, (SELECT count(*) FROM people) AS people,
       (SELECT count(*) FROM ferry.migration_rejects WHERE phase = 'people') AS rejects;
SELECT phase, check_name, status FROM validate_migration_integrity('people') WHERE status <> 'PASS';
-- a synced merge is what a migration writes: roll back, migrate again, compare
CREATE TEMP TABLE synced_people AS SELECT p.*, m.legacy_id FROM people p JOIN id_mappings m ON m.new_id = p.id::text AND m.phase = 'people';
SELECT stop_sync('people');
SELECT phase, rows_deleted FROM rollback_migration('people');
SELECT phase, migrated, merged FROM migrate_phase('people');
SELECT count(*) AS differ FROM (
  (TABLE synced_people EXCEPT SELECT p.*, m.legacy_id FROM people p JOIN id_mappings m ON m.new_id = p.id::text AND m.phase = 'people')
  UNION ALL
  (SELECT p.*, m.legacy_id FROM people p JOIN id_mappings m ON m.new_id = p.id::text AND m.phase = 'people' EXCEPT TABLE synced_people)) d;

-- update phases: an inserted flag sets its item's columns (the before-image
-- journaled), an updated one recomputes them, a flag that moves to another
-- item or is deleted gives its item the before-image back
CREATE TABLE items (id int PRIMARY KEY, note text, batched boolean NOT NULL DEFAULT false);
INSERT INTO items SELECT g, 'item ' || g, false FROM generate_series(1, 4) g;
CREATE TABLE flags (item_id int PRIMARY KEY, note text);
INSERT INTO flags VALUES (1, 'one');
CREATE TEMP TABLE items_before AS TABLE items;
SELECT define_phase('flag', '{"kind": "update", "source": "flags", "source_key": "item_id", "target": "items",
  "target_key": "id", "columns": {"batched": {"const": true}, "note": "note"}}');
SELECT start_sync('flag');
SELECT phase, migrated FROM migrate_phase('flag');
INSERT INTO flags VALUES (2, 'two'), (99, 'no such item');
UPDATE flags SET note = 'ONE' WHERE item_id = 1;
UPDATE flags SET item_id = 3 WHERE item_id = 2;
SELECT * FROM items ORDER BY id;
SELECT legacy_key, reason FROM ferry.migration_rejects WHERE phase = 'flag';
DELETE FROM flags WHERE item_id = 1;
SELECT * FROM items ORDER BY id;
SELECT legacy_id, new_id FROM id_mappings WHERE phase = 'flag';
SELECT phase, check_name, status FROM validate_migration_integrity('flag') WHERE status <> 'PASS';
SELECT stop_sync('flag');
SELECT phase, rows_restored FROM rollback_migration('flag');
SELECT count(*) AS differ FROM ((TABLE items EXCEPT TABLE items_before) UNION ALL (TABLE items_before EXCEPT TABLE items)) d;

SELECT stop_sync('invites');
SELECT count(*) AS sync_triggers FROM pg_trigger WHERE tgname LIKE 'ferry_sync%';

DROP EXTENSION ferry CASCADE;
DROP TABLE invitations, guests, events, participants, strict_participants, owners, orgs, kept, customers, people, items, flags, notes, new_notes;
