/*
 * sync.c -- live sync as a MariaDB UDF: ferry_plan_sync(name, spec, meta,
 * run_id).
 *
 * start_sync (procedures.sql) executes its statements: for each of INSERT,
 * UPDATE and DELETE, DROP TRIGGER IF EXISTS and CREATE TRIGGER on the
 * phase's source, the per-row bodies being static SQL planned by the core
 * (fy_plan_sync_triggers).  A stored procedure may create a trigger through
 * a prepared statement (not with a CREATE TRIGGER of its own), so the DBA
 * runs no script.
 */
#include "ferry_mariadb.h"

static const fym_udf plan_sync_udf = {"ferry_plan_sync", fym_plan_args, 4, FYM_JSON_LENGTH};

my_bool		ferry_plan_sync_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_sync_deinit(UDF_INIT *initid);
char	   *ferry_plan_sync(UDF_INIT *initid, UDF_ARGS *args, char *result,
							unsigned long *length, char *is_null, char *error);

/* plan_sync: fy_plan_sync_triggers in the planners' common shape. */
static fy_plan *
plan_sync(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
		  fy_error *err)
{
	return fy_plan_sync_triggers(phase, meta, in->run_id, err);
}

my_bool
ferry_plan_sync_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_sync_udf, initid, args, message);
}

void
ferry_plan_sync_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_sync: the trigger DDL, planned here, run by the caller's rights. */
char *
ferry_plan_sync(UDF_INIT *initid, UDF_ARGS *args, char *result,
				unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_sync_udf, plan_sync, initid, args, length, is_null);
}
