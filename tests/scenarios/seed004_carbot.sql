-- Seed 004: public -> carbot_v2 side by side: organizations derived from the
-- distinct workshop owners (merge_on), workshops linked to them through the
-- organizations' id map, customers' names split into first/last, lead
-- status/priority mapped into enums, JSON defaults.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION ferry;

CREATE TABLE workshops (id int PRIMARY KEY, name text NOT NULL, owner_email text, owner_name text, city text);
INSERT INTO workshops VALUES
  (1, 'Bengkel Jaya', 'budi@example.com', 'Budi', 'Jakarta'),
  (2, 'Jaya Motor 2', 'budi@example.com', 'Budi S.', 'Bogor'),
  (3, 'Citra Auto', 'citra@example.com', 'Citra', 'Bandung'),
  (4, 'No Owner Garage', NULL, NULL, 'Depok');
CREATE TABLE customers (id int PRIMARY KEY, workshop_id int, name text, email text);
INSERT INTO customers VALUES
  (1, 1, 'Ani Wijaya', 'ani@example.com'), (2, 1, 'Rudi', 'rudi@x'), (3, 3, 'Siti Nur Aisyah', NULL),
  (4, 9, 'Orphan Customer', 'o@example.com'), (5, 2, NULL, 'noname@example.com');
CREATE TABLE leads (id int PRIMARY KEY, workshop_id int, status text, priority int);
INSERT INTO leads VALUES (1, 1, 'NEW', 1), (2, 1, 'CONTACTED', 2), (3, 3, 'WON', 3), (4, 3, 'spam', 1);

CREATE SCHEMA carbot_v2;
CREATE TYPE carbot_v2.lead_status AS ENUM ('new', 'contacted', 'qualified', 'won', 'lost');
CREATE TYPE carbot_v2.lead_priority AS ENUM ('low', 'medium', 'high');
CREATE TABLE carbot_v2.organizations (
  id uuid PRIMARY KEY, owner_email text UNIQUE, owner_name text NOT NULL, workshop_count int NOT NULL,
  settings jsonb NOT NULL);
CREATE TABLE carbot_v2.workshops (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL REFERENCES carbot_v2.organizations, name text NOT NULL,
  city text, legacy_id int);
CREATE TABLE carbot_v2.customers (
  id uuid PRIMARY KEY, workshop_id uuid NOT NULL REFERENCES carbot_v2.workshops, first_name text NOT NULL,
  last_name text, email text, metadata jsonb NOT NULL);
CREATE TABLE carbot_v2.leads (
  id uuid PRIMARY KEY, workshop_id uuid NOT NULL REFERENCES carbot_v2.workshops,
  status carbot_v2.lead_status NOT NULL, priority carbot_v2.lead_priority NOT NULL);

-- one organization per distinct owner; a workshop without an owner gets its own
SELECT define_phase('organizations', '{
  "source": "public.workshops", "target": "carbot_v2.organizations",
  "merge_on": ["owner_email"], "merge_order": "id",
  "columns": {
    "owner_email": "owner_email",
    "owner_name": {"sql": "COALESCE(owner_name, name)", "merge": "first"},
    "workshop_count": {"from": "id", "merge": "count"},
    "settings": {"const": {"notifications": true, "language": "id"}}}}');
SELECT define_phase('workshops', '{
  "source": "public.workshops", "target": "carbot_v2.workshops", "legacy_column": "legacy_id",
  "columns": {"organization_id": {"from": "id", "ref": "organizations"}, "name": "name", "city": "city"}}');
SELECT define_phase('customers', '{
  "source": "public.customers", "target": "carbot_v2.customers",
  "columns": {
    "workshop_id": {"from": "workshop_id", "ref": "workshops"},
    "first_name": {"sql": "split_part(name, '' '', 1)"},
    "last_name": {"sql": "NULLIF(substr(name, length(split_part(name, '' '', 1)) + 2), '''')"},
    "email": "email",
    "metadata": {"json": {"legacy_id": "id", "source": {"const": "carbot_v1"}}}}}');
