-- The floor: the same transform into UNLOGGED tables made by CREATE TABLE AS, no keys, no
-- indexes, no constraints. Nothing that writes rows the same way can be faster than this.
SELECT clock_timestamp() AS t0 \gset
CREATE UNLOGGED TABLE floor_events AS
SELECT gen_random_uuid() AS id, wi.tenant_id, (SELECT id FROM event_types WHERE name = 'wedding') AS event_type_id,
  COALESCE(wi.bride_name || ' & ' || wi.groom_name, 'Wedding Event') AS title, wi.description, wi.wedding_date AS event_date,
  jsonb_build_object('venue', wi.venue_name, 'address', wi.venue_address, 'coordinates', wi.venue_coordinates) AS location,
  jsonb_build_object('bride_name', wi.bride_name, 'groom_name', wi.groom_name, 'ceremony_time', wi.ceremony_time, 'reception_time', wi.reception_time) AS form_data,
  CASE wi.status WHEN 'published' THEN 'published' WHEN 'draft' THEN 'draft' ELSE 'draft' END AS status,
  wi.created_by, wi.created_at, wi.id AS legacy_id
FROM wedding_invitations wi WHERE wi.deleted IS NOT TRUE;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'floor', 'migrate', 'events', 1, :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT clock_timestamp() AS t0 \gset
CREATE UNLOGGED TABLE floor_participants AS
SELECT gen_random_uuid() AS id, e.id AS event_id, 'guest' AS participant_type,
  jsonb_build_object('name', wg.guest_name, 'email', wg.guest_email, 'phone', wg.guest_phone) AS contact_info,
  jsonb_build_object('plus_one_name', wg.plus_one_name, 'table_assignment', wg.table_number, 'meal_preference', wg.meal_preference) AS custom_fields,
  CASE wg.rsvp_status WHEN 'yes' THEN 'accepted' WHEN 'no' THEN 'declined' WHEN 'maybe' THEN 'tentative' ELSE 'pending' END AS rsvp_status,
  wg.invitation_sent_at, wg.rsvp_date, wg.created_at
FROM wedding_guests wg JOIN floor_events e ON e.legacy_id = wg.wedding_invitation_id;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'floor', 'migrate', 'participants', 2, 3 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
