-- One line that changes if any legacy row or any target row changes.
SELECT (SELECT md5(string_agg(w::text, '|' ORDER BY id)) FROM wedding_invitations w) AS invitations_md5,
       (SELECT md5(string_agg(g::text, '|' ORDER BY id)) FROM wedding_guests g) AS guests_md5,
       (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM event_participants) AS participants;
