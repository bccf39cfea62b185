/*
 * legacy.c -- legacy_to_json(doc, format) and legacy_to_json_error(doc,
 * format) as MariaDB UDFs: a value stored in a legacy text format (lenient
 * JSON, PHP serialize(), query strings, key/value text) as JSON text, and
 * the reason it cannot be read.
 *
 * A UDF cannot raise an error for one row, so legacy_to_json gives NULL
 * for a value it cannot read and legacy_to_json_error says why, which is
 * what a migration quarantines the row with.  A format that is not one
 * is refused when the statement starts, if it is a constant, and gives
 * NULL (legacy_to_json_error: the reason) otherwise.
 */
#include <string.h>

#include "ferry_mariadb.h"

static const fym_argdef legacy_args[] = {
	{"doc", FYM_TEXT},
	{"format", FYM_TEXT},
};

static const fym_udf legacy_to_json_udf = {"legacy_to_json", legacy_args, 2, FYM_JSON_LENGTH};
static const fym_udf legacy_to_json_error_udf = {"legacy_to_json_error", legacy_args, 2, 1024};

my_bool		legacy_to_json_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		legacy_to_json_deinit(UDF_INIT *initid);
char	   *legacy_to_json(UDF_INIT *initid, UDF_ARGS *args, char *result,
						   unsigned long *length, char *is_null, char *error);
my_bool		legacy_to_json_error_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		legacy_to_json_error_deinit(UDF_INIT *initid);
char	   *legacy_to_json_error(UDF_INIT *initid, UDF_ARGS *args, char *result,
								 unsigned long *length, char *is_null, char *error);

/*
 * fyml_init: the common checks, and a constant format tried on an empty
 * document, so a misspelt format fails the statement instead of every row.
 */
static my_bool
fyml_init(const fym_udf *udf, UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	fy_error	err = {0};
	char	   *format;

	if (fym_init(udf, initid, args, message))
		return 1;
	if (args->args[1] == NULL)
		return 0;
	if (!fym_text(udf, args, 1, &format, &err))
		return fym_refuse(udf, &err, message);
	fy_release(fy_legacy_to_json("", 0, format, &err));
	fy_release(format);
	return err.code == FY_ERR_INVALID_SPEC ? fym_refuse(udf, &err, message) : 0;
}

/*
 * fyml_parse: the JSON text of row's document, or NULL with err.  The
 * document is read by its length: a PHP string may hold a NUL byte.
 */
static char *
fyml_parse(const fym_udf *udf, UDF_ARGS *args, fy_error *err)
{
	char	   *format;
	char	   *out;

	if (args->lengths[0] > FYM_MAX_TEXT)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED, "%s: doc is too large (%lu bytes, at most %lu)",
				udf->name, args->lengths[0], FYM_MAX_TEXT);
		return NULL;
	}
	if (!fym_text(udf, args, 1, &format, err))
		return NULL;
	out = fy_legacy_to_json(args->args[0], args->lengths[0], format, err);
	fy_release(format);
	return out;
}

my_bool
legacy_to_json_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fyml_init(&legacy_to_json_udf, initid, args, message);
}

void
legacy_to_json_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* legacy_to_json: NULL in, NULL out; unreadable, NULL (legacy_to_json_error says why). */
char *
legacy_to_json(UDF_INIT *initid, UDF_ARGS *args, char *result,
			   unsigned long *length, char *is_null, char *error)
{
	fy_error	err = {0};

	(void) result;
	(void) error;
	if (args->args[0] == NULL)
		return fym_result(initid, NULL, length, is_null);
	return fym_result(initid, fyml_parse(&legacy_to_json_udf, args, &err), length, is_null);
}

my_bool
legacy_to_json_error_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fyml_init(&legacy_to_json_error_udf, initid, args, message);
}

void
legacy_to_json_error_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* legacy_to_json_error: the parser's reason, naming the format and the byte, or NULL. */
char *
legacy_to_json_error(UDF_INIT *initid, UDF_ARGS *args, char *result,
					 unsigned long *length, char *is_null, char *error)
{
	fy_error	err = {0};
	char	   *out;

	(void) result;
	(void) error;
	if (args->args[0] != NULL && (out = fyml_parse(&legacy_to_json_error_udf, args, &err)) != NULL)
		fy_release(out);
	return fym_reason_result(initid, &err, length, is_null);
}
