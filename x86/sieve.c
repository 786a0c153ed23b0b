/*
 * Most of RAM, exercised through a second mapping: allocate nearly the
 * whole heap, map it again at fresh virtual addresses with vmap() (4 KiB
 * PTEs), fill it through that alias and check it through the identity
 * map, then sieve primes in it and compare the counts with pi(x).
 */
#include "libcflat.h"
#include "x86/setup.h"
#include "x86/vm.h"

/* Left to the heap for vmap()'s page tables and everything else. */
#define HEAP_RESERVE	(8ul << 20)
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

static void test_fill(u64 *alias, const u64 *identity, size_t words)
{
	size_t i, bad = 0, first_bad = 0;

	for (i = 0; i < words; i++)
		alias[i] = i ^ PATTERN;
	for (i = 0; i < words; i++) {
		if (identity[i] != (i ^ PATTERN)) {
			if (!bad++)
				first_bad = i;
		}
	}
	report(!bad, "%zu MiB written through the alias, read back through "
	       "the identity map: %zu words differ (first at word %zu)",
	       words * 8 >> 20, bad, first_bad);
}

static void test_sieve(u8 *composite, size_t bytes)
{
	size_t n = pi[ARRAY_SIZE(pi) - 1].n, i, j;
	unsigned k = 0, count = 0;

	if (bytes < n) {
		report_skip("sieve: %zu bytes, need %zu", bytes, n);
		return;
	}
	memset(composite, 0, n);
	for (i = 2; i * i < n; i++)
		if (!composite[i])
			for (j = i * i; j < n; j += i)
				composite[j] = 1;
	for (i = 2; i < n; i++) {
		count += !composite[i];
		if (i + 1 == pi[k].n) {
			report(count == pi[k].primes,
			       "primes below %u: %u, want %u", pi[k].n, count,
			       pi[k].primes);
			k++;
		}
	}
}

int main(void)
{
	size_t free_bytes = heap_free_bytes(), size;
	u8 *buf, *alias;

	report_prefix_push("sieve");
	if (free_bytes < 2 * HEAP_RESERVE) {
		report_skip("heap %zu MiB: too small", free_bytes >> 20);
		return report_summary();
	}
	size = (free_bytes - HEAP_RESERVE) & ~(PAGE_SIZE - 1);
	buf = memalign(PAGE_SIZE, size);
	report(buf != NULL, "allocated %zu of %zu MiB free (RAM %lu MiB)",
	       size >> 20, free_bytes >> 20, (unsigned long)(ram_size() >> 20));
	if (!buf)
		return report_summary();

	alias = vmap(virt_to_phys(buf), size);
	report(alias != buf && get_pte(alias) &&
	       virt_to_phys(alias + size - 1) == virt_to_phys(buf + size - 1),
	       "vmap alias %p of %p ends at the same physical byte",
	       (void *)alias, (void *)buf);

	test_fill((u64 *)alias, (const u64 *)buf, size / 8);
	test_sieve(alias, size);
	return report_summary();
}
