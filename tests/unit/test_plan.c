/* test_plan.c -- the planner: the statements it writes for each dialect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

static const char *META =
"{\"catalog_schema\": \"ferry\", \"func_schema\": \"public\", \"phase_id\": 7,"
" \"source\": {\"schema\": \"legacy\", \"name\": \"Order Items\", \"columns\": ["
"   {\"name\": \"id\", \"type\": \"bigint\", \"notnull\": true},"
"   {\"name\": \"na`me\", \"type\": \"text\"}, {\"name\": \"st\\\"at\", \"type\": \"text\"}]},"
" \"target\": {\"schema\": \"app\", \"name\": \"items\", \"columns\": ["
"   {\"name\": \"id\", \"type\": \"uuid\", \"notnull\": true},"
"   {\"name\": \"title\", \"type\": \"text\"}, {\"name\": \"status\", \"type\": \"character varying(10)\"},"
"   {\"name\": \"doc\", \"type\": \"jsonb\"}, {\"name\": \"legacy_id\", \"type\": \"bigint\"}]}}";

static const char *SPEC =
"{\"source\": \"legacy.\\\"Order Items\\\"\", \"target\": \"app.items\", \"legacy_column\": \"legacy_id\","
" \"columns\": {\"title\": \"na`me\", \"status\": {\"from\": \"st\\\"at\", \"map\": {\"a\": \"b\"}, \"default\": \"z\"},"
"   \"doc\": {\"json\": {\"k\": {\"const\": true}, \"q\": {\"const\": \"it's\"}}}},"
" \"where\": \"id > 0\"}";

typedef struct fixture
{
	fy_phase   *phase;
	fy_meta    *meta;
} fixture;

static int
setup(void **state)
{
	static fixture f;
	fy_error	err = {0};

	f.phase = fy_phase_parse("items", SPEC, &err);
	assert_non_null(f.phase);
	f.meta = fy_meta_parse(META, &err);
	assert_non_null(f.meta);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	fixture    *f = *state;

	fy_phase_free(f->phase);
	fy_meta_free(f->meta);
	return 0;
}

static fy_plan *
plan_migrate(fixture *f, fy_dialect d)
{
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_migrate(f->phase, f->meta, d, 42, &err);

	if (plan == NULL)
		fail_msg("%s", err.message);
	return plan;
}

static void
migrate_on_postgres_is_one_statement_between_rejects_and_count(void **state)
{
	fy_plan    *plan = plan_migrate(*state, FY_POSTGRES);

	assert_int_equal(plan->nstmts, 3);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_CLEAR_REJECTS);
	assert_string_equal(plan->stmts[0].sql, "DELETE FROM \"ferry\".migration_rejects WHERE phase_id = 7");
	assert_int_equal(plan->stmts[1].role, FY_ROLE_MIGRATE);
	assert_int_equal(plan->stmts[2].role, FY_ROLE_COUNT);
	fy_plan_free(plan);
}

static void
migrate_on_mariadb_rejects_then_maps_then_writes_then_counts(void **state)
{
	fy_plan    *plan = plan_migrate(*state, FY_MARIADB);
	const char *rej;

	assert_int_equal(plan->nstmts, 6);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_CLEAR_REJECTS);
	assert_int_equal(plan->stmts[1].role, FY_ROLE_REJECT);
	assert_int_equal(plan->stmts[2].role, FY_ROLE_MAP);
	assert_int_equal(plan->stmts[3].role, FY_ROLE_INSERT);
	assert_int_equal(plan->stmts[4].role, FY_ROLE_HASH);
	assert_int_equal(plan->stmts[5].role, FY_ROLE_COUNT);
	/* both judge the same pending rows; the map takes those with no reason */
	rej = plan->stmts[1].sql;
	assert_non_null(strstr(rej, "INSERT INTO `ferry`.migration_rejects"));
	assert_non_null(strstr(rej, "JSON_OBJECT('id', ferry_key_1), ferry_reason, ferry_src FROM"));
	assert_non_null(strstr(rej, "WHEN v.ferry_key_1 IS NULL THEN"));
	assert_non_null(strstr(rej, "WHERE ferry_reason IS NOT NULL"));
	assert_null(strstr(rej, "RETURNING"));
	assert_non_null(strstr(plan->stmts[2].sql, ") AS ferry_cand WHERE ferry_reason IS NULL"));
	assert_non_null(strstr(plan->stmts[3].sql, "WHERE m.run_id = 42) AS s"));
	/* the hash is read back from the rows as stored, the run's rows only */
	assert_string_equal(plan->stmts[4].sql,
						"UPDATE `ferry`.`map_7` AS m JOIN `app`.`items` AS t ON t.`id` = m.new_key"
						" SET m.row_hash = ferry_content_hash(t.`doc`, t.`status`, t.`title`)"
						" WHERE m.run_id = 42");
	assert_string_equal(fy_role_name(FY_ROLE_HASH), "hash");
	fy_plan_free(plan);
}

