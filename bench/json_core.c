/*
 * json_core.c -- the core's json_restructure alone, outside any database:
 * how many 10-key documents one core restructures per second (rename +
 * nest + key_case, the spec of bench/json.sh's restructure case).
 *
 *   json_core ROWS      prints "docs <n> seconds <s> docs_per_s <r> bytes_out <b>"
 *
 * The documents are the text PostgreSQL hands the core (jsonb's output,
 * as JsonbToCString writes it), one distinct document per row, made before
 * the clock starts; each result is checked against the document the
 * hand-written expression gives, so a fast wrong answer fails (exit 1).
 * Single-threaded: the rate is per core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ferry.h"

#define JC_SPEC "[{\"op\": \"rename\", \"from\": \"OrderID\", \"to\": \"OrderNumber\"}, " \
	"{\"op\": \"nest\", \"keys\": [\"Street\", \"City\", \"Zip\", \"Country\"], \"into\": \"ShippingAddress\"}, " \
	"{\"op\": \"key_case\", \"from\": \"pascal\", \"to\": \"snake\"}]"

static const char *const jc_country[] = {"DE", "FR", "ID"};
static const char *const jc_status[] = {"new", "paid", "shipped"};

/* jc_doc: row g's source document, keys in jsonb's order (by length, then bytes). */
static int
jc_doc(char *out, size_t n, long g)
{
	return snprintf(out, n,
					"{\"Zip\": \"%05ld\", \"City\": \"City %ld\", \"Email\": \"c%ld@example.com\", "
					"\"Street\": \"%ld Main Street\", \"Status\": \"%s\", \"Country\": \"%s\", "
					"\"OrderID\": %ld, \"Currency\": \"EUR\", \"TotalCents\": %ld, \"CustomerName\": \"Customer %ld\"}",
					g % 99999, g % 50, g, g % 300, jc_status[g % 3], jc_country[g % 3],
					g, g % 100000, g);
}

/* jc_expected: what the spec must make of row g, in the key order the core leaves. */
static int
jc_expected(char *out, size_t n, long g)
{
	return snprintf(out, n,
					"{\"email\":\"c%ld@example.com\",\"status\":\"%s\",\"currency\":\"EUR\","
					"\"total_cents\":%ld,\"customer_name\":\"Customer %ld\",\"order_number\":%ld,"
					"\"shipping_address\":{\"street\":\"%ld Main Street\",\"city\":\"City %ld\","
					"\"zip\":\"%05ld\",\"country\":\"%s\"}}",
					g, jc_status[g % 3], g % 100000, g, g,
					g % 300, g % 50, g % 99999, jc_country[g % 3]);
}

int
main(int argc, char **argv)
{
	long		rows = argc > 1 ? atol(argv[1]) : 1000000;
	char	  **docs;
	char		want[512];
	struct timespec t0,
				t1;
	double		seconds;
	unsigned long sum = 0;

	if (rows <= 0)
	{
		fprintf(stderr, "usage: json_core ROWS\n");
		return 2;
	}
	docs = malloc(sizeof(char *) * rows);
	for (long g = 0; g < rows; g++)
	{
		char		buf[512];
		int			len = jc_doc(buf, sizeof buf, g + 1);

		docs[g] = malloc(len + 1);
		memcpy(docs[g], buf, len + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long g = 0; g < rows; g++)
	{
		fy_error	err = {0};
		char	   *out = fy_json_restructure(docs[g], JC_SPEC, &err);

		if (out == NULL)
		{
			fprintf(stderr, "json_core: row %ld: %s\n", g + 1, err.message);
			return 1;
		}
		/* the check is cheap next to the work, and inside the clock on purpose */
		jc_expected(want, sizeof want, g + 1);
		if (strcmp(out, want) != 0)
		{
			fprintf(stderr, "json_core: row %ld: got %s\nwant %s\n", g + 1, out, want);
			return 1;
		}
		sum += strlen(out);
		fy_release(out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("docs %ld seconds %.3f docs_per_s %.0f bytes_out %lu\n", rows, seconds, rows / seconds, sum);
	for (long g = 0; g < rows; g++)
		free(docs[g]);
	free(docs);
	return 0;
}
