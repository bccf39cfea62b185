-- One run of bench/json.sh (psql variables: n rows, run number, first = true on run 1).
-- Every timed statement starts from a CHECKPOINT and empty targets; times are taken in the
-- session around the statement alone (clock_timestamp()) and kept in jb.t.
--
-- (a) seed 001's location and form_data: migration 009 of the seed into `events`, hand-written
--     and as ferry's phase `wedding_data` (bench/sql/ferry_define.sql), each once with the two
--     JSON columns and once without them (the same statement or spec minus those columns): the
--     difference is what building the JSON costs each side.
-- (b) json_restructure of a 10-key document vs the hand-written jsonb expression of the same
--     document, each an UNLOGGED CREATE TABLE AS, next to a floor that copies the documents.
SET client_min_messages = warning;
\set ON_ERROR_STOP 1

-- the hand-written 009 (bench/sql/hand_migrate.sql), with or without the JSON columns
\set hand_cols 'tenant_id, event_type_id, title, description, event_date, status, created_by, created_at, legacy_id'
\set hand_vals 'wi.tenant_id, (SELECT id FROM event_types WHERE name = ''wedding''), COALESCE(wi.bride_name || '' & '' || wi.groom_name, ''Wedding Event''), wi.description, wi.wedding_date, CASE wi.status WHEN ''published'' THEN ''published'' WHEN ''draft'' THEN ''draft'' ELSE ''draft'' END, wi.created_by, wi.created_at, wi.id'
\set json_cols ', location, form_data'
\set json_vals ', jsonb_build_object(''venue'', wi.venue_name, ''address'', wi.venue_address, ''coordinates'', wi.venue_coordinates), jsonb_build_object(''bride_name'', wi.bride_name, ''groom_name'', wi.groom_name, ''ceremony_time'', wi.ceremony_time, ''reception_time'', wi.reception_time)'

-- ferry: the phase wedding_data's spec under a name of its own per run (a fresh id map), and
-- the same spec without the two JSON columns
SELECT define_phase('json_' || :run, spec) FROM ferry.phases WHERE name = 'wedding_data' \gset
SELECT define_phase('plain_' || :run, spec #- '{columns,location}' #- '{columns,form_data}')
FROM ferry.phases WHERE name = 'wedding_data' \gset

-- the four, in an order that alternates the sides
TRUNCATE events, event_participants;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO events (:hand_cols) SELECT :hand_vals FROM wedding_invitations wi WHERE wi.deleted IS NOT TRUE;
INSERT INTO jb.t VALUES (:run, 'a', 'hand without JSON', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));

TRUNCATE events, event_participants;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
SELECT migrated FROM migrate_phase('plain_' || :run) \gset
INSERT INTO jb.t VALUES (:run, 'a', 'ferry without JSON', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));

TRUNCATE events, event_participants;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO events (:hand_cols :json_cols) SELECT :hand_vals :json_vals FROM wedding_invitations wi WHERE wi.deleted IS NOT TRUE;
INSERT INTO jb.t VALUES (:run, 'a', 'hand with JSON', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
\if :first
INSERT INTO jb.sums SELECT 'a', 'hand', count(*), md5(string_agg(legacy_id || ' ' || location::text || ' ' || form_data::text, E'\n' ORDER BY legacy_id)) FROM events;
\endif

TRUNCATE events, event_participants;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
SELECT migrated FROM migrate_phase('json_' || :run) \gset
INSERT INTO jb.t VALUES (:run, 'a', 'ferry with JSON', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
\if :first
INSERT INTO jb.sums SELECT 'a', 'ferry', count(*), md5(string_agg(legacy_id || ' ' || location::text || ' ' || form_data::text, E'\n' ORDER BY legacy_id)) FROM events;
\endif
TRUNCATE events, event_participants;

-- (b)
DROP TABLE IF EXISTS jb.out_floor, jb.out_hand, jb.out_ferry;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
CREATE UNLOGGED TABLE jb.out_floor AS SELECT id, doc AS r FROM jb.docs;
INSERT INTO jb.t VALUES (:run, 'b', 'floor (copy)', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));

CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
CREATE UNLOGGED TABLE jb.out_hand AS
SELECT id, jsonb_build_object('email', doc->'Email', 'status', doc->'Status', 'currency', doc->'Currency',
  'total_cents', doc->'TotalCents', 'customer_name', doc->'CustomerName', 'order_number', doc->'OrderID',
  'shipping_address', jsonb_build_object('street', doc->'Street', 'city', doc->'City', 'zip', doc->'Zip',
                                         'country', doc->'Country')) AS r
FROM jb.docs;
INSERT INTO jb.t VALUES (:run, 'b', 'hand-written jsonb', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));

CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
CREATE UNLOGGED TABLE jb.out_ferry AS SELECT id, json_restructure(doc, :'spec'::jsonb) AS r FROM jb.docs;
INSERT INTO jb.t VALUES (:run, 'b', 'json_restructure', extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
\if :first
INSERT INTO jb.sums SELECT 'b', 'hand', count(*), md5(string_agg(r::text, E'\n' ORDER BY id)) FROM jb.out_hand;
INSERT INTO jb.sums SELECT 'b', 'ferry', count(*), md5(string_agg(r::text, E'\n' ORDER BY id)) FROM jb.out_ferry;
\endif
