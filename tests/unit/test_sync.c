/* test_sync.c -- live sync and compatibility views: the statements the core plans. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

static const char *META =
"{\"catalog_schema\": \"ferry\", \"func_schema\": \"public\", \"phase_id\": 7,"
" \"source\": {\"schema\": \"legacy\", \"name\": \"invitations\", \"columns\": ["
"   {\"name\": \"id\", \"type\": \"bigint\", \"notnull\": true},"
"   {\"name\": \"couple\", \"type\": \"text\"}, {\"name\": \"status\", \"type\": \"text\"},"
"   {\"name\": \"venue\", \"type\": \"text\"}, {\"name\": \"cents\", \"type\": \"bigint\"},"
"   {\"name\": \"note\", \"type\": \"text\"}, {\"name\": \"wedding_id\", \"type\": \"bigint\"}]},"
" \"target\": {\"schema\": \"app\", \"name\": \"events\", \"columns\": ["
"   {\"name\": \"id\", \"type\": \"uuid\", \"notnull\": true},"
"   {\"name\": \"title\", \"type\": \"text\", \"notnull\": true}, {\"name\": \"status\", \"type\": \"text\"},"
"   {\"name\": \"location\", \"type\": \"jsonb\"}, {\"name\": \"budget\", \"type\": \"numeric\"},"
"   {\"name\": \"shout\", \"type\": \"text\"}, {\"name\": \"wedding\", \"type\": \"uuid\"},"
"   {\"name\": \"deleted_at\", \"type\": \"timestamp with time zone\"}]},"
" \"refs\": [{\"phase\": \"weddings\", \"phase_id\": 3, \"nkeys\": 1}]}";

#define COLUMNS \
"\"columns\": {\"title\": \"couple\", \"status\": {\"from\": \"status\", \"map\": {\"p\": \"published\", \"d\": \"draft\"}}," \
" \"location\": {\"json\": {\"venue\": \"venue\"}}, \"budget\": {\"from\": \"cents\", \"convert\": \"cents_to_decimal\"}," \
" \"shout\": {\"sql\": \"upper(note)\"}, \"wedding\": {\"from\": \"wedding_id\", \"ref\": \"weddings\", \"on_missing\": \"error\"}}"

static fy_phase *
phase(const char *spec)
{
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("invites", spec, &err);

	if (ph == NULL)
		fail_msg("%s", err.message);
	return ph;
}

static fy_meta *
meta(void)
{
	fy_error	err = {0};
	fy_meta    *m = fy_meta_parse(META, &err);

	if (m == NULL)
		fail_msg("%s", err.message);
	return m;
}

static fy_plan *
sync_plan(const char *spec, fy_sync_event ev)
{
	fy_phase   *ph = phase(spec);
	fy_meta    *m = meta();
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_sync(ph, m, FY_POSTGRES, ev, ev == FY_SYNC_DELETE ? NULL : "ferry_new",
									ev == FY_SYNC_INSERT ? NULL : "ferry_old", 9, false, &err);

	if (plan == NULL)
		fail_msg("%s", err.message);
	fy_phase_free(ph);
	fy_meta_free(m);
	return plan;
}

#define SPEC(extra) "{\"source\": \"legacy.invitations\", \"target\": \"app.events\", " COLUMNS extra "}"

static void
on_source_delete_is_parsed_and_refused_when_unknown(void **state)
{
	fy_error	err = {0};
	fy_phase   *ph;

	(void) state;
	ph = phase(SPEC(""));
	assert_int_equal(ph->on_source_delete, FY_DELETE_DELETE);
	fy_phase_free(ph);
	ph = phase(SPEC(", \"on_source_delete\": \"soft\""));
	assert_int_equal(ph->on_source_delete, FY_DELETE_SOFT);
	assert_string_equal(ph->deleted_column, "deleted_at");
	fy_phase_free(ph);
	ph = phase(SPEC(", \"on_source_delete\": {\"soft\": \"gone\"}"));
	assert_string_equal(ph->deleted_column, "gone");
	fy_phase_free(ph);
	ph = phase(SPEC(", \"on_source_delete\": \"keep\""));
	assert_int_equal(ph->on_source_delete, FY_DELETE_KEEP);
	fy_phase_free(ph);
	assert_null(fy_phase_parse("invites", SPEC(", \"on_source_delete\": {\"hard\": true}"), &err));
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
}

static void
insert_forgets_the_rejects_of_the_new_keys_only(void **state)
{
	fy_plan    *plan = sync_plan(SPEC(""), FY_SYNC_INSERT);

	(void) state;
	/* with deletes deleting, an insert is migrate's alone */
	assert_int_equal(plan->nstmts, 1);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_CLEAR_REJECTS);
	assert_string_equal(plan->stmts[0].sql,
						"DELETE FROM \"ferry\".migration_rejects WHERE phase_id = 7 AND legacy_key IN "
						"(SELECT jsonb_build_object('id', s.\"id\") FROM \"ferry_new\" AS s)");
	fy_plan_free(plan);
}

