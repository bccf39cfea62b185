/*
 * json.c (pg_extension) -- ferry.json_keys_case, behind the keys_to_*
 * conversions of a column; json_restructure, json_restructure_error (the
 * restructure column's reject reason) and json_restructure_inverse.
 */
#include "ferry.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include <cjson/cJSON.h>

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

/*
 * fpg_jsonb_cjson reads a jsonb into the core's cJSON tree directly,
 * without printing it as text for cJSON to parse back (that round trip,
 * with jsonb_in reading the result, was three quarters of json_restructure's
 * time): numbers carry their numeric text, as fy_json_parse leaves them.
 * Deeper than cJSON's own parser goes is an error, as on the text path.
 */
static cJSON *
fpg_jsonb_cjson(Jsonb *doc)
{
	JsonbIterator *it = JsonbIteratorInit(&doc->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	cJSON	   *stack[CJSON_NESTING_LIMIT + 1];
	int			depth = 0;
	char	   *key = NULL;
	cJSON	   *root = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		cJSON	   *node;

		if (tok == WJB_END_ARRAY || tok == WJB_END_OBJECT)
		{
			depth--;
			continue;
		}
		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok == WJB_BEGIN_ARRAY && v.val.array.rawScalar)
		{
			stack[depth++] = NULL;	/* a scalar document: its one element is the root */
			continue;
		}
		if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT)
			node = tok == WJB_BEGIN_ARRAY ? cJSON_CreateArray() : cJSON_CreateObject();
		else if (v.type == jbvString)
			node = cJSON_CreateString(pnstrdup(v.val.string.val, v.val.string.len));
		else if (v.type == jbvNumeric)
		{
			char	   *digits = DatumGetCString(DirectFunctionCall1(numeric_out,
																	 NumericGetDatum(v.val.numeric)));

			node = cJSON_CreateNumber(strtod(digits, NULL));
			node->valuestring = digits;
		}
		else if (v.type == jbvBool)
			node = cJSON_CreateBool(v.val.boolean);
		else
			node = cJSON_CreateNull();
		if (depth == 0 || stack[depth - 1] == NULL)
			root = node;
		else if (cJSON_IsObject(stack[depth - 1]))
			cJSON_AddItemToObject(stack[depth - 1], key, node);
		else
			cJSON_AddItemToArray(stack[depth - 1], node);
		if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT)
		{
			if (depth == CJSON_NESTING_LIMIT)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("json_restructure: the document is nested deeper than %d levels",
								CJSON_NESTING_LIMIT)));
			stack[depth++] = node;
		}
	}
	return root;
}

/*
 * fpg_push adds a cJSON value to a jsonb being built, the way back without
 * text; tok is WJB_VALUE or WJB_ELEM, or WJB_DONE for the document itself.
 */
static JsonbValue *
fpg_push(JsonbParseState **state, const cJSON *node, JsonbIteratorToken tok)
{
	JsonbValue	v;

	if (cJSON_IsObject(node) || cJSON_IsArray(node))
	{
		bool		obj = cJSON_IsObject(node);

		check_stack_depth();
		pushJsonbValue(state, obj ? WJB_BEGIN_OBJECT : WJB_BEGIN_ARRAY, NULL);
		for (const cJSON *c = node->child; c != NULL; c = c->next)
		{
			if (obj)
			{
				v.type = jbvString;
				v.val.string.val = c->string;
				v.val.string.len = strlen(c->string);
				pushJsonbValue(state, WJB_KEY, &v);
			}
			fpg_push(state, c, obj ? WJB_VALUE : WJB_ELEM);
		}
		return pushJsonbValue(state, obj ? WJB_END_OBJECT : WJB_END_ARRAY, NULL);
	}
	v.type = jbvNull;
	if (cJSON_IsString(node))
	{
		v.type = jbvString;
		v.val.string.val = node->valuestring;
		v.val.string.len = strlen(node->valuestring);
	}
	else if (cJSON_IsBool(node))
	{
		v.type = jbvBool;
		v.val.boolean = cJSON_IsTrue(node);
	}
	else if (cJSON_IsNumber(node))
	{
		/* a number an operation made is written as cJSON would print it; infinity is null */
		char	   *digits = node->valuestring ? node->valuestring : fy_json_print((void *) node);

		if (strcmp(digits, "null") != 0)
		{
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(digits),
																ObjectIdGetDatum(InvalidOid),
																Int32GetDatum(-1)));
		}
	}
	if (tok == WJB_DONE)
	{
		/* a scalar document is jsonb's one-element raw scalar array */
		JsonbValue	arr = {.type = jbvArray};

		arr.val.array.rawScalar = true;
		pushJsonbValue(state, WJB_BEGIN_ARRAY, &arr);
		pushJsonbValue(state, WJB_ELEM, &v);
		return pushJsonbValue(state, WJB_END_ARRAY, NULL);
	}
	return pushJsonbValue(state, tok, &v);
}

PG_FUNCTION_INFO_V1(json_keys_case);

/*
 * json_keys_case runs once per row inside a migration's statement: its
 * cJSON tree lives in a context of its own, deleted before it returns, so
 * a million rows use the memory of one.
 */
Datum
json_keys_case(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	char	   *style_name = text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "ferry json_keys_case",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(rowcxt);
	JsonbParseState *state = NULL;
	fy_case		style;
	fy_error	err = {0};
	cJSON	   *tree;
	JsonbValue *built;
	Jsonb	   *result;

	if (!fy_case_parse(style_name, &style))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown key case \"%s\"", style_name),
				 errhint("Use snake, pascal or camel.")));
	tree = fpg_jsonb_cjson(doc);
	if (!fy_json_keys_case(tree, style, &err))
		fpg_raise(&err);
	built = fpg_push(&state, tree, WJB_DONE);
	MemoryContextSwitchTo(old);
	result = JsonbValueToJsonb(built);
	MemoryContextDelete(rowcxt);
	PG_RETURN_JSONB_P(result);
}

/* json_restructure runs once per row inside a migration's statement. */
Datum
json_restructure(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	fpg_restructure *site = fpg_restructure_site(fcinfo, PG_GETARG_JSONB_P(1));
	MemoryContext old = MemoryContextSwitchTo(site->rowcxt);
	fy_error	err = {0};
	cJSON	   *tree = fpg_jsonb_cjson(doc);
	JsonbParseState *state = NULL;
	JsonbValue *built;
	Jsonb	   *result;

	if (!fy_restructure_apply_tree(site->prepared, tree, &err))
		fpg_raise(&err);
	built = fpg_push(&state, tree, WJB_DONE);
	MemoryContextSwitchTo(old);
	result = JsonbValueToJsonb(built);
	MemoryContextReset(site->rowcxt);
	PG_RETURN_JSONB_P(result);
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
