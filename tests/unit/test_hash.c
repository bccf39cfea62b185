/* test_hash.c -- the content hash MariaDB keeps per migrated row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ferry.h"

/* hash_of: a row of texts (NULL for SQL NULL), hashed in order. */
static uint64_t
hash_of(int n, const char *const *v)
{
	uint64_t	h = fy_content_hash_start();

	for (int i = 0; i < n; i++)
		h = v[i] ? fy_content_hash_add(h, FY_HASH_TEXT, v[i], strlen(v[i])) :
			fy_content_hash_add(h, FY_HASH_NULL, NULL, 0);
	return h;
}

static void
equal_rows_hash_alike_and_any_change_shows(void **state)
{
	const char *a[] = {"Ani", "12.50", NULL};
	const char *same[] = {"Ani", "12.50", NULL};
	const char *cased[] = {"ANI", "12.50", NULL};
	const char *scale[] = {"Ani", "12.5", NULL};
	const char *filled[] = {"Ani", "12.50", ""};
	const char *moved[] = {"12.50", "Ani", NULL};
	const char *joined[] = {"Ani12.50", "", NULL};

	(void) state;
	assert_true(hash_of(3, a) == hash_of(3, same));
	assert_true(hash_of(3, a) != hash_of(3, cased));
	assert_true(hash_of(3, a) != hash_of(3, scale));
	assert_true(hash_of(3, a) != hash_of(3, filled));
	assert_true(hash_of(3, a) != hash_of(3, moved));
	assert_true(hash_of(3, a) != hash_of(3, joined));
	assert_true(hash_of(2, a) != hash_of(3, a));
}

static void
a_value_hashes_by_its_kind_and_every_byte(void **state)
{
	long long	one = 1;
	double		d = 1.0;
	char		buf[64];
	uint64_t	h0 = fy_content_hash_start();
	uint64_t	base;

	(void) state;
	assert_true(fy_content_hash_add(h0, FY_HASH_INT, &one, sizeof(one)) !=
				fy_content_hash_add(h0, FY_HASH_REAL, &d, sizeof(d)));
	assert_true(fy_content_hash_add(h0, FY_HASH_INT, &one, sizeof(one)) !=
				fy_content_hash_add(h0, FY_HASH_TEXT, "1", 1));
	/* a flip of any bit of a long value, past the 8-byte words and in the tail */
	memset(buf, 'x', sizeof(buf));
	base = fy_content_hash_add(h0, FY_HASH_TEXT, buf, 61);
	for (int i = 0; i < 61; i++)
	{
		buf[i] ^= 1;
		assert_true(fy_content_hash_add(h0, FY_HASH_TEXT, buf, 61) != base);
		buf[i] ^= 1;
	}
	/* trailing NUL bytes count: a length is part of the value */
	memset(buf, 0, sizeof(buf));
	assert_true(fy_content_hash_add(h0, FY_HASH_TEXT, buf, 3) !=
				fy_content_hash_add(h0, FY_HASH_TEXT, buf, 4));
	assert_true(fy_content_hash_add(h0, FY_HASH_TEXT, "", 0) !=
				fy_content_hash_add(h0, FY_HASH_NULL, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_rows_hash_alike_and_any_change_shows),
		cmocka_unit_test(a_value_hashes_by_its_kind_and_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
