/* test_preflight.c -- the preflight planner: its checks, their statements, their words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

static const char *META =
"{\"catalog_schema\": \"ferry\", \"func_schema\": \"public\", \"phase_id\": 7,"
" \"source\": {\"schema\": \"legacy\", \"name\": \"Order Items\", \"columns\": ["
"   {\"name\": \"id\", \"type\": \"bigint\", \"notnull\": true},"
"   {\"name\": \"na`me\", \"type\": \"text\"}, {\"name\": \"st\\\"at\", \"type\": \"text\"},"
"   {\"name\": \"price\", \"type\": \"numeric\"}]},"
" \"target\": {\"schema\": \"app\", \"name\": \"items\", \"columns\": ["
"   {\"name\": \"id\", \"type\": \"uuid\", \"notnull\": true},"
"   {\"name\": \"title\", \"type\": \"text\", \"notnull\": true},"
"   {\"name\": \"status\", \"type\": \"character varying(10)\", \"notnull\": true},"
"   {\"name\": \"doc\", \"type\": \"jsonb\"}, {\"name\": \"legacy_id\", \"type\": \"bigint\"},"
"   {\"name\": \"amount\", \"type\": \"integer\"}, {\"name\": \"note\", \"type\": \"text\"}]}}";

static const char *SPEC =
"{\"source\": \"legacy.\\\"Order Items\\\"\", \"target\": \"app.items\", \"legacy_column\": \"legacy_id\","
" \"columns\": {\"title\": \"na`me\", \"status\": {\"from\": \"st\\\"at\", \"map\": {\"a\": \"b\"}, \"default\": \"z\"},"
"   \"doc\": {\"json\": {\"k\": {\"const\": true}}}, \"amount\": \"price\"},"
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
	const char *pkey[] = {"id"};
	const char *title_amount[] = {"title", "amount"};
	const char *note[] = {"note"};

	f.phase = fy_phase_parse("items", SPEC, &err);
	assert_non_null(f.phase);
	f.meta = fy_meta_parse(META, &err);
	assert_non_null(f.meta);
	assert_true(fy_meta_add_unique(f.meta, "items_pkey", pkey, 1));
	assert_true(fy_meta_add_unique(f.meta, "items_title_amount_key", title_amount, 2));
	assert_true(fy_meta_add_unique(f.meta, "items_note_key", note, 1));
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
plan_preflight(const fy_phase *ph, const fy_meta *meta, fy_dialect d)
{
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_preflight(ph, meta, d, &err);

	if (plan == NULL)
		fail_msg("%s", err.message);
	return plan;
}

/* the statements of one check, in plan order */
static int
statements_of(const fy_plan *plan, const char *check, const fy_stmt **out, int max)
{
	int			n = 0;

	for (int i = 0; i < plan->nstmts; i++)
		if (strcmp(plan->stmts[i].check, check) == 0 && n < max)
			out[n++] = &plan->stmts[i];
	return n;
}

static void
the_checks_are_reported_in_one_order_and_casts_only_on_postgres(void **state)
{
	const char *pg[FY_PREFLIGHT_MAX_CHECKS];
	const char *my[FY_PREFLIGHT_MAX_CHECKS];

	(void) state;
	assert_int_equal(fy_preflight_checks(FY_POSTGRES, pg), 8);
	assert_string_equal(pg[0], "relations");
	assert_string_equal(pg[1], "null_keys");
	assert_string_equal(pg[2], "duplicate_keys");
	assert_string_equal(pg[3], "refs");
	assert_string_equal(pg[4], "not_null");
	assert_string_equal(pg[5], "casts");
	assert_string_equal(pg[6], "uniqueness");
	assert_string_equal(pg[7], "dependencies");
	assert_int_equal(fy_preflight_checks(FY_MARIADB, my), 7);
	for (int i = 0; i < 7; i++)
		assert_string_not_equal(my[i], "casts");
}

