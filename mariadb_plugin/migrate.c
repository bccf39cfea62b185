/*
 * migrate.c -- the migrate planners as MariaDB UDFs:
 * ferry_plan_migrate(name, spec, meta, run_id),
 * ferry_plan_migrate_range(name, spec, meta, run_id, range) and
 * ferry_plan_keyscan(name, spec, meta, range, scan, n).
 *
 * migrate_phase (procedures.sql) executes the statements of
 * ferry_plan_migrate (map, insert, count) in one transaction; run_id is the
 * migration_log row of the run, which tags the map rows so the run's own
 * count can be told from earlier runs'.  migrate_phase_batched pages the
 * source key with ferry_plan_keyscan and runs ferry_plan_migrate_range once
 * per batch, each batch a transaction of its own.
 */
#include "ferry_mariadb.h"

static const fym_argdef range_args[5] = {
	{"name", FYM_TEXT},
	{"spec", FYM_TEXT},
	{"meta", FYM_TEXT},
	{"run_id", FYM_INT},
	{"range", FYM_TEXT},
};

static const fym_argdef keyscan_args[6] = {
	{"name", FYM_TEXT},
	{"spec", FYM_TEXT},
	{"meta", FYM_TEXT},
	{"range", FYM_TEXT},
	{"scan", FYM_TEXT},
	{"n", FYM_INT},
};

static const fym_udf plan_migrate_udf = {"ferry_plan_migrate", fym_plan_args, 4, FYM_JSON_LENGTH};
static const fym_udf plan_migrate_range_udf = {"ferry_plan_migrate_range", range_args, 5, FYM_JSON_LENGTH};
static const fym_udf plan_keyscan_udf = {"ferry_plan_keyscan", keyscan_args, 6, FYM_JSON_LENGTH};

my_bool		ferry_plan_migrate_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_migrate_deinit(UDF_INIT *initid);
char	   *ferry_plan_migrate(UDF_INIT *initid, UDF_ARGS *args, char *result,
							   unsigned long *length, char *is_null, char *error);
my_bool		ferry_plan_migrate_range_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_migrate_range_deinit(UDF_INIT *initid);
char	   *ferry_plan_migrate_range(UDF_INIT *initid, UDF_ARGS *args, char *result,
									 unsigned long *length, char *is_null, char *error);
my_bool		ferry_plan_keyscan_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_keyscan_deinit(UDF_INIT *initid);
char	   *ferry_plan_keyscan(UDF_INIT *initid, UDF_ARGS *args, char *result,
							   unsigned long *length, char *is_null, char *error);

/* plan_migrate: fy_plan_migrate in the planners' common shape. */
static fy_plan *
plan_migrate(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
			 fy_error *err)
{
	return fy_plan_migrate(phase, meta, FY_MARIADB, in->run_id, err);
}

/* plan_migrate_range: one batch; MariaDB has no safe plan (no value_fits). */
static fy_plan *
plan_migrate_range(const fy_phase *phase, const fy_meta *meta,
				   const fym_plan_in *in, fy_error *err)
{
	return fy_plan_migrate_range(phase, meta, FY_MARIADB, in->run_id, in->range,
								 false, err);
}

/* plan_keyscan: fy_plan_keyscan in the planners' common shape. */
static fy_plan *
plan_keyscan(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
			 fy_error *err)
{
	return fy_plan_keyscan(phase, meta, FY_MARIADB, in->range, in->scan, in->n, err);
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

my_bool
ferry_plan_migrate_range_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_migrate_range_udf, initid, args, message);
}

void
ferry_plan_migrate_range_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * ferry_plan_migrate_range: the statements of one batch of a batched run,
 * reading only the source rows of its key range.
 */
char *
ferry_plan_migrate_range(UDF_INIT *initid, UDF_ARGS *args, char *result,
						 unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_migrate_range_udf, plan_migrate_range, initid, args, length, is_null);
}

my_bool
ferry_plan_keyscan_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_keyscan_udf, initid, args, message);
}

void
ferry_plan_keyscan_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * ferry_plan_keyscan: the statement that finds a batch's bound (or sizes
 * the run), so that every batch is an index range scan of the source key.
 */
char *
ferry_plan_keyscan(UDF_INIT *initid, UDF_ARGS *args, char *result,
				   unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_keyscan_udf, plan_keyscan, initid, args, length, is_null);
}
