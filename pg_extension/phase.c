/*
 * phase.c (pg_extension) -- define_phase and drop_phase.
 */
#include "ferry.h"

#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(define_phase);
PG_FUNCTION_INFO_V1(drop_phase);

/*
 * fpg_refuse_if_migrated: a phase's map and target rows were made by its
 * spec; while they exist the spec must go on meaning what it meant, so
 * redefining or dropping waits for a rollback.  Takes the phase lock first.
 */
static void
fpg_refuse_if_migrated(const fpg_phase *ph, const char *verb)
{
	uint64		mapped;

	fpg_lock(ph, verb, false);
	mapped = fpg_map_rows(ph);
	if (mapped > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("phase \"%s\" has migrated " UINT64_FORMAT " rows and cannot be %s",
						ph->phase->name, mapped,
						strcmp(verb, "define_phase") == 0 ? "redefined" : "dropped"),
				 errdetail("Its id map and target rows were made by the spec with checksum %s.",
						   ph->phase->checksum),
				 errhint("Roll it back first: SELECT rollback_migration('%s');", ph->phase->name)));
}

/*
 * fpg_map_grants: the GRANTs that give a phase's id map and journal, once
 * made again, the rights their owner gave other roles on the old ones
 * (NULL: none).  Redefining a phase drops and creates its tables, and a
 * dropped table's privileges go with it: the roles it was shared with
 * would lose it unseen.  Names come from the catalog, quoted by regrole
 * and regclass.
 */
static char *
fpg_map_grants(int64 id)
{
	Datum		args[1] = {Int64GetDatum(id)};
	Oid			types[1] = {INT8OID};
	bool		isnull;
	Datum		d;

	if (SPI_execute_with_args("SELECT string_agg(format('GRANT %s ON %s TO %s%s', a.privilege_type, c.oid::regclass, "
							  "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, "
							  "CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END), '; ') "
							  "FROM pg_catalog.pg_class AS c CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a "
							  "WHERE c.oid IN (pg_catalog.to_regclass('ferry.map_' || $1), "
							  "pg_catalog.to_regclass('ferry.journal_' || $1)) AND a.grantee <> c.relowner",
							  1, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "ferry: could not read the privileges of the id map of phase " INT64_FORMAT, id);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * define_phase validates the spec against the live tables before writing
 * anything.  Redefining a phase that has migrated rows is refused until it
 * is rolled back, as Flyway refuses an edited script: the map and the
 * target rows were made by the old spec, and validation and rollback must
 * go on meaning what they meant.
 */
Datum
define_phase(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	Jsonb	   *jb;
	char	   *spec;
	fy_error	err = {0};
	fpg_phase	ph;
	fpg_phase	old;
	bool		exists;
	char	   *grants = NULL;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("spec of phase \"%s\" must not be NULL", name)));
	jb = PG_GETARG_JSONB_P(1);
	spec = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	ph.phase = fy_phase_parse(name, spec, &err);
	if (ph.phase == NULL)
		fpg_raise(&err);

	SPI_connect();
	exists = fpg_load(name, &old, FPG_MISSING_OK | FPG_FOR_UPDATE);
	ph.id = exists ? old.id : 1;	/* placeholder until stored */
	ph.meta = fpg_resolve(ph.phase, ph.id);
	/* every piece of SQL in the spec must plan, named by its column */
	fpg_exec_plan(&ph, fy_plan_probe(ph.phase, ph.meta, FY_POSTGRES, &err), &err);
	if (ph.phase->ndepends > 0)
	{
		fy_depnode *nodes;
		int			n = fpg_phases(&nodes, ph.phase);
		int		   *order = palloc(sizeof(int) * (n + 1));

		if (!fy_dependency_order(nodes, n, order, &err))
			fpg_raise(&err);
	}
	if (exists)
	{
		if (strcmp(old.phase->checksum, ph.phase->checksum) == 0)
		{
			SPI_finish();
			PG_RETURN_VOID();
		}
		fpg_refuse_if_migrated(&old, "define_phase");
		grants = fpg_map_grants(old.id);
		fpg_exec_plan(&old, fy_plan_drop(old.phase, old.meta, FY_POSTGRES, &err), &err);
		{
			Datum		args[3] = {Int64GetDatum(ph.id), CStringGetTextDatum(ph.phase->canonical),
			CStringGetTextDatum(ph.phase->checksum)};
			Oid			types[3] = {INT8OID, TEXTOID, TEXTOID};

			if (SPI_execute_with_args("UPDATE ferry.phases SET spec = $2::jsonb, checksum = $3, "
									  "updated_at = now() WHERE id = $1",
									  3, types, args, NULL, false, 0) != SPI_OK_UPDATE)
				elog(ERROR, "ferry: could not update ferry.phases");
		}
	}
	else
	{
		Datum		args[3] = {CStringGetTextDatum(name), CStringGetTextDatum(ph.phase->canonical),
		CStringGetTextDatum(ph.phase->checksum)};
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
		bool		isnull;

		if (SPI_execute_with_args("INSERT INTO ferry.phases (name, spec, checksum) "
								  "VALUES ($1, $2::jsonb, $3) RETURNING id",
								  3, types, args, NULL, false, 1) != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "ferry: could not write ferry.phases");
		ph.id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		ph.meta->phase_id = ph.id;
	}
	fpg_exec_plan(&ph, fy_plan_define(ph.phase, ph.meta, FY_POSTGRES, &err), &err);
	if (grants != NULL && SPI_execute(grants, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "ferry: could not grant the new id map of phase \"%s\" as the old one was", name);
	SPI_finish();
	PG_RETURN_VOID();
}

/* drop_phase forgets a phase that holds no migrated rows. */
Datum
drop_phase(PG_FUNCTION_ARGS)
{
	char	   *name = fpg_text_arg(fcinfo, 0, "phase name");
	fy_error	err = {0};
	fpg_phase	ph;
	Datum		arg;
	Oid			type = INT8OID;

	SPI_connect();
	fpg_load(name, &ph, FPG_FOR_UPDATE);
	fpg_refuse_if_syncing(&ph, "drop_phase");
	fpg_refuse_if_migrated(&ph, "drop_phase");
	fpg_exec_plan(&ph, fy_plan_drop(ph.phase, ph.meta, FY_POSTGRES, &err), &err);
	arg = Int64GetDatum(ph.id);
	if (SPI_execute_with_args("DELETE FROM ferry.phases WHERE id = $1", 1, &type, &arg,
							  NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "ferry: could not update ferry.phases");
	SPI_finish();
	PG_RETURN_VOID();
}
