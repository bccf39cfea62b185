/*
 * json.c (pg_extension) -- ferry.json_keys_case, behind the keys_to_*
 * conversions of a column.
 */
#include "ferry.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include <cjson/cJSON.h>

PG_FUNCTION_INFO_V1(json_keys_case);

/*
 * json_keys_case runs once per row inside a migration's statement: its
 * cJSON tree and texts live in a context of their own, deleted before it
 * returns, so a million rows use the memory of one.
 */
Datum
json_keys_case(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	char	   *style_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ferry json_keys_case",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(rowcxt);
	fy_case		style;
	fy_error	err = {0};
	cJSON	   *tree;
	char	   *text;
	Datum		result;

	if (!fy_case_parse(style_name, &style))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown key case \"%s\"", style_name),
				 errhint("Use snake, pascal or camel.")));
	tree = cJSON_Parse(JsonbToCString(NULL, &doc->root, VARSIZE(doc)));
	if (tree == NULL)
		elog(ERROR, "ferry: could not read a jsonb document");
	if (!fy_json_keys_case(tree, style, &err))
		fpg_raise(&err);
	text = cJSON_PrintUnformatted(tree);
	MemoryContextSwitchTo(old);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
	MemoryContextDelete(rowcxt);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(json_restructure);
PG_FUNCTION_INFO_V1(json_restructure_inverse);

/*
 * fpg_jsonb_text: a jsonb as text, and fpg_text_jsonb back; the core works
 * on JSON text through cJSON.
 */
static char *
fpg_jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

/*
 * json_restructure runs once per row inside a migration's statement: the
 * core's cJSON trees live in a context of their own, deleted before it
 * returns, so a million rows use the memory of one.
 */
Datum
json_restructure(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	Jsonb	   *spec = PG_GETARG_JSONB_P(1);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ferry json_restructure",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(rowcxt);
	fy_error	err = {0};
	char	   *out = fy_json_restructure(fpg_jsonb_text(doc), fpg_jsonb_text(spec), &err);
	Datum		result;

	if (out == NULL)
		fpg_raise(&err);
	MemoryContextSwitchTo(old);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(out));
	MemoryContextDelete(rowcxt);
	PG_RETURN_DATUM(result);
}

/* json_restructure_inverse: the spec that undoes a spec, or why there is none. */
Datum
json_restructure_inverse(PG_FUNCTION_ARGS)
{
	Jsonb	   *spec = PG_GETARG_JSONB_P(0);
	fy_error	err = {0};
	char	   *out = fy_json_restructure_inverse(fpg_jsonb_text(spec), &err);

	if (out == NULL)
		fpg_raise(&err);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out)));
}