static void
insert_revives_kept_rows_when_deletes_do_not_delete(void **state)
{
	fy_plan    *plan = sync_plan(SPEC(", \"on_source_delete\": \"soft\""), FY_SYNC_INSERT);

	(void) state;
	assert_int_equal(plan->nstmts, 2);
	assert_int_equal(plan->stmts[1].role, FY_ROLE_MIGRATE);
	assert_non_null(strstr(plan->stmts[1].sql, "\"deleted_at\" = NULL FROM ferry_valid AS c"));
	assert_null(strstr(plan->stmts[1].sql, "ferry_old"));
	fy_plan_free(plan);
}

static void
update_recomputes_in_place_and_takes_out_the_rest(void **state)
{
	fy_plan    *plan = sync_plan(SPEC(""), FY_SYNC_UPDATE);
	const char *sql;

	(void) state;
	assert_int_equal(plan->nstmts, 2);
	assert_non_null(strstr(plan->stmts[0].sql, "FROM \"ferry_new\" AS s UNION ALL SELECT jsonb_build_object('id', s.\"id\") FROM \"ferry_old\" AS s)"));
	assert_int_equal(plan->stmts[1].role, FY_ROLE_MIGRATE);
	sql = plan->stmts[1].sql;
	/* the new rows, computed as migrate computes them, over the transition table */
	assert_non_null(strstr(sql, "FROM (SELECT s.* FROM \"ferry_new\" AS s WHERE TRUE) AS s LEFT JOIN \"ferry\".\"map_3\" AS r1"));
	assert_null(strstr(sql, "\"legacy\".\"invitations\""));
	/* an "on_missing": "error" ref that misses is not valid: migrate refuses it next */
	assert_non_null(strstr(sql, "ferry_valid AS (SELECT * FROM ferry_cand WHERE ferry_reason IS NULL AND NOT ferry_miss_1)"));
	assert_non_null(strstr(sql, "ferry_gone AS (SELECT s.\"id\" AS ferry_key_1 FROM \"ferry_new\" AS s UNION "
						   "SELECT s.\"id\" AS ferry_key_1 FROM \"ferry_old\" AS s EXCEPT SELECT ferry_key_1 FROM ferry_valid)"));
	/* delete: the gone rows' map entries and target rows go */
	assert_non_null(strstr(sql, "ferry_unmapped AS (DELETE FROM \"ferry\".\"map_7\" AS m USING ferry_gone AS g WHERE m.\"legacy_1\" = g.ferry_key_1 RETURNING m.new_key)"));
	assert_non_null(strstr(sql, "ferry_removed AS (DELETE FROM \"app\".\"events\" AS t USING ferry_unmapped AS u WHERE t.\"id\" = u.new_key RETURNING 1)"));
	/* the valid ones: in place, same key, hash refreshed */
	assert_non_null(strstr(sql, "ferry_updated AS (UPDATE \"app\".\"events\" AS t SET \"budget\" = c.ferry_c_1"));
	assert_non_null(strstr(sql, "JOIN \"ferry\".\"map_7\" AS m ON m.\"legacy_1\" = c.ferry_key_1 WHERE t.\"id\" = m.new_key RETURNING 1)"));
	assert_non_null(strstr(sql, "ferry_hashed AS (UPDATE \"ferry\".\"map_7\" AS m SET row_hash = \"ferry\".content_hash(ROW(CAST(ferry_c_1 AS "));
	assert_non_null(strstr(sql, "SELECT (SELECT count(*) FROM ferry_removed) AS removed, (SELECT count(*) FROM ferry_unmapped) AS unmapped, (SELECT count(*) FROM ferry_updated) AS updated"));
	fy_plan_free(plan);
}

