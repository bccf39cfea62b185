/*
 * migrate.c (pg_extension) -- migrate_phase and migrate_all.
 */
#include "ferry.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "storage/pmsignal.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/resowner.h"

PG_FUNCTION_INFO_V1(migrate_phase);
PG_FUNCTION_INFO_V1(migrate_all);
PG_FUNCTION_INFO_V1(migrate_phase_batched);

/*
 * fpg_assert raises the core's refusal when the guard statement just run
 * found rows (failures, sample).
 */
static void
fpg_assert(const fpg_phase *ph, const fy_stmt *st)
{
	fy_error	err = {0};

	if (!fy_assert_verdict(ph->phase->name, st, fpg_count_value(1),
						   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
						   &err))
		fpg_raise(&err);
}

/*
 * fpg_require_dependencies refuses to run a phase before the phases it
 * depends on: its refs would find nothing and every row would be rejected.
 */
static void
fpg_require_dependencies(const fpg_phase *ph)
{
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_dependencies(ph->phase, ph->meta, FY_POSTGRES, &err);

	if (plan == NULL)
		fpg_raise(&err);
	if (plan->nstmts == 0)
		return;
	fpg_exec(ph, &plan->stmts[0]);
	fpg_assert(ph, &plan->stmts[0]);
}


/* What a migrate plan's statements reported. */
typedef struct fpg_outcome
{
	int64		mapped;
	int64		written;
	int64		rejected;
	fy_counts	counts;
} fpg_outcome;

#define FPG_BATCH 0x01			/* one batch: rejects and books are the run's */

/*
 * fpg_try_fast runs a MIGRATE statement in a subtransaction and tells
 * whether it failed on a value its column's type will not take (a data
 * exception, class 22, or a domain's check, 23514), in which case nothing
 * of it remains.  Any other error goes on up.
 */
bool
fpg_try_fast(const fpg_phase *ph, const fy_stmt *st)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool		ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(mcxt);
	PG_TRY();
	{
		fpg_exec(ph, st);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		/* undo the subtransaction first, whatever the error: then go on or up */
		ErrorData  *edata = fpg_subxact_error(mcxt, owner);

		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION &&
			edata->sqlerrcode != ERRCODE_CHECK_VIOLATION)
			ReThrowError(edata);
		ereport(NOTICE,
				(errmsg("phase \"%s\": %s; migrating again, rejecting the values that do not fit",
						ph->phase->name, edata->message)));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * fpg_map_bulk_plan: a whole run whose map is empty and owned by the caller
 * (dropping and building an index needs the owner) drops the map's new_key
 * index before it writes (fy_plan_map_bulk) and returns true: the caller
 * rebuilds it after.  Both happen in the run's transaction: if the run
 * fails, the drop is undone with it.
 */
