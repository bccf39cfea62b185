/* test_legacy.c -- legacy text formats (json, php, query, kv) read into JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

static fy_error last;

/* LIT: a string literal and its length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1
#define CASE(format, s) {format, LIT(s)}

/*
 * convert_n returns the JSON text, or "error: <message>" with the error
 * kept in last, in a buffer that the next call reuses.
 */
static const char *
convert_n(const char *format, const char *text, size_t len)
{
	static char out[8192];
	char	   *json;

	memset(&last, 0, sizeof(last));
	json = fy_legacy_to_json(text, len, format, &last);
	if (json == NULL)
		snprintf(out, sizeof(out), "error: %s", last.message);
	else
		snprintf(out, sizeof(out), "%s", json);
	fy_release(json);
	return out;
}

static const char *
convert(const char *format, const char *text)
{
	return convert_n(format, text, strlen(text));
}

/*
 * nested writes depth levels of open, then leaf, then depth levels of
 * close, with room for a few more bytes.
 */
static char *
nested(int depth, const char *open, const char *leaf, const char *close)
{
	size_t		n = (strlen(open) + strlen(close)) * (size_t) depth + strlen(leaf) + 8;
	char	   *s = malloc(n);

	s[0] = '\0';
	for (int i = 0; i < depth; i++)
		strcat(s, open);
	strcat(s, leaf);
	for (int i = 0; i < depth; i++)
		strcat(s, close);
	return s;
}

/* nested_json: 512 arrays around a null, as PHP and JSON nest them. */
static const char *
nested_json(int depth)
{
	static char out[2048];
	char	   *s = nested(depth, "[", "null", "]");

	snprintf(out, sizeof(out), "%s", s);
	free(s);
	return out;
}

/* ------------------------------------------------------------------ json */

static void
json_takes_trailing_commas_single_quotes_and_comments(void **state)
{
	(void) state;
	assert_string_equal(convert("json", "[1, 2, 3,]"), "[1,2,3]");
	assert_string_equal(convert("json", "{'a': 'it\\'s', \"b\": {'c': 'say \"hi\"',},}"),
						"{\"a\":\"it's\",\"b\":{\"c\":\"say \\\"hi\\\"\"}}");
	assert_string_equal(convert("json", "// saved by v1\n{\"a\": /* was 2 */ 1}\n"),
						"{\"a\":1}");
	assert_string_equal(convert("json", "{\"a\" : [ ] , \"b\" : { } }"),
						"{\"a\":[],\"b\":{}}");
	assert_string_equal(convert("json", " \"top\" "), "\"top\"");
	assert_string_equal(convert("json", "[true,false,null]"), "[true,false,null]");
}

static void
json_numbers_keep_every_digit_including_huge_integers(void **state)
{
	(void) state;
	assert_string_equal(convert("json", "[123456789012345678901234567890, -0, -12, 1.5e-300, 2E+5, 0.25]"),
						"[123456789012345678901234567890,-0,-12,1.5e-300,2E+5,0.25]");
}

static void
json_escapes_and_surrogate_pairs_become_utf8(void **state)
{
	(void) state;
	assert_string_equal(convert("json", "\"\\u00e9\\ud83d\\ude00 h\\u00E9llo \\/ \\b\\f\\n\\r\\t\""),
						"\"é😀 héllo / \\u0008\\u000c\\n\\r\\t\"");
	/* a NUL byte is kept, not a string cut short */
	assert_string_equal(convert("json", "{'k\\u0000ey': 'a\\u0000b'}"),
						"{\"k\\u0000ey\":\"a\\u0000b\"}");
	assert_string_equal(convert("json", "['日本語', \"€\"]"), "[\"日本語\",\"€\"]");
}