static void
update_in_soft_mode_marks_and_unmaps_only_refused_rows(void **state)
{
	fy_plan    *plan = sync_plan(SPEC(", \"on_source_delete\": \"soft\""), FY_SYNC_UPDATE);
	const char *sql = plan->stmts[1].sql;

	(void) state;
	assert_non_null(strstr(sql, "ferry_refused AS (SELECT * FROM ferry_cand WHERE FALSE OR ferry_miss_1)"));
	assert_non_null(strstr(sql, "ferry_unmapped AS (DELETE FROM \"ferry\".\"map_7\" AS m USING ferry_refused AS g"));
	assert_non_null(strstr(sql, "ferry_removed AS (UPDATE \"app\".\"events\" AS t SET \"deleted_at\" = CURRENT_TIMESTAMP FROM \"ferry\".\"map_7\" AS m JOIN ferry_gone AS g"));
	assert_non_null(strstr(sql, "AND t.\"deleted_at\" IS NULL RETURNING 1)"));
	fy_plan_free(plan);
}

static void
delete_follows_on_source_delete(void **state)
{
	fy_plan    *plan = sync_plan(SPEC(""), FY_SYNC_DELETE);

	(void) state;
	assert_int_equal(plan->nstmts, 2);
	assert_non_null(strstr(plan->stmts[0].sql, "FROM \"ferry_old\" AS s)"));
	assert_int_equal(plan->stmts[1].role, FY_ROLE_DELETE_TARGET);
	assert_string_equal(plan->stmts[1].sql,
						"WITH ferry_gone AS (SELECT s.\"id\" AS ferry_key_1 FROM \"ferry_old\" AS s), "
						"ferry_unmapped AS (DELETE FROM \"ferry\".\"map_7\" AS m USING ferry_gone AS g WHERE m.\"legacy_1\" = g.ferry_key_1 RETURNING m.new_key), "
						"ferry_removed AS (DELETE FROM \"app\".\"events\" AS t USING ferry_unmapped AS u WHERE t.\"id\" = u.new_key RETURNING 1) "
						"SELECT (SELECT count(*) FROM ferry_removed) AS removed, (SELECT count(*) FROM ferry_unmapped) AS unmapped, 0 AS updated");
	fy_plan_free(plan);
	plan = sync_plan(SPEC(", \"on_source_delete\": \"keep\""), FY_SYNC_DELETE);
	assert_non_null(strstr(plan->stmts[1].sql, "ferry_unmapped AS (SELECT 1 WHERE FALSE), ferry_removed AS (SELECT 1 WHERE FALSE)"));
	fy_plan_free(plan);
}

static void
the_transition_table_stands_in_for_the_source_of_migrate(void **state)
{
	fy_phase   *ph = phase(SPEC(""));
	fy_meta    *m = meta();
	fy_meta		rows = fy_meta_rows(m, "ferry_new");
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_migrate(ph, &rows, FY_POSTGRES, 9, &err);
	bool		found = false;

	(void) state;
	assert_non_null(plan);
	for (int i = 0; i < plan->nstmts; i++)
	{
		assert_null(strstr(plan->stmts[i].sql, "\"legacy\".\"invitations\""));
		found |= plan->stmts[i].role == FY_ROLE_MIGRATE &&
			strstr(plan->stmts[i].sql, "(SELECT s.* FROM \"ferry_new\" AS s WHERE NOT EXISTS (SELECT 1 FROM \"ferry\".\"map_7\" AS m") != NULL;
	}
	assert_true(found);
	fy_plan_free(plan);
	fy_phase_free(ph);
	fy_meta_free(m);
}

