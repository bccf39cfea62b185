/*
 * fuzz_restructure.c -- libFuzzer: json_restructure and its inverse on
 * arbitrary specs and documents.
 *
 * The input is a spec, a NUL byte, then a document (no NUL: both become one
 * text tried as spec and as document).  Whatever the bytes, the core must
 * return, never crash, and either fail with a message or return text that
 * cJSON parses whole; the inverse of a spec likewise.  Documents of depth
 * beyond the core's limit must be refused, not recursed into.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry.h"

/* fuzz_json_ok: out is JSON that cJSON reads whole; errors say something. */
static void
fuzz_check(char *out, const fy_error *err)
{
	if (out == NULL)
	{
		if (err->code == FY_OK || err->message[0] == '\0')
			abort();
		return;
	}
	{
		const char *end = NULL;
		cJSON	   *j = cJSON_ParseWithOpts(out, &end, 1);

		if (j == NULL)
			abort();
		cJSON_Delete(j);
	}
	fy_release(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t		nspec = nul ? (size_t) (nul - data) : size;
	char	   *spec = malloc(nspec + 1);
	char	   *doc = malloc(size - (nul ? nspec + 1 : 0) + 1);
	fy_error	err = {0};

	if (spec == NULL || doc == NULL)
		abort();
	memcpy(spec, data, nspec);
	spec[nspec] = '\0';
	if (nul)
	{
		memcpy(doc, nul + 1, size - nspec - 1);
		doc[size - nspec - 1] = '\0';
	}
	else
		memcpy(doc, spec, nspec + 1);
	fuzz_check(fy_json_restructure(doc, spec, &err), &err);
	memset(&err, 0, sizeof(err));
	fuzz_check(fy_json_restructure_inverse(spec, &err), &err);
	free(spec);
	free(doc);
	return 0;
}
