/*
 * sync.c (pg_extension) -- live sync (start_sync, stop_sync, finish_sync and
 * the trigger function ferry_sync_trigger) and create_compat_view.
 *
 * Sync puts three statement-level AFTER triggers with transition tables on
 * a phase's source table; each firing runs a handful of set-based
 * statements over the statement's rows, planned by the core (fy_plan_sync,
 * and the migrate planner with the transition table as the source).  A
 * trigger runs with the rights of whoever writes to the source table --
 * ferry never switches user -- so the writer needs the rights the phase's
 * statements need (target, id maps, rejects, ferry.phases).
 */
#include "ferry.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(start_sync);
PG_FUNCTION_INFO_V1(stop_sync);
PG_FUNCTION_INFO_V1(finish_sync);
PG_FUNCTION_INFO_V1(ferry_sync_trigger);
PG_FUNCTION_INFO_V1(create_compat_view);
PG_FUNCTION_INFO_V1(ferry_compat_trigger);

#define FPG_NEW_ROWS "ferry_new"
#define FPG_OLD_ROWS "ferry_old"

static const char *const fpg_events[] = {"insert", "update", "delete"};

/* fpg_func_schema: the schema of the calling function, where ferry's functions live. */
static const char *
fpg_func_schema(FunctionCallInfo fcinfo)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
}

/*
 * fpg_trigger_name: on one table, the triggers of one event fire in name
 * order, so inserts and updates go in phase order (a phase is defined after
 * the phases its refs point into, so their rows exist first) and deletes in
 * reverse order (rows that refer go before the rows they refer to).
 */
static char *
fpg_trigger_name(int64 id, fy_sync_event ev)
{
	return psprintf("ferry_sync_%09" INT64_MODIFIER "d_%s",
					ev == FY_SYNC_DELETE ? 999999999 - id : id, fpg_events[ev]);
}

/*
 * fpg_sync_state reads whether a phase is syncing: its sync run (the log
 * row its synced rows carry as run_id), the table its triggers are on
 * (NULL when that table is gone, and its triggers with it) and when sync
 * started.
 */
static bool
fpg_sync_state(const fpg_phase *ph, int64 *run_id, char **source, Datum *started)
{
	Datum		arg = Int64GetDatum(ph->id);
	Oid			type = INT8OID;
	bool		isnull;

	if (SPI_execute_with_args("SELECT p.sync_run_id, CASE WHEN c.oid IS NOT NULL THEN format('%I.%I', n.nspname, c.relname) END, p.sync_started_at "
							  "FROM ferry.phases AS p LEFT JOIN pg_catalog.pg_class AS c ON c.oid = p.sync_source "
							  "LEFT JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace WHERE p.id = $1",
							  1, &type, &arg, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "ferry: could not read ferry.phases");
	*run_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull)
		return false;
	if (source)
		*source = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (started)
		*started = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	return true;
}

static void
fpg_not_syncing(const fpg_phase *ph)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("phase \"%s\" is not syncing", ph->phase->name),
			 errhint("Start it with start_sync('%s').", ph->phase->name)));
}

/*
 * fpg_refuse_if_syncing: while triggers write a phase's rows, undoing or
 * forgetting the phase would be overtaken by the next write.
 */
void
fpg_refuse_if_syncing(const fpg_phase *ph, const char *operation)
{
	int64		run_id;

	if (fpg_sync_state(ph, &run_id, NULL, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("phase \"%s\" is syncing: stop it before %s", ph->phase->name, operation),
				 errhint("stop_sync('%s') first.", ph->phase->name)));
}

/* fpg_run_sql runs one statement of ferry's own, with arguments. */
static void
fpg_run_sql(const char *sql, int nargs, Oid *types, Datum *args)
{
	if (SPI_execute_with_args(sql, nargs, types, args, NULL, false, 0) < 0)
		elog(ERROR, "ferry: could not run: %s", sql);
}

/*
 * start_sync puts the triggers on the source table and records the sync
 * in the catalog (ferry.phases, and a 'sync' row in ferry.migration_log
 * whose id the synced rows carry as run_id), in the caller's transaction.
 * Rows written before it are not synced: start it before migrate_phase,
 * or in the same transaction, or changes made in between are missed.
 */