static void
every_statement_is_a_read_only_select_of_failures_and_sample_with_its_check(void **state)
{
	fixture    *f = *state;
	fy_dialect	dialects[] = {FY_POSTGRES, FY_MARIADB};

	for (int k = 0; k < 2; k++)
	{
		fy_plan    *plan = plan_preflight(f->phase, f->meta, dialects[k]);

		assert_true(plan->nstmts > 0);
		for (int i = 0; i < plan->nstmts; i++)
		{
			const fy_stmt *st = &plan->stmts[i];

			assert_int_equal(st->role, FY_ROLE_ASSERT);
			assert_non_null(st->check);
			assert_non_null(st->finding);
			assert_true(strcmp(st->severity, "WARN") == 0 || strcmp(st->severity, "ERROR") == 0);
			assert_true(strncmp(st->sql, "WITH ", 5) == 0 || strncmp(st->sql, "SELECT ", 7) == 0);
			assert_non_null(strstr(st->sql, "AS failures"));
			assert_non_null(strstr(st->sql, "AS sample"));
			assert_null(strstr(st->sql, "INSERT"));
			assert_null(strstr(st->sql, "UPDATE"));
			assert_null(strstr(st->sql, "DELETE"));
			assert_null(strstr(st->sql, "migration_rejects"));
		}
		fy_plan_free(plan);
	}
}

static void
the_checks_look_only_at_pending_rows_that_pass_the_where(void **state)
{
	fixture    *f = *state;
	fy_plan    *plan = plan_preflight(f->phase, f->meta, FY_POSTGRES);

	for (int i = 0; i < plan->nstmts; i++)
	{
		assert_non_null(strstr(plan->stmts[i].sql,
							   "FROM \"legacy\".\"Order Items\" AS s WHERE NOT EXISTS (SELECT 1 FROM \"ferry\".\"map_7\" AS m WHERE m.\"legacy_1\" = s.\"id\") AND (id > 0)"));
	}
	fy_plan_free(plan);
}

static void
a_sample_is_the_first_ten_legacy_keys_in_key_order(void **state)
{
	fixture    *f = *state;
	fy_plan    *pg = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	fy_plan    *my = plan_preflight(f->phase, f->meta, FY_MARIADB);
	const fy_stmt *st[4];

	assert_int_equal(statements_of(pg, "duplicate_keys", st, 4), 1);
	assert_non_null(strstr(st[0]->sql, "WITH ferry_f AS (SELECT s.\"id\"::text AS ferry_k, s.\"id\" AS ferry_o_1 FROM"));
	assert_non_null(strstr(st[0]->sql, "SELECT (SELECT count(*) FROM ferry_f) AS failures, "
						   "(SELECT string_agg(ferry_k, ', ' ORDER BY ferry_o_1) FROM "
						   "(SELECT * FROM ferry_f ORDER BY ferry_o_1 LIMIT 10) AS ferry_f10) AS sample"));
	assert_non_null(strstr(st[0]->sql, "GROUP BY s.\"id\" HAVING count(*) > 1"));
	assert_int_equal(statements_of(my, "duplicate_keys", st, 4), 1);
	assert_true(strncmp(st[0]->sql, "SELECT count(*) AS failures, GROUP_CONCAT(ferry_k ORDER BY ferry_o_1 "
						"SEPARATOR ', ' LIMIT 10) AS sample FROM (SELECT CAST(s.`id` AS CHAR) AS ferry_k", 143) == 0);
	fy_plan_free(pg);
	fy_plan_free(my);
}

static void
a_null_key_names_no_row_so_only_a_composite_key_has_a_sample(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *pair = fy_phase_parse("pairs", "{\"source\": \"s\", \"source_key\": [\"id\", \"na`me\"],"
									  " \"target\": \"t\", \"columns\": {\"title\": \"na`me\", \"status\": \"st\\\"at\"}}", &err);
	fy_plan    *one = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	fy_plan    *two;
	const fy_stmt *st[2];

	assert_non_null(pair);
	two = plan_preflight(pair, f->meta, FY_POSTGRES);
	assert_int_equal(statements_of(one, "null_keys", st, 2), 1);
	assert_string_equal(st[0]->severity, "WARN");
	assert_non_null(strstr(st[0]->sql, "SELECT CAST(NULL AS text) AS ferry_k, s.\"id\" AS ferry_o_1"));
	assert_non_null(strstr(st[0]->sql, "WHERE s.\"id\" IS NULL"));
	assert_int_equal(statements_of(two, "null_keys", st, 2), 1);
	assert_non_null(strstr(st[0]->sql, "concat_ws('/', COALESCE(s.\"id\"::text, 'NULL'), COALESCE(s.\"na`me\"::text, 'NULL')) AS ferry_k"));
	assert_non_null(strstr(st[0]->sql, "WHERE s.\"id\" IS NULL OR s.\"na`me\" IS NULL"));
	assert_non_null(strstr(st[0]->finding, "the source key (\"id\", \"na`me\")"));
	fy_plan_free(one);
	fy_plan_free(two);
	fy_phase_free(pair);
}

