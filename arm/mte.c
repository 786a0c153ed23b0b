// SPDX-License-Identifier: GPL-2.0-only
/*
 * MTE (Arm ARM, "The Memory Tagging Extension"): a load or store through
 * a pointer whose tag differs from its granule's allocation tag is a Tag
 * Check Fault, reported as SCTLR_EL1.TCF asks: synchronously (a data abort
 * with DFSC 0x11), asynchronously (TFSR_EL1.TF0), or asymmetrically (loads
 * synchronous, stores asynchronous; FEAT_MTE3). SKIP when
 * ID_AA64PFR1_EL1.MTE (bits 11:8) lacks the level, or when the machine
 * gives no tag storage (cfg: machine = virt,mte=on).
 *
 * usage: mte sync|async|asymm
 */
#include "libcflat.h"
#include "arm/exceptions.h"
#include "arm/mmu.h"
#include "arm/sysreg.h"

#define SCTLR_ATA	(1ul << 43)
#define SCTLR_TCF_SHIFT	40
#define TCF_SYNC	1ul
#define TCF_ASYNC	2ul
#define TCF_ASYMM	3ul
#define TCR_TBI0	(1ul << 37)
#define TFSR_EL1	S3_0_C5_C6_0
#define TFSR_TF0	(1ul << 0)
#define GCR_EL1		S3_0_C1_C0_6
#define MTE_GRANULE	16

static inline void *tag_ptr(void *p, unsigned tag)
{
	return (void *)(((uintptr_t)p & ~(0xful << 56)) | (uintptr_t)tag << 56);
}

static void set_tag(void *p)
{
	__asm__ __volatile__("stg %0, [%0]"
			     :: "r"(p) : "memory");
}

static void do_load(void *p)
{
	(void)*(volatile u64 *)p;
}

static void do_store(void *p)
{
	*(volatile u64 *)p = 0xabcd;
}

static void tcf_set(unsigned long tcf)
{
	u64 sctlr = read_sysreg(sctlr_el1);

	sctlr &= ~(3ul << SCTLR_TCF_SHIFT);
	write_sysreg(sctlr | SCTLR_ATA | tcf << SCTLR_TCF_SHIFT, sctlr_el1);
	isb();
}

static u64 tfsr_take(void)
{
	u64 v;

	dsb(nsh);
	isb();
	v = read_sysreg(TFSR_EL1);
	write_sysreg(0, TFSR_EL1);
	isb();
	return v;
}

/* Taking an exception sets PSTATE.TCO (Arm ARM, MTE), and run_catching() comes
 * back from the fault's handler: clear it, or later accesses go unchecked. */
static void tco_clear(void)
{
	__asm__ __volatile__("msr tco, #0" ::: "memory");
}

static void check(bool sync, const char *what, void (*fn)(void *), void *bad)
{
	struct exc_info info;
	u64 tfsr;

	tco_clear();
	tfsr_take();
	run_catching(fn, bad, &info);
	tfsr = tfsr_take();
	if (sync)
		report(info.kind == EXC_DABT && info.fsc == FSC_TAG_CHECK,
		       "%s: synchronous tag check fault (got %s, DFSC %#x; "
		       "want data abort, DFSC %#x; Arm ARM, MTE and "
		       "ESR_EL1)", what, exc_kind_name(info.kind), info.fsc, FSC_TAG_CHECK);
	else
		report(info.kind == EXC_NONE && (tfsr & TFSR_TF0),
		       "%s: asynchronous, TFSR_EL1.TF0 set (got %s, TFSR %#llx; "
		       "Arm ARM, TFSR_EL1)", what, exc_kind_name(info.kind),
		       (unsigned long long)tfsr);
}

int main(int argc, char **argv)
{
	unsigned mte = (read_sysreg(ID_AA64PFR1_EL1) >> 8) & 0xf;
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned need = !strcmp(mode, "asymm") ? 3 : 2;
	u8 *page, *tagged;
	struct exc_info info;

	report_prefix_pushf("mte-%s", mode);
	if (mte < need) {
		report_skip("ID_AA64PFR1_EL1.MTE is %u, %s needs %u (%s; QEMU "
			    "needs -machine mte=on)", mte, mode, need,
			    need == 3 ? "FEAT_MTE3" : "FEAT_MTE2");
		return report_summary();
	}
	write_sysreg(read_sysreg(tcr_el1) | TCR_TBI0, tcr_el1);
	write_sysreg(0, GCR_EL1);
	tlb_flush_all();
	page = memalign(PAGE_SIZE, PAGE_SIZE);
	tagged = vmap_prot(virt_to_phys(page), PAGE_SIZE, MEM_TAGGED, 0);
	tcf_set(0);
	/* granule 0 gets tag 3, the rest keep 0 */
	set_tag(tag_ptr(tagged, 3));
	tcf_set(!strcmp(mode, "sync") ? TCF_SYNC :
		!strcmp(mode, "async") ? TCF_ASYNC : TCF_ASYMM);
	run_catching(do_load, tag_ptr(tagged, 3), &info);
	report(info.kind == EXC_NONE && !(tfsr_take() & TFSR_TF0),
	       "matching tag: no fault (got %s; Arm ARM, MTE)",
	       exc_kind_name(info.kind));
	if (!strcmp(mode, "sync")) {
		check(true, "load with tag 5", do_load, tag_ptr(tagged, 5));
		check(true, "store with tag 5", do_store, tag_ptr(tagged, 5));
	} else if (!strcmp(mode, "async")) {
		check(false, "load with tag 5", do_load, tag_ptr(tagged, 5));
		check(false, "store with tag 5", do_store, tag_ptr(tagged, 5));
	} else if (!strcmp(mode, "asymm")) {
		check(true, "load with tag 5", do_load, tag_ptr(tagged, 5));
		check(false, "store with tag 5", do_store, tag_ptr(tagged, 5));
	} else {
		report_fail("usage: mte sync|async|asymm");
	}
	tcf_set(0);
	return report_summary();
}
