/*
 * fuzz_legacy.c -- libFuzzer: every legacy format on every input.
 *
 * Whatever the bytes, fy_legacy_to_json must return, never crash or read
 * past the input (the sanitizers watch), and either fail with a message
 * whose byte offset lies within the input, or return JSON that is valid
 * UTF-8, that cJSON parses whole, and that the json format reads back to
 * the very same text.  When the input holds a NUL byte, the bytes before
 * it are tried as a format too, on the bytes after it, so that the format
 * syntax (kv:<pair separator>:<key separator>) is fuzzed as well.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry.h"

/* fuzz_utf8_ok checks a NUL-terminated text is UTF-8, strictly. */
static int
fuzz_utf8_ok(const unsigned char *s)
{
	while (*s)
	{
		int			n = *s < 0x80 ? 1 : *s < 0xC2 ? 0 : *s < 0xE0 ? 2 : *s < 0xF0 ? 3 : *s < 0xF5 ? 4 : 0;
		unsigned	cp = n == 1 ? *s : n == 2 ? *s & 0x1Fu : n == 3 ? *s & 0x0Fu : *s & 0x07u;

		if (n == 0)
			return 0;
		for (int i = 1; i < n; i++)
		{
			if ((s[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3Fu);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		s += n;
	}
	return 1;
}

/*
 * fuzz_check_error: a parse error names a byte of the input (or its end).
 * The offset is the message's last " at byte ": a reason may quote a key
 * of the input, which may itself say " at byte ".
 */
static void
fuzz_check_error(const fy_error *err, size_t size)
{
	const char *at = NULL;

	for (const char *p = err->message; (p = strstr(p, " at byte ")) != NULL; p++)
		at = p;

	if (err->code == FY_OK || err->message[0] == '\0')
		abort();
	if (err->code != FY_ERR_INVALID_JSON)
		return;
	if (at == NULL || strtoull(at + 9, NULL, 10) > size)
		abort();
}

/* fuzz_one converts text with one format and checks what comes back. */
static void
fuzz_one(const char *format, const uint8_t *text, size_t size)
{
	fy_error	err = {0};
	char	   *out = fy_legacy_to_json((const char *) text, size, format, &err);
	char	   *again;
	cJSON	   *doc;

	if (out == NULL)
	{
		fuzz_check_error(&err, size);
		return;
	}
	if (!fuzz_utf8_ok((const unsigned char *) out))
		abort();
	doc = cJSON_ParseWithOpts(out, NULL, 1);
	if (doc == NULL)
		abort();
	cJSON_Delete(doc);
	again = fy_legacy_to_json(out, strlen(out), "json", &err);
	if (again == NULL || strcmp(again, out) != 0)
		abort();
	fy_release(again);
	fy_release(out);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = {
		"json", "php", "query", "kv", "kv:\\n:: ", "kv:&&:=>", "kv:\\r\\n:\\:"
	};
	const uint8_t *nul = size > 0 ? memchr(data, 0, size) : NULL;

	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
		fuzz_one(formats[f], data, size);
	if (nul != NULL)
	{
		char	   *format = malloc((size_t) (nul - data) + 1);
		size_t		rest = size - (size_t) (nul - data) - 1;
		uint8_t    *text = malloc(rest + 1);

		memcpy(format, data, (size_t) (nul - data));
		format[nul - data] = '\0';
		/* an exact copy, so reading past the text is caught */
		memcpy(text, nul + 1, rest);
		fuzz_one(format, text, rest);
		free(format);
		free(text);
	}
	return 0;
}