SELECT define_phase('leads', '{
  "source": "public.leads", "target": "carbot_v2.leads",
  "columns": {
    "workshop_id": {"from": "workshop_id", "ref": "workshops"},
    "status": {"from": "status", "map": {"NEW": "new", "CONTACTED": "contacted", "QUALIFIED": "qualified",
                                         "WON": "won", "LOST": "lost"}, "default": "lost"},
    "priority": {"from": "priority", "map": {"1": "low", "2": "medium", "3": "high"}, "default": "medium"}}}');

CREATE TEMP TABLE runs AS SELECT * FROM migrate_all();
SELECT phase, migrated, merged, rejected, filtered, skipped FROM runs;
DO $$ BEGIN
  ASSERT (SELECT (migrated, merged) FROM runs WHERE phase = 'organizations') = (3::bigint, 1::bigint), 'organizations: budi, citra, the ownerless one';
  ASSERT (SELECT migrated FROM runs WHERE phase = 'workshops') = 4;
  ASSERT (SELECT (migrated, rejected) FROM runs WHERE phase = 'customers') = (3::bigint, 2::bigint), 'orphan and nameless customers rejected';
  ASSERT (SELECT migrated FROM runs WHERE phase = 'leads') = 4;
  ASSERT (SELECT count(*) FROM validate_migration_integrity() WHERE status = 'FAIL') = 0, 'validation';
  ASSERT (SELECT workshop_count FROM carbot_v2.organizations WHERE owner_email = 'budi@example.com') = 2;
  ASSERT (SELECT owner_name FROM carbot_v2.organizations WHERE owner_email = 'budi@example.com') = 'Budi';
  ASSERT (SELECT owner_name FROM carbot_v2.organizations WHERE owner_email IS NULL) = 'No Owner Garage';
  -- both of Budi's workshops hang off his one organization
  ASSERT (SELECT count(DISTINCT organization_id) FROM carbot_v2.workshops WHERE legacy_id IN (1, 2)) = 1;
  ASSERT (SELECT (first_name, last_name) FROM carbot_v2.customers WHERE email IS NULL) = ('Siti'::text, 'Nur Aisyah'::text);
  ASSERT (SELECT (first_name, last_name) FROM carbot_v2.customers WHERE email = 'rudi@x') = ('Rudi'::text, NULL::text);
  ASSERT (SELECT count(*) FROM carbot_v2.customers WHERE metadata->>'source' = 'carbot_v1') = 3;
  ASSERT (SELECT array_agg(status::text || '/' || priority::text ORDER BY status) FROM carbot_v2.leads)
         = ARRAY['new/low', 'contacted/medium', 'won/high', 'lost/low'], 'enum mapping';
  ASSERT (SELECT settings FROM carbot_v2.organizations LIMIT 1) = '{"language": "id", "notifications": true}';
  ASSERT (SELECT string_agg(reason, '; ' ORDER BY reason) FROM ferry.migration_rejects) =
         'column "first_name" is NOT NULL in the target, its value is NULL; column "workshop_id": ref: no row of phase "workshops" has this legacy key';
END $$;

-- ------------------------------------------------------ blue-green: sync
-- The legacy application keeps writing to public while carbot_v2 is kept
-- current by ferry's triggers (the hand-written PL/pgSQL sync triggers of
-- the seed).  organizations is a merge_on phase: a workshop's insert,
-- update or owner change recomputes its owners' organizations, and on
-- the workshops table its triggers fire before those of the workshops
-- phase (defined after it), so a new workshop finds its organization.
SELECT start_sync('organizations');
SELECT start_sync('workshops');
SELECT start_sync('customers');
SELECT start_sync('leads');

