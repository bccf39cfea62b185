/*
 * legacy.c -- values stored in legacy text formats, read into JSON.
 *
 * fy_legacy_to_json(text, len, format, err) reads len bytes of text (no NUL
 * needed, none looked for) and returns compact, strict, UTF-8 JSON text to
 * fy_release, or NULL with err set.  A malformed input fails with
 * FY_ERR_INVALID_JSON and a message "<format>: <reason> at byte <offset>",
 * the offset counted in bytes from 0 ("php: expected ':' at byte 17"); an
 * unknown format fails with FY_ERR_INVALID_SPEC, a NULL text or format
 * with FY_ERR_NULL_ARGUMENT, an input over 64 MiB with
 * FY_ERR_NOT_SUPPORTED.
 *
 * Formats (the format argument):
 *
 *   json   JSON as old PHP applications wrote it by hand: strict JSON plus
 *          trailing commas in arrays and objects, strings and keys in
 *          single quotes (\' escapes a quote; every JSON escape works in
 *          both quotes), // and slash-star comments.  Numbers keep their
 *          digits exactly (no rounding of huge integers).  Control
 *          characters inside strings, lone \u surrogates and invalid
 *          UTF-8 are errors.
 *
 *   php    PHP serialize() output: N; b:0; b:1; i:<int>; d:<float>;
 *          s:<bytes>:"<bytes>"; a:<count>:{<key><value>...}.  A string's
 *          length counts bytes, not characters, and its bytes must be UTF-8.
 *          Keys are i: or s:; an array whose keys are exactly 0..n-1 in
 *          order (as PHP itself counts "1" and 1 the same key) becomes a
 *          JSON array, any other an object with the keys as strings; a:0:{}
 *          is [].  Numbers are read as PHP reads them ([+-], leading zeros,
 *          ".5") and written as JSON numbers with every digit kept; d:INF,
 *          d:-INF and d:NAN have no JSON form and are errors.  Objects
 *          (O:, C:), enums (E:), references (r:, R:) and S: strings are
 *          refused by name.  Whitespace may follow the value.
 *
 *   query  URL-encoded form data, read as PHP's parse_str reads it:
 *          pairs separated by '&', '+' and %XX decoded in keys and values,
 *          and keys with brackets building nested values: b[]=1 appends
 *          (at PHP's next free integer key), c[x]=1 sets a key.  A nested
 *          value whose keys are 0..n-1 in order becomes an array, any other
 *          an object; the top level is always an object.  Values are
 *          strings; a key without '=' gets "".  Names are kept exactly
 *          (parse_str would turn '.' and ' ' into '_').  A key given twice,
 *          or given both a value and subkeys, is an error naming it:
 *          parse_str would silently keep the last.
 *
 *   kv     key=value pairs: "kv" separates pairs with ';' and a key from its
 *          value with '='; "kv:<pair separator>:<key separator>" chooses
 *          both.  A separator is 1 to 16 bytes; in it \n, \t and \r stand
 *          for newline, tab and carriage return, \\ for a backslash and
 *          \: for a colon.  The pair separator ends at the first ':' that
 *          is not escaped, the key separator is the rest of the format
 *          ("kv:&:=", "kv:\n:: " for "key: value" lines, "kv:\r\n:=").
 *          Neither separator may contain the other.  Keys are trimmed of
 *          ASCII whitespace, values are kept exactly; a pair without the key
 *          separator is a key with the value "", a blank pair is skipped.
 *          Separators cannot be escaped inside keys or values.  A key given
 *          twice is an error naming it.
 *
 * Nesting deeper than 512 containers is an error, found while reading: no
 * part of this file recurses, so no input can exhaust the stack.  A
 * document is first built as a tree of nodes in an arena (about 100 bytes
 * per value), with every object's keys in one hash table, then printed;
 * the output is at most about 6 times the input (control characters
 * become \u00XX).
 */
#include "ferry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FYL_MAX_INPUT ((size_t) 64 * 1024 * 1024)
#define FYL_MAX_DEPTH 512
#define FYL_MAX_SEP 16

typedef enum fyl_format
{
	FYL_JSON,
	FYL_PHP,
	FYL_QUERY,
	FYL_KV
} fyl_format;

typedef enum fyl_kind
{
	FYL_RAW,					/* text is JSON already: a number or literal */
	FYL_STRING,					/* text is the string's bytes */
	FYL_ARRAY,
	FYL_OBJECT,
	FYL_MAP						/* a PHP array: an array if its keys are */
								/* 0..n-1 in order (list), else an object */
} fyl_kind;

typedef struct fyl_node
{
	fyl_kind	kind;
	const char *key;			/* under an OBJECT or a MAP */
	size_t		keylen;
	const char *text;			/* RAW, STRING */
	size_t		len;
	struct fyl_node *parent;
	struct fyl_node *child;
	struct fyl_node *last;
	struct fyl_node *next;
	size_t		count;			/* children */
	size_t		want;			/* php: the count an a: declared */
	bool		list;			/* MAP: keys are 0..count-1 in order */
	int64_t		next_index;		/* MAP: PHP's next free integer key, */
								/* -1 once INT64_MAX is taken */
} fyl_node;

typedef struct fyl_slot
{
	fyl_node   *member;
	uint64_t	hash;
} fyl_slot;

typedef struct fyl_parser
{
	const unsigned char *s;
	size_t		len;
	size_t		pos;
	const char *name;			/* the format, for messages */
	char		pairsep[FYL_MAX_SEP];	/* kv */
	size_t		pairseplen;
	char		keysep[FYL_MAX_SEP];
	size_t		keyseplen;
	int			depth;
	fy_arena   *arena;
	fyl_slot   *slots;			/* every keyed member, by (parent, key) */
	size_t		nslots;			/* a power of two, or 0 */
	size_t		used;
	fy_error   *err;
} fyl_parser;

/* --------------------------------------------------------------- errors */

