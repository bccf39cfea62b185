-- Foreign keys rebuilt through another phase's id map (seed 001: guests ->
-- event_participants through the invitation map), rejects with their
-- reasons, dependencies, and migrate_all.
CREATE EXTENSION ferry;

CREATE TABLE wedding_invitations (id bigint PRIMARY KEY, couple text);
INSERT INTO wedding_invitations SELECT g, 'Couple ' || g FROM generate_series(1, 5) g;
CREATE TABLE wedding_guests (id bigint PRIMARY KEY, wedding_invitation_id bigint, guest_name text);
INSERT INTO wedding_guests VALUES
  (1, 1, 'Ani'), (2, 1, 'Budi'), (3, 2, 'Citra'), (4, 5, 'Dewi'),
  (5, 99, 'Eka'),          -- points at an invitation that does not exist
  (6, NULL, 'Fajar'),      -- no invitation at all
  (7, 3, NULL);            -- no name: the target requires one
CREATE TABLE events (id uuid PRIMARY KEY, title text NOT NULL, legacy_id bigint);
CREATE TABLE event_participants (
  id uuid PRIMARY KEY, event_id uuid REFERENCES events, name text NOT NULL);

SELECT define_phase('wedding_data', '{"source": "wedding_invitations", "target": "events",
  "legacy_column": "legacy_id", "columns": {"title": "couple"}}');
SELECT define_phase('wedding_guests', '{"source": "wedding_guests", "target": "event_participants",
  "columns": {"event_id": {"from": "wedding_invitation_id", "ref": "wedding_data"},
              "name": "guest_name"}}');

-- a phase runs only after the phases it depends on
SELECT * FROM migrate_phase('wedding_guests');

-- migrate_all runs them in dependency order
SELECT phase, migrated, rejected, filtered, skipped FROM migrate_all();

-- the rejects: Eka's invitation does not exist, guest 7 has no name; Fajar
-- has no invitation, so no reference to rebuild, and migrates without one
SELECT phase, legacy_key, reason, source_row FROM ferry.migration_rejects ORDER BY id;
SELECT p.name, e.title FROM event_participants p LEFT JOIN events e ON e.id = p.event_id ORDER BY p.name;
-- every participant points at the event its invitation became
SELECT count(*) AS references_rebuilt FROM event_participants p
  JOIN wedding_guests g ON g.guest_name = p.name
  JOIN events e ON e.id = p.event_id AND e.legacy_id = g.wedding_invitation_id;

SELECT * FROM validate_migration_integrity();

-- the missing invitation arrives; a re-run migrates the rejected guest and
-- forgets its reject; guest 7 is still rejected
INSERT INTO wedding_invitations VALUES (99, 'Late couple');
SELECT phase, migrated, rejected, filtered, skipped FROM migrate_all();
SELECT legacy_key, reason FROM ferry.migration_rejects ORDER BY id;
SELECT * FROM validate_migration_integrity('wedding_guests');

-- on_missing: null migrates the row without the reference
CREATE TABLE guests_null (id uuid PRIMARY KEY, event_id uuid, name text);
INSERT INTO wedding_guests VALUES (8, 1234, 'Gita');
SELECT define_phase('guests_null', '{"source": "wedding_guests", "target": "guests_null",
  "columns": {"event_id": {"from": "wedding_invitation_id", "ref": "wedding_data", "on_missing": "null"},
              "name": "guest_name"}}');
SELECT phase, migrated, rejected FROM migrate_phase('guests_null');
SELECT name, event_id IS NULL AS no_event FROM guests_null ORDER BY name NULLS LAST;

-- on_missing: error refuses the whole run, naming the keys, and writes nothing
CREATE TABLE guests_strict (id uuid PRIMARY KEY, event_id uuid, name text);
SELECT define_phase('guests_strict', '{"source": "wedding_guests", "target": "guests_strict",
  "columns": {"event_id": {"from": "wedding_invitation_id", "ref": "wedding_data", "on_missing": "error"},
              "name": "guest_name"}}');
SELECT * FROM migrate_phase('guests_strict');
SELECT count(*) AS written FROM guests_strict;

-- bad refs and dependencies are refused at define time
SELECT define_phase('x', '{"source": "wedding_guests", "target": "guests_strict",
  "columns": {"event_id": {"from": "wedding_invitation_id", "ref": "nope"}}}');
SELECT define_phase('x', '{"source": "wedding_guests", "target": "guests_strict",
  "columns": {"event_id": {"from": ["id", "wedding_invitation_id"], "ref": "wedding_data"}}}');
SELECT define_phase('x', '{"source": "wedding_guests", "target": "guests_strict",
  "columns": {"event_id": {"ref": "wedding_data"}}}');
SELECT define_phase('x', '{"source": "wedding_guests", "target": "guests_strict",
  "columns": {"event_id": {"from": "wedding_invitation_id", "ref": "wedding_data", "on_missing": "skip"}}}');
SELECT define_phase('x', '{"source": "wedding_guests", "target": "guests_strict", "depends_on": "x", "columns": {}}');
-- a cycle: wedding_data cannot be redefined to depend on a phase that depends on it
SELECT * FROM rollback_migration('guests_null');
SELECT * FROM rollback_migration('wedding_guests');
-- event_participants.event_id has no index: rolling back the events builds
-- one for the deletes (else each deleted event scans the participants) and
-- drops it again
SELECT * FROM rollback_migration('wedding_data');
SELECT count(*) AS rollback_indexes_left FROM pg_indexes WHERE indexname LIKE 'ferry_rollback%';
SELECT define_phase('wedding_data', '{"source": "wedding_invitations", "target": "events",
  "legacy_column": "legacy_id", "columns": {"title": "couple"}, "depends_on": ["guests_strict"]}');

-- rollback took the rejects with it
SELECT count(*) AS rejects_left FROM ferry.migration_rejects;
SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_participants) AS participants;

DROP EXTENSION ferry CASCADE;
DROP TABLE event_participants, events, wedding_guests, wedding_invitations, guests_null, guests_strict;
