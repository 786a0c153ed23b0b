#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shellwords.h"
#include "xalloc.h"

struct wordbuf {
	char *s;
	size_t len;
	size_t cap;
	bool active;	/* a word was started, even an empty '' */
};

static void wb_put(struct wordbuf *wb, char c)
{
	if (wb->len + 2 > wb->cap) {
		wb->cap = wb->cap ? wb->cap * 2 : 32;
		wb->s = xreallocarray(wb->s, wb->cap, 1);
	}
	wb->s[wb->len++] = c;
	wb->s[wb->len] = '\0';
	wb->active = true;
}

static void wb_flush(struct wordbuf *wb, struct strv *out)
{
	if (!wb->active)
		return;
	strv_push_owned(out, wb->len ? wb->s : xstrdup(""));
	if (!wb->len)
		free(wb->s);
	wb->s = NULL;
	wb->len = wb->cap = 0;
	wb->active = false;
}

/* Length of the expansion starting at @p ('$' or '`'), 0 if none. */
static size_t expansion_len(const char *p)
{
	const char *q;

	if (*p == '`') {
		q = strchr(p + 1, '`');
		return q ? (size_t)(q - p) + 1 : strlen(p);
	}
	if (p[1] == '(' || p[1] == '{') {
		char close = p[1] == '(' ? ')' : '}';

		q = strchr(p + 2, close);
		return q ? (size_t)(q - p) + 1 : strlen(p);
	}
	if (isalpha((unsigned char)p[1]) || p[1] == '_') {
		q = p + 1;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		return (size_t)(q - p);
	}
	return 0;
}

static void note_expansion(const char *p, char **expansion)
{
	size_t len = expansion_len(p);

	if (!expansion || *expansion || !len)
		return;
	*expansion = xstrndup(p, len > 60 ? 60 : len);
}

int shellwords_split(const char *s, struct strv *out, char **expansion,
		     char *err, size_t errlen)
{
	struct wordbuf wb = { 0 };
	const char *p = s;

	char quote = 0;

	while (*p) {
		char c = *p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			wb_flush(&wb, out);
			p++;
		} else if (c == '\\') {
			p++;
			if (*p)
				wb_put(&wb, *p++);
			else
				wb_put(&wb, '\\');
		} else if (c == '\'') {
			const char *end = strchr(p + 1, '\'');

			quote = '\'';
			if (!end)
				goto open_quote;
			wb.active = true;
			for (p++; p < end; p++)
				wb_put(&wb, *p);
			p++;
		} else if (c == '"') {
			quote = '"';
			wb.active = true;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("$`\"\\", p[1])) {
					wb_put(&wb, *++p);
					continue;
				}
				if (*p == '$' || *p == '`')
					note_expansion(p, expansion);
				wb_put(&wb, *p);
			}
			if (!*p)
				goto open_quote;
			p++;
		} else {
			if (c == '$' || c == '`')
				note_expansion(p, expansion);
			wb_put(&wb, c);
			p++;
		}
	}
	wb_flush(&wb, out);
	return 0;

open_quote:
	free(wb.s);
	snprintf(err, errlen, "unterminated %c quote", quote);
	return -1;
}

char *shellwords_quote(const char *s)
{
	static const char safe[] = "-_./=:,+@%^";
	bool plain = *s != '\0';
	size_t len = 3;
	char *out, *q;

	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr(safe, *p))
			plain = false;
		len += *p == '\'' ? 4 : 1;
	}
	if (plain)
		return xstrdup(s);
	q = out = xmalloc(len);
	*q++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else {
			*q++ = *p;
		}
	}
	*q++ = '\'';
	*q = '\0';
	return out;
}
