#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "readfile.h"
#include "strv.h"
#include "xalloc.h"

#define ARCH_ANY (~0u)

static int __attribute__((format(printf, 5, 6)))
fail(char *err, size_t errlen, const char *name, unsigned line,
     const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s:%u: ", name, line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Blanks separate, "..." groups (\" and \\ inside), '#' at the start of a
 * token ends the line. */
static int tokenize(const char *s, struct strv *out, const char **why)
{
	while (*s) {
		char *tok, *t;

		s += strspn(s, " \t\r");
		if (!*s || *s == '#')
			break;
		t = tok = xmalloc(strlen(s) + 1);
		while (*s && *s != ' ' && *s != '\t' && *s != '\r') {
			if (*s != '"') {
				*t++ = *s++;
				continue;
			}
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				*t++ = *s;
			}
			if (!*s) {
				free(tok);
				*why = "unterminated \" quote";
				return -1;
			}
			s++;
		}
		*t = '\0';
		strv_push_owned(out, tok);
	}
	return 0;
}

static const char *const outer_names[OUTER_COUNT] = {
	[OUTER_NONE] = "none", [OUTER_TCG] = "tcg", [OUTER_KVM] = "kvm",
};

int expect_outer_from_name(const char *name)
{
	for (int i = 0; i < OUTER_COUNT; i++)
		if (!strcmp(name, outer_names[i]))
			return i;
	return -1;
}

const char *expect_outer_name(enum expect_outer o)
{
	return o < OUTER_COUNT ? outer_names[o] : "?";
}

unsigned version_parse(const char *s, unsigned v[EXPECT_VERSION_PARTS],
		       const char **end)
{
	unsigned n = 0;

	memset(v, 0, EXPECT_VERSION_PARTS * sizeof(*v));
	while (n < EXPECT_VERSION_PARTS && *s >= '0' && *s <= '9') {
		unsigned long x = 0;

		for (; *s >= '0' && *s <= '9'; s++)
			if ((x = x * 10 + (unsigned)(*s - '0')) > 1000000)
				x = 1000000;	/* no real version part is larger */
		v[n++] = (unsigned)x;
		if (*s != '.' || s[1] < '0' || s[1] > '9')
			break;
		s++;
	}
	if (end)
		*end = s;
	return n;
}

bool version_cond_holds(const struct version_cond *c, const unsigned *v,
			unsigned nparts)
{
	int cmp = 0;

	if (!nparts)
		return false;	/* unknown: no claim about it can hold */
	for (unsigned i = 0; i < c->nparts && !cmp; i++)
		cmp = v[i] < c->v[i] ? -1 : v[i] > c->v[i];
	switch (c->op) {
	case VERSION_LT:
		return cmp < 0;
	case VERSION_LE:
		return cmp <= 0;
	case VERSION_EQ:
		return cmp == 0;
	case VERSION_GE:
		return cmp >= 0;
	default:
		return cmp > 0;
	}
}

/* "<8.0", "<=7.2.1", ... after the qemu or kernel word. */
static int parse_version_cond(const char *s, struct version_cond **v, size_t *n)
{
	struct version_cond c = { 0 };
	const char *end;

	if (!strncmp(s, "<=", 2))
		c.op = VERSION_LE, s += 2;
	else if (!strncmp(s, ">=", 2))
		c.op = VERSION_GE, s += 2;
	else if (*s == '<')
		c.op = VERSION_LT, s++;
	else if (*s == '>')
		c.op = VERSION_GT, s++;
	else if (*s == '=')
		c.op = VERSION_EQ, s++;
	else
		return -1;
	c.nparts = version_parse(s, c.v, &end);
	if (c.nparts < 2 || *end)	/* X.Y or X.Y.Z */
		return -1;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = c;
	return 0;
}

