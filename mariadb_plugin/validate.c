/*
 * validate.c -- ferry_plan_accounting(name, spec, meta, run_id) and
 * ferry_accounting_checks(phase, source_rows, migrated, filtered, orphans)
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
	{"filtered", FYM_INT},
	{"rejected", FYM_INT},
	{"orphans", FYM_INT},
};

static const fym_udf accounting_checks_udf = {"ferry_accounting_checks", accounting_checks_args, 6, FYM_JSON_LENGTH};

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
plan_accounting(const fy_phase *phase, const fy_meta *meta, long run_id,
				fy_error *err)
{
	return fy_plan_accounting(phase, meta, FY_MARIADB, run_id, err);
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
	long		counts[5];
	char	   *phase = NULL;
	char	   *out;
	bool		ok;

	(void) result;
	(void) error;
	memset(&err, 0, sizeof(err));
	ok = fym_text(&accounting_checks_udf, args, 0, &phase, &err);
	for (unsigned i = 0; ok && i < 5; i++)
		ok = fym_int(&accounting_checks_udf, args, i + 1, &counts[i], &err);
	if (ok)
	{
		fy_counts	c = {.source_rows = counts[0], .migrated = counts[1],
		.filtered = counts[2], .rejected = counts[3], .orphans = counts[4]};
		int			n = fy_accounting_checks(phase, &c, checks);

		out = fy_checks_json(phase, checks, n);
	}
	else
		out = fy_error_json(&err);
	if (phase)
		fy_release(phase);
	return fym_result(initid, out, length, is_null);
}
