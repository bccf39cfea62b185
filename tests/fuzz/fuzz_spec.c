/*
 * fuzz_spec.c -- libFuzzer: the phase spec parser (core/phase.c).
 *
 * The input is a phase name, a NUL byte, then a spec (no NUL: the name is
 * "p" and the whole input is the spec).  Whatever the bytes, fy_phase_parse
 * must return, never crash, and either refuse with a message or give a
 * phase whose canonical spec is JSON that parses again to the very same
 * phase: the same checksum, the same canonical text, the same columns in
 * the same order.  Its summary must be JSON, and ordering it after the
 * phases it depends on must put it last.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry.h"

/* fuzz_json: text is JSON that cJSON reads whole. */
static void
fuzz_json(const char *text)
{
	cJSON	   *j = text ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;

	if (j == NULL)
		abort();
	cJSON_Delete(j);
}

/* fuzz_same: parsing the canonical spec again gives the same phase. */
static void
fuzz_same(const fy_phase *ph)
{
	fy_error	err = {0};
	fy_phase   *again = fy_phase_parse(ph->name, ph->canonical, &err);

	if (again == NULL || strcmp(again->checksum, ph->checksum) != 0 ||
		strcmp(again->canonical, ph->canonical) != 0 ||
		again->ncolumns != ph->ncolumns || again->ndepends != ph->ndepends)
		abort();
	for (int i = 0; i < ph->ncolumns; i++)
		if (strcmp(again->columns[i].target, ph->columns[i].target) != 0 ||
			(i > 0 && strcmp(ph->columns[i - 1].target, ph->columns[i].target) > 0))
			abort();
	fy_phase_free(again);
}

/* fuzz_order: the phase comes after every phase it depends on. */
static void
fuzz_order(const fy_phase *ph)
{
	int			n = ph->ndepends + 1;
	fy_depnode *nodes = calloc((size_t) n, sizeof(fy_depnode));
	int		   *order = calloc((size_t) n, sizeof(int));
	fy_error	err = {0};

	if (nodes == NULL || order == NULL)
		abort();
	nodes[0].name = ph->name;
	nodes[0].deps = ph->depends_on;
	nodes[0].ndeps = ph->ndepends;
	for (int i = 0; i < ph->ndepends; i++)
		nodes[i + 1].name = ph->depends_on[i];
	if (!fy_dependency_order(nodes, n, order, &err))
	{
		/* only a phase that names itself may fail, as a cycle */
		if (err.message[0] == '\0')
			abort();
		for (int i = 0; i < ph->ndepends; i++)
			if (strcmp(ph->depends_on[i], ph->name) == 0)
				goto done;
		abort();
	}
	if (order[n - 1] != 0)
		abort();
done:
	free(nodes);
	free(order);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t		nname = nul ? (size_t) (nul - data) : 1;
	size_t		nspec = nul ? size - nname - 1 : size;
	char	   *name = malloc(nname + 1);
	char	   *spec = malloc(nspec + 1);
	fy_error	err = {0};
	fy_phase   *ph;

	if (name == NULL || spec == NULL)
		abort();
	if (nul)
	{
		memcpy(name, data, nname);
		memcpy(spec, nul + 1, nspec);
	}
	else
	{
		name[0] = 'p';
		memcpy(spec, data, nspec);
	}
	name[nname] = '\0';
	spec[nspec] = '\0';
	ph = fy_phase_parse(name, spec, &err);
	if (ph == NULL)
	{
		if (err.code == FY_OK || err.message[0] == '\0')
			abort();
	}
	else
	{
		char	   *summary = fy_phase_summary_json(ph);

		fuzz_json(ph->canonical);
		fuzz_json(summary);
		fy_release(summary);
		fuzz_same(ph);
		fuzz_order(ph);
		fy_phase_free(ph);
	}
	free(name);
	free(spec);
	return 0;
}
