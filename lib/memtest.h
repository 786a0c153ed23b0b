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

/*
 * Sieves the numbers below @limit (a power of ten, 10^3 to 10^7) in
 * @composite, one byte each, and reports the prime count below every power
 * of ten up to @limit against pi(x).  SKIPs when @bytes < @limit.
 * @what prefixes the reports (e.g. "heap", "vmap alias"); may be "".
 */
void memtest_sieve(u8 *composite, size_t bytes, u32 limit, const char *what);

#endif
