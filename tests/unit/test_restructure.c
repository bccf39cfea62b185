/* test_restructure.c -- json_restructure, its operations and its inverse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ferry.h"

static char result[4096];

static const char *
run(const char *doc, const char *spec)
{
	fy_error	err = {0};
	char	   *out = fy_json_restructure(doc, spec, &err);

	snprintf(result, sizeof(result), "%s", out ? out : err.message);
	fy_release(out);
	return result;
}

static void
rename_moves_a_value_along_dotted_paths(void **state)
{
	(void) state;
	assert_string_equal(run("{\"a\": {\"b\": 1}, \"c\": 2}", "[{\"op\": \"rename\", \"from\": \"a.b\", \"to\": \"x.y\"}]"),
						"{\"c\":2,\"x\":{\"y\":1}}");
	/* a key that is not there is left alone */
	assert_string_equal(run("{\"c\": 2}", "[{\"op\": \"rename\", \"from\": \"a\", \"to\": \"b\"}]"), "{\"c\":2}");
	assert_string_equal(run("{\"a\": 1, \"b\": 2}", "[{\"op\": \"drop\", \"keys\": [\"z\"]}, {\"op\": \"rename\", \"from\": \"a\", \"to\": \"b\"}]"),
						"restructure operation 1 (rename): \"b\" is already there; renaming onto it would lose a value");
}

static void
nest_and_unnest_move_keys_into_an_object_and_back(void **state)
{
	(void) state;
	assert_string_equal(run("{\"city\": \"Bandung\", \"zip\": \"40111\", \"name\": \"x\"}",
							"[{\"op\": \"nest\", \"keys\": [\"city\", \"zip\", \"street\"], \"into\": \"location\"}]"),
						"{\"name\":\"x\",\"location\":{\"city\":\"Bandung\",\"zip\":\"40111\"}}");
	assert_string_equal(run("{\"name\":\"x\",\"location\":{\"city\":\"B\",\"zip\":\"4\"}}",
							"[{\"op\": \"unnest\", \"keys\": [\"city\", \"zip\"], \"path\": \"location\"}]"),
						"{\"name\":\"x\",\"city\":\"B\",\"zip\":\"4\"}");
}

static void
flatten_prefixes_the_keys_of_an_object_and_unflatten_collects_them(void **state)
{
	(void) state;
	assert_string_equal(run("{\"loc\": {\"city\": \"B\", \"geo\": {\"lat\": 1}}}",
							"[{\"op\": \"flatten\", \"path\": \"loc\", \"separator\": \"_\"}]"),
						"{\"loc_city\":\"B\",\"loc_geo\":{\"lat\":1}}");
	assert_string_equal(run("{\"loc_city\":\"B\",\"other\":1}", "[{\"op\": \"unflatten\", \"path\": \"loc\"}]"),
						"{\"other\":1,\"loc\":{\"city\":\"B\"}}");
}

static void
pick_drop_and_default_shape_the_top_level(void **state)
{
	(void) state;
	assert_string_equal(run("{\"a\": 1, \"b\": 2, \"c\": 3}", "[{\"op\": \"pick\", \"keys\": [\"a\", \"c\"]}]"), "{\"a\":1,\"c\":3}");
	assert_string_equal(run("{\"a\": 1, \"b\": 2}", "[{\"op\": \"drop\", \"keys\": [\"a\"]}]"), "{\"b\":2}");
	assert_string_equal(run("{\"currency\": \"IDR\"}", "[{\"op\": \"default\", \"values\": {\"currency\": \"EUR\", \"vat\": 11}}]"),
						"{\"currency\":\"IDR\",\"vat\":11}");
}