static bool
fpg_map_bulk_plan(const fpg_phase *ph)
{
	fy_error	err = {0};
	fy_buf		map;
	fy_buf		b;
	fy_stmt		st;

	fy_buf_init(&map);
	fy_buf_map_table(&map, ph->meta, FY_POSTGRES);
	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT (SELECT count(*) FROM (SELECT 1 FROM ");
	fy_buf_add(&b, map.oom ? "" : map.data);
	fy_buf_add(&b, " LIMIT 1) AS m) + CASE WHEN pg_has_role(relowner, 'USAGE') THEN 0 ELSE 1 END"
			   " FROM pg_catalog.pg_class WHERE oid = ");
	fy_buf_literal(&b, FY_POSTGRES, map.oom ? "" : map.data);
	fy_buf_add(&b, "::regclass");
	if (b.oom || map.oom)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	st.role = FY_ROLE_COUNT;
	st.sql = b.data;
	fpg_exec(ph, &st);
	fy_buf_free(&b);
	fy_buf_free(&map);
	if (fpg_count_value(1) > 0)
		return false;
	fpg_exec_plan(ph, fy_plan_map_bulk(ph->phase, ph->meta, FY_POSTGRES, false, &err), &err);
	return true;
}

/*
 * fpg_run plans and runs one migrate (or one batch of it).  The fast plan
 * goes first; if it meets a value that its column's type will not take, it
 * is undone and the safe plan, which rejects such values row by row, runs
 * instead -- unless the spec says "on_error": "abort".  A batch skips
 * forgetting the rejects (the run did that once, at its start) and the
 * accounting count (a full scan per batch would make a batched run
 * quadratic).
 */
static void
fpg_run(const fpg_phase *ph, long run_id, const fy_keyrange *range, int flags,
		fpg_outcome *out)
{
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_migrate_range(ph->phase, ph->meta, FY_POSTGRES, run_id,
											 range, false, &err);
	bool		bulk = false;

	if (plan == NULL)
		fpg_raise(&err);
	for (int i = 0; i < plan->nstmts; i++)
	{
		const fy_stmt *st = &plan->stmts[i];

		if ((flags & FPG_BATCH) &&
			(st->role == FY_ROLE_CLEAR_REJECTS || st->role == FY_ROLE_COUNT))
			continue;
		if (st->role == FY_ROLE_MIGRATE && !(flags & FPG_BATCH))
			bulk = fpg_map_bulk_plan(ph);
		if (st->role != FY_ROLE_MIGRATE || ph->phase->abort_on_error)
			fpg_exec(ph, st);
		else if (!fpg_try_fast(ph, st))
		{
			fy_plan    *safe = fy_plan_migrate_range(ph->phase, ph->meta, FY_POSTGRES,
													 run_id, range, true, &err);

			if (safe == NULL)
				fpg_raise(&err);
			st = &safe->stmts[i];
			fpg_exec(ph, st);
		}
		if (st->role == FY_ROLE_ASSERT)
			fpg_assert(ph, st);
		else if (st->role == FY_ROLE_MIGRATE)
		{
			out->mapped += fpg_count_value(1);
			out->written += fpg_count_value(2);
			out->rejected += fpg_count_value(3);
			if (bulk)
				fpg_exec_plan(ph, fy_plan_map_bulk(ph->phase, ph->meta, FY_POSTGRES, true, &err), &err);
			bulk = false;
		}
		else if (st->role == FY_ROLE_COUNT)
			fpg_counts(&out->counts);
	}
	if (ph->phase->nmerge_on == 0 && out->written != out->mapped)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("phase \"%s\": mapped " INT64_FORMAT " source rows but wrote " INT64_FORMAT " target rows",
						ph->phase->name, out->mapped, out->written),
				 errdetail("Nothing was written."),
				 errhint("Run migrate_phase('%s') again.", ph->phase->name)));
	if (!(flags & FPG_BATCH) && out->counts.this_run != out->mapped)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("phase \"%s\": the source key is not unique: " INT64_FORMAT " source rows share the keys of the " INT64_FORMAT " rows this run mapped",
						ph->phase->name, out->counts.this_run, out->mapped),
				 errdetail("A legacy key must name one source row; nothing was written."),
				 errhint("preflight('%s') lists the duplicate keys.", ph->phase->name)));
}

/*
 * fpg_migrate_rows migrates the unmapped rows of ph's source as one batch
 * of run run_id (sync: ph's meta names a transition table as the source):
 * the same statements as migrate_phase, without forgetting the phase's
 * other rejects or counting its whole source.  Returns the rows mapped.
 */
int64
fpg_migrate_rows(const fpg_phase *ph, long run_id)
{
	fpg_outcome out = {0};

	fpg_run(ph, run_id, NULL, FPG_BATCH, &out);
	return out.mapped;
}

