/*
 * ferry.c -- the glue every ferry UDF shares: argument checks, conversion,
 * result ownership, and the one body of the planning UDFs.
 *
 * Any user may call any UDF, with anything: a UDF must never crash the
 * server.  So arguments are counted and typed in *_init (the server then
 * converts every value to the declared type), every value is checked for
 * NULL and size before use, and failures come back as ferry's error JSON,
 * which the procedures turn into a SIGNAL.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferry_mariadb.h"

const fym_argdef fym_plan_args[4] = {
	{"name", FYM_TEXT},
	{"spec", FYM_TEXT},
	{"meta", FYM_TEXT},
	{"run_id", FYM_INT},
};

static pthread_once_t fym_once = PTHREAD_ONCE_INIT;

static void
fym_setup_once(void)
{
	/* malloc and free themselves, so that cJSON recognises them and reallocs */
	static const fy_allocator allocator = {malloc, free};

	fy_set_allocator(&allocator);
}

/*
 * fym_setup: the core allocates through hooks that must be set before its
 * first use; UDFs of several connections may start at once, hence the
 * once-only guard rather than a plain flag.
 */
void
fym_setup(void)
{
	pthread_once(&fym_once, fym_setup_once);
}

/*
 * FYM_INIT_MESSAGE: how much of an init message the server shows (its
 * ER_CANT_INITIALIZE_UDF prints at most 80 characters of it).
 */
#define FYM_INIT_MESSAGE 80

/*
 * fym_init: every UDF's *_init.  The argument list is checked here, before
 * any row, because this is the only place where a UDF can refuse with a
 * message of its own; the types are forced so that the row function sees
 * exactly the C types it expects, whatever the caller passed.  A message
 * naming every argument is cut by the server when the UDF has many, so
 * then it names only the counts, which are what was wrong.
 *
 * A constant argument's value reaches init in the caller's type: a number
 * as its 8 binary bytes with its display width as length, a DECIMAL as
 * text.  One of another type than the UDF declares is hidden (args[i] set
 * to NULL, as for a column), so that no check of a constant in a UDF's
 * init (uuid_v5's namespace, a legacy format) reads a number as text, past
 * its 8 bytes, or text as a number; its rows get it converted.
 */
my_bool
fym_init(const fym_udf *udf, UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	unsigned	i;

	fym_setup();
	if (args->arg_count != udf->nargs)
	{
		int			n;

		n = snprintf(message, MYSQL_ERRMSG_SIZE, "%s(", udf->name);
		for (i = 0; i < udf->nargs && n > 0 && n < MYSQL_ERRMSG_SIZE; i++)
			n += snprintf(message + n, MYSQL_ERRMSG_SIZE - n, "%s%s",
						  i ? ", " : "", udf->args[i].name);
		if (n > 0 && n < MYSQL_ERRMSG_SIZE)
			snprintf(message + n, MYSQL_ERRMSG_SIZE - n,
					 ") takes %u argument%s, not %u",
					 udf->nargs, udf->nargs == 1 ? "" : "s", args->arg_count);
		if (strlen(message) > FYM_INIT_MESSAGE)
			snprintf(message, MYSQL_ERRMSG_SIZE, "%s takes %u argument%s, not %u",
					 udf->name, udf->nargs, udf->nargs == 1 ? "" : "s",
					 args->arg_count);
		return 1;
	}
	for (i = 0; i < udf->nargs; i++)
	{
		bool		text = args->arg_type[i] == STRING_RESULT ||
			args->arg_type[i] == DECIMAL_RESULT;

		if (udf->args[i].kind == FYM_TEXT ? !text : args->arg_type[i] != INT_RESULT)
			args->args[i] = NULL;
		args->arg_type[i] = udf->args[i].kind == FYM_INT ? INT_RESULT : STRING_RESULT;
	}
	initid->maybe_null = 1;
	initid->const_item = 0;
	initid->max_length = udf->max_length;
	initid->ptr = NULL;
	return 0;
}

/*
 * fym_refuse: the message of a failed *_init, which the server shows as the
 * statement's error after the function's name, cut at 80 characters: the
 * reason after udf's name, unless the reason already starts with it (the
 * argument checks name the UDF themselves), so every refusal names the
 * function that was called.
 */
my_bool
fym_refuse(const fym_udf *udf, const fy_error *err, char *message)
{
	size_t		n = strlen(udf->name);

	if (strncmp(err->message, udf->name, n) == 0 &&
		(err->message[n] == ':' || err->message[n] == '('))
		snprintf(message, MYSQL_ERRMSG_SIZE, "%.480s", err->message);
	else
		snprintf(message, MYSQL_ERRMSG_SIZE, "%.64s: %.400s", udf->name, err->message);
	return 1;
}

/* fym_deinit: results outlive the row call, so the last one is freed here. */
void
fym_deinit(UDF_INIT *initid)
{
	if (initid->ptr)
		fy_release(initid->ptr);
	initid->ptr = NULL;
}

/*
 * fym_text: a text argument as a NUL-terminated copy (the server's buffer
 * is neither terminated nor ours).  An embedded NUL would silently cut a
 * spec short, so it is refused like NULL and oversize values.
 */