static void
malformed_json_is_refused_at_the_offending_byte(void **state)
{
	(void) state;
	assert_string_equal(convert("json", "[1,,2]"), "error: json: expected a value at byte 3");
	assert_int_equal(last.code, FY_ERR_INVALID_JSON);
	assert_string_equal(convert("json", "{,}"), "error: json: expected a quoted key or '}' at byte 1");
	assert_string_equal(convert("json", "{\"a\" 1}"), "error: json: expected ':' at byte 5");
	assert_string_equal(convert("json", "{a: 1}"), "error: json: expected a quoted key or '}' at byte 1");
	assert_string_equal(convert("json", "[1 2]"), "error: json: expected ',' or ']' at byte 3");
	assert_string_equal(convert("json", "{\"a\":1]"), "error: json: expected ',' or '}' at byte 6");
	assert_string_equal(convert("json", "[1]]"), "error: json: unexpected data after the value at byte 3");
	assert_string_equal(convert("json", "[1"), "error: json: unexpected end of input at byte 2");
	assert_string_equal(convert("json", "\"abc"), "error: json: unterminated string at byte 0");
	assert_string_equal(convert("json", "[1] /* open"), "error: json: unterminated comment at byte 4");
	assert_string_equal(convert("json", "[01]"), "error: json: leading zero in a number at byte 1");
	assert_string_equal(convert("json", "[-]"), "error: json: expected a digit at byte 2");
	assert_string_equal(convert("json", "[1.]"), "error: json: expected a digit at byte 3");
	assert_string_equal(convert("json", "[1e+]"), "error: json: expected a digit at byte 4");
	assert_string_equal(convert("json", "[tru]"), "error: json: expected a value at byte 1");
	assert_string_equal(convert("json", "\"a\\x\""), "error: json: invalid escape at byte 2");
	assert_string_equal(convert("json", "\"\\u12\""), "error: json: invalid \\u escape at byte 1");
	assert_string_equal(convert("json", "\"\\ud83d x\""), "error: json: lone surrogate \\uD83D at byte 1");
	assert_string_equal(convert("json", "\"\\ude00\""), "error: json: lone surrogate \\uDE00 at byte 1");
	assert_string_equal(convert("json", "\"a\tb\""), "error: json: control character in string at byte 2");
	assert_string_equal(convert("json", "\"ab\xC3\x28\""), "error: json: invalid UTF-8 at byte 3");
	assert_string_equal(convert("json", "\"\xED\xA0\x80\""), "error: json: invalid UTF-8 at byte 1");
	assert_string_equal(convert("json", "\"\xC0\xAF\""), "error: json: invalid UTF-8 at byte 1");
}

static void
json_duplicate_keys_are_an_error_naming_the_key(void **state)
{
	(void) state;
	assert_string_equal(convert("json", "{\"a\": 1, \"b\": {\"a\": 2}, 'a': 3}"),
						"error: json: duplicate key \"a\" at byte 24");
	assert_int_equal(last.code, FY_ERR_INVALID_JSON);
	/* a long key is cut in a message, on a character boundary */
	assert_string_equal(convert("json", "{\"0123456789012345678901234567890123456789012345678901234567890123é\":1,"
								"'0123456789012345678901234567890123456789012345678901234567890123é':2}"),
						"error: json: duplicate key \"0123456789012345678901234567890123456789012345678901234567890123...\" at byte 72");
	assert_string_equal(convert("kv", "012345678901234567890123456789012345678901234567890123456789012é=1;"
								"012345678901234567890123456789012345678901234567890123456789012é=2"),
						"error: kv: duplicate key \"012345678901234567890123456789012345678901234567890123456789012...\" at byte 68");
	/* the same key in two objects is no duplicate */
	assert_string_equal(convert("json", "[{\"a\":1},{\"a\":2}]"), "[{\"a\":1},{\"a\":2}]");
}

/* ------------------------------------------------------------------- php */

