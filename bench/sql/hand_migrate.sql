-- Migrations 009 and 010 of seed 001, verbatim from shared/bench/wedding_baseline.sql, with one
-- addition: 009 skips the soft-deleted invitations (WHERE wi.deleted IS NOT TRUE), as ferry's
-- phase does, so that both do the same job. 010 is unchanged: its inner JOIN on events.legacy_id
-- silently drops the guests whose invitation is missing or soft-deleted.
-- The backend's memory is measured as for ferry (bench/sql/ferry_migrate.sql).
SELECT pg_backend_pid() AS pid \gset
\set poll `bash :benchdir/rss_poll.sh start :pid :rssfile`
SELECT clock_timestamp() AS t0 \gset
INSERT INTO events (tenant_id, event_type_id, title, description, event_date, location, form_data, status, created_by, created_at, legacy_id)
SELECT wi.tenant_id, (SELECT id FROM event_types WHERE name = 'wedding'),
  COALESCE(wi.bride_name || ' & ' || wi.groom_name, 'Wedding Event'), wi.description, wi.wedding_date,
  jsonb_build_object('venue', wi.venue_name, 'address', wi.venue_address, 'coordinates', wi.venue_coordinates),
  jsonb_build_object('bride_name', wi.bride_name, 'groom_name', wi.groom_name, 'ceremony_time', wi.ceremony_time, 'reception_time', wi.reception_time),
  CASE wi.status WHEN 'published' THEN 'published' WHEN 'draft' THEN 'draft' ELSE 'draft' END,
  wi.created_by, wi.created_at, wi.id
FROM wedding_invitations wi WHERE wi.deleted IS NOT TRUE;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'hand', 'migrate', 'events', 1, :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT clock_timestamp() AS t0 \gset
INSERT INTO event_participants (event_id, participant_type, contact_info, custom_fields, rsvp_status, invitation_sent_at, rsvp_date, created_at)
SELECT e.id, 'guest', jsonb_build_object('name', wg.guest_name, 'email', wg.guest_email, 'phone', wg.guest_phone),
  jsonb_build_object('plus_one_name', wg.plus_one_name, 'table_assignment', wg.table_number, 'meal_preference', wg.meal_preference),
  CASE wg.rsvp_status WHEN 'yes' THEN 'accepted' WHEN 'no' THEN 'declined' WHEN 'maybe' THEN 'tentative' ELSE 'pending' END,
  wg.invitation_sent_at, wg.rsvp_date, wg.created_at
FROM wedding_guests wg JOIN events e ON e.legacy_id = wg.wedding_invitation_id;
INSERT INTO bench.timings (size, run, competitor, op, step, ord, rows, seconds)
SELECT :n, :run, 'hand', 'migrate', 'participants', 2, 3 * :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
\set hwm `awk '/VmHWM/{print $2}' /proc/:pid/status`
\set anon `bash :benchdir/rss_poll.sh stop :pid :rssfile`
INSERT INTO bench.rss (size, run, competitor, vmhwm_kb, peak_rss_anon_kb) VALUES (:n, :run, 'hand', :hwm, NULLIF(:'anon', '')::bigint);
\if :first
INSERT INTO bench.info (size, section, line)
SELECT :n, 'hand', format('hand-written 009/010: wrote %s events and %s participants; %s guests were dropped by the inner JOIN without a trace',
  (SELECT count(*) FROM events), (SELECT count(*) FROM event_participants),
  (SELECT count(*) FROM wedding_guests) - (SELECT count(*) FROM event_participants));
\endif
