-- The wedding scenario's legacy and target tables on PostgreSQL: the data of
-- examples/wedding (2,000 invitations, every 50th soft-deleted; 6,000 guests,
-- 30 of whom point at invitations that do not exist), generated row for row
-- as wedding/mariadb.sql generates it.
CREATE TABLE wedding_invitations (
  id bigint PRIMARY KEY, tenant_id int NOT NULL, bride_name text, groom_name text,
  description text, wedding_date date, venue_name text, venue_address text, venue_coordinates text,
  status varchar(20), created_by int, deleted boolean NOT NULL DEFAULT false);
CREATE TABLE wedding_guests (
  id bigint PRIMARY KEY, wedding_invitation_id bigint,
  guest_name text, guest_email text, guest_phone text, plus_one_name text, table_number int,
  meal_preference text, rsvp_status varchar(20));
INSERT INTO wedding_invitations (id, tenant_id, bride_name, groom_name, description, wedding_date,
  venue_name, venue_address, venue_coordinates, status, created_by, deleted)
SELECT g, g % 50, CASE WHEN g % 97 <> 0 THEN 'Bride ' || g END, 'Groom ' || g, 'A lovely day number ' || g,
       date '2020-01-01' + (g % 2000), 'Venue ' || (g % 977), (g % 300) || ' Main Street',
       '(' || (g % 90) || ',' || (g % 180) || ')',
       (ARRAY['published', 'draft', 'archived'])[1 + g % 3], g % 100, g % 50 = 0
FROM generate_series(1, 2000) g;
INSERT INTO wedding_guests (id, wedding_invitation_id, guest_name, guest_email, guest_phone, plus_one_name,
  table_number, meal_preference, rsvp_status)
SELECT g, CASE WHEN g % 200 = 0 THEN 2000 + g ELSE 1 + g % 2000 END, 'Guest ' || g, 'guest' || g || '@example.com',
       '+62 812 ' || g, CASE WHEN g % 4 = 0 THEN 'Plus ' || g END, g % 40,
       (ARRAY['meat', 'fish', 'veg'])[1 + g % 3], (ARRAY['yes', 'no', 'maybe', 'pending'])[1 + g % 4]
FROM generate_series(1, 6000) g;

-- The new generic event platform.
CREATE TABLE event_types (id int PRIMARY KEY, name text UNIQUE NOT NULL);
INSERT INTO event_types VALUES (1, 'wedding');
CREATE TABLE events (
  id uuid PRIMARY KEY, tenant_id int NOT NULL, event_type_id int NOT NULL REFERENCES event_types,
  title text NOT NULL, description text, event_date date, location jsonb, form_data jsonb,
  status varchar(20) NOT NULL, created_by int, legacy_id bigint UNIQUE);
CREATE TABLE event_participants (
  id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events, participant_type varchar(20) NOT NULL,
  contact_info jsonb, custom_fields jsonb, rsvp_status varchar(20) NOT NULL, table_number int);
