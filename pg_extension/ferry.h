/*
 * ferry.h (pg_extension) -- what the PostgreSQL glue files share: turning
 * core errors into ereport, loading a phase from the catalog, resolving its
 * relations into core metadata, and running planned statements with SPI.
 */
#ifndef FERRY_PG_H
#define FERRY_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "portability/instr_time.h"
#include "utils/resowner.h"

#include "../core/ferry.h"

/* A phase as stored in ferry.phases, parsed and resolved. */
typedef struct fpg_phase
{
	int64		id;
	fy_phase   *phase;
	fy_meta    *meta;
} fpg_phase;

extern MemoryContext fpg_core_context(MemoryContext cxt);
extern void fpg_raise(const fy_error *err) pg_attribute_noreturn();
extern char *fpg_text_arg(FunctionCallInfo fcinfo, int argno, const char *what);
extern fy_meta *fpg_resolve(const fy_phase *phase, int64 phase_id);
#define FPG_MISSING_OK	0x01		/* return false for an unknown phase */
#define FPG_RESOLVE		0x02		/* resolve the phase's relations */
#define FPG_FOR_UPDATE	0x04		/* lock the phase's catalog row */
extern bool fpg_load(const char *name, fpg_phase *out, int flags);
#define FPG_LOCK_CLASS 0x66657279	/* "fery": advisory lock class of phases */
extern void fpg_lock(const fpg_phase *ph, const char *operation, bool session);
extern void fpg_unlock(const fpg_phase *ph);
extern uint64 fpg_exec(const fpg_phase *ph, const fy_stmt *stmt);
extern void fpg_exec_plan(const fpg_phase *ph, fy_plan *plan, const fy_error *err);
extern ErrorData *fpg_subxact_error(MemoryContext cxt, ResourceOwner owner);
extern int	fpg_exec_kept(const char *phase, const char *sql, int nargs, Oid *types,
						  Datum *args, int keep);
extern int	fpg_cache_begin(uint64 rows, int *outer);
extern void fpg_cache_end(int outer);
extern uint64 fpg_cache_generation(void);
extern void fpg_cache_watch(Oid relid);
extern int64 fpg_count_value(int col);
extern void fpg_counts(fy_counts *c);
extern int	fpg_phases(fy_depnode **nodes, const fy_phase *replace);
extern uint64 fpg_map_rows(const fpg_phase *ph);
extern int64 fpg_log_start(int64 phase_id, const char *phase, const char *operation);
extern double fpg_log_finish(int64 run_id, uint64 rows, instr_time start);
/* migrate.c, for sync.c */
extern bool fpg_try_fast(const fpg_phase *ph, const fy_stmt *st);
extern int64 fpg_migrate_rows(const fpg_phase *ph, long run_id);
/* sync.c */
extern void fpg_refuse_if_syncing(const fpg_phase *ph, const char *operation);

#endif							/* FERRY_PG_H */
