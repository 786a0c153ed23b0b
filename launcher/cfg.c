#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "arith.h"
#include "cfg.h"
#include "shellwords.h"
#include "xalloc.h"

/* Per-section bookkeeping for duplicate keys. */
enum key {
	KEY_FILE,
	KEY_SMP,
	KEY_EXTRA_PARAMS,	/* qemu_params is its alias */
	KEY_TEST_ARGS,
	KEY_GROUPS,
	KEY_ARCH,
	KEY_ACCEL,
	KEY_TIMEOUT,
	KEY_CHECK,
	KEY_DISABLED_IF,
	KEY_MACHINE,
	KEY_FIRMWARE,
	KEY_KVMTOOL_PARAMS,
	KEY_COUNT,
};

static const struct {
	const char *name;
	enum key key;
	int repeatable;	/* each occurrence adds to the previous ones */
	int may_be_empty;
} keys[] = {
	{ "file", KEY_FILE, 0, 0 },
	{ "smp", KEY_SMP, 0, 0 },
	{ "extra_params", KEY_EXTRA_PARAMS, 0, 1 },
	{ "qemu_params", KEY_EXTRA_PARAMS, 0, 1 },
	{ "test_args", KEY_TEST_ARGS, 0, 1 },
	{ "groups", KEY_GROUPS, 0, 1 },
	{ "arch", KEY_ARCH, 0, 0 },
	{ "accel", KEY_ACCEL, 0, 0 },
	{ "timeout", KEY_TIMEOUT, 0, 0 },
	{ "check", KEY_CHECK, 1, 0 },
	{ "disabled_if", KEY_DISABLED_IF, 1, 0 },
	{ "machine", KEY_MACHINE, 0, 0 },
	{ "firmware", KEY_FIRMWARE, 0, 0 },
	/* upstream's kvmtool runner; accepted so those files parse, unused */
	{ "kvmtool_params", KEY_KVMTOOL_PARAMS, 0, 1 },
};

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	struct cfg *cfg;
	struct cfg_test *cur;		/* NULL before the first [section] */
	unsigned seen[KEY_COUNT];	/* line of each key in cur, 0: unseen */
	const char *seen_as[KEY_COUNT];	/* spelling used (alias) */
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.+-", *s))
			return 0;
	return 1;
}

static int parse_smp(struct parser *p, struct cfg_test *t, const char *v)
{
	static const char *const max_forms[] = {
		"$MAX_SMP", "${MAX_SMP}",
		"`getconf _NPROCESSORS_CONF`", "`getconf _NPROCESSORS_ONLN`",
		"$(getconf _NPROCESSORS_CONF)", "$(getconf _NPROCESSORS_ONLN)",
	};
	unsigned long n;
	char *end;

	char why[160];
	long long x;

	for (size_t i = 0; i < sizeof(max_forms) / sizeof(max_forms[0]); i++) {
		if (!strcmp(v, max_forms[i])) {
			t->smp = 0;
			return 0;
		}
	}
	/* upstream's $((($MAX_SMP < 8)?$MAX_SMP:8)): evaluated per host at
	 * plan time, its syntax checked now */
	if (arith_is_expr(v)) {
		if (arith_eval(v, 1, &x, why, sizeof(why)) < 0 &&
		    arith_eval(v, 2, &x, why, sizeof(why)) < 0)
			return fail(p, "key 'smp': bad expression '%s': %s", v, why);
		t->smp = 0;
		t->smp_expr = xstrdup(v);
		return 0;
	}
	if (!isdigit((unsigned char)*v))
		goto bad;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || n < 1 || n > CFG_MAX_SMP)
		return fail(p, "key 'smp': bad number '%s' (want 1 to %u)", v,
			    CFG_MAX_SMP);
	if (*end == ',') {
		if (!end[1])
			goto bad;
		for (const char *q = end + 1; *q; q++)
			if (!isalnum((unsigned char)*q) && !strchr("=,_-", *q))
				goto bad;
		t->smp_topology = xstrdup(end);
	} else if (*end) {
		goto bad;
	}
	t->smp = (unsigned)n;
	return 0;
bad:
	return fail(p, "key 'smp': bad number '%s' (want N, N,topology, $MAX_SMP or $((...)))", v);
}