/* fpg_result_row: one row of migrate_phase's result. */
static void
fpg_result_row(ReturnSetInfo *rsinfo, const char *name, const fpg_outcome *o,
			   double seconds, const char *statements)
{
	Datum		values[8];
	bool		nulls[8] = {0};

	values[0] = CStringGetTextDatum(name);
	values[1] = Int64GetDatum(o->written);	/* source rows that made a row */
	values[2] = Int64GetDatum(o->mapped - o->written);	/* merged into one */
	values[3] = Int64GetDatum(o->rejected);
	values[4] = Int64GetDatum(o->counts.filtered);
	values[5] = Int64GetDatum(o->counts.migrated - o->counts.this_run);
	values[6] = DirectFunctionCall1(float8_numeric, Float8GetDatum(seconds));
	values[6] = DirectFunctionCall2(numeric_round, values[6], Int32GetDatum(3));
	if (statements)
		values[7] = CStringGetTextDatum(statements);
	else
		nulls[7] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* fpg_migrate_logged: one run between its log rows, for a real and a dry run alike. */
static double
fpg_migrate_logged(fpg_phase *ph, const char *name, instr_time start,
				   int64 *run_id, fpg_outcome *out)
{
	*run_id = fpg_log_start(ph->id, name, "migrate");
	fpg_run(ph, *run_id, NULL, 0, out);
	return fpg_log_finish(*run_id, (uint64) out->mapped, start);
}

/*
 * fpg_migrate_one runs one phase inside the caller's transaction: the
 * map rows, the rejects, the target rows and the log row commit or vanish
 * together.  Re-running is safe because only unmapped source rows are
 * considered; rejected rows are judged again by every run.  A dry run does
 * all of it inside a subtransaction that it rolls back, so its counts are
 * the real ones and nothing is left behind.
 */
static void
fpg_migrate_one(ReturnSetInfo *rsinfo, const char *name, bool dry_run)
{
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	instr_time	start;
	int64		run_id;
	fpg_outcome out = {0};
	double		seconds;
	char	   *statements = NULL;
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	INSTR_TIME_SET_CURRENT(start);
	fpg_load(name, &ph, FPG_RESOLVE);
	fpg_lock(&ph, "migrate_phase", false);
	fpg_require_dependencies(&ph);
	if (!dry_run)
		seconds = fpg_migrate_logged(&ph, name, start, &run_id, &out);
	else
	{
		StringInfoData sb;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(mcxt);
		PG_TRY();
		{
			seconds = fpg_migrate_logged(&ph, name, start, &run_id, &out);
		}
		PG_CATCH();
		{
			/* no subtransaction left open behind the error: the session goes on */
			ReThrowError(fpg_subxact_error(mcxt, owner));
		}
		PG_END_TRY();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
		initStringInfo(&sb);
		plan = fy_plan_migrate(ph.phase, ph.meta, FY_POSTGRES, run_id, &err);
		if (plan == NULL)
			fpg_raise(&err);
		for (int i = 0; i < plan->nstmts; i++)
			appendStringInfo(&sb, "%s;\n", plan->stmts[i].sql);
		statements = sb.data;
	}
	fpg_result_row(rsinfo, name, &out, seconds, statements);
}

Datum
migrate_phase(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	bool		dry_run = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	fpg_migrate_one((ReturnSetInfo *) fcinfo->resultinfo, name, dry_run);
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
		fpg_migrate_one((ReturnSetInfo *) fcinfo->resultinfo, nodes[order[i]].name, false);
	SPI_finish();
	return (Datum) 0;
}

/* fpg_scan runs a key scan; returns the key's text values, or NULL for none. */
static char **
fpg_scan(const fpg_phase *ph, const fy_keyrange *range, fy_scan scan, long n,
		 int64 *count)
{
	fy_error	err = {0};
	fy_plan    *plan = fy_plan_keyscan(ph->phase, ph->meta, FY_POSTGRES, range, scan, n, &err);
	char	  **key;

	if (plan == NULL)
		fpg_raise(&err);
	fpg_exec(ph, &plan->stmts[0]);
	if (scan == FY_SCAN_COUNT)
	{
		*count = fpg_count_value(1);
		return NULL;
	}
	if (SPI_processed == 0)
		return NULL;
	key = palloc(sizeof(char *) * ph->phase->nkeys);
	for (int i = 0; i < ph->phase->nkeys; i++)
		key[i] = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1);
	return key;
}

/*
 * fpg_interrupted marks the phase's batched runs that never finished (the
 * session died or was cancelled: nobody else holds the phase) as failed,
 * and returns the key where the latest of them stopped, so the new run
 * goes on from there.
 */
