-- Seed 001: wedding invitation system -> generic event platform, as a plain
-- SQL migration (psql -v ON_ERROR_STOP=1 -f).  Every ASSERT states a number
-- the plan promises; a wrong one stops the file.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION ferry;

-- legacy schema: 300 invitations (every 30th soft-deleted), 900 guests:
-- 9 point at invitations that never existed, 30 at deleted ones
CREATE TABLE wedding_invitations (
  id bigserial PRIMARY KEY, tenant_id int NOT NULL, bride_name text, groom_name text, description text,
  wedding_date date, venue_name text, venue_address text, venue_coordinates text, ceremony_time time,
  reception_time time, status text, created_by int, deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT '2024-01-01');
CREATE TABLE wedding_guests (
  id bigserial PRIMARY KEY, wedding_invitation_id bigint, guest_name text, guest_email text, guest_phone text,
  plus_one_name text, table_number int, meal_preference text, rsvp_status text,
  created_at timestamptz NOT NULL DEFAULT '2024-01-02');
CREATE TABLE wedding_templates (
  id int PRIMARY KEY, tenant_id int, template_name text NOT NULL, layout_config jsonb, color_scheme jsonb,
  is_public boolean);
INSERT INTO wedding_invitations (tenant_id, bride_name, groom_name, description, wedding_date, venue_name,
  venue_address, venue_coordinates, ceremony_time, reception_time, status, created_by, deleted)
SELECT g % 7, CASE WHEN g % 50 <> 0 THEN 'Bride ' || g END, 'Groom ' || g, 'Day ' || g, date '2024-06-01' + g,
       'Venue ' || g % 13, g || ' Main St', '(' || g || ',1)', time '10:00', time '18:00',
       (ARRAY['published', 'draft', 'archived'])[1 + g % 3], g % 10, g % 30 = 0
FROM generate_series(1, 300) g;
INSERT INTO wedding_guests (wedding_invitation_id, guest_name, guest_email, guest_phone, plus_one_name,
  table_number, meal_preference, rsvp_status)
SELECT CASE WHEN g % 100 = 0 THEN 1000 + g ELSE 1 + g % 300 END, 'Guest ' || g, 'g' || g || '@example.com',
       '+62 ' || g, CASE WHEN g % 4 = 0 THEN 'Plus ' || g END, g % 20, (ARRAY['meat', 'fish', 'veg'])[1 + g % 3],
       (ARRAY['yes', 'no', 'maybe', 'pending'])[1 + g % 4]
FROM generate_series(1, 900) g;
INSERT INTO wedding_templates VALUES (1, 1, 'Classic', '{"cols": 2}', '{"primary": "gold"}', true),
                                     (2, 1, 'Modern', '{"cols": 1}', NULL, false);

