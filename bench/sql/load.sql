-- Seed 001's generator from shared/bench/wedding_baseline.sql at :n invitations and 3 :n guests,
-- plus two things that make the accounting non-trivial: every 1000th invitation is soft-deleted
-- (a `deleted` flag the seed's schema lacks) and every 10000th guest points at an invitation
-- that does not exist (so the legacy FK wedding_guests -> wedding_invitations is left out).
-- Then the seed's target tables and index, and the ferry extension.
SET client_min_messages = warning;
DROP TABLE IF EXISTS floor_participants, floor_events, event_participants, events, event_types, wedding_guests, wedding_invitations CASCADE;
DROP EXTENSION IF EXISTS ferry CASCADE;
DROP SCHEMA IF EXISTS ferry CASCADE;
CREATE TABLE wedding_invitations (
  id bigserial PRIMARY KEY, tenant_id int NOT NULL, bride_name text, groom_name text,
  description text, wedding_date date, venue_name text, venue_address text, venue_coordinates text,
  ceremony_time time, reception_time time, status text, created_by int, created_at timestamptz default now(),
  deleted boolean NOT NULL DEFAULT false);
CREATE TABLE wedding_guests (
  id bigserial PRIMARY KEY, wedding_invitation_id bigint,
  guest_name text, guest_email text, guest_phone text, plus_one_name text, table_number int,
  meal_preference text, rsvp_status text, invitation_sent_at timestamptz, rsvp_date timestamptz,
  created_at timestamptz default now());
INSERT INTO wedding_invitations (tenant_id, bride_name, groom_name, description, wedding_date, venue_name, venue_address, venue_coordinates, ceremony_time, reception_time, status, created_by, deleted)
SELECT g % 500, 'Bride ' || g, 'Groom ' || g, 'A lovely day number ' || g, date '2020-01-01' + (g % 2000),
       'Venue ' || (g % 977), (g % 300) || ' Main Street, City ' || (g % 50), '(' || (g % 90) || ',' || (g % 180) || ')',
       time '10:00' + (g % 8) * interval '30 min', time '18:00', (ARRAY['published','draft','archived'])[1 + g % 3], g % 1000,
       g % 1000 = 0
FROM generate_series(1, :n) g;
INSERT INTO wedding_guests (wedding_invitation_id, guest_name, guest_email, guest_phone, plus_one_name, table_number, meal_preference, rsvp_status, invitation_sent_at)
SELECT CASE WHEN g % 10000 = 0 THEN :n + g ELSE 1 + (g % :n) END,
       'Guest ' || g, 'guest' || g || '@example.com', '+62 812 ' || g, CASE WHEN g % 4 = 0 THEN 'Plus ' || g END,
       g % 40, (ARRAY['meat','fish','veg'])[1 + g % 3], (ARRAY['yes','no','maybe','pending'])[1 + g % 4], now()
FROM generate_series(1, :n * 3) g;
VACUUM ANALYZE wedding_invitations, wedding_guests;
CREATE TABLE event_types (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text UNIQUE, display_name text, category text, is_system_type bool);
INSERT INTO event_types (name, display_name, category, is_system_type) VALUES ('wedding', 'Wedding Celebration', 'social', TRUE);
CREATE TABLE events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tenant_id int, event_type_id uuid REFERENCES event_types(id),
  title text, description text, event_date date, location jsonb, form_data jsonb, status text, created_by int,
  created_at timestamptz, legacy_id bigint);
CREATE INDEX idx_migration_support ON events(legacy_id) WHERE legacy_id IS NOT NULL;
CREATE TABLE event_participants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), event_id uuid REFERENCES events(id),
  participant_type text, contact_info jsonb, custom_fields jsonb, rsvp_status text, invitation_sent_at timestamptz,
  rsvp_date timestamptz, created_at timestamptz);
ANALYZE event_types;
CREATE EXTENSION ferry;
-- read both sources once so every competitor starts from the same (warm) cache
SELECT count(*) FROM wedding_invitations \gset
SELECT count(*) FROM wedding_guests \gset
INSERT INTO bench.info (size, section, line)
SELECT :n, 'data', format('%s invitations (%s soft-deleted), %s guests (%s pointing at a missing invitation, %s at a soft-deleted one)',
  (SELECT count(*) FROM wedding_invitations), (SELECT count(*) FROM wedding_invitations WHERE deleted),
  (SELECT count(*) FROM wedding_guests),
  (SELECT count(*) FROM wedding_guests g WHERE NOT EXISTS (SELECT 1 FROM wedding_invitations w WHERE w.id = g.wedding_invitation_id)),
  (SELECT count(*) FROM wedding_guests g JOIN wedding_invitations w ON w.id = g.wedding_invitation_id WHERE w.deleted));
CHECKPOINT;
