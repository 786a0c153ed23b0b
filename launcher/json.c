#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH 64	/* QMP replies nest a few levels */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Past the string starting at the '"' @p; NULL if unterminated. */
static const char *skip_string(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return NULL;
			p++;
		} else if (*p == '"') {
			return p + 1;
		} else if ((unsigned char)*p < 0x20) {
			return NULL;
		}
	}
	return NULL;
}

static const char *skip_value(const char *p, int depth, enum json_type *type);

static const char *skip_container(const char *p, int depth, char close)
{
	enum json_type t;

	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (*p != '"' || !(p = skip_string(p)))
				return NULL;
			p = skip_ws(p);
			if (*p++ != ':')
				return NULL;
			p = skip_ws(p);
		}
		if (!(p = skip_value(p, depth + 1, &t)))
			return NULL;
		p = skip_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = skip_ws(p);
	}
}

static bool word(const char *p, const char *w)
{
	return !strncmp(p, w, strlen(w));
}

/* Past the value at @p (no leading blanks); NULL if it is not one. */
static const char *skip_value(const char *p, int depth, enum json_type *type)
{
	if (depth > JSON_MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '{':
		*type = JSON_OBJECT;
		return skip_container(p, depth, '}');
	case '[':
		*type = JSON_ARRAY;
		return skip_container(p, depth, ']');
	case '"':
		*type = JSON_STRING;
		return skip_string(p);
	case 't':
		*type = JSON_BOOL;
		return word(p, "true") ? p + 4 : NULL;
	case 'f':
		*type = JSON_BOOL;
		return word(p, "false") ? p + 5 : NULL;
	case 'n':
		*type = JSON_NULL;
		return word(p, "null") ? p + 4 : NULL;
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			return NULL;
		*type = JSON_NUMBER;
		p++;
		while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' ||
		       *p == 'E' || *p == '+' || *p == '-')
			p++;
		return p;
	}
}

/* The member @key (of @klen bytes) of the object at @p. */
static const char *member(const char *p, const char *key, size_t klen)
{
	enum json_type t;

	if (*p != '{')
		return NULL;
	p = skip_ws(p + 1);
	while (*p == '"') {
		const char *name = p + 1, *end = skip_string(p);
		bool match;

		if (!end)
			return NULL;
		/* QMP's member names are plain ASCII: no escapes to compare */
		match = (size_t)(end - 1 - name) == klen && !strncmp(name, key, klen);
		p = skip_ws(end);
		if (*p++ != ':')
			return NULL;
		p = skip_ws(p);
		if (match)
			return p;
		if (!(p = skip_value(p, 0, &t)))
			return NULL;
		p = skip_ws(p);
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
	}
	return NULL;
}

enum json_type json_find(const char *text, const char *path,
			 const char **val, size_t *len)
{
	const char *p = skip_ws(text), *end;
	enum json_type t;

	while (*path) {
		size_t klen = strcspn(path, ".");

		if (!(p = member(p, path, klen)))
			return JSON_NONE;
		path += klen;
		if (*path == '.')
			path++;
	}
	if (!(end = skip_value(p, 0, &t)))
		return JSON_NONE;
	*val = p;
	*len = (size_t)(end - p);
	return t;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool json_get_string(const char *text, const char *path, char *out,
		     size_t outlen)
{
	const char *v, *end;
	size_t len, o = 0;

	if (!outlen || json_find(text, path, &v, &len) != JSON_STRING)
		return false;
	end = v + len - 1;	/* the closing quote */
	for (v++; v < end && o + 1 < outlen; v++) {
		char c = *v;

		if (c == '\\') {
			switch (*++v) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				int code = 0;

				for (int i = 1; i <= 4; i++) {
					int h = v + i < end ? hex(v[i]) : -1;

					if (h < 0)
						return false;
					code = code * 16 + h;
				}
				v += 4;
				c = code < 0x80 ? (char)code : '?';
				break;
			}
			default: c = *v; break;	/* \" \\ \/ */
			}
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

bool json_quote(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen < 3)
		return false;
	out[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t n;

		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, n = 2;
		} else if (c < 0x20) {
			static const char digits[] = "0123456789abcdef";

			memcpy(esc, "\\u00", 4);
			esc[4] = digits[c >> 4], esc[5] = digits[c & 15], n = 6;
		} else {
			esc[0] = (char)c, n = 1;
		}
		if (o + n + 2 > outlen)
			return false;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o++] = '"';
	out[o] = '\0';
	return true;
}