static void
postgres_statements_quote_every_identifier_with_double_quotes(void **state)
{
	fy_plan    *plan = plan_migrate(*state, FY_POSTGRES);
	const char *sql = plan->stmts[1].sql;

	assert_non_null(strstr(sql, "INSERT INTO \"ferry\".\"map_7\" (\"legacy_1\", new_key, run_id, row_hash)"));
	/* the map keeps the content hash of the row as written, in target types */
	assert_non_null(strstr(sql, "\"ferry\".content_hash(ROW(CAST(ferry_c_1 AS jsonb), CAST(ferry_c_2 AS character varying(10)), CAST(ferry_c_3 AS text)))"));
	assert_non_null(strstr(sql, "FROM \"legacy\".\"Order Items\" AS s"));
	assert_non_null(strstr(sql, "\"public\".uuid_v5('"));
	assert_non_null(strstr(sql, "s.\"id\"::text"));
	assert_non_null(strstr(sql, " AS text))) FROM ferry_cand WHERE ferry_reason IS NULL"));
	assert_non_null(strstr(sql, "SELECT ferry_key_1, ferry_new_key, 42, "));
	assert_non_null(strstr(sql, "AND (id > 0)"));
	assert_non_null(strstr(sql, "INSERT INTO \"app\".\"items\" (\"id\", \"legacy_id\", \"doc\", \"status\", \"title\")"));
	assert_non_null(strstr(sql, "s.\"na`me\""));
	assert_non_null(strstr(sql, "CASE s.\"st\"\"at\" WHEN 'a' THEN 'b' ELSE 'z' END AS character varying(10))"));
	assert_non_null(strstr(sql, "jsonb_build_object('k', TRUE, 'q', 'it''s')"));
	/* a NULL key and a NULL for a NOT NULL column are rejected with a reason */
	assert_non_null(strstr(sql, "WHEN v.ferry_key_1 IS NULL THEN 'source key is NULL'"));
	assert_non_null(strstr(sql, "jsonb_build_object('id', ferry_key_1), ferry_reason, to_jsonb(ferry_src)"));
	fy_plan_free(plan);
}

static void
mariadb_statements_quote_with_backticks_and_hex_literals(void **state)
{
	fy_plan    *plan = plan_migrate(*state, FY_MARIADB);
	const char *map = plan->stmts[2].sql;
	const char *ins = plan->stmts[3].sql;

	assert_non_null(strstr(map, "INSERT INTO `ferry`.`map_7`"));
	assert_non_null(strstr(map, "FROM `legacy`.`Order Items` AS s"));
	assert_non_null(strstr(map, "CONVERT(uuid_v5('"));
	assert_null(strstr(map, "`public`"));
	assert_non_null(strstr(map, "CAST(s.`id` AS CHAR)"));
	assert_non_null(strstr(ins, "s.`na``me`"));
	assert_non_null(strstr(ins, "CASE CAST((s.`st\"at`) AS BINARY) WHEN 'a' THEN 'b' ELSE 'z' END"));
	assert_null(strstr(ins, "CAST(CASE"));
	/* a quote inside a literal goes as hex; JSON true stays JSON true */
	assert_non_null(strstr(ins, "JSON_OBJECT('k', JSON_EXTRACT('true', '$'), 'q', CONVERT(X'69742773' USING utf8mb4))"));
	fy_plan_free(plan);
}

static void
the_v5_namespace_in_the_plan_is_the_phase_namespace(void **state)
{
	fy_plan    *plan = plan_migrate(*state, FY_POSTGRES);
	fy_uuid		ns;
	char		text[37];

	fy_uuid_phase_namespace("items", &ns);
	fy_uuid_format(&ns, text);
	assert_non_null(strstr(plan->stmts[1].sql, text));
	fy_plan_free(plan);
}

static void
define_creates_a_typed_map_keyed_both_ways(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_define(f->phase, f->meta, FY_MARIADB, &err);

	assert_non_null(plan);
	assert_int_equal(plan->nstmts, 2);
	assert_string_equal(plan->stmts[0].sql,
						"CREATE TABLE `ferry`.`map_7` (`legacy_1` bigint NOT NULL, new_key uuid NOT NULL, "
						"run_id bigint NOT NULL, row_hash bigint, PRIMARY KEY (`legacy_1`)) ENGINE=InnoDB");
	assert_string_equal(plan->stmts[1].sql,
						"CREATE INDEX `map_7_new_key` ON `ferry`.`map_7` (new_key)");
	fy_plan_free(plan);
}

static void
a_first_run_rebuilds_the_new_key_index_and_analyzes_the_map(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *before = fy_plan_map_bulk(f->phase, f->meta, FY_POSTGRES, false, &err);
	fy_plan    *after = fy_plan_map_bulk(f->phase, f->meta, FY_POSTGRES, true, &err);
	fy_plan    *my = fy_plan_map_bulk(f->phase, f->meta, FY_MARIADB, true, &err);

	assert_int_equal(before->nstmts, 1);
	assert_string_equal(before->stmts[0].sql, "DROP INDEX \"ferry\".\"map_7_new_key\"");
	assert_int_equal(after->nstmts, 2);
	assert_string_equal(after->stmts[0].sql, "CREATE INDEX \"map_7_new_key\" ON \"ferry\".\"map_7\" (new_key)");
	assert_string_equal(after->stmts[1].sql, "ANALYZE \"ferry\".\"map_7\"");
	assert_int_equal(my->nstmts, 0);
	fy_plan_free(before);
	fy_plan_free(after);
	fy_plan_free(my);
}

static void
a_map_of_0_1_is_rehashed_only_where_its_text_hash_still_matches(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *pg = fy_plan_rehash(f->phase, f->meta, FY_POSTGRES, &err);
	fy_plan    *my = fy_plan_rehash(f->phase, f->meta, FY_MARIADB, &err);
	const char *sql;

	assert_int_equal(pg->nstmts, 1);
	sql = pg->stmts[0].sql;
	assert_non_null(strstr(sql, "UPDATE \"ferry\".\"map_7\" AS m SET row_hash = \"ferry\".content_hash(ROW(t.\"doc\", "));
	assert_non_null(strstr(sql, " FROM \"app\".\"items\" AS t WHERE t.\"id\" = m.new_key AND m.row_hash = \"ferry\".row_hash(ROW(t.\"doc\", "));
	assert_non_null(strstr(sql, ")::text)"));
	assert_int_equal(my->nstmts, 0);
	fy_plan_free(pg);
	fy_plan_free(my);
}

/*
 * rollback's drift guard is validation's content_unchanged check refusing:
 * one wording on both engines, each naming its own call that forces it.
 */