static bool fyl_fail(fyl_parser *P, size_t at, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* fyl_fail words every parse error the same way: format, reason, offset. */
static bool
fyl_fail(fyl_parser *P, size_t at, const char *fmt,...)
{
	va_list		ap;
	char		reason[400];

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return fy_fail(P->err, FY_ERR_INVALID_JSON, "%s: %s at byte %zu",
				   P->name, reason, at);
}

static bool
fyl_oom(fyl_parser *P)
{
	return fy_fail(P->err, FY_ERR_OUT_OF_MEMORY, "out of memory");
}

/* ----------------------------------------------------------------- UTF-8 */

/*
 * fyl_utf8_len gives the length of the UTF-8 sequence at s, or 0 when it is
 * not one: overlong forms, surrogates, code points past U+10FFFF and
 * sequences cut short by the end (avail bytes) are all invalid, because
 * JSON text must be valid UTF-8 and PostgreSQL's jsonb checks it.
 */
static size_t
fyl_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	size_t		n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xC2)
		return 0;
	if (s[0] < 0xE0)
		n = 2;
	else if (s[0] < 0xF0)
	{
		n = 3;
		if (s[0] == 0xE0)
			lo = 0xA0;
		else if (s[0] == 0xED)
			hi = 0x9F;
	}
	else if (s[0] < 0xF5)
	{
		n = 4;
		if (s[0] == 0xF0)
			lo = 0x90;
		else if (s[0] == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* fyl_utf8_bad: the index of the first byte that is not UTF-8, or len. */
static size_t
fyl_utf8_bad(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		size_t		n = fyl_utf8_len(s + i, len - i);

		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

/*
 * fyl_show copies a key into out for a message: at most 64 bytes, cut on a
 * character boundary so the message stays UTF-8, control characters as '?'.
 */
static const char *
fyl_show(const char *key, size_t len, char out[80])
{
	size_t		n = len;
	size_t		o = 0;

	if (n > 64)
	{
		n = 64;
		while (n > 0 && ((unsigned char) key[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		out[o++] = (unsigned char) key[i] < 0x20 ? '?' : key[i];
	if (n < len)
	{
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* ----------------------------------------------------------------- nodes */

/* fyl_hash mixes a parent and a key: FNV-1a, then a multiplicative mix. */
static uint64_t
fyl_hash(const fyl_node *parent, const char *key, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char) key[i]) * 0x100000001b3ULL;
	h ^= (uint64_t) (uintptr_t) parent;
	h *= 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

/*
 * fyl_lookup finds the member of parent with key: one hash table for the
 * whole document keeps duplicate detection and query's merging linear,
 * however many keys an object has.
 */
static fyl_node *
fyl_lookup(const fyl_parser *P, const fyl_node *parent, const char *key,
		   size_t len)
{
	uint64_t	h;

	if (P->nslots == 0)
		return NULL;
	h = fyl_hash(parent, key, len);
	for (size_t i = h & (P->nslots - 1);; i = (i + 1) & (P->nslots - 1))
	{
		fyl_node   *m = P->slots[i].member;

		if (m == NULL)
			return NULL;
		if (P->slots[i].hash == h && m->parent == parent && m->keylen == len &&
			memcmp(m->key, key, len) == 0)
			return m;
	}
}

/* fyl_place puts a member in the first free slot of its chain. */
static void
fyl_place(fyl_slot *slots, size_t nslots, fyl_node *member, uint64_t h)
{
	size_t		i = h & (nslots - 1);

	while (slots[i].member != NULL)
		i = (i + 1) & (nslots - 1);
	slots[i].member = member;
	slots[i].hash = h;
}

/* fyl_insert adds a keyed member to the table, growing it at half full. */
static bool
fyl_insert(fyl_parser *P, fyl_node *member)
{
	if ((P->used + 1) * 2 > P->nslots)
	{
		size_t		n = P->nslots ? P->nslots * 2 : 64;
		fyl_slot   *slots = fy_alloc(n * sizeof(fyl_slot));

		if (slots == NULL)
			return fyl_oom(P);
		memset(slots, 0, n * sizeof(fyl_slot));
		for (size_t i = 0; i < P->nslots; i++)
			if (P->slots[i].member != NULL)
				fyl_place(slots, n, P->slots[i].member, P->slots[i].hash);
		fy_release(P->slots);
		P->slots = slots;
		P->nslots = n;
	}
	fyl_place(P->slots, P->nslots, member,
			  fyl_hash(member->parent, member->key, member->keylen));
	P->used++;
	return true;
}

/*
 * fyl_int_key reads a key PHP would take as an integer key: "0" or an
 * optional '-' and digits without a leading zero, within int64.
 */
static bool
fyl_int_key(const char *key, size_t len, int64_t *out)
{
	size_t		i = 0;
	uint64_t	v = 0;
	uint64_t	max = (uint64_t) INT64_MAX;

	if (len > 0 && key[0] == '-')
	{
		i = 1;
		max++;
	}
	if (i == len || key[i] < '0' || key[i] > '9' || (key[i] == '0' && len > 1))
		return false;
	for (; i < len; i++)
	{
		if (key[i] < '0' || key[i] > '9' ||
			v > (max - (uint64_t) (key[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t) (key[i] - '0');
	}
	*out = key[0] == '-' ? (int64_t) (0 - v) : (int64_t) v;
	return true;
}

/*
 * fyl_map_key keeps a PHP array's bookkeeping as a key arrives: whether the
 * keys so far are 0..n-1 in order, and the next free integer key that
 * "[]" appends at (one past the largest non-negative integer key).
 */
static void
fyl_map_key(fyl_node *map, const char *key, size_t len)
{
	int64_t		k = 0;
	bool		isint = fyl_int_key(key, len, &k);

	map->list = map->list && isint && k == (int64_t) map->count;
	if (!isint || k < 0 || map->next_index < 0 || k < map->next_index)
		return;
	map->next_index = k == INT64_MAX ? -1 : k + 1;
}

/*
 * fyl_add makes a node under parent (NULL: the root), keyed when the parent
 * is an object or a PHP array; a key the parent has already is an error at
 * byte at, never a value lost.
 */
static fyl_node *
fyl_add(fyl_parser *P, fyl_node *parent, fyl_kind kind, const char *key,
		size_t keylen, size_t at)
{
	fyl_node   *n;
	char		shown[80];

	if (parent != NULL && parent->kind != FYL_ARRAY &&
		fyl_lookup(P, parent, key, keylen) != NULL)
	{
		fyl_fail(P, at, "duplicate key \"%s\"", fyl_show(key, keylen, shown));
		return NULL;
	}
	n = fy_arena_alloc(P->arena, sizeof(fyl_node));
	if (n == NULL)
	{
		fyl_oom(P);
		return NULL;
	}
	n->kind = kind;
	n->list = true;
	if (parent == NULL)
		return n;
	n->parent = parent;
	if (parent->kind != FYL_ARRAY)
	{
		n->key = key;
		n->keylen = keylen;
		if (!fyl_insert(P, n))
			return NULL;
		if (parent->kind == FYL_MAP)
			fyl_map_key(parent, key, keylen);
	}
	if (parent->last != NULL)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	parent->count++;
	return n;
}

/* fyl_leaf adds a value with its text (RAW, STRING). */
static fyl_node *
fyl_leaf(fyl_parser *P, fyl_node *parent, fyl_kind kind, const char *key,
		 size_t keylen, size_t at, const char *text, size_t len)
{
	fyl_node   *n = fyl_add(P, parent, kind, key, keylen, at);

	if (n != NULL)
	{
		n->text = text;
		n->len = len;
	}
	return n;
}

/*
 * fyl_open adds a container one level deeper, refusing past the limit at
 * the container's own byte (open); at is its key's.
 */
static fyl_node *
fyl_open(fyl_parser *P, fyl_node *parent, fyl_kind kind, const char *key,
		 size_t keylen, size_t at, size_t open)
{
	if (P->depth >= FYL_MAX_DEPTH)
	{
		fyl_fail(P, open, "nesting deeper than %d levels", FYL_MAX_DEPTH);
		return NULL;
	}
	P->depth++;
	return fyl_add(P, parent, kind, key, keylen, at);
}

/* ---------------------------------------------------------------- output */

/* fyl_put_string writes bytes as a JSON string, escaping what JSON must. */
static void
fyl_put_string(fy_buf *b, const char *s, size_t len)
{
	size_t		run = 0;

	fy_buf_add(b, "\"");
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[8];

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			strcpy(esc, "\\n");
		else if (c == '\t')
			strcpy(esc, "\\t");
		else if (c == '\r')
			strcpy(esc, "\\r");
		else if (c < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			continue;
		fy_buf_addn(b, s + run, i - run);
		fy_buf_add(b, esc);
		run = i + 1;
	}
	fy_buf_addn(b, s + run, len - run);
	fy_buf_add(b, "\"");
}

static bool
fyl_is_array(const fyl_node *n)
{
	return n->kind == FYL_ARRAY || (n->kind == FYL_MAP && n->list);
}

/*
 * fyl_print writes the tree depth first without recursion: a child's
 * parent pointer is the way back up.
 */
static char *
fyl_print(fyl_parser *P, const fyl_node *root)
{
	const fyl_node *n = root;
	fy_buf		b;

	fy_buf_init(&b);
	for (;;)
	{
		if (n->parent != NULL && !fyl_is_array(n->parent))
		{
			fyl_put_string(&b, n->key, n->keylen);
			fy_buf_add(&b, ":");
		}
		if (n->kind == FYL_RAW)
			fy_buf_addn(&b, n->text, n->len);
		else if (n->kind == FYL_STRING)
			fyl_put_string(&b, n->text, n->len);
		else
		{
			fy_buf_add(&b, fyl_is_array(n) ? "[" : "{");
			if (n->child != NULL)
			{
				n = n->child;
				continue;
			}
			fy_buf_add(&b, fyl_is_array(n) ? "]" : "}");
		}
		while (n != root && n->next == NULL)
		{
			n = n->parent;
			fy_buf_add(&b, fyl_is_array(n) ? "]" : "}");
		}
		if (n == root)
			break;
		fy_buf_add(&b, ",");
		n = n->next;
	}
	if (b.oom)
	{
		fy_buf_free(&b);
		fyl_oom(P);
		return NULL;
	}
	return b.data;
}

/* ------------------------------------------------------------------ json */

static bool
fyl_is_digit(const fyl_parser *P, size_t i)
{
	return i < P->len && P->s[i] >= '0' && P->s[i] <= '9';
}

/* fyl_json_space skips whitespace and comments; an unclosed comment fails. */
static bool
fyl_json_space(fyl_parser *P)
{
	const unsigned char *s = P->s;

	while (P->pos < P->len)
	{
		size_t		i = P->pos;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			P->pos++;
		else if (s[i] == '/' && i + 1 < P->len && s[i + 1] == '/')
		{
			while (P->pos < P->len && s[P->pos] != '\n')
				P->pos++;
		}
		else if (s[i] == '/' && i + 1 < P->len && s[i + 1] == '*')
		{
			for (P->pos = i + 2;; P->pos++)
			{
				if (P->pos + 1 >= P->len)
					return fyl_fail(P, i, "unterminated comment");
				if (s[P->pos] == '*' && s[P->pos + 1] == '/')
					break;
			}
			P->pos += 2;
		}
		else
			break;
	}
	return true;
}

/* fyl_hex4 reads the four hex digits of a \u escape. */
static bool
fyl_hex4(const unsigned char *s, unsigned *out)
{
	unsigned	v = 0;

	for (int i = 0; i < 4; i++)
	{
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned) (c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/*
 * fyl_json_unicode decodes the \u escape at s[i] (one, or a surrogate
 * pair) into out as UTF-8 and returns its length in the input, 0 when
 * malformed.
 */
static size_t
fyl_json_unicode(fyl_parser *P, size_t i, size_t end, char *out,
				 size_t *outlen)
{
	const unsigned char *s = P->s;
	unsigned	cp;
	unsigned	lo;
	size_t		used = 6;
	size_t		n = 0;

	if (i + 6 > end || !fyl_hex4(s + i + 2, &cp))
	{
		fyl_fail(P, i, "invalid \\u escape");
		return 0;
	}
	if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= end && s[i + 6] == '\\' &&
		s[i + 7] == 'u' && fyl_hex4(s + i + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
	{
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		used = 12;
	}
	else if (cp >= 0xD800 && cp <= 0xDFFF)
	{
		fyl_fail(P, i, "lone surrogate \\u%04X", cp);
		return 0;
	}
	if (cp < 0x80)
		out[n++] = (char) cp;
	else if (cp < 0x800)
	{
		out[n++] = (char) (0xC0 | (cp >> 6));
		out[n++] = (char) (0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		out[n++] = (char) (0xE0 | (cp >> 12));
		out[n++] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[n++] = (char) (0x80 | (cp & 0x3F));
	}
	else
	{
		out[n++] = (char) (0xF0 | (cp >> 18));
		out[n++] = (char) (0x80 | ((cp >> 12) & 0x3F));
		out[n++] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[n++] = (char) (0x80 | (cp & 0x3F));
	}
	*outlen += n;
	return used;
}

/*
 * fyl_json_string reads a string in double or single quotes at P->pos.  It
 * finds the closing quote first, so the decoded bytes (never longer than
 * the quoted text) fit in one arena allocation.
 */
static bool
fyl_json_string(fyl_parser *P, const char **out, size_t *outlen)
{
	const unsigned char *s = P->s;
	unsigned char q = s[P->pos];
	size_t		start = P->pos;
	size_t		end = start + 1;
	size_t		n = 0;
	char	   *d;

	while (end < P->len && s[end] != q)
		end += s[end] == '\\' ? 2 : 1;
	if (end >= P->len)
		return fyl_fail(P, start, "unterminated string");
	d = fy_arena_alloc(P->arena, end - start);
	if (d == NULL)
		return fyl_oom(P);
	for (size_t i = start + 1; i < end;)
	{
		unsigned char c = s[i];
		size_t		k;

		if (c == '\\')
		{
			static const char from[] = "\"\\/'bfnrt";
			static const char to[] = "\"\\/'\b\f\n\r\t";
			const char *e = memchr(from, s[i + 1], sizeof(from) - 1);

			if (s[i + 1] == 'u')
			{
				k = fyl_json_unicode(P, i, end, d + n, &n);
				if (k == 0)
					return false;
				i += k;
				continue;
			}
			if (e == NULL)
				return fyl_fail(P, i, "invalid escape");
			d[n++] = to[e - from];
			i += 2;
			continue;
		}
		if (c < 0x20)
			return fyl_fail(P, i, "control character in string");
		k = fyl_utf8_len(s + i, end - i);
		if (k == 0)
			return fyl_fail(P, i, "invalid UTF-8");
		memcpy(d + n, s + i, k);
		n += k;
		i += k;
	}
	P->pos = end + 1;
	*out = d;
	*outlen = n;
	return true;
}

/* fyl_json_number checks a JSON number and keeps its text as it is. */
static bool
fyl_json_number(fyl_parser *P, size_t *end)
{
	size_t		i = P->pos;

	if (P->s[i] == '-')
		i++;
	if (!fyl_is_digit(P, i))
		return fyl_fail(P, i, "expected a digit");
	if (P->s[i] == '0' && fyl_is_digit(P, i + 1))
		return fyl_fail(P, i, "leading zero in a number");
	while (fyl_is_digit(P, i))
		i++;
	if (i < P->len && P->s[i] == '.')
	{
		if (!fyl_is_digit(P, ++i))
			return fyl_fail(P, i, "expected a digit");
		while (fyl_is_digit(P, i))
			i++;
	}
	if (i < P->len && (P->s[i] == 'e' || P->s[i] == 'E'))
	{
		i++;
		if (i < P->len && (P->s[i] == '+' || P->s[i] == '-'))
			i++;
		if (!fyl_is_digit(P, i))
			return fyl_fail(P, i, "expected a digit");
		while (fyl_is_digit(P, i))
			i++;
	}
	*end = i;
	return true;
}

/* fyl_word: whether the bytes at P->pos are word (true, false, null). */
static bool
fyl_word(const fyl_parser *P, const char *word)
{
	size_t		n = strlen(word);

	return P->len - P->pos >= n && memcmp(P->s + P->pos, word, n) == 0;
}

typedef enum fyl_want
{
	FYL_WANT_VALUE,				/* the document, or after a key's ':' */
	FYL_WANT_ELEMENT,			/* a value or ']' (after '[' or ',') */
	FYL_WANT_KEY,				/* a key or '}' (after '{' or ',') */
	FYL_WANT_COMMA				/* ',' or the container's end */
} fyl_want;

/*
 * fyl_json reads lenient JSON in one loop over a state: the innermost open
 * container is the only stack, so nesting costs no C stack.
 */
static fyl_node *
fyl_json(fyl_parser *P)
{
	fyl_node   *root = NULL;
	fyl_node   *cur = NULL;
	fyl_want	want = FYL_WANT_VALUE;
	const char *key = NULL;
	size_t		keylen = 0;
	size_t		keyat = 0;

	for (;;)
	{
		fyl_node   *n;
		size_t		at;
		unsigned char c;

		if (!fyl_json_space(P))
			return NULL;
		at = P->pos;
		if (at >= P->len)
		{
			if (want == FYL_WANT_COMMA && cur == NULL)
				return root;
			fyl_fail(P, at, "unexpected end of input");
			return NULL;
		}
		c = P->s[at];
		if (want == FYL_WANT_COMMA)
		{
			char		close = cur != NULL && cur->kind == FYL_ARRAY ? ']' : '}';

			if (cur == NULL)
			{
				fyl_fail(P, at, "unexpected data after the value");
				return NULL;
			}
			P->pos++;
			if (c == ',')
				want = cur->kind == FYL_ARRAY ? FYL_WANT_ELEMENT : FYL_WANT_KEY;
			else if (c == (unsigned char) close)
			{
				cur = cur->parent;
				P->depth--;
			}
			else
			{
				fyl_fail(P, at, "expected ',' or '%c'", close);
				return NULL;
			}
			continue;
		}
		if ((want == FYL_WANT_ELEMENT && c == ']') ||
			(want == FYL_WANT_KEY && c == '}'))
		{
			P->pos++;
			cur = cur->parent;
			P->depth--;
			want = FYL_WANT_COMMA;
			continue;
		}
		if (want == FYL_WANT_KEY)
		{
			if (c != '"' && c != '\'')
			{
				fyl_fail(P, at, "expected a quoted key or '}'");
				return NULL;
			}
			keyat = at;
			if (!fyl_json_string(P, &key, &keylen) || !fyl_json_space(P))
				return NULL;
			if (P->pos >= P->len || P->s[P->pos] != ':')
			{
				fyl_fail(P, P->pos, "expected ':'");
				return NULL;
			}
			P->pos++;
			want = FYL_WANT_VALUE;
			continue;
		}
		if (cur == NULL || cur->kind == FYL_ARRAY)
			keyat = at;
		if (c == '{' || c == '[')
		{
			n = fyl_open(P, cur, c == '{' ? FYL_OBJECT : FYL_ARRAY, key,
						 keylen, keyat, at);
			if (n == NULL)
				return NULL;
			P->pos++;
			cur = n;
			want = c == '{' ? FYL_WANT_KEY : FYL_WANT_ELEMENT;
		}
		else
		{
			const char *text = (const char *) P->s + at;
			size_t		len = 0;
			fyl_kind	kind = FYL_RAW;

			if (c == '"' || c == '\'')
			{
				if (!fyl_json_string(P, &text, &len))
					return NULL;
				kind = FYL_STRING;
			}
			else if (c == '-' || (c >= '0' && c <= '9'))
			{
				if (!fyl_json_number(P, &P->pos))
					return NULL;
				len = P->pos - at;
			}
			else if (fyl_word(P, "true") || fyl_word(P, "null"))
				len = 4;
			else if (fyl_word(P, "false"))
				len = 5;
			else
			{
				fyl_fail(P, at, "expected a value");
				return NULL;
			}
			if (kind == FYL_RAW)
				P->pos = at + len;
			n = fyl_leaf(P, cur, kind, key, keylen, keyat, text, len);
			if (n == NULL)
				return NULL;
			want = FYL_WANT_COMMA;
		}
		if (root == NULL)
			root = n;
	}
}

/* ------------------------------------------------------------------- php */

/* fyl_expect consumes one expected byte. */
static bool
fyl_expect(fyl_parser *P, char c)
{
	if (P->pos < P->len && P->s[P->pos] == (unsigned char) c)
	{
		P->pos++;
		return true;
	}
	return fyl_fail(P, P->pos, "expected '%c'", c);
}

/* fyl_php_count reads the unsigned length of an s: or the count of an a:. */
static bool
fyl_php_count(fyl_parser *P, size_t *out)
{
	size_t		v = 0;
	size_t		at = P->pos;

	if (!fyl_is_digit(P, P->pos))
		return fyl_fail(P, P->pos, "expected a digit");
	while (fyl_is_digit(P, P->pos))
	{
		v = v * 10 + (size_t) (P->s[P->pos++] - '0');
		if (v > P->len)
			return fyl_fail(P, at, "length exceeds the input");
	}
	*out = v;
	return true;
}

/*
 * fyl_php_number reads an i: value (real false) or a d: value as PHP's
 * unserialize does ([+-]digits, with a fraction like "1.", ".5" and an
 * exponent for d:) and writes it as a JSON number with every digit kept:
 * no '+', no leading zeros, "0.5" for ".5", "1" for "1.".
 */
static bool
fyl_php_number(fyl_parser *P, bool real, const char **out, size_t *outlen)
{
	const unsigned char *s = P->s;
	size_t		i = P->pos;
	bool		neg = false;
	size_t		ia, iz, fa = 0, fz = 0, ea = 0, ez = 0;
	bool		eneg = false;
	char	   *d;
	size_t		n = 0;

	if (i < P->len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (real && (P->len - i >= 3) &&
		(memcmp(s + i, "INF", 3) == 0 || memcmp(s + i, "NAN", 3) == 0))
		return fyl_fail(P, P->pos, "%.3s has no JSON form", s + i);
	ia = i;
	while (fyl_is_digit(P, i))
		i++;
	iz = i;
	if (real && i < P->len && s[i] == '.')
	{
		fa = ++i;
		while (fyl_is_digit(P, i))
			i++;
		fz = i;
	}
	if (ia == iz && fa == fz)
		return fyl_fail(P, i, "expected a digit");
	if (real && i < P->len && (s[i] == 'e' || s[i] == 'E'))
	{
		i++;
		if (i < P->len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		ea = i;
		while (fyl_is_digit(P, i))
			i++;
		ez = i;
		if (ea == ez)
			return fyl_fail(P, i, "expected a digit");
	}
	while (iz - ia > 1 && s[ia] == '0')
		ia++;
	if (!real && iz - ia == 1 && s[ia] == '0')
		neg = false;
	d = fy_arena_alloc(P->arena, (i - P->pos) + 3);
	if (d == NULL)
		return fyl_oom(P);
	if (neg)
		d[n++] = '-';
	if (ia == iz)
		d[n++] = '0';
	memcpy(d + n, s + ia, iz - ia);
	n += iz - ia;
	if (fz > fa)
	{
		d[n++] = '.';
		memcpy(d + n, s + fa, fz - fa);
		n += fz - fa;
	}
	if (ez > ea)
	{
		d[n++] = 'e';
		if (eneg)
			d[n++] = '-';
		memcpy(d + n, s + ea, ez - ea);
		n += ez - ea;
	}
	P->pos = i;
	*out = d;
	*outlen = n;
	return true;
}

/* fyl_php_string reads the rest of s:<bytes>:"<bytes>" after the "s:". */
static bool
fyl_php_string(fyl_parser *P, const char **out, size_t *outlen)
{
	size_t		n;
	size_t		bad;
	size_t		at;

	if (!fyl_php_count(P, &n) || !fyl_expect(P, ':') || !fyl_expect(P, '"'))
		return false;
	at = P->pos;
	if (n > P->len - at)
		return fyl_fail(P, at, "a string of %zu bytes runs past the end", n);
	bad = fyl_utf8_bad(P->s + at, n);
	if (bad < n)
		return fyl_fail(P, at + bad, "invalid UTF-8");
	P->pos += n;
	if (P->pos >= P->len || P->s[P->pos] != '"')
		return fyl_fail(P, P->pos, "expected '\"' after the %zu bytes of a string", n);
	P->pos++;
	*out = (const char *) P->s + at;
	*outlen = n;
	return true;
}

/* fyl_php_refused names what a PHP type letter stands for that JSON lacks. */
static const char *
fyl_php_refused(unsigned char c)
{
	switch (c)
	{
		case 'O':
		case 'C':
			return "serialized objects";
		case 'E':
			return "enums";
		case 'r':
		case 'R':
			return "references";
		case 'S':
			return "escaped strings";
	}
	return NULL;
}

/* fyl_php_scalar reads one value that is not an array into a leaf of cur. */
static fyl_node *
fyl_php_scalar(fyl_parser *P, fyl_node *cur, const char *key, size_t keylen,
			   size_t keyat)
{
	size_t		at = P->pos;
	unsigned char c = at < P->len ? P->s[at] : 0;
	const char *refused = fyl_php_refused(c);
	const char *text = "null";
	size_t		len = 4;
	fyl_kind	kind = FYL_RAW;

	if (refused != NULL)
	{
		fyl_fail(P, at, "%s (%c:) are not supported", refused, c);
		return NULL;
	}
	if (c != 'N' && c != 'b' && c != 'i' && c != 'd' && c != 's')
	{
		fyl_fail(P, at, "expected a value (N, b, i, d, s or a)");
		return NULL;
	}
	P->pos++;
	if (c != 'N' && !fyl_expect(P, ':'))
		return NULL;
	if (c == 'b')
	{
		if (P->pos >= P->len || (P->s[P->pos] != '0' && P->s[P->pos] != '1'))
		{
			fyl_fail(P, P->pos, "expected 0 or 1");
			return NULL;
		}
		text = P->s[P->pos++] == '1' ? "true" : "false";
		len = strlen(text);
	}
	else if (c == 's')
	{
		if (!fyl_php_string(P, &text, &len))
			return NULL;
		kind = FYL_STRING;
	}
	else if (c != 'N' && !fyl_php_number(P, c == 'd', &text, &len))
		return NULL;
	if (!fyl_expect(P, ';'))
		return NULL;
	return fyl_leaf(P, cur, kind, key, keylen, keyat, text, len);
}

/* fyl_php_key reads an array key: i:<int>; or s:<n>:"<bytes>";. */
static bool
fyl_php_key(fyl_parser *P, const char **key, size_t *keylen)
{
	unsigned char c = P->pos < P->len ? P->s[P->pos] : 0;

	if ((c != 'i' && c != 's') || P->pos + 1 >= P->len || P->s[P->pos + 1] != ':')
		return fyl_fail(P, P->pos, "expected an array key (i: or s:)");
	P->pos += 2;
	if (c == 'i' ? !fyl_php_number(P, false, key, keylen)
		: !fyl_php_string(P, key, keylen))
		return false;
	return fyl_expect(P, ';');
}

/*
 * fyl_php reads serialize() output in one loop, like fyl_json: cur is the
 * innermost open array, which takes a key and a value at a time until the
 * count it declared, then its '}'.
 */
static fyl_node *
fyl_php(fyl_parser *P)
{
	fyl_node   *root = NULL;
	fyl_node   *cur = NULL;

	for (;;)
	{
		const char *key = NULL;
		size_t		keylen = 0;
		size_t		at = P->pos;
		fyl_node   *n;

		if (cur != NULL && cur->count == cur->want)
		{
			if (!fyl_expect(P, '}'))
				return NULL;
			cur = cur->parent;
			P->depth--;
			if (cur == NULL)
				break;
			continue;
		}
		if (cur != NULL && at < P->len && P->s[at] == '}')
		{
			fyl_fail(P, at, "the array declares %zu elements but has %zu",
					 cur->want, cur->count);
			return NULL;
		}
		if (cur != NULL && !fyl_php_key(P, &key, &keylen))
			return NULL;
		if (P->pos < P->len && P->s[P->pos] == 'a')
		{
			size_t		want;
			size_t		open = P->pos++;

			if (!fyl_expect(P, ':') || !fyl_php_count(P, &want) ||
				!fyl_expect(P, ':') || !fyl_expect(P, '{'))
				return NULL;
			n = fyl_open(P, cur, FYL_MAP, key, keylen, at, open);
			if (n == NULL)
				return NULL;
			n->want = want;
			cur = n;
		}
		else
		{
			n = fyl_php_scalar(P, cur, key, keylen, at);
			if (n == NULL)
				return NULL;
		}
		if (root == NULL)
			root = n;
		if (cur == NULL)
			break;
	}
	while (P->pos < P->len && (P->s[P->pos] == ' ' || P->s[P->pos] == '\t' ||
							   P->s[P->pos] == '\n' || P->s[P->pos] == '\r'))
		P->pos++;
	if (P->pos < P->len)
	{
		fyl_fail(P, P->pos, "unexpected data after the value");
		return NULL;
	}
	return root;
}

/* ----------------------------------------------------------------- query */

static int
fyl_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * fyl_query_at maps the index of a decoded byte back to its offset in the
 * input, so an error in a decoded key still names the byte to look at.
 */
static size_t
fyl_query_at(const fyl_parser *P, size_t from, size_t k)
{
	for (size_t d = 0; d < k; d++)
		from += P->s[from] == '%' ? 3 : 1;
	return from;
}

/* fyl_query_decode decodes s[from, to): '+' is a space, %XX a byte. */
static bool
fyl_query_decode(fyl_parser *P, size_t from, size_t to, const char **out,
				 size_t *outlen)
{
	char	   *d = fy_arena_alloc(P->arena, to - from);
	size_t		n = 0;
	size_t		bad;

	if (d == NULL)
		return fyl_oom(P);
	for (size_t i = from; i < to; i++)
	{
		if (P->s[i] == '+')
			d[n++] = ' ';
		else if (P->s[i] != '%')
			d[n++] = (char) P->s[i];
		else if (i + 2 < to && fyl_hexval(P->s[i + 1]) >= 0 &&
				 fyl_hexval(P->s[i + 2]) >= 0)
		{
			d[n++] = (char) (fyl_hexval(P->s[i + 1]) * 16 + fyl_hexval(P->s[i + 2]));
			i += 2;
		}
		else
			return fyl_fail(P, i, "invalid percent escape");
	}
	bad = fyl_utf8_bad((const unsigned char *) d, n);
	if (bad < n)
		return fyl_fail(P, fyl_query_at(P, from, bad), "invalid UTF-8");
	*out = d;
	*outlen = n;
	return true;
}

/* fyl_next_key makes the key "[]" appends at: PHP's next integer key. */
static bool
fyl_next_key(fyl_parser *P, const fyl_node *map, const char **key,
			 size_t *keylen, const char *name, size_t namelen, size_t at)
{
	char	   *d;
	char		shown[80];

	if (map->next_index < 0)
		return fyl_fail(P, at, "no free integer key left for \"%s\"",
						fyl_show(name, namelen, shown));
	d = fy_arena_alloc(P->arena, 24);
	if (d == NULL)
		return fyl_oom(P);
	*keylen = (size_t) snprintf(d, 24, "%lld", (long long) map->next_index);
	*key = d;
	return true;
}

/*
 * fyl_query_pair adds one name=value pair to the document: the name's
 * brackets lead down through nested PHP arrays, made as needed; its last
 * part receives the value.
 */
static bool
fyl_query_pair(fyl_parser *P, fyl_node *root, size_t from, size_t to)
{
	size_t		eq = from;
	const char *name;
	size_t		namelen;
	const char *value = "";
	size_t		valuelen = 0;
	fyl_node   *cont = root;
	const char *part;
	size_t		partlen;
	bool		append = false;
	size_t		i = 0;
	char		shown[80];

	while (eq < to && P->s[eq] != '=')
		eq++;
	if (!fyl_query_decode(P, from, eq, &name, &namelen) ||
		(eq < to && !fyl_query_decode(P, eq + 1, to, &value, &valuelen)))
		return false;
	while (i < namelen && name[i] != '[')
		i++;
	part = name;
	partlen = i;
	for (int depth = 1; i < namelen; depth++)
	{
		size_t		j = i + 1;
		fyl_node   *next = NULL;

		while (j < namelen && name[j] != ']')
			j++;
		if (j >= namelen)
			return fyl_fail(P, fyl_query_at(P, from, i), "unclosed '[' in a key");
		if (depth >= FYL_MAX_DEPTH)
			return fyl_fail(P, fyl_query_at(P, from, i),
							"nesting deeper than %d levels", FYL_MAX_DEPTH);
		if (append && !fyl_next_key(P, cont, &part, &partlen, name, i, from))
			return false;
		if (!append)
			next = fyl_lookup(P, cont, part, partlen);
		if (next != NULL && next->kind != FYL_MAP)
			return fyl_fail(P, from, "\"%s\" has both a value and keys",
							fyl_show(name, i, shown));
		if (next == NULL)
			next = fyl_add(P, cont, FYL_MAP, part, partlen, from);
		if (next == NULL)
			return false;
		cont = next;
		part = name + i + 1;
		partlen = j - i - 1;
		append = partlen == 0;
		i = j + 1;
		if (i < namelen && name[i] != '[')
			return fyl_fail(P, fyl_query_at(P, from, i),
							"expected '[' after ']' in a key");
	}
	if (append && !fyl_next_key(P, cont, &part, &partlen, name, namelen, from))
		return false;
	if (fyl_lookup(P, cont, part, partlen) != NULL)
		return fyl_fail(P, from, "duplicate key \"%s\"",
						fyl_show(name, namelen, shown));
	return fyl_leaf(P, cont, FYL_STRING, part, partlen, from, value,
					valuelen) != NULL;
}

/* fyl_query reads '&'-separated pairs into an object; empty pairs are none. */
static fyl_node *
fyl_query(fyl_parser *P)
{
	fyl_node   *root = fyl_add(P, NULL, FYL_OBJECT, NULL, 0, 0);
	size_t		from = 0;

	while (root != NULL && from < P->len)
	{
		size_t		to = from;

		while (to < P->len && P->s[to] != '&')
			to++;
		if (to > from && !fyl_query_pair(P, root, from, to))
			return NULL;
		from = to + 1;
	}
	return root;
}

/* -------------------------------------------------------------------- kv */

/* fyl_find: where sep first occurs in s[from, to), or to. */
static size_t
fyl_find(const fyl_parser *P, size_t from, size_t to, const char *sep,
		 size_t seplen)
{
	for (size_t i = from; i + seplen <= to; i++)
		if (P->s[i] == (unsigned char) sep[0] && memcmp(P->s + i, sep, seplen) == 0)
			return i;
	return to;
}

static bool
fyl_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * fyl_kv_pair adds the pair s[from, to): the key trimmed, the value exact;
 * a blank pair is skipped.
 */
static bool
fyl_kv_pair(fyl_parser *P, fyl_node *root, size_t from, size_t to)
{
	size_t		sep = fyl_find(P, from, to, P->keysep, P->keyseplen);
	size_t		ka = from;
	size_t		kz = sep;
	size_t		va = sep < to ? sep + P->keyseplen : to;
	size_t		bad;

	while (ka < kz && fyl_is_space(P->s[ka]))
		ka++;
	while (kz > ka && fyl_is_space(P->s[kz - 1]))
		kz--;
	if (ka == kz && sep == to)
		return true;
	bad = fyl_utf8_bad(P->s + ka, kz - ka);
	if (bad < kz - ka)
		return fyl_fail(P, ka + bad, "invalid UTF-8");
	bad = fyl_utf8_bad(P->s + va, to - va);
	if (bad < to - va)
		return fyl_fail(P, va + bad, "invalid UTF-8");
	return fyl_leaf(P, root, FYL_STRING, (const char *) P->s + ka, kz - ka, ka,
					(const char *) P->s + va, to - va) != NULL;
}

/* fyl_kv reads pairs separated by the pair separator into an object. */
static fyl_node *
fyl_kv(fyl_parser *P)
{
	fyl_node   *root = fyl_add(P, NULL, FYL_OBJECT, NULL, 0, 0);
	size_t		from = 0;

	while (root != NULL)
	{
		size_t		to = fyl_find(P, from, P->len, P->pairsep, P->pairseplen);

		if (!fyl_kv_pair(P, root, from, to))
			return NULL;
		if (to == P->len)
			break;
		from = to + P->pairseplen;
	}
	return root;
}

/*
 * fyl_kv_sep reads one separator of a "kv:" format up to an unescaped ':'
 * (stop) or the end, decoding \n \t \r \\ \:.
 */
static bool
fyl_kv_sep(const char **pp, bool stop, char *out, size_t *outlen)
{
	const char *p = *pp;
	size_t		n = 0;

	for (; *p != '\0' && !(stop && *p == ':'); p++)
	{
		char		c = *p;

		if (c == '\\')
		{
			static const char from[] = "nrt\\:";
			static const char to[] = "\n\r\t\\:";
			const char *e = p[1] != '\0' ? strchr(from, p[1]) : NULL;

			if (e == NULL)
				return false;
			c = to[e - from];
			p++;
		}
		if (n == FYL_MAX_SEP)
			return false;
		out[n++] = c;
	}
	*pp = p;
	*outlen = n;
	return n > 0;
}

/* fyl_contains: whether a holds b. */
static bool
fyl_contains(const char *a, size_t alen, const char *b, size_t blen)
{
	for (size_t i = 0; i + blen <= alen; i++)
		if (memcmp(a + i, b, blen) == 0)
			return true;
	return false;
}

/* fyl_format_parse reads the format argument, the kv separators too. */
static bool
fyl_format_parse(fyl_parser *P, const char *format, fyl_format *out)
{
	static const char *const names[] = {"json", "php", "query", "kv"};
	const char *p;
	char		shown[80];

	for (int i = 0; i < 4; i++)
		if (strcmp(format, names[i]) == 0)
		{
			*out = (fyl_format) i;
			P->name = names[i];
			P->pairsep[0] = ';';
			P->pairseplen = 1;
			P->keysep[0] = '=';
			P->keyseplen = 1;
			return true;
		}
	*out = FYL_KV;
	P->name = "kv";
	p = format + 3;
	if (strncmp(format, "kv:", 3) == 0 &&
		fyl_kv_sep(&p, true, P->pairsep, &P->pairseplen) && *p++ == ':' &&
		fyl_kv_sep(&p, false, P->keysep, &P->keyseplen) &&
		!fyl_contains(P->pairsep, P->pairseplen, P->keysep, P->keyseplen) &&
		!fyl_contains(P->keysep, P->keyseplen, P->pairsep, P->pairseplen))
		return true;
	if (strncmp(format, "kv:", 3) == 0)
		return fy_fail(P->err, FY_ERR_INVALID_SPEC,
					   "invalid kv format \"%s\": expected kv:<pair separator>:<key separator>, each 1 to %d bytes, neither containing the other",
					   fyl_show(format, strlen(format), shown), FYL_MAX_SEP);
	return fy_fail(P->err, FY_ERR_INVALID_SPEC,
				   "unknown legacy format \"%s\": expected json, php, query, kv or kv:<pair separator>:<key separator>",
				   fyl_show(format, strlen(format), shown));
}

/* ------------------------------------------------------------------ API */

char *
fy_legacy_to_json(const char *text, size_t len, const char *format,
				  fy_error *err)
{
	fyl_parser	P;
	fyl_format	f;
	fyl_node   *root = NULL;
	char	   *out = NULL;

	memset(&P, 0, sizeof(P));
	P.s = (const unsigned char *) text;
	P.len = len;
	P.err = err;
	if (text == NULL || format == NULL)
	{
		fy_fail(err, FY_ERR_NULL_ARGUMENT, "legacy text and format must not be NULL");
		return NULL;
	}
	if (!fyl_format_parse(&P, format, &f))
		return NULL;
	if (len > FYL_MAX_INPUT)
	{
		fy_fail(err, FY_ERR_NOT_SUPPORTED,
				"%s: the input is %zu bytes, more than the limit of 64 MiB",
				P.name, len);
		return NULL;
	}
	P.arena = fy_arena_new();
	if (P.arena == NULL)
	{
		fyl_oom(&P);
		return NULL;
	}
	if (f == FYL_JSON)
		root = fyl_json(&P);
	else if (f == FYL_PHP)
		root = fyl_php(&P);
	else if (f == FYL_QUERY)
		root = fyl_query(&P);
	else
		root = fyl_kv(&P);
	if (root != NULL)
		out = fyl_print(&P, root);
	fy_release(P.slots);
	fy_arena_free(P.arena);
	return out;
}
