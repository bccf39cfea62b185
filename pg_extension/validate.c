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
 * fpg_validate_one proves one phase's books: every source row is either
 * migrated (has a map entry) or filtered by the declared where; a map entry
 * whose source row has since disappeared is reported, not hidden.
 */
static void
fpg_validate_one(ReturnSetInfo *rsinfo, const char *name)
{
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	int64		source_rows, migrated, filtered, orphans, missing;

	fpg_load(name, &ph, FPG_RESOLVE);
	plan = fy_plan_accounting(ph.phase, ph.meta, FY_POSTGRES, 0, &err);
	if (plan == NULL)
		fpg_raise(&err);
	fpg_exec(&ph, &plan->stmts[0]);
	source_rows = fpg_count_value(1);
	migrated = fpg_count_value(2);
	filtered = fpg_count_value(3);
	orphans = fpg_count_value(5);
	missing = source_rows - migrated - filtered;
	fpg_check_row(rsinfo, name, "row_accounting", missing == 0 ? "PASS" : "FAIL",
				  psprintf("source " INT64_FORMAT " = migrated " INT64_FORMAT " + filtered " INT64_FORMAT "%s",
						   source_rows, migrated, filtered,
						   missing == 0 ? "" :
						   psprintf(" + " INT64_FORMAT " neither migrated nor filtered (run migrate_phase('%s'))",
									missing, name)));
	fpg_check_row(rsinfo, name, "source_rows_gone", orphans == 0 ? "PASS" : "WARN",
				  orphans == 0 ? "every map entry has its source row" :
				  psprintf(INT64_FORMAT " map entries point at source rows deleted since they were migrated",
						   orphans));
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

		if (SPI_execute("SELECT name FROM ferry.phases ORDER BY id", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "ferry: could not read ferry.phases");
		names = SPI_tuptable;
		n = SPI_processed;
		for (uint64 i = 0; i < n; i++)
			fpg_validate_one(rsinfo, SPI_getvalue(names->vals[i], names->tupdesc, 1));
	}
	SPI_finish();
	return (Datum) 0;
}
