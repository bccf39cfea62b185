/*
 * util.c -- errors, memory hooks, arenas, SQL text building and quoting.
 */
#include "ferry.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ---------------------------------------------------------------- errors */

const char *
fy_sqlstate(fy_errcode code)
{
	switch (code)
	{
		case FY_OK:
			return "00000";
		case FY_ERR_INVALID_JSON:
			return "22P02";
		case FY_ERR_INVALID_SPEC:
			return "22023";
		case FY_ERR_NULL_ARGUMENT:
			return "22004";
		case FY_ERR_UNDEFINED_TABLE:
			return "42P01";
		case FY_ERR_UNDEFINED_COLUMN:
			return "42703";
		case FY_ERR_UNDEFINED_PHASE:
			return "42704";
		case FY_ERR_NOT_SUPPORTED:
			return "0A000";
		case FY_ERR_PHASE_STATE:
			return "55000";
		case FY_ERR_FOREIGN_KEY:
			return "23503";
		case FY_ERR_ACCOUNTING:
			return "XX001";
		case FY_ERR_OUT_OF_MEMORY:
			return "53200";
		case FY_ERR_INTERNAL:
			break;
	}
	return "XX000";
}

/*
 * fy_fail records the first error only: the innermost failure names the
 * field best, callers up the stack just propagate false.
 */
bool
fy_fail(fy_error *err, fy_errcode code, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL || err->code != FY_OK)
		return false;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return false;
}

