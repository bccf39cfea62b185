-- Deploy wedding:wedding_guests: guests whose invitation is missing or
-- deleted are filtered by a declared condition (counted, never lost)
CALL define_phase('wedding_guests', '{
  "source": "wedding_guests",
  "target": "event_participants",
  "columns": {
    "event_id":         {"sql": "(SELECT e.id FROM events e WHERE e.legacy_id = wedding_invitation_id)"},
    "participant_type": {"const": "guest"},
    "contact_info":     {"json": {"name": "guest_name", "email": "guest_email", "phone": "guest_phone"}},
    "rsvp_status":      {"from": "rsvp_status", "map": {"yes": "accepted", "no": "declined", "maybe": "tentative"},
                         "default": "pending"},
    "created_at":       "created_at"
  },
  "depends_on": "wedding_data",
  "where": "EXISTS (SELECT 1 FROM wedding_invitations w WHERE w.id = wedding_invitation_id AND NOT w.deleted)"
}');
CALL migrate_phase('wedding_guests');
