-- The legacy rows as canonical lines (labelled "source"), the same SELECTs
-- on both engines: both must start from the same data.
SELECT 'wedding_invitations', id, tenant_id, bride_name, groom_name, description, wedding_date,
       venue_name, venue_address, venue_coordinates, status, created_by,
       CASE WHEN deleted THEN 1 ELSE 0 END
  FROM wedding_invitations;
SELECT 'wedding_guests', id, wedding_invitation_id, guest_name, guest_email, guest_phone, plus_one_name,
       table_number, meal_preference, rsvp_status
  FROM wedding_guests;
SELECT 'event_types', id, name FROM event_types;
