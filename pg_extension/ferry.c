/*
 * ferry.c (pg_extension) -- module setup and the glue every SQL-facing
 * area shares: errors, catalog access, metadata resolution, execution.
 *
 * Everything runs with the caller's rights through SPI: ferry never
 * switches user, so a migration can read and write only what its caller
 * could read and write by hand.
 */
#include "ferry.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * The per-backend cache of sync firings: plans of statements kept by their
 * text (fpg_exec_kept), and the generation that an invalidation of a
 * watched relation, of every relation, of a schema or of a function bumps,
 * after which whatever was derived from the catalog (sync.c's phases and
 * statement texts, the kept plans, which name transition tables whose shape
 * the plan cache does not watch) is made again.
 */
typedef struct fpg_kept
{
	struct fpg_kept *next;
	uint32		hash;
	int			keep;
	int			nargs;
	char	   *sql;
	SPIPlanPtr	plan;
} fpg_kept;

static fpg_kept *fpg_kept_plans;
static MemoryContext fpg_kept_cxt;
static uint64 fpg_generation = 1;
static uint64 fpg_kept_generation = 1;
static int	fpg_firing_depth;
static Oid *fpg_watched;
static int	fpg_nwatched;
static int	fpg_keep;			/* the row-count class fpg_exec keeps plans
								 * for; 0: it runs one-shot statements */

static MemoryContext fpg_core_cxt;	/* where the core allocates; NULL: the
									 * current context */

static void *
fpg_alloc(size_t size)
{
	return fpg_core_cxt ? MemoryContextAlloc(fpg_core_cxt, size) : palloc(size);
}

/*
 * fpg_core_context makes the core allocate in cxt (NULL: the current
 * context) and returns where it allocated before: what must outlive an SPI
 * call, which switches back to its own context, is made there.
 */
MemoryContext
fpg_core_context(MemoryContext cxt)
{
	MemoryContext old = fpg_core_cxt;

	fpg_core_cxt = cxt;
	return old;
}

static void
fpg_free(void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}

/*
 * fpg_invalidate: a relation a cached firing resolved (fpg_cache_watch), or
 * every relation, changed, so the cache is stale.
 */
static void
fpg_invalidate(Datum arg, Oid relid)
{
	for (int i = 0; OidIsValid(relid) && i < fpg_nwatched; i++)
		if (fpg_watched[i] == relid)
			relid = InvalidOid;
	if (!OidIsValid(relid))
		fpg_generation++;
}

/* fpg_invalidate_syscache: a schema or function changed. */

static void
fpg_invalidate_syscache(Datum arg, int cacheid, uint32 hashvalue)
{
	fpg_generation++;
}

/*
 * _PG_init hooks the core's and cJSON's allocations to palloc, so whatever
 * a failing call held is released with its memory context, and registers
 * the invalidations that make the cache of sync firings stale.
 */
void
_PG_init(void)
{
	fy_allocator a = {fpg_alloc, fpg_free};

	fy_set_allocator(&a);
	CacheRegisterRelcacheCallback(fpg_invalidate, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, fpg_invalidate_syscache, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, fpg_invalidate_syscache, (Datum) 0);
}

uint64
fpg_cache_generation(void)
{
	return fpg_generation;
}

/*
 * fpg_cache_watch makes a change of relation relid stale the cache.  A
 * firing watches what it resolved while it holds a lock on it, so no change
 * of it commits before it is watched.
 */
void
fpg_cache_watch(Oid relid)
{
	for (int i = 0; i < fpg_nwatched; i++)
		if (fpg_watched[i] == relid)
			return;
	fpg_watched = fpg_watched ? repalloc(fpg_watched, sizeof(Oid) * (fpg_nwatched + 1)) :
		MemoryContextAlloc(TopMemoryContext, sizeof(Oid));
	fpg_watched[fpg_nwatched++] = relid;
}

/*
 * fpg_cache_begin starts a sync firing of rows rows and returns the
 * row-count class (the decimal digits of rows) that fpg_exec keeps plans
 * for until fpg_cache_end, or 0 when the firing goes without the cache: a
 * stale cache's kept plans are freed only by an outermost firing, since a
 * nested one (a sync trigger on a table another firing writes) runs inside
 * one of them.  outer is what fpg_cache_end restores.
 */
