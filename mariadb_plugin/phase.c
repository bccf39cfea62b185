/*
 * phase.c -- ferry_phase_check(name, spec), ferry_plan_define(name, spec,
 * meta), ferry_plan_drop(name, spec, meta), ferry_plan_probe(name, spec,
 * meta) and ferry_dependency_order(phases) as MariaDB UDFs.
 *
 * define_phase and drop_phase (procedures.sql) call them: the first to
 * validate a spec and learn which relations to describe, the next two for
 * the DDL of the phase's id map, which the procedures then execute, the
 * probe to try every piece of the spec's SQL before anything is written,
 * the last to refuse a dependency cycle (define_phase) and to order the
 * phases (migrate_all).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry_mariadb.h"

static const fym_udf phase_check_udf = {"ferry_phase_check", fym_plan_args, 2, FYM_JSON_LENGTH};
static const fym_udf plan_define_udf = {"ferry_plan_define", fym_plan_args, 3, FYM_JSON_LENGTH};
static const fym_udf plan_drop_udf = {"ferry_plan_drop", fym_plan_args, 3, FYM_JSON_LENGTH};
static const fym_udf plan_probe_udf = {"ferry_plan_probe", fym_plan_args, 3, FYM_JSON_LENGTH};
static const fym_argdef order_args[1] = {{"phases", FYM_TEXT}};
static const fym_udf dependency_order_udf = {"ferry_dependency_order", order_args, 1, FYM_JSON_LENGTH};

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
my_bool		ferry_plan_probe_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_probe_deinit(UDF_INIT *initid);
char	   *ferry_plan_probe(UDF_INIT *initid, UDF_ARGS *args, char *result,
							 unsigned long *length, char *is_null, char *error);
my_bool		ferry_dependency_order_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_dependency_order_deinit(UDF_INIT *initid);
char	   *ferry_dependency_order(UDF_INIT *initid, UDF_ARGS *args, char *result,
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

/* plan_probe: fy_plan_probe in the planners' common shape (no run id). */
static fy_plan *
plan_probe(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
		   fy_error *err)
{
	(void) in;
	return fy_plan_probe(phase, meta, FY_MARIADB, err);
}

my_bool
ferry_plan_probe_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_probe_udf, initid, args, message);
}

void
ferry_plan_probe_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * ferry_plan_probe: one labelled "probe" statement per piece of SQL in the
 * spec (a column's sql, where, merge_order, an aggregate, a check), so that
 * define_phase can have the server parse and resolve each one (PREPARE)
 * and name the phase and column of a mistake before it stores anything,
 * as PostgreSQL's define_phase does.
 */
char *
ferry_plan_probe(UDF_INIT *initid, UDF_ARGS *args, char *result,
				 unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_probe_udf, plan_probe, initid, args, length, is_null);
}

my_bool
ferry_dependency_order_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&dependency_order_udf, initid, args, message);
}

void
ferry_dependency_order_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/*
 * FYM_MAX_PHASES: the most phases ferry_dependency_order takes.  The core's
 * sort recurses once per link of a dependency chain, on the server's
 * thread stack; a database has nowhere near this many phases.
 */
#define FYM_MAX_PHASES 1000

/*
 * order_nodes reads [{"name": ..., "depends_on": [...]}, ...] into the
 * core's nodes, pointing into the parsed tree.
 */
static bool
order_nodes(const cJSON *list, fy_depnode *nodes, int n, fy_error *err)
{
	int			i = 0;
	const cJSON *p;

	cJSON_ArrayForEach(p, list)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
		const cJSON *deps = cJSON_GetObjectItemCaseSensitive(p, "depends_on");
		const cJSON *d;
		int			k = 0;

		if (i >= n || !cJSON_IsString(name) || (deps != NULL && !cJSON_IsNull(deps) && !cJSON_IsArray(deps)))
			return fy_fail(err, FY_ERR_INVALID_JSON,
						   "ferry_dependency_order: every phase needs a \"name\" and an array \"depends_on\"");
		nodes[i].name = name->valuestring;
		nodes[i].ndeps = cJSON_IsArray(deps) ? cJSON_GetArraySize(deps) : 0;
		nodes[i].deps = fy_alloc(sizeof(char *) * (size_t) (nodes[i].ndeps + 1));
		if (nodes[i].deps == NULL)
			return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		cJSON_ArrayForEach(d, deps)
		{
			if (!cJSON_IsString(d))
				return fy_fail(err, FY_ERR_INVALID_JSON,
							   "ferry_dependency_order: \"depends_on\" names phases");
			nodes[i].deps[k++] = d->valuestring;
		}
		i++;
	}
	return true;
}

/*
 * ferry_dependency_order: the phases' names in an order where every phase
 * comes after the ones it depends on (definition order otherwise), as a
 * JSON array, or the core's error naming the cycle (a -> b -> a) or the
 * missing phase, worded as on PostgreSQL.
 */
char *
ferry_dependency_order(UDF_INIT *initid, UDF_ARGS *args, char *result,
					   unsigned long *length, char *is_null, char *error)
{
	fy_error	err;
	char	   *text = NULL;
	cJSON	   *list = NULL;
	cJSON	   *names = NULL;
	fy_depnode *nodes = NULL;
	int		   *order = NULL;
	int			n = 0;
	char	   *out = NULL;

	(void) result;
	(void) error;
	memset(&err, 0, sizeof(err));
	if (!fym_text(&dependency_order_udf, args, 0, &text, &err))
		;
	else if ((list = cJSON_Parse(text)) == NULL || !cJSON_IsArray(list))
		fy_fail(&err, FY_ERR_INVALID_JSON, "ferry_dependency_order: phases is not a JSON array");
	else if ((n = cJSON_GetArraySize(list)) > FYM_MAX_PHASES)
		fy_fail(&err, FY_ERR_INVALID_SPEC, "ferry_dependency_order: more than %d phases", FYM_MAX_PHASES);
	else if ((nodes = fy_alloc(sizeof(fy_depnode) * (size_t) (n + 1))) == NULL ||
			 (order = fy_alloc(sizeof(int) * (size_t) (n + 1))) == NULL ||
			 (names = cJSON_CreateArray()) == NULL)
		fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	else
	{
		memset(nodes, 0, sizeof(fy_depnode) * (size_t) (n + 1));
		if (order_nodes(list, nodes, n, &err) && fy_dependency_order(nodes, n, order, &err))
		{
			for (int i = 0; i < n; i++)
				if (!cJSON_AddItemToArray(names, cJSON_CreateString(nodes[order[i]].name)))
					fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			/* cJSON allocates through the core's hooks (fym_setup) */
			if (err.code == FY_OK && (out = cJSON_PrintUnformatted(names)) == NULL)
				fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	if (out == NULL)
		out = fy_error_json(&err);
	for (int i = 0; nodes != NULL && i < n; i++)
		if (nodes[i].deps)
			fy_release((void *) nodes[i].deps);
	if (nodes)
		fy_release(nodes);
	if (order)
		fy_release(order);
	cJSON_Delete(names);
	cJSON_Delete(list);
	if (text)
		fy_release(text);
	return fym_result(initid, out, length, is_null);
}
