/*
 * ferry.h -- the engine-neutral core of ferry.
 *
 * Nothing here includes a database header.  The engine glue (PostgreSQL
 * extension, MariaDB plugin) parses a phase spec with fy_phase_parse(),
 * describes the source and target relations in an fy_meta, and asks the
 * planner for the SQL statements of an operation in its dialect.  Both
 * engines run the same planner, so a phase gives the same accounting on
 * both.
 *
 * Memory: every allocation goes through the hooks installed by
 * fy_set_allocator() (palloc on PostgreSQL, malloc on MariaDB), including
 * cJSON's.  Objects that own memory (fy_phase, fy_meta, fy_plan) keep it in
 * an arena released by their *_free() function.
 */
#ifndef FERRY_CORE_H
#define FERRY_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FERRY_VERSION "0.1"

/* ---------------------------------------------------------------- errors */

typedef enum fy_errcode
{
	FY_OK = 0,
	FY_ERR_INVALID_JSON,		/* 22P02 */
	FY_ERR_INVALID_SPEC,		/* 22023 */
	FY_ERR_NULL_ARGUMENT,		/* 22004 */
	FY_ERR_UNDEFINED_TABLE,		/* 42P01 */
	FY_ERR_UNDEFINED_COLUMN,	/* 42703 */
	FY_ERR_UNDEFINED_PHASE,		/* 42704 */
	FY_ERR_NOT_SUPPORTED,		/* 0A000 */
	FY_ERR_PHASE_STATE,			/* 55000 object not in prerequisite state */
	FY_ERR_FOREIGN_KEY,			/* 23503 a ref finds no row */
	FY_ERR_ACCOUNTING,			/* XX001-like: the books do not balance */
	FY_ERR_OUT_OF_MEMORY,		/* 53200 */
	FY_ERR_INTERNAL				/* XX000 */
} fy_errcode;

typedef struct fy_error
{
	fy_errcode	code;
	char		message[512];
	char		detail[512];
	char		hint[512];
} fy_error;