static void
the_drift_guard_refuses_with_the_keys_and_the_call_that_forces_it(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *pg = fy_plan_drift(f->phase, f->meta, FY_POSTGRES, &err);
	fy_plan    *my = fy_plan_drift(f->phase, f->meta, FY_MARIADB, &err);

	assert_non_null(pg);
	assert_non_null(my);
	assert_int_equal(my->nstmts, 1);
	assert_string_equal(my->stmts[0].check, "content_unchanged");
	assert_string_equal(my->stmts[0].severity, "ERROR");
	assert_true(fy_assert_verdict("items", &my->stmts[0], 0, NULL, &err));
	assert_false(fy_assert_verdict("items", &my->stmts[0], 2, "1, 5", &err));
	assert_int_equal(err.code, FY_ERR_PHASE_STATE);
	assert_string_equal(err.message, "phase \"items\": 2 target rows were changed after the migration wrote them");
	assert_string_equal(err.detail, "Their legacy keys begin: 1, 5.");
	assert_string_equal(err.hint, "Rolling back would lose those changes; CALL rollback_migration_ex('items', FALSE, TRUE) does it anyway.");
	memset(&err, 0, sizeof(err));
	assert_false(fy_assert_verdict("items", &pg->stmts[0], 1, "1", &err));
	assert_string_equal(err.hint, "Rolling back would lose those changes; rollback_migration('items', force => true) does it anyway.");
	fy_plan_free(pg);
	fy_plan_free(my);
}

/*
 * An update phase on MariaDB: the journal's INSERT (counted as the rows
 * written) comes before the UPDATE, which sets the values computed in its
 * derived table; rollback restores through a multi-table UPDATE.
 */
static void
a_mariadb_update_phase_journals_then_updates_and_restores_by_join(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("items", "{\"kind\": \"update\", \"source\": \"legacy.\\\"Order Items\\\"\","
									" \"target\": \"app.items\", \"target_key\": \"id\", \"columns\": {\"title\": \"na`me\"}}", &err);
	fy_plan    *plan;
	const fy_role roles[] = {FY_ROLE_CLEAR_REJECTS, FY_ROLE_REJECT, FY_ROLE_MAP, FY_ROLE_INSERT,
	FY_ROLE_UPDATE, FY_ROLE_HASH, FY_ROLE_COUNT};

	if (ph == NULL)
		fail_msg("%s", err.message);
	plan = fy_plan_migrate(ph, f->meta, FY_MARIADB, 9, &err);
	assert_non_null(plan);
	assert_int_equal(plan->nstmts, 7);
	for (int i = 0; i < plan->nstmts; i++)
		assert_int_equal(plan->stmts[i].role, roles[i]);
	assert_non_null(strstr(plan->stmts[2].sql, "SELECT ferry_key_1, ferry_target, 9, NULL FROM"));
	assert_string_equal(plan->stmts[3].sql,
						"INSERT INTO `ferry`.`journal_7` SELECT t.`id`, t.`title`, 9 FROM `app`.`items` AS t"
						" JOIN `ferry`.`map_7` AS m ON t.`id` = m.new_key WHERE m.run_id = 9");
	assert_non_null(strstr(plan->stmts[4].sql, "UPDATE `app`.`items` AS t JOIN (SELECT m.new_key AS ferry_new_key, "));
	assert_non_null(strstr(plan->stmts[4].sql, ") AS c ON t.`id` = c.ferry_new_key SET t.`title` = c.ferry_c_1"));
	fy_plan_free(plan);
	plan = fy_plan_rollback(ph, f->meta, FY_MARIADB, &err);
	assert_non_null(plan);
	assert_string_equal(plan->stmts[0].sql,
						"UPDATE `app`.`items` AS t JOIN `ferry`.`journal_7` AS j ON t.`id` = j.`id` SET t.`title` = j.`title`");
	fy_plan_free(plan);
	plan = fy_plan_define(ph, f->meta, FY_MARIADB, &err);
	assert_non_null(plan);
	assert_non_null(strstr(plan->stmts[plan->nstmts - 1].sql,
						   "CREATE TABLE `ferry`.`journal_7` ENGINE=InnoDB AS SELECT t.`id`, t.`title`, CAST(0 AS SIGNED) AS run_id FROM `app`.`items` AS t LIMIT 0"));
	fy_plan_free(plan);
	fy_phase_free(ph);
}

static void
rollback_deletes_only_mapped_rows_then_the_map(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *pg = fy_plan_rollback(f->phase, f->meta, FY_POSTGRES, &err);
	fy_plan    *my = fy_plan_rollback(f->phase, f->meta, FY_MARIADB, &err);

	assert_string_equal(pg->stmts[0].sql,
						"DELETE FROM \"app\".\"items\" AS t USING \"ferry\".\"map_7\" AS m WHERE t.\"id\" = m.new_key");
	assert_string_equal(pg->stmts[1].sql, "DELETE FROM \"ferry\".\"map_7\"");
	assert_string_equal(my->stmts[0].sql,
						"DELETE t FROM `app`.`items` AS t JOIN `ferry`.`map_7` AS m ON t.`id` = m.new_key");
	fy_plan_free(pg);
	fy_plan_free(my);
}

static void
accounting_counts_filtered_rows_through_the_declared_where(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_accounting(f->phase, f->meta, FY_POSTGRES, 0, &err);

	assert_int_equal(plan->nstmts, 1);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_COUNT);
	assert_non_null(strstr(plan->stmts[0].sql, "(SELECT s.*, (id > 0) AS ferry_pass FROM"));
	assert_non_null(strstr(plan->stmts[0].sql, "NOT COALESCE(s.ferry_pass, FALSE)"));
	fy_plan_free(plan);
}

