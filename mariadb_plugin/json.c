/*
 * json.c -- json_restructure(doc, spec), json_restructure_inverse(spec)
 * and json_keys_case(doc, style) as MariaDB UDFs returning JSON text: the
 * functions behind the restructure column form and the keys_to_*
 * conversions, the same core code as PostgreSQL's, so both engines write
 * the same documents.
 *
 * A UDF cannot raise an error for one row, so a document that is not JSON,
 * or that the spec cannot be applied to (a rename onto an existing key,
 * two keys that would become one), gives NULL, as does a NULL argument;
 * json_restructure_error(doc, spec) says why, and a restructure column
 * quarantines the row with that reason.
 * A spec or style that is a constant is tried when the statement starts,
 * so a bad one fails the statement with the reason, naming the operation
 * by its index; one that is not a constant gives NULL per row.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry_mariadb.h"

static const fym_argdef restructure_args[] = {
	{"doc", FYM_TEXT},
	{"spec", FYM_TEXT},
};
static const fym_argdef keys_case_args[] = {
	{"doc", FYM_TEXT},
	{"style", FYM_TEXT},
};

static const fym_udf json_restructure_udf = {"json_restructure", restructure_args, 2, FYM_JSON_LENGTH};
static const fym_udf json_restructure_inverse_udf = {"json_restructure_inverse", restructure_args + 1, 1, FYM_JSON_LENGTH};
static const fym_udf json_restructure_error_udf = {"json_restructure_error", restructure_args, 2, 1024};
static const fym_udf json_keys_case_udf = {"json_keys_case", keys_case_args, 2, FYM_JSON_LENGTH};

my_bool		json_restructure_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		json_restructure_deinit(UDF_INIT *initid);
char	   *json_restructure(UDF_INIT *initid, UDF_ARGS *args, char *result,
							 unsigned long *length, char *is_null, char *error);
my_bool		json_restructure_error_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		json_restructure_error_deinit(UDF_INIT *initid);
char	   *json_restructure_error(UDF_INIT *initid, UDF_ARGS *args, char *result,
								   unsigned long *length, char *is_null, char *error);
my_bool		json_restructure_inverse_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		json_restructure_inverse_deinit(UDF_INIT *initid);
char	   *json_restructure_inverse(UDF_INIT *initid, UDF_ARGS *args, char *result,
									 unsigned long *length, char *is_null, char *error);
my_bool		json_keys_case_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		json_keys_case_deinit(UDF_INIT *initid);
char	   *json_keys_case(UDF_INIT *initid, UDF_ARGS *args, char *result,
						   unsigned long *length, char *is_null, char *error);

/*
 * fymj_restructure: a document restructured by the spec in argument
 * spec_arg, or NULL with err.  The document is doc_text when given (init
 * tries a constant spec on "{}"), else argument 0; a spec in argument 0
 * has no document, and gives its inverse.
 */
static char *
fymj_restructure(const fym_udf *udf, UDF_ARGS *args, unsigned spec_arg,
				 const char *doc_text, fy_error *err)
{
	char	   *spec;
	char	   *doc = NULL;
	char	   *out = NULL;

	if (!fym_text(udf, args, spec_arg, &spec, err))
		return NULL;
	if (doc_text != NULL)
		out = fy_json_restructure(doc_text, spec, err);
	else if (spec_arg == 0)
		out = fy_json_restructure_inverse(spec, err);
	else if (fym_text(udf, args, 0, &doc, err))
		out = fy_json_restructure(doc, spec, err);
	if (doc)
		fy_release(doc);
	fy_release(spec);
	return out;
}

/*
 * fymj_keys_case: doc with every key in style, as JSON text, or NULL with
 * err.  The collision check is the core's, so a value is never lost.
 */
static char *
fymj_keys_case(const fym_udf *udf, UDF_ARGS *args, const char *doc_text,
			   fy_error *err)
{
	char	   *style_name;
	char	   *doc = NULL;
	fy_case		style;
	cJSON	   *tree = NULL;
	char	   *out = NULL;

	if (!fym_text(udf, args, 1, &style_name, err))
		return NULL;
	if (!fy_case_parse(style_name, &style))
		fy_fail(err, FY_ERR_INVALID_SPEC, "unknown key case \"%.64s\" (use snake, pascal or camel)",
				style_name);
	else if (doc_text == NULL && !fym_text(udf, args, 0, &doc, err))
		out = NULL;
	else if ((tree = fy_json_parse(doc_text ? doc_text : doc)) == NULL)
		fy_fail(err, FY_ERR_INVALID_JSON, "%s: the document is not valid JSON", udf->name);
	else if (fy_json_keys_case(tree, style, err) &&
			 (out = fy_json_print(tree)) == NULL)
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "%s: out of memory", udf->name);
	if (tree)
		cJSON_Delete(tree);
	if (doc)
		fy_release(doc);
	fy_release(style_name);
	return out;
}

