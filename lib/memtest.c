// SPDX-License-Identifier: GPL-2.0-only
/* The shared memory checks behind each arch's sieve test (memtest.h). */
#include "libcflat.h"
#include "memtest.h"

#define PATTERN		0x9e3779b97f4a7c15ull

/* pi(10^k), the prime-counting function (OEIS A006880). */
static const struct {
	u32 n;
	u32 primes;
} pi[] = {
	{ 1000, 168 },
	{ 10000, 1229 },
	{ 100000, 9592 },
	{ 1000000, 78498 },
	{ 10000000, 664579 },
};

void memtest_pattern(u64 *write, const u64 *read, size_t words,
		     const char *how)
{
	size_t i, bad = 0, first_bad = 0;

	for (i = 0; i < words; i++)
		write[i] = i ^ PATTERN;
	for (i = 0; i < words; i++)
		if (read[i] != (i ^ PATTERN) && !bad++)
			first_bad = i;
	report(!bad, "%zu KiB %s: %zu words differ (first at word %zu)",
	       words * 8 >> 10, how, bad, first_bad);
}

void memtest_sieve(u8 *composite, size_t bytes, u32 limit, const char *what)
{
	const char *sep = *what ? ": " : "";
	size_t i, j;
	unsigned k = 0, count = 0;

	if (bytes < limit) {
		report_skip("%s%ssieve below %u: %zu bytes, need %u", what, sep,
			    limit, bytes, limit);
		return;
	}
	memset(composite, 0, limit);
	for (i = 2; i * i < limit; i++)
		if (!composite[i])
			for (j = i * i; j < limit; j += i)
				composite[j] = 1;
	for (i = 2; i < limit && k < ARRAY_SIZE(pi); i++) {
		count += !composite[i];
		if (i + 1 == pi[k].n) {
			report(count == pi[k].primes,
			       "%s%sprimes below %u (got %u, want %u)", what,
			       sep, pi[k].n, count, pi[k].primes);
			k++;
		}
	}
}
