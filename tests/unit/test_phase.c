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
	};

	return cmocka_run_group_tests_name("phase", tests, NULL, NULL);
}
