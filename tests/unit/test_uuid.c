/* test_uuid.c -- UUID v4/v5/v7 and SHA-1 against published vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

static void
sha1_matches_the_fips_vectors(void **state)
{
	static const struct
	{
		const char *in;
		const char *hex;
	}			v[] = {
		{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		"84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	};

	(void) state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
	{
		uint8_t		d[20];
		char		hex[41];

		fy_sha1(v[i].in, strlen(v[i].in), d);
		for (int j = 0; j < 20; j++)
			snprintf(hex + 2 * j, 3, "%02x", d[j]);
		assert_string_equal(hex, v[i].hex);
	}
}

static void
sha1_of_a_million_a_fed_in_odd_chunks_matches(void **state)
{
	fy_sha1_ctx ctx;
	uint8_t		d[20];
	char		hex[41];
	char		chunk[7];
	size_t		left = 1000000;

	(void) state;
	memset(chunk, 'a', sizeof(chunk));
	fy_sha1_init(&ctx);
	while (left > 0)
	{
		size_t		n = left < sizeof(chunk) ? left : sizeof(chunk);

		fy_sha1_update(&ctx, chunk, n);
		left -= n;
	}
	fy_sha1_final(&ctx, d);
	for (int j = 0; j < 20; j++)
		snprintf(hex + 2 * j, 3, "%02x", d[j]);
	assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void
uuid_v5_matches_the_rfc_9562_vector(void **state)
{
	fy_uuid		ns, out;
	char		text[37];

	(void) state;
	assert_true(fy_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8", &ns));
	fy_uuid_v5(&ns, "www.example.com", 15, &out);
	fy_uuid_format(&out, text);
	assert_string_equal(text, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

static void
phase_namespace_is_the_v5_of_the_phase_name_in_ferrys_namespace(void **state)
{
	fy_uuid		ns, url, ferry, expect;
	char		a[37], b[37];

	(void) state;
	assert_true(fy_uuid_parse("6ba7b811-9dad-11d1-80b4-00c04fd430c8", &url));
	fy_uuid_v5(&url, "urn:ferry:phase", 15, &ferry);
	fy_uuid_format(&ferry, a);
	assert_string_equal(a, "538d439a-576f-522c-be31-a97e102d0964");
	fy_uuid_phase_namespace("wedding_data", &ns);
	fy_uuid_v5(&ferry, "wedding_data", 12, &expect);
	fy_uuid_format(&ns, a);
	fy_uuid_format(&expect, b);
	assert_string_equal(a, b);
}

static void
uuid_parse_refuses_malformed_text(void **state)
{
	fy_uuid		u;

	(void) state;
	assert_false(fy_uuid_parse(NULL, &u));
	assert_false(fy_uuid_parse("", &u));
	assert_false(fy_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c", &u));
	assert_false(fy_uuid_parse("6ba7b810x9dad-11d1-80b4-00c04fd430c8", &u));
	assert_false(fy_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430cg", &u));
	assert_true(fy_uuid_parse("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", &u));
}

static void
uuid_v4_and_v7_carry_version_and_variant(void **state)
{
	fy_uuid		a, b;

	(void) state;
	assert_true(fy_uuid_v4(&a));
	assert_int_equal(a.b[6] >> 4, 4);
	assert_int_equal(a.b[8] >> 6, 2);
	assert_true(fy_uuid_v7(&b));
	assert_int_equal(b.b[6] >> 4, 7);
	assert_int_equal(b.b[8] >> 6, 2);
}

/* time_bits_less: the 60 time bits of a v7 (bytes 0-7 less the version) */
static bool
time_bits_less(const fy_uuid *a, const fy_uuid *b)
{
	uint8_t		x[8], y[8];

	memcpy(x, a->b, 8);
	memcpy(y, b->b, 8);
	x[6] &= 0x0f;
	y[6] &= 0x0f;
	return memcmp(x, y, 8) < 0;
}

static void
uuid_v7_keys_made_in_sequence_sort_strictly_in_sequence(void **state)
{
	fy_uuid		prev, cur;

	(void) state;
	assert_true(fy_uuid_v7(&prev));
	for (int i = 0; i < 100000; i++)
	{
		assert_true(fy_uuid_v7(&cur));
		assert_true(time_bits_less(&prev, &cur));
		prev = cur;
	}
}

static void
uuid_v7_stays_ordered_when_the_clock_stalls_or_steps_back(void **state)
{
	fy_uuid		a, b, c;

	(void) state;
	assert_true(fy_uuid_v7_at(1800000000, 5000, &a));
	assert_true(fy_uuid_v7_at(1800000000, 5000, &b));	/* same instant */
	assert_true(fy_uuid_v7_at(1700000000, 0, &c));	/* clock stepped back */
	assert_true(time_bits_less(&a, &b));
	assert_true(time_bits_less(&b, &c));
	assert_int_equal(c.b[6] >> 4, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_matches_the_fips_vectors),
		cmocka_unit_test(sha1_of_a_million_a_fed_in_odd_chunks_matches),
		cmocka_unit_test(uuid_v5_matches_the_rfc_9562_vector),
		cmocka_unit_test(phase_namespace_is_the_v5_of_the_phase_name_in_ferrys_namespace),
		cmocka_unit_test(uuid_parse_refuses_malformed_text),
		cmocka_unit_test(uuid_v4_and_v7_carry_version_and_variant),
		cmocka_unit_test(uuid_v7_keys_made_in_sequence_sort_strictly_in_sequence),
		cmocka_unit_test(uuid_v7_stays_ordered_when_the_clock_stalls_or_steps_back),
	};

	return cmocka_run_group_tests_name("uuid", tests, NULL, NULL);
}