Datum
start_sync(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	const char *schema = fpg_func_schema(fcinfo);
	fy_error	err = {0};
	fpg_phase	ph;
	Oid			relid;
	char		relkind;
	int64		run_id;
	const char *source;

	SPI_connect();
	fpg_load(name, &ph, FPG_RESOLVE | FPG_FOR_UPDATE);
	fpg_lock(&ph, "start_sync", false);
	if (!fy_sync_check(ph.phase, &err))
		fpg_raise(&err);
	relid = get_relname_relid(ph.meta->source.name, get_namespace_oid(ph.meta->source.schema, false));
	relkind = get_rel_relkind(relid);
	source = quote_qualified_identifier(ph.meta->source.schema, ph.meta->source.name);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("phase \"%s\": source %s is not a table; sync triggers need one", name, source),
				 errhint("Sync the table the view or foreign table reads, with a phase of its own.")));
	if (fpg_sync_state(&ph, &run_id, NULL, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("phase \"%s\" is already syncing", name),
				 errhint("stop_sync('%s') stops it.", name)));
	run_id = fpg_log_start(ph.id, name, "sync");
	{
		Datum		args[3] = {Int64GetDatum(ph.id), Int64GetDatum(run_id), ObjectIdGetDatum(relid)};
		Oid			types[3] = {INT8OID, INT8OID, OIDOID};

		fpg_run_sql("UPDATE ferry.phases SET sync_run_id = $2, sync_source = $3, "
					"sync_started_at = now(), last_synced_at = NULL WHERE id = $1", 3, types, args);
	}
	for (int ev = FY_SYNC_INSERT; ev <= FY_SYNC_DELETE; ev++)
	{
		char	   *sql = psprintf("CREATE TRIGGER %s AFTER %s ON %s REFERENCING %s TABLE AS %s "
								   "FOR EACH STATEMENT EXECUTE FUNCTION %s.ferry_sync_trigger(%s)",
								   quote_identifier(fpg_trigger_name(ph.id, ev)),
								   ev == FY_SYNC_INSERT ? "INSERT" : ev == FY_SYNC_UPDATE ? "UPDATE" : "DELETE",
								   source,
								   ev == FY_SYNC_INSERT ? "NEW" : ev == FY_SYNC_UPDATE ? "OLD TABLE AS " FPG_OLD_ROWS " NEW" : "OLD",
								   ev == FY_SYNC_DELETE ? FPG_OLD_ROWS : FPG_NEW_ROWS,
								   schema, quote_literal_cstr(name));

		if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "ferry: could not create the sync trigger of phase \"%s\"", name);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * fpg_stop drops a phase's triggers (which waits for the transactions
 * writing to the source to end), closes its sync log row with the number
 * of rows the sync mapped, and clears the sync from the catalog; returns
 * that number.
 */