static void
php_scalars_become_json_scalars(void **state)
{
	(void) state;
	assert_string_equal(convert("php", "N;"), "null");
	assert_string_equal(convert("php", "b:1;"), "true");
	assert_string_equal(convert("php", "b:0;"), "false");
	assert_string_equal(convert("php", "i:123;"), "123");
	assert_string_equal(convert("php", "i:-42;"), "-42");
	assert_string_equal(convert("php", "i:99999999999999999999999;"), "99999999999999999999999");
	assert_string_equal(convert("php", "i:+007;"), "7");
	assert_string_equal(convert("php", "i:-0;"), "0");
	assert_string_equal(convert("php", "d:1.5;"), "1.5");
	assert_string_equal(convert("php", "d:-0.1;"), "-0.1");
	assert_string_equal(convert("php", "d:1.0E+25;"), "1.0e25");
	assert_string_equal(convert("php", "d:2.5E-7;"), "2.5e-7");
	assert_string_equal(convert("php", "d:.5;"), "0.5");
	assert_string_equal(convert("php", "d:3.;"), "3");
	assert_string_equal(convert("php", "d:-7;"), "-7");
	assert_string_equal(convert("php", "s:0:\"\";"), "\"\"");
	assert_string_equal(convert("php", "s:5:\"a\"b\"c\";"), "\"a\\\"b\\\"c\"");
	assert_string_equal(convert("php", "i:1;\n"), "1");
}

static void
php_string_lengths_count_the_bytes_of_multibyte_utf8(void **state)
{
	(void) state;
	assert_string_equal(convert("php", "s:6:\"héllo\";"), "\"héllo\"");
	assert_string_equal(convert("php", "s:9:\"日本語\";"), "\"日本語\"");
	assert_string_equal(convert("php", "s:4:\"😀\";"), "\"😀\"");
	/* five characters, six bytes: the length counted in characters is wrong */
	assert_string_equal(convert("php", "s:5:\"héllo\";"),
						"error: php: expected '\"' after the 5 bytes of a string at byte 10");
}

static void
php_strings_must_be_utf8_but_may_hold_nul_and_control_bytes(void **state)
{
	(void) state;
	assert_string_equal(convert_n("php", LIT("s:3:\"a\0\n\";")), "\"a\\u0000\\n\"");
	assert_string_equal(convert("php", "s:2:\"\xE9t\";"), "error: php: invalid UTF-8 at byte 5");
	/* a length that cuts a character in two */
	assert_string_equal(convert("php", "s:1:\"\xC3\xA9\";"), "error: php: invalid UTF-8 at byte 5");
}

static void
php_arrays_keyed_0_to_n_minus_1_in_order_become_json_arrays(void **state)
{
	(void) state;
	assert_string_equal(convert("php", "a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}"), "[\"a\",\"b\"]");
	assert_string_equal(convert("php", "a:0:{}"), "[]");
	/* PHP counts the string "1" and the integer 1 as one key */
	assert_string_equal(convert("php", "a:2:{s:1:\"0\";N;s:1:\"1\";N;}"), "[null,null]");
	/* out of order, not from 0, with a gap, or with a string key: an object */
	assert_string_equal(convert("php", "a:2:{i:1;s:1:\"b\";i:0;s:1:\"a\";}"), "{\"1\":\"b\",\"0\":\"a\"}");
	assert_string_equal(convert("php", "a:1:{i:1;N;}"), "{\"1\":null}");
	assert_string_equal(convert("php", "a:2:{i:0;N;i:2;N;}"), "{\"0\":null,\"2\":null}");
	assert_string_equal(convert("php", "a:2:{i:0;s:1:\"a\";s:3:\"key\";i:5;}"), "{\"0\":\"a\",\"key\":5}");
	assert_string_equal(convert("php", "a:1:{s:2:\"00\";N;}"), "{\"00\":null}");
	assert_string_equal(convert("php", "a:1:{i:-1;N;}"), "{\"-1\":null}");
}

