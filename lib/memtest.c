// SPDX-License-Identifier: GPL-2.0-only
/* The shared memory checks behind each arch's sieve test (memtest.h). */
#include "libcflat.h"
#include "memtest.h"
#include "migrate.h"

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

int memtest_migration(bool drop, unsigned cpus, size_t keep_free,
		      size_t ring_words,
		      void (*start_cpu1)(struct memtest_ring *ring),
		      void (*wait_cpu1)(void))
{
	struct memtest_ring ring = { .n = ring_words };
	size_t bytes, words;
	u64 *mem, seq_before, seq_after;

	report_prefix_push("migration-memory");
	if (cpus < 2) {
		migrate_skip("migration-memory needs a second CPU to write "
			     "during the migration");
		report_skip("needs a second CPU to write during the migration "
			    "(smp = %u)", cpus);
		return report_summary();
	}
	ring.words = calloc(ring_words, sizeof(u64));
	assert(ring.words);
	bytes = heap_free_bytes();
	bytes = bytes > keep_free ? bytes - keep_free : 0;
	mem = malloc(bytes);
	assert(mem);
	words = bytes / sizeof(u64);
	memtest_fill(mem, words);
	report_info("pattern over %lu MiB at %p", (unsigned long)(bytes / MiB),
		    (void *)mem);

	start_cpu1(&ring);
	/* the ring has wrapped: every word holds a written value */
	while (ring.seq < 2 * ring_words)
		barrier();
	seq_before = ring.seq;
	migrate();
	seq_after = ring.seq;
	ring.stop = true;
	wait_cpu1();
	if (drop)
		mem[words / 3] ^= 1ull << 40;

	report(seq_after > seq_before, "CPU 1 wrote on during the migration "
	       "(got sequence %llu after, want > %llu)",
	       (unsigned long long)seq_after, (unsigned long long)seq_before);
	memtest_check(mem, words, "of pattern, written before the migration, "
		      "read after it");
	memtest_ring_check(&ring);
	report_prefix_pop();
	return report_summary();
}
