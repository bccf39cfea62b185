/*
 * rollback.c (pg_extension) -- rollback_migration.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(rollback_migration);

/*
 * fpg_drift_guard refuses to undo rows someone changed after the migration
 * wrote them -- deleting or restoring them would lose that change -- unless
 * the caller forces it.
 */
static void
fpg_drift_guard(const fpg_phase *ph, bool force)
{
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_drift(ph->phase, ph->meta, FY_POSTGRES, &err);
	int64		changed;

	if (plan == NULL)
		fpg_raise(&err);
	if (plan->nstmts == 0 || force)
		return;
	fpg_exec(ph, &plan->stmts[0]);
	changed = fpg_count_value(1);
	if (!fy_assert_verdict(ph->phase->name, &plan->stmts[0], changed,
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), &err))
		fpg_raise(&err);
}

static void fpg_rollback_one(ReturnSetInfo *rsinfo, const char *name,
							 bool cascade, bool force, int depth);

/*
 * fpg_fk_indexes: deleting a target row makes PostgreSQL look for rows of
 * every table whose foreign key references it; without an index on the
 * referencing columns each look scans that whole table, and the rollback
 * is quadratic.  For such a foreign key on a table the caller owns, an
 * index is built for the length of the rollback (the caller drops it after
 * the deletes); one the caller cannot index is named in a NOTICE.  Returns
 * the DROP statements, or NULL.
 */
