/*
 * migrate.c (pg_extension) -- migrate_phase.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(migrate_phase);

/*
 * migrate_phase runs inside the caller's transaction: the map rows, the
 * target rows and the log row commit or vanish together.  Re-running is
 * safe because the map statement skips every source row already mapped.
 */
Datum
migrate_phase(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	instr_time	start;
	int64		run_id;
	uint64		mapped = 0;
	uint64		inserted = 0;
	int64		migrated_total = 0;
	int64		filtered = 0;
	int64		this_run = 0;
	double		seconds;
	Datum		values[7];
	bool		nulls[7] = {0};

	INSTR_TIME_SET_CURRENT(start);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	fpg_load(name, &ph, FPG_RESOLVE);
	fpg_lock(&ph, "migrate_phase");
	run_id = fpg_log_start(name, "migrate");
	plan = fy_plan_migrate(ph.phase, ph.meta, FY_POSTGRES, run_id, &err);
	if (plan == NULL)
		fpg_raise(&err);
	for (int i = 0; i < plan->nstmts; i++)
	{
		const fy_stmt *st = &plan->stmts[i];
		uint64		n = fpg_exec(&ph, st);

		if (st->role == FY_ROLE_MAP)
			mapped = n;
		else if (st->role == FY_ROLE_INSERT)
			inserted = n;
		else if (st->role == FY_ROLE_COUNT)
		{
			migrated_total = fpg_count_value(2);
			filtered = fpg_count_value(3);
			this_run = fpg_count_value(4);
		}
	}
	if (inserted != mapped || (uint64) this_run != mapped)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("phase \"%s\": mapped " UINT64_FORMAT " source rows but wrote " UINT64_FORMAT " target rows",
						name, mapped, inserted),
				 errdetail("Source rows changed between the statements of the run; nothing was written."),
				 errhint("Run migrate_phase('%s') again.", name)));
	seconds = fpg_log_finish(run_id, mapped, start);

	values[0] = CStringGetTextDatum(name);
	values[1] = Int64GetDatum((int64) mapped);
	values[2] = Int64GetDatum(0);	/* merged: no merge_on in this version */
	values[3] = Int64GetDatum(0);	/* rejected: no reject rules in this version */
	values[4] = Int64GetDatum(filtered);
	values[5] = Int64GetDatum(migrated_total - this_run);
	values[6] = DirectFunctionCall1(float8_numeric, Float8GetDatum(seconds));
	values[6] = DirectFunctionCall2(numeric_round, values[6], Int32GetDatum(3));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}