static void
cast_converts_or_follows_its_on_error_rule(void **state)
{
	(void) state;
	assert_string_equal(run("{\"q\": \" 12.5 \"}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"number\"}]"), "{\"q\":12.5}");
	assert_string_equal(run("{\"q\": 3}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"string\"}]"), "{\"q\":\"3\"}");
	assert_string_equal(run("{\"q\": \"yes\"}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"boolean\"}]"), "{\"q\":true}");
	assert_string_equal(run("{\"q\": \"abc\"}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"number\", \"on_error\": \"null\"}]"), "{\"q\":null}");
	assert_string_equal(run("{\"q\": \"abc\"}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"number\", \"on_error\": \"keep\"}]"), "{\"q\":\"abc\"}");
	assert_string_equal(run("{\"q\": \"abc\"}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"number\"}]"),
						"restructure operation 0 (cast): \"q\" is no number");
	/* a number beyond long long casts as text without undefined behaviour (found by fuzzing), as written */
	assert_string_equal(run("{\"q\": 7.5e109}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"string\"}]"),
						"{\"q\":\"7.5e109\"}");
}

static void
numbers_leave_exactly_as_they_came(void **state)
{
	(void) state;
	/* beyond a double's 17 digits, beyond its range, trailing zeros, in arrays, next to strings full of digits */
	assert_string_equal(run("{\"id\": 12345678901234567890123, \"big\": 1e400, \"p\": 12.30, \"z\": -0,"
							" \"s\": \"9 \\\" 8\", \"a\": [9007199254740993, {\"x\": 0.1000}], \"e\": 1E+2}",
							"[{\"op\": \"rename\", \"from\": \"id\", \"to\": \"order.id\"}]"),
						"{\"big\":1e400,\"p\":12.30,\"z\":-0,\"s\":\"9 \\\" 8\",\"a\":[9007199254740993,{\"x\":0.1000}],"
						"\"e\":1E+2,\"order\":{\"id\":12345678901234567890123}}");
	/* a cast to string and back keeps the digits, so its inverse is exact */
	assert_string_equal(run("{\"q\": 9007199254740993}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"string\"}]"),
						"{\"q\":\"9007199254740993\"}");
	assert_string_equal(run("{\"q\": \" 9007199254740993 \"}", "[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"number\"}]"),
						"{\"q\":9007199254740993}");
	assert_string_equal(run("{\"q\": [12345678901234567890, 2.50]}", "[{\"op\": \"join\", \"path\": \"q\", \"separator\": \"|\"}]"),
						"{\"q\":\"12345678901234567890|2.50\"}");
	/* map_values still compares a number by its value */
	assert_string_equal(run("{\"s\": 1.0}", "[{\"op\": \"map_values\", \"path\": \"s\", \"map\": {\"1\": 12345678901234567890}}]"),
						"{\"s\":12345678901234567890}");
	/* seventy digits, as jsonb prints 1e70 */
	assert_string_equal(run("[10000000000000000000000000000000000000000000000000000000000000000000000]", "[]"),
						"[10000000000000000000000000000000000000000000000000000000000000000000000]");
	/* a number cJSON reads but JSON does not have keeps cJSON's reading */
	assert_string_equal(run("{\"q\": 01}", "[]"), "{\"q\":1}");
}

static void
map_values_maps_scalars_and_falls_back_to_its_default(void **state)
{
	(void) state;
	assert_string_equal(run("{\"s\": 1}", "[{\"op\": \"map_values\", \"path\": \"s\", \"map\": {\"1\": \"active\"}, \"default\": \"unknown\"}]"),
						"{\"s\":\"active\"}");
	assert_string_equal(run("{\"s\": 7}", "[{\"op\": \"map_values\", \"path\": \"s\", \"map\": {\"1\": \"active\"}, \"default\": \"unknown\"}]"),
						"{\"s\":\"unknown\"}");
	assert_string_equal(run("{\"s\": 7}", "[{\"op\": \"map_values\", \"path\": \"s\", \"map\": {\"1\": \"active\"}}]"), "{\"s\":7}");
}

static void
split_cuts_a_delimited_list_into_a_trimmed_array_and_join_glues_it(void **state)
{
	(void) state;
	assert_string_equal(run("{\"composer\": \"A, B & C/D\"}",
							"[{\"op\": \"split\", \"path\": \"composer\", \"separators\": [\",\", \"&\", \"/\"]}]"),
						"{\"composer\":[\"A\",\"B\",\"C\",\"D\"]}");
	assert_string_equal(run("{\"t\": [\"a\", \"b\", 3]}", "[{\"op\": \"join\", \"path\": \"t\", \"separator\": \", \"}]"),
						"{\"t\":\"a, b, 3\"}");
	assert_string_equal(run("{\"t\": \"\"}", "[{\"op\": \"split\", \"path\": \"t\", \"separators\": [\",\"]}]"), "{\"t\":[]}");
}