static int parse_where(const char *w, struct expect_entry *e, bool *uses_qemu)
{
	char *copy, *item, *save = NULL;
	int r = 0;

	e->arches = ARCH_ANY;
	e->accel = ACCEL_AUTO;
	e->outers = ~0u;
	if (!strcmp(w, "*"))
		return 0;
	if (!*w)	/* "" (found by fuzz/expect.c: w[-1] was read below) */
		return -1;
	copy = xstrdup(w);
	for (item = strtok_r(copy, ",", &save); item && !r;
	     item = strtok_r(NULL, ",", &save)) {
		if (!strncmp(item, "arch=", 5)) {
			enum arch a = arch_from_name(item + 5);

			if (a == ARCH_NONE)
				r = -1;
			else	/* arch=ppc64: either byte order, as in cfgs */
				e->arches &= arch_cfg_mask(a);
		} else if (!strncmp(item, "accel=", 6)) {
			int a = accel_from_name(item + 6);

			if (a != ACCEL_KVM && a != ACCEL_TCG)
				r = -1;
			else if (e->accel != ACCEL_AUTO && e->accel != (enum accel)a)
				e->arches = 0;	/* accel=kvm,accel=tcg never holds */
			else
				e->accel = (enum accel)a;
		} else if (!strncmp(item, "outer=", 6)) {
			int o = expect_outer_from_name(item + 6);

			if (o < 0)
				r = -1;
			else
				e->outers &= 1u << o;
		} else if (!strncmp(item, "qemu", 4)) {
			r = parse_version_cond(item + 4, &e->qemu, &e->nqemu);
			*uses_qemu = true;
		} else if (!strncmp(item, "kernel", 6)) {
			r = parse_version_cond(item + 6, &e->kernel, &e->nkernel);
		} else {
			r = -1;
		}
	}
	if (!item && !r && w[strlen(w) - 1] == ',')
		r = -1;
	free(copy);
	return r;
}

static int parse_entry(const char *name, unsigned line, const char *text,
		       struct expect_list *list, char *err, size_t errlen)
{
	struct strv tok = { 0 };
	struct expect_entry e = { 0 };
	const char *why = NULL;
	bool has_reason = false, uses_qemu = false;
	char *slash;
	int r = -1;

	if (tokenize(text, &tok, &why) < 0) {
		fail(err, errlen, name, line, "%s", why);
		goto out;
	}
	if (!tok.n) {
		r = 0;
		goto out;
	}
	if (!strcmp(tok.v[0], "fail")) {
		e.kind = EXPECT_FAIL;
	} else if (!strcmp(tok.v[0], "skip")) {
		e.kind = EXPECT_SKIP;
	} else {
		fail(err, errlen, name, line, "unknown kind '%s' (want fail or skip)", tok.v[0]);
		goto out;
	}
	if (tok.n < 2) {
		fail(err, errlen, name, line, "missing test name after '%s'", tok.v[0]);
		goto out;
	}
	if (tok.n < 3) {
		fail(err, errlen, name, line, "missing WHERE ('*', arch=A, accel=kvm|tcg, qemu<X.Y, ...) after '%s'",
		     tok.v[1]);
		goto out;
	}
	for (size_t i = 3; i < tok.n; i++)
		has_reason |= *tok.v[i] != '\0';	/* "" is no reason */
	if (!has_reason) {
		fail(err, errlen, name, line, "missing reason after '%s'", tok.v[2]);
		goto out;
	}
	slash = strchr(tok.v[1], '/');
	if (!*tok.v[1] || slash == tok.v[1] || (slash && !slash[1])) {
		fail(err, errlen, name, line, "bad test '%s' (want TEST or TEST/ASSERTION-GLOB)",
		     tok.v[1]);
		goto out;
	}
	if (slash && e.kind == EXPECT_SKIP) {
		fail(err, errlen, name, line,
		     "skip takes a whole test, not an assertion ('%s')", tok.v[1]);
		goto out;
	}
	if (parse_where(tok.v[2], &e, &uses_qemu) < 0) {
		fail(err, errlen, name, line,
		     "bad WHERE '%s' (want '*' or a ',' list of arch=A, accel=kvm|tcg, qemu<X.Y, kernel>=X.Y, outer=none|tcg|kvm)",
		     tok.v[2]);
		goto out;
	}
	e.test_glob = slash ? xstrndup(tok.v[1], (size_t)(slash - tok.v[1]))
			    : xstrdup(tok.v[1]);
	e.assert_glob = slash ? xstrdup(slash + 1) : NULL;
	{
		struct strv rest = { 0 };

		for (size_t i = 3; i < tok.n; i++)
			strv_push(&rest, tok.v[i]);
		e.reason = strv_join(&rest, " ");
		strv_free(&rest);
	}
	e.where = xasprintf("%s:%u", name, line);
	list->v = xreallocarray(list->v, list->n + 1, sizeof(*list->v));
	list->v[list->n++] = e;
	list->uses_qemu |= uses_qemu;
	memset(&e, 0, sizeof(e));
	r = 0;
out:
	free(e.qemu);
	free(e.kernel);
	strv_free(&tok);
	return r;
}

static int is_fence(const char *s, const char **info)
{
	size_t indent = strspn(s, " ");

	if (indent > 3 || strncmp(s + indent, "```", 3))
		return 0;
	*info = s + indent + 3;
	return 1;
}