int
fpg_cache_begin(uint64 rows, int *outer)
{
	*outer = fpg_keep;
	if (fpg_kept_cxt == NULL)
		fpg_kept_cxt = AllocSetContextCreate(TopMemoryContext, "ferry kept plans",
											 ALLOCSET_DEFAULT_SIZES);
	if (fpg_kept_generation != fpg_generation && fpg_firing_depth > 0)
	{
		fpg_firing_depth++;
		return fpg_keep = 0;
	}
	if (fpg_kept_generation != fpg_generation)
	{
		for (fpg_kept *k = fpg_kept_plans; k; k = k->next)
			SPI_freeplan(k->plan);
		fpg_kept_plans = NULL;
		MemoryContextReset(fpg_kept_cxt);
		fpg_kept_generation = fpg_generation;
	}
	fpg_firing_depth++;
	for (fpg_keep = 1; rows >= 10; rows /= 10)
		fpg_keep++;
	return fpg_keep;
}

void
fpg_cache_end(int outer)
{
	fpg_firing_depth--;
	fpg_keep = outer;
}

/* fpg_raise reports a core error with the SQLSTATE the core chose. */
void
fpg_raise(const fy_error *err)
{
	const char *s = fy_sqlstate(err->code);

	ereport(ERROR,
			(errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
			 errmsg("%s", err->message),
			 err->detail[0] ? errdetail("%s", err->detail) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0));
	pg_unreachable();
}

/* fpg_text_arg refuses a NULL argument by name (the functions are not STRICT). */
char *
fpg_text_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* fpg_relmeta_fill copies a tuple descriptor's live columns into meta. */
static void
fpg_relmeta_fill(fy_meta *meta, fy_relmeta *rel, TupleDesc desc)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		fy_colmeta *c;

		if (att->attisdropped)
			continue;
		c = fy_meta_add_column(meta, rel, NameStr(att->attname),
							   format_type_with_typemod(att->atttypid, att->atttypmod),
							   att->attnotnull,
							   att->atthasdef || att->attidentity || att->attgenerated);

		/*
		 * An explicit CAST to varchar(n), char(n) or bit(n) cuts a longer
		 * value to fit; ferry casts to the unmodified type and leaves the
		 * modifier to the INSERT, whose assignment raises instead (and
		 * value_fits rejects such a value before that).  "bpchar", not
		 * "character", which would mean char(1).
		 */
		if (c != NULL && att->atttypmod >= 0)
			c->cast_type = fy_arena_strdup(meta->arena,
										   format_type_extended(att->atttypid, -1,
																FORMAT_TYPE_TYPEMOD_GIVEN));
		if (c == NULL || (att->atttypmod >= 0 && c->cast_type == NULL))
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
}

/*
 * fpg_key_default: the SQL that makes a new value of the target key column,
 * for "generate": "default": its identity sequence's nextval, or its
 * default expression as PostgreSQL deparses it (schema-qualified); NULL
 * when it has neither.
 */
static const char *
fpg_key_default(Oid relid, const char *column, fy_meta *meta)
{
	Datum		args[2] = {ObjectIdGetDatum(relid), CStringGetTextDatum(column)};
	Oid			types[2] = {OIDOID, TEXTOID};

	if (SPI_execute_with_args("SELECT CASE WHEN a.attidentity <> '' THEN "
							  "format('nextval(%L::regclass)', pg_catalog.pg_get_serial_sequence("
							  "a.attrelid::regclass::text, a.attname)) "
							  "ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END "
							  "FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d "
							  "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
							  "WHERE a.attrelid = $1 AND a.attname = $2 AND a.attgenerated = ''",
							  2, types, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read the default of %s", column);
	if (SPI_processed == 0)
		return NULL;
	return fy_arena_strdup(meta->arena, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
}

/*
 * fpg_resolve_rel finds a spec's table the way the caller's own SQL would
 * (search_path for an unqualified name) and records its schema, so every
 * planned statement is schema-qualified and immune to search_path changes.
 */
static void
fpg_resolve_rel(const fy_phase *phase, fy_meta *meta, fy_relmeta *rel,
				const fy_relname *name, const char *role)
{
	RangeVar   *rv = makeRangeVar(name->schema ? pstrdup(name->schema) : NULL,
								  pstrdup(name->name), -1);
	Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);
	Relation	r;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("phase \"%s\": %s table \"%s%s%s\" does not exist",
						phase->name, role, name->schema ? name->schema : "",
						name->schema ? "." : "", name->name),
				 name->schema ? 0 :
				 errhint("Unqualified names are looked up in search_path; write \"schema.table\" to name another schema.")));
	r = relation_open(relid, NoLock);
	if (r->rd_rel->relkind != RELKIND_RELATION &&
		r->rd_rel->relkind != RELKIND_PARTITIONED_TABLE &&
		r->rd_rel->relkind != RELKIND_VIEW &&
		r->rd_rel->relkind != RELKIND_MATVIEW &&
		r->rd_rel->relkind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("phase \"%s\": %s \"%s\" is not a table or view",
						phase->name, role, RelationGetRelationName(r))));
	rel->schema = fy_arena_strdup(meta->arena, get_namespace_name(RelationGetNamespace(r)));
	rel->name = fy_arena_strdup(meta->arena, RelationGetRelationName(r));
	fpg_relmeta_fill(meta, rel, RelationGetDescr(r));
	relation_close(r, NoLock);
	if (rel == &meta->target && phase->keygen == FY_KEY_DEFAULT)
		meta->key_default = fpg_key_default(relid, phase->target_key, meta);
}