void
fy_detail(fy_error *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void
fy_hint(fy_error *err, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

char *
fy_error_json(const fy_error *err)
{
	cJSON	   *root = cJSON_CreateObject();
	cJSON	   *e = cJSON_AddObjectToObject(root, "error");
	char	   *out;

	cJSON_AddStringToObject(e, "sqlstate", fy_sqlstate(err->code));
	cJSON_AddStringToObject(e, "message", err->message);
	cJSON_AddStringToObject(e, "detail", err->detail);
	cJSON_AddStringToObject(e, "hint", err->hint);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

/* ---------------------------------------------------------------- memory */

static fy_allocator fy_hooks = {malloc, free};

/*
 * fy_set_allocator routes the core's and cJSON's allocations through the
 * engine's allocator, so a PostgreSQL error never leaks what the core held.
 */
void
fy_set_allocator(const fy_allocator *a)
{
	cJSON_Hooks h;

	fy_hooks = *a;
	h.malloc_fn = a->alloc;
	h.free_fn = a->release;
	cJSON_InitHooks(&h);
}

void *
fy_alloc(size_t size)
{
	return fy_hooks.alloc(size);
}

void
fy_release(void *ptr)
{
	if (ptr != NULL)
		fy_hooks.release(ptr);
}

typedef struct fy_chunk
{
	struct fy_chunk *next;
	size_t		used;
	size_t		size;
	/* data follows, max-aligned */
} fy_chunk;

struct fy_arena
{
	fy_chunk   *head;
};

#define FY_ALIGN(n) (((n) + 15) & ~(size_t) 15)
#define FY_CHUNK_HEADER FY_ALIGN(sizeof(fy_chunk))

fy_arena *
fy_arena_new(void)
{
	fy_arena   *a = fy_alloc(sizeof(fy_arena));

	if (a != NULL)
		a->head = NULL;
	return a;
}

/* fy_arena_alloc returns zeroed memory, so structs start empty. */
void *
fy_arena_alloc(fy_arena *arena, size_t size)
{
	fy_chunk   *c = arena->head;
	void	   *p;

	size = FY_ALIGN(size ? size : 1);
	if (c == NULL || c->size - c->used < size)
	{
		size_t		want = size > 8192 ? size : 8192;

		c = fy_alloc(FY_CHUNK_HEADER + want);
		if (c == NULL)
			return NULL;
		c->next = arena->head;
		c->used = 0;
		c->size = want;
		arena->head = c;
	}
	p = (char *) c + FY_CHUNK_HEADER + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *
fy_arena_strdup(fy_arena *arena, const char *s)
{
	size_t		n;
	char	   *p;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	p = fy_arena_alloc(arena, n + 1);
	if (p != NULL)
		memcpy(p, s, n + 1);
	return p;
}

void
fy_arena_free(fy_arena *arena)
{
	fy_chunk   *c;

	if (arena == NULL)
		return;
	c = arena->head;
	while (c != NULL)
	{
		fy_chunk   *next = c->next;

		fy_release(c);
		c = next;
	}
	fy_release(arena);
}

/* ------------------------------------------------------- SQL text builder */

bool
fy_dialect_parse(const char *name, fy_dialect *out)
{
	if (name != NULL && strcmp(name, "postgres") == 0)
		*out = FY_POSTGRES;
	else if (name != NULL && strcmp(name, "mariadb") == 0)
		*out = FY_MARIADB;
	else
		return false;
	return true;
}

void
fy_buf_init(fy_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->oom = false;
}

/* fy_buf_grow keeps a failed allocation sticky: the caller checks oom once. */
static bool
fy_buf_grow(fy_buf *b, size_t extra)
{
	size_t		need = b->len + extra + 1;
	size_t		cap;
	char	   *p;

	if (b->oom)
		return false;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = fy_alloc(cap);
	if (p == NULL)
	{
		b->oom = true;
		return false;
	}
	if (b->data != NULL)
	{
		memcpy(p, b->data, b->len);
		fy_release(b->data);
	}
	b->data = p;
	b->cap = cap;
	b->data[b->len] = '\0';
	return true;
}

void
fy_buf_addn(fy_buf *b, const char *s, size_t n)
{
	if (!fy_buf_grow(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
fy_buf_add(fy_buf *b, const char *s)
{
	fy_buf_addn(b, s, strlen(s));
}

void
fy_buf_addf(fy_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !fy_buf_grow(b, (size_t) n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/*
 * fy_buf_ident always quotes: an identifier from a spec is data, and a
 * quoted name is never a keyword, never folded, never an injection.
 */
void
fy_buf_ident(fy_buf *b, fy_dialect d, const char *ident)
{
	char		q = d == FY_POSTGRES ? '"' : '`';
	const char *p;

	fy_buf_addn(b, &q, 1);
	for (p = ident; *p; p++)
	{
		if (*p == q)
			fy_buf_addn(b, &q, 1);
		fy_buf_addn(b, p, 1);
	}
	fy_buf_addn(b, &q, 1);
}

/*
 * fy_buf_literal writes a string literal whose meaning does not depend on
 * session settings: PostgreSQL's E'' form when a backslash is present, and
 * on MariaDB a hex literal converted to utf8mb4 whenever the text holds a
 * quote, a backslash or a control character (NO_BACKSLASH_ESCAPES changes
 * what a backslash means inside '').
 */
void
fy_buf_literal(fy_buf *b, fy_dialect d, const char *s)
{
	const char *p;
	bool		plain = true;
	bool		backslash = false;

	for (p = s; *p; p++)
	{
		if (*p == '\\')
			backslash = true;
		if (*p == '\\' || *p == '\'' || (unsigned char) *p < 0x20)
			plain = false;
	}
	if (d == FY_MARIADB && !plain)
	{
		fy_buf_add(b, "CONVERT(X'");
		for (p = s; *p; p++)
			fy_buf_addf(b, "%02X", (unsigned char) *p);
		fy_buf_add(b, "' USING utf8mb4)");
		return;
	}
	if (backslash)
		fy_buf_add(b, "E");
	fy_buf_add(b, "'");
	for (p = s; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			fy_buf_addn(b, p, 1);
		fy_buf_addn(b, p, 1);
	}
	fy_buf_add(b, "'");
}

void
fy_buf_free(fy_buf *b)
{
	fy_release(b->data);
	fy_buf_init(b);
}

/* -------------------------------------------------------- relation names */

/*
 * fy_relname_part reads one name part at *pp: either "quoted" with ""
 * doubling, or everything up to the next dot.  Exact, no case folding.
 */
static char *
fy_relname_part(fy_arena *arena, const char **pp, const char *text,
				fy_error *err)
{
	const char *p = *pp;
	fy_buf		b;
	char	   *out;

	fy_buf_init(&b);
	if (*p == '"')
	{
		p++;
		for (;;)
		{
			if (*p == '\0')
			{
				fy_buf_free(&b);
				fy_fail(err, FY_ERR_INVALID_SPEC,
						"unterminated quoted name in \"%s\"", text);
				return NULL;
			}
			if (*p == '"' && p[1] == '"')
			{
				fy_buf_addn(&b, p, 1);
				p += 2;
				continue;
			}
			if (*p == '"')
			{
				p++;
				break;
			}
			fy_buf_addn(&b, p++, 1);
		}
	}
	else
	{
		while (*p != '\0' && *p != '.')
			fy_buf_addn(&b, p++, 1);
	}
	if (b.len == 0)
	{
		fy_buf_free(&b);
		fy_fail(err, FY_ERR_INVALID_SPEC, "empty name part in \"%s\"", text);
		return NULL;
	}
	out = b.oom ? NULL : fy_arena_strdup(arena, b.data);
	fy_buf_free(&b);
	if (out == NULL)
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	*pp = p;
	return out;
}

bool
fy_relname_parse(fy_arena *arena, const char *text, fy_relname *out,
				 fy_error *err)
{
	const char *p = text;
	char	   *first;
	char	   *second = NULL;

	first = fy_relname_part(arena, &p, text, err);
	if (first == NULL)
		return false;
	if (*p == '.')
	{
		p++;
		second = fy_relname_part(arena, &p, text, err);
		if (second == NULL)
			return false;
	}
	if (*p != '\0')
		return fy_fail(err, FY_ERR_INVALID_SPEC,
					   "invalid relation name \"%s\"", text);
	out->schema = second ? first : NULL;
	out->name = second ? second : first;
	return true;
}
