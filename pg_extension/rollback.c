/*
 * rollback.c (pg_extension) -- rollback_migration.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(rollback_migration);

/*
 * rollback_migration deletes exactly the target rows named by the phase's
 * map (rows the application added later have no map entry) -- or, for an
 * update phase, puts the journaled before-images back -- empties the map,
 * and marks the phase's completed runs rolled_back; all in the caller's
 * transaction, so it is all or nothing.
 */
Datum
rollback_migration(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	instr_time	start;
	int64		run_id;
	uint64		deleted = 0;
	uint64		restored = 0;
	Datum		values[4];
	bool		nulls[4] = {0};
	Datum		arg;
	Oid			type = INT8OID;

	INSTR_TIME_SET_CURRENT(start);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	fpg_load(name, &ph, FPG_RESOLVE);
	fpg_lock(&ph, "rollback_migration", false);
	plan = fy_plan_rollback(ph.phase, ph.meta, FY_POSTGRES, &err);
	if (plan == NULL)
		fpg_raise(&err);
	run_id = fpg_log_start(ph.id, name, "rollback");
	for (int i = 0; i < plan->nstmts; i++)
	{
		uint64		n = fpg_exec(&ph, &plan->stmts[i]);

		if (plan->stmts[i].role == FY_ROLE_DELETE_TARGET)
			deleted = n;
		else if (plan->stmts[i].role == FY_ROLE_RESTORE)
			restored = n;
	}
	arg = Int64GetDatum(ph.id);
	if (SPI_execute_with_args("UPDATE ferry.migration_log SET status = 'rolled_back' "
							  "WHERE phase_id = $1 AND operation = 'migrate' AND status = 'completed'",
							  1, &type, &arg, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "ferry: could not write ferry.migration_log");
	fpg_log_finish(run_id, deleted + restored, start);

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(psprintf("%s.%s", ph.meta->target.schema, ph.meta->target.name));
	values[2] = Int64GetDatum((int64) deleted);
	values[3] = Int64GetDatum((int64) restored);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}
