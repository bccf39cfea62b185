/*
 * preflight.c -- ferry_plan_preflight(name, spec, meta) and
 * ferry_preflight_report(name, spec, meta, results) as MariaDB UDFs.
 *
 * preflight (procedures.sql) runs every statement of the first, read-only,
 * inside a transaction it rolls back, keeping each one's count and sample
 * or the error it raised, and hands them to the second, which words the
 * report exactly as the PostgreSQL side does (fy_preflight_report).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "ferry_mariadb.h"

static const fym_argdef report_args[4] = {
	{"name", FYM_TEXT},
	{"spec", FYM_TEXT},
	{"meta", FYM_TEXT},
	{"results", FYM_TEXT},
};

static const fym_udf plan_preflight_udf = {"ferry_plan_preflight", fym_plan_args, 3, FYM_JSON_LENGTH};
static const fym_udf preflight_report_udf = {"ferry_preflight_report", report_args, 4, FYM_JSON_LENGTH};

my_bool		ferry_plan_preflight_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_plan_preflight_deinit(UDF_INIT *initid);
char	   *ferry_plan_preflight(UDF_INIT *initid, UDF_ARGS *args, char *result,
								 unsigned long *length, char *is_null, char *error);
my_bool		ferry_preflight_report_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
void		ferry_preflight_report_deinit(UDF_INIT *initid);
char	   *ferry_preflight_report(UDF_INIT *initid, UDF_ARGS *args, char *result,
								   unsigned long *length, char *is_null, char *error);

/* plan_preflight: fy_plan_preflight in the planners' common shape. */
static fy_plan *
plan_preflight(const fy_phase *phase, const fy_meta *meta, const fym_plan_in *in,
			   fy_error *err)
{
	(void) in;
	return fy_plan_preflight(phase, meta, FY_MARIADB, err);
}

my_bool
ferry_plan_preflight_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&plan_preflight_udf, initid, args, message);
}

void
ferry_plan_preflight_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* ferry_plan_preflight: planning only; the caller's rights run the checks. */
char *
ferry_plan_preflight(UDF_INIT *initid, UDF_ARGS *args, char *result,
					 unsigned long *length, char *is_null, char *error)
{
	(void) result;
	(void) error;
	return fym_plan(&plan_preflight_udf, plan_preflight, initid, args, length, is_null);
}

my_bool
ferry_preflight_report_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return fym_init(&preflight_report_udf, initid, args, message);
}

void
ferry_preflight_report_deinit(UDF_INIT *initid)
{
	fym_deinit(initid);
}

/* What report_row needs to add a row of the report. */
typedef struct report_out
{
	const char *phase;
	cJSON	   *rows;
	bool		oom;
} report_out;

/* report_row: one row of the report, as preflight's result columns. */
static void
report_row(void *ctx, const fy_check *c, bool has_rows, int64_t rows,
		   const char *sample)
{
	report_out *out = ctx;
	cJSON	   *row = cJSON_CreateObject();

	if (row == NULL || !cJSON_AddItemToArray(out->rows, row) ||
		!cJSON_AddStringToObject(row, "phase", out->phase) ||
		!cJSON_AddStringToObject(row, "check_name", c->name) ||
		!cJSON_AddStringToObject(row, "status", c->status) ||
		!(has_rows ? cJSON_AddNumberToObject(row, "rows", (double) rows) :
		  cJSON_AddNullToObject(row, "rows")) ||
		!cJSON_AddStringToObject(row, "details", c->details) ||
		!(sample ? cJSON_AddStringToObject(row, "sample", sample) :
		  cJSON_AddNullToObject(row, "sample")))
		out->oom = true;
}

/*
 * report_results: the statements' outcomes, one {"failures", "sample",
 * "error"} per statement of the plan, in its order; a count is of rows
 * (0 to 2^53), anything else is the caller's mistake.
 */
