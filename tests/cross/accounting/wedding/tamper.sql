-- The same damage on both engines (plain SQL both accept), run inside a
-- transaction that is rolled back after validation: each check must FAIL
-- or WARN alike, with the same details and sample.
-- a migrated value changed by hand: content_roundtrip names key and column
UPDATE events SET title = 'Changed by hand' WHERE legacy_id = 2;
-- and one that an aggregate sees too
UPDATE events SET created_by = created_by + 1 WHERE legacy_id = 4;
-- the three guests of invitation 3 deleted from the target
DELETE FROM event_participants WHERE event_id = (SELECT e.id FROM events e WHERE e.legacy_id = 3);
-- a source row deleted since it was migrated
DELETE FROM wedding_guests WHERE id = 10;
-- a source row changed since it was migrated (one target column only: when
-- several differ, the sample names the first in an order that differs
-- between the engines, see README.md in this folder)
UPDATE wedding_invitations SET venue_name = 'Somewhere else' WHERE id = 6;
-- a new source row nobody migrated
INSERT INTO wedding_invitations (id, tenant_id, bride_name, groom_name, status, created_by, deleted)
  VALUES (5000, 1, 'Late', 'Arrival', 'draft', 1, false);
