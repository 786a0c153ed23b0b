// SPDX-License-Identifier: GPL-2.0-only
/*
 * From entry.S to main(): the device tree (moved beside the image, where
 * nothing overwrites it), the RAM it lists, the identity map and MMU, the
 * heap, the PL011 console, PSCI, the CPUs and argv from /chosen/bootargs.
 */
#include "libcflat.h"
#include "libfdt.h"
#include "devicetree.h"
#include "arm/mmu.h"
#include "arm/psci.h"
#include "arm/setup.h"
#include "arm/smp.h"

/* enough for the root, the tables down to RAM and the image's pages */
#define PT_POOL_SIZE	(256 * KiB)

extern char _start[], __text_end[], _end[];
int main(int argc, char **argv);

struct mem_region mem_regions[MAX_MEM_REGIONS];
int nr_mem_regions;
static char cmdline[ARGV_BUF_SIZE];

u64 ram_total(void)
{
	u64 sum = 0;

	for (int i = 0; i < nr_mem_regions; i++)
		sum += mem_regions[i].end - mem_regions[i].start;
	return sum;
}

static void __noreturn hang(void)
{
	for (;;)
		wfi();
}

void arch_exit(int code)
{
	(void)code;	/* the EXIT: line carries it (DESIGN.md, "Exit") */
	psci_system_off();
	hang();
}

void setup_primary(const void *fdt)
{
	uintptr_t image = (uintptr_t)_start, fdt_copy, pool, heap;
	struct dt_reg regs[MAX_MEM_REGIONS];
	u64 ram_top = 0;
	const char *bootargs;
	int n;

	smp_early_init();
	/* No console yet: a bad device tree can only hang (the launcher's
	 * timeout reports it). */
	if (dt_init(fdt))
		hang();
	fdt_copy = ALIGN_UP((uintptr_t)_end, 8);
	memmove((void *)fdt_copy, fdt, fdt_totalsize(fdt));
	if (dt_init((void *)fdt_copy))
		hang();

	n = dt_get_memory(regs, MAX_MEM_REGIONS);
	for (int i = 0; i < n; i++) {
		mem_regions[i].start = regs[i].addr;
		mem_regions[i].end = regs[i].addr + regs[i].size;
		if (image >= regs[i].addr && image < mem_regions[i].end)
			ram_top = mem_regions[i].end;
	}
	nr_mem_regions = n > 0 ? n : 0;
	if (!ram_top)
		hang();

	pool = ALIGN_UP(fdt_copy + fdt_totalsize((void *)fdt_copy), PAGE_SIZE);
	heap = pool + PT_POOL_SIZE;
	mmu_init(pool, heap);
	for (int i = 0; i < nr_mem_regions; i++)
		mmu_map(mem_regions[i].start, mem_regions[i].start,
			mem_regions[i].end - mem_regions[i].start, MEM_NORMAL,
			PROT_USER);
	mmu_map(image, image, (uintptr_t)__text_end - image, MEM_NORMAL,
		PROT_USER | PROT_RO | PROT_EXEC);
	/* the tables and image were written with the caches off */
	dcache_clean_inval_range(image, heap);
	mmu_enable_this_cpu();

	heap_init((void *)heap, ram_top - heap);
	pl011_init();
	psci_init();
	smp_init();

	bootargs = dt_get_bootargs();
	snprintf(cmdline, sizeof(cmdline), "test %s", bootargs ? bootargs : "");
	setup_args(cmdline);
	exit(main(__argc, __argv));
}
