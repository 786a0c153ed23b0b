// SPDX-License-Identifier: GPL-2.0-only
/*
 * AArch64 MMU control: MAIR_EL1, TCR_EL1, TTBR0_EL1 and SCTLR_EL1 for the
 * tables lib/arm/mmu.c builds (Arm ARM, VMSAv8-64 and the registers), TLB and cache
 * maintenance by VA.
 */
#include "libcflat.h"
#include "arm/mmu.h"
#include "arm/sysreg.h"

const int mmu_start_level = 0;			/* 48-bit VA: levels 0-3 */
const uintptr_t mmu_vmap_base = 0x100000000000ul;	/* above any RAM */

/* MAIR_EL1 per enum mem_type (Arm ARM, MAIR_EL1): nGnRnE, WB RWA, NC, nGnRE, tagged */
#define MAIR_VALUE	(0x00ul | 0xfful << 8 | 0x44ul << 16 | 0x04ul << 24 | \
			 0xf0ul << 32)

#define TCR_T0SZ(bits)	(64ul - (bits))
#define TCR_IRGN0_WBWA	(1ul << 8)
#define TCR_ORGN0_WBWA	(1ul << 10)
#define TCR_SH0_INNER	(3ul << 12)
#define TCR_TG0_4K	(0ul << 14)
#define TCR_EPD1	(1ul << 23)
#define TCR_IPS_SHIFT	32

#define SCTLR_M		(1ul << 0)
#define SCTLR_A		(1ul << 1)
#define SCTLR_C		(1ul << 2)
#define SCTLR_SA	(1ul << 3)
#define SCTLR_I		(1ul << 12)
#define SCTLR_DZE	(1ul << 14)
#define SCTLR_UCT	(1ul << 15)
#define SCTLR_NTWI	(1ul << 16)
#define SCTLR_NTWE	(1ul << 18)
#define SCTLR_WXN	(1ul << 19)
#define SCTLR_SPAN	(1ul << 23)	/* 1: PAN untouched on exception entry */
#define SCTLR_UCI	(1ul << 26)

void mmu_arch_enable(u64 *root)
{
	u64 pa_range = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	u64 sctlr;

	if (pa_range > 5)	/* 48-bit output addresses at most */
		pa_range = 5;
	dsb(ish);
	write_sysreg(MAIR_VALUE, mair_el1);
	write_sysreg(TCR_T0SZ(48) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
		     TCR_SH0_INNER | TCR_TG0_4K | TCR_EPD1 |
		     pa_range << TCR_IPS_SHIFT, tcr_el1);
	write_sysreg(root, ttbr0_el1);
	isb();
	__asm__ __volatile__("tlbi vmalle1" ::: "memory");
	dsb(nsh);
	isb();
	sctlr = read_sysreg(sctlr_el1);
	sctlr &= ~(SCTLR_A | SCTLR_WXN);
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_DZE |
		 SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE | SCTLR_SPAN | SCTLR_UCI;
	write_sysreg(sctlr, sctlr_el1);
	isb();
}

void tlb_flush_all(void)
{
	dsb(ishst);
	__asm__ __volatile__("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
}

void tlb_flush_page(uintptr_t va)
{
	dsb(ishst);
	__asm__ __volatile__("tlbi vaae1is, %0" :: "r"(va >> 12) : "memory");
	dsb(ish);
	isb();
}

static unsigned long dcache_line(void)
{
	return 4ul << ((ctr_read() >> 16) & 0xf);	/* CTR_EL0.DminLine */
}

static unsigned long icache_line(void)
{
	return 4ul << (ctr_read() & 0xf);		/* CTR_EL0.IminLine */
}

void dcache_clean_inval_range(uintptr_t start, uintptr_t end)
{
	unsigned long line = dcache_line();

	for (uintptr_t a = ALIGN_DOWN(start, line); a < end; a += line)
		__asm__ __volatile__("dc civac, %0" :: "r"(a) : "memory");
	dsb(sy);
}

void sync_icache_range(uintptr_t start, uintptr_t end)
{
	unsigned long dl = dcache_line(), il = icache_line();

	for (uintptr_t a = ALIGN_DOWN(start, dl); a < end; a += dl)
		__asm__ __volatile__("dc cvau, %0" :: "r"(a) : "memory");
	dsb(ish);
	for (uintptr_t a = ALIGN_DOWN(start, il); a < end; a += il)
		__asm__ __volatile__("ic ivau, %0" :: "r"(a) : "memory");
	dsb(ish);
	isb();
}