static void
php_nested_arrays_keep_their_shape(void **state)
{
	(void) state;
	assert_string_equal(convert("php",
								"a:3:{s:4:\"name\";s:6:\"Ünïc\";s:4:\"tags\";a:2:{i:0;s:1:\"x\";i:1;s:1:\"y\";}"
								"s:4:\"meta\";a:2:{s:1:\"a\";a:0:{}s:1:\"b\";a:1:{i:0;d:0.5;}}}"),
						"{\"name\":\"Ünïc\",\"tags\":[\"x\",\"y\"],\"meta\":{\"a\":[],\"b\":[0.5]}}");
}

static void
php_inf_nan_objects_enums_and_references_are_refused_by_name(void **state)
{
	(void) state;
	assert_string_equal(convert("php", "d:INF;"), "error: php: INF has no JSON form at byte 2");
	assert_string_equal(convert("php", "d:-INF;"), "error: php: INF has no JSON form at byte 2");
	assert_string_equal(convert("php", "a:1:{i:0;d:NAN;}"), "error: php: NAN has no JSON form at byte 11");
	assert_string_equal(convert("php", "O:8:\"stdClass\":0:{}"),
						"error: php: serialized objects (O:) are not supported at byte 0");
	assert_string_equal(convert("php", "a:1:{i:0;C:3:\"Foo\":0:{}}"),
						"error: php: serialized objects (C:) are not supported at byte 9");
	assert_string_equal(convert("php", "E:7:\"Foo:Bar\";"), "error: php: enums (E:) are not supported at byte 0");
	assert_string_equal(convert("php", "a:2:{i:0;i:1;i:1;R:2;}"),
						"error: php: references (R:) are not supported at byte 17");
	assert_string_equal(convert("php", "S:1:\"\\61\";"),
						"error: php: escaped strings (S:) are not supported at byte 0");
}

static void
malformed_php_is_refused_at_the_offending_byte(void **state)
{
	(void) state;
	assert_string_equal(convert("php", "a:2:{i:0;s:1:\"a\"i:1;}"), "error: php: expected ';' at byte 16");
	assert_int_equal(last.code, FY_ERR_INVALID_JSON);
	assert_string_equal(convert("php", "a:1{i:0;N;}"), "error: php: expected ':' at byte 3");
	assert_string_equal(convert("php", "a:2:{i:0;N;}"), "error: php: the array declares 2 elements but has 1 at byte 11");
	assert_string_equal(convert("php", "a:1:{i:0;N;i:1;N;}"), "error: php: expected '}' at byte 11");
	assert_string_equal(convert("php", "a:1:{i:0;N;"), "error: php: expected '}' at byte 11");
	assert_string_equal(convert("php", "a:1:{N;N;}"), "error: php: expected an array key (i: or s:) at byte 5");
	assert_string_equal(convert("php", "a:1:{d:1.5;N;}"), "error: php: expected an array key (i: or s:) at byte 5");
	assert_string_equal(convert("php", "s:10:\"abc\";"), "error: php: a string of 10 bytes runs past the end at byte 6");
	assert_string_equal(convert("php", "s:99999999999999999999999:\"\";"), "error: php: length exceeds the input at byte 2");
	assert_string_equal(convert("php", "i:;"), "error: php: expected a digit at byte 2");
	assert_string_equal(convert("php", "i:1.5;"), "error: php: expected ';' at byte 3");
	assert_string_equal(convert("php", "d:1e;"), "error: php: expected a digit at byte 4");
	assert_string_equal(convert("php", "b:2;"), "error: php: expected 0 or 1 at byte 2");
	assert_string_equal(convert("php", "N"), "error: php: expected ';' at byte 1");
	assert_string_equal(convert("php", "x:1;"), "error: php: expected a value (N, b, i, d, s or a) at byte 0");
	assert_string_equal(convert("php", "i:1;i:2;"), "error: php: unexpected data after the value at byte 4");
	assert_string_equal(convert("php", "a:2:{i:1;b:1;s:1:\"1\";b:0;}"), "error: php: duplicate key \"1\" at byte 13");
}