static char *
fpg_fk_indexes(const fpg_phase *ph)
{
	Oid			type = TEXTOID;
	Datum		arg = CStringGetTextDatum(psprintf("%s.%s",
												   quote_identifier(ph->meta->target.schema),
												   quote_identifier(ph->meta->target.name)));
	StringInfoData drops;
	uint64		n;
	char	  **create;
	char	  **drop;

	if (SPI_execute_with_args(
							  "SELECT format('CREATE INDEX %I ON %s (%s)', 'ferry_rollback_' || c.oid, c.conrelid::regclass, k.cols),"
							  " format('DROP INDEX %I.%I', n.nspname, 'ferry_rollback_' || c.oid),"
							  " pg_has_role(r.relowner, 'USAGE'), c.conrelid::regclass::text, k.cols, c.conname"
							  " FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid"
							  " JOIN pg_namespace n ON n.oid = r.relnamespace,"
							  " LATERAL (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY u.ord) AS cols"
							  "   FROM unnest(c.conkey) WITH ORDINALITY AS u(attnum, ord)"
							  "   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = u.attnum) AS k"
							  " WHERE c.contype = 'f' AND c.confrelid = $1::regclass"
							  " AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid"
							  "   AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey"
							  "   AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)",
							  1, &type, &arg, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read the foreign keys referencing the target");
	n = SPI_processed;
	create = palloc0(sizeof(char *) * (n + 1));
	drop = palloc0(sizeof(char *) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		SPITupleTable *tt = SPI_tuptable;

		if (strcmp(SPI_getvalue(tt->vals[i], tt->tupdesc, 3), "t") != 0)
		{
			ereport(NOTICE,
					(errmsg("phase \"%s\": no index on %s (%s) for foreign key \"%s\": each deleted row scans that table",
							ph->phase->name, SPI_getvalue(tt->vals[i], tt->tupdesc, 4),
							SPI_getvalue(tt->vals[i], tt->tupdesc, 5),
							SPI_getvalue(tt->vals[i], tt->tupdesc, 6)),
					 errhint("CREATE INDEX ON %s (%s) makes rolling back linear.",
							 SPI_getvalue(tt->vals[i], tt->tupdesc, 4),
							 SPI_getvalue(tt->vals[i], tt->tupdesc, 5))));
			continue;
		}
		create[i] = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
		drop[i] = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
	}
	initStringInfo(&drops);
	for (uint64 i = 0; i < n; i++)
	{
		if (create[i] == NULL)
			continue;
		if (SPI_execute(create[i], false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "ferry: could not run %s", create[i]);
		appendStringInfo(&drops, "%s;", drop[i]);
	}
	return drops.len > 0 ? drops.data : NULL;
}

/*
 * fpg_dependents: a phase that still has rows referring to this one's rows
 * must go first.  Refused by name, or with cascade rolled back first,
 * depth first, so children always go before their parents and no foreign
 * key check ever meets a dead row.
 */
static void
fpg_dependents(ReturnSetInfo *rsinfo, const fpg_phase *ph, bool cascade,
			   bool force, int depth)
{
	fy_depnode *nodes;
	int			n = fpg_phases(&nodes, NULL);
	StringInfoData names;

	initStringInfo(&names);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < nodes[i].ndeps; k++)
		{
			fpg_phase	dep;

			if (strcmp(nodes[i].deps[k], ph->phase->name) != 0)
				continue;
			fpg_load(nodes[i].name, &dep, 0);
			if (fpg_map_rows(&dep) == 0)
				continue;
			if (cascade)
				fpg_rollback_one(rsinfo, nodes[i].name, cascade, force, depth + 1);
			else
				appendStringInfo(&names, "%s%s", names.len ? ", " : "", nodes[i].name);
		}
	if (names.len > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("phase \"%s\" is still referred to by phases that have migrated rows: %s",
						ph->phase->name, names.data),
				 errhint("Roll those back first, or rollback_migration('%s', cascade => true) rolls them back before it.",
						 ph->phase->name)));
}

/*
 * fpg_rollback_one deletes exactly the target rows named by the phase's
 * map (rows the application added later have no map entry) -- or, for an
 * update phase, puts the journaled before-images back -- empties the map,
 * the journal and the rejects, and marks the phase's completed runs
 * rolled_back.
 */
static void
fpg_rollback_one(ReturnSetInfo *rsinfo, const char *name, bool cascade,
				 bool force, int depth)
{
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
	char	   *drops;

	if (depth > 100)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("phase \"%s\": rollback_migration cascades at most 100 phases deep", name),
				 errhint("Roll back the phases that depend on it deeper down first, from the last one.")));
	INSTR_TIME_SET_CURRENT(start);
	fpg_load(name, &ph, FPG_RESOLVE);
	fpg_lock(&ph, "rollback_migration", false);
	fpg_refuse_if_syncing(&ph, "rollback_migration");
	fpg_dependents(rsinfo, &ph, cascade, force, depth);
	fpg_drift_guard(&ph, force);
	plan = fy_plan_rollback(ph.phase, ph.meta, FY_POSTGRES, &err);
	if (plan == NULL)
		fpg_raise(&err);
	run_id = fpg_log_start(ph.id, name, "rollback");
	drops = fpg_fk_indexes(&ph);
	for (int i = 0; i < plan->nstmts; i++)
	{
		uint64		n = fpg_exec(&ph, &plan->stmts[i]);

		if (plan->stmts[i].role == FY_ROLE_DELETE_TARGET)
			deleted = n;
		else if (plan->stmts[i].role == FY_ROLE_RESTORE)
			restored = n;
	}
	if (drops != NULL && SPI_execute(drops, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "ferry: could not drop the rollback's indexes");
	arg = Int64GetDatum(ph.id);
	/*
	 * A batched run that died keeps status 'started' and its progress, from
	 * which the next batched run would resume: rolled back, it must not, or
	 * the rows before its last key would never be migrated again.  Nobody
	 * runs the phase now (rollback holds its lock), so every such run is dead.
	 */
	if (SPI_execute_with_args("UPDATE ferry.migration_log SET status = 'rolled_back', "
							  "error = CASE WHEN status = 'started' THEN "
							  "'interrupted before it finished, then rolled back' ELSE error END, "
							  "finished_at = coalesce(finished_at, clock_timestamp()) "
							  "WHERE phase_id = $1 AND operation = 'migrate' AND status IN ('completed', 'started')",
							  1, &type, &arg, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "ferry: could not write ferry.migration_log");
	fpg_log_finish(run_id, deleted + restored, start);

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(psprintf("%s.%s", ph.meta->target.schema, ph.meta->target.name));
	values[2] = Int64GetDatum((int64) deleted);
	values[3] = Int64GetDatum((int64) restored);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	fy_plan_free(plan);
}

/*
 * rollback_migration runs in the caller's transaction, so it is all or
 * nothing, cascade included: one row per phase rolled back, children first.
 */
Datum
rollback_migration(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	bool		cascade = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	bool		force = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	fpg_rollback_one((ReturnSetInfo *) fcinfo->resultinfo, name, cascade, force, 0);
	SPI_finish();
	return (Datum) 0;
}