static void
sync_is_refused_for_what_it_cannot_carry(void **state)
{
	fy_meta    *m = meta();
	fy_error	err = {0};
	fy_phase   *ph;
	fy_plan    *plan;

	(void) state;
	ph = phase("{\"source\": {\"query\": \"SELECT * FROM legacy.invitations\"}, \"target\": \"app.events\", \"columns\": {\"title\": \"couple\"}}");
	assert_false(fy_sync_check(ph, &err));
	assert_int_equal(err.code, FY_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(err.message, "a query source has no table"));
	fy_phase_free(ph);
	ph = phase("{\"source\": \"legacy.invitations\", \"target\": \"app.events\", \"merge_on\": [\"couple\"], \"columns\": {\"title\": \"couple\"}}");
	memset(&err, 0, sizeof(err));	/* the first error of a call is the one kept */
	assert_true(fy_sync_check(ph, &err));
	fy_phase_free(ph);
	/* an update phase syncs, but wrote no rows to mark as deleted */
	ph = phase("{\"kind\": \"update\", \"source\": \"legacy.invitations\", \"target\": \"app.events\", \"target_key\": \"id\", "
			   "\"columns\": {\"title\": \"couple\"}}");
	assert_true(fy_sync_check(ph, &err));
	fy_phase_free(ph);
	ph = phase("{\"kind\": \"update\", \"source\": \"legacy.invitations\", \"target\": \"app.events\", \"target_key\": \"id\", "
			   "\"on_source_delete\": \"soft\", \"columns\": {\"title\": \"couple\"}}");
	assert_false(fy_sync_check(ph, &err));
	assert_non_null(strstr(err.message, "an update phase wrote none"));
	fy_phase_free(ph);
	ph = phase(SPEC(""));
	memset(&err, 0, sizeof(err));
	assert_null(fy_plan_sync(ph, m, FY_POSTGRES, FY_SYNC_UPDATE, "n", NULL, 9, false, &err));
	assert_int_equal(err.code, FY_ERR_INTERNAL);
	memset(&err, 0, sizeof(err));
	assert_null(fy_plan_sync(ph, m, FY_MARIADB, FY_SYNC_UPDATE, "NEW", NULL, 9, false, &err));
	assert_int_equal(err.code, FY_ERR_INTERNAL);
	fy_phase_free(ph);
	/* MariaDB's per-row triggers do not sync update phases yet */
	ph = phase("{\"kind\": \"update\", \"source\": \"legacy.invitations\", \"target\": \"app.events\", \"target_key\": \"id\", "
			   "\"columns\": {\"title\": \"couple\"}}");
	memset(&err, 0, sizeof(err));
	assert_null(fy_plan_sync_triggers(ph, m, 9, &err));
	assert_int_equal(err.code, FY_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(err.message, "sync of an update phase is not supported on MariaDB yet"));
	fy_phase_free(ph);
	/* what migrate cannot carry on MariaDB is refused before any planning
	 * (the merge's recompute wrote a drawn key's NULL legacy_column) */
	ph = phase("{\"source\": \"legacy.invitations\", \"target\": \"app.events\", \"target_key\": {\"column\": \"id\", \"generate\": \"default\"}, "
			   "\"merge_on\": [\"couple\"], \"columns\": {\"title\": {\"from\": \"couple\", \"merge\": \"max\"}}}");
	memset(&err, 0, sizeof(err));
	m->key_default = "AUTO_INCREMENT";
	assert_null(fy_plan_sync(ph, m, FY_MARIADB, FY_SYNC_UPDATE, "NEW", "OLD", 9, false, &err));
	m->key_default = NULL;
	assert_int_equal(err.code, FY_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(err.message, "\"generate\": \"default\" needs a \"legacy_column\""));
	fy_phase_free(ph);
	/* MariaDB syncs now: a spec that steers sync is defined there */
	ph = phase(SPEC(", \"on_source_delete\": \"keep\""));
	plan = fy_plan_define(ph, m, FY_MARIADB, &err);
	assert_non_null(plan);
	fy_plan_free(plan);
	fy_phase_free(ph);
	fy_meta_free(m);
}

/* my_trigger: the CREATE TRIGGER of event ev in a MariaDB trigger plan. */
static const char *
my_trigger(const fy_plan *plan, fy_sync_event ev)
{
	assert_int_equal(plan->nstmts, 6);
	assert_non_null(strstr(plan->stmts[2 * ev].sql, "DROP TRIGGER IF EXISTS `legacy`.`ferry_sync_7_"));
	return plan->stmts[2 * ev + 1].sql;
}

