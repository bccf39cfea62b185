/*
 * udf_harness.c -- every UDF of ferry.so called as the server calls it, with
 * bad arguments, under AddressSanitizer.
 *
 *     udf_harness path/to/ferry.so path/to/install.sql
 *
 * tests/mariadb/t/udf_abuse.test makes the same calls (this adds a few
 * values) through a real server; this harness exists because the server hides some memory errors
 * from ASan: it keeps a constant numeric argument in an 8-byte slot of one
 * of its own arena blocks, so a UDF that reads past that slot reads the
 * server's memory, not a red zone.  Here every value the server would hand
 * over gets a heap block of exactly its size (a string without its NUL),
 * so any read past a value is an ASan report.  scripts/mariadb-tests.sh
 * --sanitize builds it with ferry.so, both with -fsanitize=address,undefined,
 * and runs it.
 *
 * What the server does, and so what this does (sql/item_func.cc,
 * udf_handler::fix_fields and get_arguments): *_init sees arg_type[i] as the
 * caller's type; a constant argument's value in args[i] (a string with its
 * length, a number as 8 binary bytes with its display width as length), a
 * column's as NULL.  The row function sees every value converted to the
 * type *_init left in arg_type[i]; NULL is a NULL pointer.  The result
 * buffer is 256 bytes.  A UDF whose *_init fails is never called again.
 *
 * Checks beyond ASan's: *_init refuses with a message naming the UDF, and a
 * wrong argument count with one the server shows whole (80 characters); a
 * result is readable for its whole length; every UDF of install.sql is
 * called.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#define MAX_ARGS 8
#define RESULT_BUFFER 256
#define INIT_MESSAGE_SHOWN 80	/* ER_CANT_INITIALIZE_UDF's %-.80s */
#define BIG (16 * 1024 * 1024)

typedef my_bool (*init_fn) (UDF_INIT *, UDF_ARGS *, char *);
typedef void (*deinit_fn) (UDF_INIT *);
typedef char *(*row_fn) (UDF_INIT *, UDF_ARGS *, char *, unsigned long *,
						 char *, char *);
typedef long long (*int_row_fn) (UDF_INIT *, UDF_ARGS *, char *, char *);

/* A UDF: its name and, per argument, 'T' (text) or 'I' (integer) and a good value. */
typedef struct udf
{
	const char *name;
	const char *kinds;
	const char *good[MAX_ARGS];
} udf;

/* The UDFs that RETURN INTEGER: a long long, no result buffer. */
static const char *const integer_udfs[] = {"ferry_content_hash"};

static bool
returns_integer(const char *name)
{
	for (size_t i = 0; i < sizeof(integer_udfs) / sizeof(integer_udfs[0]); i++)
		if (strcmp(integer_udfs[i], name) == 0)
			return true;
	return false;
}

static const char *spec =
"{\"source\": \"s\", \"target\": \"t\", \"legacy_column\": \"legacy_id\", \"columns\": {\"b\": \"a\"}}";
static const char *meta =
"{\"catalog_schema\": \"ferry\", \"phase_id\": 1, \"source\": {\"schema\": \"d\", \"name\": \"s\", "
"\"columns\": [{\"name\": \"id\", \"type\": \"int(11)\", \"notnull\": true}, {\"name\": \"a\", \"type\": \"text\"}]}, "
"\"target\": {\"schema\": \"d\", \"name\": \"t\", \"columns\": [{\"name\": \"id\", \"type\": \"uuid\", \"notnull\": true}, "
"{\"name\": \"b\", \"type\": \"text\"}, {\"name\": \"legacy_id\", \"type\": \"int(11)\"}]}}";
#define NS "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

