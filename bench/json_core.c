/*
 * json_core.c -- the core's json_restructure alone, outside any database:
 * how many 10-key documents one core restructures per second (rename +
 * nest + key_case, the spec of bench/json.sh's restructure case).
 *
 *   json_core ROWS   prints "docs <n> malloc_cpu_s <s> malloc_docs_per_s <r>
 *                            arena_cpu_s <s> arena_docs_per_s <r> bytes_out <b>"
 *
 * The documents are the text PostgreSQL hands the core (jsonb's output,
 * as JsonbToCString writes it), one distinct document per row, made before
 * the clock starts; each result is checked against the document the
 * hand-written expression gives (an FNV-1a hash over all of them, the
 * expected ones made off the clock), so a fast wrong answer fails (exit 1).
 * The spec is prepared once, as PostgreSQL's json_restructure does per
 * call site.  Twice: with the core's allocations through malloc and free,
 * and through a per-document arena as PostgreSQL's row context gives it.
 * Single-threaded, timed by the thread's CPU clock: the rate is per core,
 * and fair on a machine other work keeps busy.
 */
#include <stdint.h>
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

/* jc_hash: FNV-1a over a document and its terminating NUL, continuing h. */
static uint64_t
jc_hash(uint64_t h, const char *s)
{
	do
		h = (h ^ (unsigned char) *s) * 1099511628211ULL;
	while (*s++ != '\0');
	return h;
}

/*
 * A per-document arena, as PostgreSQL gives the core (palloc in a memory
 * context reset per row): allocation is a pointer bump, release nothing,
 * the whole arena reset after each document.
 */
static _Alignas(16) char jc_arena[1 << 20];
static size_t jc_used;

static void *
jc_arena_alloc(size_t size)
{
	void	   *p;

	size = (size + 15) & ~(size_t) 15;
	if (size > sizeof(jc_arena) - jc_used)
		return NULL;
	p = jc_arena + jc_used;
	jc_used += size;
	return p;
}

static void
jc_arena_release(void *p)
{
	(void) p;
}

/*
 * jc_run restructures every document by a spec prepared once, with the
 * core's allocations through alloc (NULL: malloc and free); the CPU
 * seconds it took, or -1 after saying why.  *hash sums the results.
 */
static double
jc_run(long rows, char **docs, const fy_allocator *alloc, uint64_t *hash)
{
	static const fy_allocator heap = {malloc, free};
	struct timespec t0,
				t1;
	fy_error	err = {0};
	void	   *spec = fy_restructure_prepare(JC_SPEC, &err);

	if (spec == NULL)
	{
		fprintf(stderr, "json_core: %s\n", err.message);
		return -1;
	}
	fy_set_allocator(alloc ? alloc : &heap);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (long g = 0; g < rows; g++)
	{
		char	   *out = fy_restructure_apply(spec, docs[g], &err);

		if (out == NULL)
		{
			fprintf(stderr, "json_core: row %ld: %s\n", g + 1, err.message);
			return -1;
		}
		*hash = jc_hash(*hash, out);
		fy_release(out);
		jc_used = 0;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	fy_set_allocator(&heap);
	fy_restructure_free(spec);
	return (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

int
main(int argc, char **argv)
{
	static const fy_allocator arena = {jc_arena_alloc, jc_arena_release};
	long		rows = argc > 1 ? atol(argv[1]) : 1000000;
	char	  **docs;
	char		want[512];
	double		heap_s,
				arena_s;
	unsigned long bytes = 0;
	uint64_t	heap_hash = 14695981039346656037ULL,
				arena_hash = 14695981039346656037ULL,
				want_hash = 14695981039346656037ULL;

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
	if ((heap_s = jc_run(rows, docs, NULL, &heap_hash)) < 0 ||
		(arena_s = jc_run(rows, docs, &arena, &arena_hash)) < 0)
		return 1;
	/* the check, off the clock: every result is the expected document */
	for (long g = 0; g < rows; g++)
	{
		jc_expected(want, sizeof want, g + 1);
		want_hash = jc_hash(want_hash, want);
		bytes += strlen(want);
	}
	if (heap_hash != want_hash || arena_hash != want_hash)
	{
		fprintf(stderr, "json_core: the documents differ from the expected ones (%s)\n",
				heap_hash != want_hash ? "malloc" : "arena");
		return 1;
	}
	printf("docs %ld malloc_cpu_s %.3f malloc_docs_per_s %.0f arena_cpu_s %.3f arena_docs_per_s %.0f bytes_out %lu\n",
		   rows, heap_s, rows / heap_s, arena_s, rows / arena_s, bytes);
	for (long g = 0; g < rows; g++)
		free(docs[g]);
	free(docs);
	return 0;
}
