/* test_json.c -- key case conversion and the conversions' inverses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "ferry.h"

static char *
convert_key(const char *key, fy_case style)
{
	static char out[128];
	fy_buf		b;

	fy_buf_init(&b);
	fy_key_case(&b, key, style);
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	fy_buf_free(&b);
	return out;
}

static void
pascal_and_camel_keys_become_snake_case_with_acronyms_kept_whole(void **state)
{
	(void) state;
	assert_string_equal(convert_key("OrderData", FY_CASE_SNAKE), "order_data");
	assert_string_equal(convert_key("orderId", FY_CASE_SNAKE), "order_id");
	assert_string_equal(convert_key("OrderID", FY_CASE_SNAKE), "order_id");
	assert_string_equal(convert_key("HTTPServer", FY_CASE_SNAKE), "http_server");
	assert_string_equal(convert_key("Address2Line", FY_CASE_SNAKE), "address2_line");
	assert_string_equal(convert_key("already_snake", FY_CASE_SNAKE), "already_snake");
	assert_string_equal(convert_key("", FY_CASE_SNAKE), "");
}

static void
snake_keys_become_pascal_or_camel_and_back_exactly(void **state)
{
	const char *keys[] = {"order_data", "id", "customer_email_address", "line2_total"};

	(void) state;
	assert_string_equal(convert_key("order_data", FY_CASE_PASCAL), "OrderData");
	assert_string_equal(convert_key("order_data", FY_CASE_CAMEL), "orderData");
	assert_string_equal(convert_key("_private", FY_CASE_PASCAL), "_private");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
	{
		char		pascal[128];

		snprintf(pascal, sizeof(pascal), "%s", convert_key(keys[i], FY_CASE_PASCAL));
		assert_string_equal(convert_key(pascal, FY_CASE_SNAKE), keys[i]);
	}
}

static void
every_key_of_a_document_converts_at_any_depth(void **state)
{
	/* read and written by fy_json_parse / fy_json_print, as the engines do: numbers stay as written */
	cJSON	   *doc = fy_json_parse("{\"OrderId\": 9007199254740993, \"Lines\": [{\"ItemName\": \"A\", \"Qty\": 2.50}], \"Ship\": {\"ZipCode\": \"X\"}}");
	fy_error	err = {0};
	char	   *out;

	(void) state;
	assert_true(fy_json_keys_case(doc, FY_CASE_SNAKE, &err));
	out = fy_json_print(doc);
	assert_string_equal(out, "{\"order_id\":9007199254740993,\"lines\":[{\"item_name\":\"A\",\"qty\":2.50}],\"ship\":{\"zip_code\":\"X\"}}");
	fy_release(out);
	cJSON_Delete(doc);
}

static void
keys_that_would_collide_are_an_error_not_a_lost_value(void **state)
{
	cJSON	   *doc = cJSON_Parse("{\"userId\": 1, \"user_id\": 2}");
	fy_error	err = {0};

	(void) state;
	assert_false(fy_json_keys_case(doc, FY_CASE_SNAKE, &err));
	assert_string_equal(err.message, "keys \"userId\" and \"user_id\" of one object would both become \"user_id\"");
	cJSON_Delete(doc);
}

static void
every_conversion_has_an_inverse_and_a_name(void **state)
{
	fy_convert	c;

	(void) state;
	for (int i = FY_CONV_EPOCH_TO_TIMESTAMP; i <= FY_CONV_DELETED_AT_TO_FLAG; i++)
		assert_int_equal(fy_convert_inverse(fy_convert_inverse((fy_convert) i)), i);
	assert_true(fy_convert_parse("cents_to_decimal", &c));
	assert_int_equal(c, FY_CONV_CENTS_TO_DECIMAL);
	assert_string_equal(fy_convert_name(fy_convert_inverse(c)), "decimal_to_cents");
	assert_false(fy_convert_parse("euros_to_cents", &c));
	assert_false(fy_convert_parse(NULL, &c));
}