static void
an_unknown_column_is_named_with_its_table(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {\"title\": \"nope\"}}", &err);

	assert_non_null(ph);
	assert_null(fy_plan_migrate(ph, f->meta, FY_POSTGRES, 1, &err));
	assert_int_equal(err.code, FY_ERR_UNDEFINED_COLUMN);
	assert_non_null(strstr(err.message, "source column \"nope\""));
	assert_non_null(strstr(err.message, "legacy.Order Items"));
	assert_non_null(strstr(err.hint, "na`me"));
	fy_phase_free(ph);
}

static void
plans_and_errors_render_as_json_for_mariadb(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_rollback(f->phase, f->meta, FY_MARIADB, &err);
	char	   *json = fy_plan_json(plan);
	char	   *ej;

	assert_non_null(strstr(json, "{\"statements\":[{\"role\":\"delete_target\",\"sql\":\"DELETE t FROM"));
	fy_release(json);
	fy_plan_free(plan);
	fy_fail(&err, FY_ERR_UNDEFINED_TABLE, "phase \"%s\": no table", "x");
	ej = fy_error_json(&err);
	assert_string_equal(ej, "{\"error\":{\"sqlstate\":\"42P01\",\"message\":\"phase \\\"x\\\": no table\",\"detail\":\"\",\"hint\":\"\"}}");
	fy_release(ej);
}

static void
metadata_json_that_is_incomplete_is_refused(void **state)
{
	fy_error	err = {0};

	(void) state;
	assert_null(fy_meta_parse("{\"catalog_schema\": \"ferry\"}", &err));
	assert_int_equal(err.code, FY_ERR_INVALID_JSON);
	memset(&err, 0, sizeof(err));
	assert_null(fy_meta_parse("not json", &err));
	memset(&err, 0, sizeof(err));
	assert_null(fy_meta_parse("{\"catalog_schema\": \"ferry\", \"phase_id\": 1, \"source\": {\"columns\": [{\"name\": 1}]}, \"target\": {}}", &err));
	memset(&err, 0, sizeof(err));
	assert_null(fy_meta_parse(NULL, &err));
	assert_int_equal(err.code, FY_ERR_NULL_ARGUMENT);
	/* numbers out of range are refused, not converted (undefined behaviour) */
	memset(&err, 0, sizeof(err));
	assert_null(fy_meta_parse("{\"catalog_schema\": \"ferry\", \"phase_id\": 1e300, \"source\": {}, \"target\": {}}", &err));
	assert_int_equal(err.code, FY_ERR_INVALID_JSON);
}

static void
accounting_passes_only_when_every_source_row_is_accounted_for(void **state)
{
	fy_check	c[FY_ACCOUNTING_CHECKS];
	fy_counts	ok = {.source_rows = 2000, .migrated = 1950, .filtered = 40, .rejected = 10};
	fy_counts	bad = {.source_rows = 2001, .migrated = 1960, .filtered = 40, .orphans = 3};
	char	   *json;

	(void) state;
	assert_int_equal(fy_accounting_checks("w", &ok, c), 2);
	assert_string_equal(c[0].name, "row_accounting");
	assert_string_equal(c[0].status, "PASS");
	assert_string_equal(c[0].details, "source 2000 = migrated 1950 + merged 0 + filtered 40 + rejected 10");
	assert_string_equal(c[1].name, "source_rows_gone");
	assert_string_equal(c[1].status, "PASS");
	fy_accounting_checks("w", &bad, c);
	assert_string_equal(c[0].status, "FAIL");
	assert_string_equal(c[0].details, "source 2001 = migrated 1960 + merged 0 + filtered 40 + rejected 0 + 1 neither migrated, filtered nor rejected (run migrate_phase('w'))");
	assert_string_equal(c[1].status, "WARN");
	json = fy_checks_json("w", c, 1);
	assert_string_equal(json, "[{\"phase\":\"w\",\"check_name\":\"row_accounting\",\"status\":\"FAIL\","
						"\"details\":\"source 2001 = migrated 1960 + merged 0 + filtered 40 + rejected 0 + 1 neither migrated, filtered nor rejected (run migrate_phase('w'))\"}]");
	fy_release(json);
}

static void
validation_plans_one_check_statement_each_with_its_label(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("items", "{\"source\": \"legacy.\\\"Order Items\\\"\", \"target\": \"app.items\","
									" \"legacy_column\": \"legacy_id\", \"columns\": {\"title\": \"na`me\"},"
									" \"required\": [\"title\"], \"unique\": [\"title\", [\"title\", \"status\"]],"
									" \"aggregates\": [{\"name\": \"rows\", \"source\": \"count(*)\", \"target\": \"count(*)\"}],"
									" \"checks\": [{\"name\": \"titled\", \"sql\": \"SELECT true\"}]}", &err);
	fy_plan    *pg;
	fy_check	v;
	const char *expect[] = {"rejected_rows", "target_rows_present", "legacy_keys_once", "required",
	"unique", "unique", "aggregates", "content_roundtrip", "content_unchanged", "checks"};

	if (ph == NULL)
		fail_msg("%s", err.message);
	pg = fy_plan_validate(ph, f->meta, FY_POSTGRES, &err);
	assert_non_null(pg);
	assert_int_equal(pg->nstmts, 10);
	for (int i = 0; i < pg->nstmts; i++)
		assert_string_equal(pg->stmts[i].check, expect[i]);
	assert_string_equal(pg->stmts[5].label, "title, status");
	assert_non_null(strstr(pg->stmts[7].sql, "(CAST(v.ferry_c_1 AS text)) IS DISTINCT FROM (t.\"title\")"));
	fy_validate_verdict(&pg->stmts[3], 0, &v);
	assert_string_equal(v.status, "PASS");
	fy_validate_verdict(&pg->stmts[3], 2, &v);
	assert_string_equal(v.status, "FAIL");
	assert_string_equal(v.details, "title: 2 target rows of the phase are NULL there");
	fy_plan_free(pg);
	/* MariaDB compares the map's hash with ferry_content_hash of the row now */
	pg = fy_plan_validate(ph, f->meta, FY_MARIADB, &err);
	assert_int_equal(pg->nstmts, 10);
	for (int i = 0; i < pg->nstmts; i++)
		assert_string_equal(pg->stmts[i].check, expect[i]);
	assert_non_null(strstr(pg->stmts[8].sql, "m.row_hash <> ferry_content_hash(t.`title`)"));
	/* text compares bytewise, whatever the collations of the two columns */
	assert_non_null(strstr(pg->stmts[7].sql,
						   "NOT ((CONVERT(v.ferry_c_1 USING utf8mb4) COLLATE utf8mb4_bin) <=> (CONVERT(t.`title` USING utf8mb4) COLLATE utf8mb4_bin))"));
	fy_plan_free(pg);
	fy_phase_free(ph);
}

