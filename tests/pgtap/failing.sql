-- ferry_tap's assertions must fail when the phase does not match: each of
-- these is wrong on purpose, and the test command checks that pg_prove
-- reports every one as "not ok" and exits non-zero.
BEGIN;
SELECT plan(4);
SELECT ferry_accounting_is('wedding_data', migrated => 1961, rejected => 0,
                           description => 'wrong migrated count');
SELECT ferry_accounting_is('wedding_guests', filtered => 0, description => 'wrong filtered count');
SELECT ferry_rollback_ok('wedding_data', 'a migrated phase is not rolled back');
-- a validation FAIL: an event row the phase wrote is gone
DELETE FROM event_participants WHERE event_id IN (SELECT id FROM events WHERE legacy_id = 1);
DELETE FROM events WHERE legacy_id = 1;
SELECT ferry_phase_ok('wedding_data', 'a phase whose target row was deleted');
SELECT * FROM finish();
ROLLBACK;