/* ----------------------------------------------------------------- query */

static void
query_builds_nested_values_from_php_brackets(void **state)
{
	(void) state;
	assert_string_equal(convert("query", "a=1&b[]=2&b[]=3&c[x]=4&d=%20x+y"),
						"{\"a\":\"1\",\"b\":[\"2\",\"3\"],\"c\":{\"x\":\"4\"},\"d\":\" x y\"}");
	assert_string_equal(convert("query", "u[0][n]=a&u[0][m]=b&u[1][n]=c"),
						"{\"u\":[{\"n\":\"a\",\"m\":\"b\"},{\"n\":\"c\"}]}");
	assert_string_equal(convert("query", "m[][]=1&m[][]=2"), "{\"m\":[[\"1\"],[\"2\"]]}");
	/* [] appends at PHP's next free integer key */
	assert_string_equal(convert("query", "b[5]=x&b[]=y&b[k]=z&b[]=w"),
						"{\"b\":{\"5\":\"x\",\"6\":\"y\",\"k\":\"z\",\"7\":\"w\"}}");
	/* the top level is an object even when its keys count from 0 */
	assert_string_equal(convert("query", "0=a&1=b"), "{\"0\":\"a\",\"1\":\"b\"}");
	assert_string_equal(convert("query", ""), "{}");
	assert_string_equal(convert("query", "&&a=1&"), "{\"a\":\"1\"}");
}

static void
query_decodes_percent_and_plus_in_keys_and_values(void **state)
{
	(void) state;
	/* http_build_query encodes the brackets too */
	assert_string_equal(convert("query", "c%5Bx%5D=h%C3%A9llo&flag&e=&f.g=a%3Db%26c"),
						"{\"c\":{\"x\":\"héllo\"},\"flag\":\"\",\"e\":\"\",\"f.g\":\"a=b&c\"}");
	assert_string_equal(convert("query", "n=%00%0A%22"), "{\"n\":\"\\u0000\\n\\\"\"}");
	assert_string_equal(convert("query", "q=%e6%97%a5+%2B"), "{\"q\":\"日 +\"}");
}

static void
query_keys_given_twice_or_given_a_value_and_keys_are_errors(void **state)
{
	(void) state;
	assert_string_equal(convert("query", "a=1&a=2"), "error: query: duplicate key \"a\" at byte 4");
	assert_string_equal(convert("query", "c[x]=1&c[x]=2"), "error: query: duplicate key \"c[x]\" at byte 7");
	assert_string_equal(convert("query", "a=1&a[x]=2"), "error: query: \"a\" has both a value and keys at byte 4");
	assert_string_equal(convert("query", "a[x]=1&a=2"), "error: query: duplicate key \"a\" at byte 7");
	assert_string_equal(convert("query", "a[x]=1&a[x][y]=2"), "error: query: \"a[x]\" has both a value and keys at byte 7");
	assert_string_equal(convert("query", "a[9223372036854775807]=1&a[]=2"),
						"error: query: no free integer key left for \"a[]\" at byte 25");
	assert_string_equal(convert("query", "a[9223372036854775807]=1&a[][x]=2"),
						"error: query: no free integer key left for \"a[]\" at byte 25");
	assert_string_equal(convert("query", "a[-9223372036854775808]=1&a[]=2&a[9223372036854775808]=3&a[]=4"),
						"{\"a\":{\"-9223372036854775808\":\"1\",\"0\":\"2\",\"9223372036854775808\":\"3\",\"1\":\"4\"}}");
}

