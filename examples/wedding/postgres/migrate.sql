-- The migration, as a plain SQL file: run with psql -v ON_ERROR_STOP=1 -f.
CREATE EXTENSION IF NOT EXISTS ferry;

SELECT define_phase('wedding_data', '{
  "source": "wedding_invitations",
  "source_key": "id",
  "target": "events",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "legacy_column": "legacy_id",
  "columns": {
    "tenant_id":     "tenant_id",
    "event_type_id": {"sql": "(SELECT id FROM event_types WHERE name = ''wedding'')"},
    "title":         {"sql": "COALESCE(bride_name || '' & '' || groom_name, ''Wedding Event'')"},
    "description":   "description",
    "event_date":    "wedding_date",
    "location":      {"json": {"venue": "venue_name", "address": "venue_address",
                               "coordinates": "venue_coordinates"}},
    "form_data":     {"json": {"bride_name": "bride_name", "groom_name": "groom_name",
                               "ceremony_time": "ceremony_time", "reception_time": "reception_time"}},
    "status":        {"from": "status", "map": {"published": "published", "draft": "draft"}, "default": "draft"},
    "created_by":    "created_by",
    "created_at":    "created_at"
  },
  "where": "deleted IS NOT TRUE"
}');

-- Guests whose invitation is missing or deleted are filtered by a declared
-- condition, so they are counted, never silently dropped.
SELECT define_phase('wedding_guests', '{
  "source": "wedding_guests",
  "target": "event_participants",
  "columns": {
    "event_id":         {"sql": "(SELECT e.id FROM events e WHERE e.legacy_id = wedding_invitation_id)"},
    "participant_type": {"const": "guest"},
    "contact_info":     {"json": {"name": "guest_name", "email": "guest_email", "phone": "guest_phone"}},
    "custom_fields":    {"json": {"plus_one_name": "plus_one_name", "table_assignment": "table_number",
                                  "meal_preference": "meal_preference"}},
    "rsvp_status":      {"from": "rsvp_status", "map": {"yes": "accepted", "no": "declined", "maybe": "tentative"},
                         "default": "pending"},
    "created_at":       "created_at"
  },
  "where": "EXISTS (SELECT 1 FROM wedding_invitations w WHERE w.id = wedding_invitation_id AND NOT w.deleted)"
}');

SELECT * FROM migrate_phase('wedding_data');
SELECT * FROM migrate_phase('wedding_guests');
SELECT * FROM validate_migration_integrity();
