/*
 * phase.c -- ferry_phase_check(name, spec), ferry_plan_define(name, spec,
 * meta) and ferry_plan_drop(name, spec, meta) as MariaDB UDFs.
 *
 * define_phase and drop_phase (procedures.sql) call them: the first to
 * validate a spec and learn which relations to describe, the others for
 * the DDL of the phase's id map, which the procedures then execute.
 */
#include <string.h>

#include "ferry_mariadb.h"

static const fym_udf phase_check_udf = {"ferry_phase_check", fym_plan_args, 2, FYM_JSON_LENGTH};
static const fym_udf plan_define_udf = {"ferry_plan_define", fym_plan_args, 3, FYM_JSON_LENGTH};
static const fym_udf plan_drop_udf = {"ferry_plan_drop", fym_plan_args, 3, FYM_JSON_LENGTH};

my_bool		ferry_phase_check_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_phase_check_deinit(UDF_INIT *initid);
char	   *ferry_phase_check(UDF_INIT *initid, UDF_ARGS *args, char *result,
							  unsigned long *length, char *is_null, char *error);
my_bool		ferry_plan_define_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_define_deinit(UDF_INIT *initid);
char	   *ferry_plan_define(UDF_INIT *initid, UDF_ARGS *args, char *result,
							  unsigned long *length, char *is_null, char *error);
my_bool		ferry_plan_drop_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_drop_deinit(UDF_INIT *initid);
char	   *ferry_plan_drop(UDF_INIT *initid, UDF_ARGS *args, char *result,
							unsigned long *length, char *is_null, char *error);

my_bool
ferry_phase_check_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&phase_check_udf, initid, args, message);
}

void
ferry_phase_check_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * ferry_phase_check: the summary (canonical spec, checksum, relation
 * names) is all the procedures need to describe the relations in SQL
 * before asking for a plan; errors are JSON because a UDF cannot raise.
 */
char *
ferry_phase_check(UDF_INIT *initid, UDF_ARGS *args, char *result,
				  unsigned long *length, char *is_null, char *error)
{
	fy_error	err;
	char	   *name = NULL;
	char	   *spec = NULL;
	fy_phase   *phase = NULL;
	char	   *out;

	(void) result;
	(void) error;
	memset(&err, 0, sizeof(err));
	if (fym_text(&phase_check_udf, args, 0, &name, &err) &&
		fym_text(&phase_check_udf, args, 1, &spec, &err) &&
		(phase = fy_phase_parse(name, spec, &err)) != NULL)
		out = fy_phase_summary_json(phase);
	else
		out = fy_error_json(&err);
	if (phase)
		fy_phase_free(phase);
	if (spec)
		fy_release(spec);
	if (name)
		fy_release(name);
	return fym_result(initid, out, length, is_null);
}

/* plan_define: fy_plan_define in the planners' common shape (no run id). */
static fy_plan *
plan_define(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
			fy_error *err)
{
	(void) in;
	return fy_plan_define(phase, meta, FY_MARIADB, err);
}

/* plan_drop: fy_plan_drop in the planners' common shape (no run id). */
static fy_plan *
plan_drop(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
		  fy_error *err)
{
	(void) in;
	return fy_plan_drop(phase, meta, FY_MARIADB, err);
}

my_bool
ferry_plan_define_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_define_udf, initid, args, message);
}

void
ferry_plan_define_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_define: the map's DDL depends on the key types, hence the meta. */
char *
ferry_plan_define(UDF_INIT *initid, UDF_ARGS *args, char *result,
				  unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_define_udf, plan_define, initid, args, length, is_null);
}

my_bool
ferry_plan_drop_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_drop_udf, initid, args, message);
}

void
ferry_plan_drop_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_drop: the map's name comes from meta's phase_id, so meta is needed. */
char *
ferry_plan_drop(UDF_INIT *initid, UDF_ARGS *args, char *result,
				unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_drop_udf, plan_drop, initid, args, length, is_null);
}