static void
a_ref_joins_the_referenced_map_and_rejects_what_it_cannot_find(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("guests", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
									"\"title\": {\"from\": \"na`me\", \"ref\": \"items\"}}}", &err);
	fy_plan    *plan;

	assert_non_null(ph);
	assert_int_equal(ph->ndepends, 1);
	assert_string_equal(ph->depends_on[0], "items");
	/* the referenced phase must be known to the metadata */
	assert_null(fy_plan_migrate(ph, f->meta, FY_POSTGRES, 5, &err));
	assert_int_equal(err.code, FY_ERR_UNDEFINED_PHASE);
	memset(&err, 0, sizeof(err));
	assert_true(fy_meta_add_ref(f->meta, "items", 3, 1));
	plan = fy_plan_migrate(ph, f->meta, FY_POSTGRES, 5, &err);
	assert_non_null(plan);
	assert_int_equal(plan->nstmts, 3);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_CLEAR_REJECTS);
	assert_int_equal(plan->stmts[1].role, FY_ROLE_MIGRATE);
	assert_non_null(strstr(plan->stmts[1].sql, "LEFT JOIN \"ferry\".\"map_3\" AS r1 ON r1.\"legacy_1\" = s.\"na`me\""));
	assert_non_null(strstr(plan->stmts[1].sql, "s.ferry_ref_1 AS ferry_c_1"));
	assert_non_null(strstr(plan->stmts[1].sql, "WHEN v.ferry_miss_1 THEN 'column \"title\": ref: no row of phase \"items\" has this legacy key'"));
	assert_non_null(strstr(plan->stmts[1].sql, "to_jsonb(ferry_src) - 'ferry_ref_1'"));
	fy_plan_free(plan);
	/* MariaDB: the dependency guard first, then the same join in the reject statement */
	plan = fy_plan_migrate(ph, f->meta, FY_MARIADB, 5, &err);
	assert_non_null(plan);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_ASSERT);
	assert_string_equal(plan->stmts[0].check, "dependencies");
	assert_int_equal(plan->stmts[2].role, FY_ROLE_REJECT);
	assert_non_null(strstr(plan->stmts[2].sql, "LEFT JOIN `ferry`.`map_3` AS r1 ON r1.`legacy_1` = s.`na``me`"));
	assert_non_null(strstr(plan->stmts[4].sql, "s.ferry_ref_1"));
	fy_plan_free(plan);
	fy_phase_free(ph);
}

static void
a_ref_with_on_missing_error_is_checked_before_any_write(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("guests", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
									"\"title\": {\"from\": \"na`me\", \"ref\": \"items\", \"on_missing\": \"error\"}}}", &err);
	fy_plan    *plan;

	assert_non_null(ph);
	if (fy_meta_ref(f->meta, "items") == NULL)
		assert_true(fy_meta_add_ref(f->meta, "items", 3, 1));
	plan = fy_plan_migrate(ph, f->meta, FY_POSTGRES, 5, &err);
	assert_non_null(plan);
	assert_int_equal(plan->stmts[0].role, FY_ROLE_ASSERT);
	assert_string_equal(plan->stmts[0].label, "title");
	assert_non_null(strstr(plan->stmts[0].sql, "AS failures"));
	assert_null(strstr(plan->stmts[2].sql, "ferry_miss_1 THEN"));
	/* one wording for both engines: nothing found passes, rows found refuse */
	memset(&err, 0, sizeof(err));
	assert_true(fy_assert_verdict("guests", &plan->stmts[0], 0, NULL, &err));
	assert_false(fy_assert_verdict("guests", &plan->stmts[0], 2, "4, 9", &err));
	assert_string_equal(fy_sqlstate(err.code), "23503");
	assert_string_equal(err.message, "phase \"guests\": column \"title\": 2 source rows hold a legacy key that phase \"items\" never migrated");
	assert_string_equal(err.detail, "Their legacy keys begin: 4, 9.");
	fy_plan_free(plan);
	fy_phase_free(ph);
}

static void
a_not_null_target_column_nothing_fills_is_refused(void **state)
{
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {}}", &err);
	fy_meta    *meta = fy_meta_parse("{\"catalog_schema\": \"ferry\", \"phase_id\": 1,"
									 "\"source\": {\"name\": \"s\", \"columns\": [{\"name\": \"id\", \"type\": \"int\"}]},"
									 "\"target\": {\"name\": \"t\", \"columns\": [{\"name\": \"id\", \"type\": \"uuid\"},"
									 "{\"name\": \"title\", \"type\": \"text\", \"notnull\": true}]}}", &err);

	(void) state;
	assert_non_null(meta);
	assert_false(fy_plan_check(ph, meta, &err));
	assert_non_null(strstr(err.message, "target column \"title\" is NOT NULL without a default"));
	fy_phase_free(ph);
	fy_meta_free(meta);
}