my_bool
json_restructure_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	fy_error	err = {0};
	char	   *out;

	if (fym_init(&json_restructure_udf, initid, args, message))
		return 1;
	if (args->args[1] == NULL)
		return 0;
	/* a constant spec, tried on an empty document */
	if ((out = fymj_restructure(&json_restructure_udf, args, 1, "{}", &err)) == NULL)
		return fym_refuse(&json_restructure_udf, &err, message);
	fy_release(out);
	return 0;
}

void
json_restructure_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* json_restructure: NULL in, NULL out; a document the spec cannot apply to, NULL. */
char *
json_restructure(UDF_INIT *initid, UDF_ARGS *args, char *result,
				 unsigned long *length, char *is_null, char *error)
{
	fy_error	err = {0};

	(void) result;
	(void) error;
	if (args->args[0] == NULL || args->args[1] == NULL)
		return fym_result(initid, NULL, length, is_null);
	return fym_result(initid, fymj_restructure(&json_restructure_udf, args, 1, NULL, &err),
					  length, is_null);
}

/* json_restructure_error_init: a constant spec that is not valid fails the statement. */
my_bool
json_restructure_error_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	fy_error	err = {0};
	char	   *out;

	if (fym_init(&json_restructure_error_udf, initid, args, message))
		return 1;
	if (args->args[1] == NULL)
		return 0;
	if ((out = fymj_restructure(&json_restructure_error_udf, args, 1, "{}", &err)) == NULL)
		return fym_refuse(&json_restructure_error_udf, &err, message);
	fy_release(out);
	return 0;
}

void
json_restructure_error_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * json_restructure_error: why json_restructure gives NULL for a document
 * (not JSON, or a value the spec cannot move), or NULL: the reason a
 * restructure column quarantines the row with.
 */
char *
json_restructure_error(UDF_INIT *initid, UDF_ARGS *args, char *result,
					   unsigned long *length, char *is_null, char *error)
{
	fy_error	err = {0};
	char	   *out;

	(void) result;
	(void) error;
	if (args->args[0] != NULL && args->args[1] != NULL &&
		(out = fymj_restructure(&json_restructure_error_udf, args, 1, NULL, &err)) != NULL)
		fy_release(out);
	return fym_reason_result(initid, &err, length, is_null);
}

/* json_restructure_inverse_init: a constant spec without an inverse fails the statement. */
my_bool
json_restructure_inverse_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	fy_error	err = {0};
	char	   *out;

	if (fym_init(&json_restructure_inverse_udf, initid, args, message))
		return 1;
	if (args->args[0] == NULL)
		return 0;
	if ((out = fymj_restructure(&json_restructure_inverse_udf, args, 0, NULL, &err)) == NULL)
		return fym_refuse(&json_restructure_inverse_udf, &err, message);
	fy_release(out);
	return 0;
}

void
json_restructure_inverse_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* json_restructure_inverse: the spec that undoes a spec; NULL when there is none. */
char *
json_restructure_inverse(UDF_INIT *initid, UDF_ARGS *args, char *result,
						 unsigned long *length, char *is_null, char *error)
{
	fy_error	err = {0};

	(void) result;
	(void) error;
	if (args->args[0] == NULL)
		return fym_result(initid, NULL, length, is_null);
	return fym_result(initid, fymj_restructure(&json_restructure_inverse_udf, args, 0, NULL, &err),
					  length, is_null);
}

/* json_keys_case_init: a constant style that is not one fails the statement. */
my_bool
json_keys_case_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	fy_error	err = {0};
	char	   *out;

	if (fym_init(&json_keys_case_udf, initid, args, message))
		return 1;
	if (args->args[1] == NULL)
		return 0;
	if ((out = fymj_keys_case(&json_keys_case_udf, args, "{}", &err)) == NULL)
		return fym_refuse(&json_keys_case_udf, &err, message);
	fy_release(out);
	return 0;
}

void
json_keys_case_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* json_keys_case: NULL in, NULL out; not JSON, or two keys that would become one, NULL. */
char *
json_keys_case(UDF_INIT *initid, UDF_ARGS *args, char *result,
			   unsigned long *length, char *is_null, char *error)
{
	fy_error	err = {0};

	(void) result;
	(void) error;
	if (args->args[0] == NULL || args->args[1] == NULL)
		return fym_result(initid, NULL, length, is_null);
	return fym_result(initid, fymj_keys_case(&json_keys_case_udf, args, NULL, &err),
					  length, is_null);
}