/* good[] is filled in main for the JSON ones (spec, meta), marked "$spec", "$meta". */
static const udf udfs[] = {
	{"uuid_v4", "", {0}},
	{"uuid_v5", "TT", {NS, "p"}},
	{"uuid_v7", "", {0}},
	{"legacy_to_json", "TT", {"a:1:{s:1:\"k\";i:1;}", "php"}},
	{"legacy_to_json_error", "TT", {"a:1:{s:1:\"k\";i:1;}", "php"}},
	{"ferry_phase_check", "TT", {"p", "$spec"}},
	{"ferry_plan_define", "TTT", {"p", "$spec", "$meta"}},
	{"ferry_plan_drop", "TTT", {"p", "$spec", "$meta"}},
	{"ferry_plan_probe", "TTT", {"p", "$spec", "$meta"}},
	{"ferry_plan_migrate", "TTTI", {"p", "$spec", "$meta", "1"}},
	{"ferry_plan_accounting", "TTTI", {"p", "$spec", "$meta", "1"}},
	{"ferry_accounting_checks", "TIIIIII", {"p", "1", "1", "0", "0", "0", "0"}},
	{"ferry_plan_validate", "TTTI", {"p", "$spec", "$meta", "1"}},
	{"ferry_validate_verdict", "TTTTTIT", {"p", "required", "FAIL", "b", "rows are NULL", "1", "1, 2"}},
	{"ferry_plan_rollback", "TTT", {"p", "$spec", "$meta"}},
	{"ferry_plan_sync", "TTTI", {"p", "$spec", "$meta", "1"}},
	{"ferry_plan_compat_view", "TTTT", {"p", "$spec", "$meta", "v"}},
	{"ferry_plan_drift", "TTT", {"p", "$spec", "$meta"}},
	{"ferry_content_hash", "TIT", {"a", "1", "2026-11-23 10:00:00"}},
	{"json_restructure", "TT", {"{\"OrderData\": 1}", "[{\"op\": \"key_case\", \"from\": \"pascal\", \"to\": \"snake\"}]"}},
	{"json_restructure_inverse", "T", {"[{\"op\": \"key_case\", \"from\": \"pascal\", \"to\": \"snake\"}]"}},
	{"json_keys_case", "TT", {"{\"OrderData\": 1}", "snake"}},
	{"ferry_plan_migrate_range", "TTTIT", {"p", "$spec", "$meta", "1", "{\"lo\": [\"1\"], \"hi\": [\"10\"]}"}},
	{"ferry_plan_keyscan", "TTTTTI", {"p", "$spec", "$meta", "{\"lo\": [\"1\"], \"hi\": [\"10\"]}", "nth", "10"}},
	{"ferry_plan_preflight", "TTT", {"p", "$spec", "$meta"}},
	{"ferry_dependency_order", "T", {"[{\"name\": \"a\", \"depends_on\": []}, {\"name\": \"b\", \"depends_on\": [\"a\"]}]"}},
	{"ferry_preflight_report", "TTTT", {"p", "$spec", "$meta", "{\"results\": [{\"failures\": 2, \"sample\": \"1, 2\"}]}"}},
	{"json_restructure_error", "TT", {"{\"OrderData\": 1}", "[{\"op\": \"key_case\", \"from\": \"pascal\", \"to\": \"snake\"}]"}},
};
#define NUDFS (sizeof(udfs) / sizeof(udfs[0]))

/*
 * A value as SQL would give it: its type, and its text or number.  A text
 * is kept twice, in blocks of exactly its size: terminated, as a constant
 * is at init, and not, as the server hands over a row's value.  UDFs only
 * read their arguments, so every call shares them (no copy per call).
 */
typedef struct value
{
	const char *what;
	int			type;			/* -1: NULL, else an Item_result */
	const char *text;			/* STRING_RESULT, DECIMAL_RESULT */
	unsigned long len;
	long long	i;				/* INT_RESULT */
	double		d;				/* REAL_RESULT */
	unsigned long width;		/* display width: a number's length at init */
	char	   *terminated;		/* text and a NUL */
	char	   *bare;			/* text alone */
} value;

static value *values;
static int	nvalues;
static int	calls;
static int	failures;

/* fail: a check that failed is printed and counted; the run goes on. */
static void
fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fputs("FAILED ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	failures++;
}

static char *exactly(const void *p, size_t n);

/* blocks: a value's text in its two exactly-sized blocks. */
static void
blocks(value *v)
{
	if (v->text == NULL)
		return;
	v->terminated = exactly(v->text, v->len + 1);
	v->terminated[v->len] = '\0';
	v->bare = exactly(v->text, v->len);
}

/* unblock: the blocks freed, so that LeakSanitizer reports only ferry.so's leaks. */
static void
unblock(value *v)
{
	free(v->terminated);
	free(v->bare);
	v->terminated = v->bare = NULL;
}

/* add_text, add_int: one more bad value; a text's display width is its length. */
static void
add_text(const char *what, const char *text, unsigned long len)
{
	values[nvalues++] = (value) {what, STRING_RESULT, text, len, 0, 0, len, NULL, NULL};
}

static void
add_int(const char *what, long long i, unsigned long width)
{
	values[nvalues++] = (value) {what, INT_RESULT, NULL, 0, i, 0, width, NULL, NULL};
}