static void
phases_are_ordered_after_their_dependencies_and_cycles_are_named(void **state)
{
	const char *c_deps[] = {"a", "b"};
	const char *a_deps[] = {"b"};
	const char *b_deps[] = {"c"};
	fy_depnode	nodes[] = {{"c", c_deps, 2}, {"a", a_deps, 1}, {"b", NULL, 0}, {"d", NULL, 0}};
	int			order[4];
	fy_error	err = {0};

	(void) state;
	assert_true(fy_dependency_order(nodes, 4, order, &err));
	assert_int_equal(order[0], 2);	/* b */
	assert_int_equal(order[1], 1);	/* a */
	assert_int_equal(order[2], 0);	/* c */
	assert_int_equal(order[3], 3);	/* d keeps its place */
	nodes[2].deps = b_deps;
	nodes[2].ndeps = 1;
	assert_false(fy_dependency_order(nodes, 4, order, &err));
	assert_string_equal(err.message, "phases depend on each other in a cycle: c -> a -> b -> c");
	memset(&err, 0, sizeof(err));
	nodes[2].deps = (const char *[]) {"zz"};
	assert_false(fy_dependency_order(nodes, 4, order, &err));
	assert_int_equal(err.code, FY_ERR_UNDEFINED_PHASE);
}


/*
 * A batch on MariaDB: the bounds come back from the procedures as JSON and
 * go into the SQL as hex literals cast to a type CAST knows, every
 * statement reads only the batch's slice, and the key scan returns the key
 * as one JSON column.
 */
static void
a_mariadb_batch_reads_its_slice_through_typed_hex_bounds(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_keyrange *range = fy_keyrange_parse("{\"lo\": [\"1'5\"], \"hi\": [\"20\"]}", 1, &err);
	fy_plan    *plan;
	fy_plan    *scan;

	assert_non_null(range);
	plan = fy_plan_migrate_range(f->phase, f->meta, FY_MARIADB, 5, range, false, &err);
	assert_non_null(plan);
	for (int i = 0; i < plan->nstmts; i++)
	{
		if (plan->stmts[i].role == FY_ROLE_REJECT || plan->stmts[i].role == FY_ROLE_MAP ||
			plan->stmts[i].role == FY_ROLE_INSERT)
			assert_non_null(strstr(plan->stmts[i].sql,
								   "(s.`id`) > (CAST(_utf8mb4 X'312735' AS SIGNED)) AND (s.`id`) <= (CAST(_utf8mb4 X'3230' AS SIGNED))"));
		if (plan->stmts[i].role == FY_ROLE_REJECT || plan->stmts[i].role == FY_ROLE_MAP)
			/* the reason is NULL at once outside the slice: MariaDB tests it first */
			assert_non_null(strstr(plan->stmts[i].sql,
								   "CASE WHEN NOT ((v.ferry_key_1) > (CAST(_utf8mb4 X'312735' AS SIGNED)) AND (v.ferry_key_1) <= (CAST(_utf8mb4 X'3230' AS SIGNED))) THEN NULL WHEN "));
		else if (plan->stmts[i].role == FY_ROLE_HASH)
			/* a batch hashes its own slice, through the map's legacy key */
			assert_non_null(strstr(plan->stmts[i].sql,
								   "WHERE m.run_id = 5 AND (m.`legacy_1`) > (CAST(_utf8mb4 X'312735' AS SIGNED)) AND (m.`legacy_1`) <= (CAST(_utf8mb4 X'3230' AS SIGNED))"));
	}
	scan = fy_plan_keyscan(f->phase, f->meta, FY_MARIADB, range, FY_SCAN_NTH, 500, &err);
	assert_non_null(scan);
	assert_non_null(strstr(scan->stmts[0].sql, "SELECT JSON_ARRAY(CAST(s.`id` AS CHAR CHARACTER SET utf8mb4)) AS ferry_key FROM "));
	assert_non_null(strstr(scan->stmts[0].sql, " LIMIT 1 OFFSET 499"));
	fy_plan_free(scan);
	fy_plan_free(plan);
	fy_keyrange_free(range);

	/* bounds must hold one text per key part */
	assert_null(fy_keyrange_parse("{\"lo\": [\"1\", \"2\"]}", 1, &err));
	assert_int_equal(err.code, FY_ERR_INVALID_JSON);
	assert_null(fy_keyrange_parse("{\"hi\": [1]}", 1, &err));
	assert_null(fy_keyrange_parse("[]", 1, &err));
	memset(&err, 0, sizeof(err));
	assert_null(fy_keyrange_parse(NULL, 1, &err));
	assert_int_equal(err.code, FY_ERR_NULL_ARGUMENT);
	range = fy_keyrange_parse("{\"nulls\": true}", 2, &err);
	assert_non_null(range);
	assert_true(range->nulls);
	assert_null(range->lo);
	fy_keyrange_free(range);
}

static void
a_numeric_constant_is_written_as_the_spec_gives_it(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("consts",
									"{\"source\": \"legacy.\\\"Order Items\\\"\", \"target\": \"app.items\","
									" \"columns\": {\"title\": {\"const\": 0.1}, \"legacy_id\": {\"const\": 12345678901234567890},"
									" \"status\": {\"const\": 12.30}}}", &err);
	fy_plan    *plan;

	(void) f;
	if (ph == NULL)
		fail_msg("%s", err.message);
	for (int d = FY_POSTGRES; d <= FY_MARIADB; d++)
	{
		const char *sql;

		plan = fy_plan_migrate(ph, f->meta, (fy_dialect) d, 1, &err);
		if (plan == NULL)
			fail_msg("%s", err.message);
		sql = plan->stmts[d == FY_POSTGRES ? 1 : 2].sql;
		/* a double would have made them 0.10000000000000001, 12345678901234567168 and 12.3 */
		assert_non_null(strstr(sql, "0.1"));
		assert_null(strstr(sql, "0.10000000000000001"));
		assert_non_null(strstr(sql, "12345678901234567890"));
		assert_non_null(strstr(sql, "12.30"));
		fy_plan_free(plan);
	}
	fy_phase_free(ph);
}