static void
mariadb_triggers_run_migrate_narrowed_to_the_row(void **state)
{
	fy_phase   *ph = phase(SPEC(""));
	fy_meta    *m = meta();
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_sync_triggers(ph, m, 9, &err);
	const char *sql;

	(void) state;
	assert_non_null(plan);
	sql = my_trigger(plan, FY_SYNC_INSERT);
	assert_non_null(strstr(sql, "CREATE TRIGGER `legacy`.`ferry_sync_7_insert` AFTER INSERT ON `legacy`.`invitations` FOR EACH ROW BEGIN "));
	/* the phase's row first, so firings queue before reading the map (no gap-lock deadlock) */
	assert_non_null(strstr(sql, "FOR EACH ROW BEGIN UPDATE `ferry`.phases SET last_synced_at = NOW(6) WHERE id = 7; IF EXISTS (SELECT 1 FROM "));
	/* the refused ref raises before anything else is written (the statement's writes are undone), with migrate's words */
	assert_non_null(strstr(sql, "THEN BEGIN DECLARE ferry_msg TEXT DEFAULT 'phase \"invites\": column \"wedding\": 1 source rows hold a legacy key that phase \"weddings\" never migrated'; "
						   "SIGNAL SQLSTATE '23503' SET MESSAGE_TEXT = ferry_msg; END; END IF; "
						   "DELETE FROM `ferry`.migration_rejects WHERE phase_id = 7 AND legacy_key IN (JSON_OBJECT('id', NEW.`id`)); "));
	/* every read of the source is the row's key alone, NULL-safe */
	assert_non_null(strstr(sql, "AND (s.`id` <=> NEW.`id`)"));
	assert_null(strstr(sql, "OLD."));
	/* an unmapped key is migrated by migrate's statements, tagged with the sync's run */
	assert_non_null(strstr(sql, "IF NOT EXISTS (SELECT 1 FROM `ferry`.`map_7` AS m WHERE m.`legacy_1` <=> NEW.`id`) THEN INSERT INTO `ferry`.migration_rejects"));
	assert_non_null(strstr(sql, "SELECT ferry_key_1, ferry_new_key, 9, NULL FROM"));
	assert_non_null(strstr(sql, "WHERE m.run_id = 9) AS s; END IF; UPDATE `ferry`.`map_7` AS m JOIN `app`.`events` AS t ON t.`id` = m.new_key SET m.row_hash = "));
	/* the row's content hash is read back from the stored row, whatever run mapped it */
	assert_non_null(strstr(sql, " WHERE TRUE AND (m.`legacy_1` <=> NEW.`id`); END"));
	/* no guard or count of a whole run */
	assert_null(strstr(sql, "count(*) AS source_rows"));
	assert_null(strstr(sql, "WHERE phase_id = 7;"));
	/* an update takes the old key out only when no accepted row has it now */
	sql = my_trigger(plan, FY_SYNC_UPDATE);
	assert_non_null(strstr(sql, "legacy_key IN (JSON_OBJECT('id', NEW.`id`), JSON_OBJECT('id', OLD.`id`))"));
	assert_non_null(strstr(sql, "DELETE t, m FROM `ferry`.`map_7` AS m LEFT JOIN `app`.`events` AS t ON t.`id` = m.new_key WHERE m.`legacy_1` <=> OLD.`id` AND NOT EXISTS (SELECT 1 FROM (SELECT v.*, "));
	assert_non_null(strstr(sql, "UPDATE `ferry`.`map_7` AS m JOIN `app`.`events` AS t ON t.`id` = m.new_key JOIN (SELECT v.*, "));
	assert_non_null(strstr(sql, "SET t.`budget` = c.ferry_c_1, t.`location` = c.ferry_c_2, t.`shout` = c.ferry_c_3, t.`status` = c.ferry_c_4, t.`title` = c.ferry_c_5, t.`wedding` = c.ferry_c_6 WHERE c.ferry_reason IS NULL"));
	sql = my_trigger(plan, FY_SYNC_DELETE);
	assert_non_null(strstr(sql, "AFTER DELETE ON `legacy`.`invitations` FOR EACH ROW BEGIN UPDATE `ferry`.phases SET last_synced_at = NOW(6) WHERE id = 7; "
						   "DELETE FROM `ferry`.migration_rejects WHERE phase_id = 7 AND legacy_key IN (JSON_OBJECT('id', OLD.`id`)); "
						   "DELETE t, m FROM `ferry`.`map_7` AS m LEFT JOIN `app`.`events` AS t ON t.`id` = m.new_key WHERE m.`legacy_1` <=> OLD.`id`; END"));
	assert_null(strstr(sql, "NEW."));
	fy_plan_free(plan);
	fy_phase_free(ph);

	/* soft marks (once) and revives; keep writes nothing for a delete */
	ph = phase(SPEC(", \"on_source_delete\": \"soft\""));
	plan = fy_plan_sync_triggers(ph, m, 9, &err);
	assert_non_null(plan);
	assert_non_null(strstr(my_trigger(plan, FY_SYNC_DELETE),
						   "UPDATE `ferry`.`map_7` AS m JOIN `app`.`events` AS t ON t.`id` = m.new_key SET t.`deleted_at` = CURRENT_TIMESTAMP "
						   "WHERE m.`legacy_1` <=> OLD.`id` AND t.`deleted_at` IS NULL; "));
	assert_non_null(strstr(my_trigger(plan, FY_SYNC_UPDATE), ", t.`deleted_at` = NULL WHERE c.ferry_reason IS NULL"));
	fy_plan_free(plan);
	fy_phase_free(ph);
	ph = phase(SPEC(", \"on_source_delete\": \"keep\""));
	plan = fy_plan_sync_triggers(ph, m, 9, &err);
	assert_non_null(plan);
	assert_non_null(strstr(my_trigger(plan, FY_SYNC_DELETE),
						   "FOR EACH ROW BEGIN UPDATE `ferry`.phases SET last_synced_at = NOW(6) WHERE id = 7; DELETE FROM `ferry`.migration_rejects WHERE phase_id = 7 AND legacy_key IN (JSON_OBJECT('id', OLD.`id`)); END"));
	fy_plan_free(plan);
	fy_phase_free(ph);

	/* merge_on: each key the row had leaves its group, which is recomputed, then joins one */
	ph = phase("{\"source\": \"legacy.invitations\", \"target\": \"app.events\", \"merge_on\": [\"couple\"], "
			   "\"on_source_delete\": \"keep\", \"columns\": {\"title\": {\"from\": \"couple\", \"merge\": \"max\"}}}");
	plan = fy_plan_sync_triggers(ph, m, 9, &err);
	assert_non_null(plan);
	sql = my_trigger(plan, FY_SYNC_UPDATE);
	assert_non_null(strstr(sql, "BEGIN DECLARE ferry_group uuid DEFAULT (SELECT m.new_key FROM `ferry`.`map_7` AS m WHERE m.`legacy_1` <=> OLD.`id`); "
						   "DECLARE ferry_held BOOLEAN DEFAULT TRUE; DELETE m FROM `ferry`.`map_7` AS m WHERE m.`legacy_1` <=> OLD.`id` AND ferry_held; UPDATE `app`.`events` AS t JOIN "));
	assert_non_null(strstr(sql, "IN (SELECT (CASE WHEN OLD.`couple` IS NULL THEN JSON_ARRAY('k', OLD.`id`) ELSE JSON_ARRAY('g', OLD.`couple`) END) COLLATE utf8mb4_bin)"));
	assert_non_null(strstr(sql, "IF NOT EXISTS (SELECT 1 FROM `ferry`.`map_7` AS m WHERE m.`legacy_1` <=> NEW.`id`) THEN "));
	/* keep: a deleted row that was its group's last stays mapped; the row stays */
	sql = my_trigger(plan, FY_SYNC_DELETE);
	assert_non_null(strstr(sql, "DECLARE ferry_held BOOLEAN DEFAULT EXISTS (SELECT 1 FROM `ferry`.`map_7` AS o JOIN `legacy`.`invitations` AS s ON o.`legacy_1` = s.`id` WHERE o.new_key = ferry_group);"));
	assert_null(strstr(sql, "DELETE t FROM"));
	assert_null(strstr(sql, "NEW."));
	fy_plan_free(plan);
	fy_phase_free(ph);
	fy_meta_free(m);
}