static int64
fpg_stop(const fpg_phase *ph)
{
	int64		run_id;
	char	   *source;
	fy_buf		b;
	int64		synced;

	if (!fpg_sync_state(ph, &run_id, &source, NULL))
		fpg_not_syncing(ph);
	for (int ev = FY_SYNC_INSERT; source && ev <= FY_SYNC_DELETE; ev++)
		if (SPI_execute(psprintf("DROP TRIGGER IF EXISTS %s ON %s",
								 quote_identifier(fpg_trigger_name(ph->id, ev)), source),
						false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "ferry: could not drop the sync trigger of phase \"%s\"", ph->phase->name);
	fy_buf_init(&b);
	fy_buf_addf(&b, "SELECT count(*) FROM ");
	fy_buf_map_table(&b, ph->meta, FY_POSTGRES);
	fy_buf_addf(&b, " WHERE run_id = %ld", (long) run_id);
	if (b.oom || SPI_execute(b.data, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not count the rows phase \"%s\" synced", ph->phase->name);
	synced = fpg_count_value(1);
	fy_buf_free(&b);
	{
		Datum		args[3] = {Int64GetDatum(ph->id), Int64GetDatum(run_id), Int64GetDatum(synced)};
		Oid			types[3] = {INT8OID, INT8OID, INT8OID};

		fpg_run_sql("UPDATE ferry.migration_log SET status = 'completed', rows = $3, "
					"seconds = round(extract(epoch FROM clock_timestamp() - started_at), 3), "
					"finished_at = clock_timestamp() WHERE id = $2", 3, types, args);
		fpg_run_sql("UPDATE ferry.phases SET sync_run_id = NULL, sync_source = NULL, "
					"sync_started_at = NULL WHERE id = $1", 1, types, args);
	}
	return synced;
}

/* stop_sync drops the triggers; the rows synced so far stay. */
Datum
stop_sync(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	fpg_phase	ph;

	SPI_connect();
	fpg_load(name, &ph, FPG_FOR_UPDATE);
	fpg_stop(&ph);
	SPI_finish();
	PG_RETURN_VOID();
}

static void
fpg_finish_context(void *arg)
{
	errcontext("finish_sync of phase \"%s\" (sync is still on)", (const char *) arg);
}

/*
 * finish_sync is the cut-over, in the caller's transaction: it locks the
 * source against writes (waiting for the writers in flight, holding back
 * new ones until it commits), catches up with migrate_phase, refuses with
 * assert_migration_integrity's error if validation has a FAIL, and stops
 * sync.  Under a constant write load it ends: no write lands between the
 * validation and the dropped triggers.
 */
Datum
finish_sync(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	const char *schema = fpg_func_schema(fcinfo);
	ReturnSetInfo *rsinfo;
	fpg_phase	ph;
	int64		run_id;
	char	   *source;
	Datum		started;
	Datum		arg = CStringGetTextDatum(name);
	Oid			type = TEXTOID;
	Datum		values[4];
	bool		nulls[4] = {0};
	ErrorContextCallback cb;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SPI_connect();
	fpg_load(name, &ph, FPG_FOR_UPDATE);
	fpg_lock(&ph, "finish_sync", false);
	if (!fpg_sync_state(&ph, &run_id, &source, &started) || source == NULL)
		fpg_not_syncing(&ph);
	cb.callback = fpg_finish_context;
	cb.arg = name;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	if (SPI_execute(psprintf("LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", source), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "ferry: could not lock the source of phase \"%s\"", name);
	if (SPI_execute_with_args(psprintf("SELECT coalesce(sum(migrated + merged), 0)::bigint FROM %s.migrate_phase($1)", schema),
							  1, &type, &arg, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not catch up phase \"%s\"", name);
	values[1] = Int64GetDatum(fpg_count_value(1));
	if (SPI_execute_with_args(psprintf("SELECT %s.assert_migration_integrity($1)", schema),
							  1, &type, &arg, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not validate phase \"%s\"", name);
	error_context_stack = cb.previous;
	values[0] = CStringGetTextDatum(name);
	values[2] = Int64GetDatum(fpg_stop(&ph));
	values[3] = started;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}

/*
 * fpg_same_source: the phase's source, resolved in the writing session,
 * must be the table the trigger fired on (an unqualified source name and
 * another search_path could name another table).
 */
static void
fpg_same_source(const fpg_phase *ph, Relation rel)
{
	const char *schema = get_namespace_name(RelationGetNamespace(rel));

	if (strcmp(ph->meta->source.schema, schema) != 0 ||
		strcmp(ph->meta->source.name, RelationGetRelationName(rel)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("phase \"%s\": its source resolves to %s in this session, but its sync trigger fired on %s",
						ph->phase->name,
						quote_qualified_identifier(ph->meta->source.schema, ph->meta->source.name),
						quote_qualified_identifier(schema, RelationGetRelationName(rel))),
				 errhint("Name the source with its schema in the spec, or write with the search_path sync was started with.")));
}

/*
 * ferry_sync_trigger: one firing, one statement's rows.  The plan is made
 * once per firing, never per row: fy_plan_sync's statements (a MIGRATE one
 * runs fast first and, if a value does not fit its column, again in safe
 * mode, as migrate_phase does), then migrate_phase's own statements over
 * the new rows (not for a merge phase, whose one statement did it all, nor
 * when every new row just updated its mapped target row: none is pending).  Any error -- a ref with "on_missing": "error", a
 * constraint of the target -- fails the application's statement as a
 * whole.  Last, the time of the last synced change, skipped when another
 * transaction holds the phase's row, so writers never wait on each other.
 */
Datum
ferry_sync_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	fy_sync_event ev;
	fpg_phase	ph;
	fpg_phase	rows;
	fy_meta		rows_meta;
	fy_plan    *plan;
	fy_error	err = {0};
	int64		run_id;
	int64		updated = -1;
	Datum		arg;
	Oid			type = INT8OID;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) || td->tg_trigger->tgnargs != 1 ||
		TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ferry_sync_trigger runs only in the triggers start_sync creates")));
	ev = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? FY_SYNC_INSERT :
		TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? FY_SYNC_UPDATE : FY_SYNC_DELETE;
	if ((td->tg_newtable == NULL || tuplestore_tuple_count(td->tg_newtable) == 0) &&
		(td->tg_oldtable == NULL || tuplestore_tuple_count(td->tg_oldtable) == 0))
		return PointerGetDatum(NULL);

	SPI_connect();
	if (SPI_register_trigger_data(td) != SPI_OK_TD_REGISTER)
		elog(ERROR, "ferry: could not register the transition tables");
	fpg_load(td->tg_trigger->tgargs[0], &ph, FPG_RESOLVE);
	fpg_same_source(&ph, td->tg_relation);
	if (!fpg_sync_state(&ph, &run_id, NULL, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("phase \"%s\" is not syncing, but its sync trigger %s fired",
						ph.phase->name, td->tg_trigger->tgname),
				 errhint("Drop the trigger, or start_sync('%s') after dropping it.", ph.phase->name)));
	plan = fy_plan_sync(ph.phase, ph.meta, FY_POSTGRES, ev, td->tg_trigger->tgnewtable,
						td->tg_trigger->tgoldtable, (long) run_id, false, &err);
	if (plan == NULL)
		fpg_raise(&err);
	for (int i = 0; i < plan->nstmts; i++)
	{
		const fy_stmt *st = &plan->stmts[i];

		if (st->role != FY_ROLE_MIGRATE || ph.phase->abort_on_error)
			fpg_exec(&ph, st);
		else if (!fpg_try_fast(&ph, st))
		{
			fy_plan    *safe = fy_plan_sync(ph.phase, ph.meta, FY_POSTGRES, ev,
											td->tg_trigger->tgnewtable,
											td->tg_trigger->tgoldtable, (long) run_id, true, &err);

			if (safe == NULL)
				fpg_raise(&err);
			fpg_exec(&ph, &safe->stmts[i]);
		}
		if (st->role == FY_ROLE_MIGRATE)
			updated = fpg_count_value(3);
	}
	/* when every new row updated its mapped target row, none is left to migrate */
	if (ev != FY_SYNC_DELETE && ph.phase->nmerge_on == 0 &&
		updated < (int64) tuplestore_tuple_count(td->tg_newtable))
	{
		rows_meta = fy_meta_rows(ph.meta, td->tg_trigger->tgnewtable);
		rows = ph;
		rows.meta = &rows_meta;
		fpg_migrate_rows(&rows, (long) run_id);
	}
	arg = Int64GetDatum(ph.id);
	fpg_run_sql("UPDATE ferry.phases SET last_synced_at = now() WHERE id = $1 "
				"AND last_synced_at IS DISTINCT FROM now() AND id IN "
				"(SELECT id FROM ferry.phases WHERE id = $1 FOR UPDATE SKIP LOCKED)", 1, &type, &arg);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * fpg_compat_writable makes a compat view writable: the legacy table's
 * column defaults on the view's columns (an INSERT that leaves out the key
 * draws it from the legacy sequence, as the old application expects) and
 * one INSTEAD OF trigger for INSERT, UPDATE and DELETE.
 */
static void
fpg_compat_writable(const fpg_phase *ph, const char *schema, const fy_relname *view)
{
	const char *qview = view->schema ? quote_qualified_identifier(view->schema, view->name) :
		quote_identifier(view->name);
	Datum		args[2] = {CStringGetTextDatum(quote_qualified_identifier(ph->meta->source.schema, ph->meta->source.name)),
	CStringGetTextDatum(qview)};
	Oid			types[2] = {TEXTOID, TEXTOID};
	uint64		n;
	char	  **alters;

	if (SPI_execute_with_args("SELECT format('ALTER VIEW %s ALTER COLUMN %I SET DEFAULT %s', $2, a.attname, "
							  "pg_catalog.pg_get_expr(d.adbin, d.adrelid)) FROM pg_catalog.pg_attrdef AS d "
							  "JOIN pg_catalog.pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
							  "WHERE d.adrelid = $1::regclass AND a.attgenerated = '' ORDER BY a.attnum",
							  2, types, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read the column defaults of the source of phase \"%s\"", ph->phase->name);
	n = SPI_processed;
	alters = palloc(sizeof(char *) * (n + 1));
	for (uint64 i = 0; i < n; i++)
		alters[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
	for (uint64 i = 0; i < n; i++)
		if (SPI_execute(alters[i], false, 0) != SPI_OK_UTILITY)
			elog(ERROR, "ferry: could not set a default on view %s", qview);
	if (SPI_execute(psprintf("CREATE TRIGGER ferry_compat INSTEAD OF INSERT OR UPDATE OR DELETE ON %s "
							 "FOR EACH ROW EXECUTE FUNCTION %s.ferry_compat_trigger(%s)",
							 qview, schema, quote_literal_cstr(ph->phase->name)), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "ferry: could not create the trigger of view %s", qview);
}

/*
 * create_compat_view creates the view the core plans from the spec's
 * inverse, with a comment on every column, and names in a NOTICE the
 * legacy columns it could not compute back (they are NULL in the view).
 * The view is an ordinary view: it reads the target and the id map with
 * its owner's rights; grant SELECT on it to the legacy application.
 * writable adds fpg_compat_writable's trigger.
 */
Datum
create_compat_view(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	char	   *view = fpg_text_arg(fcinfo, 1, "view_name");
	bool		writable = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	fy_error	err = {0};
	fpg_phase	ph;
	fy_plan    *plan;
	fy_relname	rel;
	StringInfoData left;
	int			nleft = 0;

	SPI_connect();
	fpg_load(name, &ph, FPG_RESOLVE);
	plan = fy_plan_compat_view(ph.phase, ph.meta, FY_POSTGRES, view, &err);
	if (plan == NULL)
		fpg_raise(&err);
	if (writable && ph.phase->source_query)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("phase \"%s\": a compat view over a query source cannot be writable", name),
				 errdetail("Writes through the view go to the legacy table, and a query source has none."),
				 errhint("Create the view with writable => false.")));
	if (!fy_relname_parse(plan->arena, view, &rel, &err))
		fpg_raise(&err);
	initStringInfo(&left);
	for (int i = 0; i < plan->nstmts; i++)
	{
		const fy_stmt *st = &plan->stmts[i];

		fpg_exec(&ph, st);
		if (st->check && strcmp(st->check, "left_out") == 0)
			appendStringInfo(&left, "%s\"%s\" (%s)", nleft++ ? ", " : "", st->label, st->finding);
	}
	if (writable)
		fpg_compat_writable(&ph, fpg_func_schema(fcinfo), &rel);
	if (nleft > 0)
		ereport(NOTICE,
				(errmsg("phase \"%s\": view %s has %d legacy column%s it cannot compute back, NULL there: %s",
						name, view, nleft, nleft == 1 ? "" : "s", left.data),
				 writable ? errhint("A write through the view leaves them as they are in the legacy table (an UPDATE) or gives them what it names (an INSERT).") : 0));
	SPI_finish();
	PG_RETURN_VOID();
}

/* fpg_param adds the value of column att of tup to the arguments as $(n+1). */
static void
fpg_param(TupleDesc desc, HeapTuple tup, int att, Datum *values, char *nulls,
		  Oid *types, int *n)
{
	bool		isnull;

	values[*n] = heap_getattr(tup, att, desc, &isnull);
	nulls[*n] = isnull ? 'n' : ' ';
	types[*n] = TupleDescAttr(desc, att - 1)->atttypid;
	++*n;
}

/* fpg_key_where: " WHERE key = $k ..." with the key of tup as parameters. */
static char *
fpg_key_where(const fpg_phase *ph, TupleDesc desc, HeapTuple tup,
			  Datum *values, char *nulls, Oid *types, int *n)
{
	StringInfoData b;

	initStringInfo(&b);
	for (int i = 0; i < ph->phase->nkeys; i++)
	{
		appendStringInfo(&b, "%s%s = $%d", i ? " AND " : " WHERE ",
						 quote_identifier(ph->phase->source_key[i]), *n + 1);
		fpg_param(desc, tup, SPI_fnumber(desc, ph->phase->source_key[i]), values, nulls, types, n);
	}
	return b.data;
}

/*
 * fpg_compat_rejected fails the write when the phase quarantined the row
 * it made of the legacy row tup (the rejects keep the key as
 * jsonb_build_object of the key columns).
 */
static void
fpg_compat_rejected(const fpg_phase *ph, Relation view, TupleDesc desc, HeapTuple tup)
{
	StringInfoData sql;
	Datum	   *values = palloc(sizeof(Datum) * (ph->phase->nkeys + 1));
	char	   *nulls = palloc(ph->phase->nkeys + 1);
	Oid		   *types = palloc(sizeof(Oid) * (ph->phase->nkeys + 1));
	int			n = 1;

	values[0] = Int64GetDatum(ph->id);
	nulls[0] = ' ';
	types[0] = INT8OID;
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT legacy_key::text, reason FROM ferry.migration_rejects "
						   "WHERE phase_id = $1 AND legacy_key = jsonb_build_object(");
	for (int i = 0; i < ph->phase->nkeys; i++)
	{
		appendStringInfo(&sql, "%s%s, $%d", i ? ", " : "", quote_literal_cstr(ph->phase->source_key[i]), n + 1);
		fpg_param(desc, tup, SPI_fnumber(desc, ph->phase->source_key[i]), values, nulls, types, &n);
	}
	appendStringInfoString(&sql, ") LIMIT 1");
	if (SPI_execute_with_args(sql.data, n, types, values, nulls, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read the rejects of phase \"%s\"", ph->phase->name);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("phase \"%s\" rejects the row written through view %s: %s", ph->phase->name,
						RelationGetRelationName(view), SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errdetail("Legacy key %s; nothing was written.", SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
				 errhint("Write a row the phase accepts, or write to the legacy table, where the row is quarantined in ferry.migration_rejects.")));
}

/*
 * fpg_legacy_draws: the legacy table makes column col's value itself -- a
 * generated column always, an identity column when the write gives NULL --
 * so a write through the view leaves it out.
 */
static bool
fpg_legacy_draws(Oid legacy, const char *col, bool isnull)
{
	HeapTuple	tup = SearchSysCacheAttName(legacy, col);
	bool		draws = false;

	if (HeapTupleIsValid(tup))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);

		draws = att->attgenerated != '\0' || (isnull && att->attidentity != '\0');
		ReleaseSysCache(tup);
	}
	return draws;
}

/*
 * ferry_compat_trigger: the INSTEAD OF trigger of a writable compat view.
 * The legacy table stays the one source of truth until the cut-over, so a
 * row written through the view is written to the legacy table -- an UPDATE
 * sets only the columns the statement changed, so the columns the view
 * cannot compute back keep their legacy values -- and the legacy table's
 * sync triggers carry it into the target as migrate_phase would.  A row the
 * phase rejects fails the write; without sync the write is refused (it
 * would never reach the view).  PostgreSQL fires INSTEAD OF triggers per
 * row, so this writes one row per call.
 */
Datum
ferry_compat_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	fpg_phase	ph;
	int64		run_id;
	const char *source;
	StringInfoData sql;
	Datum	   *values;
	char	   *nulls;
	Oid		   *types;
	StringInfoData cols;
	Oid			legacy;
	int			n = 0;
	int			natts;
	uint64		written = 1;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_INSTEAD(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) || td->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ferry_compat_trigger runs only in the trigger create_compat_view creates")));
	desc = RelationGetDescr(td->tg_relation);
	natts = desc->natts;
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newtup = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		oldtup = td->tg_trigtuple;
		newtup = td->tg_newtuple;
	}
	else
		oldtup = td->tg_trigtuple;

	SPI_connect();
	fpg_load(td->tg_trigger->tgargs[0], &ph, FPG_RESOLVE);
	source = quote_qualified_identifier(ph.meta->source.schema, ph.meta->source.name);
	legacy = get_relname_relid(ph.meta->source.name, get_namespace_oid(ph.meta->source.schema, false));
	if (!fpg_sync_state(&ph, &run_id, NULL, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("phase \"%s\" is not syncing: a write through view %s goes to %s and reaches the view by sync",
						ph.phase->name, RelationGetRelationName(td->tg_relation), source),
				 errhint("start_sync('%s') first, or write to %s.", ph.phase->name, source)));
	values = palloc(sizeof(Datum) * 2 * natts);
	nulls = palloc(2 * natts);
	types = palloc(sizeof(Oid) * 2 * natts);
	initStringInfo(&cols);
	initStringInfo(&sql);
	for (int a = 1; a <= natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a - 1);
		bool		oldnull = true;
		bool		newnull;
		Datum		o = oldtup ? heap_getattr(oldtup, a, desc, &oldnull) : (Datum) 0;
		Datum		v = newtup ? heap_getattr(newtup, a, desc, &newnull) : (Datum) 0;

		/*
		 * an UPDATE sets what changed; an INSERT every column, but a
		 * generated one, or a NULL for an identity column, which draws it
		 */
		if (newtup == NULL || att->attisdropped ||
			(oldtup != NULL && ((oldnull && newnull) ||
								(!oldnull && !newnull && datumIsEqual(o, v, att->attbyval, att->attlen)))) ||
			fpg_legacy_draws(legacy, NameStr(att->attname), newnull))
			continue;
		appendStringInfo(&cols, "%s%s%s", n ? ", " : "", quote_identifier(NameStr(att->attname)),
						 oldtup ? " = " : "");
		appendStringInfoString(&sql, n && !oldtup ? ", " : "");
		if (oldtup)
			appendStringInfoString(&cols, psprintf("$%d", n + 1));
		else
			appendStringInfo(&sql, "$%d", n + 1);
		fpg_param(desc, newtup, a, values, nulls, types, &n);
	}
	if (oldtup == NULL)
		sql.data = psprintf("INSERT INTO %s (%s) VALUES (%s)", source, cols.data, sql.data);
	else if (newtup != NULL)
		sql.data = n == 0 ? NULL : psprintf("UPDATE %s SET %s%s", source, cols.data,
											fpg_key_where(&ph, desc, oldtup, values, nulls, types, &n));
	else
		sql.data = psprintf("DELETE FROM %s%s", source, fpg_key_where(&ph, desc, oldtup, values, nulls, types, &n));
	/* an UPDATE that changes nothing writes nothing */
	if (sql.data != NULL)
	{
		if (SPI_execute_with_args(sql.data, n, types, values, nulls, false, 0) !=
			(oldtup == NULL ? SPI_OK_INSERT : newtup == NULL ? SPI_OK_DELETE : SPI_OK_UPDATE))
			elog(ERROR, "ferry: could not write through view %s: %s", RelationGetRelationName(td->tg_relation), sql.data);
		written = SPI_processed;
		if (newtup != NULL && written > 0)
			fpg_compat_rejected(&ph, td->tg_relation, desc, newtup);
	}
	SPI_finish();
	return PointerGetDatum(written == 0 ? NULL : newtup ? newtup : oldtup);
}
