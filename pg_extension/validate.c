/*
 * validate.c (pg_extension) -- validate_migration_integrity.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(validate_migration_integrity);
PG_FUNCTION_INFO_V1(assert_migration_integrity);
PG_FUNCTION_INFO_V1(migration_accounting);

static void
fpg_check_row(ReturnSetInfo *rsinfo, const char *phase, const fy_check *c,
			  const char *sample)
{
	Datum		values[5] = {CStringGetTextDatum(phase), CStringGetTextDatum(c->name),
	CStringGetTextDatum(c->status), CStringGetTextDatum(c->details), (Datum) 0};
	bool		nulls[5] = {0};

	if (sample)
		values[4] = CStringGetTextDatum(sample);
	else
		nulls[4] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * fpg_books loads a phase and counts its books now, with run 0 (no run of
 * its own): validation words them, migration_accounting returns them.
 */
static void
fpg_books(const char *name, fpg_phase *ph, fy_counts *c)
{
	fy_error	err = {0};
	fy_plan    *plan;

	fpg_load(name, ph, FPG_RESOLVE);
	plan = fy_plan_accounting(ph->phase, ph->meta, FY_POSTGRES, 0, &err);
	if (plan == NULL)
		fpg_raise(&err);
	fpg_exec(ph, &plan->stmts[0]);
	fpg_counts(c);
	fy_plan_free(plan);
}

/*
 * fpg_validate_one reports the core's verdicts on one phase: the books,
 * then every check statement, each with a sample of the first keys it
 * found.  It only reads (no row locks), so it may run while the
 * application writes.
 */
static void
fpg_validate_one(ReturnSetInfo *rsinfo, const char *name)
{
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	fy_check	checks[FY_ACCOUNTING_CHECKS];
	fy_counts	c;
	int			n;

	fpg_books(name, &ph, &c);
	n = fy_accounting_checks(name, &c, checks);
	for (int i = 0; i < n; i++)
		fpg_check_row(rsinfo, name, &checks[i], NULL);

	plan = fy_plan_validate(ph.phase, ph.meta, FY_POSTGRES, &err);
	if (plan == NULL)
		fpg_raise(&err);
	for (int i = 0; i < plan->nstmts; i++)
	{
		fy_check	v;
		int64		failures;

		fpg_exec(&ph, &plan->stmts[i]);
		failures = fpg_count_value(1);
		fy_validate_verdict(&plan->stmts[i], failures, &v);
		fpg_check_row(rsinfo, name, &v, failures > 0 ?
					  SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2) : NULL);
	}
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

/*
 * assert_migration_integrity turns validation into one error listing every
 * FAIL, for files run with ON_ERROR_STOP, Sqitch verify and Flyway
 * callbacks; WARNs do not stop anything.
 */
Datum
assert_migration_integrity(PG_FUNCTION_ARGS)
{
	Datum		arg = PG_ARGISNULL(0) ? (Datum) 0 : PointerGetDatum(PG_GETARG_TEXT_PP(0));
	char		nulls[1] = {PG_ARGISNULL(0) ? 'n' : ' '};
	Oid			type = TEXTOID;
	StringInfoData fails;
	char	   *sql;

	SPI_connect();
	sql = psprintf("SELECT phase || ': ' || check_name || ': ' || details || "
				   "coalesce(' (' || sample || ')', '') FROM %s.validate_migration_integrity($1) "
				   "WHERE status = 'FAIL'",
				   quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid))));
	if (SPI_execute_with_args(sql, 1, &type, &arg, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not validate");
	if (SPI_processed > 0)
	{
		initStringInfo(&fails);
		for (uint64 i = 0; i < SPI_processed; i++)
			appendStringInfo(&fails, "%s%s", i ? "\n" : "",
							 SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
		ereport(ERROR,
				(errcode(ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION),
				 errmsg("migration integrity: " UINT64_FORMAT " check%s failed",
						SPI_processed, SPI_processed == 1 ? "" : "s"),
				 errdetail("%s", fails.data)));
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * migration_accounting gives the books as numbers, for tests that assert
 * them (ferry_tap's ferry_accounting_is) and reports; validation's
 * row_accounting words the same counts.  migrated counts the rows written
 * as their own target row, as row_accounting does, merged the others.
 */
Datum
migration_accounting(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	fpg_phase	ph;
	fy_counts	c;
	Datum		values[6];
	bool		nulls[6] = {0};
	char	   *name;
	HeapTuple	tuple;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("migration_accounting: the phase name must not be NULL")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "ferry: migration_accounting must return a row");
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	SPI_connect();
	fpg_books(name, &ph, &c);
	SPI_finish();
	values[0] = CStringGetTextDatum(name);
	values[1] = Int64GetDatum(c.source_rows);
	values[2] = Int64GetDatum(c.migrated - c.merged);
	values[3] = Int64GetDatum(c.merged);
	values[4] = Int64GetDatum(c.filtered);
	values[5] = Int64GetDatum(c.rejected);
	tuple = heap_form_tuple(BlessTupleDesc(desc), values, nulls);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}
