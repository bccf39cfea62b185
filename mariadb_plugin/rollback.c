/*
 * rollback.c -- ferry_plan_rollback(name, spec, meta) and
 * ferry_plan_drift(name, spec, meta) as MariaDB UDFs.
 *
 * rollback_migration executes their statements: unless forced, the drift
 * guard first, then delete the target rows the phase's map points at (and
 * only those), then empty the map.
 */
#include "ferry_mariadb.h"

static const fym_udf plan_rollback_udf = {"ferry_plan_rollback", fym_plan_args, 3, FYM_JSON_LENGTH};

my_bool		ferry_plan_rollback_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_rollback_deinit(UDF_INIT *initid);
char	   *ferry_plan_rollback(UDF_INIT *initid, UDF_ARGS *args, char *result,
								unsigned long *length, char *is_null, char *error);

/* plan_rollback: fy_plan_rollback in the planners' common shape (no run id). */
static fy_plan *
plan_rollback(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
			  fy_error *err)
{
	(void) in;
	return fy_plan_rollback(phase, meta, FY_MARIADB, err);
}

my_bool
ferry_plan_rollback_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_rollback_udf, initid, args, message);
}

void
ferry_plan_rollback_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_rollback: the map decides what is deleted, so later rows survive. */
char *
ferry_plan_rollback(UDF_INIT *initid, UDF_ARGS *args, char *result,
					unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_rollback_udf, plan_rollback, initid, args, length, is_null);
}

static const fym_udf plan_drift_udf = {"ferry_plan_drift", fym_plan_args, 3, FYM_JSON_LENGTH};

my_bool		ferry_plan_drift_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_drift_deinit(UDF_INIT *initid);
char	   *ferry_plan_drift(UDF_INIT *initid, UDF_ARGS *args, char *result,
							 unsigned long *length, char *is_null, char *error);

/* plan_drift: fy_plan_drift in the planners' common shape (no run id). */
static fy_plan *
plan_drift(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
		   fy_error *err)
{
	(void) in;
	return fy_plan_drift(phase, meta, FY_MARIADB, err);
}

my_bool
ferry_plan_drift_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_drift_udf, initid, args, message);
}

void
ferry_plan_drift_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * ferry_plan_drift: rollback's guard, a statement that finds the target
 * rows changed since the migration wrote them; rollback_migration runs it
 * unless forced, and ferry_validate_verdict refuses with their keys.
 */
char *
ferry_plan_drift(UDF_INIT *initid, UDF_ARGS *args, char *result,
				 unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_drift_udf, plan_drift, initid, args, length, is_null);
}
