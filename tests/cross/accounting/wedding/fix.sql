-- A missing invitation arrives after the first runs, the same on both
-- engines: the next migrate_all migrates it, then judges the rejected guest
-- who points at it again and migrates that guest too.
INSERT INTO wedding_invitations (id, tenant_id, bride_name, groom_name, status, created_by, deleted)
  VALUES (2200, 7, 'Late', 'Couple', 'published', 1, false);