static void
key_case_converts_every_key_at_every_depth(void **state)
{
	(void) state;
	assert_string_equal(run("{\"OrderID\": 1, \"ShipTo\": {\"ZipCode\": \"x\"}}",
							"[{\"op\": \"key_case\", \"from\": \"pascal\", \"to\": \"snake\"}]"),
						"{\"order_id\":1,\"ship_to\":{\"zip_code\":\"x\"}}");
}

static void
a_bad_spec_is_an_error_naming_the_operation(void **state)
{
	(void) state;
	assert_string_equal(run("{}", "[{\"op\": \"rename\", \"from\": \"a\", \"to\": \"b\"}, {\"op\": \"explode\", \"path\": \"x\"}]"),
						"restructure operation 1 (explode): unknown operation");
	assert_string_equal(run("{}", "[{\"from\": \"a\"}]"), "restructure operation 0 (?): needs \"op\"");
	assert_string_equal(run("{}", "{\"op\": \"drop\"}"), "json_restructure: the spec must be an array of operations");
	assert_string_equal(run("[1]", "[{\"op\": \"drop\", \"keys\": [\"a\"]}]"),
						"restructure operation 0 (drop): the document is not an object");
	assert_string_equal(run("{", "[]"), "json_restructure: the document is not valid JSON");
}

static const char *
inverse(const char *spec)
{
	fy_error	err = {0};
	char	   *out = fy_json_restructure_inverse(spec, &err);

	snprintf(result, sizeof(result), "%s", out ? out : err.message);
	fy_release(out);
	return result;
}

static void
the_inverse_reverses_the_operations_or_names_the_one_that_loses_data(void **state)
{
	(void) state;
	assert_string_equal(inverse("[{\"op\": \"rename\", \"from\": \"a\", \"to\": \"b\"}, {\"op\": \"key_case\", \"from\": \"pascal\", \"to\": \"snake\"}]"),
						"[{\"op\":\"key_case\",\"from\":\"snake\",\"to\":\"pascal\"},{\"op\":\"rename\",\"from\":\"b\",\"to\":\"a\"}]");
	assert_string_equal(inverse("[{\"op\": \"rename\", \"from\": \"a\", \"to\": \"b\"}, {\"op\": \"drop\", \"keys\": [\"x\"]}]"),
						"restructure operation 1 (drop): has no exact inverse: it drops or adds values that cannot be told apart afterwards");
	assert_string_equal(inverse("[{\"op\": \"cast\", \"path\": \"q\", \"to\": \"number\"}]"),
						"restructure operation 0 (cast): has no exact inverse: only a cast of a number or a boolean (\"from\") to a string comes back exactly");
	assert_string_equal(inverse("[{\"op\": \"map_values\", \"path\": \"s\", \"map\": {\"1\": \"a\", \"2\": \"a\"}}]"),
						"restructure operation 0 (map_values): has no exact inverse: the map is not one-to-one");
	assert_string_equal(inverse("[{\"op\": \"key_case\", \"to\": \"snake\"}]"),
						"restructure operation 0 (key_case): has no exact inverse: it needs \"from\" to know which case to go back to");
}

