/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long-running memory checks shared by every arch's sieve test: a pattern
 * written through one mapping and read back through another (or the same),
 * and a sieve of Eratosthenes whose prime counts must equal pi(10^k).
 */
#ifndef MEMTEST_H
#define MEMTEST_H

#include "libcflat.h"

/*
 * Writes word i ^ a fixed pattern through @write, then reads all @words back
 * through @read (the same memory, maybe by another virtual address) and
 * reports how many differ; @how names the two mappings in the report.
 */
void memtest_pattern(u64 *write, const u64 *read, size_t words,
		     const char *how);

/* The two halves of memtest_pattern(), for a check that comes later
 * (after a migration, say): memtest_fill() writes, memtest_check() reports. */
void memtest_fill(u64 *mem, size_t words);
void memtest_check(const u64 *mem, size_t words, const char *how);

/*
 * A sequence written into a ring by another CPU (memtest_ring_writer(),
 * started with the arch's on_cpu_async()) until @stop: words[s % n] = s + 1.
 * memtest_ring_check() reports whether the ring reads as one unbroken
 * sequence (one break, where the writer stopped): a page that went stale,
 * e.g. not sent again after it was dirtied, shows as more.
 */
struct memtest_ring {
	u64 *words;
	size_t n;
	volatile u64 seq;	/* values written so far */
	volatile bool stop;
};

void memtest_ring_writer(void *ring);
void memtest_ring_check(const struct memtest_ring *ring);

/*
 * The whole migration-memory test (x86 and powerpc): the free heap but
 * @keep_free filled with the pattern, CPU 1 writing @ring_words' ring
 * through @start_cpu1 (the arch's on_cpu_async(1, memtest_ring_writer,
 * ring)), one migrate(), then @wait_cpu1 (the arch's wait for CPU 1 to be
 * idle) and the checks. @drop corrupts one pattern word on the destination
 * only, which must FAIL. Needs @cpus >= 2, else SKIPs (migrate_skip()).
 * Returns report_summary().
 */
int memtest_migration(bool drop, unsigned cpus, size_t keep_free,
		      size_t ring_words,
		      void (*start_cpu1)(struct memtest_ring *ring),
		      void (*wait_cpu1)(void));

/*
 * Sieves the numbers below @limit (a power of ten, 10^3 to 10^7) in
 * @composite, one byte each, and reports the prime count below every power
 * of ten up to @limit against pi(x).  SKIPs when @bytes < @limit.
 * @what prefixes the reports (e.g. "heap", "vmap alias"); may be "".
 */
void memtest_sieve(u8 *composite, size_t bytes, u32 limit, const char *what);

#endif