static int parse_timeout(struct parser *p, struct cfg_test *t, const char *v)
{
	double secs;
	char *end;

	if (!isdigit((unsigned char)*v) && *v != '.')
		goto bad;
	errno = 0;
	secs = strtod(v, &end);
	if (errno || end == v)
		goto bad;
	/* the suffixes timeout(1) takes, which upstream cfg files use */
	if (!strcmp(end, "m"))
		secs *= 60;
	else if (!strcmp(end, "h"))
		secs *= 3600;
	else if (!strcmp(end, "d"))
		secs *= 86400;
	else if (*end && strcmp(end, "s"))
		goto bad;
	if (!isfinite(secs) || secs <= 0 || secs > 7 * 86400.0)
		goto bad;
	t->timeout = secs;
	return 0;
bad:
	return fail(p, "key 'timeout': bad duration '%s' (want seconds, or a number with s, m, h or d)", v);
}

static int split(struct parser *p, const char *key, const char *v,
		 struct strv *out, char **needs_shell)
{
	char why[128];

	if (shellwords_split(v, out, needs_shell, why, sizeof(why)) < 0) {
		strv_free(out);
		return fail(p, "key '%s': %s", key, why);
	}
	return 0;
}

static int parse_extra_params(struct parser *p, struct cfg_test *t,
			      const char *key, const char *v)
{
	struct strv words = { 0 };
	int r = 0;

	if (split(p, key, v, &words, &t->needs_shell) < 0)
		return -1;
	/* -append goes to the guest's command line, after test_args, so that
	 * the launcher passes exactly one -append. */
	for (size_t i = 0; i < words.n && !r; i++) {
		if (strcmp(words.v[i], "-append") && strcmp(words.v[i], "--append")) {
			strv_push(&t->extra, words.v[i]);
			continue;
		}
		if (i + 1 == words.n)
			r = fail(p, "key '%s': %s without an argument", key, words.v[i]);
		else
			strv_push(&t->append, words.v[++i]);
	}
	strv_free(&words);
	return r;
}

static int parse_test_args(struct parser *p, struct cfg_test *t, const char *v)
{
	struct strv words = { 0 };

	if (split(p, "test_args", v, &words, &t->needs_shell) < 0)
		return -1;
	/* test_args come first even when extra_params' -append was read first */
	for (size_t i = 0; i < t->append.n; i++)
		strv_push(&words, t->append.v[i]);
	strv_free(&t->append);
	t->append = words;
	return 0;
}

static int parse_groups(struct parser *p, struct cfg_test *t, const char *v)
{
	if (split(p, "groups", v, &t->groups, NULL) < 0)
		return -1;
	for (size_t i = 0; i < t->groups.n; i++) {
		if (!valid_name(t->groups.v[i]))
			return fail(p, "key 'groups': bad group name '%s'", t->groups.v[i]);
		if (!strcmp(t->groups.v[i], "nodefault"))
			t->nodefault = true;
	}
	return 0;
}

static int parse_arch(struct parser *p, struct cfg_test *t, const char *v)
{
	struct strv words = { 0 };
	int r = 0;

	if (split(p, "arch", v, &words, NULL) < 0)
		return -1;
	for (size_t i = 0; i < words.n && !r; i++) {
		enum arch a = arch_from_name(words.v[i]);

		if (a == ARCH_NONE)
			r = fail(p, "key 'arch': unknown arch '%s' (want %s)",
				 words.v[i], arch_all_names());
		else
			t->arches |= arch_cfg_mask(a);
	}
	strv_free(&words);
	return r;
}

static int parse_checks(struct parser *p, struct cfg_test *t, const char *v)
{
	struct strv words = { 0 };
	int r = 0;

	if (split(p, "check", v, &words, NULL) < 0)
		return -1;
	for (size_t i = 0; i < words.n && !r; i++) {
		char *eq = strchr(words.v[i], '=');

		if (words.v[i][0] != '/' || !eq) {
			r = fail(p, "key 'check': bad precondition '%s' (want /path=value)",
				 words.v[i]);
			break;
		}
		t->checks = xreallocarray(t->checks, t->nchecks + 1, sizeof(*t->checks));
		t->checks[t->nchecks].path = xstrndup(words.v[i], (size_t)(eq - words.v[i]));
		t->checks[t->nchecks].want = xstrdup(eq + 1);
		t->nchecks++;
	}
	strv_free(&words);
	return r;
}

/* "tcg" or "tcg,thread=single": the options go to QEMU's -accel. */
static int parse_accel(struct parser *p, struct cfg_test *t, const char *v)
{
	const char *comma = strchr(v, ',');
	char *name = xstrndup(v, comma ? (size_t)(comma - v) : strlen(v));
	int a = accel_from_name(name);

	free(name);
	if (a != ACCEL_KVM && a != ACCEL_TCG)
		return fail(p, "key 'accel': unknown accelerator '%s' (want kvm or tcg, with ,options)", v);
	if (comma) {
		if (!comma[1])
			return fail(p, "key 'accel': empty options in '%s'", v);
		for (const char *q = comma + 1; *q; q++)
			if (!isalnum((unsigned char)*q) && !strchr("=,_-.", *q))
				return fail(p, "key 'accel': bad character '%c' in '%s'", *q, v);
		t->accel_opts = xstrdup(comma);
	}
	t->accel = (enum accel)a;
	return 0;
}