/*
 * fpg_one_statement: a spec's SQL is pasted into planned statements; it must
 * not smuggle a second statement in ("1); DROP TABLE t; --"), so every
 * statement ferry runs must parse as exactly one.
 */
static void
fpg_one_statement(const char *phase, const char *sql)
{
	if (list_length(raw_parser(sql, RAW_PARSE_DEFAULT)) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("phase \"%s\": the spec's SQL makes a statement that is not one statement", phase),
				 errhint("A \"sql\" expression, a \"where\" or a source query must not contain a semicolon that ends it.")));
}

/* fpg_resolve_query describes a query source by planning it with LIMIT 0. */
static void
fpg_resolve_query(const fy_phase *phase, fy_meta *meta)
{
	char	   *sql = psprintf("SELECT * FROM (%s) AS s LIMIT 0", phase->source_query);
	int			rc;

	fpg_one_statement(phase->name, sql);
	rc = SPI_execute(sql, false, 0);
	if (rc != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("phase \"%s\": the source query must be a SELECT", phase->name)));
	meta->source.name = NULL;
	fpg_relmeta_fill(meta, &meta->source, SPI_tuptable->tupdesc);
}

/*
 * fpg_extension_schema: where CREATE EXTENSION put ferry's functions, so
 * planned statements call them schema-qualified whatever the search_path.
 */
