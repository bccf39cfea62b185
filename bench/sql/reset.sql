-- Back to the starting state between competitors: empty targets, no floor tables, ferry's phases
-- rolled back, dropped and defined again (fresh id maps), then a CHECKPOINT.
SET client_min_messages = warning;
TRUNCATE events, event_participants;
DROP TABLE IF EXISTS floor_participants, floor_events;
SELECT EXISTS (SELECT 1 FROM migration_status WHERE migrated > 0 OR rejected > 0 OR state NOT IN ('defined', 'rolled_back')) AS dirty \gset
\if :dirty
SELECT count(*) FROM rollback_migration('wedding_guests') \gset
SELECT count(*) FROM rollback_migration('wedding_data') \gset
\endif
SELECT EXISTS (SELECT 1 FROM ferry.phases) AS defined \gset
\if :defined
SELECT drop_phase('wedding_guests') \gset
SELECT drop_phase('wedding_data') \gset
\endif
\ir ferry_define.sql
CHECKPOINT;