/* gen_doc: a random document over a small vocabulary, so operations hit. */
static cJSON *
gen_doc(unsigned *seed, int depth)
{
	static const char *const keys[] = {"order_id", "ship_to", "zip", "city", "qty", "tags", "status", "note"};
	cJSON	   *o = cJSON_CreateObject();
	int			n = (int) (rand_r(seed) % 6);

	for (int i = 0; i < n; i++)
	{
		const char *k = keys[rand_r(seed) % 8];
		int			kind = (int) (rand_r(seed) % 5);

		if (cJSON_GetObjectItemCaseSensitive(o, k) != NULL)
			continue;
		if (kind == 0 && depth < 3)
			cJSON_AddItemToObject(o, k, gen_doc(seed, depth + 1));
		else if (kind == 1)
			cJSON_AddNumberToObject(o, k, (double) (rand_r(seed) % 1000));
		else if (kind == 2)
			cJSON_AddBoolToObject(o, k, rand_r(seed) % 2);
		else if (kind == 3)
			cJSON_AddStringToObject(o, k, (rand_r(seed) % 2) ? "active" : "x,y");
		else
			cJSON_AddNullToObject(o, k);
	}
	return o;
}

static void
every_invertible_spec_comes_back_exactly_over_generated_documents(void **state)
{
	const char *spec = "[{\"op\": \"rename\", \"from\": \"order_id\", \"to\": \"ids.order\"},"
		"{\"op\": \"nest\", \"keys\": [\"city\", \"zip\"], \"into\": \"where\"},"
		"{\"op\": \"map_values\", \"path\": \"status\", \"map\": {\"active\": 1, \"x,y\": 2}},"
		"{\"op\": \"cast\", \"path\": \"qty\", \"from\": \"number\", \"to\": \"string\"},"
		"{\"op\": \"key_case\", \"from\": \"snake\", \"to\": \"camel\"}]";
	fy_error	err = {0};
	char	   *inv = fy_json_restructure_inverse(spec, &err);
	unsigned	seed = 42;
	int			checked = 0;

	(void) state;
	assert_non_null(inv);
	for (int i = 0; i < 2000; i++)
	{
		cJSON	   *d = gen_doc(&seed, 0);
		char	   *text = cJSON_PrintUnformatted(d);
		char	   *there = fy_json_restructure(text, spec, &err);
		char	   *back;
		cJSON	   *again;

		/* only documents the spec applies to (no collisions, qty a number) */
		cJSON	   *qty = cJSON_GetObjectItemCaseSensitive(d, "qty");

		if (there == NULL || (qty != NULL && !cJSON_IsNumber(qty) && !cJSON_IsNull(qty)) ||
			cJSON_GetObjectItemCaseSensitive(d, "where") != NULL ||
			cJSON_GetObjectItemCaseSensitive(d, "ids") != NULL)
		{
			memset(&err, 0, sizeof(err));
			fy_release(there);
			fy_release(text);
			cJSON_Delete(d);
			continue;
		}
		back = fy_json_restructure(there, inv, &err);
		assert_non_null(back);
		again = cJSON_Parse(back);
		if (!cJSON_Compare(d, again, true))
			fail_msg("round trip differs:\n  %s\n  %s\n  %s", text, there, back);
		checked++;
		cJSON_Delete(again);
		fy_release(back);
		fy_release(there);
		fy_release(text);
		cJSON_Delete(d);
	}
	assert_true(checked > 500);
	fy_release(inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rename_moves_a_value_along_dotted_paths),
		cmocka_unit_test(nest_and_unnest_move_keys_into_an_object_and_back),
		cmocka_unit_test(flatten_prefixes_the_keys_of_an_object_and_unflatten_collects_them),
		cmocka_unit_test(pick_drop_and_default_shape_the_top_level),
		cmocka_unit_test(cast_converts_or_follows_its_on_error_rule),
		cmocka_unit_test(numbers_leave_exactly_as_they_came),
		cmocka_unit_test(map_values_maps_scalars_and_falls_back_to_its_default),
		cmocka_unit_test(split_cuts_a_delimited_list_into_a_trimmed_array_and_join_glues_it),
		cmocka_unit_test(key_case_converts_every_key_at_every_depth),
		cmocka_unit_test(a_bad_spec_is_an_error_naming_the_operation),
		cmocka_unit_test(the_inverse_reverses_the_operations_or_names_the_one_that_loses_data),
		cmocka_unit_test(every_invertible_spec_comes_back_exactly_over_generated_documents),
	};

	return cmocka_run_group_tests_name("restructure", tests, NULL, NULL);
}