/*
 * MariaDB counts orphans from the count's own pass: a NOT EXISTS probe of
 * a materialized source view by the map's utf8mb4_bin key found no index
 * when the source's collation differed, and scanned the view per entry.
 */
static void
mariadb_counts_orphans_without_probing_the_source_per_map_entry(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_accounting(f->phase, f->meta, FY_MARIADB, 0, &err);
	const char *sql;

	assert_non_null(plan);
	sql = plan->stmts[0].sql;
	assert_null(strstr(sql, "NOT EXISTS"));
	assert_non_null(strstr(sql, "(SELECT count(*) FROM `ferry`.`map_7`) - count(DISTINCT m.`legacy_1`) AS orphans"));
	fy_plan_free(plan);
	/* PostgreSQL keeps its hashed anti-join */
	plan = fy_plan_accounting(f->phase, f->meta, FY_POSTGRES, 0, &err);
	assert_non_null(strstr(plan->stmts[0].sql, "AS o WHERE NOT EXISTS (SELECT 1 FROM \"legacy\".\"Order Items\" AS os"));
	fy_plan_free(plan);
}

static const char *FOLD =
"{\"source\": \"legacy.\\\"Order Items\\\"\", \"target\": \"app.items\", \"merge_on\": [\"na`me\"],"
" \"columns\": {\"title\": \"na`me\", \"doc\": {\"from\": \"id\", \"merge\": \"object_agg\", \"key\": \"st\\\"at\"}}}";

/*
 * object_agg folds a group's rows into one object on both engines; a NULL
 * key rejects its row, and so does a key that an earlier row of the group
 * has, pending or mapped earlier: nothing is overwritten or dropped quietly.
 */
static void
object_agg_folds_a_group_and_rejects_null_and_repeated_keys(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("fold", FOLD, &err);

	if (ph == NULL)
		fail_msg("%s", err.message);
	assert_int_equal(ph->columns[0].merge, FY_MERGE_OBJECT_AGG);
	assert_string_equal(ph->columns[0].merge_key, "st\"at");
	for (int d = FY_POSTGRES; d <= FY_MARIADB; d++)
	{
		fy_plan    *plan = fy_plan_migrate(ph, f->meta, (fy_dialect) d, 5, &err);
		const char *sql;

		if (plan == NULL)
			fail_msg("%s", err.message);
		/* PostgreSQL: one statement; MariaDB: rejects, map, update, insert */
		sql = plan->stmts[1].sql;
		if (d == FY_POSTGRES)
		{
			assert_non_null(strstr(sql, "CAST(s.\"st\"\"at\" AS text) COLLATE \"C\" AS ferry_k_1"));
			assert_non_null(strstr(sql, "jsonb_object_agg(o.ferry_k_1, o.ferry_c_1) AS ferry_c_1"));
			assert_non_null(strstr(sql, "WHEN row_number() OVER (PARTITION BY v.ferry_gid, v.ferry_k_1 ORDER BY v.ferry_ord) > 1"
								   " THEN 'column \"doc\": an earlier row of its group (in merge_order) has this \"st\"at\"'"));
			assert_non_null(strstr(sql, "WHEN v.ferry_k_1 IS NULL THEN 'column \"doc\": its object key \"st\"at\" is NULL'"));
			/* rows mapped earlier are joined, not probed per row */
			assert_null(strstr(sql, "ferry_k_1) IN ("));
			assert_non_null(strstr(sql, "WHEN ferry_had_1.ferry_gid IS NOT NULL THEN 'column \"doc\": its group''s object already has"));
			assert_non_null(strstr(sql, "FROM \"ferry\".\"map_7\" AS m JOIN \"legacy\".\"Order Items\" AS s ON "));
			assert_non_null(strstr(sql, ") AS ferry_had_1 ON ferry_had_1.ferry_gid = v.ferry_gid AND ferry_had_1.ferry_k = v.ferry_k_1"));
		}
		else
		{
			assert_non_null(strstr(sql, "CONVERT(s.`st\"at` USING utf8mb4) COLLATE utf8mb4_bin AS ferry_k_1"));
			assert_non_null(strstr(sql, "JSON_OBJECTAGG(o.ferry_k_1, o.ferry_c_1) AS ferry_c_1"));
			assert_non_null(strstr(sql, "WHEN row_number() OVER (PARTITION BY v.ferry_gid, v.ferry_k_1 ORDER BY v.ferry_ord) > 1 THEN "));
			assert_non_null(strstr(sql, "WHEN ferry_had_1.ferry_gid IS NOT NULL THEN "));
			/* the recomputed groups fold every mapped row again */
			assert_non_null(strstr(plan->stmts[3].sql, "JSON_OBJECTAGG(o.ferry_k_1, o.ferry_c_1)"));
		}
		fy_plan_free(plan);
	}
	fy_phase_free(ph);
}