int expect_parse(const char *name, const char *buf, size_t len, bool markdown,
		 struct expect_list *list, char *err, size_t errlen)
{
	const char *s = buf, *end = buf + len;
	unsigned line = 0, fence_line = 0;
	bool in_expect = false, in_other = false, saw_expect = false;

	if (memchr(buf, '\0', len))
		return fail(err, errlen, name, 1, "binary data (NUL byte), not an expect list");
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *text = xstrndup(s, l);
		const char *info;
		int r = 0;

		line++;
		s += l + (nl != NULL);
		if (markdown && is_fence(text, &info)) {
			if (in_expect || in_other) {
				in_expect = in_other = false;
			} else {
				info += strspn(info, " ");
				in_expect = !strncmp(info, "expect", 6) &&
					    strspn(info + 6, " \t\r") == strlen(info + 6);
				in_other = !in_expect;
				saw_expect |= in_expect;
				fence_line = line;
			}
		} else if (!markdown || in_expect) {
			r = parse_entry(name, line, text, list, err, errlen);
		}
		free(text);
		if (r < 0)
			return -1;
	}
	if (in_expect)
		return fail(err, errlen, name, fence_line, "```expect block never closed");
	/* a markdown list without the fence is a mistake, not an empty list */
	if (markdown && !saw_expect)
		return fail(err, errlen, name, line ? line : 1,
			    "no ```expect block: a markdown list keeps its entries in one");
	return 0;
}

int expect_load(const char *path, bool missing_ok, struct expect_list *list,
		char *err, size_t errlen)
{
	size_t len, plen = strlen(path);
	char *buf;
	int r;

	if (read_file(path, EXPECT_MAX_SIZE, &buf, &len, err, errlen) < 0)
		return missing_ok && errno == ENOENT ? 0 : -1;
	r = expect_parse(path, buf, len, plen > 3 && !strcmp(path + plen - 3, ".md"),
			 list, err, errlen);
	free(buf);
	return r;
}

void expect_set_host(struct expect_list *list, const struct expect_host *host)
{
	list->host = *host;
}

static bool entry_applies(const struct expect_list *list,
			  const struct expect_entry *e, enum expect_kind kind,
			  const char *test, enum arch arch, enum accel accel)
{
	const struct expect_host *h = &list->host;

	if (e->kind != kind || fnmatch(e->test_glob, test, 0))
		return false;
	if (arch == ARCH_NONE || !(e->arches & ARCH_BIT(arch)))
		return false;
	if (e->accel != ACCEL_AUTO && e->accel != accel)
		return false;
	if (!(e->outers & (1u << h->outer)))
		return false;
	for (size_t i = 0; i < e->nqemu; i++)
		if (!version_cond_holds(&e->qemu[i], h->qemu, h->qemu_parts))
			return false;
	for (size_t i = 0; i < e->nkernel; i++)
		if (!version_cond_holds(&e->kernel[i], h->kernel, h->kernel_parts))
			return false;
	return true;
}

const struct expect_entry *expect_find_skip(const struct expect_list *list,
					    const char *test, enum arch arch,
					    enum accel accel)
{
	for (size_t i = 0; i < list->n; i++)
		if (entry_applies(list, &list->v[i], EXPECT_SKIP, test, arch, accel))
			return &list->v[i];
	return NULL;
}

const struct expect_entry *expect_find_test_fail(const struct expect_list *list,
						 const char *test, enum arch arch,
						 enum accel accel)
{
	for (size_t i = 0; i < list->n; i++)
		if (!list->v[i].assert_glob &&
		    entry_applies(list, &list->v[i], EXPECT_FAIL, test, arch, accel))
			return &list->v[i];
	return NULL;
}

const struct expect_entry *expect_find_assert_fail(const struct expect_list *list,
						   const char *test, enum arch arch,
						   enum accel accel,
						   const char *text)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].assert_glob &&
		    entry_applies(list, &list->v[i], EXPECT_FAIL, test, arch, accel) &&
		    !fnmatch(list->v[i].assert_glob, text, 0))
			return &list->v[i];
	return NULL;
}

bool expect_entry_names_a_test(const struct expect_entry *e,
			       const struct cfg *cfg)
{
	for (size_t i = 0; i < cfg->ntests; i++)
		if (!fnmatch(e->test_glob, cfg->tests[i].name, 0))
			return true;
	return false;
}

void expect_free(struct expect_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].test_glob);
		free(list->v[i].assert_glob);
		free(list->v[i].reason);
		free(list->v[i].where);
		free(list->v[i].qemu);
		free(list->v[i].kernel);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
	list->uses_qemu = false;
}