static const char *
fpg_extension_schema(void)
{
	if (SPI_execute("SELECT n.nspname::text FROM pg_catalog.pg_extension e "
					"JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
					"WHERE e.extname = 'ferry'", true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "ferry: extension ferry is not installed in this database");
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * fpg_ref_target records where the rows of a referenced phase live, so
 * validation can check that every reference points at one of them.  A
 * target that no longer resolves leaves the fields NULL: the check then
 * says so instead of failing the whole validation.
 */
static void
fpg_ref_target(fy_refmeta *r, const fy_phase *dep, fy_meta *meta)
{
	RangeVar   *rv = makeRangeVar(dep->target.schema ? pstrdup(dep->target.schema) : NULL,
								  pstrdup(dep->target.name), -1);
	Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);

	if (!OidIsValid(relid))
		return;
	r->target_schema = fy_arena_strdup(meta->arena, get_namespace_name(get_rel_namespace(relid)));
	r->target_name = fy_arena_strdup(meta->arena, get_rel_name(relid));
	r->target_key = fy_arena_strdup(meta->arena, dep->target_key);
}

fy_meta *
fpg_resolve(const fy_phase *phase, int64 phase_id)
{
	fy_meta    *meta = fy_meta_new();
	fy_error	err = {0};

	if (meta == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	meta->catalog_schema = "ferry";
	meta->func_schema = fy_arena_strdup(meta->arena, fpg_extension_schema());
	if (meta->func_schema == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	meta->phase_id = phase_id;
	meta->text_hash = !OidIsValid(LookupFuncName(list_make2(makeString("ferry"),
															 makeString("content_hash")),
												 1, (Oid[]) {RECORDOID}, true));
	if (phase->source_query)
		fpg_resolve_query(phase, meta);
	else
		fpg_resolve_rel(phase, meta, &meta->source, &phase->source, "source");
	fpg_resolve_rel(phase, meta, &meta->target, &phase->target, "target");
	for (int i = 0; i < phase->ndepends; i++)
	{
		fpg_phase	dep;

		if (!fpg_load(phase->depends_on[i], &dep, FPG_MISSING_OK))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("phase \"%s\" depends on phase \"%s\", which does not exist",
							phase->name, phase->depends_on[i]),
					 errhint("Define phase \"%s\" first.", phase->depends_on[i])));
		if (!fy_meta_add_ref(meta, phase->depends_on[i], (long) dep.id, dep.phase->nkeys))
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		fpg_ref_target(&meta->refs[meta->nrefs - 1], dep.phase, meta);
	}
	if (!fy_plan_check(phase, meta, &err))
		fpg_raise(&err);
	return meta;
}

/*
 * fpg_load reads a phase from the catalog and parses its spec; with
 * FPG_RESOLVE it also resolves its relations (a phase whose tables are gone
 * can still be dropped); with FPG_FOR_UPDATE it locks the phase's row, which
 * serializes the changes of one phase's definition.  Runs are serialized by
 * the advisory lock instead, so reading a phase takes no row lock.  Must be
 * called inside SPI_connect.
 */
bool
fpg_load(const char *name, fpg_phase *out, int flags)
{
	Datum		arg = CStringGetTextDatum(name);
	Oid			argtype = TEXTOID;
	bool		isnull;
	char	   *spec;
	fy_error	err = {0};

	if (SPI_execute_with_args((flags & FPG_FOR_UPDATE) ?
							  "SELECT id, spec::text FROM ferry.phases WHERE name = $1 FOR UPDATE" :
							  "SELECT id, spec::text FROM ferry.phases WHERE name = $1",
							  1, &argtype, &arg, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read ferry.phases");
	if (SPI_processed == 0)
	{
		if (flags & FPG_MISSING_OK)
			return false;
		/* at most 63 bytes name a phase: a 16 MB name is not echoed twice */
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("phase \"%.64s\" does not exist", name),
				 errhint("Define it with define_phase('%.64s', spec).", name)));
	}
	out->id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
	spec = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	out->phase = fy_phase_parse(name, spec, &err);
	if (out->phase == NULL)
		fpg_raise(&err);
	if (flags & FPG_RESOLVE)
		out->meta = fpg_resolve(out->phase, out->id);
	else
	{
		out->meta = fy_meta_new();
		if (out->meta == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		out->meta->catalog_schema = "ferry";
		out->meta->phase_id = out->id;
	}
	return true;
}

/*
 * fpg_lock refuses a second concurrent run of the same phase at once
 * instead of queueing it behind the first: a DBA wants to know.  A
 * transaction-level lock serves a run inside one transaction; a batched run,
 * which commits, holds a session-level lock and releases it with
 * fpg_unlock.  Both kinds conflict with each other.
 */
void
fpg_lock(const fpg_phase *ph, const char *operation, bool session)
{
	Datum		got;

	if (session)
		got = DirectFunctionCall2(pg_try_advisory_lock_int4,
								  Int32GetDatum(FPG_LOCK_CLASS), Int32GetDatum((int32) ph->id));
	else
		got = DirectFunctionCall2(pg_try_advisory_xact_lock_int4,
								  Int32GetDatum(FPG_LOCK_CLASS), Int32GetDatum((int32) ph->id));
	if (!DatumGetBool(got))
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("phase \"%s\" is already being worked on by another session",
						ph->phase->name),
				 errdetail("%s needs the phase to itself.", operation),
				 errhint("Wait for the other session to finish, then run it again.")));
}

void
fpg_unlock(const fpg_phase *ph)
{
	DirectFunctionCall2(pg_advisory_unlock_int4,
						Int32GetDatum(FPG_LOCK_CLASS), Int32GetDatum((int32) ph->id));
}

typedef struct fpg_context
{
	const fpg_phase *ph;
	const fy_stmt *stmt;
} fpg_context;

static void
fpg_error_context(void *arg)
{
	fpg_context *c = arg;

	if (c->stmt->role == FY_ROLE_PROBE)
		errcontext("ferry phase \"%s\", the SQL of %s", c->ph->phase->name, c->stmt->label);
	else
		errcontext("ferry phase \"%s\", %s statement", c->ph->phase->name,
				   fy_role_name(c->stmt->role));
}