static void
object_agg_needs_its_key_and_a_key_needs_object_agg(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph;

	assert_null(fy_phase_parse("fold", "{\"source\": \"s\", \"target\": \"t\", \"merge_on\": [\"a\"],"
							   " \"columns\": {\"doc\": {\"from\": \"b\", \"merge\": \"object_agg\"}}}", &err));
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
	assert_string_equal(err.message, "phase \"fold\": merge rule \"object_agg\" of column \"doc\" needs a \"key\"");
	err = (fy_error) {0};
	assert_null(fy_phase_parse("fold", "{\"source\": \"s\", \"target\": \"t\", \"merge_on\": [\"a\"],"
							   " \"columns\": {\"doc\": {\"from\": \"b\", \"merge\": \"max\", \"key\": \"c\"}}}", &err));
	assert_string_equal(err.message, "phase \"fold\": \"key\" of column \"doc\" goes only with \"merge\": \"object_agg\"");
	err = (fy_error) {0};
	assert_null(fy_phase_parse("fold", "{\"source\": \"s\", \"target\": \"t\", \"merge_on\": [\"a\"],"
							   " \"columns\": {\"doc\": {\"from\": \"b\", \"merge\": \"object_agg\", \"key\": 3}}}", &err));
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
	err = (fy_error) {0};
	/* the key column must exist in the source, named with the column it serves */
	ph = fy_phase_parse("fold", "{\"source\": \"legacy.\\\"Order Items\\\"\", \"target\": \"app.items\", \"merge_on\": [\"na`me\"],"
						" \"columns\": {\"doc\": {\"from\": \"id\", \"merge\": \"object_agg\", \"key\": \"year\"}}}", &err);
	assert_non_null(ph);
	assert_null(fy_plan_migrate(ph, f->meta, FY_POSTGRES, 1, &err));
	assert_int_equal(err.code, FY_ERR_UNDEFINED_COLUMN);
	assert_non_null(strstr(err.message, "source column \"year\""));
	assert_non_null(strstr(err.message, "\"key\" of target column \"doc\""));
	fy_phase_free(ph);
	err = (fy_error) {0};
	/* sync would judge mapped rows against their own keys: refused by name */
	ph = fy_phase_parse("fold", FOLD, &err);
	assert_false(fy_sync_check(ph, &err));
	assert_int_equal(err.code, FY_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(err.message, "sync of column \"doc\" (merge rule \"object_agg\")"));
	fy_phase_free(ph);
}

/*
 * A chain of 100,000 phases, each depending on the next, is ordered last
 * first: the walk keeps its own stack (it recursed, one frame per phase,
 * and overflowed a backend's stack) and finds names by binary search.
 */
static void
a_chain_of_100000_phases_is_ordered_without_recursion(void **state)
{
	enum {N = 100000};
	fy_depnode *nodes = calloc(N, sizeof(fy_depnode));
	char	  (*names)[16] = calloc(N, 16);
	const char **deps = calloc(N, sizeof(char *));
	int		   *order = calloc(N, sizeof(int));
	fy_error	err = {0};

	(void) state;
	for (int i = 0; i < N; i++)
		snprintf(names[i], 16, "p%d", i);
	for (int i = 0; i < N; i++)
	{
		nodes[i].name = names[i];
		deps[i] = names[(i + 1) % N];
		nodes[i].deps = &deps[i];
		nodes[i].ndeps = i + 1 < N ? 1 : 0;
	}
	assert_true(fy_dependency_order(nodes, N, order, &err));
	for (int i = 0; i < N; i++)
		assert_int_equal(order[i], N - 1 - i);
	/* closing the chain makes a cycle, named from where it was entered */
	nodes[N - 1].ndeps = 1;
	assert_false(fy_dependency_order(nodes, N, order, &err));
	assert_int_equal(strncmp(err.message, "phases depend on each other in a cycle: p0 -> p1 -> ", 52), 0);
	free(nodes);
	free(names);
	free(deps);
	free(order);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrate_on_postgres_is_one_statement_between_rejects_and_count),
		cmocka_unit_test(migrate_on_mariadb_rejects_then_maps_then_writes_then_counts),
		cmocka_unit_test(postgres_statements_quote_every_identifier_with_double_quotes),
		cmocka_unit_test(mariadb_statements_quote_with_backticks_and_hex_literals),
		cmocka_unit_test(the_v5_namespace_in_the_plan_is_the_phase_namespace),
		cmocka_unit_test(define_creates_a_typed_map_keyed_both_ways),
		cmocka_unit_test(a_first_run_rebuilds_the_new_key_index_and_analyzes_the_map),
		cmocka_unit_test(a_map_of_0_1_is_rehashed_only_where_its_text_hash_still_matches),
		cmocka_unit_test(rollback_deletes_only_mapped_rows_then_the_map),
		cmocka_unit_test(a_mariadb_update_phase_journals_then_updates_and_restores_by_join),
		cmocka_unit_test(the_drift_guard_refuses_with_the_keys_and_the_call_that_forces_it),
		cmocka_unit_test(accounting_counts_filtered_rows_through_the_declared_where),
		cmocka_unit_test(an_unknown_column_is_named_with_its_table),
		cmocka_unit_test(plans_and_errors_render_as_json_for_mariadb),
		cmocka_unit_test(metadata_json_that_is_incomplete_is_refused),
		cmocka_unit_test(accounting_passes_only_when_every_source_row_is_accounted_for),
		cmocka_unit_test(validation_plans_one_check_statement_each_with_its_label),
		cmocka_unit_test(a_ref_joins_the_referenced_map_and_rejects_what_it_cannot_find),
		cmocka_unit_test(a_ref_with_on_missing_error_is_checked_before_any_write),
		cmocka_unit_test(a_not_null_target_column_nothing_fills_is_refused),
		cmocka_unit_test(phases_are_ordered_after_their_dependencies_and_cycles_are_named),
		cmocka_unit_test(a_mariadb_batch_reads_its_slice_through_typed_hex_bounds),
		cmocka_unit_test(a_numeric_constant_is_written_as_the_spec_gives_it),
		cmocka_unit_test(mariadb_counts_orphans_without_probing_the_source_per_map_entry),
		cmocka_unit_test(object_agg_folds_a_group_and_rejects_null_and_repeated_keys),
		cmocka_unit_test(object_agg_needs_its_key_and_a_key_needs_object_agg),
		cmocka_unit_test(a_chain_of_100000_phases_is_ordered_without_recursion),
	};

	return cmocka_run_group_tests_name("plan", tests, setup, teardown);
}