static void
malformed_query_is_refused_at_the_offending_byte(void **state)
{
	(void) state;
	assert_string_equal(convert("query", "a=1&b=%2"), "error: query: invalid percent escape at byte 6");
	assert_int_equal(last.code, FY_ERR_INVALID_JSON);
	assert_string_equal(convert("query", "a=1&b=%zz1"), "error: query: invalid percent escape at byte 6");
	assert_string_equal(convert("query", "ok=1&b%5Bx=1"), "error: query: unclosed '[' in a key at byte 6");
	assert_string_equal(convert("query", "a[x]y=1"), "error: query: expected '[' after ']' in a key at byte 4");
	assert_string_equal(convert("query", "a=%C3%28"), "error: query: invalid UTF-8 at byte 2");
	assert_string_equal(convert("query", "a=1&b=x\xFF"), "error: query: invalid UTF-8 at byte 7");
	assert_string_equal(convert("query", "%41%42%ff=1"), "error: query: invalid UTF-8 at byte 6");
}

/* -------------------------------------------------------------------- kv */

static void
kv_trims_keys_and_keeps_values_exactly(void **state)
{
	(void) state;
	assert_string_equal(convert("kv", "a=1; b = 2 ;c;;d=x=y; "),
						"{\"a\":\"1\",\"b\":\" 2 \",\"c\":\"\",\"d\":\"x=y\"}");
	assert_string_equal(convert("kv", ""), "{}");
	assert_string_equal(convert("kv", "naïve=ü"), "{\"naïve\":\"ü\"}");
}

static void
kv_separators_are_chosen_in_the_format(void **state)
{
	(void) state;
	assert_string_equal(convert("kv:&:=", "a=1&b=2"), "{\"a\":\"1\",\"b\":\"2\"}");
	assert_string_equal(convert("kv:\\n:: ", "Host: db1\nPort: 5432\n\n"),
						"{\"Host\":\"db1\",\"Port\":\"5432\"}");
	assert_string_equal(convert("kv:\\r\\n:\\:", "a:1\r\nb:2:3"), "{\"a\":\"1\",\"b\":\"2:3\"}");
	assert_string_equal(convert("kv:||:=>", "x=>1||y=>2"), "{\"x\":\"1\",\"y\":\"2\"}");
	assert_string_equal(convert("kv:,:\\t", "a\t1,b\t2"), "{\"a\":\"1\",\"b\":\"2\"}");
	/* a literal newline in the format works as \n does */
	assert_string_equal(convert("kv:\n:=", "a=1\nb=2"), "{\"a\":\"1\",\"b\":\"2\"}");
}

static void
kv_duplicate_keys_are_an_error_naming_the_key(void **state)
{
	(void) state;
	assert_string_equal(convert("kv", "a=1;b=2; a =3"), "error: kv: duplicate key \"a\" at byte 9");
	assert_int_equal(last.code, FY_ERR_INVALID_JSON);
	assert_string_equal(convert("kv", "a=\xC3"), "error: kv: invalid UTF-8 at byte 2");
}

static void
bad_kv_separators_and_unknown_formats_are_spec_errors(void **state)
{
	const char *bad[] = {"kv:", "kv:;", "kv:;:", "kv::=", "kv:&:&&", "kv:ab:b",
		"kv:\\x:=", "kv:;:12345678901234567", "kv:\\", "kv:\\:="};

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		char		want[256];

		snprintf(want, sizeof(want), "error: invalid kv format \"%s\": expected kv:<pair separator>:<key separator>, each 1 to 16 bytes, neither containing the other", bad[i]);
		assert_string_equal(convert(bad[i], "a=1"), want);
		assert_int_equal(last.code, FY_ERR_INVALID_SPEC);
	}
	assert_string_equal(convert("kv:;:1234567890123456", "a1234567890123456b;c"), "{\"a\":\"b\",\"c\":\"\"}");
	assert_string_equal(convert("xml", "<a/>"),
						"error: unknown legacy format \"xml\": expected json, php, query, kv or kv:<pair separator>:<key separator>");
	assert_int_equal(last.code, FY_ERR_INVALID_SPEC);
	assert_string_equal(convert("JSON", "1"),
						"error: unknown legacy format \"JSON\": expected json, php, query, kv or kv:<pair separator>:<key separator>");
	assert_string_equal(convert("kv;=", "a=1"),
						"error: unknown legacy format \"kv;=\": expected json, php, query, kv or kv:<pair separator>:<key separator>");
}