static int parse_value(struct parser *p, enum key key, const char *kname,
		       const char *v)
{
	struct cfg_test *t = p->cur;
	char why[160];

	switch (key) {
	case KEY_FILE:
		if (strpbrk(v, " \t"))
			return fail(p, "key 'file': blanks in '%s'", v);
		t->file = xstrdup(v);
		return 0;
	case KEY_SMP:
		return parse_smp(p, t, v);
	case KEY_EXTRA_PARAMS:
		return parse_extra_params(p, t, kname, v);
	case KEY_TEST_ARGS:
		return parse_test_args(p, t, v);
	case KEY_GROUPS:
		return parse_groups(p, t, v);
	case KEY_ARCH:
		return parse_arch(p, t, v);
	case KEY_ACCEL:
		return parse_accel(p, t, v);
	case KEY_TIMEOUT:
		return parse_timeout(p, t, v);
	case KEY_CHECK:
		return parse_checks(p, t, v);
	case KEY_DISABLED_IF:
		t->disabled_if = xreallocarray(t->disabled_if, t->ndisabled_if + 1,
					       sizeof(*t->disabled_if));
		if (cond_parse(v, &t->disabled_if[t->ndisabled_if], why, sizeof(why)) < 0)
			return fail(p, "key 'disabled_if': %s", why);
		t->ndisabled_if++;
		return 0;
	case KEY_MACHINE:
		if (strpbrk(v, " \t"))
			return fail(p, "key 'machine': blanks in '%s'", v);
		t->machine = xstrdup(v);
		return 0;
	case KEY_FIRMWARE:
		if (!strcmp(v, "qboot"))
			t->firmware = CFG_FIRMWARE_QBOOT;
		else if (!strcmp(v, "default"))
			t->firmware = CFG_FIRMWARE_DEFAULT;
		else
			return fail(p, "key 'firmware': unknown firmware '%s' (want qboot or default)", v);
		return 0;
	default:
		return 0;
	}
}

static int end_section(struct parser *p)
{
	if (p->cur && !p->cur->file) {
		p->line = p->cur->line;
		return fail(p, "[%s]: no 'file' key", p->cur->name);
	}
	return 0;
}