static bool
report_results(const cJSON *list, const fy_plan *plan, int64_t *failures,
			   const char **samples, const char **errors, fy_error *err)
{
	int			i = 0;
	const cJSON *r;

	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != plan->nstmts)
		return fy_fail(err, FY_ERR_INVALID_JSON,
					   "ferry_preflight_report: results needs one entry per statement of the plan (%d)",
					   plan->nstmts);
	cJSON_ArrayForEach(r, list)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(r, "failures");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "sample");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");

		if (cJSON_IsString(e))
			errors[i] = e->valuestring;
		else if (!cJSON_IsNumber(n) || !(n->valuedouble >= 0 && n->valuedouble <= (double) (1LL << 53)))
			return fy_fail(err, FY_ERR_INVALID_JSON,
						   "ferry_preflight_report: result %d needs \"failures\", a count of rows, or an \"error\"",
						   i + 1);
		else
			failures[i] = (int64_t) n->valuedouble;
		samples[i] = cJSON_IsString(s) ? s->valuestring : NULL;
		i++;
	}
	return true;
}

/*
 * ferry_preflight_report: the report's rows as a JSON array.  results is
 * {"relations_error": "<message>"} when the phase's tables or columns do
 * not resolve (meta is not read then), otherwise {"results":
 * [...]} for the statements of ferry_plan_preflight(name, spec, meta).
 */
char *
ferry_preflight_report(UDF_INIT *initid, UDF_ARGS *args, char *result,
					   unsigned long *length, char *is_null, char *error)
{
	fy_error	err;
	char	   *text[4] = {NULL, NULL, NULL, NULL};
	cJSON	   *results = NULL;
	fy_phase   *phase = NULL;
	fy_meta    *meta = NULL;
	fy_plan    *plan = NULL;
	report_out	out = {NULL, NULL, false};
	int64_t    *failures = NULL;
	const char **samples = NULL;
	const char **errors = NULL;
	const cJSON *relations;
	char	   *json = NULL;
	bool		ok = true;

	(void) result;
	(void) error;
	memset(&err, 0, sizeof(err));
	for (unsigned i = 0; ok && i < 4; i++)
		ok = fym_text(&preflight_report_udf, args, i, &text[i], &err);
	if (ok && ((results = cJSON_Parse(text[3])) == NULL || !cJSON_IsObject(results)))
		ok = fy_fail(&err, FY_ERR_INVALID_JSON, "ferry_preflight_report: results is not a JSON object");
	if (ok && (out.rows = cJSON_CreateArray()) == NULL)
		ok = fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	out.phase = text[0];
	if (ok && (phase = fy_phase_parse(text[0], text[1], &err)) == NULL)
		ok = false;
	relations = ok ? cJSON_GetObjectItemCaseSensitive(results, "relations_error") : NULL;
	if (ok && cJSON_IsString(relations))
		fy_preflight_report(FY_MARIADB, NULL, NULL, NULL, NULL, relations->valuestring,
							report_row, &out);
	else if (ok && (meta = fy_meta_parse(text[2], &err)) != NULL &&
			 (plan = fy_plan_preflight(phase, meta, FY_MARIADB, &err)) != NULL)
	{
		size_t		n = (size_t) plan->nstmts + 1;

		failures = fy_alloc(sizeof(int64_t) * n);
		samples = fy_alloc(sizeof(char *) * n);
		errors = fy_alloc(sizeof(char *) * n);
		if (failures == NULL || samples == NULL || errors == NULL)
			fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		else
		{
			memset(failures, 0, sizeof(int64_t) * n);
			memset(samples, 0, sizeof(char *) * n);
			memset(errors, 0, sizeof(char *) * n);
			if (report_results(cJSON_GetObjectItemCaseSensitive(results, "results"), plan,
							   failures, samples, errors, &err))
				fy_preflight_report(FY_MARIADB, plan, failures, samples, errors, NULL,
									report_row, &out);
		}
	}
	if (out.oom)
		fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	/* cJSON allocates through the core's hooks (fym_setup): fy_release frees it */
	if (err.code == FY_OK)
		json = cJSON_PrintUnformatted(out.rows);
	if (json == NULL)
	{
		if (err.code == FY_OK)
			fy_fail(&err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		json = fy_error_json(&err);
	}
	if (failures)
		fy_release(failures);
	if (samples)
		fy_release(samples);
	if (errors)
		fy_release(errors);
	if (plan)
		fy_plan_free(plan);
	if (meta)
		fy_meta_free(meta);
	if (phase)
		fy_phase_free(phase);
	cJSON_Delete(out.rows);
	cJSON_Delete(results);
	for (unsigned i = 0; i < 4; i++)
		if (text[i])
			fy_release(text[i]);
	return fym_result(initid, json, length, is_null);
}