bool
fym_text(const fym_udf *udf, UDF_ARGS *args, unsigned i, char **out,
		 fy_error *err)
{
	const char *arg = udf->args[i].name;
	unsigned long len;
	char	   *copy;

	*out = NULL;
	if (args->args[i] == NULL)
	{
		fy_fail(err, FY_ERR_NULL_ARGUMENT, "%s: %s must not be NULL",
				udf->name, arg);
		return false;
	}
	len = args->lengths[i];
	if (len > FYM_MAX_TEXT)
	{
		fy_fail(err, FY_ERR_INVALID_SPEC,
				"%s: %s is too large (%lu bytes, at most %lu)",
				udf->name, arg, len, FYM_MAX_TEXT);
		return false;
	}
	if (memchr(args->args[i], '\0', len) != NULL)
	{
		fy_fail(err, FY_ERR_INVALID_SPEC, "%s: %s contains a NUL byte",
				udf->name, arg);
		return false;
	}
	copy = fy_alloc(len + 1);
	if (copy == NULL)
	{
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "%s: out of memory", udf->name);
		return false;
	}
	memcpy(copy, args->args[i], len);
	copy[len] = '\0';
	*out = copy;
	return true;
}

/* fym_int: an integer argument; NULL is an error because no default is safe. */
bool
fym_int(const fym_udf *udf, UDF_ARGS *args, unsigned i, long *out,
		fy_error *err)
{
	if (args->args[i] == NULL)
	{
		fy_fail(err, FY_ERR_NULL_ARGUMENT, "%s: %s must not be NULL",
				udf->name, udf->args[i].name);
		return false;
	}
	*out = (long) *(long long *) args->args[i];
	return true;
}

/*
 * fym_result: hand a core-allocated string to the server.  The server reads
 * it after we return, so it is kept in initid->ptr until the next row or
 * deinit; NULL (out of memory) becomes SQL NULL.
 */
char *
fym_result(UDF_INIT *initid, char *text, unsigned long *length, char *is_null)
{
	if (initid->ptr)
		fy_release(initid->ptr);
	initid->ptr = text;
	if (text == NULL)
	{
		*is_null = 1;
		*length = 0;
		return NULL;
	}
	*length = strlen(text);
	return text;
}

/*
 * fym_reason_result: the message of err as the result, or NULL when there
 * is none -- what the *_error UDFs give, the reason a row is rejected with.
 */
char *
fym_reason_result(UDF_INIT *initid, const fy_error *err, unsigned long *length,
				  char *is_null)
{
	char	   *reason = NULL;

	if (err->code != FY_OK && (reason = fy_alloc(strlen(err->message) + 1)) != NULL)
		strcpy(reason, err->message);
	return fym_result(initid, reason, length, is_null);
}

/* fym_error_result: errors are results, since a UDF cannot raise one per row. */
char *
fym_error_result(UDF_INIT *initid, const fy_error *err, unsigned long *length,
				 char *is_null)
{
	return fym_result(initid, fy_error_json(err), length, is_null);
}

/*
 * fym_plan_extra reads the arguments a planning UDF takes after (name,
 * spec, meta), by their names (fym_plan_in); a range needs the phase,
 * whose key tells how many values a bound holds.
 */
static bool
fym_plan_extra(const fym_udf *udf, UDF_ARGS *args, const fy_phase *phase,
			   fym_plan_in *in, fy_keyrange **range, fy_error *err)
{
	for (unsigned i = 3; i < udf->nargs; i++)
	{
		const char *arg = udf->args[i].name;
		char	   *text = NULL;
		bool		ok;

		if (udf->args[i].kind == FYM_INT)
			ok = fym_int(udf, args, i, strcmp(arg, "n") == 0 ? &in->n : &in->run_id, err);
		else if (!fym_text(udf, args, i, &text, err))
			ok = false;
		else if (strcmp(arg, "range") == 0)
			ok = (in->range = *range = fy_keyrange_parse(text, phase->nkeys, err)) != NULL;
		else if (strcmp(arg, "view") == 0)
		{
			in->view = text;	/* fym_plan releases it */
			text = NULL;
			ok = true;
		}
		else if (strcmp(text, "last") == 0 || strcmp(text, "nth") == 0 || strcmp(text, "count") == 0)
		{
			in->scan = text[0] == 'l' ? FY_SCAN_LAST : text[0] == 'n' ? FY_SCAN_NTH : FY_SCAN_COUNT;
			ok = true;
		}
		else
			ok = fy_fail(err, FY_ERR_INVALID_SPEC, "%s: %s must be 'last', 'nth' or 'count'",
						 udf->name, arg);
		if (text)
			fy_release(text);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * fym_plan: the body of every planning UDF, so they all check arguments,
 * parse and free in the same order.  Each step stops at the first error,
 * which names what was wrong.
 */
char *
fym_plan(const fym_udf *udf, fym_planner planner, UDF_INIT *initid,
		 UDF_ARGS *args, unsigned long *length, char *is_null)
{
	fy_error	err;
	char	   *name = NULL;
	char	   *spec = NULL;
	char	   *metajson = NULL;
	fym_plan_in in = {0};
	fy_keyrange *range = NULL;
	fy_phase   *phase = NULL;
	fy_meta    *meta = NULL;
	fy_plan    *plan = NULL;
	char	   *out;

	memset(&err, 0, sizeof(err));
	if (fym_text(udf, args, 0, &name, &err) &&
		fym_text(udf, args, 1, &spec, &err) &&
		fym_text(udf, args, 2, &metajson, &err) &&
		(phase = fy_phase_parse(name, spec, &err)) != NULL &&
		fym_plan_extra(udf, args, phase, &in, &range, &err) &&
		(meta = fy_meta_parse(metajson, &err)) != NULL &&
		(plan = planner(phase, meta, &in, &err)) != NULL)
		out = fy_plan_json(plan);
	else
		out = fy_error_json(&err);

	if (plan)
		fy_plan_free(plan);
	if (meta)
		fy_meta_free(meta);
	fy_keyrange_free(range);
	if (in.view)
		fy_release(in.view);
	if (phase)
		fy_phase_free(phase);
	if (metajson)
		fy_release(metajson);
	if (spec)
		fy_release(spec);
	if (name)
		fy_release(name);
	return fym_result(initid, out, length, is_null);
}
