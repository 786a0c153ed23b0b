// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory and the heap under load: the sieve of Eratosthenes over a large
 * heap array, then over the same memory through a vmap alias; both count
 * the 78498 primes below 10^6 (a known value, OEIS A006880).
 */
#include "libcflat.h"
#include "arm/mmu.h"

#ifdef __aarch64__
#define SECT_VMSA	"Arm ARM D8"
#else
#define SECT_VMSA	"DDI 0406C B3.6"
#endif

#define LIMIT		1000000
#define PRIMES		78498

static unsigned sieve(u8 *composite)
{
	unsigned n = 0;

	memset(composite, 0, LIMIT);
	for (unsigned i = 2; i < LIMIT; i++) {
		if (composite[i])
			continue;
		n++;
		for (unsigned j = i * 2; j < LIMIT; j += i)
			composite[j] = 1;
	}
	return n;
}

int main(void)
{
	size_t size = ALIGN_UP((size_t)LIMIT, PAGE_SIZE);
	u8 *heap = memalign(PAGE_SIZE, size);
	u8 *alias;
	unsigned n;

	report_prefix_push("sieve");
	assert(heap);
	n = sieve(heap);
	report(n == PRIMES, "heap: primes below %d (got %u, want %d)", LIMIT,
	       n, PRIMES);
	alias = vmap(virt_to_phys(heap), size);
	n = sieve(alias);
	report(n == PRIMES, "vmap alias: primes below %d (got %u, want %d)",
	       LIMIT, n, PRIMES);
	heap[LIMIT - 1] = 0xa5;
	report(alias[LIMIT - 1] == 0xa5, "a write through one mapping shows "
	       "through the other (got %#x, want 0xa5; %s)", alias[LIMIT - 1],
	       SECT_VMSA);
	return report_summary();
}