static void
conversions_render_in_each_dialect(void **state)
{
	fy_error	err = {0};
	fy_phase   *ph = fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
									"\"a\": {\"from\": \"c\", \"convert\": \"epoch_to_timestamp\"},"
									"\"b\": {\"from\": \"c\", \"convert\": \"cents_to_decimal\"},"
									"\"d\": {\"from\": \"c\", \"convert\": \"flag_to_deleted_at\", \"at\": \"e\"}}}", &err);
	fy_meta    *meta = fy_meta_parse("{\"catalog_schema\": \"ferry\", \"phase_id\": 1,"
									 "\"source\": {\"name\": \"s\", \"columns\": [{\"name\": \"id\", \"type\": \"int\"},"
									 "{\"name\": \"c\", \"type\": \"int\"}, {\"name\": \"e\", \"type\": \"timestamptz\"}]},"
									 "\"target\": {\"name\": \"t\", \"columns\": [{\"name\": \"id\", \"type\": \"uuid\"},"
									 "{\"name\": \"a\", \"type\": \"timestamptz\"}, {\"name\": \"b\", \"type\": \"numeric\"},"
									 "{\"name\": \"d\", \"type\": \"timestamptz\"}]}}", &err);
	fy_plan    *pg, *my;

	(void) state;
	assert_non_null(ph);
	assert_non_null(meta);
	pg = fy_plan_migrate(ph, meta, FY_POSTGRES, 1, &err);
	my = fy_plan_migrate(ph, meta, FY_MARIADB, 1, &err);
	assert_non_null(pg);
	assert_non_null(my);
	assert_non_null(strstr(pg->stmts[1].sql, "to_timestamp(s.\"c\")"));
	assert_non_null(strstr(pg->stmts[1].sql, "((s.\"c\")::numeric / 100)"));
	assert_non_null(strstr(pg->stmts[1].sql, "CASE WHEN lower((s.\"c\")::text) NOT IN ('0', 'false', 'f', 'no', 'n', 'off', '') THEN s.\"e\" END"));
	assert_non_null(strstr(my->stmts[1].sql, "FROM_UNIXTIME(s.`c`)"));
	assert_non_null(strstr(my->stmts[1].sql, "(CAST(s.`c` AS DECIMAL(65,4)) / 100)"));
	fy_plan_free(pg);
	fy_plan_free(my);
	fy_phase_free(ph);
	fy_meta_free(meta);
}

static void
a_bad_conversion_is_refused_by_name(void **state)
{
	fy_error	err = {0};

	(void) state;
	assert_null(fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
								"\"a\": {\"from\": \"c\", \"convert\": \"euros\"}}}", &err));
	assert_non_null(strstr(err.message, "unknown conversion \"euros\""));
	memset(&err, 0, sizeof(err));
	assert_null(fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
								"\"a\": {\"from\": \"c\", \"convert\": \"cents_to_decimal\", \"at\": \"e\"}}}", &err));
	assert_non_null(strstr(err.message, "flag_to_deleted_at"));
	memset(&err, 0, sizeof(err));
	assert_null(fy_phase_parse("x", "{\"source\": \"s\", \"target\": \"t\", \"columns\": {"
								"\"a\": {\"const\": 5, \"convert\": \"cents_to_decimal\"}}}", &err));
	assert_non_null(strstr(err.message, "needs \"from\" or \"sql\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pascal_and_camel_keys_become_snake_case_with_acronyms_kept_whole),
		cmocka_unit_test(snake_keys_become_pascal_or_camel_and_back_exactly),
		cmocka_unit_test(every_key_of_a_document_converts_at_any_depth),
		cmocka_unit_test(keys_that_would_collide_are_an_error_not_a_lost_value),
		cmocka_unit_test(every_conversion_has_an_inverse_and_a_name),
		cmocka_unit_test(conversions_render_in_each_dialect),
		cmocka_unit_test(a_bad_conversion_is_refused_by_name),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
