/*
 * validate.c -- ferry_plan_accounting(name, spec, meta, run_id) and
 * ferry_accounting_checks(phase, source_rows, migrated, merged, filtered,
 * rejected, orphans)
 * as MariaDB UDFs.
 *
 * validate_migration_integrity runs the COUNT statement of the first with
 * run_id 0 and hands the counts to the second, which words the verdicts
 * exactly as the PostgreSQL side does (fy_accounting_checks); migrate_phase
 * gets the same COUNT statement inside its own plan, so both read the books
 * the same way.
 */
#include <string.h>

#include "ferry_mariadb.h"

static const fym_argdef accounting_checks_args[] = {
	{"phase", FYM_TEXT},
	{"source_rows", FYM_INT},
	{"migrated", FYM_INT},
	{"merged", FYM_INT},
	{"filtered", FYM_INT},
	{"rejected", FYM_INT},
	{"orphans", FYM_INT},
};

static const fym_udf accounting_checks_udf = {"ferry_accounting_checks", accounting_checks_args, 7, FYM_JSON_LENGTH};

my_bool		ferry_accounting_checks_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_accounting_checks_deinit(UDF_INIT *initid);
char	   *ferry_accounting_checks(UDF_INIT *initid, UDF_ARGS *args, char *result,
									unsigned long *length, char *is_null, char *error);

static const fym_udf plan_accounting_udf = {"ferry_plan_accounting", fym_plan_args, 4, FYM_JSON_LENGTH};

my_bool		ferry_plan_accounting_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_accounting_deinit(UDF_INIT *initid);
char	   *ferry_plan_accounting(UDF_INIT *initid, UDF_ARGS *args, char *result,
								  unsigned long *length, char *is_null, char *error);

/* plan_accounting: fy_plan_accounting in the planners' common shape. */
static fy_plan *
plan_accounting(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
				fy_error *err)
{
	return fy_plan_accounting(phase, meta, FY_MARIADB, in->run_id, err);
}

my_bool
ferry_plan_accounting_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_accounting_udf, initid, args, message);
}

void
ferry_plan_accounting_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_accounting: the count is planned in C so both engines agree. */
char *
ferry_plan_accounting(UDF_INIT *initid, UDF_ARGS *args, char *result,
					  unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_accounting_udf, plan_accounting, initid, args, length, is_null);
}

my_bool
ferry_accounting_checks_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&accounting_checks_udf, initid, args, message);
}

void
ferry_accounting_checks_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * FYM_MAX_COUNT: the largest count ferry_accounting_checks (and
 * ferry_validate_verdict) take.  The core subtracts three counts from a
 * fourth, and merged from migrated, in int64_t; below 2^61 each, that
 * cannot overflow (undefined behaviour, and a verdict of garbage), and no
 * table has that many rows.
 */
#define FYM_MAX_COUNT ((long) 1 << 61)

/*
 * check_count: a count argument is of rows, so a negative or impossibly large
 * one is a caller's mistake, refused by name rather than worded as a
 * verdict ("-1 rows are NULL").
 */
static bool
check_count(const fym_udf *udf, unsigned i, long count, fy_error *err)
{
	if (count >= 0 && count < FYM_MAX_COUNT)
		return true;
	return fy_fail(err, FY_ERR_INVALID_SPEC,
				   "%s: %s must be a count of rows (0 to %ld), not %ld",
				   udf->name, udf->args[i].name, FYM_MAX_COUNT - 1, count);
}

/*
 * ferry_accounting_checks: the verdicts are worded in the core so that a
 * phase validated on either engine reads the same; this only carries the
 * counts in and the JSON array of checks out.
 */
