// SPDX-License-Identifier: GPL-2.0-only
/* Number parsing, C semantics (C11 7.22.1.4) without errno. */
#include "libcflat.h"

static int digit_value(char c)
{
	if (isdigit(c))
		return c - '0';
	if (islower(c))
		return c - 'a' + 10;
	if (isupper(c))
		return c - 'A' + 10;
	return 36;
}

/*
 * Parses the magnitude, clamped to @limit, and the sign.  Returns the
 * magnitude and stores where parsing stopped (@s itself when there are no
 * digits, as C requires).
 */
static unsigned long long parse(const char *s, char **endptr, int base,
				unsigned long long limit, bool *neg,
				bool *overflow)
{
	const char *p = s;
	unsigned long long val = 0;
	bool any = false;
	int d;

	*neg = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36)
		goto out;

	while (isspace(*p))
		p++;
	if (*p == '-' || *p == '+')
		*neg = *p++ == '-';

	/* "0x" counts as a prefix only when a hex digit follows it. */
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}

	for (; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (*overflow)
			continue;
		if (val > (limit - d) / base) {
			*overflow = true;
			val = limit;
		} else {
			val = val * base + d;
		}
	}
out:
	if (endptr)
		*endptr = (char *)(any ? p : s);
	return any ? val : 0;
}

long long strtoll(const char *s, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long mag;

	/* Parse with the larger negative limit, then cut positives. */
	mag = parse(s, endptr, base, (unsigned long long)LLONG_MAX + 1,
		    &neg, &overflow);
	if (!neg)
		return mag > LLONG_MAX ? LLONG_MAX : (long long)mag;
	return mag > LLONG_MAX ? LLONG_MIN : -(long long)mag;
}

unsigned long long strtoull(const char *s, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long mag;

	mag = parse(s, endptr, base, ULLONG_MAX, &neg, &overflow);
	if (overflow)
		return ULLONG_MAX;
	/* C negates in the unsigned type: "-1" is ULLONG_MAX. */
	return neg ? -mag : mag;
}

long strtol(const char *s, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long mag;

	mag = parse(s, endptr, base, (unsigned long long)LONG_MAX + 1,
		    &neg, &overflow);
	if (!neg)
		return mag > LONG_MAX ? LONG_MAX : (long)mag;
	return mag > LONG_MAX ? LONG_MIN : -(long)mag;
}

unsigned long strtoul(const char *s, char **endptr, int base)
{
	bool neg, overflow;
	unsigned long long mag;

	mag = parse(s, endptr, base, ULONG_MAX, &neg, &overflow);
	if (overflow)
		return ULONG_MAX;
	return neg ? -(unsigned long)mag : (unsigned long)mag;
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int atoi(const char *s)
{
	long v = strtol(s, NULL, 10);

	/* Clamp like strtol() so a long on 64-bit does not wrap in an int. */
	if (v > INT_MAX)
		return INT_MAX;
	if (v < INT_MIN)
		return INT_MIN;
	return (int)v;
}