/* repeat: prefix, n times c, suffix: the big values. */
static char *
repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t		lp = strlen(prefix), ls = strlen(suffix);
	char	   *s = malloc(lp + n + ls + 1);

	if (s == NULL)
	{
		perror("malloc");
		exit(2);
	}
	memcpy(s, prefix, lp);
	memset(s + lp, c, n);
	memcpy(s + lp + n, suffix, ls + 1);
	return s;
}

/* The bad values of udf_abuse.test, with their SQL types. */
static void
make_values(void)
{
	char	   *s;

	values = calloc(64, sizeof(value));
	values[nvalues++] = (value) {"NULL", -1, NULL, 0, 0, 0, 0, NULL, NULL};
	add_text("empty string", "", 0);
	add_int("integer 0", 0, 1);
	add_int("integer -1", -1, 2);
	add_int("BIGINT max", LLONG_MAX, 19);
	add_int("BIGINT min", LLONG_MIN, 20);
	values[nvalues++] = (value) {"DECIMAL", DECIMAL_RESULT, "-12345678901234567890.0123456789", 32, 0, 0, 33, NULL, NULL};
	values[nvalues++] = (value) {"DOUBLE", REAL_RESULT, NULL, 0, 0, -1.5e308, 23, NULL, NULL};
	add_text("a word", "abc", 3);
	add_text("NUL byte", "\0", 1);
	add_text("invalid UTF-8", "\xC3(", 2);
	add_text("JSON cut short", "{\"source\": \"s\", \"target\":", 25);
	add_text("JSON array", "[1, 2]", 6);
	add_text("JSON null", "null", 4);
	s = "{\"source\": 1, \"target\": [], \"columns\": \"x\", \"catalog_schema\": 5, \"phase_id\": \"1\", \"refs\": 7}";
	add_text("JSON of wrong types", s, strlen(s));
	s = "{\"source\": \"s\", \"target\": \"t\", \"columns\": {\"b\": 1e999}, \"catalog_schema\": \"ferry\", \"phase_id\": 1e300}";
	add_text("JSON numbers out of range", s, strlen(s));
	s = repeat("", '[', 100000, "");
	add_text("JSON nested 100000 deep", s, strlen(s));
	s = repeat("", 'x', BIG, "");
	add_text("16 MB string", s, BIG);
	s = repeat("\"", 'x', BIG, "\"");
	add_text("16 MB JSON string", s, BIG + 2);
	s = repeat("{\"source\": \"", 's', 1024 * 1024,
			   "\", \"target\": \"t\", \"legacy_column\": \"legacy_id\", \"columns\": {\"b\": \"a\"}}");
	add_text("spec naming a 1 MB table", s, strlen(s));
	s = "a:2147483648:{s:18446744073709551615:\"x\";i:1;}";
	add_text("PHP with lying lengths", s, strlen(s));
	s = malloc(100000 * 9 + 1);
	for (int i = 0; i < 100000; i++)
		memcpy(s + 9 * i, "a:1:{i:0;", 9);
	s[100000 * 9] = '\0';
	add_text("PHP nested 100000 deep", s, strlen(s));
	add_text("kv format without separators", "kv::", 4);
	/* over FYM_MAX_TEXT (64 MB), which the server allows with a bigger packet */
	s = repeat("", 'x', 64 * 1024 * 1024 + 1, "");
	add_text("64 MB + 1 string", s, 64 * 1024 * 1024 + 1);
	for (int i = 0; i < nvalues; i++)
		blocks(&values[i]);
}

/* exactly: a heap copy of n bytes, with no byte to spare for ASan to miss. */
static char *
exactly(const void *p, size_t n)
{
	char	   *c = malloc(n ? n : 1);

	if (c == NULL)
	{
		perror("malloc");
		exit(2);
	}
	memcpy(c, p, n);
	return c;
}

/*
 * as_text: a value as the server's val_str gives it (no NUL after it); a
 * number's text is made for the call (the caller frees it, *made set).
 */
static char *
as_text(const value *v, unsigned long *len, bool *made)
{
	char		buf[64];

	*made = false;
	if (v->type == STRING_RESULT || v->type == DECIMAL_RESULT)
	{
		*len = v->len;
		return v->bare;
	}
	*made = true;
	if (v->type == INT_RESULT)
		snprintf(buf, sizeof(buf), "%lld", v->i);
	else
		snprintf(buf, sizeof(buf), "%.17g", v->d);
	*len = strlen(buf);
	return exactly(buf, *len);
}

