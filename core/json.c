/*
 * json.c -- JSON reshaping in the core: key case conversion for now (the
 * "keys" conversions of a column, seed 002's PascalCase -> snake_case).
 */
#include "ferry.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include <cjson/cJSON.h>

bool
fy_case_parse(const char *name, fy_case *out)
{
	static const struct
	{
		const char *name;
		fy_case		c;
	}			styles[] = {
		{"snake", FY_CASE_SNAKE}, {"pascal", FY_CASE_PASCAL}, {"camel", FY_CASE_CAMEL},
		{NULL, FY_CASE_SNAKE}
	};

	for (int i = 0; name != NULL && styles[i].name; i++)
		if (strcmp(styles[i].name, name) == 0)
		{
			*out = styles[i].c;
			return true;
		}
	return false;
}

/* ASCII letters only, whatever the locale (a byte of a UTF-8 character is never one) */
#define FYJ_UPPER(c) ((c) >= 'A' && (c) <= 'Z')
#define FYJ_LOWER(c) ((c) >= 'a' && (c) <= 'z')

/*
 * fy_key_case converts one key.  To snake_case, a word starts at an upper
 * case letter after a lower case letter or digit, and at the last upper
 * case letter of a run followed by a lower case one, so "OrderID" becomes
 * "order_id" and "HTTPServer" "http_server".  From snake_case, every part
 * after an underscore starts upper case (and the first one too for
 * PascalCase).  Only ASCII letters change case.
 */