/* ---------------------------------------------------------------- limits */

static void
null_arguments_are_refused_and_empty_input_is_per_format(void **state)
{
	fy_error	err = {0};

	(void) state;
	assert_null(fy_legacy_to_json(NULL, 0, "json", &err));
	assert_int_equal(err.code, FY_ERR_NULL_ARGUMENT);
	memset(&err, 0, sizeof(err));
	assert_null(fy_legacy_to_json("1", 1, NULL, &err));
	assert_int_equal(err.code, FY_ERR_NULL_ARGUMENT);
	assert_string_equal(convert("json", ""), "error: json: unexpected end of input at byte 0");
	assert_string_equal(convert("json", "  // nothing\n"), "error: json: unexpected end of input at byte 13");
	assert_string_equal(convert("php", ""), "error: php: expected a value (N, b, i, d, s or a) at byte 0");
	assert_string_equal(convert("query", ""), "{}");
	assert_string_equal(convert("kv", ""), "{}");
}

static void
nesting_deeper_than_512_is_an_error_not_a_stack_overflow(void **state)
{
	char	   *s;
	char	   *t;
	char		want[4096];

	(void) state;
	s = nested(512, "[", "1", "]");
	assert_memory_equal(convert("json", s), s, strlen(s));
	free(s);
	s = nested(513, "[", "1", "]");
	assert_string_equal(convert("json", s), "error: json: nesting deeper than 512 levels at byte 512");
	free(s);
	s = nested(100000, "{'a':", "1", "}");
	assert_string_equal(convert("json", s), "error: json: nesting deeper than 512 levels at byte 2560");
	free(s);

	s = nested(512, "a:1:{i:0;", "N;", "}");
	assert_string_equal(convert("php", s), nested_json(512));
	free(s);
	s = nested(513, "a:1:{i:0;", "N;", "}");
	assert_string_equal(convert("php", s), "error: php: nesting deeper than 512 levels at byte 4608");
	free(s);

	s = nested(511, "", "a", "[x]");
	strcat(s, "=1");
	t = nested(511, "{\"x\":", "\"1\"", "}");
	snprintf(want, sizeof(want), "{\"a\":%s}", t);
	assert_string_equal(convert("query", s), want);
	free(t);
	free(s);
	s = nested(512, "", "a", "[]");
	strcat(s, "=1");
	assert_string_equal(convert("query", s), "error: query: nesting deeper than 512 levels at byte 1023");
	free(s);
}

static void
input_over_64_mib_is_refused_before_parsing(void **state)
{
	size_t		n = (size_t) 64 * 1024 * 1024;
	char	   *s = malloc(n + 1);

	(void) state;
	memset(s, ' ', n + 1);
	s[0] = '1';
	assert_string_equal(convert_n("json", s, n), "1");
	assert_string_equal(convert_n("json", s, n + 1),
						"error: json: the input is 67108865 bytes, more than the limit of 64 MiB");
	assert_int_equal(last.code, FY_ERR_NOT_SUPPORTED);
	free(s);
}

static void
nothing_past_len_is_read(void **state)
{
	(void) state;
	assert_string_equal(convert_n("json", "[1,2]", 3), "error: json: unexpected end of input at byte 3");
	assert_string_equal(convert_n("json", "\"abc\"", 4), "error: json: unterminated string at byte 0");
	assert_string_equal(convert_n("json", "\"\\u00e9\"", 6), "error: json: unterminated string at byte 0");
	assert_string_equal(convert_n("json", "tru", 3), "error: json: expected a value at byte 0");
	assert_string_equal(convert_n("php", "s:5:\"hello\";", 9), "error: php: a string of 5 bytes runs past the end at byte 5");
	assert_string_equal(convert_n("php", "d:INF;", 4), "error: php: expected a digit at byte 2");
	assert_string_equal(convert_n("query", "a=%41", 4), "error: query: invalid percent escape at byte 2");
	assert_string_equal(convert_n("kv:;:==", "a==1", 2), "{\"a=\":\"\"}");
}

