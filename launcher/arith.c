#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "arith.h"

struct arith {
	const char *s;		/* the next character */
	long long max_smp;
	int depth;
	const char *err;	/* the first error, or NULL */
};

static long long expr(struct arith *a);

static void blanks(struct arith *a)
{
	while (*a->s == ' ' || *a->s == '\t')
		a->s++;
}

static long long error(struct arith *a, const char *why)
{
	if (!a->err)
		a->err = why;
	return 0;
}

/* Takes @op when it comes next; a lone '&' or '|' is not the first half
 * of '&&' or '||'. Longer operators are tried before their prefixes. */
static bool take(struct arith *a, const char *op)
{
	size_t n = strlen(op);

	blanks(a);
	if (strncmp(a->s, op, n))
		return false;
	if (n == 1 && (op[0] == '&' || op[0] == '|') && a->s[1] == op[0])
		return false;
	a->s += n;
	return true;
}

/* An error of the value (not of the syntax): none in a branch of ?: that
 * is not taken, as in the shell. */
static bool value_error(const char *err)
{
	return err && (!strcmp(err, "division by zero") || !strcmp(err, "overflow") ||
		       !strcmp(err, "shift count out of range"));
}

static bool add_ok(long long x, long long y)
{
	return !((y > 0 && x > LLONG_MAX - y) || (y < 0 && x < LLONG_MIN - y));
}

static long long primary(struct arith *a)
{
	long long v = 0;

	blanks(a);
	if (a->depth++ > ARITH_MAX_DEPTH)
		return error(a, "nested too deeply");
	if (take(a, "(")) {
		v = expr(a);
		if (!take(a, ")"))
			error(a, "missing ')'");
	} else if (isdigit((unsigned char)*a->s)) {
		if (*a->s == '0' && isdigit((unsigned char)a->s[1]))
			error(a, "octal numbers are not taken");
		for (; isdigit((unsigned char)*a->s); a->s++) {
			if (v > (LLONG_MAX - (*a->s - '0')) / 10)
				return error(a, "number too large");
			v = v * 10 + (*a->s - '0');
		}
	} else if (!strncmp(a->s, "${MAX_SMP}", 10)) {
		a->s += 10;
		v = a->max_smp;
	} else if (!strncmp(a->s, "$MAX_SMP", 8) && !isalnum((unsigned char)a->s[8]) &&
		   a->s[8] != '_') {
		a->s += 8;
		v = a->max_smp;
	} else if (!strncmp(a->s, "MAX_SMP", 7) && !isalnum((unsigned char)a->s[7]) &&
		   a->s[7] != '_') {
		a->s += 7;
		v = a->max_smp;
	} else if (*a->s == '$' || isalpha((unsigned char)*a->s) || *a->s == '_') {
		error(a, "unknown variable (only MAX_SMP is known)");
	} else {
		error(a, *a->s ? "unexpected character" : "unexpected end");
	}
	a->depth--;
	return v;
}

static long long unary(struct arith *a)
{
	long long v;

	if (a->depth++ > ARITH_MAX_DEPTH)
		return error(a, "nested too deeply");
	if (take(a, "!")) {
		v = !unary(a);
	} else if (take(a, "~")) {
		v = ~unary(a);
	} else if (take(a, "-")) {
		v = unary(a);
		if (v == LLONG_MIN)
			v = error(a, "overflow");
		v = -v;
	} else if (take(a, "+")) {
		v = unary(a);
	} else {
		v = primary(a);
	}
	a->depth--;
	return v;
}

static long long mul(struct arith *a)
{
	long long v = unary(a), r;

	for (;;) {
		if (take(a, "*")) {
			r = unary(a);
			if (__builtin_mul_overflow(v, r, &v))
				return error(a, "overflow");
		} else if (take(a, "/") || take(a, "%")) {
			bool div = a->s[-1] == '/';

			r = unary(a);
			if (!r)
				return error(a, "division by zero");
			if (v == LLONG_MIN && r == -1)
				return error(a, "overflow");
			v = div ? v / r : v % r;
		} else {
			return v;
		}
	}
}

