-- A failing case for the test command: legacy rows that arrive after V3
-- migrated and before V4 verifies are neither migrated, filtered nor
-- rejected, so V4's validation FAILs and the run stops there.
INSERT INTO wedding_invitations (tenant_id, bride_name, groom_name, status)
VALUES (1, 'Late', 'Arrival', 'published');
