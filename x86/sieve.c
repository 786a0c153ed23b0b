/*
 * Most of RAM, exercised through a second mapping: allocate nearly the
 * whole heap, map it again at fresh virtual addresses with vmap() (4 KiB
 * PTEs), fill it through that alias and check it through the identity
 * map, then sieve primes in it and compare the counts with pi(x).
 */
#include "libcflat.h"
#include "x86/setup.h"
#include "x86/vm.h"
#include "memtest.h"

/* Left to the heap for vmap()'s page tables and everything else. */
#define HEAP_RESERVE	(8ul << 20)

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

	memtest_pattern((u64 *)alias, (const u64 *)buf, size / 8,
			"written through the alias, read back through the "
			"identity map");
	memtest_sieve(alias, size, 10000000, "");
	return report_summary();
}