-- new schema
CREATE TABLE event_types (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
INSERT INTO event_types (name) VALUES ('wedding');
CREATE TABLE events (
  id uuid PRIMARY KEY, tenant_id int NOT NULL, event_type_id int NOT NULL REFERENCES event_types,
  title text NOT NULL, description text, event_date date, location jsonb, form_data jsonb,
  status text NOT NULL, created_by int, created_at timestamptz, legacy_id bigint UNIQUE);
CREATE TABLE event_participants (
  id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, participant_type text NOT NULL,
  contact_info jsonb, custom_fields jsonb, rsvp_status text NOT NULL, created_at timestamptz);
CREATE TABLE event_templates (
  id uuid PRIMARY KEY, tenant_id int, event_type_id int REFERENCES event_types, name text NOT NULL,
  template_data jsonb, is_public boolean);

SELECT define_phase('wedding_data', '{
  "source": "wedding_invitations", "target": "events", "legacy_column": "legacy_id",
  "columns": {
    "tenant_id": "tenant_id",
    "event_type_id": {"sql": "(SELECT id FROM event_types WHERE name = ''wedding'')"},
    "title": {"sql": "COALESCE(bride_name || '' & '' || groom_name, ''Wedding Event'')"},
    "description": "description", "event_date": "wedding_date",
    "location": {"json": {"venue": "venue_name", "address": "venue_address", "coordinates": "venue_coordinates"}},
    "form_data": {"json": {"bride_name": "bride_name", "groom_name": "groom_name",
                           "ceremony_time": "ceremony_time", "reception_time": "reception_time"}},
    "status": {"from": "status", "map": {"published": "published", "draft": "draft"}, "default": "draft"},
    "created_by": "created_by", "created_at": "created_at"},
  "where": "deleted IS NOT TRUE"}');
SELECT define_phase('wedding_guests', '{
  "source": "wedding_guests", "target": "event_participants",
  "columns": {
    "event_id": {"from": "wedding_invitation_id", "ref": "wedding_data"},
    "participant_type": {"const": "guest"},
    "contact_info": {"json": {"name": "guest_name", "email": "guest_email", "phone": "guest_phone"}},
    "custom_fields": {"json": {"plus_one_name": "plus_one_name", "table_assignment": "table_number",
                               "meal_preference": "meal_preference"}},
    "rsvp_status": {"from": "rsvp_status", "map": {"yes": "accepted", "no": "declined", "maybe": "tentative"},
                    "default": "pending"},
    "created_at": "created_at"}}');
SELECT define_phase('wedding_templates', '{
  "source": "wedding_templates", "target": "event_templates",
  "target_key": {"column": "id", "generate": "uuid_v7"},
  "columns": {
    "tenant_id": "tenant_id",
    "event_type_id": {"sql": "(SELECT id FROM event_types WHERE name = ''wedding'')"},
    "name": "template_name",
    "template_data": {"json": {"layout": "layout_config", "colors": "color_scheme"}},
    "is_public": "is_public"}}');

-- preflight sees the 39 guests whose invitation is missing or deleted
DO $$ DECLARE r record; BEGIN
  SELECT * INTO r FROM preflight('wedding_guests') WHERE check_name = 'dependencies';
  ASSERT r.status = 'ERROR', 'guests depend on the not yet migrated invitations';
END $$;

CREATE TEMP TABLE runs AS SELECT * FROM migrate_all();
SELECT phase, migrated, merged, rejected, filtered, skipped FROM runs;
DO $$ BEGIN
  ASSERT (SELECT migrated FROM runs WHERE phase = 'wedding_data') = 290, 'invitations migrated';
  ASSERT (SELECT filtered FROM runs WHERE phase = 'wedding_data') = 10, 'invitations filtered (deleted)';
  ASSERT (SELECT migrated FROM runs WHERE phase = 'wedding_guests') = 861, 'guests migrated';
  ASSERT (SELECT rejected FROM runs WHERE phase = 'wedding_guests') = 39, 'guests rejected: 9 missing + 30 deleted invitations';
  ASSERT (SELECT migrated FROM runs WHERE phase = 'wedding_templates') = 2, 'templates migrated';
  ASSERT (SELECT count(*) FROM validate_migration_integrity() WHERE status = 'FAIL') = 0, 'validation has no FAIL';
  ASSERT (SELECT count(*) FROM ferry.migration_rejects WHERE reason LIKE 'column "event_id": ref:%') = 39, 'every reject has its reason';
  -- the seed's own checks
  ASSERT (SELECT count(*) FROM events WHERE legacy_id IS NOT NULL) = (SELECT count(*) FROM wedding_invitations WHERE NOT deleted);
  ASSERT (SELECT count(*) FROM event_participants ep LEFT JOIN events e ON e.id = ep.event_id WHERE e.id IS NULL) = 0, 'no orphans';
  ASSERT (SELECT count(*) FROM events WHERE title = 'Wedding Event') = 4, 'titles without a bride';
  -- every participant points at the event its invitation became
  ASSERT (SELECT count(*) FROM event_participants p JOIN ferry.map_2 m ON m.new_key = p.id
          JOIN wedding_guests g ON g.id = m.legacy_1 JOIN events e ON e.id = p.event_id
          WHERE e.legacy_id = g.wedding_invitation_id) = 861, 'references rebuilt';
  ASSERT (SELECT count(*) FROM event_participants WHERE rsvp_status = 'tentative') =
         (SELECT count(*) FROM wedding_guests g JOIN events e ON e.legacy_id = g.wedding_invitation_id WHERE g.rsvp_status = 'maybe');
END $$;

-- a second run changes nothing
DO $$ BEGIN
  ASSERT (SELECT sum(migrated) FROM migrate_all()) = 0, 'a second run migrates nothing';
END $$;

-- backward compatibility: the legacy shapes as views over the new tables,
-- computed back through the spec (keys from the maps, columns out of
-- location / form_data / contact_info / custom_fields, statuses back to
-- their codes); legacy table == compat view on every column a view restores
SELECT start_sync('wedding_data');
SELECT start_sync('wedding_guests');
SELECT start_sync('wedding_templates');
CREATE SCHEMA compat;
SELECT create_compat_view('wedding_data', 'compat.wedding_invitations', writable => true);
SELECT create_compat_view('wedding_guests', 'compat.wedding_guests', writable => true);
SELECT create_compat_view('wedding_templates', 'compat.wedding_templates');
-- status: "archived" became the default "draft", which comes back as "draft";
-- rsvp "pending" became the default, which comes back NULL; deleted is read
-- only by the where (NULL in the view); the rest comes back exactly
CREATE TEMP VIEW invitations_differ AS
WITH l AS (SELECT id, tenant_id, bride_name, groom_name, description, wedding_date, venue_name, venue_address,
                  venue_coordinates, ceremony_time, reception_time,
                  CASE WHEN status IN ('published', 'draft') THEN status ELSE 'draft' END AS status,
                  created_by, created_at FROM wedding_invitations WHERE NOT deleted),
     v AS (SELECT id, tenant_id, bride_name, groom_name, description, wedding_date, venue_name, venue_address,
                  venue_coordinates, ceremony_time, reception_time, status, created_by, created_at
           FROM compat.wedding_invitations)
SELECT count(*) AS n FROM ((TABLE l EXCEPT TABLE v) UNION ALL (TABLE v EXCEPT TABLE l)) d;
CREATE TEMP VIEW guests_differ AS
WITH l AS (SELECT g.id, g.wedding_invitation_id, g.guest_name, g.guest_email, g.guest_phone, g.plus_one_name,
                  g.table_number, g.meal_preference, NULLIF(g.rsvp_status, 'pending') AS rsvp_status, g.created_at
           FROM wedding_guests g JOIN wedding_invitations w ON w.id = g.wedding_invitation_id AND NOT w.deleted),
     v AS (SELECT * FROM compat.wedding_guests)
SELECT count(*) AS n FROM ((TABLE l EXCEPT TABLE v) UNION ALL (TABLE v EXCEPT TABLE l)) d;
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM compat.wedding_invitations) = 290, 'one view row per migrated invitation';
  ASSERT (SELECT n FROM invitations_differ) = 0, 'invitations round trip';
  ASSERT (SELECT count(*) FROM compat.wedding_invitations WHERE bride_name IS NULL) = 4, 'a NULL bride comes back NULL from form_data';
  ASSERT (SELECT count(*) FROM compat.wedding_guests) = 861, 'one view row per migrated guest';
  ASSERT (SELECT n FROM guests_differ) = 0, 'guests round trip';
  ASSERT (SELECT count(*) FROM ((TABLE wedding_templates EXCEPT TABLE compat.wedding_templates)
                                UNION ALL (TABLE compat.wedding_templates EXCEPT TABLE wedding_templates)) d) = 0,
         'templates round trip (layout and colours back out of template_data)';
