/*
 * migrate.c -- ferry_plan_migrate(name, spec, meta, run_id) as a MariaDB UDF.
 *
 * migrate_phase (procedures.sql) executes the statements it returns (map,
 * insert, count) in one transaction; run_id is the migration_log row of
 * the run, which tags the map rows so the run's own count can be told
 * from earlier runs'.
 */
#include "ferry_mariadb.h"

static const fym_udf plan_migrate_udf = {"ferry_plan_migrate", fym_plan_args, 4, FYM_JSON_LENGTH};

my_bool		ferry_plan_migrate_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_migrate_deinit(UDF_INIT *initid);
char	   *ferry_plan_migrate(UDF_INIT *initid, UDF_ARGS *args, char *result,
							   unsigned long *length, char *is_null, char *error);

/* plan_migrate: fy_plan_migrate in the planners' common shape. */
static fy_plan *
plan_migrate(const fy_phase *phase, const fy_meta *meta, long run_id,
			 fy_error *err)
{
	return fy_plan_migrate(phase, meta, FY_MARIADB, run_id, err);
}

my_bool
ferry_plan_migrate_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_migrate_udf, initid, args, message);
}

void
ferry_plan_migrate_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_migrate: planning only; the caller's rights run the statements. */
char *
ferry_plan_migrate(UDF_INIT *initid, UDF_ARGS *args, char *result,
				   unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_migrate_udf, plan_migrate, initid, args, length, is_null);
}
