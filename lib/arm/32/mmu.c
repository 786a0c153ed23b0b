// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARMv7 LPAE MMU control: TTBCR.EAE=1 long descriptors, MAIR0/1, TTBR0 and
 * SCTLR (DDI 0406C: Long-descriptor format, SCTLR, TTBCR), TLB and cache
 * maintenance by MVA.
 */
#include "libcflat.h"
#include "arm/mmu.h"
#include "arm/sysreg.h"

const int mmu_start_level = 1;			/* 32-bit VA: levels 1-3 */
const uintptr_t mmu_vmap_base = 0xf0000000ul;	/* above RAM on virt */

/* MAIR0 attrs 0-3 per enum mem_type: nGnRnE, WB RWA, NC, nGnRE */
#define MAIR0_VALUE	(0x00u | 0xffu << 8 | 0x44u << 16 | 0x04u << 24)

#define TTBCR_IRGN0_WBWA (1u << 8)
#define TTBCR_ORGN0_WBWA (1u << 10)
#define TTBCR_SH0_INNER	(3u << 12)
#define TTBCR_EPD1	(1u << 23)
#define TTBCR_EAE	(1u << 31)

#define SCTLR_M		(1u << 0)
#define SCTLR_A		(1u << 1)
#define SCTLR_C		(1u << 2)
#define SCTLR_Z		(1u << 11)
#define SCTLR_I		(1u << 12)
#define SCTLR_V		(1u << 13)

void mmu_arch_enable(u64 *root)
{
	u32 sctlr;

	dsb(ish);
	cp15_write32(MAIR0_VALUE, 0, c10, c2, 0);
	cp15_write32(0, 0, c10, c2, 1);
	cp15_write32(TTBCR_EAE | TTBCR_IRGN0_WBWA | TTBCR_ORGN0_WBWA |
		     TTBCR_SH0_INNER | TTBCR_EPD1, 0, c2, c0, 2);
	cp15_write64((uintptr_t)root, 0, c2);
	isb();
	cp15_write32(0, 0, c8, c7, 0);		/* TLBIALL */
	dsb(nsh);
	isb();
	sctlr = cp15_read32(0, c1, c0, 0);
	sctlr &= ~(SCTLR_A | SCTLR_V);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_Z | SCTLR_I;
	cp15_write32(sctlr, 0, c1, c0, 0);
	isb();
}

void tlb_flush_all(void)
{
	dsb(ishst);
	cp15_write32(0, 0, c8, c3, 0);		/* TLBIALLIS */
	dsb(ish);
	isb();
}

void tlb_flush_page(uintptr_t va)
{
	dsb(ishst);
	cp15_write32(va & ~0xfffu, 0, c8, c3, 3);	/* TLBIMVAAIS */
	dsb(ish);
	isb();
}

static unsigned long dcache_line(void)
{
	return 4ul << ((ctr_read() >> 16) & 0xf);
}

static unsigned long icache_line(void)
{
	return 4ul << (ctr_read() & 0xf);
}

void dcache_clean_inval_range(uintptr_t start, uintptr_t end)
{
	unsigned long line = dcache_line();

	for (uintptr_t a = ALIGN_DOWN(start, line); a < end; a += line)
		cp15_write32(a, 0, c7, c14, 1);	/* DCCIMVAC */
	dsb(sy);
}

void sync_icache_range(uintptr_t start, uintptr_t end)
{
	unsigned long dl = dcache_line(), il = icache_line();

	for (uintptr_t a = ALIGN_DOWN(start, dl); a < end; a += dl)
		cp15_write32(a, 0, c7, c11, 1);	/* DCCMVAU */
	dsb(ish);
	for (uintptr_t a = ALIGN_DOWN(start, il); a < end; a += il)
		cp15_write32(a, 0, c7, c5, 1);	/* ICIMVAU */
	cp15_write32(0, 0, c7, c5, 6);		/* BPIALL */
	dsb(ish);
	isb();
}