static long long add(struct arith *a)
{
	long long v = mul(a), r;

	for (;;) {
		if (take(a, "+")) {
			r = mul(a);
			if (!add_ok(v, r))
				return error(a, "overflow");
			v += r;
		} else if (take(a, "-")) {
			r = mul(a);
			if (r == LLONG_MIN || !add_ok(v, -r))
				return error(a, "overflow");
			v -= r;
		} else {
			return v;
		}
	}
}

static long long shift(struct arith *a)
{
	long long v = add(a), r;

	for (;;) {
		bool left = take(a, "<<");

		if (!left && !take(a, ">>"))
			return v;
		r = add(a);
		if (r < 0 || r > 62)
			return error(a, "shift count out of range");
		if (left && (v < 0 || v > (LLONG_MAX >> r)))
			return error(a, "overflow");
		v = left ? v << r : v >> r;
	}
}

static long long rel(struct arith *a)
{
	long long v = shift(a);

	for (;;) {
		if (take(a, "<="))
			v = v <= shift(a);
		else if (take(a, ">="))
			v = v >= shift(a);
		else if (take(a, "<"))
			v = v < shift(a);
		else if (take(a, ">"))
			v = v > shift(a);
		else
			return v;
	}
}

static long long eq(struct arith *a)
{
	long long v = rel(a);

	for (;;) {
		if (take(a, "=="))
			v = v == rel(a);
		else if (take(a, "!="))
			v = v != rel(a);
		else
			return v;
	}
}

static long long bit_and(struct arith *a)
{
	long long v = eq(a);

	while (take(a, "&"))
		v &= eq(a);
	return v;
}

static long long bit_xor(struct arith *a)
{
	long long v = bit_and(a);

	while (take(a, "^"))
		v ^= bit_and(a);
	return v;
}

static long long bit_or(struct arith *a)
{
	long long v = bit_xor(a);

	while (take(a, "|"))
		v |= bit_xor(a);
	return v;
}

/* Both sides are parsed (for their syntax) whatever the left one says;
 * nothing here has side effects, so evaluating both is harmless. */
static long long log_and(struct arith *a)
{
	long long v = bit_or(a);

	while (take(a, "&&")) {
		long long r = bit_or(a);

		v = v && r;
	}
	return v;
}

static long long log_or(struct arith *a)
{
	long long v = log_and(a);

	while (take(a, "||")) {
		long long r = log_and(a);

		v = v || r;
	}
	return v;
}

static long long expr(struct arith *a)
{
	const char *before, *et, *ef;
	long long c, t, f;

	if (a->depth++ > ARITH_MAX_DEPTH)
		return error(a, "nested too deeply");
	c = log_or(a);
	if (take(a, "?")) {
		before = a->err;
		a->err = NULL;
		t = expr(a);
		et = a->err;
		if (!take(a, ":")) {
			a->err = before;
			return error(a, et ? et : "missing ':' of '?:'");
		}
		a->err = NULL;
		f = expr(a);
		ef = a->err;
		a->err = before;
		if (c ? et : ef)
			error(a, c ? et : ef);
		else if ((c ? ef : et) && !value_error(c ? ef : et))
			error(a, c ? ef : et);
		c = c ? t : f;
	}
	a->depth--;
	return c;
}

bool arith_is_expr(const char *s)
{
	size_t n = strlen(s);

	return n >= 5 && !strncmp(s, "$((", 3) && !strcmp(s + n - 2, "))");
}

int arith_eval(const char *s, long long max_smp, long long *out, char *why,
	       size_t whylen)
{
	struct arith a = { .max_smp = max_smp };
	size_t n = strlen(s);
	char inner[1024];
	long long v;

	if (!arith_is_expr(s)) {
		snprintf(why, whylen, "not a $((...)) expression");
		return -1;
	}
	if (n - 5 >= sizeof(inner)) {
		snprintf(why, whylen, "expression too long");
		return -1;
	}
	memcpy(inner, s + 3, n - 5);
	inner[n - 5] = '\0';
	a.s = inner;
	v = expr(&a);
	blanks(&a);
	if (!a.err && *a.s)
		a.err = "unexpected character";
	if (a.err) {
		snprintf(why, whylen, "%s at '%s'", a.err, a.s);
		return -1;
	}
	*out = v;
	return 0;
}
