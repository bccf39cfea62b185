-- The legacy wedding invitation system of seed 001, with generated data:
-- 2,000 invitations (every 50th soft-deleted) and 6,000 guests, 30 of whom
-- point at invitations that do not exist (ids above 2,000).
DROP TABLE IF EXISTS event_participants, events, event_types, wedding_guests, wedding_invitations CASCADE;
CREATE TABLE wedding_invitations (
  id bigserial PRIMARY KEY, tenant_id int NOT NULL, bride_name text, groom_name text,
  description text, wedding_date date, venue_name text, venue_address text, venue_coordinates text,
  ceremony_time time, reception_time time, status text, created_by int,
  deleted boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT '2024-01-01');
CREATE TABLE wedding_guests (
  id bigserial PRIMARY KEY, wedding_invitation_id bigint,
  guest_name text, guest_email text, guest_phone text, plus_one_name text, table_number int,
  meal_preference text, rsvp_status text, created_at timestamptz NOT NULL DEFAULT '2024-01-02');
INSERT INTO wedding_invitations (tenant_id, bride_name, groom_name, description, wedding_date,
  venue_name, venue_address, venue_coordinates, ceremony_time, reception_time, status, created_by, deleted)
SELECT g % 50, CASE WHEN g % 97 <> 0 THEN 'Bride ' || g END, 'Groom ' || g, 'A lovely day number ' || g,
       date '2020-01-01' + (g % 2000), 'Venue ' || (g % 977), (g % 300) || ' Main Street',
       '(' || (g % 90) || ',' || (g % 180) || ')', time '10:00' + (g % 8) * interval '30 min', time '18:00',
       (ARRAY['published', 'draft', 'archived'])[1 + g % 3], g % 100, g % 50 = 0
FROM generate_series(1, 2000) g;
INSERT INTO wedding_guests (wedding_invitation_id, guest_name, guest_email, guest_phone, plus_one_name,
  table_number, meal_preference, rsvp_status)
SELECT CASE WHEN g % 200 = 0 THEN 2000 + g ELSE 1 + g % 2000 END, 'Guest ' || g, 'guest' || g || '@example.com',
       '+62 812 ' || g, CASE WHEN g % 4 = 0 THEN 'Plus ' || g END, g % 40,
       (ARRAY['meat', 'fish', 'veg'])[1 + g % 3], (ARRAY['yes', 'no', 'maybe', 'pending'])[1 + g % 4]
FROM generate_series(1, 6000) g;

-- The new generic event platform.
CREATE TABLE event_types (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
INSERT INTO event_types (name) VALUES ('wedding');
CREATE TABLE events (
  id uuid PRIMARY KEY, tenant_id int NOT NULL, event_type_id int NOT NULL REFERENCES event_types,
  title text NOT NULL, description text, event_date date, location jsonb, form_data jsonb,
  status text NOT NULL, created_by int, created_at timestamptz, legacy_id bigint UNIQUE);
CREATE TABLE event_participants (
  id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, participant_type text NOT NULL,
  contact_info jsonb, custom_fields jsonb, rsvp_status text NOT NULL, created_at timestamptz);
