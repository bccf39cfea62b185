-- The two ferry phases: invitations -> events (uuid_v5 keys, legacy_id), guests -> participants (ref).
-- The columns are exactly the ones migrations 009 and 010 of the seed fill.
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
    "location":      {"json": {"venue": "venue_name", "address": "venue_address", "coordinates": "venue_coordinates"}},
    "form_data":     {"json": {"bride_name": "bride_name", "groom_name": "groom_name",
                               "ceremony_time": "ceremony_time", "reception_time": "reception_time"}},
    "status":        {"from": "status", "map": {"published": "published", "draft": "draft"}, "default": "draft"},
    "created_by":    "created_by",
    "created_at":    "created_at"
  },
  "where": "deleted IS NOT TRUE"
}') \gset
SELECT define_phase('wedding_guests', '{
  "source": "wedding_guests",
  "source_key": "id",
  "target": "event_participants",
  "target_key": {"column": "id", "generate": "uuid_v5"},
  "columns": {
    "event_id":           {"from": "wedding_invitation_id", "ref": "wedding_data"},
    "participant_type":   {"const": "guest"},
    "contact_info":       {"json": {"name": "guest_name", "email": "guest_email", "phone": "guest_phone"}},
    "custom_fields":      {"json": {"plus_one_name": "plus_one_name", "table_assignment": "table_number",
                                    "meal_preference": "meal_preference"}},
    "rsvp_status":        {"from": "rsvp_status", "map": {"yes": "accepted", "no": "declined", "maybe": "tentative"},
                           "default": "pending"},
    "invitation_sent_at": "invitation_sent_at",
    "rsvp_date":          "rsvp_date",
    "created_at":         "created_at"
  }
}') \gset
