-- Deploy wedding:wedding_data: one transaction (Sqitch runs the file with
-- psql as it is), so a failed migration writes nothing and Sqitch does not
-- record the change as deployed.
BEGIN;
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
    "status":        {"from": "status", "map": {"published": "published", "draft": "draft"}, "default": "draft"},
    "created_by":    "created_by",
    "created_at":    "created_at"
  },
  "where": "deleted IS NOT TRUE"
}');
SELECT * FROM migrate_phase('wedding_data');
COMMIT;
