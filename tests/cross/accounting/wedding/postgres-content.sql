-- The wedding targets as canonical rows (run-postgres.sh labels them
-- "content"); wedding/mariadb-content.sql selects the same on MariaDB.
SELECT 'events', legacy_id, id, tenant_id, event_type_id, title, description, event_date,
       location->>'venue', location->>'address', location->>'coordinates', form_data->>'bride_name',
       form_data->>'groom_name', status, created_by
  FROM events;
SELECT 'event_participants', id, event_id, participant_type, contact_info->>'name',
       contact_info->>'email', contact_info->>'phone', custom_fields->>'plus_one_name',
       custom_fields->>'table_assignment', custom_fields->>'meal_preference', rsvp_status, table_number
  FROM event_participants;
SELECT 'count', 'events', count(*) FROM events;
SELECT 'count', 'event_participants', count(*) FROM event_participants;