/*
 * Every SPI call of ferry runs read-write (read_only = false), because only
 * then does it take a fresh snapshot: a read must see what the earlier
 * statements of the same call wrote (migrate_all runs phases that read
 * what the phase before them wrote).
 *
 * fpg_exec runs one planned statement; an error inside it (a user's sql
 * expression, a constraint) is reported with the phase and the statement.
 */
uint64
fpg_exec(const fpg_phase *ph, const fy_stmt *stmt)
{
	ErrorContextCallback cb;
	fpg_context ctx = {ph, stmt};
	int			rc;

	cb.callback = fpg_error_context;
	cb.arg = &ctx;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	if (fpg_keep)
		rc = fpg_exec_kept(ph->phase->name, stmt->sql, 0, NULL, NULL, fpg_keep);
	else
	{
		fpg_one_statement(ph->phase->name, stmt->sql);
		rc = SPI_execute(stmt->sql, false, 0);
	}
	error_context_stack = cb.previous;
	if (rc < 0)
		elog(ERROR, "ferry: SPI_execute failed with code %d", rc);
	return SPI_processed;
}

/*
 * fpg_subxact_error, in a PG_CATCH after BeginInternalSubTransaction: the
 * error copied out into cxt, then the subtransaction rolled back and the
 * caller's memory context and resource owner back, so the caller can look
 * at the error and go on or rethrow it with no subtransaction left open.
 */
ErrorData *
fpg_subxact_error(MemoryContext cxt, ResourceOwner owner)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return edata;
}

/*
 * fpg_exec_plan runs every statement of a plan that needs no answer read
 * back, then frees it; a plan the core could not make (NULL) raises err.
 */
void
fpg_exec_plan(const fpg_phase *ph, fy_plan *plan, const fy_error *err)
{
	if (plan == NULL)
		fpg_raise(err);
	for (int i = 0; i < plan->nstmts; i++)
		fpg_exec(ph, &plan->stmts[i]);
	fy_plan_free(plan);
}

/*
 * fpg_exec_kept runs sql with a plan kept for the backend, prepared the
 * first time sql (with nargs arguments of types) comes with this keep, the
 * row-count class of the firing: a generic plan is made for the size of the
 * transition tables it first saw, so a 1,000-row statement does not reuse a
 * 1-row one's.  The plan cache re-plans it when a relation it reads
 * changes; the cache's generation drops it.  Only inside fpg_cache_begin
 * (fpg_exec uses it while the firing keeps plans).  phase names the phase
 * whose planned statement sql is (checked once, as fpg_exec checks one-shot
 * ones), NULL for ferry's own SQL.
 */
int
fpg_exec_kept(const char *phase, const char *sql, int nargs, Oid *types, Datum *args, int keep)
{
	uint32		hash = hash_bytes((const unsigned char *) sql, strlen(sql));
	fpg_kept   *k;

	for (k = fpg_kept_plans; k; k = k->next)
		if (k->hash == hash && k->keep == keep && k->nargs == nargs && strcmp(k->sql, sql) == 0)
			break;
	if (k == NULL)
	{
		SPIPlanPtr	plan;

		if (phase)
			fpg_one_statement(phase, sql);
		plan = SPI_prepare(sql, nargs, types);
		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "ferry: could not prepare a statement: %s", SPI_result_code_string(SPI_result));
		k = MemoryContextAlloc(fpg_kept_cxt, sizeof(fpg_kept));
		k->hash = hash;
		k->keep = keep;
		k->nargs = nargs;
		k->sql = MemoryContextStrdup(fpg_kept_cxt, sql);
		k->plan = plan;
		k->next = fpg_kept_plans;
		fpg_kept_plans = k;
	}
	return SPI_execute_plan(k->plan, args, NULL, false, 0);
}

/* fpg_count_value reads column col (1-based) of a COUNT statement's row. */
int64
fpg_count_value(int col)
{
	bool		isnull;
	Datum		d;
	Oid			type;

	if (SPI_processed != 1)
		elog(ERROR, "ferry: a count statement returned " UINT64_FORMAT " rows", SPI_processed);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
	if (isnull)
		return 0;
	type = SPI_gettypeid(SPI_tuptable->tupdesc, col);
	if (type == INT8OID)
		return DatumGetInt64(d);
	if (type == INT4OID)
		return DatumGetInt32(d);
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, d));
}

