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

void memtest_fill(u64 *mem, size_t words)
{
	for (size_t i = 0; i < words; i++)
		mem[i] = i ^ PATTERN;
}

void memtest_check(const u64 *mem, size_t words, const char *how)
{
	size_t i, bad = 0, first_bad = 0;

	for (i = 0; i < words; i++)
		if (mem[i] != (i ^ PATTERN) && !bad++)
			first_bad = i;
	report(!bad, "%zu KiB %s: %zu words differ (first at word %zu)",
	       words * 8 >> 10, how, bad, first_bad);
}

void memtest_pattern(u64 *write, const u64 *read, size_t words,
		     const char *how)
{
	memtest_fill(write, words);
	memtest_check(read, words, how);
}

void memtest_ring_writer(void *arg)
{
	struct memtest_ring *r = arg;
	u64 s = 0;

	while (!r->stop) {
		r->words[s % r->n] = s + 1;
		r->seq = ++s;
	}
}

void memtest_ring_check(const struct memtest_ring *r)
{
	size_t breaks = 0;

	for (size_t k = 0; k < r->n; k++)
		if (r->words[(k + 1) % r->n] != r->words[k] + 1)
			breaks++;
	report(breaks == 1, "CPU 1's ring is one unbroken sequence (got %zu "
	       "breaks, want 1)", breaks);
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
