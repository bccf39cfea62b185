/*
 * plan.h -- the planner's internal fragments, shared by migrate.c,
 * validate.c and rollback.c.  Not part of the engines' API.
 */
#ifndef FERRY_PLAN_H
#define FERRY_PLAN_H

#include "ferry.h"

extern fy_plan *fyp_new(fy_error *err);
extern bool fyp_add(fy_plan *plan, fy_role role, fy_buf *b, fy_error *err);
extern fy_plan *fyp_finish(fy_plan *plan, bool ok);

extern void fyp_target(fy_buf *b, const fy_meta *meta, fy_dialect d);
extern void fyp_map_join_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
								fy_dialect d, const char *join);
extern void fyp_qualified(fy_buf *b, fy_dialect d, const char *schema,
						  const char *name);
extern void fyp_source(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
					   fy_dialect d, const char *alias);
extern void fyp_col(fy_buf *b, fy_dialect d, const char *alias, const char *col);
extern void fyp_map_col(fy_buf *b, fy_dialect d, const char *alias, int i);
extern void fyp_key_join(fy_buf *b, const fy_phase *ph, fy_dialect d,
						 const char *map, const char *src);
extern void fyp_cols_text(fy_buf *b, const char *const *cols, int n,
						  fy_dialect d, const char *src);
extern void fyp_key_text(fy_buf *b, const fy_phase *ph, fy_dialect d,
						 const char *src);
extern void fyp_group_id(fy_buf *b, const fy_phase *ph, fy_dialect d,
						 const char *src);
extern void fyp_new_key(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
						fy_dialect d, const char *src);
extern void fyp_expr(fy_buf *b, const fy_meta *meta, const fy_expr *e, fy_dialect d,
					 const char *src, const fy_colmeta *target);
/* migrate.c: the pending rows of a phase, with their refs resolved */
extern void fyp_refs(const fy_expr *e, const fy_expr **out);
extern void fyp_pending_with_refs(fy_buf *b, const fy_phase *ph,
								  const fy_meta *meta, fy_dialect d,
								  const fy_expr **refs);
extern void fyp_ref_missing(fy_buf *b, const fy_expr *ref, fy_dialect d);
/* the source rows with refs resolved, as a FROM item (fy_release it) */
extern char *fyp_base(const fy_phase *ph, const fy_meta *meta, fy_dialect d,
					  const fy_expr **refs, const fy_keyrange *range,
					  bool pending, const char *groups);
extern void fyp_row_hash(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
						 fy_dialect d, const char *alias);
extern void fyp_key_range(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
						  fy_dialect d, const fy_keyrange *range);
/*
 * plan.c: a column whose value can fail to read, row by row ("parse",
 * "restructure"): its value is NULL then, and fyp_error_call -- why, as
 * text, or NULL -- rejects the row with that reason.
 */
extern bool fyp_can_reject(const fy_expr *e);
extern void fyp_error_call(fy_buf *b, const fy_meta *meta, const fy_expr *e,
						   fy_dialect d, const char *src);

/* preflight.c: the phases it depends on that never ran (an ASSERT) */
extern bool fyp_plan_dependencies(fy_plan *plan, const fy_phase *ph,
								  const fy_meta *meta, fy_dialect d, fy_error *err);

/* migrate.c, for sync.c: a row's values and verdict, and the in-place update */
extern void fyp_values(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
					   fy_dialect d, const fy_expr **refs, const char *base,
					   bool safe);
extern void fyp_reason(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
					   fy_dialect d, const fy_expr **refs, bool notnull, bool safe);
extern void fyp_update_target(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
							  fy_dialect d, const char *alias, bool safe);
/* migrate.c, for sync.c's merged groups: migrate's own writing fragments */
extern void fyp_insert_groups(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
							  fy_dialect d, const char *key, bool safe);
extern void fyp_rejects_insert(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
							   fy_dialect d, long run_id, const char *from);
extern void fyp_map_insert(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
						   fy_dialect d, long run_id, const char *newkey,
						   const char *from, bool hash);
extern bool fyp_dialect_can(const fy_phase *ph, fy_dialect d, fy_error *err);
extern bool fyp_plan_hash(fy_plan *plan, const fy_phase *ph, const fy_meta *meta,
						  fy_dialect d, long run_id, const fy_keyrange *range, fy_error *err);
extern bool fyp_my_recompute(fy_plan *plan, const fy_phase *ph,
							 const fy_meta *meta, fy_dialect d,
							 const fy_expr **refs, const char *members,
							 fy_error *err);
extern void fyp_groups(fy_buf *b, const fy_phase *ph, fy_dialect d,
					   const char *from, const char *by);
extern void fyp_update_cand(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
							fy_dialect d, const fy_expr **refs, const char *base,
							bool safe);

/*
 * Check statements (preflight, validation): each is one row (failures,
 * sample) over an inner SELECT of the failing rows as (ferry_k,
 * ferry_o_1..nord); the sample is the first FYP_SAMPLE keys in order.
 */
#define FYP_SAMPLE 10
extern void fyp_sample_keys(fy_buf *b, const fy_phase *ph, fy_dialect d);
extern bool fyp_add_check(fy_plan *plan, fy_buf *inner, int nord, fy_dialect d,
						  const char *check, const char *severity,
						  const char *label, const char *finding, fy_error *err);
extern bool fyp_add_check_worded(fy_plan *plan, fy_buf *inner, int nord,
								 fy_dialect d, const char *check,
								 const char *severity, const char *label,
								 fy_buf *finding, fy_error *err);

/* migrate.c, for rollback.c and sync.c: an update phase's before-images put back */
extern void fyp_restore_from(fy_buf *b, const fy_phase *ph, const fy_meta *meta,
							 fy_dialect d);

extern bool fyp_plan_clear_rejects(fy_plan *plan, const fy_meta *meta,
								   fy_dialect d, fy_error *err);
extern bool fyp_plan_count(fy_plan *plan, const fy_phase *ph,
						   const fy_meta *meta, fy_dialect d, long run_id,
						   fy_error *err);

#endif							/* FERRY_PLAN_H */
