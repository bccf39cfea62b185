/* test_phase.c -- spec parsing: what a spec means, and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

static fy_phase *
parse_ok(const char *spec)
{
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("p", spec, &err);

	if (ph == NULL)
		fail_msg("unexpected error: %s (%s)", err.message, err.hint);
	return ph;
}

static fy_error
parse_err(const char *name, const char *spec)
{
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse(name, spec, &err);

	assert_null(ph);
	assert_int_not_equal(err.code, FY_OK);
	return err;
}

static void
a_minimal_spec_gets_the_documented_defaults(void **state)
{
	fy_phase   *ph = parse_ok("{\"source\": \"a\", \"target\": \"b\", \"columns\": {}}");

	(void) state;
	assert_null(ph->source.schema);
	assert_string_equal(ph->source.name, "a");
	assert_int_equal(ph->nkeys, 1);
	assert_string_equal(ph->source_key[0], "id");
	assert_string_equal(ph->target_key, "id");
	assert_int_equal(ph->keygen, FY_KEY_UUID_V5);
	assert_null(ph->where);
	assert_null(ph->legacy_column);
	fy_phase_free(ph);
}

static void
every_column_form_parses_into_its_kind(void **state)
{
	fy_phase   *ph = parse_ok("{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
							  "\"a\": \"col\", \"b\": {\"sql\": \"x + 1\"}, \"c\": {\"const\": 5},"
							  "\"d\": {\"json\": {\"k\": \"col\", \"n\": {\"m\": {\"const\": true}}}},"
							  "\"e\": {\"from\": \"st\", \"map\": {\"x\": \"y\"}, \"default\": null},"
							  "\"f\": {\"from\": \"col\"}}}");

	(void) state;
	assert_int_equal(ph->ncolumns, 6);
	assert_int_equal(ph->columns[0].expr->kind, FY_EXPR_COLUMN);
	assert_int_equal(ph->columns[1].expr->kind, FY_EXPR_SQL);
	assert_int_equal(ph->columns[2].expr->kind, FY_EXPR_CONST);
	assert_int_equal(ph->columns[3].expr->kind, FY_EXPR_JSON);
	assert_int_equal(ph->columns[3].expr->nmembers, 2);
	assert_int_equal(ph->columns[3].expr->members[1].value->kind, FY_EXPR_JSON);
	assert_int_equal(ph->columns[4].expr->kind, FY_EXPR_MAP);
	assert_int_equal(ph->columns[4].expr->from->kind, FY_EXPR_COLUMN);
	assert_int_equal(ph->columns[4].expr->nmappings, 1);
	assert_non_null(ph->columns[4].expr->value);
	assert_int_equal(ph->columns[5].expr->kind, FY_EXPR_COLUMN);
	assert_string_equal(ph->columns[5].expr->text, "col");
	fy_phase_free(ph);
}

static void
composite_keys_query_sources_and_qualified_targets_parse(void **state)
{
	fy_phase   *ph = parse_ok("{\"source\": {\"query\": \"SELECT 1\"}, \"source_key\": [\"a\", \"b\"],"
							  "\"target\": \"\\\"My Schema\\\".\\\"t.x\\\"\", \"target_key\": {\"column\": \"k\", \"generate\": \"uuid_v7\"},"
							  "\"columns\": {}}");

	(void) state;
	assert_string_equal(ph->source_query, "SELECT 1");
	assert_null(ph->source.name);
	assert_int_equal(ph->nkeys, 2);
	assert_string_equal(ph->source_key[1], "b");
	assert_string_equal(ph->target.schema, "My Schema");
	assert_string_equal(ph->target.name, "t.x");
	assert_string_equal(ph->target_key, "k");
	assert_int_equal(ph->keygen, FY_KEY_UUID_V7);
	fy_phase_free(ph);
}

static void
the_checksum_ignores_key_order_and_whitespace(void **state)
{
	fy_phase   *a = parse_ok("{\"source\": \"s\", \"target\": \"t\", \"columns\": {\"x\": \"a\", \"y\": \"b\"}}");
	fy_phase   *b = parse_ok("{ \"columns\" : {\"y\":\"b\",\"x\":\"a\"},\"target\":\"t\",\"source\":\"s\"}");
	fy_phase   *c = parse_ok("{\"source\": \"s\", \"target\": \"t\", \"columns\": {\"x\": \"a\", \"y\": \"c\"}}");

	(void) state;
	assert_string_equal(a->checksum, b->checksum);
	assert_string_not_equal(a->checksum, c->checksum);
	assert_int_equal(strlen(a->checksum), 40);
	/* columns go in target-name order, whatever order an engine stored the keys in */
	assert_string_equal(b->columns[0].target, "x");
	assert_string_equal(b->columns[1].target, "y");
	fy_phase_free(a);
	fy_phase_free(b);
	fy_phase_free(c);
}