static void
merge_sync_recomputes_the_groups_the_statement_touched(void **state)
{
	const char *spec = "{\"source\": \"legacy.invitations\", \"target\": \"app.events\", \"merge_on\": [\"couple\"], "
		"\"on_source_delete\": \"keep\", \"columns\": {\"title\": {\"from\": \"couple\", \"merge\": \"max\"}}}";
	static const char *const fragments[] = {
		/* the groups of the old and the new rows, from the source table itself */
		"ferry_g AS (SELECT CASE WHEN s.\"couple\" IS NULL",
		"FROM \"legacy\".\"invitations\" AS s WHERE TRUE AND CASE WHEN",
		"IN (SELECT ferry_gid FROM ferry_g)",
		/* a group keeps its row; the touched keys are moved, mapped with the run, or taken out */
		"ferry_groups AS MATERIALIZED (SELECT g.*, COALESCE(k.new_key, g.ferry_first_key) AS ferry_group_key",
		"max(o.ferry_c_1) AS ferry_c_1 FROM ferry_members AS o GROUP BY o.ferry_gid",
		"SET new_key = p.ferry_group_key, run_id = 9 FROM ferry_placed AS p",
		"new_key, run_id, row_hash) SELECT ferry_key_1, ferry_group_key, 9, NULL FROM (SELECT * FROM ferry_placed WHERE ferry_mapped IS NULL) AS r",
		"ferry_written AS (INSERT INTO \"app\".\"events\" (\"id\", \"title\") SELECT g.ferry_group_key, g.ferry_c_1 FROM ferry_groups AS g WHERE NOT g.ferry_exists RETURNING 1)",
		/* keep: a row no group holds stays, and so do the map entries of its deleted rows */
		"AND (m.new_key NOT IN (SELECT new_key FROM ferry_gone_rows) OR EXISTS",
		"ferry_removed AS (SELECT 1 WHERE FALSE)",
		"ferry_updated AS (UPDATE \"app\".\"events\" AS t SET \"title\" = x.ferry_c_1 FROM ferry_groups AS x WHERE x.ferry_exists",
	};
	fy_plan    *plan;
	const char *sql;

	(void) state;
	for (int ev = FY_SYNC_INSERT; ev <= FY_SYNC_DELETE; ev++)
	{
		plan = sync_plan(spec, (fy_sync_event) ev);
		/* forget the statement's rejects, then one statement: no migrate after it */
		assert_int_equal(plan->nstmts, 2);
		assert_int_equal(plan->stmts[1].role, FY_ROLE_MIGRATE);
		sql = plan->stmts[1].sql;
		/* the groups of the old and the new rows, from the source table itself */
		assert_true((strstr(sql, "FROM \"ferry_new\" AS s") != NULL) == (ev != FY_SYNC_DELETE));
		assert_true((strstr(sql, "FROM \"ferry_old\" AS s") != NULL) == (ev != FY_SYNC_INSERT));
		for (size_t i = 0; i < sizeof(fragments) / sizeof(fragments[0]); i++)
			if (strstr(sql, fragments[i]) == NULL)
				fail_msg("event %d: no \"%s\" in %s", ev, fragments[i], sql);
		fy_plan_free(plan);
	}
	plan = sync_plan("{\"source\": \"legacy.invitations\", \"target\": \"app.events\", \"merge_on\": [\"couple\"], "
					 "\"columns\": {\"title\": \"couple\"}}", FY_SYNC_DELETE);
	sql = plan->stmts[1].sql;
	assert_null(strstr(sql, "ferry_gone_rows) OR EXISTS"));
	assert_non_null(strstr(sql, "ferry_removed AS (DELETE FROM \"app\".\"events\" AS t USING ferry_gone_rows AS u WHERE t.\"id\" = u.new_key RETURNING 1)"));
	fy_plan_free(plan);
}

