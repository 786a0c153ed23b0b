// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory and the heap under load: the sieve of Eratosthenes over a large
 * heap array, then over the same memory through a vmap alias; both count
 * the primes below 10^6 against pi(x) (lib/memtest.c).
 */
#include "libcflat.h"
#include "memtest.h"
#include "arm/mmu.h"

#define LIMIT		1000000

int main(void)
{
	size_t size = ALIGN_UP((size_t)LIMIT, PAGE_SIZE);
	u8 *heap = memalign(PAGE_SIZE, size);
	u8 *alias;

	report_prefix_push("sieve");
	assert(heap);
	memtest_sieve(heap, size, LIMIT, "heap");
	alias = vmap(virt_to_phys(heap), size);
	memtest_sieve(alias, size, LIMIT, "vmap alias");
	memtest_pattern((u64 *)alias, (const u64 *)heap, size / 8,
			"written through the vmap alias, read back through "
			"the heap's mapping");
	return report_summary();
}