/* fy_sqlstate gives the five-character SQLSTATE both engines report. */
extern const char *fy_sqlstate(fy_errcode code);
extern bool fy_fail(fy_error *err, fy_errcode code, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
extern void fy_detail(fy_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void fy_hint(fy_error *err, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
/* fy_error_json renders an error as {"error": {...}} for the MariaDB side. */
extern char *fy_error_json(const fy_error *err);

/* ---------------------------------------------------------------- memory */

typedef struct fy_allocator
{
	void	   *(*alloc) (size_t size);
	void		(*release) (void *ptr);
} fy_allocator;

extern void fy_set_allocator(const fy_allocator *a);
extern void *fy_alloc(size_t size);
extern void fy_release(void *ptr);

typedef struct fy_arena fy_arena;
extern fy_arena *fy_arena_new(void);
extern void *fy_arena_alloc(fy_arena *arena, size_t size);
extern char *fy_arena_strdup(fy_arena *arena, const char *s);
extern void fy_arena_free(fy_arena *arena);

/* ------------------------------------------------------- SQL text builder */

typedef enum fy_dialect
{
	FY_POSTGRES,
	FY_MARIADB
} fy_dialect;

extern bool fy_dialect_parse(const char *name, fy_dialect *out);

typedef struct fy_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		oom;
} fy_buf;

extern void fy_buf_init(fy_buf *b);
extern void fy_buf_add(fy_buf *b, const char *s);
extern void fy_buf_addn(fy_buf *b, const char *s, size_t n);
extern void fy_buf_addf(fy_buf *b, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void fy_buf_ident(fy_buf *b, fy_dialect d, const char *ident);
extern void fy_buf_literal(fy_buf *b, fy_dialect d, const char *s);
extern void fy_buf_free(fy_buf *b);

/* -------------------------------------------------------- relation names */

/*
 * A relation name in a spec: "table", "schema.table", or with SQL-style
 * double quotes around a part that contains a dot or a quote
 * ("\"Order Items\"" or "\"my.schema\".t").  Names are exact: no case
 * folding on either engine.  schema is NULL when not given.
 */
typedef struct fy_relname
{
	const char *schema;
	const char *name;
} fy_relname;

extern bool fy_relname_parse(fy_arena *arena, const char *text,
							 fy_relname *out, fy_error *err);

/* ------------------------------------------------------------------ spec */

typedef enum fy_keygen
{
	FY_KEY_UUID_V5,				/* deterministic from phase + legacy key */
	FY_KEY_UUID_V4,
	FY_KEY_UUID_V7,
	FY_KEY_KEEP,				/* the legacy key is the new key */
	FY_KEY_DEFAULT				/* the target column's default (serial, */
								/* identity, any default expression) */
} fy_keygen;

typedef enum fy_exprkind
{
	FY_EXPR_COLUMN,				/* a source column, by name */
	FY_EXPR_SQL,				/* an SQL expression over the source row */
	FY_EXPR_CONST,				/* a JSON scalar */
	FY_EXPR_JSON,				/* an object built from members */
	FY_EXPR_MAP,				/* value mapping with a default */
	FY_EXPR_REF,				/* a key rebuilt through another phase's map */
	FY_EXPR_CONVERT,			/* a built-in conversion with an exact inverse */
	FY_EXPR_RESTRUCTURE,		/* json_restructure of a JSON value */
	FY_EXPR_PARSE				/* legacy_to_json of a text value */
} fy_exprkind;

/* The built-in conversions of a column ("convert"), in inverse pairs. */
typedef enum fy_convert
{
	FY_CONV_EPOCH_TO_TIMESTAMP,
	FY_CONV_TIMESTAMP_TO_EPOCH,
	FY_CONV_CENTS_TO_DECIMAL,
	FY_CONV_DECIMAL_TO_CENTS,
	FY_CONV_FLAG_TO_DELETED_AT,
	FY_CONV_DELETED_AT_TO_FLAG,
	FY_CONV_KEYS_TO_SNAKE,
	FY_CONV_KEYS_TO_PASCAL,
	FY_CONV_KEYS_TO_CAMEL
} fy_convert;

extern bool fy_convert_parse(const char *name, fy_convert *out);
extern const char *fy_convert_name(fy_convert c);
/* fy_convert_inverse: the conversion that undoes c (keys: to PascalCase). */
extern fy_convert fy_convert_inverse(fy_convert c);

/* What a ref does with a source value that the referenced phase never mapped. */
typedef enum fy_on_missing
{
	FY_MISSING_REJECT,			/* quarantine the row in migration_rejects */
	FY_MISSING_NULL,			/* migrate it with NULL there */
	FY_MISSING_ERROR			/* refuse the whole run, before any write */
} fy_on_missing;

typedef struct fy_expr fy_expr;

typedef struct fy_member
{
	const char *key;
	fy_expr    *value;
} fy_member;

typedef struct fy_mapping
{
	const char *from;			/* source value, as text */
	const void *to;				/* cJSON scalar */
} fy_mapping;

struct fy_expr
{
	fy_exprkind kind;
	const char *text;			/* COLUMN: name; SQL: expression; REF: the */
								/* target column it fills; RESTRUCTURE: */
								/* the operations (JSON text); PARSE: */
								/* the legacy format */
	const void *value;			/* CONST: cJSON scalar; MAP: default or NULL */
	fy_expr    *from;			/* MAP: the mapped expression */
	fy_member  *members;		/* JSON */
	int			nmembers;
	fy_mapping *mappings;		/* MAP */
	int			nmappings;
	const char *ref;			/* REF: the referenced phase */
	const char **ref_cols;		/* REF: source columns holding its legacy key */
	int			nref_cols;
	fy_on_missing on_missing;	/* REF */
	int			ref_index;		/* REF: 1-based, in column order */
	fy_convert	convert;		/* CONVERT (from: the value converted; */
	const char *at;				/* flag_to_deleted_at: the time column) */
};

/* How a merged group of source rows makes one value (merge_on phases). */
typedef enum fy_merge
{
	FY_MERGE_NONE,				/* the same in every row: a merge_on column, a const */
	FY_MERGE_MIN,
	FY_MERGE_MAX,
	FY_MERGE_FIRST,				/* in merge_order */
	FY_MERGE_LAST,
	FY_MERGE_FIRST_NON_NULL,
	FY_MERGE_SUM,
	FY_MERGE_COUNT,
	FY_MERGE_OBJECT_AGG			/* {key: value, ...} over the group's rows */
} fy_merge;

typedef struct fy_column
{
	const char *target;
	fy_expr    *expr;
	fy_merge	merge;
	const char *merge_key;		/* OBJECT_AGG: the source column of the keys */
} fy_column;

/* A column set whose values must be unique in the target ("unique"). */
typedef struct fy_colset
{
	const char **cols;
	int			ncols;
} fy_colset;

/*
 * A declared aggregate equality ("aggregates"): source over the migrated
 * source rows equals target over the phase's target rows, per group when
 * per_source / per_target are given (seed 003: sum(quantity) per item).
 */
typedef struct fy_aggregate
{
	const char *name;
	const char *source;
	const char *target;
	const char *per_source;
	const char *per_target;
} fy_aggregate;

/* A custom check ("checks"): SQL that must be true. */
typedef struct fy_custom_check
{
	const char *name;
	const char *sql;
} fy_custom_check;

/* What sync does to the target row of a deleted source row ("on_source_delete"). */
typedef enum fy_on_delete
{
	FY_DELETE_DELETE,			/* delete the target row and its map entry */
	FY_DELETE_SOFT,				/* set the target's deleted column to the time */
	FY_DELETE_KEEP				/* leave the target row as it is */
} fy_on_delete;

typedef struct fy_phase
{
	fy_arena   *arena;
	void	   *doc;			/* the parsed cJSON document */
	const char *name;
	const char *checksum;		/* hex SHA-1 of the canonical spec */
	const char *canonical;		/* the spec with keys sorted, compact */
	fy_relname	source;			/* source.name is NULL for a query source */
	const char *source_query;
	const char **source_key;
	int			nkeys;
	fy_relname	target;
	const char *target_key;
	fy_keygen	keygen;
	const char *legacy_column;
	fy_column  *columns;
	int			ncolumns;
	const char *where;
	const char **depends_on;	/* declared plus implied by refs, no repeats */
	int			ndepends;
	int			nrefs;			/* REF columns, numbered 1..nrefs */
	const char **merge_on;		/* source columns; rows equal on all merge */
	int			nmerge_on;		/* into one target row (none NULL) */
	const char *merge_order;	/* ORDER BY list over the source row */
	bool		update;			/* kind "update": set columns of existing */
								/* target rows, journaling before-images */
	bool		abort_on_error;	/* on_error "abort": a value that does not */
								/* fit its column fails the run, no rejects */
	const char **required;		/* target columns that must not be NULL */
	int			nrequired;
	fy_colset  *unique;			/* target column sets that must be unique */
	int			nunique;
	fy_aggregate *aggregates;
	int			naggregates;
	fy_custom_check *checks;
	int			nchecks;
	fy_on_delete on_source_delete;	/* sync: a deleted source row's target row */
	const char *deleted_column;	/* FY_DELETE_SOFT: the target column it sets */
} fy_phase;

/*
 * The most names a spec's list may hold (columns, source_key, depends_on,
 * merge_on, ...): MariaDB's limit on a table's columns (PostgreSQL's is
 * 1600), so no runnable spec is refused.
 */
#define FY_MAX_COLUMNS 4096
/*
 * The most entries of a "map": each becomes an arm of a CASE, and 300,000
 * of them kept a PostgreSQL backend compiling one statement for minutes.
 */
#define FY_MAX_MAPPINGS 4096

/*
 * fy_phase_parse validates a spec and returns the typed phase, or NULL with
 * err naming the offending field.  The phase name is validated too.
 */
extern fy_phase *fy_phase_parse(const char *name, const char *spec,
								fy_error *err);
extern void fy_phase_free(fy_phase *phase);

/*
 * fy_phase_summary_json: what an engine needs to resolve metadata, as
 * {"name", "checksum", "spec" (canonical), "source": {"schema", "name"} or
 * null, "source_query": text or null, "target": {"schema", "name"},
 * "target_key", "nkeys" (source key columns), "depends_on": [names]}.
 */
extern char *fy_phase_summary_json(const fy_phase *phase);

/* ------------------------------------------------------------- metadata */

typedef struct fy_colmeta
{
	const char *name;
	const char *type;			/* the engine's own spelling, e.g. "bigint" */
	const char *cast_type;		/* for CAST: type without a modifier that an
								 * explicit cast would truncate to; NULL: type */
	bool		notnull;
	bool		hasdefault;
} fy_colmeta;

typedef struct fy_relmeta
{
	const char *schema;			/* resolved; NULL for a query source */
	const char *name;
	fy_colmeta *cols;
	int			ncols;
} fy_relmeta;

/*
 * What the engine resolved for a phase: the source and target columns, the
 * schema holding the catalog and the phase's map table, and the schema
 * holding ferry's SQL functions (PostgreSQL; NULL on MariaDB, where UDFs
 * are global).
 */
typedef struct fy_refmeta
{
	const char *phase;			/* a phase that REF columns point into */
	long		phase_id;
	int			nkeys;			/* its source key's column count */
	const char *target_schema;	/* its target table and key column, for */
	const char *target_name;	/* validating references (NULL: unknown) */
	const char *target_key;
} fy_refmeta;

typedef struct fy_meta
{
	fy_arena   *arena;
	fy_relmeta	source;
	fy_relmeta	target;
	const char *catalog_schema;
	const char *map_schema;		/* the id maps' and journals', when not */
								/* catalog_schema's (MariaDB: tables of */
								/* ferry_catalog granted to their users) */
	const char *func_schema;
	long		phase_id;
	const char *key_default;	/* the target key's default, as SQL (for */
								/* "generate": "default"); on MariaDB */
								/* "AUTO_INCREMENT": the INSERT draws it */
	fy_refmeta *refs;			/* one per phase in fy_phase.depends_on that */
	int			nrefs;			/* a REF column names */
	struct fy_unique *uniques;	/* the target's unique indexes, for */
	int			nuniques;		/* preflight (fy_meta_add_unique) */
	bool		text_hash;		/* PostgreSQL: the extension's SQL objects */
								/* are still 0.1's (a new library before */
								/* ALTER EXTENSION UPDATE): hash rows as */
								/* 0.1 did, which the update carries over */
} fy_meta;

extern fy_meta *fy_meta_new(void);
extern fy_colmeta *fy_meta_add_column(fy_meta *meta, fy_relmeta *rel,
									  const char *name, const char *type,
									  bool notnull, bool hasdefault);
/*
 * fy_meta_parse reads metadata given as JSON:
 * {"catalog_schema": "ferry", "phase_id": 3,
 *  "source": {"schema": "db", "name": "t", "columns": [{"name": "id",
 *             "type": "bigint", "notnull": true, "hasdefault": false}]},
 *  "target": {...},
 *  "refs": [{"phase": "wedding_data", "phase_id": 1, "nkeys": 1,
 *            "target_schema": "db", "target_name": "events",
 *            "target_key": "id"}],   (the target_* optional)
 *  "key_default": "AUTO_INCREMENT",   (optional)
 *  "map_schema": "ferry_catalog"}     (optional: the id maps' schema)
 */
extern fy_meta *fy_meta_parse(const char *json, fy_error *err);
extern bool fy_meta_add_ref(fy_meta *meta, const char *phase, long phase_id,
							int nkeys);
extern const fy_refmeta *fy_meta_ref(const fy_meta *meta, const char *phase);
extern void fy_meta_free(fy_meta *meta);
extern const fy_colmeta *fy_meta_column(const fy_relmeta *rel,
										const char *name);
extern const char *fy_cast_type(const fy_colmeta *c);

/* --------------------------------------------------------------- planner */

typedef enum fy_role
{
	FY_ROLE_DDL,				/* creates or drops catalog objects */
	FY_ROLE_MAP,				/* fills the id map; its row count = migrated */
	FY_ROLE_INSERT,				/* writes target rows */
	FY_ROLE_COUNT,				/* one row of counts */
	FY_ROLE_DELETE_TARGET,		/* removes target rows */
	FY_ROLE_DELETE_MAP,			/* empties the id map */
	FY_ROLE_CLEAR_REJECTS,		/* forgets the rejects of earlier runs */
	FY_ROLE_REJECT,				/* quarantines the rows a run cannot migrate */
	FY_ROLE_UPDATE,				/* recomputes target rows (merge groups) */
	FY_ROLE_ASSERT,				/* one row (failures, sample): refuse if > 0 */
	FY_ROLE_MIGRATE,			/* maps, rejects and writes in one statement; */
								/* one row (mapped, written, rejected) */
	FY_ROLE_RESTORE,			/* puts journaled before-images back */
	FY_ROLE_PROBE,				/* plans a user's SQL, reads no row */
	FY_ROLE_HASH				/* keeps the content hash of the rows a run */
								/* wrote in their map entries (MariaDB) */
} fy_role;

typedef struct fy_stmt
{
	fy_role		role;
	const char *sql;
	const char *label;			/* ASSERT: the target column it checks */
	/* preflight (fy_plan_preflight): the check a statement belongs to, how */
	/* grave a finding is ("WARN" or "ERROR"), and what a finding means, */
	/* worded after its count (fy_preflight_finding); label then names the */
	/* column or unique index looked at, or is NULL */
	const char *check;
	const char *severity;
	const char *finding;
} fy_stmt;

typedef struct fy_plan
{
	fy_arena   *arena;
	fy_stmt    *stmts;
	int			nstmts;
	int			cap;
} fy_plan;

extern const char *fy_role_name(fy_role role);

/*
 * fy_plan_check matches a phase against the resolved metadata: every
 * column it names exists, the key columns are usable.  Every fy_plan_*
 * function calls it first, so no statement is planned for a bad phase.
 */
extern bool fy_plan_check(const fy_phase *phase, const fy_meta *meta,
						  fy_error *err);

/*
 * fy_plan_probe: one PROBE statement per piece of SQL the spec carries (a
 * "sql" column, the where, merge_order), each over the source with LIMIT 0,
 * labelled with where it comes from, so that define_phase reports an SQL
 * mistake by the phase and column before anything is stored.
 */
extern fy_plan *fy_plan_probe(const fy_phase *phase, const fy_meta *meta,
							  fy_dialect d, fy_error *err);

/* The id map table: created by define_phase, dropped by drop_phase. */
extern fy_plan *fy_plan_define(const fy_phase *phase, const fy_meta *meta,
							   fy_dialect d, fy_error *err);
extern fy_plan *fy_plan_drop(const fy_phase *phase, const fy_meta *meta,
							 fy_dialect d, fy_error *err);

/*
 * fy_plan_migrate: a MAP statement that maps every unmapped source row
 * passing the phase's where (tagging the map rows with run_id), an INSERT
 * of the target rows of this run, and the accounting COUNT statement.
 */
extern fy_plan *fy_plan_migrate(const fy_phase *phase, const fy_meta *meta,
								fy_dialect d, long run_id, fy_error *err);

/*
 * A slice of the source key, for batched runs: lo < key <= hi in the key's
 * order (row comparison for composite keys), values as text; lo NULL means
 * from the first key, hi NULL up to the last.  nulls selects instead the
 * rows whose key has a NULL part, which no range contains.
 */
typedef struct fy_keyrange
{
	const char *const *lo;
	const char *const *hi;
	bool		nulls;
	const char *row;			/* MariaDB sync: a trigger's row (NEW, OLD); */
								/* the slice is that row's key alone */
} fy_keyrange;

/*
 * fy_keyrange_parse reads a slice given as JSON (MariaDB's procedures keep
 * the bounds of a batched run as JSON): {"lo": [...] | null, "hi": [...] |
 * null, "nulls": bool}, each bound an array of nkeys strings.  Released
 * with fy_keyrange_free.
 */
extern fy_keyrange *fy_keyrange_parse(const char *json, int nkeys, fy_error *err);
extern void fy_keyrange_free(fy_keyrange *range);

/*
 * fy_plan_migrate_range: fy_plan_migrate over the rows of one slice (NULL:
 * all).  safe (PostgreSQL) also rejects every value its target column's
 * type will not take (ferry.value_fits, a subtransaction per value): the
 * glue runs the fast plan first and falls back to the safe one when the
 * fast one fails with a data exception.
 */
extern fy_plan *fy_plan_migrate_range(const fy_phase *phase,
									  const fy_meta *meta, fy_dialect d,
									  long run_id, const fy_keyrange *range,
									  bool safe, fy_error *err);

typedef enum fy_scan
{
	FY_SCAN_LAST,				/* the largest key in the range */
	FY_SCAN_NTH,				/* the n-th key (1-based) of the range */
	FY_SCAN_COUNT				/* how many source rows the range holds */
} fy_scan;

/*
 * fy_plan_keyscan: one COUNT-role statement over the source keys, for
 * paging a batched run by its key (keyset pagination: every batch is an
 * index range scan, never an OFFSET over rows already done).
 */
extern fy_plan *fy_plan_keyscan(const fy_phase *phase, const fy_meta *meta,
								fy_dialect d, const fy_keyrange *range,
								fy_scan scan, long n, fy_error *err);

/*
 * fy_plan_accounting: one COUNT statement returning, in this order,
 * source_rows, migrated (source rows with a map entry), merged (of those,
 * the ones sharing a target row with an earlier one), filtered
 * (unmapped rows the where excludes), this_run (map entries of run_id;
 * 0 when run_id is 0), rejected (the phase's rows in migration_rejects),
 * orphans (map entries whose source row is gone).
 */
extern fy_plan *fy_plan_accounting(const fy_phase *phase, const fy_meta *meta,
								   fy_dialect d, long run_id, fy_error *err);

/* fy_plan_rollback: delete the mapped target rows, then empty the map. */
extern fy_plan *fy_plan_rollback(const fy_phase *phase, const fy_meta *meta,
								 fy_dialect d, fy_error *err);

/*
 * One verdict of validate_migration_integrity.  The core words every
 * verdict, so both engines report the same checks in the same words.
 */
typedef struct fy_check
{
	const char *name;
	const char *status;			/* "PASS", "WARN" or "FAIL" */
	char		details[256];
} fy_check;

#define FY_ACCOUNTING_CHECKS 2

/* The numbers of fy_plan_accounting's COUNT statement. */
typedef struct fy_counts
{
	int64_t		source_rows;
	int64_t		migrated;		/* source rows with a map entry */
	int64_t		merged;			/* of those, merged into another's row */
	int64_t		filtered;
	int64_t		this_run;
	int64_t		orphans;
	int64_t		rejected;
} fy_counts;

/*
 * fy_accounting_checks turns the counts into the row_accounting and
 * source_rows_gone verdicts; returns how many.
 */
extern int	fy_accounting_checks(const char *phase, const fy_counts *c,
								 fy_check *out);

/* fy_dependency_order: a phase and the phases it depends on (by name). */
typedef struct fy_depnode
{
	const char *name;
	const char **deps;
	int			ndeps;
} fy_depnode;

/*
 * fy_dependency_order writes into order[] the indexes of nodes so that every
 * phase comes after the phases it depends on (ties keep the given order),
 * or fails naming a cycle (a -> b -> a) or a dependency on an unknown phase.
 */
extern bool fy_dependency_order(const fy_depnode *nodes, int n, int *order,
								fy_error *err);
/*
 * fy_plan_validate: the checks beyond the accounting, one ASSERT-shaped
 * statement each (failures, sample), labelled: rejected_rows,
 * target_rows_present, legacy_keys_once, references, required, unique,
 * aggregates, content_roundtrip, content_unchanged (PostgreSQL), checks.
 */
extern fy_plan *fy_plan_validate(const fy_phase *phase, const fy_meta *meta,
								 fy_dialect d, fy_error *err);
/*
 * fy_assert_verdict: false, with the error to raise, when a run's guard
 * statement (severity ERROR: dependencies, an "on_missing": "error" ref)
 * found rows; true for any other statement.
 */
extern bool fy_assert_verdict(const char *phase, const fy_stmt *st,
							  int64_t failures, const char *sample,
							  fy_error *err);
extern void fy_validate_verdict(const fy_stmt *st, int64_t failures,
								fy_check *out);
extern char *fy_verdict_json(const char *phase, const fy_stmt *st,
							 int64_t failures, const char *sample);
/*
 * fy_plan_drift: the content_unchanged check alone (empty where the
 * dialect keeps no hashes): the drift guard of rollback_migration.
 */
extern fy_plan *fy_plan_drift(const fy_phase *phase, const fy_meta *meta,
							  fy_dialect d, fy_error *err);
/*
 * fy_plan_map_bulk: for a run that starts with an empty id map, what runs
 * before its writes (after = false: drop the map's new_key index) and after
 * them (rebuild it, gather the map's statistics); empty on MariaDB.
 */
extern fy_plan *fy_plan_map_bulk(const fy_phase *phase, const fy_meta *meta,
								 fy_dialect d, bool after, fy_error *err);
/*
 * fy_plan_rehash: the content hashes of a map written by ferry 0.1 (hashes
 * of the row's text) turned into the current ones where the target row
 * still matches (empty where the dialect keeps no hashes).
 */
extern fy_plan *fy_plan_rehash(const fy_phase *phase, const fy_meta *meta,
							   fy_dialect d, fy_error *err);

/* [{"phase", "check_name", "status", "details"}, ...] */
extern char *fy_checks_json(const char *phase, const fy_check *checks, int n);

/* {"statements": [{"role": "map", "sql": "..."}, ...]} */
extern char *fy_plan_json(const fy_plan *plan);
extern void fy_plan_free(fy_plan *plan);

/* The map table's name inside the map schema (the catalog's unless meta has one): "map_<phase_id>". */
extern void fy_buf_map_table(fy_buf *b, const fy_meta *meta, fy_dialect d);
/* An update phase's journal of before-images, beside the map: "journal_<phase_id>". */
extern void fy_buf_journal_table(fy_buf *b, const fy_meta *meta, fy_dialect d);

/* ------------------------------------------------------------- preflight */

/*
 * A unique index of the target, on plain columns, without a predicate: the
 * preflight uniqueness check looks at those whose every column the spec
 * fills.  fy_meta_add_unique copies name and columns into meta's arena.
 */
typedef struct fy_unique
{
	const char *name;
	const char **cols;
	int			ncols;
} fy_unique;

extern bool fy_meta_add_unique(fy_meta *meta, const char *name,
							   const char *const *cols, int ncols);

/*
 * fy_plan_preflight: what would go wrong, before any write.  Each statement
 * is read-only, has the ASSERT role and returns one row (failures, sample):
 * how many pending rows (or keys, or phases) a check finds and up to 10 of
 * their legacy keys, comma separated.  A check with nothing to look at
 * plans no statement.  fy_preflight_checks lists the checks of a dialect in
 * report order ("relations" is the engine's own: whether the phase's
 * relations resolve; "casts" is PostgreSQL-only) and returns how many.
 */
#define FY_PREFLIGHT_MAX_CHECKS 8
extern int	fy_preflight_checks(fy_dialect d, const char **names);
/*
 * fy_plan_dependencies: one ASSERT statement (failures, sample) naming the
 * phases this one depends on that have no completed migrate run; empty
 * when it depends on none.  migrate_phase refuses to run while it finds
 * any, preflight reports them.
 */
extern fy_plan *fy_plan_dependencies(const fy_phase *phase, const fy_meta *meta,
									 fy_dialect d, fy_error *err);
extern fy_plan *fy_plan_preflight(const fy_phase *phase, const fy_meta *meta,
								  fy_dialect d, fy_error *err);
/* Verdicts, status "OK", "WARN" or "ERROR", worded once for both engines. */
extern void fy_preflight_ok(const char *check, fy_check *out);
extern void fy_preflight_finding(const fy_stmt *st, int64_t failures,
								 fy_check *out);
/* a check that failed to run (message: the engine's error), or could not */
/* run because the phase's relations do not resolve (message NULL) */
extern void fy_preflight_failed(const char *check, const char *message,
								fy_check *out);

/*
 * fy_preflight_report words a whole preflight report, in the order of
 * fy_preflight_checks, for both engines: when relations_error is set (the
 * phase's relations do not resolve), that as the relations ERROR and every
 * other check as not checked; otherwise relations OK, then per check a row
 * for each of its statements that failed to run (errors[i], the engine's
 * message) or found rows (failures[i], samples[i]), or one OK row.  emit
 * gets each row; rows is meaningful when has_rows.
 */
typedef void (*fy_preflight_emit) (void *ctx, const fy_check *c, bool has_rows,
								   int64_t rows, const char *sample);
extern void fy_preflight_report(fy_dialect d, const fy_plan *plan,
								const int64_t *failures,
								const char *const *samples,
								const char *const *errors,
								const char *relations_error,
								fy_preflight_emit emit, void *ctx);

/* ------------------------------------------------------------------ json */

typedef enum fy_case
{
	FY_CASE_SNAKE,				/* order_id */
	FY_CASE_PASCAL,				/* OrderId */
	FY_CASE_CAMEL				/* orderId */
} fy_case;

extern bool fy_case_parse(const char *name, fy_case *out);
extern void fy_key_case(fy_buf *b, const char *key, fy_case style);
/*
 * fy_json_parse / fy_json_print: a cJSON document from JSON text and back,
 * every number kept as written (cJSON alone keeps a double: digits beyond
 * its precision would be lost).  NULL when the text is not JSON.
 */
extern void *fy_json_parse(const char *text);
/*
 * fy_json_keep_numbers does the same for a document cJSON already read from
 * text (up to end): false when out of memory.
 */
extern bool fy_json_keep_numbers(void *root, const char *text, const char *end);
extern char *fy_json_print(void *doc);
/* fy_json_keys_case: every key of a cJSON document, in place. */
extern bool fy_json_keys_case(void *doc, fy_case style, fy_error *err);

/*
 * json_restructure: a spec is a JSON array of operations applied in order,
 * each {"op": ...}: rename, nest / unnest, flatten / unflatten, pick, drop,
 * cast, map_values, default, split, join, key_case.  Paths are dot
 * separated.  Both return JSON text to fy_release, or NULL with err naming
 * the operation's index.
 */
extern char *fy_json_restructure(const char *doc, const char *spec, fy_error *err);
/* the same in two steps: a spec read and checked once, applied to many documents */
extern void *fy_restructure_prepare(const char *spec, fy_error *err);
extern char *fy_restructure_apply(const void *prepared, const char *doc, fy_error *err);
/* ... on a cJSON document in place (numbers carrying their text as fy_json_parse leaves them) */
extern bool fy_restructure_apply_tree(const void *prepared, void *doc, fy_error *err);
extern void fy_restructure_free(void *prepared);
extern char *fy_json_restructure_inverse(const char *spec, fy_error *err);
/* fy_restructure_check: every operation of a spec is one json_restructure knows. */
extern bool fy_restructure_check(const void *spec, fy_error *err);

/* -------------------------------------------------------- legacy formats */

/*
 * fy_legacy_to_json reads a value stored in a legacy text format (len
 * bytes, no NUL needed) and returns it as compact JSON text to fy_release,
 * or NULL with err giving the reason and the byte offset, counted from 0
 * ("php: expected ':' at byte 17", FY_ERR_INVALID_JSON).  format: "json"
 * (lenient: trailing commas, single quotes, comments), "php" (serialize()
 * output), "query" (URL-encoded, PHP brackets), "kv" (a=1;b=2) or
 * "kv:<pair separator>:<key separator>"; anything else is
 * FY_ERR_INVALID_SPEC.  The header of core/legacy.c defines each format.
 */
extern char *fy_legacy_to_json(const char *text, size_t len,
							   const char *format, fy_error *err);

/* ------------------------------------------------------------------ sync */

/*
 * Live sync: statement-level AFTER triggers on a phase's source table keep
 * its target current while the application still writes to the legacy
 * table.  Each firing sees the statement's rows as transition tables.
 */
typedef enum fy_sync_event
{
	FY_SYNC_INSERT,
	FY_SYNC_UPDATE,
	FY_SYNC_DELETE
} fy_sync_event;

/* fy_sync_check: whether a phase can be synced (a table source, an insert phase). */
extern bool fy_sync_check(const fy_phase *phase, fy_error *err);

/*
 * fy_meta_rows: meta with the relation rows (a transition table, by name)
 * standing in for the source, for the migrate planner: the rows a
 * statement added are migrated exactly as migrate_phase migrates rows.
 * Shares meta's arena.
 */
extern fy_meta fy_meta_rows(const fy_meta *meta, const char *rows);

/*
 * fy_plan_sync: what one firing runs besides that migrate, over the
 * transition tables new_rows / old_rows (NULL when the event has none):
 * CLEAR_REJECTS forgets the rejects of the statement's keys (they are
 * judged again); for UPDATE (and INSERT when deletes do not delete) one
 * MIGRATE-role statement recomputes the mapped rows in place (refreshing
 * the map's row_hash) and takes the rows that left the phase (key changed,
 * where no longer true, rejected now) out by on_source_delete, one row
 * (removed, unmapped, updated); for DELETE one DELETE_TARGET statement
 * does that for the deleted rows.  Then, for INSERT and UPDATE, the glue
 * migrates new_rows (fy_meta_rows): rows now unmapped are judged as
 * migrate_phase judges them.  A merge_on phase instead gets one
 * MIGRATE-role statement for every event that recomputes the groups the
 * statement touched and maps, moves, quarantines or takes out its keys
 * (run_id marks the entries it maps); the glue migrates nothing after it.
 * safe: see fy_plan_migrate_range.
 */
extern fy_plan *fy_plan_sync(const fy_phase *phase, const fy_meta *meta,
							 fy_dialect d, fy_sync_event ev,
							 const char *new_rows, const char *old_rows,
							 long run_id, bool safe, fy_error *err);

/*
 * On MariaDB (no statement-level triggers, no dynamic SQL in a trigger)
 * fy_plan_sync plans the static body of one per-row trigger (new_rows and
 * old_rows name its rows: NEW, OLD): a refused ref raises first, the key's
 * rejects are forgotten, an old key that left the phase follows
 * on_source_delete, a mapped row is recomputed in place and an unmapped
 * one migrated by migrate's own statements narrowed to the row's key.
 * fy_plan_sync_triggers wraps the three bodies into DDL for the source:
 * DROP TRIGGER IF EXISTS and CREATE TRIGGER ferry_sync_<phase id>_<event>
 * AFTER INSERT | UPDATE | DELETE ... FOR EACH ROW, each body ending by
 * setting the phase's last_synced_at.  run_id is the sync's log row, which
 * the rows it maps and rejects carry.  merge_on and update phases are
 * refused (0A000).
 */
extern fy_plan *fy_plan_sync_triggers(const fy_phase *phase, const fy_meta *meta,
									  long run_id, fy_error *err);

/*
 * fy_plan_compat_view: CREATE VIEW view (a relation name as in a spec) with
 * the source's columns, in its order and types, over the phase's target
 * rows (those its map names), each computed back through the inverse of
 * the spec: keys from the map, plain columns, map (a reversed CASE), json
 * members, ref (the referenced phase's map), convert and restructure (their
 * inverses).  A column nothing computes back is NULL.  Then a COMMENT per
 * column saying where it comes from (on MariaDB a PROBE-role SELECT of the
 * column's name and that text); the one of a NULL column has check
 * "left_out", label the column and finding the reason.  On MariaDB the
 * view's columns keep the types their expressions give (its CAST knows few
 * types).
 */
extern fy_plan *fy_plan_compat_view(const fy_phase *phase, const fy_meta *meta,
									fy_dialect d, const char *view,
									fy_error *err);

/* ------------------------------------------------------------------ uuid */

typedef struct fy_uuid
{
	uint8_t		b[16];
} fy_uuid;

extern bool fy_uuid_parse(const char *text, fy_uuid *out);
extern void fy_uuid_format(const fy_uuid *u, char out[37]);
extern void fy_uuid_v5(const fy_uuid *ns, const char *name, size_t len,
					   fy_uuid *out);
extern bool fy_uuid_v4(fy_uuid *out);
extern bool fy_uuid_v7(fy_uuid *out);
/* fy_uuid_v7_at: the same for a given time (the clock, or a test's). */
extern bool fy_uuid_v7_at(int64_t sec, long nsec, fy_uuid *out);
/* The namespace of a phase's v5 keys: uuid_v5(FERRY_NAMESPACE, phase name). */
extern void fy_uuid_phase_namespace(const char *phase, fy_uuid *out);

/* ------------------------------------------------------------------ hash */

typedef struct fy_sha1_ctx
{
	uint32_t	h[5];
	uint64_t	len;
	uint8_t		block[64];
} fy_sha1_ctx;

extern void fy_sha1_init(fy_sha1_ctx *ctx);
extern void fy_sha1_update(fy_sha1_ctx *ctx, const void *data, size_t len);
extern void fy_sha1_final(fy_sha1_ctx *ctx, uint8_t out[20]);
extern void fy_sha1(const void *data, size_t len, uint8_t out[20]);
extern int64_t fy_row_hash(const void *data, size_t len);

/*
 * The content hash of a row's typed values (MariaDB's ferry_content_hash):
 * start, then add each column's value in column order.
 */
typedef enum fy_hash_kind
{
	FY_HASH_NULL,
	FY_HASH_INT,				/* a 64-bit integer's bytes */
	FY_HASH_REAL,				/* a double's bytes */
	FY_HASH_TEXT				/* a string's or a decimal's bytes */
} fy_hash_kind;

extern uint64_t fy_content_hash_start(void);
extern uint64_t fy_content_hash_add(uint64_t h, fy_hash_kind kind,
									const void *data, size_t len);

#endif							/* FERRY_CORE_H */