END $$;

-- old application code keeps writing wedding_invitations-shaped rows: through
-- the writable views they go to the legacy tables, and sync carries them
-- into events / event_participants in the same statement
INSERT INTO compat.wedding_invitations (tenant_id, bride_name, groom_name, wedding_date, venue_name, status, created_by)
VALUES (3, 'Sinta', 'Rama', '2025-02-14', 'Venue 1', 'published', 4);
INSERT INTO compat.wedding_guests (wedding_invitation_id, guest_name, rsvp_status)
SELECT id, 'Hanoman', 'yes' FROM wedding_invitations WHERE bride_name = 'Sinta';
UPDATE compat.wedding_invitations SET venue_address = '1 Palace Rd', status = 'draft' WHERE bride_name = 'Sinta';
UPDATE compat.wedding_guests SET rsvp_status = 'maybe', table_number = 7 WHERE guest_name = 'Hanoman';
-- the legacy soft delete: the guests go first (their events are referenced)
DELETE FROM compat.wedding_guests WHERE wedding_invitation_id = 2;
UPDATE wedding_invitations SET deleted = true WHERE id = 2;
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM wedding_invitations) = 301 AND (SELECT count(*) FROM events) = 290, 'one new, one deleted';
  ASSERT (SELECT location->>'address' FROM events WHERE title = 'Sinta & Rama') = '1 Palace Rd', 'the update reached the json';
  ASSERT (SELECT e.status FROM events e WHERE title = 'Sinta & Rama') = 'draft';
  ASSERT (SELECT created_at FROM wedding_invitations WHERE bride_name = 'Sinta') = '2024-01-01', 'the view took the legacy default';
  ASSERT (SELECT p.rsvp_status || '/' || (p.custom_fields->>'table_assignment') FROM event_participants p
          JOIN events e ON e.id = p.event_id WHERE e.title = 'Sinta & Rama') = 'tentative/7', 'the guest followed';
  ASSERT (SELECT count(*) FROM compat.wedding_invitations WHERE id = 2) = 0, 'the deleted invitation left the view';
  ASSERT (SELECT n FROM invitations_differ) = 0 AND (SELECT n FROM guests_differ) = 0, 'still round trips';
