-- V2: ferry and the phases.  define_phase checks every table, column and
-- expression now, before anything is written.
CREATE EXTENSION IF NOT EXISTS ferry;

SELECT define_phase('wedding_data', '{
  "source": "wedding_invitations",
  "target": "events",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "legacy_column": "legacy_id",
  "columns": {
    "tenant_id":     "tenant_id",
    "event_type_id": {"sql": "(SELECT id FROM event_types WHERE name = ''wedding'')"},
    "title":         {"sql": "COALESCE(bride_name || '' & '' || groom_name, ''Wedding Event'')"},
    "event_date":    "wedding_date",
    "location":      {"json": {"venue": "venue_name", "address": "venue_address"}},
    "status":        {"from": "status", "map": {"published": "published"}, "default": "draft"},
    "created_at":    "created_at"
  },
  "where": "NOT deleted"
}');

SELECT define_phase('wedding_guests', '{
  "source": "wedding_guests",
  "target": "event_participants",
  "columns": {
    "event_id":         {"sql": "(SELECT e.id FROM events e WHERE e.legacy_id = wedding_invitation_id)"},
    "participant_type": {"const": "guest"},
    "contact_info":     {"json": {"name": "guest_name", "email": "guest_email"}},
    "rsvp_status":      {"from": "rsvp_status", "map": {"yes": "accepted", "no": "declined"}, "default": "pending"}
  },
  "depends_on": "wedding_data",
  "where": "wedding_invitation_id IN (SELECT id FROM wedding_invitations WHERE NOT deleted)"
}');
