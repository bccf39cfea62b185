/*
 * json.c (pg_extension) -- ferry.json_keys_case, behind the keys_to_*
 * conversions of a column; json_restructure, json_restructure_error (the
 * restructure column's reject reason) and json_restructure_inverse.
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
	tree = fy_json_parse(JsonbToCString(NULL, &doc->root, VARSIZE(doc)));
	if (tree == NULL)
		elog(ERROR, "ferry: could not read a jsonb document");
	if (!fy_json_keys_case(tree, style, &err))
		fpg_raise(&err);
	text = fy_json_print(tree);
	MemoryContextSwitchTo(old);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
	MemoryContextDelete(rowcxt);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(json_restructure);
PG_FUNCTION_INFO_V1(json_restructure_inverse);

/*
 * fpg_jsonb_text: a jsonb as text; the core works on JSON text through
 * cJSON.
 */
static char *
fpg_jsonb_text(Jsonb *j)
{
	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

/*
 * What one call site of json_restructure keeps across rows: its spec, read
 * and checked once (a phase's spec is a constant; another spec replaces
 * it), and a memory context for the row's cJSON trees and texts, reset
 * after each row, so a million rows use the memory of one.
 */
typedef struct fpg_restructure
{
	Jsonb	   *spec;			/* the spec prepared was made from */
	void	   *prepared;		/* fy_restructure_prepare's, in fn_mcxt */
	MemoryContext rowcxt;
} fpg_restructure;

/* fpg_restructure_site: the call site's state, the spec prepared. */
static fpg_restructure *
fpg_restructure_site(FunctionCallInfo fcinfo, Jsonb *spec)
{
	fpg_restructure *site = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	fy_error	err = {0};

	if (site != NULL && site->spec != NULL && VARSIZE(site->spec) == VARSIZE(spec) &&
		memcmp(site->spec, spec, VARSIZE(spec)) == 0)
		return site;
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (site == NULL)
	{
		site = palloc0(sizeof(fpg_restructure));
		site->rowcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "ferry json_restructure",
											 ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = site;
	}
	if (site->prepared != NULL)
	{
		fy_restructure_free(site->prepared);
		pfree(site->spec);
		site->prepared = NULL;
		site->spec = NULL;
	}
	site->prepared = fy_restructure_prepare(fpg_jsonb_text(spec), &err);
	if (site->prepared == NULL)
		fpg_raise(&err);
	site->spec = palloc(VARSIZE(spec));
	memcpy(site->spec, spec, VARSIZE(spec));
	MemoryContextSwitchTo(old);
	return site;
}

/* json_restructure runs once per row inside a migration's statement. */
Datum
json_restructure(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	fpg_restructure *site = fpg_restructure_site(fcinfo, PG_GETARG_JSONB_P(1));
	MemoryContext old = MemoryContextSwitchTo(site->rowcxt);
	fy_error	err = {0};
	char	   *out = fy_restructure_apply(site->prepared, fpg_jsonb_text(doc), &err);
	Datum		result;

	if (out == NULL)
		fpg_raise(&err);
	MemoryContextSwitchTo(old);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(out));
	MemoryContextReset(site->rowcxt);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(json_restructure_error);

/*
 * json_restructure_error(doc text, spec jsonb) is why json_restructure
 * would refuse a document -- not JSON, or a value the spec cannot move
 * ("b" is already there) -- or NULL: the reason a migration quarantines
 * the row with, where json_restructure would fail the whole run.  The doc
 * is text, so that a text column that is not JSON is a reason too; a
 * spec that is not one is the caller's error, raised.
 */
Datum
json_restructure_error(PG_FUNCTION_ARGS)
{
	char	   *doc = text_to_cstring(PG_GETARG_TEXT_PP(0));
	fpg_restructure *site = fpg_restructure_site(fcinfo, PG_GETARG_JSONB_P(1));
	MemoryContext old = MemoryContextSwitchTo(site->rowcxt);
	fy_error	err = {0};
	text	   *reason = NULL;

	if (fy_restructure_apply(site->prepared, doc, &err) == NULL && err.code == FY_ERR_OUT_OF_MEMORY)
		fpg_raise(&err);
	MemoryContextSwitchTo(old);
	if (err.code != FY_OK)
		reason = cstring_to_text(err.message);
	MemoryContextReset(site->rowcxt);
	if (reason == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(reason);
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
