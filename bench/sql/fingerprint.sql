-- One md5 per target row over the columns both competitors write, keyed by the legacy id:
-- events by legacy_id; participants by guest id (ferry: through the phase's id map; hand-written:
-- the seed keeps no link, so through the guest's unique e-mail), their event by its legacy_id.
DELETE FROM bench.fp WHERE size = :n AND side = :'side';
INSERT INTO bench.fp (size, side, tbl, k, h)
SELECT :n, :'side', 'events', legacy_id,
       md5(row(tenant_id, event_type_id, title, description, event_date, location, form_data, status, created_by, created_at)::text)
FROM events;
\if :is_hand
INSERT INTO bench.fp (size, side, tbl, k, h)
SELECT :n, :'side', 'participants', g.id,
       md5(row(e.legacy_id, p.participant_type, p.contact_info, p.custom_fields, p.rsvp_status, p.invitation_sent_at, p.rsvp_date, p.created_at)::text)
FROM event_participants p LEFT JOIN events e ON e.id = p.event_id LEFT JOIN wedding_guests g ON g.guest_email = p.contact_info->>'email';
\else
SELECT format('ferry.%I', 'map_' || id) AS gmap FROM ferry.phases WHERE name = 'wedding_guests' \gset
INSERT INTO bench.fp (size, side, tbl, k, h)
SELECT :n, :'side', 'participants', m.legacy_1,
       md5(row(e.legacy_id, p.participant_type, p.contact_info, p.custom_fields, p.rsvp_status, p.invitation_sent_at, p.rsvp_date, p.created_at)::text)
FROM event_participants p LEFT JOIN events e ON e.id = p.event_id LEFT JOIN :gmap m ON m.new_key = p.id;
\endif
