/*
 * The hash MMU as a pseries partition drives it (Power ISA v3.0B Book III,
 * "Storage Control": SLB, hashed page table; PAPR, page frame table hcalls, the page frame
 * table hcalls): a page entered with H_ENTER translates, has its reference
 * and change bits recorded, turns read-only with H_PROTECT and stops
 * translating after H_REMOVE (whose TLB invalidation is the hypervisor's
 * part); without an SLB entry, or after slbie, an access raises a data
 * segment interrupt. Radix needs the partition to negotiate it through
 * ibm,client-architecture-support: SKIP, with the reason, when it did not.
 */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"

#define PAGE_4K		4096
#define SEGMENT_SHIFT	28		/* 256 MiB segments */
#define TEST_EA		0x0000000340000000UL	/* ESID 0x34 */
#define OTHER_EA	0x0000000450000000UL	/* ESID 0x45: no SLB entry */
#define TEST_VSID	0x123456UL
#define SLB_SLOT	3

/* SLB entry (slbmte RS/RB, Book III "Segment Lookaside Buffer") */
#define SLB_VSID_SHIFT	12
#define SLB_ESID_V	(1UL << 27)
/* HPTE doubleword 0 and 1 (Book III "Page Table Entry") */
#define HPTE_V_VALID	1UL
#define HPTE_R_R	0x100UL
#define HPTE_R_C	0x080UL
#define HPTE_R_M	0x010UL		/* memory coherence: WIMG = 0010 */
#define HPTE_R_PP_RW	0x0UL		/* key 0: read/write */
#define HPTE_R_PP_RO	0x3UL		/* key 0: read only */
/* DSISR bits (Book III, Data Storage Interrupt) */
#define DSISR_NOPTE	0x40000000UL	/* bit 33 */
#define DSISR_PROT	0x08000000UL	/* bit 36 */
#define DSISR_STORE	0x02000000UL	/* bit 38 */

static u64 htab_mask;

static u64 avpn_hi(u64 vsid, u64 ea)
{
	/* AVA = VA[0:54] of VA = VSID || EA[36:63], in HPTE bits 2:56 */
	u64 va = (vsid << SEGMENT_SHIFT) | (ea & ((1UL << SEGMENT_SHIFT) - 1));

	return (va >> 23) << 7;
}

static u64 pteg_of(u64 vsid, u64 ea)
{
	/* primary hash: VSID[11:49] XOR page index within the segment */
	u64 hash = (vsid & 0x7fffffffffUL) ^
		   ((ea & ((1UL << SEGMENT_SHIFT) - 1)) >> 12);

	return hash & htab_mask;
}

static bool find_htab(void)
{
	int node = fdt_path_offset(dt_fdt(), "/cpus");
	const void *p;
	int len;

	fdt_for_each_subnode(node, dt_fdt(), node) {
		/* ibm,pft-size = <0 log2(bytes)> (PAPR, CPU node properties) */
		p = dt_get_prop(node, "ibm,pft-size", &len);
		if (p && len == 8) {
			htab_mask = (1UL << (dt_u32((const u32 *)p + 1) - 7)) - 1;
			return true;
		}
	}
	return false;
}

static void slb_set(u64 ea, u64 vsid, int slot)
{
	__asm__ __volatile__("slbmte %0, %1; isync"
			     :: "r"(vsid << SLB_VSID_SHIFT),
			        "r"((ea & ~((1UL << SEGMENT_SHIFT) - 1)) |
				    SLB_ESID_V | slot)
			     : "memory");
}

static void slb_kill(u64 ea)
{
	__asm__ __volatile__("slbie %0; isync" :: "r"(ea) : "memory");
}

static volatile u64 loaded;

/* Data relocation on for exactly one access. */
static void load_dr(void *ea)
{
	u64 msr = mfmsr(), v = 0;

	__asm__ __volatile__("mtmsrd %2; isync; ld %0, 0(%1); mtmsrd %3; isync"
			     : "+r"(v) : "b"(ea), "r"(msr | MSR_DR), "r"(msr)
			     : "memory");
	loaded = v;
}

static u64 store_val;

static void store_dr(void *ea)
{
	u64 msr = mfmsr();

	__asm__ __volatile__("mtmsrd %2; isync; std %0, 0(%1); mtmsrd %3; isync"
			     :: "r"(store_val), "b"(ea), "r"(msr | MSR_DR),
				"r"(msr) : "memory");
}

static void test_radix(void)
{
	int chosen = fdt_path_offset(dt_fdt(), "/chosen");
	int len = 0;

	/* /chosen/ibm,architecture-vec-5 holds the option vector 5 that
	 * ibm,client-architecture-support negotiated (PAPR, client-architecture-support option vector 5); QEMU
	 * puts an empty one (length byte and one zero byte) until then. */
	if (chosen >= 0)
		dt_get_prop(chosen, "ibm,architecture-vec-5", &len);
	if (len <= 2)
		report_skip("radix: no client-architecture-support negotiation "
			    "(ibm,architecture-vec-5 is %d bytes), so the "
			    "partition runs hash", len);
	else
		report_skip("radix: option vector 5 negotiated, but driving "
			    "radix (H_REGISTER_PROC_TBL) is not written yet");
}

