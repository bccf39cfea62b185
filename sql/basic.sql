-- The wedding example of seed 001, end to end: define, migrate, re-run,
-- catch up, validate, rollback; the source is never modified.
CREATE EXTENSION ferry;

CREATE TABLE wedding_invitations (
    id bigint PRIMARY KEY, tenant_id int NOT NULL, bride_name text, groom_name text,
    venue_name text, venue_address text, status text, deleted boolean NOT NULL DEFAULT false);
INSERT INTO wedding_invitations
SELECT g, g % 3, CASE WHEN g <> 7 THEN 'Bride ' || g END, 'Groom ' || g,
       'Venue ' || g, g || ' Main Street', (ARRAY['published', 'draft', 'archived'])[1 + g % 3],
       g % 10 = 0
FROM generate_series(1, 20) g;

CREATE TABLE event_types (id int PRIMARY KEY, name text UNIQUE);
INSERT INTO event_types VALUES (1, 'wedding');
CREATE TABLE events (
    id uuid PRIMARY KEY, tenant_id int NOT NULL, event_type_id int REFERENCES event_types,
    title text NOT NULL, location jsonb, status text NOT NULL, source_system text, legacy_id bigint);

CREATE TEMP TABLE source_before AS
SELECT md5(string_agg(w::text, ',' ORDER BY id)) AS checksum FROM wedding_invitations w;

SELECT define_phase('wedding_data', '{
  "source": "wedding_invitations",
  "source_key": "id",
  "target": "events",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "legacy_column": "legacy_id",
  "columns": {
    "tenant_id":     "tenant_id",
    "event_type_id": {"sql": "(SELECT id FROM event_types WHERE name = ''wedding'')"},
    "title":         {"sql": "COALESCE(bride_name || '' & '' || groom_name, ''Wedding Event'')"},
    "location":      {"json": {"venue": "venue_name", "address": "venue_address",
                               "meta": {"imported": {"const": true}, "tenant": "tenant_id"}}},
    "status":        {"from": "status", "map": {"published": "published"}, "default": "draft"},
    "source_system": {"const": "wedding"}
  },
  "where": "deleted IS NOT TRUE"
}');

SELECT name, spec->>'target' AS target, length(checksum) FROM ferry.phases;

SELECT phase, migrated, merged, rejected, filtered, skipped FROM migrate_phase('wedding_data');

SELECT legacy_id, tenant_id, event_type_id, title, location, status, source_system
FROM events ORDER BY legacy_id LIMIT 8;

-- keys are deterministic: uuid_v5(uuid_v5(ferry namespace, phase), legacy key)
SELECT count(*) AS deterministic_keys FROM events
WHERE id = uuid_v5(uuid_v5('538d439a-576f-522c-be31-a97e102d0964', 'wedding_data'), legacy_id::text);

-- a second run migrates nothing
SELECT phase, migrated, filtered, skipped FROM migrate_phase('wedding_data');

-- catch-up: only the new source row
INSERT INTO wedding_invitations VALUES (21, 1, 'Ana', 'Ben', 'Hall', '1 Road', 'published', false);
SELECT phase, migrated, filtered, skipped FROM migrate_phase('wedding_data');
SELECT title, status FROM events WHERE legacy_id = 21;

SELECT * FROM validate_migration_integrity('wedding_data');

-- validation sees what happened to the target rows after the migration:
-- a changed row (the round trip names its key and column) and a deleted one
BEGIN;
UPDATE events SET title = 'Changed by hand' WHERE legacy_id = 3;
DELETE FROM events WHERE legacy_id = 4;
SELECT check_name, status, details, sample FROM validate_migration_integrity('wedding_data')
WHERE status <> 'PASS';
ROLLBACK;

-- a row the application writes itself is not the phase's
INSERT INTO events (id, tenant_id, title, status) VALUES ('00000000-0000-0000-0000-000000000001', 9, 'App event', 'draft');

SELECT operation, status, rows FROM ferry.migration_log ORDER BY id;

SELECT * FROM rollback_migration('wedding_data');
SELECT count(*) AS events_left, min(title) FROM events;
SELECT count(*) AS map_rows FROM ferry.map_1;
SELECT operation, status, rows FROM ferry.migration_log ORDER BY id;

-- after the rollback nothing is migrated: validation says so
SELECT * FROM validate_migration_integrity();

-- the source is exactly as it was (plus the row this test added)
DELETE FROM wedding_invitations WHERE id = 21;
SELECT s.checksum = md5(string_agg(w::text, ',' ORDER BY id)) AS source_unchanged
FROM wedding_invitations w, source_before s GROUP BY s.checksum;

-- migrate again after rollback: the same keys come back
SELECT phase, migrated, filtered, skipped FROM migrate_phase('wedding_data');
SELECT count(*) AS deterministic_keys FROM events
WHERE id = uuid_v5(uuid_v5('538d439a-576f-522c-be31-a97e102d0964', 'wedding_data'), legacy_id::text);

-- leave the database as the test found it
DROP EXTENSION ferry CASCADE;
DROP TABLE events, event_types, wedding_invitations;