char *
ferry_accounting_checks(UDF_INIT *initid, UDF_ARGS *args, char *result,
						unsigned long *length, char *is_null, char *error)
{
	fy_error	err;
	fy_check	checks[FY_ACCOUNTING_CHECKS];
	long		counts[6];
	char	   *phase = NULL;
	char	   *out;
	bool		ok;

	(void) result;
	(void) error;
	memset(&err, 0, sizeof(err));
	ok = fym_text(&accounting_checks_udf, args, 0, &phase, &err);
	for (unsigned i = 0; ok && i < 6; i++)
		ok = fym_int(&accounting_checks_udf, args, i + 1, &counts[i], &err) &&
			check_count(&accounting_checks_udf, i + 1, counts[i], &err);
	if (ok)
	{
		fy_counts	c = {.source_rows = counts[0], .migrated = counts[1],
			.merged = counts[2], .filtered = counts[3], .rejected = counts[4],
		.orphans = counts[5]};
		int			n = fy_accounting_checks(phase, &c, checks);

		out = fy_checks_json(phase, checks, n);
	}
	else
		out = fy_error_json(&err);
	if (phase)
		fy_release(phase);
	return fym_result(initid, out, length, is_null);
}

/*
 * The validation checks beyond the accounting: ferry_plan_validate plans
 * them (one statement each, returning failures and a sample), and
 * ferry_validate_verdict words each result as PostgreSQL does.
 */
static const fym_udf plan_validate_udf = {"ferry_plan_validate", fym_plan_args, 4, FYM_JSON_LENGTH};

static const fym_argdef validate_verdict_args[] = {
	{"phase", FYM_TEXT},
	{"check", FYM_TEXT},
	{"severity", FYM_TEXT},
	{"label", FYM_TEXT},
	{"finding", FYM_TEXT},
	{"failures", FYM_INT},
	{"sample", FYM_TEXT},
};

static const fym_udf validate_verdict_udf = {"ferry_validate_verdict", validate_verdict_args, 7, FYM_JSON_LENGTH};

my_bool		ferry_plan_validate_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_validate_deinit(UDF_INIT *initid);
char	   *ferry_plan_validate(UDF_INIT *initid, UDF_ARGS *args, char *result,
								unsigned long *length, char *is_null, char *error);
my_bool		ferry_validate_verdict_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_validate_verdict_deinit(UDF_INIT *initid);
char	   *ferry_validate_verdict(UDF_INIT *initid, UDF_ARGS *args, char *result,
								   unsigned long *length, char *is_null, char *error);

/* plan_validate: fy_plan_validate in the planners' common shape (run_id unused). */
static fy_plan *
plan_validate(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
			  fy_error *err)
{
	(void) in;
	return fy_plan_validate(phase, meta, FY_MARIADB, err);
}

my_bool
ferry_plan_validate_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_validate_udf, initid, args, message);
}

void
ferry_plan_validate_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

char *
ferry_plan_validate(UDF_INIT *initid, UDF_ARGS *args, char *result,
					unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_validate_udf, plan_validate, initid, args, length, is_null);
}

my_bool
ferry_validate_verdict_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&validate_verdict_udf, initid, args, message);
}

void
ferry_validate_verdict_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * ferry_validate_verdict: label and sample may be NULL (a check over the
 * whole phase, nothing found); every other argument is required.
 */
char *
ferry_validate_verdict(UDF_INIT *initid, UDF_ARGS *args, char *result,
					   unsigned long *length, char *is_null, char *error)
{
	fy_error	err;
	char	   *text[7] = {0};
	long		failures = 0;
	bool		ok = true;
	char	   *out;

	(void) result;
	(void) error;
	memset(&err, 0, sizeof(err));
	for (unsigned i = 0; ok && i < 7; i++)
	{
		if (i == 5)
			ok = fym_int(&validate_verdict_udf, args, i, &failures, &err) &&
				check_count(&validate_verdict_udf, i, failures, &err);
		else if ((i == 3 || i == 6) && args->args[i] == NULL)
			continue;
		else
			ok = fym_text(&validate_verdict_udf, args, i, &text[i], &err);
	}
	if (ok)
	{
		fy_stmt		st = {.role = FY_ROLE_ASSERT, .check = text[1], .severity = text[2],
		.label = text[3], .finding = text[4]};

		out = fy_verdict_json(text[0], &st, failures, text[6]);
	}
	else
		out = fy_error_json(&err);
	for (unsigned i = 0; i < 7; i++)
		fy_release(text[i]);
	return fym_result(initid, out, length, is_null);
}