static void
compat_view_inverts_the_spec_column_by_column(void **state)
{
	fy_phase   *ph = phase(SPEC(""));
	fy_meta    *m = meta();
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_compat_view(ph, m, FY_POSTGRES, "legacy.\"Invitations Compat\"", &err);
	const char *sql;

	(void) state;
	assert_non_null(plan);
	assert_int_equal(plan->nstmts, 1 + 7);
	sql = plan->stmts[0].sql;
	assert_non_null(strstr(sql, "CREATE VIEW \"legacy\".\"Invitations Compat\" AS SELECT CAST(m.\"legacy_1\" AS bigint) AS \"id\", "
						   "CAST(t.\"title\" AS text) AS \"couple\", "
						   "CAST(CASE CAST(t.\"status\" AS text) WHEN 'published' THEN 'p' WHEN 'draft' THEN 'd' ELSE CAST(t.\"status\" AS text) END AS text) AS \"status\", "
						   "CAST((CAST(t.\"location\" AS jsonb) -> 'venue') #>> '{}' AS text) AS \"venue\", "
						   "CAST(round(((t.\"budget\")) * 100)::bigint AS bigint) AS \"cents\", "
						   "CAST(NULL AS text) AS \"note\", "
						   "CAST((SELECT r.\"legacy_1\" FROM \"ferry\".\"map_3\" AS r WHERE r.new_key = t.\"wedding\") AS bigint) AS \"wedding_id\" "
						   "FROM \"app\".\"events\" AS t JOIN \"ferry\".\"map_7\" AS m ON m.new_key = t.\"id\""));
	/* one comment per column; the NULL one says why, for the NOTICE */
	assert_string_equal(plan->stmts[6].sql,
						"COMMENT ON COLUMN \"legacy\".\"Invitations Compat\".\"note\" IS "
						"'ferry: NULL, not computed back from the target: used only in a sql expression, which has no inverse'");
	assert_string_equal(plan->stmts[6].check, "left_out");
	assert_string_equal(plan->stmts[6].label, "note");
	assert_null(plan->stmts[2].check);
	assert_non_null(strstr(plan->stmts[3].sql, "'ferry: from target column \"status\" (map, reversed)'"));
	fy_plan_free(plan);
	/* MariaDB: JSON paths, a byte-compared reversed map, no CAST to the legacy type, a SELECT per column */
	plan = fy_plan_compat_view(ph, m, FY_MARIADB, "legacy.v", &err);
	assert_non_null(plan);
	assert_int_equal(plan->nstmts, 1 + 7);
	sql = plan->stmts[0].sql;
	assert_non_null(strstr(sql, "CREATE VIEW `legacy`.`v` AS SELECT m.`legacy_1` AS `id`, t.`title` AS `couple`, "
						   "CASE CAST(CONVERT(t.`status` USING utf8mb4) AS BINARY) WHEN 'published' THEN 'p' WHEN 'draft' THEN 'd' ELSE CONVERT(t.`status` USING utf8mb4) END AS `status`, "
						   "JSON_VALUE(JSON_EXTRACT(t.`location`, '$.\"venue\"'), '$') AS `venue`, "));
	assert_non_null(strstr(sql, "NULL AS `note`, (SELECT r.`legacy_1` FROM `ferry`.`map_3` AS r WHERE r.new_key = t.`wedding`) AS `wedding_id` "
						   "FROM `app`.`events` AS t JOIN `ferry`.`map_7` AS m ON m.new_key = t.`id`"));
	assert_string_equal(plan->stmts[6].sql, "SELECT 'note' AS column_name, "
						"'ferry: NULL, not computed back from the target: used only in a sql expression, which has no inverse' AS comes_from");
	assert_int_equal(plan->stmts[6].role, FY_ROLE_PROBE);
	assert_string_equal(plan->stmts[6].check, "left_out");
	fy_plan_free(plan);
	fy_phase_free(ph);
	ph = phase("{\"source\": \"legacy.invitations\", \"target\": \"app.events\", \"merge_on\": [\"couple\"], \"columns\": {\"title\": \"couple\"}}");
	memset(&err, 0, sizeof(err));
	assert_null(fy_plan_compat_view(ph, m, FY_POSTGRES, "v", &err));
	assert_int_equal(err.code, FY_ERR_NOT_SUPPORTED);
	fy_phase_free(ph);
	fy_meta_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(on_source_delete_is_parsed_and_refused_when_unknown),
		cmocka_unit_test(insert_forgets_the_rejects_of_the_new_keys_only),
		cmocka_unit_test(insert_revives_kept_rows_when_deletes_do_not_delete),
		cmocka_unit_test(update_recomputes_in_place_and_takes_out_the_rest),
		cmocka_unit_test(update_in_soft_mode_marks_and_unmaps_only_refused_rows),
		cmocka_unit_test(delete_follows_on_source_delete),
		cmocka_unit_test(the_transition_table_stands_in_for_the_source_of_migrate),
		cmocka_unit_test(sync_is_refused_for_what_it_cannot_carry),
		cmocka_unit_test(merge_sync_recomputes_the_groups_the_statement_touched),
		cmocka_unit_test(compat_view_inverts_the_spec_column_by_column),
		cmocka_unit_test(mariadb_triggers_run_migrate_narrowed_to_the_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