int main(void)
{
	u64 *page = memalign(PAGE_4K, PAGE_4K);
	u64 pa = (u64)(uintptr_t)page, ret[9], pteg, ptex;
	struct pt_regs regs;
	long rc;
	int vec;

	report_prefix_push("mmu");
	assert(page);
	test_radix();
	report_prefix_push("hash");
	if (!find_htab()) {
		report_skip("no ibm,pft-size: no hashed page table");
		return report_summary();
	}
	page[0] = 0x600dcafe12345678UL;
	slb_set(TEST_EA, TEST_VSID, SLB_SLOT);

	pteg = pteg_of(TEST_VSID, TEST_EA);
	rc = hcall(H_ENTER, ret, 4, 0UL, pteg * 8,
		   avpn_hi(TEST_VSID, TEST_EA) | HPTE_V_VALID,
		   (pa & ~(PAGE_4K - 1UL)) | HPTE_R_M | HPTE_R_PP_RW);
	ptex = ret[0];
	report(rc == H_SUCCESS && ptex / 8 == pteg, "H_ENTER into PTEG %#lx: "
	       "%ld, slot %#lx", (unsigned long)pteg, rc, (unsigned long)ptex);
	if (rc != H_SUCCESS)
		return report_summary();

	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(!vec && loaded == page[0], "load through EA %#lx: %#lx (want "
	       "%#lx, vector %#x)", TEST_EA, (unsigned long)loaded,
	       (unsigned long)page[0], vec);
	store_val = 0xfeedface87654321UL;
	vec = run_catching(store_dr, (void *)(TEST_EA + 8), &regs);
	report(!vec && page[1] == store_val, "store through it lands in the "
	       "page (%#lx, vector %#x)", (unsigned long)page[1], vec);
	rc = hcall(H_READ, ret, 2, 0UL, ptex);
	report(rc == H_SUCCESS && (ret[0] & HPTE_V_VALID) &&
	       (ret[1] & (HPTE_R_R | HPTE_R_C)) == (HPTE_R_R | HPTE_R_C),
	       "H_READ: valid, R and C recorded (%ld: %#lx %#lx)", rc,
	       (unsigned long)ret[0], (unsigned long)ret[1]);

	rc = hcall_status(H_PROTECT, HPTE_R_PP_RO, ptex, 0UL);
	store_val = 1;
	vec = run_catching(store_dr, (void *)TEST_EA, &regs);
	report(rc == H_SUCCESS && vec == VEC_DATA_STORAGE &&
	       (regs.dsisr & (DSISR_PROT | DSISR_STORE)) ==
	       (DSISR_PROT | DSISR_STORE) && regs.dar == TEST_EA,
	       "after H_PROTECT read-only (%ld), a store: vector %#x, DSISR "
	       "%#lx (want protection, store), DAR %#lx", rc, vec,
	       (unsigned long)regs.dsisr, (unsigned long)regs.dar);
	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(!vec && page[0] == loaded, "a load still works (vector %#x)",
	       vec);

	rc = hcall(H_REMOVE, ret, 3, 0UL, ptex, 0UL);
	report(rc == H_SUCCESS && (ret[0] & HPTE_V_VALID), "H_REMOVE: %ld, "
	       "returns the old entry %#lx", rc, (unsigned long)ret[0]);
	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(vec == VEC_DATA_STORAGE && (regs.dsisr & DSISR_NOPTE) &&
	       regs.dar == TEST_EA, "after H_REMOVE the translation is gone "
	       "from the TLB too: vector %#x (want %#x), DSISR %#lx, DAR "
	       "%#lx", vec, VEC_DATA_STORAGE, (unsigned long)regs.dsisr,
	       (unsigned long)regs.dar);
	rc = hcall(H_REMOVE, ret, 3, 0UL, ptex, 0UL);
	report(rc == H_NOT_FOUND, "H_REMOVE again: H_NOT_FOUND (got %ld, "
	       "want %d)", rc, H_NOT_FOUND);

	vec = run_catching(load_dr, (void *)OTHER_EA, &regs);
	report(vec == VEC_DATA_SEGMENT && regs.dar == OTHER_EA, "no SLB "
	       "entry: data segment interrupt (vector %#x, DAR %#lx)", vec,
	       (unsigned long)regs.dar);
	slb_kill(TEST_EA);
	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(vec == VEC_DATA_SEGMENT && regs.dar == TEST_EA, "after slbie: "
	       "data segment interrupt (vector %#x, DAR %#lx)", vec,
	       (unsigned long)regs.dar);
	free(page);
	return report_summary();
}