static void
not_null_computes_the_value_exactly_as_migrate_does(void **state)
{
	fixture    *f = *state;
	fy_plan    *plan = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	const fy_stmt *st[4];

	/* title and status are NOT NULL; doc and amount are not */
	assert_int_equal(statements_of(plan, "not_null", st, 4), 2);
	assert_string_equal(st[0]->label, "status");
	assert_non_null(strstr(st[0]->sql,
						   "WHERE (CAST(CASE s.\"st\"\"at\" WHEN 'a' THEN 'b' ELSE 'z' END AS character varying(10))) IS NULL"));
	assert_string_equal(st[1]->label, "title");
	assert_non_null(strstr(st[1]->sql, "WHERE (s.\"na`me\") IS NULL"));
	fy_plan_free(plan);
}

static void
casts_skip_a_same_typed_column_and_test_the_rest_as_the_run_converts_them(void **state)
{
	fixture    *f = *state;
	fy_plan    *plan = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	const fy_stmt *st[8];

	/* title: text -> text is skipped; legacy_id: bigint -> bigint too */
	assert_int_equal(statements_of(plan, "casts", st, 8), 3);
	/* a source column is assigned by the INSERT */
	assert_string_equal(st[0]->label, "amount");
	assert_non_null(strstr(st[0]->sql, "value_fits(s.\"price\", 'integer', FALSE)"));
	assert_string_equal(st[1]->label, "doc");
	assert_non_null(strstr(st[1]->sql, "value_fits(jsonb_build_object('k', TRUE), 'jsonb', FALSE)"));
	assert_string_equal(st[2]->label, "status");
	/* on_error reject (the default): the run rejects such rows */
	assert_string_equal(st[2]->severity, "WARN");
	/* a mapped value is CAST by the run: explicit, and without the CAST here */
	assert_non_null(strstr(st[2]->sql,
						   "WHERE NOT \"ferry\".value_fits(CASE s.\"st\"\"at\" WHEN 'a' THEN 'b' ELSE 'z' END, 'character varying(10)', TRUE)"));
	fy_plan_free(plan);
}

static void
mariadb_plans_every_check_but_casts(void **state)
{
	fixture    *f = *state;
	fy_plan    *plan = plan_preflight(f->phase, f->meta, FY_MARIADB);
	const fy_stmt *st[8];

	assert_int_equal(statements_of(plan, "casts", st, 8), 0);
	assert_int_equal(statements_of(plan, "null_keys", st, 8), 1);
	assert_int_equal(statements_of(plan, "duplicate_keys", st, 8), 1);
	assert_int_equal(statements_of(plan, "not_null", st, 8), 2);
	assert_int_equal(statements_of(plan, "uniqueness", st, 8), 4);
	assert_null(strstr(st[0]->sql, "CAST(("));
	assert_non_null(strstr(st[0]->sql, "count(*) OVER (PARTITION BY w.ferry_u_1)"));
	fy_plan_free(plan);
}

static void
uniqueness_checks_the_indexes_the_spec_fills_against_pending_rows_and_the_target(void **state)
{
	fixture    *f = *state;
	fy_plan    *plan = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	const fy_stmt *st[8];

	/* items_note_key is skipped: the spec does not fill note */
	assert_int_equal(statements_of(plan, "uniqueness", st, 8), 4);
	assert_string_equal(st[0]->label, "items_pkey");
	assert_non_null(strstr(st[0]->sql, "CAST((\"public\".uuid_v5('"));
	assert_non_null(strstr(st[0]->sql, "count(*) OVER (PARTITION BY w.ferry_u_1) AS ferry_n"));
	assert_non_null(strstr(st[0]->sql, "WHERE v.ferry_n > 1 AND v.ferry_u_1 IS NOT NULL"));
	assert_string_equal(st[1]->label, "items_pkey");
	assert_non_null(strstr(st[1]->sql, "WHERE EXISTS (SELECT 1 FROM \"app\".\"items\" AS t WHERE t.\"id\" = w.ferry_u_1)"));
	assert_string_equal(st[2]->label, "items_title_amount_key");
	assert_non_null(strstr(st[2]->sql, "CAST((s.\"na`me\") AS text) AS ferry_u_1, CAST((s.\"price\") AS integer) AS ferry_u_2"));
	assert_non_null(strstr(st[2]->sql, "PARTITION BY w.ferry_u_1, w.ferry_u_2"));
	assert_non_null(strstr(st[3]->sql, "t.\"title\" = w.ferry_u_1 AND t.\"amount\" = w.ferry_u_2"));
	assert_non_null(strstr(st[3]->finding, "(\"title\", \"amount\")"));
	fy_plan_free(plan);
}