/* as_int: a value as val_int gives it (text read as a number, saturated). */
static long long
as_int(const value *v)
{
	if (v->type == INT_RESULT)
		return v->i;
	if (v->type == REAL_RESULT)
		return v->d <= (double) LLONG_MIN ? LLONG_MIN :
			v->d >= (double) LLONG_MAX ? LLONG_MAX : (long long) v->d;
	return strtoll(v->terminated, NULL, 10);
}

/*
 * call: one call as the server makes it: *_init with the constants (or,
 * constant false, without their values), then, if it accepts, two rows
 * (the second replaces the first's result; one for a value over 1 MB) and
 * *_deinit.
 */
static void
call(void *lib, const udf *u, const value *const *argv, unsigned n,
	 bool constant, const char *label)
{
	char		sym[128];
	init_fn		init;
	row_fn		row;
	deinit_fn	deinit;
	UDF_INIT	initid;
	UDF_ARGS	args;
	enum Item_result types[MAX_ARGS + 1];
	char	   *ptrs[MAX_ARGS + 1];
	unsigned long lengths[MAX_ARGS + 1];
	char		maybe_null[MAX_ARGS + 1];
	char	   *mine[MAX_ARGS + 1];	/* the call's own blocks, to free (the */
									/* UDF may change ptrs[]) */
	int			rows = 2;
	char		message[MYSQL_ERRMSG_SIZE];

	snprintf(sym, sizeof(sym), "%s_init", u->name);
	init = (init_fn) dlsym(lib, sym);
	snprintf(sym, sizeof(sym), "%s_deinit", u->name);
	deinit = (deinit_fn) dlsym(lib, sym);
	row = (row_fn) dlsym(lib, u->name);
	if (init == NULL || deinit == NULL || row == NULL)
	{
		fail("%s: %s, _init or _deinit missing from ferry.so", u->name, u->name);
		return;
	}
	calls++;

	memset(&initid, 0, sizeof(initid));
	initid.max_length = 255;
	initid.maybe_null = 1;
	initid.const_item = 1;
	args.arg_count = n;
	args.arg_type = types;
	args.args = ptrs;
	args.lengths = lengths;
	args.maybe_null = maybe_null;
	for (unsigned i = 0; i < n; i++)
	{
		const value *v = argv[i];

		types[i] = v->type < 0 ? STRING_RESULT : (enum Item_result) v->type;
		ptrs[i] = mine[i] = NULL;
		lengths[i] = v->width;
		maybe_null[i] = v->type < 0;
		if (!constant || v->type < 0)
			continue;
		if (v->type == INT_RESULT)
			ptrs[i] = mine[i] = exactly(&v->i, sizeof(long long));
		else if (v->type == REAL_RESULT)
			ptrs[i] = mine[i] = exactly(&v->d, sizeof(double));
		else
		{
			/* a constant string is NUL-terminated (c_ptr_safe) */
			ptrs[i] = v->terminated;
			lengths[i] = v->len;
		}
	}
	message[0] = '\0';
	if (init(&initid, &args, message))
	{
		size_t		len = strnlen(message, sizeof(message));

		if (len == 0 || len == sizeof(message))
			fail("%s(%s): *_init refused without a message", u->name, label);
		else if (strncmp(message, u->name, strlen(u->name)) != 0)
			fail("%s(%s): *_init's message does not name the UDF: %s", u->name, label, message);
		else if (n != strlen(u->kinds) && len > INIT_MESSAGE_SHOWN)
			fail("%s(%s): *_init's message is cut by the server after %d characters: %s",
				 u->name, label, INIT_MESSAGE_SHOWN, message);
		for (unsigned i = 0; i < n; i++)
			free(mine[i]);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		free(mine[i]);

	/* a second row frees the first's result; once is enough for big values */
	for (unsigned i = 0; i < n; i++)
		if (argv[i]->len > 1024 * 1024)
			rows = 1;
	for (int r = 0; r < rows; r++)
	{
		char	   *result = malloc(RESULT_BUFFER);
		unsigned long length = 0;
		char		is_null = 0;
		char		error = 0;
		char	   *out;
		bool		made;

		for (unsigned i = 0; i < n; i++)
		{
			const value *v = argv[i];

			ptrs[i] = mine[i] = NULL;
			lengths[i] = 0;
			if (v->type < 0)
				continue;
			if (types[i] == INT_RESULT)
			{
				long long	x = as_int(v);

				ptrs[i] = mine[i] = exactly(&x, sizeof(x));
			}
			else if (types[i] == REAL_RESULT)
			{
				double		x = v->type == REAL_RESULT ? v->d : (double) as_int(v);

				ptrs[i] = mine[i] = exactly(&x, sizeof(x));
			}
			else
			{
				ptrs[i] = as_text(v, &lengths[i], &made);
				if (made)
					mine[i] = ptrs[i];
			}
		}
		if (returns_integer(u->name))
		{
			(void) ((int_row_fn) (void *) row) (&initid, &args, &is_null, &error);
			out = NULL;
			is_null = 1;		/* nothing to read back */
		}
		else
			out = row(&initid, &args, result, &length, &is_null, &error);
		if (!is_null && !error)
		{
			unsigned long sum = 0;

			if (out == NULL)
				fail("%s(%s): NULL result not flagged is_null", u->name, label);
			else
				for (unsigned long k = 0; k < length; k++)
					sum += (unsigned char) out[k];	/* ASan: all readable */
			(void) sum;
		}
		for (unsigned i = 0; i < n; i++)
			free(mine[i]);
		free(result);
	}
	deinit(&initid);
}

/* check_install_sql: every CREATE FUNCTION of install.sql must be one of udfs[]. */
static void
check_install_sql(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[1024];

	if (f == NULL)
	{
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f))
	{
		char		name[128];
		bool		known = false;

		if (sscanf(line, "CREATE FUNCTION IF NOT EXISTS %127s", name) != 1 &&
			sscanf(line, "CREATE FUNCTION %127s", name) != 1)
			continue;
		for (size_t i = 0; i < NUDFS; i++)
			known |= strcmp(udfs[i].name, name) == 0;
		if (!known)
			fail("%s (install.sql) is not in udf_harness.c's list", name);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	void	   *lib;
	value		goods[NUDFS][MAX_ARGS];

	if (argc != 3)
	{
		fprintf(stderr, "usage: %s ferry.so install.sql\n", argv[0]);
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
	{
		fprintf(stderr, "udf_harness: %s\n", dlerror());
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_install_sql(argv[2]);
	make_values();

	for (size_t k = 0; k < NUDFS; k++)
	{
		const udf  *u = &udfs[k];
		unsigned	n = (unsigned) strlen(u->kinds);
		const value *argv2[MAX_ARGS + 1];
		int			before = calls;
		value		extra;

		for (unsigned i = 0; i < n; i++)
		{
			const char *g = u->good[i];

			if (u->kinds[i] == 'I')
				goods[k][i] = (value) {"good", INT_RESULT, NULL, 0, atoll(g), 0, strlen(g), NULL, NULL};
			else
			{
				g = strcmp(g, "$spec") == 0 ? spec : strcmp(g, "$meta") == 0 ? meta : g;
				goods[k][i] = (value) {"good", STRING_RESULT, g, strlen(g), 0, 0, strlen(g), NULL, NULL};
				blocks(&goods[k][i]);
			}
			argv2[i] = &goods[k][i];
		}
		extra = (value) {"extra", STRING_RESULT, "x", 1, 0, 0, 1, NULL, NULL};
		blocks(&extra);

		call(lib, u, argv2, n, true, "good arguments");
		if (n > 0)
			call(lib, u, argv2, 0, true, "no arguments");
		if (n > 1)
			call(lib, u, argv2, n - 1, true, "one argument too few");
		argv2[n] = &extra;
		call(lib, u, argv2, n + 1, true, "one argument too many");

		for (unsigned i = 0; i < n; i++)
			for (int j = 0; j < nvalues; j++)
				for (int constant = 1; constant >= 0; constant--)
				{
					char		label[128];

					argv2[i] = &values[j];
					snprintf(label, sizeof(label), "argument %u = %s%s", i + 1,
							 values[j].what, constant ? "" : " (column)");
					call(lib, u, argv2, n, constant, label);
					argv2[i] = &goods[k][i];
				}
		for (unsigned i = 0; i < n; i++)
			unblock(&goods[k][i]);
		unblock(&extra);
		printf("ok %s: %d calls\n", u->name, calls - before);
	}
	for (int j = 0; j < nvalues; j++)
		unblock(&values[j]);
	printf("udf_harness: %d calls, %d failed\n", calls, failures);
	return failures ? 1 : 0;
}
