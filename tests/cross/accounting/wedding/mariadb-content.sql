-- The wedding targets as canonical rows (run-mariadb.sh labels them
-- "content"); wedding/postgres-content.sql selects the same on PostgreSQL.
SELECT 'events', legacy_id, id, tenant_id, event_type_id, title, description, event_date,
       JSON_VALUE(location, '$.venue'), JSON_VALUE(location, '$.address'),
       JSON_VALUE(location, '$.coordinates'), JSON_VALUE(form_data, '$.bride_name'),
       JSON_VALUE(form_data, '$.groom_name'), status, created_by
  FROM events;
SELECT 'event_participants', id, event_id, participant_type, JSON_VALUE(contact_info, '$.name'),
       JSON_VALUE(contact_info, '$.email'), JSON_VALUE(contact_info, '$.phone'),
       JSON_VALUE(custom_fields, '$.plus_one_name'), JSON_VALUE(custom_fields, '$.table_assignment'),
       JSON_VALUE(custom_fields, '$.meal_preference'), rsvp_status, table_number
  FROM event_participants;
SELECT 'count', 'events', count(*) FROM events;
SELECT 'count', 'event_participants', count(*) FROM event_participants;