static void
a_random_new_key_is_not_checked_for_uniqueness(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *v7 = fy_phase_parse("items", "{\"source\": \"s\", \"target\": \"t\","
									"\"target_key\": {\"column\": \"id\", \"generate\": \"uuid_v7\"},"
									" \"columns\": {\"title\": \"na`me\", \"status\": \"st\\\"at\"}}", &err);
	fy_plan    *plan;
	const fy_stmt *st[8];

	assert_non_null(v7);
	plan = plan_preflight(v7, f->meta, FY_POSTGRES);
	assert_int_equal(statements_of(plan, "uniqueness", st, 8), 0);
	fy_plan_free(plan);
	fy_phase_free(v7);
}

static void
a_ref_is_a_warn_unless_it_says_on_missing_error(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("guests", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
									"\"title\": {\"from\": \"na`me\", \"ref\": \"items\"},"
									"\"status\": {\"from\": \"st\\\"at\", \"ref\": \"items\", \"on_missing\": \"error\"}}}", &err);
	fy_plan    *plan;
	const fy_stmt *st[4];

	assert_non_null(ph);
	if (fy_meta_ref(f->meta, "items") == NULL)
		assert_true(fy_meta_add_ref(f->meta, "items", 3, 1));
	plan = plan_preflight(ph, f->meta, FY_POSTGRES);
	assert_int_equal(statements_of(plan, "refs", st, 4), 2);
	/* columns in target-name order: status is ref 1, title ref 2 */
	assert_string_equal(st[0]->label, "status");
	assert_string_equal(st[0]->severity, "ERROR");
	assert_non_null(strstr(st[0]->finding, "would refuse the run"));
	assert_string_equal(st[1]->label, "title");
	assert_string_equal(st[1]->severity, "WARN");
	assert_non_null(strstr(st[1]->sql, "LEFT JOIN \"ferry\".\"map_3\" AS r2 ON r2.\"legacy_1\" = s.\"na`me\""));
	assert_non_null(strstr(st[1]->sql, "WHERE (s.\"na`me\" IS NOT NULL AND s.ferry_ref_2 IS NULL)"));
	assert_non_null(strstr(st[1]->finding, "that phase \"items\" never mapped: migrate_phase would reject them"));
	/* the NOT NULL check sees the ref's resolved key */
	assert_int_equal(statements_of(plan, "not_null", st, 4), 2);
	assert_non_null(strstr(st[0]->sql, "WHERE (s.ferry_ref_1) IS NULL"));
	fy_plan_free(plan);
	fy_phase_free(ph);
}

static void
dependencies_count_the_phases_without_a_completed_migrate_run(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("later", "{\"source\": \"s\", \"target\": \"t\", \"depends_on\": [\"a\", \"it's\"],"
									" \"columns\": {\"title\": \"na`me\", \"status\": \"st\\\"at\"}}", &err);
	fy_plan    *pg;
	fy_plan    *my;
	const fy_stmt *st[2];

	assert_non_null(ph);
	assert_true(fy_meta_add_ref(f->meta, "a", 4, 1));
	assert_true(fy_meta_add_ref(f->meta, "it's", 5, 1));
	pg = plan_preflight(ph, f->meta, FY_POSTGRES);
	assert_int_equal(statements_of(pg, "dependencies", st, 2), 1);
	assert_string_equal(st[0]->severity, "ERROR");
	/* PostgreSQL finds a dependency's runs by its phase id */
	assert_non_null(strstr(st[0]->sql, "FROM (SELECT 'a' AS ferry_k, 1 AS ferry_o_1, 4 AS ferry_id UNION ALL SELECT 'it''s', 2, 5) AS dep"
						   " WHERE NOT EXISTS (SELECT 1 FROM \"ferry\".migration_log AS l WHERE l.phase_id = dep.ferry_id"
						   " AND l.operation = 'migrate' AND l.status = 'completed')"));
	my = plan_preflight(ph, f->meta, FY_MARIADB);
	assert_int_equal(statements_of(my, "dependencies", st, 2), 1);
	assert_non_null(strstr(st[0]->sql, "WHERE l.phase = dep.ferry_k AND l.db = DATABASE() AND l.operation = 'migrate'"));
	/* a phase without dependencies plans no statement for them */
	fy_plan_free(pg);
	pg = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	assert_int_equal(statements_of(pg, "dependencies", st, 2), 0);
	fy_plan_free(pg);
	fy_plan_free(my);
	fy_phase_free(ph);
}

