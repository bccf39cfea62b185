-- One line that changes if any legacy row or any target row changes.
SET SESSION group_concat_max_len = 67108864;
SELECT (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, tenant_id, bride_name, groom_name, description, wedding_date,
          venue_name, venue_address, venue_coordinates, ceremony_time, reception_time, status, created_by,
          deleted, created_at) ORDER BY id SEPARATOR '\n')) FROM wedding_invitations) AS invitations_md5,
       (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, wedding_invitation_id, guest_name, guest_email, guest_phone,
          plus_one_name, table_number, meal_preference, rsvp_status, created_at) ORDER BY id SEPARATOR '\n'))
          FROM wedding_guests) AS guests_md5,
       (SELECT COUNT(*) FROM events) AS events,
       (SELECT COUNT(*) FROM event_participants) AS participants;
