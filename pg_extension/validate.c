/*
 * validate.c (pg_extension) -- validate_migration_integrity.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(validate_migration_integrity);

static void
fpg_check_row(ReturnSetInfo *rsinfo, const char *phase, const char *check,
			  const char *status, const char *details)
{
	Datum		values[4] = {CStringGetTextDatum(phase), CStringGetTextDatum(check),
	CStringGetTextDatum(status), CStringGetTextDatum(details)};
	bool		nulls[4] = {0};

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * fpg_validate_one reports the core's verdicts on one phase's books.  It
 * only reads (no row locks), so it may run while the application writes.
 */
static void
fpg_validate_one(ReturnSetInfo *rsinfo, const char *name)
{
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	fy_check	checks[FY_ACCOUNTING_CHECKS + FY_INTEGRITY_CHECKS];
	fy_counts	c;
	int			n;

	fpg_load(name, &ph, FPG_RESOLVE);
	plan = fy_plan_accounting(ph.phase, ph.meta, FY_POSTGRES, 0, &err);
	if (plan == NULL)
		fpg_raise(&err);
	fpg_exec(&ph, &plan->stmts[0]);
	fpg_counts(&c);
	n = fy_accounting_checks(name, &c, checks);
	for (int i = 0; i < n; i++)
		fpg_check_row(rsinfo, name, checks[i].name, checks[i].status, checks[i].details);
	fy_plan_free(plan);

	plan = fy_plan_integrity(ph.phase, ph.meta, FY_POSTGRES, &err);
	if (plan == NULL)
		fpg_raise(&err);
	fpg_exec(&ph, &plan->stmts[0]);
	n = fy_integrity_checks(name, fpg_count_value(1), fpg_count_value(2), checks);
	for (int i = 0; i < n; i++)
		fpg_check_row(rsinfo, name, checks[i].name, checks[i].status, checks[i].details);
	fy_plan_free(plan);
}

/* validate_migration_integrity(NULL) checks every phase, in definition order. */
Datum
validate_migration_integrity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	if (!PG_ARGISNULL(0))
		fpg_validate_one(rsinfo, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	else
	{
		SPITupleTable *names;
		uint64		n;

		if (SPI_execute("SELECT name FROM ferry.phases ORDER BY id", false, 0) != SPI_OK_SELECT)
			elog(ERROR, "ferry: could not read ferry.phases");
		names = SPI_tuptable;
		n = SPI_processed;
		for (uint64 i = 0; i < n; i++)
			fpg_validate_one(rsinfo, SPI_getvalue(names->vals[i], names->tupdesc, 1));
	}
	SPI_finish();
	return (Datum) 0;
}
