#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arch.h"
#include "cond.h"
#include "shellwords.h"
#include "xalloc.h"

#define TARGET_NAME "qemu"

static int var_from_name(const char *name, enum cond_var *var)
{
	if (*name == '$')
		name++;
	if (*name == '{') {
		size_t len = strlen(name);

		if (len < 3 || name[len - 1] != '}')
			return -1;
		name++;
		len -= 2;
		if (!strncasecmp(name, "arch", len) && len == 4)
			return *var = COND_ARCH, 0;
		if (!strncasecmp(name, "accel", len) && len == 5)
			return *var = COND_ACCEL, 0;
		if (!strncasecmp(name, "target", len) && len == 6)
			return *var = COND_TARGET, 0;
		return -1;
	}
	if (!strcasecmp(name, "arch"))
		return *var = COND_ARCH, 0;
	if (!strcasecmp(name, "accel"))
		return *var = COND_ACCEL, 0;
	if (!strcasecmp(name, "target"))
		return *var = COND_TARGET, 0;
	return -1;
}

static struct cond_all *new_alt(struct cond *c)
{
	c->alts = xreallocarray(c->alts, c->n + 1, sizeof(*c->alts));
	c->alts[c->n].terms = NULL;
	c->alts[c->n].n = 0;
	return &c->alts[c->n++];
}

static int add_term(struct cond_all *all, const char *var, const char *op,
		    const char *val, char *err, size_t errlen)
{
	struct cond_term t;

	if (var_from_name(var, &t.var) < 0) {
		snprintf(err, errlen,
			 "unknown variable '%s' (want arch, accel or target)",
			 var);
		return -1;
	}
	if (!strcmp(op, "!="))
		t.negate = true;
	else if (!strcmp(op, "=") || !strcmp(op, "=="))
		t.negate = false;
	else
		return snprintf(err, errlen, "unknown operator '%s'", op), -1;
	if (!*val)
		return snprintf(err, errlen, "empty value for '%s'", var), -1;
	t.glob = xstrdup(val);
	all->terms = xreallocarray(all->terms, all->n + 1, sizeof(*all->terms));
	all->terms[all->n++] = t;
	return 0;
}

/* "var=val", "var!=val", "var==val" in one word. */
static int add_word_term(struct cond_all *all, const char *w, char *err,
			 size_t errlen)
{
	const char *eq = strchr(w, '=');
	const char *opstart, *val;
	char *var, *op;
	int r;

	if (!eq || eq == w) {
		snprintf(err, errlen, "cannot read '%s': want VAR=VALUE or VAR!=VALUE", w);
		return -1;
	}
	opstart = eq > w && eq[-1] == '!' ? eq - 1 : eq;
	val = eq[1] == '=' ? eq + 2 : eq + 1;
	var = xstrndup(w, (size_t)(opstart - w));
	op = xstrndup(opstart, (size_t)(val - opstart));
	r = add_term(all, var, op, val, err, errlen);
	free(var);
	free(op);
	return r;
}

static int is_op(const char *w)
{
	return !strcmp(w, "=") || !strcmp(w, "==") || !strcmp(w, "!=");
}

int cond_parse(const char *text, struct cond *out, char *err, size_t errlen)
{
	struct strv words = { 0 }, toks = { 0 };
	struct cond_all *all;
	int r = -1;

	memset(out, 0, sizeof(*out));
	out->text = xstrdup(text);
	if (shellwords_split(text, &words, NULL, err, errlen) < 0)
		goto out;
	/* A comma joins terms like '&&'; make it a word of its own. */
	for (size_t i = 0; i < words.n; i++) {
		char *w = words.v[i], *comma;

		while ((comma = strchr(w, ',')) != NULL) {
			if (comma > w)
				strv_push_owned(&toks, xstrndup(w, (size_t)(comma - w)));
			strv_push(&toks, "&&");
			w = comma + 1;
		}
		if (*w)
			strv_push(&toks, w);
	}
	all = new_alt(out);
	for (size_t i = 0; i < toks.n; i++) {
		const char *t = toks.v[i];

		if (!strcmp(t, "[[") || !strcmp(t, "]]") || !strcmp(t, "[") ||
		    !strcmp(t, "]") || !strcmp(t, "&&"))
			continue;
		if (!strcmp(t, "||")) {
			if (!all->n) {
				snprintf(err, errlen, "'||' without a condition before it");
				goto out;
			}
			all = new_alt(out);
			continue;
		}
		if (i + 2 < toks.n && is_op(toks.v[i + 1])) {
			if (add_term(all, t, toks.v[i + 1], toks.v[i + 2], err,
				     errlen) < 0)
				goto out;
			i += 2;
			continue;
		}
		if (add_word_term(all, t, err, errlen) < 0)
			goto out;
	}
	if (!all->n) {
		snprintf(err, errlen, "empty condition");
		goto out;
	}
	r = 0;
out:
	strv_free(&words);
	strv_free(&toks);
	if (r < 0)
		cond_free(out);
	return r;
}

static bool term_holds(const struct cond_term *t, const char *arch,
		       const char *accel)
{
	const char *val;
	bool match;

	switch (t->var) {
	case COND_ARCH:
		val = arch;
		break;
	case COND_ACCEL:
		val = accel;
		break;
	default:
		val = TARGET_NAME;
		break;
	}
	if (t->var == COND_ARCH && arch_from_name(t->glob) != ARCH_NONE)
		match = arch_cfg_mask(arch_from_name(t->glob)) &
			ARCH_BIT(arch_from_name(val));
	else
		match = fnmatch(t->glob, val, 0) == 0;
	return match != t->negate;
}

bool cond_eval(const struct cond *c, const char *arch, const char *accel)
{
	for (size_t i = 0; i < c->n; i++) {
		bool all = true;

		for (size_t j = 0; j < c->alts[i].n && all; j++)
			all = term_holds(&c->alts[i].terms[j], arch, accel);
		if (all)
			return true;
	}
	return false;
}

void cond_free(struct cond *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->alts[i].n; j++)
			free(c->alts[i].terms[j].glob);
		free(c->alts[i].terms);
	}
	free(c->alts);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