static void
malformed_json_is_refused_with_its_position(void **state)
{
	fy_error	err = parse_err("p", "{\"source\": \"a\",\n \"target\": }");

	(void) state;
	assert_int_equal(err.code, FY_ERR_INVALID_JSON);
	assert_non_null(strstr(err.message, "line 2, column 12 (character 28)"));
	assert_string_equal(fy_sqlstate(err.code), "22P02");
}

static void
an_unknown_key_is_refused_with_the_closest_known_key(void **state)
{
	fy_error	err = parse_err("p", "{\"source\": \"a\", \"target\": \"b\", \"columns\": {}, \"were\": \"x\"}");

	(void) state;
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
	assert_non_null(strstr(err.message, "\"were\""));
	assert_non_null(strstr(err.hint, "\"where\""));
}

/*
 * on_source_delete was the last documented key this version refused; sync
 * carries it out now (MariaDB refuses it by name when planning: test_sync).
 */
static void
a_documented_key_not_carried_out_yet_is_refused_not_ignored(void **state)
{
	fy_phase   *ph = parse_ok("{\"source\": \"a\", \"target\": \"b\", \"columns\": {}, \"on_source_delete\": \"soft\"}");

	(void) state;
	assert_int_equal(ph->on_source_delete, FY_DELETE_SOFT);
	fy_phase_free(ph);
}

static void
a_null_or_empty_phase_name_is_refused(void **state)
{
	fy_error	err = parse_err(NULL, "{}");

	(void) state;
	assert_int_equal(err.code, FY_ERR_NULL_ARGUMENT);
	err = parse_err("", "{}");
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
	err = parse_err("p", NULL);
	assert_int_equal(err.code, FY_ERR_NULL_ARGUMENT);
}

static void
columns_that_ferry_fills_cannot_be_listed(void **state)
{
	fy_error	err = parse_err("p", "{\"source\": \"a\", \"target\": \"b\", \"legacy_column\": \"old\", \"columns\": {\"old\": \"id\"}}");

	(void) state;
	assert_non_null(strstr(err.message, "legacy_column"));
}

static void
keep_and_legacy_column_need_a_single_key(void **state)
{
	fy_error	err = parse_err("p", "{\"source\": \"a\", \"source_key\": [\"x\", \"y\"], \"target\": \"b\","
								"\"target_key\": {\"column\": \"id\", \"generate\": \"keep\"}, \"columns\": {}}");

	(void) state;
	assert_non_null(strstr(err.message, "single-column"));
}

static void
relation_names_split_on_dots_outside_quotes(void **state)
{
	fy_arena   *arena = fy_arena_new();
	fy_relname	r;
	fy_error	err = {0};

	(void) state;
	assert_true(fy_relname_parse(arena, "carbot_v2.workshops", &r, &err));
	assert_string_equal(r.schema, "carbot_v2");
	assert_string_equal(r.name, "workshops");
	assert_true(fy_relname_parse(arena, "Order Items", &r, &err));
	assert_null(r.schema);
	assert_string_equal(r.name, "Order Items");
	assert_true(fy_relname_parse(arena, "\"a\"\"b.c\"", &r, &err));
	assert_string_equal(r.name, "a\"b.c");
	assert_false(fy_relname_parse(arena, "a.b.c", &r, &err));
	assert_false(fy_relname_parse(arena, "a.", &r, &err));
	fy_arena_free(arena);
}

/* huge_spec: a spec whose "columns" (or a list) holds n entries. */
static char *
huge_spec(const char *shape, int n, int stride)
{
	fy_buf		b;

	fy_buf_init(&b);
	fy_buf_add(&b, "{\"source\": \"s\", \"target\": \"t\", ");
	if (strcmp(shape, "depends_on") == 0)
	{
		fy_buf_add(&b, "\"columns\": {\"a\": \"a\"}, \"depends_on\": [");
		for (int i = 0; i < n; i++)
			fy_buf_addf(&b, "%s\"p%d\"", i ? ", " : "", i);
		fy_buf_add(&b, "]}");
	}
	else if (strcmp(shape, "map") == 0 || strcmp(shape, "const") == 0)
	{
		/* a constant document may be as large as it likes */
		fy_buf_addf(&b, "\"columns\": {\"a\": {%s: {",
					strcmp(shape, "map") == 0 ? "\"from\": \"a\", \"map\"" : "\"const\"");
		for (int i = 0; i < n; i++)
		{
			int			k = (int) ((long) i * stride % n);

			fy_buf_addf(&b, "%s\"v%d\": %d", i ? ", " : "", k, k);
		}
		fy_buf_add(&b, "}}}}");
	}
	else
	{
		fy_buf_add(&b, "\"columns\": {");
		for (int i = 0; i < n; i++)
			fy_buf_addf(&b, "%s\"c%d\": \"c%d\"", i ? ", " : "", (int) ((long) i * stride % n), i);
		fy_buf_add(&b, "}}");
	}
	assert_false(b.oom);
	return b.data;
}