static void
a_phase_that_does_not_match_its_metadata_plans_nothing(void **state)
{
	fixture    *f = *state;
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {\"title\": \"nope\"}}", &err);

	assert_non_null(ph);
	assert_null(fy_plan_preflight(ph, f->meta, FY_POSTGRES, &err));
	assert_int_equal(err.code, FY_ERR_UNDEFINED_COLUMN);
	fy_phase_free(ph);
}

static void
verdicts_put_the_subject_the_count_and_the_unit_before_the_finding(void **state)
{
	fixture    *f = *state;
	fy_plan    *plan = plan_preflight(f->phase, f->meta, FY_POSTGRES);
	const fy_stmt *st[8];
	fy_check	c;

	statements_of(plan, "casts", st, 8);
	fy_preflight_finding(st[0], 3, &c);
	assert_string_equal(c.name, "casts");
	assert_string_equal(c.status, "WARN");
	assert_string_equal(c.details, "column \"amount\": 3 pending rows whose value type integer does not accept: migrate_phase would reject them (on_error reject)");
	statements_of(plan, "duplicate_keys", st, 8);
	fy_preflight_finding(st[0], 1, &c);
	assert_string_equal(c.details, "1 source key held by more than one pending row: migrate_phase would fail (the id map takes one row per legacy key)");
	statements_of(plan, "uniqueness", st, 8);
	fy_preflight_finding(st[3], 2, &c);
	assert_string_equal(c.details, "unique index \"items_title_amount_key\": 2 pending rows whose (\"title\", \"amount\") a target row already holds: migrate_phase would fail");
	fy_plan_free(plan);

	fy_preflight_ok("null_keys", &c);
	assert_string_equal(c.status, "OK");
	assert_string_equal(c.details, "no pending row has a NULL in its source key");
	fy_preflight_failed("relations", "source table \"x\" does not exist", &c);
	assert_string_equal(c.status, "ERROR");
	assert_string_equal(c.details, "source table \"x\" does not exist");
	fy_preflight_failed("refs", "division by zero", &c);
	assert_string_equal(c.status, "ERROR");
	assert_string_equal(c.details, "could not check: division by zero");
	fy_preflight_failed("refs", NULL, &c);
	assert_string_equal(c.status, "WARN");
	assert_string_equal(c.details, "not checked: the phase's relations do not resolve");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_checks_are_reported_in_one_order_and_casts_only_on_postgres),
		cmocka_unit_test(every_statement_is_a_read_only_select_of_failures_and_sample_with_its_check),
		cmocka_unit_test(the_checks_look_only_at_pending_rows_that_pass_the_where),
		cmocka_unit_test(a_sample_is_the_first_ten_legacy_keys_in_key_order),
		cmocka_unit_test(a_null_key_names_no_row_so_only_a_composite_key_has_a_sample),
		cmocka_unit_test(not_null_computes_the_value_exactly_as_migrate_does),
		cmocka_unit_test(casts_skip_a_same_typed_column_and_test_the_rest_as_the_run_converts_them),
		cmocka_unit_test(mariadb_plans_every_check_but_casts),
		cmocka_unit_test(uniqueness_checks_the_indexes_the_spec_fills_against_pending_rows_and_the_target),
		cmocka_unit_test(a_random_new_key_is_not_checked_for_uniqueness),
		cmocka_unit_test(a_ref_is_a_warn_unless_it_says_on_missing_error),
		cmocka_unit_test(dependencies_count_the_phases_without_a_completed_migrate_run),
		cmocka_unit_test(a_phase_that_does_not_match_its_metadata_plans_nothing),
		cmocka_unit_test(verdicts_put_the_subject_the_count_and_the_unit_before_the_finding),
	};

	return cmocka_run_group_tests_name("preflight", tests, setup, teardown);
}
