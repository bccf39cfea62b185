/*
 * legacy.c (pg_extension) -- legacy_to_json(text, format) and
 * legacy_to_json_error(text, format): values stored in legacy text formats
 * (lenient JSON, PHP serialize(), query strings, key/value text) read into
 * jsonb, one row at a time inside a migration's set-based statement.
 */
#include "ferry.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(legacy_to_json);
PG_FUNCTION_INFO_V1(legacy_to_json_error);

/*
 * fpgl_nul_escape: whether JSON text holds the escape \u0000, which jsonb
 * cannot store; reading escapes pairwise keeps "\\u0000" (a backslash,
 * then u0000) from counting.
 */
static bool
fpgl_nul_escape(const char *json)
{
	for (const char *p = json; *p; p++)
		if (*p == '\\')
		{
			if (p[1] == 'u' && strncmp(p + 2, "0000", 4) == 0)
				return true;
			if (p[1] != '\0')
				p++;
		}
	return false;
}

/*
 * fpgl_parse: the document as JSON text in the current memory context, or
 * NULL with err saying why -- the core's reason, or jsonb's limit.
 */
static char *
fpgl_parse(FunctionCallInfo fcinfo, fy_error *err)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	char	   *format = fpg_text_arg(fcinfo, 1, "format");
	char	   *out = fy_legacy_to_json(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), format, err);

	if (out != NULL && fpgl_nul_escape(out))
	{
		fy_fail(err, FY_ERR_INVALID_JSON, "%s: a string holds a NUL character, which jsonb cannot store",
				format);
		return NULL;
	}
	return out;
}

/*
 * legacy_to_json raises the parser's error, naming the format and the
 * byte; its trees live in a per-call context, so a million rows use the
 * memory of one.
 */
Datum
legacy_to_json(PG_FUNCTION_ARGS)
{
	MemoryContext rowcxt;
	MemoryContext old;
	fy_error	err = {0};
	char	   *out;
	Datum		result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ferry legacy_to_json",
								   ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(rowcxt);
	out = fpgl_parse(fcinfo, &err);
	if (out == NULL)
		fpg_raise(&err);
	MemoryContextSwitchTo(old);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(out));
	MemoryContextDelete(rowcxt);
	PG_RETURN_DATUM(result);
}

/*
 * legacy_to_json_error is why legacy_to_json would refuse a value, or NULL
 * when it reads: the reason a migration quarantines the row with.
 */
Datum
legacy_to_json_error(PG_FUNCTION_ARGS)
{
	MemoryContext rowcxt;
	MemoryContext old;
	fy_error	err = {0};
	text	   *reason = NULL;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ferry legacy_to_json_error",
								   ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(rowcxt);
	/* a bad format is the caller's error, not the row's */
	if (fpgl_parse(fcinfo, &err) == NULL &&
		(err.code == FY_ERR_INVALID_SPEC || err.code == FY_ERR_NULL_ARGUMENT))
		fpg_raise(&err);
	MemoryContextSwitchTo(old);
	if (err.code != FY_OK)
		reason = cstring_to_text(err.message);
	MemoryContextDelete(rowcxt);
	if (reason == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(reason);
}