END $$;
-- a legacy write the new schema cannot take fails loudly, nothing half-applied
DO $$ BEGIN
  INSERT INTO compat.wedding_guests (wedding_invitation_id, guest_name) VALUES (999999, 'Nobody');
  RAISE EXCEPTION 'a guest of no invitation was accepted';
EXCEPTION WHEN check_violation THEN
  ASSERT (SELECT count(*) FROM wedding_guests WHERE guest_name = 'Nobody') = 0;
END $$;
CREATE TEMP TABLE cutover AS
SELECT * FROM finish_sync('wedding_guests') UNION ALL SELECT * FROM finish_sync('wedding_data')
UNION ALL SELECT * FROM finish_sync('wedding_templates');
DO $$ BEGIN
  ASSERT (SELECT sum(caught_up) FROM cutover) = 0, 'sync kept up: nothing to catch up';
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'ferry_sync%') = 0, 'no sync trigger left';
  ASSERT (SELECT count(*) FROM validate_migration_integrity() WHERE status = 'FAIL') = 0, 'validation has no FAIL';
END $$;
DROP SCHEMA compat CASCADE;
-- the application's writes are the legacy tables' content from here on
SELECT table_name, row_count FROM capture_baseline('legacy', ARRAY['wedding_invitations', 'wedding_guests', 'wedding_templates']);

-- the application adds an event of its own; rollback must keep it
INSERT INTO events (id, tenant_id, event_type_id, title, status) VALUES (gen_random_uuid(), 1, 1, 'App event', 'draft');
SELECT * FROM rollback_migration('wedding_templates');
SELECT * FROM rollback_migration('wedding_guests');
SELECT * FROM rollback_migration('wedding_data');
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM events) = 1 AND (SELECT title FROM events) = 'App event', 'only the app row is left';
  ASSERT (SELECT count(*) FROM event_participants) = 0 AND (SELECT count(*) FROM event_templates) = 0;
  ASSERT (SELECT count(*) FROM ferry.migration_rejects) = 0, 'rollback took the rejects';
  ASSERT (SELECT count(*) FROM compare_baseline('legacy') WHERE content = 'same') = 3,
         'the legacy tables are untouched';
END $$;
\echo seed 001: ok