static int parse_section(struct parser *p, char *s)
{
	char *close = strchr(s, ']'), *name, *rest;
	struct cfg_test *t;

	if (!close)
		return fail(p, "missing ']'");
	*close = '\0';
	name = s + 1;
	while (*name == ' ' || *name == '\t')
		name++;
	for (char *e = close; e > name && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	rest = close + 1;
	rest += strspn(rest, " \t");
	if (*rest && *rest != '#')
		return fail(p, "unexpected '%s' after ']'", rest);
	if (!valid_name(name))
		return fail(p, "bad test name '%s' (letters, digits, '_', '.', '+', '-')", name);
	for (size_t i = 0; i < p->cfg->ntests; i++)
		if (!strcmp(p->cfg->tests[i].name, name))
			return fail(p, "duplicate section [%s] (first at line %u)",
				    name, p->cfg->tests[i].line);
	if (end_section(p) < 0)
		return -1;
	p->cfg->tests = xreallocarray(p->cfg->tests, p->cfg->ntests + 1,
				      sizeof(*p->cfg->tests));
	t = &p->cfg->tests[p->cfg->ntests++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->line = p->line;
	t->smp = 1;
	p->cur = t;
	memset(p->seen, 0, sizeof(p->seen));
	return 0;
}

/* Cuts a '#' comment that follows a blank, outside quotes. */
static void strip_comment(char *v)
{
	char quote = 0;

	for (char *s = v; *s; s++) {
		if (quote) {
			if (*s == '\\' && quote == '"' && s[1])
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '\\' && s[1]) {
			s++;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '#' && (s == v || s[-1] == ' ' || s[-1] == '\t')) {
			*s = '\0';
			break;
		}
	}
}

static int parse_assignment(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *kname, *v, *e;
	size_t k;

	if (!eq)
		return fail(p, "expected 'key = value', '[name]' or a '#' comment");
	*eq = '\0';
	kname = s;
	for (e = eq; e > kname && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	v = eq + 1;
	v += strspn(v, " \t");
	strip_comment(v);
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(keys[k].name, kname))
			break;
	if (!*kname)
		return fail(p, "missing key before '='");
	if (k == sizeof(keys) / sizeof(keys[0]))
		return fail(p, "key '%s': unknown key", kname);
	if (!p->cur)
		return fail(p, "key '%s': outside any [section]", kname);
	if (p->seen[keys[k].key] && !keys[k].repeatable) {
		if (strcmp(p->seen_as[keys[k].key], kname))
			return fail(p, "key '%s': duplicate of '%s' at line %u",
				    kname, p->seen_as[keys[k].key],
				    p->seen[keys[k].key]);
		return fail(p, "key '%s': duplicate (first at line %u)", kname,
			    p->seen[keys[k].key]);
	}
	p->seen[keys[k].key] = p->line;
	p->seen_as[keys[k].key] = keys[k].name;
	if (!*v && !keys[k].may_be_empty)
		return fail(p, "key '%s': empty value", kname);
	return parse_value(p, keys[k].key, kname, v);
}

static int parse_line(struct parser *p, const char *raw, size_t len)
{
	char *line, *s, *e;
	int r = 0;

	if (len > CFG_MAX_LINE)
		return fail(p, "line too long (%zu bytes, at most %u)", len, CFG_MAX_LINE);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return fail(p, "binary data (byte 0x%02x), not a cfg file", c);
	}
	line = xstrndup(raw, len);
	s = line + strspn(line, " \t");
	for (e = s + strlen(s); e > s && strchr(" \t\r", e[-1]);)
		*--e = '\0';
	if (!*s || *s == '#')
		r = 0;
	else if (*s == '[')
		r = parse_section(p, s);
	else
		r = parse_assignment(p, s);
	free(line);
	return r;
}

int cfg_parse(const char *name, const char *buf, size_t len, struct cfg *out,
	      char *err, size_t errlen)
{
	struct parser p = {
		.name = name, .err = err, .errlen = errlen, .cfg = out,
	};
	const char *s = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	if (len > CFG_MAX_SIZE) {
		snprintf(err, errlen, "%s: too large (%zu bytes, at most %u)",
			 name, len, CFG_MAX_SIZE);
		goto fail;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);

		p.line++;
		if (parse_line(&p, s, l) < 0)
			goto fail;
		s += l + (nl != NULL);
	}
	if (end_section(&p) < 0)
		goto fail;
	return 0;
fail:
	cfg_free(out);
	return -1;
}

unsigned cfg_test_smp(const struct cfg_test *t, unsigned max_smp, char *why,
		      size_t whylen)
{
	char err[160];
	long long x;

	if (!t->smp_expr)
		return t->smp ? t->smp : max_smp;
	if (arith_eval(t->smp_expr, max_smp, &x, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "smp %s with MAX_SMP=%u: %s", t->smp_expr,
			 max_smp, err);
		return 0;
	}
	if (x < 1 || x > CFG_MAX_SMP) {
		snprintf(why, whylen, "smp %s with MAX_SMP=%u gives %lld (want 1 to %u)",
			 t->smp_expr, max_smp, x, CFG_MAX_SMP);
		return 0;
	}
	return (unsigned)x;
}

const struct cfg_test *cfg_find(const struct cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntests; i++)
		if (!strcmp(cfg->tests[i].name, name))
			return &cfg->tests[i];
	return NULL;
}

bool cfg_test_in_group(const struct cfg_test *t, const char *group)
{
	for (size_t i = 0; i < t->groups.n; i++)
		if (!strcmp(t->groups.v[i], group))
			return true;
	return false;
}

void cfg_free(struct cfg *cfg)
{
	for (size_t i = 0; i < cfg->ntests; i++) {
		struct cfg_test *t = &cfg->tests[i];

		free(t->name);
		free(t->file);
		free(t->smp_topology);
		free(t->smp_expr);
		free(t->accel_opts);
		strv_free(&t->extra);
		strv_free(&t->append);
		strv_free(&t->groups);
		for (size_t j = 0; j < t->nchecks; j++) {
			free(t->checks[j].path);
			free(t->checks[j].want);
		}
		free(t->checks);
		for (size_t j = 0; j < t->ndisabled_if; j++)
			cond_free(&t->disabled_if[j]);
		free(t->disabled_if);
		free(t->machine);
		free(t->needs_shell);
	}
	free(cfg->tests);
	free(cfg->name);
	memset(cfg, 0, sizeof(*cfg));
}