/* fpg_counts reads the accounting statement's row by column name. */
void
fpg_counts(fy_counts *c)
{
	static const char *const names[] = {"source_rows", "migrated", "merged",
	"filtered", "this_run", "rejected", "orphans"};
	int64	   *fields[] = {&c->source_rows, &c->migrated, &c->merged,
	&c->filtered, &c->this_run, &c->rejected, &c->orphans};

	for (int i = 0; i < (int) lengthof(names); i++)
	{
		int			col = SPI_fnumber(SPI_tuptable->tupdesc, names[i]);

		if (col <= 0)
			elog(ERROR, "ferry: the accounting statement has no column %s", names[i]);
		*fields[i] = fpg_count_value(col);
	}
}

/*
 * fpg_phases lists every phase with its dependencies, in definition order,
 * for the dependency checks of define_phase and the order of migrate_all.
 * replace, when given, stands in for the stored phase of the same name (a
 * spec being defined); a new phase is appended.
 */
int
fpg_phases(fy_depnode **nodes, const fy_phase *replace)
{
	uint64		n;
	SPITupleTable *tt;
	int			count = 0;
	bool		replaced = false;

	if (SPI_execute("SELECT name, spec::text FROM ferry.phases ORDER BY id", false, 0) != SPI_OK_SELECT)
		elog(ERROR, "ferry: could not read ferry.phases");
	tt = SPI_tuptable;
	n = SPI_processed;
	*nodes = palloc0(sizeof(fy_depnode) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		char	   *name = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
		const fy_phase *ph = NULL;
		fy_error	err = {0};

		if (replace && strcmp(name, replace->name) == 0)
		{
			ph = replace;
			replaced = true;
		}
		else if ((ph = fy_phase_parse(name, SPI_getvalue(tt->vals[i], tt->tupdesc, 2), &err)) == NULL)
			fpg_raise(&err);
		(*nodes)[count].name = ph->name;
		(*nodes)[count].deps = ph->depends_on;
		(*nodes)[count].ndeps = ph->ndepends;
		count++;
	}
	if (replace && !replaced)
	{
		(*nodes)[count].name = replace->name;
		(*nodes)[count].deps = replace->depends_on;
		(*nodes)[count].ndeps = replace->ndepends;
		count++;
	}
	return count;
}

uint64
fpg_map_rows(const fpg_phase *ph)
{
	fy_buf		b;
	fy_stmt		stmt;

	fy_buf_init(&b);
	fy_buf_add(&b, "SELECT count(*) FROM ");
	fy_buf_map_table(&b, ph->meta, FY_POSTGRES);
	if (b.oom)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	stmt.role = FY_ROLE_COUNT;
	stmt.sql = b.data;
	fpg_exec(ph, &stmt);
	return (uint64) fpg_count_value(1);
}

int64
fpg_log_start(int64 phase_id, const char *phase, const char *operation)
{
	Datum		args[3] = {Int64GetDatum(phase_id), CStringGetTextDatum(phase),
	CStringGetTextDatum(operation)};
	Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};
	bool		isnull;

	if (SPI_execute_with_args("INSERT INTO ferry.migration_log (phase_id, phase, operation, status) "
							  "VALUES ($1, $2, $3, 'started') RETURNING id",
							  3, types, args, NULL, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "ferry: could not write ferry.migration_log");
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* fpg_log_finish closes a run's log row and returns the seconds it took. */
double
fpg_log_finish(int64 run_id, uint64 rows, instr_time start)
{
	instr_time	now;
	Datum		args[3];
	Oid			types[3] = {INT8OID, INT8OID, FLOAT8OID};

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	args[0] = Int64GetDatum(run_id);
	args[1] = Int64GetDatum((int64) rows);
	args[2] = Float8GetDatum(INSTR_TIME_GET_DOUBLE(now));
	if (SPI_execute_with_args("UPDATE ferry.migration_log SET status = 'completed', rows = $2, "
							  "seconds = round($3::numeric, 3), finished_at = clock_timestamp() WHERE id = $1",
							  3, types, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "ferry: could not write ferry.migration_log");
	return INSTR_TIME_GET_DOUBLE(now);
}
