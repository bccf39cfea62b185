/*
 * sync.c -- live sync and compatibility views as MariaDB UDFs:
 * ferry_plan_sync(name, spec, meta, run_id) and
 * ferry_plan_compat_view(name, spec, meta, view).
 *
 * start_sync (procedures.sql) executes its statements: for each of INSERT,
 * UPDATE and DELETE, DROP TRIGGER IF EXISTS and CREATE TRIGGER on the
 * phase's source, the per-row bodies being static SQL planned by the core
 * (fy_plan_sync_triggers).  A stored procedure may create a trigger through
 * a prepared statement (not with a CREATE TRIGGER of its own), so the DBA
 * runs no script.  create_compat_view runs the CREATE VIEW of
 * ferry_plan_compat_view and shows its other statements' rows: where each
 * legacy column comes back from, or why it is NULL.
 */
#include "ferry_mariadb.h"

static const fym_argdef view_args[4] = {
	{"name", FYM_TEXT},
	{"spec", FYM_TEXT},
	{"meta", FYM_TEXT},
	{"view", FYM_TEXT},
};

static const fym_udf plan_sync_udf = {"ferry_plan_sync", fym_plan_args, 4, FYM_JSON_LENGTH};
static const fym_udf plan_compat_view_udf = {"ferry_plan_compat_view", view_args, 4, FYM_JSON_LENGTH};

my_bool		ferry_plan_sync_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_sync_deinit(UDF_INIT *initid);
char	   *ferry_plan_sync(UDF_INIT *initid, UDF_ARGS *args, char *result,
							unsigned long *length, char *is_null, char *error);
my_bool		ferry_plan_compat_view_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_compat_view_deinit(UDF_INIT *initid);
char	   *ferry_plan_compat_view(UDF_INIT *initid, UDF_ARGS *args, char *result,
								   unsigned long *length, char *is_null, char *error);

/* plan_sync: fy_plan_sync_triggers in the planners' common shape. */
static fy_plan *
plan_sync(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
		  fy_error *err)
{
	return fy_plan_sync_triggers(phase, meta, in->run_id, err);
}

/* plan_compat_view: fy_plan_compat_view in the planners' common shape. */
static fy_plan *
plan_compat_view(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
				 fy_error *err)
{
	return fy_plan_compat_view(phase, meta, FY_MARIADB, in->view, err);
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

my_bool
ferry_plan_compat_view_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_compat_view_udf, initid, args, message);
}

void
ferry_plan_compat_view_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_compat_view: the legacy shape, computed back from the spec. */
char *
ferry_plan_compat_view(UDF_INIT *initid, UDF_ARGS *args, char *result,
					   unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_compat_view_udf, plan_compat_view, initid, args, length, is_null);
}
