-- The wedding scenario's legacy and target tables on MariaDB: the data of
-- examples/wedding (2,000 invitations, every 50th soft-deleted; 6,000 guests,
-- 30 of whom point at invitations that do not exist), generated row for row
-- as wedding/postgres.sql generates it.
SET SESSION max_recursive_iterations = 100000;
CREATE TABLE wedding_invitations (
  id bigint PRIMARY KEY, tenant_id int NOT NULL, bride_name text, groom_name text,
  description text, wedding_date date, venue_name text, venue_address text, venue_coordinates text,
  status varchar(20), created_by int, deleted boolean NOT NULL DEFAULT false) ENGINE=InnoDB;
CREATE TABLE wedding_guests (
  id bigint PRIMARY KEY, wedding_invitation_id bigint,
  guest_name text, guest_email text, guest_phone text, plus_one_name text, table_number int,
  meal_preference text, rsvp_status varchar(20)) ENGINE=InnoDB;
INSERT INTO wedding_invitations (id, tenant_id, bride_name, groom_name, description, wedding_date,
  venue_name, venue_address, venue_coordinates, status, created_by, deleted)
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
SELECT n, n % 50, CASE WHEN n % 97 <> 0 THEN CONCAT('Bride ', n) END, CONCAT('Groom ', n),
       CONCAT('A lovely day number ', n), DATE '2020-01-01' + INTERVAL (n % 2000) DAY,
       CONCAT('Venue ', n % 977), CONCAT(n % 300, ' Main Street'), CONCAT('(', n % 90, ',', n % 180, ')'),
       ELT(1 + n % 3, 'published', 'draft', 'archived'), n % 100, n % 50 = 0
FROM g;
INSERT INTO wedding_guests (id, wedding_invitation_id, guest_name, guest_email, guest_phone, plus_one_name,
  table_number, meal_preference, rsvp_status)
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 6000)
SELECT n, CASE WHEN n % 200 = 0 THEN 2000 + n ELSE 1 + n % 2000 END, CONCAT('Guest ', n),
       CONCAT('guest', n, '@example.com'), CONCAT('+62 812 ', n), CASE WHEN n % 4 = 0 THEN CONCAT('Plus ', n) END,
       n % 40, ELT(1 + n % 3, 'meat', 'fish', 'veg'), ELT(1 + n % 4, 'yes', 'no', 'maybe', 'pending')
FROM g;

-- The new generic event platform.
CREATE TABLE event_types (id int PRIMARY KEY, name varchar(50) UNIQUE NOT NULL) ENGINE=InnoDB;
INSERT INTO event_types VALUES (1, 'wedding');
CREATE TABLE events (
  id uuid PRIMARY KEY, tenant_id int NOT NULL, event_type_id int NOT NULL REFERENCES event_types (id),
  title text NOT NULL, description text, event_date date, location json, form_data json,
  status varchar(20) NOT NULL, created_by int, legacy_id bigint UNIQUE) ENGINE=InnoDB;
CREATE TABLE event_participants (
  id uuid PRIMARY KEY, event_id uuid NOT NULL REFERENCES events (id), participant_type varchar(20) NOT NULL,
  contact_info json, custom_fields json, rsvp_status varchar(20) NOT NULL, table_number int) ENGINE=InnoDB;