/*
 * A key given twice in one object is refused: cJSON reads the first, jsonb
 * keeps the last, so PostgreSQL and MariaDB would run different phases.
 */
static void
a_key_given_twice_in_one_object_is_refused(void **state)
{
	fy_error	err;

	(void) state;
	err = parse_err("p", "{\"source\": \"a\", \"target\": \"t\", \"source\": \"b\", \"columns\": {\"x\": \"x\"}}");
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
	assert_string_equal(err.message, "phase \"p\": key \"source\" appears twice in one object of the spec");
	err = parse_err("p", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {\"x\": {\"json\": {\"k\": \"a\", \"k\": \"b\"}}}}");
	assert_string_equal(err.message, "phase \"p\": key \"k\" appears twice in one object of the spec");
}

/*
 * More columns (or names in a list, or entries in a map) than any table
 * has are refused by
 * name: the columns are checked pairwise, so 80,000 of them used to keep a
 * MariaDB server thread busy for half a minute.
 */
static void
a_spec_with_more_columns_than_a_table_can_have_is_refused(void **state)
{
	char	   *spec = huge_spec("columns", 10000, 7919);
	fy_error	err = parse_err("p", spec);

	(void) state;
	assert_int_equal(err.code, FY_ERR_INVALID_SPEC);
	assert_string_equal(err.message, "phase \"p\": \"columns\" lists 10000 names; at most 4096 are allowed");
	fy_release(spec);
	spec = huge_spec("depends_on", 5000, 1);
	err = parse_err("p", spec);
	assert_string_equal(err.message, "phase \"p\": \"depends_on\" lists 5000 names; at most 4096 are allowed");
	fy_release(spec);
	spec = huge_spec("map", 5000, 1);
	err = parse_err("p", spec);
	assert_string_equal(err.message, "phase \"p\": \"map\" of column \"a\" has 5000 entries; at most 4096 are allowed");
	fy_release(spec);
}

/* The largest spec allowed parses, its columns in target-name order. */
static void
a_spec_at_the_column_limit_parses_in_order(void **state)
{
	char	   *spec = huge_spec("columns", FY_MAX_COLUMNS, 7919);
	fy_phase   *ph = parse_ok(spec);

	(void) state;
	assert_int_equal(ph->ncolumns, FY_MAX_COLUMNS);
	for (int i = 1; i < ph->ncolumns; i++)
		assert_true(strcmp(ph->columns[i - 1].target, ph->columns[i].target) < 0);
	fy_phase_free(ph);
	fy_release(spec);
	spec = huge_spec("depends_on", FY_MAX_COLUMNS, 1);
	ph = parse_ok(spec);
	assert_int_equal(ph->ndepends, FY_MAX_COLUMNS);
	assert_string_equal(ph->depends_on[FY_MAX_COLUMNS - 1], "p4095");
	fy_phase_free(ph);
	fy_release(spec);
}

/*
 * An object of 80,000 keys (a constant document) gets the same checksum in
 * any key order: the canonical form sorts them all.
 */
static void
a_huge_object_checksums_the_same_in_any_key_order(void **state)
{
	char	   *a = huge_spec("const", 80000, 1);
	char	   *b = huge_spec("const", 80000, 7919);
	fy_phase   *pa = parse_ok(a);
	fy_phase   *pb = parse_ok(b);

	(void) state;
	assert_int_equal(pa->columns[0].expr->kind, FY_EXPR_CONST);
	assert_string_equal(pa->checksum, pb->checksum);
	assert_non_null(strstr(pa->canonical, "\"v0\":0,\"v1\":1,\"v10\":10,\"v100\":100,"));
	fy_phase_free(pa);
	fy_phase_free(pb);
	fy_release(a);
	fy_release(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_minimal_spec_gets_the_documented_defaults),
		cmocka_unit_test(every_column_form_parses_into_its_kind),
		cmocka_unit_test(composite_keys_query_sources_and_qualified_targets_parse),
		cmocka_unit_test(the_checksum_ignores_key_order_and_whitespace),
		cmocka_unit_test(malformed_json_is_refused_with_its_position),
		cmocka_unit_test(an_unknown_key_is_refused_with_the_closest_known_key),
		cmocka_unit_test(a_documented_key_not_carried_out_yet_is_refused_not_ignored),
		cmocka_unit_test(a_null_or_empty_phase_name_is_refused),
		cmocka_unit_test(columns_that_ferry_fills_cannot_be_listed),
		cmocka_unit_test(keep_and_legacy_column_need_a_single_key),
		cmocka_unit_test(relation_names_split_on_dots_outside_quotes),
		cmocka_unit_test(a_key_given_twice_in_one_object_is_refused),
		cmocka_unit_test(a_spec_with_more_columns_than_a_table_can_have_is_refused),
		cmocka_unit_test(a_spec_at_the_column_limit_parses_in_order),
		cmocka_unit_test(a_huge_object_checksums_the_same_in_any_key_order),
	};

	return cmocka_run_group_tests_name("phase", tests, NULL, NULL);
}