-- the application writes
INSERT INTO customers VALUES (6, 3, 'Tono Hartono', 'tono@example.com');
UPDATE customers SET name = 'Ani W. Wijaya' WHERE id = 1;
UPDATE customers SET workshop_id = 1 WHERE id = 4;          -- the orphan finds its workshop
UPDATE customers SET name = 'Nona' WHERE id = 5;            -- the nameless one gets a name
DELETE FROM customers WHERE id = 2;
UPDATE leads SET status = 'LOST', priority = 3 WHERE id = 1;
INSERT INTO leads VALUES (5, 3, 'QUALIFIED', 2);
UPDATE workshops SET city = 'Jakarta Selatan' WHERE id = 1;
INSERT INTO workshops VALUES (5, 'Maju Motor', 'citra@example.com', 'Citra', 'Cimahi');
INSERT INTO leads VALUES (6, 5, 'NEW', 3);
UPDATE workshops SET owner_email = 'citra@example.com', owner_name = 'Citra' WHERE id = 2;  -- Budi sold it
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM carbot_v2.customers) = 5, 'customers 1, 3, 4, 5, 6';
  ASSERT (SELECT (first_name, last_name) FROM carbot_v2.customers WHERE email = 'ani@example.com') = ('Ani'::text, 'W. Wijaya'::text);
  ASSERT (SELECT count(*) FROM carbot_v2.customers WHERE email = 'rudi@x') = 0, 'deleted with its legacy row';
  ASSERT (SELECT status::text || '/' || priority::text FROM carbot_v2.leads l JOIN ferry.map_4 m ON m.new_key = l.id
          WHERE m.legacy_1 = 1) = 'lost/high';
  ASSERT (SELECT city FROM carbot_v2.workshops WHERE legacy_id = 1) = 'Jakarta Selatan';
  ASSERT (SELECT count(*) FROM ferry.migration_rejects) = 0, 'the new workshop came with its organization, the lead with it';
  ASSERT (SELECT bool_and(syncing) FROM migration_status);
  -- the merged rows follow: Citra's organization has workshops 2, 3 and 5, Budi's only 1, same keys
  ASSERT (SELECT workshop_count FROM carbot_v2.organizations WHERE owner_email = 'citra@example.com') = 3;
  ASSERT (SELECT workshop_count FROM carbot_v2.organizations WHERE owner_email = 'budi@example.com') = 1;
  ASSERT (SELECT o.owner_email FROM carbot_v2.workshops w JOIN carbot_v2.organizations o ON o.id = w.organization_id
          WHERE w.legacy_id = 2) = 'citra@example.com', 'the workshop moved with its owner';
  ASSERT (SELECT count(*) FROM carbot_v2.organizations) = 3;
END $$;

-- nothing is left for a catch-up; validation passes
DO $$ BEGIN
  ASSERT (SELECT migrated + merged FROM migrate_phase('organizations')) = 0, 'sync kept up';
  ASSERT (SELECT count(*) FROM validate_migration_integrity() WHERE status = 'FAIL') = 0, 'validation';
END $$;

-- cut-over: each finish_sync catches up, validates and stops sync in one
-- transaction, parents first
SELECT phase, caught_up FROM finish_sync('organizations');
SELECT phase, caught_up FROM finish_sync('workshops');
SELECT phase, caught_up FROM finish_sync('customers');
SELECT phase, caught_up FROM finish_sync('leads');
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'ferry_sync%') = 0, 'no sync trigger left';
  ASSERT (SELECT count(*) FROM ferry.migration_rejects) = 0, 'every reject resolved: by sync or by a catch-up';
END $$;

-- the application switches to the new schema ...
SET search_path = carbot_v2, public;
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM workshops) = 5 AND (SELECT count(*) FROM leads) = 6;
  ASSERT (SELECT count(*) FROM customers WHERE first_name = 'Tono') = 1;
  ASSERT (SELECT count(*) FROM organizations) = 3;
END $$;
-- ... and back: the rollback path.  The legacy tables are what the
-- application left there; rolling carbot_v2 back must not touch them.
RESET search_path;
SELECT table_name, row_count FROM capture_baseline('legacy', ARRAY['workshops', 'customers', 'leads']);

SELECT * FROM rollback_migration('leads');
SELECT * FROM rollback_migration('customers');
SELECT * FROM rollback_migration('workshops');
SELECT * FROM rollback_migration('organizations');
DO $$ BEGIN
  ASSERT (SELECT count(*) FROM carbot_v2.organizations) + (SELECT count(*) FROM carbot_v2.workshops)
       + (SELECT count(*) FROM carbot_v2.customers) + (SELECT count(*) FROM carbot_v2.leads) = 0;
  ASSERT (SELECT count(*) FROM compare_baseline('legacy') WHERE content = 'same') = 3, 'public is untouched';
END $$;
\echo seed 004: ok
