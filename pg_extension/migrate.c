/*
 * migrate.c (pg_extension) -- migrate_phase and migrate_all.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(migrate_phase);
PG_FUNCTION_INFO_V1(migrate_all);

/*
 * fpg_require_dependencies refuses to run a phase before the phases it
 * depends on: its refs would find nothing and every row would be rejected.
 */
static void
fpg_require_dependencies(const fpg_phase *ph)
{
	for (int i = 0; i < ph->phase->ndepends; i++)
	{
		const char *dep = ph->phase->depends_on[i];
		Datum		arg = CStringGetTextDatum(dep);
		Oid			type = TEXTOID;

		if (SPI_execute_with_args("SELECT count(*) FROM ferry.migration_log WHERE phase = $1 "
								  "AND operation = 'migrate' AND status = 'completed'",
								  1, &type, &arg, NULL, false, 1) != SPI_OK_SELECT)
			elog(ERROR, "ferry: could not read ferry.migration_log");
		if (fpg_count_value(1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("phase \"%s\" depends on phase \"%s\", which has not been migrated",
							ph->phase->name, dep),
					 errhint("Run migrate_phase('%s') first, or migrate_all() to run every phase in dependency order.",
							 dep)));
	}
}

/* fpg_ref_of names the phase a REF column points into, for messages. */
static const char *
fpg_ref_of(const fy_phase *phase, const char *column)
{
	for (int i = 0; i < phase->ncolumns; i++)
		if (phase->columns[i].expr->kind == FY_EXPR_REF &&
			strcmp(phase->columns[i].target, column) == 0)
			return phase->columns[i].expr->ref;
	return "?";
}

/*
 * fpg_migrate_one runs one phase inside the caller's transaction: the
 * map rows, the rejects, the target rows and the log row commit or vanish
 * together.  Re-running is safe because only unmapped source rows are
 * considered; rejected rows are judged again by every run.
 */
static void
fpg_migrate_one(ReturnSetInfo *rsinfo, const char *name)
{
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	instr_time	start;
	int64		run_id;
	int64		mapped = 0,
				written = 0,
				rejected = 0;
	fy_counts	c = {0};
	double		seconds;
	Datum		values[7];
	bool		nulls[7] = {0};

	INSTR_TIME_SET_CURRENT(start);
	fpg_load(name, &ph, FPG_RESOLVE);
	fpg_lock(&ph, "migrate_phase");
	fpg_require_dependencies(&ph);
	run_id = fpg_log_start(name, "migrate");
	plan = fy_plan_migrate(ph.phase, ph.meta, FY_POSTGRES, run_id, &err);
	if (plan == NULL)
		fpg_raise(&err);
	for (int i = 0; i < plan->nstmts; i++)
	{
		const fy_stmt *st = &plan->stmts[i];

		fpg_exec(&ph, st);
		if (st->role == FY_ROLE_ASSERT && fpg_count_value(1) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("phase \"%s\": column \"%s\": " INT64_FORMAT " source rows hold a legacy key that phase \"%s\" never migrated",
							name, st->label, fpg_count_value(1), fpg_ref_of(ph.phase, st->label)),
					 errdetail("Their legacy keys begin: %s.",
							   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
					 errhint("The column says \"on_missing\": \"error\"; use \"reject\" to quarantine such rows or \"null\" to migrate them without the reference.")));
		else if (st->role == FY_ROLE_MIGRATE)
		{
			mapped = fpg_count_value(1);
			written = fpg_count_value(2);
			rejected = fpg_count_value(3);
		}
		else if (st->role == FY_ROLE_COUNT)
			fpg_counts(&c);
	}
	if (written != mapped || c.this_run != mapped)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("phase \"%s\": mapped " INT64_FORMAT " source rows but wrote " INT64_FORMAT " target rows",
						name, mapped, written),
				 errdetail("Source rows changed between the statements of the run; nothing was written."),
				 errhint("Run migrate_phase('%s') again.", name)));
	seconds = fpg_log_finish(run_id, (uint64) mapped, start);

	values[0] = CStringGetTextDatum(name);
	values[1] = Int64GetDatum(mapped);
	values[2] = Int64GetDatum(0);	/* merged: no merge_on in this version */
	values[3] = Int64GetDatum(rejected);
	values[4] = Int64GetDatum(c.filtered);
	values[5] = Int64GetDatum(c.migrated - c.this_run);
	values[6] = DirectFunctionCall1(float8_numeric, Float8GetDatum(seconds));
	values[6] = DirectFunctionCall2(numeric_round, values[6], Int32GetDatum(3));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	fy_plan_free(plan);
}

Datum
migrate_phase(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	fpg_migrate_one((ReturnSetInfo *) fcinfo->resultinfo, name);
	SPI_finish();
	return (Datum) 0;
}

/*
 * migrate_all runs every phase, each after the phases it depends on, in
 * one transaction: all of them land or none does.
 */
Datum
migrate_all(PG_FUNCTION_ARGS)
{
	fy_depnode *nodes;
	int			n;
	int		   *order;
	fy_error	err = {0};

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	n = fpg_phases(&nodes, NULL);
	order = palloc(sizeof(int) * (n + 1));
	if (!fy_dependency_order(nodes, n, order, &err))
		fpg_raise(&err);
	for (int i = 0; i < n; i++)
		fpg_migrate_one((ReturnSetInfo *) fcinfo->resultinfo, nodes[order[i]].name);
	SPI_finish();
	return (Datum) 0;
}