void
fy_key_case(fy_buf *b, const char *key, fy_case style)
{
	size_t		n = strlen(key);
	char		stack[256];
	/* at most one underscore per letter: written here, then added at once */
	char	   *out = 2 * n + 1 <= sizeof(stack) ? stack : fy_alloc(2 * n + 1);
	size_t		o = 0;
	bool		up = style == FY_CASE_PASCAL;

	if (out == NULL)
	{
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
	{
		char		c = key[i];

		if (style == FY_CASE_SNAKE)
		{
			if (FYJ_UPPER(c) && i > 0 && key[i - 1] != '_')
			{
				char		p = key[i - 1];
				char		nx = key[i + 1];	/* the NUL at the end */

				if (FYJ_LOWER(p) || (p >= '0' && p <= '9') || (FYJ_UPPER(p) && FYJ_LOWER(nx)))
					out[o++] = '_';
			}
			out[o++] = FYJ_UPPER(c) ? c + ('a' - 'A') : c;
			continue;
		}
		if (c == '_' && i + 1 < n && i > 0)
		{
			up = true;
			continue;
		}
		out[o++] = up && FYJ_LOWER(c) ? c - ('a' - 'A') : c;
		up = false;
	}
	if (o > 0)
		fy_buf_addn(b, out, o);
	if (out != stack)
		fy_release(out);
}

/*
 * fy_json_keys_case converts every object key of a document, at any depth.
 * Two keys of one object that convert to the same key ("userId" and
 * "user_id") would lose a value: that is an error naming both, found
 * before any key of the object changes.
 */
bool
fy_json_keys_case(void *doc, fy_case style, fy_error *err)
{
	cJSON	   *node = doc;
	cJSON	   *c;
	int			n = 0;
	char	  **keys;
	bool		ok = true;

	if (node == NULL)
		return true;
	if (cJSON_IsObject(node) && node->child != NULL)
	{
		n = cJSON_GetArraySize(node);
		keys = fy_alloc(sizeof(char *) * (size_t) n);
		if (keys == NULL)
			return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
		n = 0;
		for (c = node->child; c != NULL && ok; c = c->next)
		{
			fy_buf		b;

			fy_buf_init(&b);
			fy_key_case(&b, c->string, style);
			fy_buf_add(&b, "");
			if (b.oom)
				ok = fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			keys[n] = b.data;
			for (int k = 0; k < n && ok; k++)
				if (strcmp(keys[k], keys[n]) == 0)
				{
					cJSON	   *first = node->child;

					for (int j = 0; j < k; j++)
						first = first->next;
					ok = fy_fail(err, FY_ERR_INVALID_SPEC,
								 "keys \"%s\" and \"%s\" of one object would both become \"%s\"",
								 first->string, c->string, keys[n]);
				}
			n++;
		}
		c = node->child;
		for (int k = 0; k < n; k++, c = c->next)
		{
			if (ok)
			{
				if (!(c->type & cJSON_StringIsConst))
					fy_release(c->string);
				c->string = keys[k];
				c->type &= ~cJSON_StringIsConst;
			}
			else
				fy_release(keys[k]);
		}
		fy_release(keys);
		if (!ok)
			return false;
	}
	for (c = node->child; c != NULL; c = c->next)
		if (!fy_json_keys_case(c, style, err))
			return false;
	return true;
}

static const char *const fy_convert_names[] = {
	"epoch_to_timestamp", "timestamp_to_epoch", "cents_to_decimal",
	"decimal_to_cents", "flag_to_deleted_at", "deleted_at_to_flag",
	"keys_to_snake_case", "keys_to_pascal_case", "keys_to_camel_case"
};

bool
fy_convert_parse(const char *name, fy_convert *out)
{
	for (int i = 0; i < (int) (sizeof(fy_convert_names) / sizeof(fy_convert_names[0])); i++)
		if (name != NULL && strcmp(fy_convert_names[i], name) == 0)
		{
			*out = (fy_convert) i;
			return true;
		}
	return false;
}

const char *
fy_convert_name(fy_convert c)
{
	return fy_convert_names[c];
}

/*
 * fy_convert_inverse pairs each conversion with the one that undoes it, for
 * the round trip of validation and the views that show the old shape.  Key
 * case is exact for keys that were snake_case; PascalCase keys with
 * acronyms ("OrderID") come back as "OrderId".
 */
fy_convert
fy_convert_inverse(fy_convert c)
{
	switch (c)
	{
		case FY_CONV_EPOCH_TO_TIMESTAMP:
			return FY_CONV_TIMESTAMP_TO_EPOCH;
		case FY_CONV_TIMESTAMP_TO_EPOCH:
			return FY_CONV_EPOCH_TO_TIMESTAMP;
		case FY_CONV_CENTS_TO_DECIMAL:
			return FY_CONV_DECIMAL_TO_CENTS;
		case FY_CONV_DECIMAL_TO_CENTS:
			return FY_CONV_CENTS_TO_DECIMAL;
		case FY_CONV_FLAG_TO_DELETED_AT:
			return FY_CONV_DELETED_AT_TO_FLAG;
		case FY_CONV_DELETED_AT_TO_FLAG:
			return FY_CONV_FLAG_TO_DELETED_AT;
		case FY_CONV_KEYS_TO_SNAKE:
			return FY_CONV_KEYS_TO_PASCAL;
		case FY_CONV_KEYS_TO_PASCAL:
		case FY_CONV_KEYS_TO_CAMEL:
			break;
	}
	return FY_CONV_KEYS_TO_SNAKE;
}

/* ------------------------------------------------- numbers as written */

/*
 * cJSON keeps a number only as a double, so 12345678901234567890 would come
 * back as 12345678901234567000, 1e400 as null and 12.30 as 12.3: a value
 * changed without a word.  fy_json_parse keeps each number's text as it was
 * written in the node's valuestring (cJSON frees it with the node), and
 * fy_json_print writes that text back, so a value no operation touched
 * leaves exactly as it came.
 */

/* fyj_number_len: the length of the JSON number at p (RFC 8259), 0 if none. */
static size_t
fyj_number_len(const char *p, const char *end)
{
	const char *s = p;

	if (s < end && *s == '-')
		s++;
	if (s < end && *s == '0')
		s++;
	else if (s < end && *s >= '1' && *s <= '9')
		while (s < end && isdigit((unsigned char) *s))
			s++;
	else
		return 0;
	if (s + 1 < end && *s == '.' && isdigit((unsigned char) s[1]))
		for (s++; s < end && isdigit((unsigned char) *s); s++)
			;
	if (s < end && (*s == 'e' || *s == 'E'))
	{
		const char *e = s + 1;

		if (e < end && (*e == '+' || *e == '-'))
			e++;
		if (e < end && isdigit((unsigned char) *e))
			for (s = e; s < end && isdigit((unsigned char) *s); s++)
				;
	}
	return (size_t) (s - p);
}

/*
 * fyj_number_text keeps s (n bytes) as the text of number node when it is
 * a JSON number by the RFC (cJSON reads "01" too: that one keeps the
 * double); false when out of memory.
 */
static bool
fyj_number_text(cJSON *node, const char *s, size_t n)
{
	char	   *end;

	if (fyj_number_len(s, s + n) != n)
		return true;
	/* and only the text of this very number: read back, it is the double cJSON read */
	if (strtod(s, &end) != node->valuedouble || end != s + n)
		return true;
	if ((node->valuestring = fy_alloc(n + 1)) == NULL)
		return false;
	memcpy(node->valuestring, s, n);
	node->valuestring[n] = '\0';
	return true;
}

/*
 * fyj_keep_numbers gives every number node under node, in document order,
 * the text of the next number token after *p (strings skipped): cJSON
 * keeps members in the order it read them.
 */
static bool
fyj_keep_numbers(cJSON *node, const char **p, const char *end)
{
	if (cJSON_IsNumber(node))
	{
		const char *s = *p;
		size_t		run = 0;

		/* the text up to end is NUL-terminated: strcspn cannot run past it */
		while (s < end && (s += strcspn(s, "\"-0123456789")) < end && *s == '"')
			for (s++; s < end && (s += strcspn(s, "\"\\")) < end; s += 2)
				if (*s == '"')
				{
					s++;
					break;
				}
		if (s < end)
			run = strspn(s, "+-.eE0123456789");
		if (run > (size_t) (end - s))
			run = (size_t) (end - s);
		*p = s + run;
		return run == 0 || fyj_number_text(node, s, run);
	}
	for (cJSON *c = node->child; c != NULL; c = c->next)
		if (!fyj_keep_numbers(c, p, end))
			return false;
	return true;
}

bool
fy_json_keep_numbers(void *root, const char *text, const char *end)
{
	const char *p = text;

	return fyj_keep_numbers(root, &p, end);
}

void *
fy_json_parse(const char *text)
{
	const char *end = NULL;
	cJSON	   *root = cJSON_ParseWithOpts(text, &end, false);

	if (root != NULL && !fy_json_keep_numbers(root, text, end))
	{
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* fyj_raw_numbers turns the numbers that carry their text into raw text for printing, and back. */
static void
fyj_raw_numbers(cJSON *node, bool raw)
{
	if (raw && cJSON_IsNumber(node) && node->valuestring != NULL)
		node->type = (node->type & ~0xFF) | cJSON_Raw;
	else if (!raw && cJSON_IsRaw(node))
		node->type = (node->type & ~0xFF) | cJSON_Number;
	for (cJSON *c = node->child; c != NULL; c = c->next)
		fyj_raw_numbers(c, raw);
}

char *
fy_json_print(void *doc)
{
	char	   *out;

	fyj_raw_numbers(doc, true);
	out = cJSON_PrintUnformatted(doc);
	fyj_raw_numbers(doc, false);
	return out;
}

/* ------------------------------------------------------ json_restructure */

#define FY_JSON_MAX_DEPTH 512

/* fyj_op_fail names the operation by its index (from 0) and its name. */
static bool fyj_op_fail(fy_error *err, int i, const char *name, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

static bool
fyj_op_fail(fy_error *err, int i, const char *name, const char *fmt,...)
{
	va_list		ap;
	char		msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fy_fail(err, FY_ERR_INVALID_SPEC, "restructure operation %d (%s): %s",
				   i, name ? name : "?", msg);
}

static cJSON *
fyj_member(cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/*
 * fyj_walk finds the parent object of a dot-separated path and the last
 * key; with create, missing intermediate objects are made.  The key is
 * written into last (a caller's buffer).
 */
static cJSON *
fyj_walk(cJSON *doc, const char *path, bool create, char *last, size_t lastsz)
{
	cJSON	   *node = doc;
	const char *p = path;

	for (;;)
	{
		const char *dot = strchr(p, '.');
		size_t		n = dot ? (size_t) (dot - p) : strlen(p);
		char		key[256];
		cJSON	   *next;

		if (n == 0 || n >= sizeof(key) || !cJSON_IsObject(node))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (dot == NULL)
		{
			if (n >= lastsz)
				return NULL;
			memcpy(last, key, n + 1);
			return node;
		}
		next = cJSON_GetObjectItemCaseSensitive(node, key);
		if (next == NULL && create)
			next = cJSON_AddObjectToObject(node, key);
		if (next == NULL)
			return NULL;
		node = next;
		p = dot + 1;
	}
}

/*
 * fyj_prune removes the objects along path (its parents, innermost first)
 * that a move left empty, so that a rename into "a.b" and back leaves no
 * empty "a" behind: the inverse of a rename is then exact.
 */
static void
fyj_prune(cJSON *doc, const char *path)
{
	char		prefix[512];
	size_t		n = strlen(path);

	if (n >= sizeof(prefix))
		return;
	memcpy(prefix, path, n + 1);
	for (;;)
	{
		char	   *dot = strrchr(prefix, '.');
		char		last[256];
		cJSON	   *parent;
		cJSON	   *obj;

		if (dot == NULL)
			return;
		*dot = '\0';
		parent = fyj_walk(doc, prefix, false, last, sizeof(last));
		obj = parent ? cJSON_GetObjectItemCaseSensitive(parent, last) : NULL;
		if (obj == NULL || !cJSON_IsObject(obj) || obj->child != NULL)
			return;
		cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
	}
}

/* fyj_get: the value at path, or NULL when it is not there. */
static cJSON *
fyj_get(cJSON *doc, const char *path)
{
	char		last[256];
	cJSON	   *parent = fyj_walk(doc, path, false, last, sizeof(last));

	return parent ? cJSON_GetObjectItemCaseSensitive(parent, last) : NULL;
}

static const char *
fyj_str(const cJSON *op, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(op, key);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/*
 * fyj_scalar_text: a scalar as text ("1", "true"): a number as written when
 * exact (a value cast or joined into a string), else in its shortest form
 * (map_values compares 1.0 and 1 alike).
 */
static bool
fyj_scalar_text(const cJSON *v, char *out, size_t n, bool exact)
{
	if (cJSON_IsString(v))
		snprintf(out, n, "%s", v->valuestring);
	else if (cJSON_IsBool(v))
		snprintf(out, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v) && exact && v->valuestring != NULL)
		snprintf(out, n, "%s", v->valuestring);
	else if (cJSON_IsNumber(v))
	{
		double		x = v->valuedouble;

		/* the range first: converting a double outside long long's is undefined */
		if (x > -9e15 && x < 9e15 && x == (double) (long long) x)
			snprintf(out, n, "%lld", (long long) x);
		else
			snprintf(out, n, "%.17g", x);
	}
	else if (cJSON_IsNull(v))
		snprintf(out, n, "null");
	else
		return false;
	return true;
}

/* fyj_cast_value converts one value; false when it does not convert. */
static bool
fyj_cast_value(cJSON *v, const char *to, cJSON **out)
{
	char		buf[64];

	*out = NULL;
	if (cJSON_IsNull(v))
		return (*out = cJSON_CreateNull()) != NULL;
	if (strcmp(to, "string") == 0)
	{
		if (cJSON_IsString(v))
			*out = cJSON_CreateString(v->valuestring);
		else if (fyj_scalar_text(v, buf, sizeof(buf), true))
			*out = cJSON_CreateString(buf);
		return *out != NULL;
	}
	if (strcmp(to, "number") == 0)
	{
		if (cJSON_IsNumber(v))
			*out = cJSON_Duplicate(v, false);
		else if (cJSON_IsBool(v))
			*out = cJSON_CreateNumber(cJSON_IsTrue(v) ? 1 : 0);
		else if (cJSON_IsString(v))
		{
			char	   *end;
			const char *s = v->valuestring;
			double		x;
			size_t		digits;

			while (isspace((unsigned char) *s))
				s++;
			if (*s == '\0')
				return false;
			x = strtod(s, &end);
			digits = (size_t) (end - s);
			while (isspace((unsigned char) *end))
				end++;
			if (*end != '\0' || x != x || x - x != 0)
				return false;
			/* a string that is a JSON number keeps its digits (the inverse of a cast to string) */
			if ((*out = cJSON_CreateNumber(x)) != NULL && !fyj_number_text(*out, s, digits))
			{
				cJSON_Delete(*out);
				*out = NULL;
			}
		}
		return *out != NULL;
	}
	/* boolean */
	if (cJSON_IsBool(v))
		*out = cJSON_CreateBool(cJSON_IsTrue(v));
	else if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1))
		*out = cJSON_CreateBool(v->valuedouble == 1);
	else if (cJSON_IsString(v))
	{
		static const char *const yes[] = {"true", "t", "yes", "y", "1", NULL};
		static const char *const no[] = {"false", "f", "no", "n", "0", NULL};

		for (int i = 0; yes[i] && *out == NULL; i++)
			if (strcasecmp(v->valuestring, yes[i]) == 0)
				*out = cJSON_CreateTrue();
		for (int i = 0; no[i] && *out == NULL; i++)
			if (strcasecmp(v->valuestring, no[i]) == 0)
				*out = cJSON_CreateFalse();
	}
	return *out != NULL;
}

/* fyj_split: a string cut at any of the separators, parts trimmed when asked. */
static cJSON *
fyj_split(const char *s, const cJSON *seps, bool trim)
{
	cJSON	   *arr = cJSON_CreateArray();
	const char *start = s;

	if (arr == NULL)
		return NULL;
	for (const char *p = s;; p++)
	{
		size_t		seplen = 0;
		const cJSON *sep;

		if (*p != '\0')
			cJSON_ArrayForEach(sep, seps)
			{
				size_t		n = strlen(sep->valuestring);

				if (n > 0 && strncmp(p, sep->valuestring, n) == 0)
				{
					seplen = n;
					break;
				}
			}
		if (*p == '\0' || seplen > 0)
		{
			const char *a = start,
					   *b = p;
			char	   *part;

			if (trim)
			{
				while (a < b && isspace((unsigned char) *a))
					a++;
				while (b > a && isspace((unsigned char) b[-1]))
					b--;
			}
			if (!(trim && a == b))
			{
				part = fy_alloc((size_t) (b - a) + 1);
				if (part == NULL)
				{
					cJSON_Delete(arr);
					return NULL;
				}
				memcpy(part, a, (size_t) (b - a));
				part[b - a] = '\0';
				cJSON_AddItemToArray(arr, cJSON_CreateString(part));
				fy_release(part);
			}
			if (*p == '\0')
				break;
			p += seplen - 1;
			start = p + 1;
		}
	}
	return arr;
}

/* fyj_keys: the "keys" array of an operation, all strings. */
static const cJSON *
fyj_keys(const cJSON *op)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(op, "keys");
	const cJSON *x;

	if (!cJSON_IsArray(k))
		return NULL;
	cJSON_ArrayForEach(x, k)
		if (!cJSON_IsString(x) || x->valuestring[0] == '\0')
		return NULL;
	return k;
}

/*
 * fyj_apply_op applies one operation to the document in place.  The
 * document's root is an object for every operation but key_case; paths
 * that are not there leave the document as it is (a document need not
 * carry every key), a value of the wrong type is an error.
 */
static bool
fyj_apply_op(cJSON *doc, const cJSON *op, int i, fy_error *err)
{
	const char *name = fyj_str(op, "op");
	char		last[256];
	cJSON	   *parent;
	cJSON	   *v;

	if (name == NULL)
		return fyj_op_fail(err, i, "?", "needs \"op\"");
	if (strcmp(name, "key_case") == 0)
	{
		fy_case		from, to;
		const char *f = fyj_str(op, "from");

		if (!fy_case_parse(fyj_str(op, "to"), &to) || (f && !fy_case_parse(f, &from)))
			return fyj_op_fail(err, i, name, "\"to\" (and \"from\") must be snake, camel or pascal");
		return fy_json_keys_case(doc, to, err);
	}
	if (!cJSON_IsObject(doc))
		return fyj_op_fail(err, i, name, "the document is not an object");
	if (strcmp(name, "rename") == 0)
	{
		const char *from = fyj_str(op, "from"),
				   *to = fyj_str(op, "to");
		char		tolast[256];
		cJSON	   *dest;

		if (from == NULL || to == NULL)
			return fyj_op_fail(err, i, name, "needs \"from\" and \"to\"");
		if ((parent = fyj_walk(doc, from, false, last, sizeof(last))) == NULL ||
			(v = cJSON_GetObjectItemCaseSensitive(parent, last)) == NULL)
			return true;
		if (fyj_get(doc, to) != NULL)
			return fyj_op_fail(err, i, name, "\"%s\" is already there; renaming onto it would lose a value", to);
		v = cJSON_DetachItemFromObjectCaseSensitive(parent, last);
		if ((dest = fyj_walk(doc, to, true, tolast, sizeof(tolast))) == NULL)
		{
			cJSON_AddItemToObject(parent, last, v);
			return fyj_op_fail(err, i, name, "bad path \"%s\"", to);
		}
		cJSON_AddItemToObject(dest, tolast, v);
		fyj_prune(doc, from);
		return true;
	}
	if (strcmp(name, "nest") == 0 || strcmp(name, "unnest") == 0)
	{
		const cJSON *keys = fyj_keys(op);
		const char *into = fyj_str(op, strcmp(name, "nest") == 0 ? "into" : "path");
		const cJSON *k;
		cJSON	   *box;

		if (keys == NULL || into == NULL)
			return fyj_op_fail(err, i, name, "needs \"keys\" and \"%s\"",
							   strcmp(name, "nest") == 0 ? "into" : "path");
		if (strcmp(name, "nest") == 0)
		{
			box = fyj_member(doc, into);
			if (box != NULL && !cJSON_IsObject(box))
				return fyj_op_fail(err, i, name, "\"%s\" is not an object", into);
			cJSON_ArrayForEach(k, keys)
			{
				if ((v = cJSON_DetachItemFromObjectCaseSensitive(doc, k->valuestring)) == NULL)
					continue;
				if (box == NULL && (box = cJSON_AddObjectToObject(doc, into)) == NULL)
					return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
				if (cJSON_GetObjectItemCaseSensitive(box, k->valuestring) != NULL)
				{
					cJSON_Delete(v);
					return fyj_op_fail(err, i, name, "\"%s.%s\" is already there", into, k->valuestring);
				}
				cJSON_AddItemToObject(box, k->valuestring, v);
			}
			return true;
		}
		if ((box = fyj_member(doc, into)) == NULL)
			return true;
		if (!cJSON_IsObject(box))
			return fyj_op_fail(err, i, name, "\"%s\" is not an object", into);
		cJSON_ArrayForEach(k, keys)
		{
			if ((v = cJSON_DetachItemFromObjectCaseSensitive(box, k->valuestring)) == NULL)
				continue;
			if (cJSON_GetObjectItemCaseSensitive(doc, k->valuestring) != NULL)
			{
				cJSON_Delete(v);
				return fyj_op_fail(err, i, name, "\"%s\" is already there", k->valuestring);
			}
			cJSON_AddItemToObject(doc, k->valuestring, v);
		}
		if (box->child == NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(doc, into);
		return true;
	}
	if (strcmp(name, "flatten") == 0 || strcmp(name, "unflatten") == 0)
	{
		const char *path = fyj_str(op, "path");
		const char *sep = fyj_str(op, "separator");
		char		key[512];
		size_t		plen;

		if (path == NULL)
			return fyj_op_fail(err, i, name, "needs \"path\"");
		if (sep == NULL)
			sep = "_";
		plen = strlen(path);
		if (strcmp(name, "flatten") == 0)
		{
			cJSON	   *box = fyj_member(doc, path);

			if (box == NULL)
				return true;
			if (!cJSON_IsObject(box))
				return fyj_op_fail(err, i, name, "\"%s\" is not an object", path);
			box = cJSON_DetachItemFromObjectCaseSensitive(doc, path);
			while (box->child != NULL)
			{
				cJSON	   *c = cJSON_DetachItemViaPointer(box, box->child);

				snprintf(key, sizeof(key), "%s%s%s", path, sep, c->string);
				if (cJSON_GetObjectItemCaseSensitive(doc, key) != NULL)
				{
					cJSON_Delete(c);
					cJSON_Delete(box);
					return fyj_op_fail(err, i, name, "\"%s\" is already there", key);
				}
				cJSON_AddItemToObject(doc, key, c);
			}
			cJSON_Delete(box);
			return true;
		}
		{
			cJSON	   *box = NULL;
			cJSON	   *c = doc->child;

			while (c != NULL)
			{
				cJSON	   *next = c->next;

				if (strncmp(c->string, path, plen) == 0 &&
					strncmp(c->string + plen, sep, strlen(sep)) == 0 &&
					c->string[plen + strlen(sep)] != '\0')
				{
					const char *sub = c->string + plen + strlen(sep);

					if (box == NULL)
					{
						if (fyj_member(doc, path) != NULL)
							return fyj_op_fail(err, i, name, "\"%s\" is already there", path);
						if ((box = cJSON_AddObjectToObject(doc, path)) == NULL)
							return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
					}
					snprintf(key, sizeof(key), "%s", sub);
					c = cJSON_DetachItemViaPointer(doc, c);
					cJSON_AddItemToObject(box, key, c);
				}
				c = next;
			}
			return true;
		}
	}
	if (strcmp(name, "pick") == 0 || strcmp(name, "drop") == 0)
	{
		const cJSON *keys = fyj_keys(op);
		bool		pick = strcmp(name, "pick") == 0;
		cJSON	   *c = doc->child;

		if (keys == NULL)
			return fyj_op_fail(err, i, name, "needs \"keys\", an array of names");
		while (c != NULL)
		{
			cJSON	   *next = c->next;
			bool		listed = false;
			const cJSON *k;

			cJSON_ArrayForEach(k, keys)
				if (strcmp(k->valuestring, c->string) == 0)
				listed = true;
			if (listed != pick)
				cJSON_Delete(cJSON_DetachItemViaPointer(doc, c));
			c = next;
		}
		return true;
	}
	if (strcmp(name, "default") == 0)
	{
		const cJSON *vals = cJSON_GetObjectItemCaseSensitive(op, "values");
		const cJSON *k;

		if (!cJSON_IsObject(vals))
			return fyj_op_fail(err, i, name, "needs \"values\", an object");
		cJSON_ArrayForEach(k, vals)
			if (cJSON_GetObjectItemCaseSensitive(doc, k->string) == NULL)
			cJSON_AddItemToObject(doc, k->string, cJSON_Duplicate(k, true));
		return true;
	}
	/* the rest work on the value at "path" */
	{
		const char *path = fyj_str(op, "path");

		if (path == NULL)
			return fyj_op_fail(err, i, name, "needs \"path\"");
		if ((parent = fyj_walk(doc, path, false, last, sizeof(last))) == NULL ||
			(v = cJSON_GetObjectItemCaseSensitive(parent, last)) == NULL)
		{
			if (strcmp(name, "cast") != 0 && strcmp(name, "map_values") != 0 &&
				strcmp(name, "split") != 0 && strcmp(name, "join") != 0)
				return fyj_op_fail(err, i, name, "unknown operation");
			return true;
		}
		if (strcmp(name, "cast") == 0)
		{
			const char *to = fyj_str(op, "to");
			const char *on_error = fyj_str(op, "on_error");
			cJSON	   *out;

			if (to == NULL || (strcmp(to, "string") && strcmp(to, "number") && strcmp(to, "boolean")))
				return fyj_op_fail(err, i, name, "\"to\" must be string, number or boolean");
			if (!fyj_cast_value(v, to, &out))
			{
				if (on_error != NULL && strcmp(on_error, "keep") == 0)
					return true;
				if (on_error != NULL && strcmp(on_error, "null") == 0)
					out = cJSON_CreateNull();
				else
					return fyj_op_fail(err, i, name, "\"%s\" is no %s", path, to);
			}
			cJSON_ReplaceItemInObjectCaseSensitive(parent, last, out);
			return true;
		}
		if (strcmp(name, "map_values") == 0)
		{
			const cJSON *map = cJSON_GetObjectItemCaseSensitive(op, "map");
			const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(op, "default");
			const cJSON *to;
			char		text[256];

			if (!cJSON_IsObject(map))
				return fyj_op_fail(err, i, name, "needs \"map\", an object");
			if (!fyj_scalar_text(v, text, sizeof(text), false))
				return true;
			to = cJSON_GetObjectItemCaseSensitive(map, text);
			if (to == NULL)
				to = dflt;
			if (to != NULL)
				cJSON_ReplaceItemInObjectCaseSensitive(parent, last, cJSON_Duplicate(to, true));
			return true;
		}
		if (strcmp(name, "split") == 0)
		{
			const cJSON *seps = cJSON_GetObjectItemCaseSensitive(op, "separators");
			const cJSON *trim = cJSON_GetObjectItemCaseSensitive(op, "trim");
			const cJSON *x;
			cJSON	   *arr;

			if (!cJSON_IsArray(seps) || seps->child == NULL)
				return fyj_op_fail(err, i, name, "needs \"separators\", an array of strings");
			cJSON_ArrayForEach(x, seps)
				if (!cJSON_IsString(x) || x->valuestring[0] == '\0')
				return fyj_op_fail(err, i, name, "every separator must be a non-empty string");
			if (!cJSON_IsString(v))
				return cJSON_IsNull(v) ? true : fyj_op_fail(err, i, name, "\"%s\" is not a string", path);
			if ((arr = fyj_split(v->valuestring, seps, !cJSON_IsFalse(trim))) == NULL)
				return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			cJSON_ReplaceItemInObjectCaseSensitive(parent, last, arr);
			return true;
		}
		if (strcmp(name, "join") == 0)
		{
			const char *sep = fyj_str(op, "separator");
			fy_buf		b;
			const cJSON *x;
			bool		first = true;

			if (sep == NULL)
				return fyj_op_fail(err, i, name, "needs \"separator\"");
			if (!cJSON_IsArray(v))
				return cJSON_IsNull(v) ? true : fyj_op_fail(err, i, name, "\"%s\" is not an array", path);
			fy_buf_init(&b);
			fy_buf_add(&b, "");
			cJSON_ArrayForEach(x, v)
			{
				char		text[64];

				if (!first)
					fy_buf_add(&b, sep);
				first = false;
				if (cJSON_IsString(x))
					fy_buf_add(&b, x->valuestring);
				else if (fyj_scalar_text(x, text, sizeof(text), true))
					fy_buf_add(&b, text);
				else
				{
					fy_buf_free(&b);
					return fyj_op_fail(err, i, name, "\"%s\" holds a nested value", path);
				}
			}
			if (b.oom)
				return fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
			cJSON_ReplaceItemInObjectCaseSensitive(parent, last, cJSON_CreateString(b.data));
			fy_buf_free(&b);
			return true;
		}
	}
	return fyj_op_fail(err, i, name, "unknown operation");
}

/*
 * fy_restructure_prepare reads and checks a spec once, for every document
 * a statement restructures with it (a phase's spec is a constant): the
 * parsed spec to give to fy_restructure_apply and fy_restructure_free, or
 * NULL with err.
 */
void *
fy_restructure_prepare(const char *spec_text, fy_error *err)
{
	cJSON	   *spec = fy_json_parse(spec_text);

	if (spec == NULL)
		fy_fail(err, FY_ERR_INVALID_JSON, "json_restructure: the spec is not valid JSON");
	else if (!cJSON_IsArray(spec))
		fy_fail(err, FY_ERR_INVALID_SPEC, "json_restructure: the spec must be an array of operations");
	else if (fy_restructure_check(spec, err))
		return spec;
	cJSON_Delete(spec);
	return NULL;
}

void
fy_restructure_free(void *spec)
{
	cJSON_Delete(spec);
}

/*
 * fy_restructure_apply_tree applies a prepared spec -- operations in order
 * -- to a cJSON document in place (an engine that reads its own documents
 * into cJSON, as PostgreSQL's jsonb, calls it directly); false with the
 * error naming the operation's index.
 */
bool
fy_restructure_apply_tree(const void *prepared, void *doc, fy_error *err)
{
	const cJSON *op;
	int			i = 0;

	cJSON_ArrayForEach(op, (const cJSON *) prepared)
	{
		if (!cJSON_IsObject(op))
			return fyj_op_fail(err, i, "?", "an operation must be an object");
		if (!fyj_apply_op(doc, op, i, err))
			return false;
		i++;
	}
	return true;
}

/*
 * fy_restructure_apply: the same on JSON text.  Returns the new document's
 * text (fy_release it) or NULL with the error.
 */
char *
fy_restructure_apply(const void *prepared, const char *doc_text, fy_error *err)
{
	cJSON	   *doc = fy_json_parse(doc_text);
	char	   *out = NULL;

	if (doc == NULL)
	{
		fy_fail(err, FY_ERR_INVALID_JSON, "json_restructure: the document is not valid JSON");
		return NULL;
	}
	if (fy_restructure_apply_tree(prepared, doc, err) && (out = fy_json_print(doc)) == NULL)
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	cJSON_Delete(doc);
	return out;
}

/* fy_json_restructure: a spec read for one document; see fy_restructure_apply. */
char *
fy_json_restructure(const char *doc_text, const char *spec_text, fy_error *err)
{
	void	   *spec = fy_restructure_prepare(spec_text, err);
	char	   *out;

	if (spec == NULL)
		return NULL;
	out = fy_restructure_apply(spec, doc_text, err);
	fy_restructure_free(spec);
	return out;
}

/*
 * fyj_inverse_op: the operation that undoes op, or NULL with the reason it
 * has none (it loses information: drop, pick, default, a lossy cast, a
 * split that trims or cuts at several separators, a map that is not
 * one-to-one or has a default, a key_case without "from").
 */
static cJSON *
fyj_inverse_op(const cJSON *op, int i, fy_error *err)
{
	const char *name = fyj_str(op, "op");
	cJSON	   *inv = cJSON_CreateObject();

	if (inv == NULL || name == NULL)
	{
		cJSON_Delete(inv);
		fyj_op_fail(err, i, name, "needs \"op\"");
		return NULL;
	}
#define FYJ_NO_INVERSE(why) do { cJSON_Delete(inv); fyj_op_fail(err, i, name, "has no exact inverse: %s", why); return NULL; } while (0)
	if (strcmp(name, "rename") == 0)
	{
		if (!fyj_str(op, "from") || !fyj_str(op, "to"))
			FYJ_NO_INVERSE("it needs \"from\" and \"to\"");
		cJSON_AddStringToObject(inv, "op", "rename");
		cJSON_AddStringToObject(inv, "from", fyj_str(op, "to"));
		cJSON_AddStringToObject(inv, "to", fyj_str(op, "from"));
	}
	else if (strcmp(name, "nest") == 0 || strcmp(name, "unnest") == 0)
	{
		bool		nest = strcmp(name, "nest") == 0;
		const char *box = fyj_str(op, nest ? "into" : "path");

		if (fyj_keys(op) == NULL || box == NULL)
			FYJ_NO_INVERSE("it needs \"keys\" and a target");
		cJSON_AddStringToObject(inv, "op", nest ? "unnest" : "nest");
		cJSON_AddItemToObject(inv, "keys", cJSON_Duplicate(fyj_keys(op), true));
		cJSON_AddStringToObject(inv, nest ? "path" : "into", box);
	}
	else if (strcmp(name, "flatten") == 0 || strcmp(name, "unflatten") == 0)
	{
		if (!fyj_str(op, "path"))
			FYJ_NO_INVERSE("it needs \"path\"");
		cJSON_AddStringToObject(inv, "op", strcmp(name, "flatten") == 0 ? "unflatten" : "flatten");
		cJSON_AddStringToObject(inv, "path", fyj_str(op, "path"));
		cJSON_AddStringToObject(inv, "separator", fyj_str(op, "separator") ? fyj_str(op, "separator") : "_");
	}
	else if (strcmp(name, "cast") == 0)
	{
		const char *from = fyj_str(op, "from");
		const char *to = fyj_str(op, "to");

		if (from == NULL || to == NULL || strcmp(to, "string") != 0 ||
			(strcmp(from, "number") != 0 && strcmp(from, "boolean") != 0))
			FYJ_NO_INVERSE("only a cast of a number or a boolean (\"from\") to a string comes back exactly");
		cJSON_AddStringToObject(inv, "op", "cast");
		cJSON_AddStringToObject(inv, "path", fyj_str(op, "path") ? fyj_str(op, "path") : "");
		cJSON_AddStringToObject(inv, "from", "string");
		cJSON_AddStringToObject(inv, "to", from);
	}
	else if (strcmp(name, "map_values") == 0)
	{
		const cJSON *map = cJSON_GetObjectItemCaseSensitive(op, "map");
		cJSON	   *back = cJSON_CreateObject();
		const cJSON *m;

		if (cJSON_GetObjectItemCaseSensitive(op, "default") != NULL || !cJSON_IsObject(map))
		{
			cJSON_Delete(back);
			FYJ_NO_INVERSE("a default merges values");
		}
		cJSON_ArrayForEach(m, map)
		{
			char		text[256];
			cJSON	   *orig = cJSON_CreateString(m->string);

			if (!fyj_scalar_text(m, text, sizeof(text), false) ||
				cJSON_GetObjectItemCaseSensitive(back, text) != NULL ||
				cJSON_GetObjectItemCaseSensitive(map, text) != NULL)
			{
				cJSON_Delete(orig);
				cJSON_Delete(back);
				FYJ_NO_INVERSE("the map is not one-to-one");
			}
			cJSON_AddItemToObject(back, text, orig);
		}
		cJSON_AddStringToObject(inv, "op", "map_values");
		cJSON_AddStringToObject(inv, "path", fyj_str(op, "path") ? fyj_str(op, "path") : "");
		cJSON_AddItemToObject(inv, "map", back);
	}
	else if (strcmp(name, "split") == 0 || strcmp(name, "join") == 0)
	{
		if (strcmp(name, "split") == 0)
		{
			const cJSON *seps = cJSON_GetObjectItemCaseSensitive(op, "separators");

			if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(op, "trim")) ||
				cJSON_GetArraySize(seps) != 1 || !cJSON_IsString(seps->child))
				FYJ_NO_INVERSE("only a split at one separator without trimming comes back exactly");
			cJSON_AddStringToObject(inv, "op", "join");
			cJSON_AddStringToObject(inv, "separator", seps->child->valuestring);
		}
		else
		{
			cJSON	   *seps = cJSON_CreateArray();

			if (!fyj_str(op, "separator"))
			{
				cJSON_Delete(seps);
				FYJ_NO_INVERSE("it needs \"separator\"");
			}
			cJSON_AddItemToArray(seps, cJSON_CreateString(fyj_str(op, "separator")));
			cJSON_AddStringToObject(inv, "op", "split");
			cJSON_AddItemToObject(inv, "separators", seps);
			cJSON_AddFalseToObject(inv, "trim");
		}
		cJSON_AddStringToObject(inv, "path", fyj_str(op, "path") ? fyj_str(op, "path") : "");
	}
	else if (strcmp(name, "key_case") == 0)
	{
		if (!fyj_str(op, "from") || !fyj_str(op, "to"))
			FYJ_NO_INVERSE("it needs \"from\" to know which case to go back to");
		cJSON_AddStringToObject(inv, "op", "key_case");
		cJSON_AddStringToObject(inv, "from", fyj_str(op, "to"));
		cJSON_AddStringToObject(inv, "to", fyj_str(op, "from"));
	}
	else if (strcmp(name, "pick") == 0 || strcmp(name, "drop") == 0 ||
			 strcmp(name, "default") == 0)
		FYJ_NO_INVERSE("it drops or adds values that cannot be told apart afterwards");
	else
		FYJ_NO_INVERSE("unknown operation");
#undef FYJ_NO_INVERSE
	return inv;
}

/*
 * fy_json_restructure_inverse: the spec that undoes a spec -- the inverse
 * operations in reverse order -- or NULL with the first operation that has
 * no exact inverse, so the user knows the round trip cannot be proven.
 */
char *
fy_json_restructure_inverse(const char *spec_text, fy_error *err)
{
	cJSON	   *spec = fy_json_parse(spec_text);
	cJSON	   *inv = cJSON_CreateArray();
	const cJSON *op;
	char	   *out = NULL;
	int			i = 0;
	bool		ok = true;

	cJSON	   *ops;

	if (spec == NULL || !cJSON_IsArray(spec))
		ok = fy_fail(err, FY_ERR_INVALID_SPEC, "json_restructure_inverse: the spec must be an array of operations");
	ops = ok ? spec : NULL;
	cJSON_ArrayForEach(op, ops)
	{
		cJSON	   *x = cJSON_IsObject(op) ? fyj_inverse_op(op, i, err) : NULL;

		if (x == NULL)
		{
			if (!cJSON_IsObject(op))
				fyj_op_fail(err, i, "?", "an operation must be an object");
			ok = false;
			break;
		}
		cJSON_InsertItemInArray(inv, 0, x);
		i++;
	}
	if (ok && (out = fy_json_print(inv)) == NULL)
		fy_fail(err, FY_ERR_OUT_OF_MEMORY, "out of memory");
	cJSON_Delete(spec);
	cJSON_Delete(inv);
	return out;
}

bool
fy_restructure_check(const void *spec_node, fy_error *err)
{
	static const char *const ops[] = {"rename", "nest", "unnest", "flatten", "unflatten",
		"pick", "drop", "cast", "map_values", "default", "split", "join", "key_case", NULL};
	const cJSON *spec = spec_node;
	const cJSON *op;
	int			i = 0;

	if (!cJSON_IsArray(spec))
		return fy_fail(err, FY_ERR_INVALID_SPEC, "a restructure spec must be an array of operations");
	cJSON_ArrayForEach(op, spec)
	{
		const char *name = cJSON_IsObject(op) ? fyj_str(op, "op") : NULL;
		int			k = 0;

		while (name && ops[k] && strcmp(ops[k], name) != 0)
			k++;
		if (name == NULL || ops[k] == NULL)
			return fyj_op_fail(err, i, name, name ? "unknown operation" : "needs \"op\"");
		i++;
	}
	return true;
}