static char **
fpg_interrupted(const fpg_phase *ph)
{
	Datum		arg = Int64GetDatum(ph->id);
	Oid			type = INT8OID;
	char	  **key;

	if (SPI_execute_with_args("WITH stale AS (UPDATE ferry.migration_log SET status = 'failed', "
							  "error = 'interrupted before it finished (session ended or cancelled)', "
							  "finished_at = clock_timestamp() WHERE phase_id = $1 AND operation = 'migrate' "
							  "AND status = 'started' RETURNING id, progress) "
							  "SELECT e.value FROM (SELECT progress FROM stale WHERE progress IS NOT NULL "
							  "ORDER BY id DESC LIMIT 1) p, jsonb_array_elements_text(p.progress) "
							  "WITH ORDINALITY AS e(value, n) ORDER BY e.n",
							  1, &type, &arg, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read ferry.migration_log");
	if (SPI_processed == 0)
		return NULL;
	if (SPI_processed != (uint64) ph->phase->nkeys)
		elog(ERROR, "ferry: the progress of an interrupted run of phase \"%s\" does not match its key",
			 ph->phase->name);
	key = palloc(sizeof(char *) * ph->phase->nkeys);
	for (int i = 0; i < ph->phase->nkeys; i++)
		key[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	return key;
}

/*
 * fpg_require_postmaster ends the session between batches once the
 * postmaster is gone (kill -9, crash): a backend notices that only when it
 * waits, and a batched run that never waits would go on committing batches
 * on a server that is down, and keep its shared memory attached so that
 * the server cannot start again until the run has finished.  The batches
 * committed so far stay; the next run resumes after them.
 */
static void
fpg_require_postmaster(const fpg_phase *ph, int batches)
{
	if (!PostmasterIsAlive())
		ereport(FATAL,
				(errcode(ERRCODE_ADMIN_SHUTDOWN),
				 errmsg("phase \"%s\": the postmaster is gone; stopping after batch %d",
						ph->phase->name, batches),
				 errdetail("The batches committed so far stay."),
				 errhint("Once the server is up again, CALL migrate_phase_batched('%s') resumes after them.",
						 ph->phase->name)));
}

/* fpg_log_batch adds a committed batch to its run's log row. */
static void
fpg_log_batch(int64 run_id, int64 rows, char **key, int nkeys, int32 batch_size)
{
	Datum	   *elems = palloc(sizeof(Datum) * nkeys);
	Datum		args[4];
	Oid			types[4] = {INT8OID, INT8OID, TEXTARRAYOID, INT4OID};

	for (int i = 0; i < nkeys; i++)
		elems[i] = CStringGetTextDatum(key[i]);
	args[0] = Int64GetDatum(run_id);
	args[1] = Int64GetDatum(rows);
	args[2] = PointerGetDatum(construct_array(elems, nkeys, TEXTOID, -1, false, TYPALIGN_INT));
	args[3] = Int32GetDatum(batch_size);
	if (SPI_execute_with_args("UPDATE ferry.migration_log SET rows = coalesce(rows, 0) + $2, "
							  "progress = to_jsonb($3), batch_size = $4 WHERE id = $1",
							  4, types, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "ferry: could not write ferry.migration_log");
}

/*
 * fpg_batched: the source keys present at the start bound the run (so it
 * ends under a steady insert load; later rows are the next run's), each
 * batch is the next batch_size keys (keyset pagination) and commits with
 * its map rows, rejects, target rows and progress, so a run that dies
 * loses at most its open batch and the next run resumes after the last
 * committed one: no gap, no duplicate.  Rows whose key has a NULL part fit
 * no key range; a last statement rejects them.  Then the books, once.
 */
static void
fpg_batched(fpg_phase *ph, int32 batch_size)
{
	const char *name = ph->phase->name;
	fy_error	err = {0};
	instr_time	start,
				now;
	fy_keyrange range = {0};
	fpg_outcome out = {0};
	char	  **lo;
	char	  **max;
	int64		total = 0,
				done = 0,
				run_id;
	int			batches = 0;
	fy_plan    *plan;
	MemoryContext runcxt = CurrentMemoryContext;
	MemoryContext batchcxt;

	INSTR_TIME_SET_CURRENT(start);
	fpg_require_dependencies(ph);
	lo = fpg_interrupted(ph);
	run_id = fpg_log_start(ph->id, name, "migrate");
	if (lo == NULL)
	{
		/* a fresh run judges every row again: forget earlier rejects */
		plan = fy_plan_migrate(ph->phase, ph->meta, FY_POSTGRES, run_id, &err);
		if (plan == NULL)
			fpg_raise(&err);
		for (int i = 0; i < plan->nstmts; i++)
			if (plan->stmts[i].role == FY_ROLE_CLEAR_REJECTS)
				fpg_exec(ph, &plan->stmts[i]);
	}
	else
		ereport(NOTICE,
				(errmsg("phase \"%s\": resuming the interrupted run after key %s",
						name, lo[0])));
	range.lo = (const char *const *) lo;
	max = fpg_scan(ph, &range, FY_SCAN_LAST, 0, NULL);
	if (max != NULL)
	{
		range.hi = (const char *const *) max;
		fpg_scan(ph, &range, FY_SCAN_COUNT, 0, &total);
	}
	SPI_commit();

	batchcxt = AllocSetContextCreate(runcxt, "ferry batch", ALLOCSET_DEFAULT_SIZES);
	while (max != NULL)
	{
		fpg_outcome batch = {0};
		char	  **hi;
		bool		last;
		double		secs,
					rate;

		MemoryContextSwitchTo(batchcxt);
		range.lo = (const char *const *) lo;
		range.hi = (const char *const *) max;
		hi = fpg_scan(ph, &range, FY_SCAN_NTH, batch_size, NULL);
		last = hi == NULL;
		if (last)
			hi = max;
		range.hi = (const char *const *) hi;
		fpg_run(ph, run_id, &range, FPG_BATCH, &batch);
		fpg_log_batch(run_id, batch.mapped, hi, ph->phase->nkeys, batch_size);
		MemoryContextSwitchTo(runcxt);
		lo = palloc(sizeof(char *) * ph->phase->nkeys);
		for (int i = 0; i < ph->phase->nkeys; i++)
			lo[i] = pstrdup(hi[i]);
		SPI_commit();
		MemoryContextReset(batchcxt);

		out.mapped += batch.mapped;
		out.written += batch.written;
		out.rejected += batch.rejected;
		done = last ? total : done + batch_size;
		batches++;
		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, start);
		secs = INSTR_TIME_GET_DOUBLE(now);
		rate = secs > 0 ? done / secs : 0;
		ereport(NOTICE,
				(errmsg("phase \"%s\": batch %d: " INT64_FORMAT " of " INT64_FORMAT " rows (%.0f%%), %.0f rows/s, ETA %.0f s",
						name, batches, done, total, total ? 100.0 * done / total : 100.0,
						rate, rate > 0 ? (total - done) / rate : 0)));
		if (last)
			break;
		fpg_require_postmaster(ph, batches);
	}

	range.nulls = true;
	fpg_run(ph, run_id, &range, FPG_BATCH, &out);
	plan = fy_plan_accounting(ph->phase, ph->meta, FY_POSTGRES, run_id, &err);
	if (plan == NULL)
		fpg_raise(&err);
	fpg_exec(ph, &plan->stmts[0]);
	fpg_counts(&out.counts);
	fpg_log_finish(run_id, (uint64) out.mapped, start);
	SPI_commit();
	ereport(NOTICE,
			(errmsg("phase \"%s\": migrated " INT64_FORMAT ", merged " INT64_FORMAT ", rejected " INT64_FORMAT ", filtered " INT64_FORMAT " in %d batches",
					name, out.written, out.mapped - out.written, out.rejected,
					out.counts.filtered, batches)));
}

/*
 * migrate_phase_batched must own its transactions, so it runs only as a
 * CALL outside a transaction block; it holds the phase's session lock for
 * the whole run and always gives it back.
 */
Datum
migrate_phase_batched(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	int32		batch_size = PG_ARGISNULL(1) ? 10000 : PG_GETARG_INT32(1);
	bool		nonatomic = fcinfo->context && IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	fpg_phase	ph;

	if (batch_size <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch_size of phase \"%s\" must be positive, not %d", name, batch_size)));
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("migrate_phase_batched commits every batch and cannot run inside a transaction block"),
				 errhint("Run CALL migrate_phase_batched('%s', %d) on its own, or migrate_phase('%s') inside the transaction.",
						 name, batch_size, name)));
	SPI_connect_ext(SPI_OPT_NONATOMIC);
	fpg_load(name, &ph, FPG_RESOLVE);
	fpg_lock(&ph, "migrate_phase_batched", true);
	PG_TRY();
	{
		fpg_batched(&ph, batch_size);
	}
	PG_CATCH();
	{
		fpg_unlock(&ph);
		PG_RE_THROW();
	}
	PG_END_TRY();
	fpg_unlock(&ph);
	SPI_finish();
	PG_RETURN_VOID();
}