/* The output of every format reads back as itself through the json format. */
static void
every_output_reads_back_unchanged_as_json(void **state)
{
	static const struct
	{
		const char *format;
		const char *text;
		size_t		len;
	}			cases[] = {
		CASE("php", "a:3:{s:1:\"a\";s:3:\"\x01\"\\\";i:1;d:-.5E+3;s:1:\"c\";a:0:{}}"),
		CASE("php", "a:2:{i:0;s:3:\"\0\n\t\";i:1;i:-000;}"),
		CASE("query", "a[b][]=%0D%0A&a[b][]=%7F&c=%22%5C"),
		CASE("kv", "k=\"\\;\tx=\x1f"),
		CASE("json", "{'\\u001f': [1e5, -0.0, 'x\\'y'],}"),
	};

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		fy_error	err = {0};
		char	   *once = fy_legacy_to_json(cases[i].text, cases[i].len,
											 cases[i].format, &err);
		char	   *twice;

		assert_non_null(once);
		twice = fy_legacy_to_json(once, strlen(once), "json", &err);
		assert_non_null(twice);
		assert_string_equal(once, twice);
		fy_release(once);
		fy_release(twice);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_takes_trailing_commas_single_quotes_and_comments),
		cmocka_unit_test(json_numbers_keep_every_digit_including_huge_integers),
		cmocka_unit_test(json_escapes_and_surrogate_pairs_become_utf8),
		cmocka_unit_test(malformed_json_is_refused_at_the_offending_byte),
		cmocka_unit_test(json_duplicate_keys_are_an_error_naming_the_key),
		cmocka_unit_test(php_scalars_become_json_scalars),
		cmocka_unit_test(php_string_lengths_count_the_bytes_of_multibyte_utf8),
		cmocka_unit_test(php_strings_must_be_utf8_but_may_hold_nul_and_control_bytes),
		cmocka_unit_test(php_arrays_keyed_0_to_n_minus_1_in_order_become_json_arrays),
		cmocka_unit_test(php_nested_arrays_keep_their_shape),
		cmocka_unit_test(php_inf_nan_objects_enums_and_references_are_refused_by_name),
		cmocka_unit_test(malformed_php_is_refused_at_the_offending_byte),
		cmocka_unit_test(query_builds_nested_values_from_php_brackets),
		cmocka_unit_test(query_decodes_percent_and_plus_in_keys_and_values),
		cmocka_unit_test(query_keys_given_twice_or_given_a_value_and_keys_are_errors),
		cmocka_unit_test(malformed_query_is_refused_at_the_offending_byte),
		cmocka_unit_test(kv_trims_keys_and_keeps_values_exactly),
		cmocka_unit_test(kv_separators_are_chosen_in_the_format),
		cmocka_unit_test(kv_duplicate_keys_are_an_error_naming_the_key),
		cmocka_unit_test(bad_kv_separators_and_unknown_formats_are_spec_errors),
		cmocka_unit_test(null_arguments_are_refused_and_empty_input_is_per_format),
		cmocka_unit_test(nesting_deeper_than_512_is_an_error_not_a_stack_overflow),
		cmocka_unit_test(input_over_64_mib_is_refused_before_parsing),
		cmocka_unit_test(nothing_past_len_is_read),
		cmocka_unit_test(every_output_reads_back_unchanged_as_json),
	};

	return cmocka_run_group_tests_name("legacy", tests, NULL, NULL);
}
