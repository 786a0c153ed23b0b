/*
 * Both MMUs of a pseries partition (Power ISA v3.0B Book III, "Storage
 * Control"), selected with H_REGISTER_PROC_TBL as the platform offers
 * them (lib/powerpc/mmu.h).
 *
 * Hash (SLB and hashed page table; PAPR, the page frame table hcalls): a
 * page entered with H_ENTER translates, has its reference and change bits
 * recorded, moves to another page with H_REMOVE + H_ENTER, turns read-only
 * with H_PROTECT and stops translating after H_REMOVE. The page table is
 * the hypervisor's, and so is the TLB invalidation those calls do; the
 * guest's tlbiel on top must leave the new translation in use. Without an
 * SLB entry, or after slbie, an access raises a data segment interrupt.
 *
 * Radix (process table and process-scoped trees ours, partition scope the
 * hypervisor's): the OS quadrant and a PID's quadrant 0 translate through
 * our trees; a changed PTE may be used stale until the TLB is invalidated
 * (Book III, "Page Table Update Synchronization Requirements": either
 * translation may be used, so only "old or new" is asserted), and after
 * tlbiel or tlbie (+ ptesync) the new one must be, on every CPU for
 * tlbie (with smp >= 2), the OS quadrant's (PID 0) included; a
 * read-only or invalid PTE then faults; PIDR selects the tree without
 * invalidation.
 * Where the platform switches modes at run time, hash works again after.
 *
 * test_args: migration   also live-migrate (lib/migrate.h) with a hash
 *                        entry in place, and again under radix: the
 *                        hypervisor's page table, the registered process
 *                        table and PIDR must come along
 *            drop        with migration: remove the HPTE and change PIDR
 *                        on the destination only: those checks must FAIL
 *            radix       radix only, in whatever mode the partition
 *                        started: with more than one CPU, KVM-HV refuses
 *                        to switch modes while another vCPU is in KVM_RUN,
 *                        even ceded (Linux, kvmhv_configure_mmu(): -EBUSY)
 */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "migrate.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/mmu.h"
#include "powerpc/processor.h"
#include "powerpc/smp.h"

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


/* Radix test addresses: the OS's quadrant 3 (PID 0) and quadrant 0 of
 * PIDs 1 and 2, all far above RAM so that no real address is in the way;
 * EA bits 2:11 must be zero with 52-bit trees, BAD_RADIX_EA's are not. */
#define OS_EA		0xc000000060000000UL
#define USER_EA		0x0000000060000000UL
#define BAD_RADIX_EA	0xc010000060000000UL
#define PID_A		1
#define PID_B		2
/* Instruction fetch: PID_FETCH maps the image where it runs (flat.lds
 * keeps it below 4 MiB) and one page of code twice, with and without
 * execute authority. */
#define PID_FETCH	3
#define IDENT_END	0x400000UL
#define EXEC_EA		0x0000000070000000UL
#define NOEXEC_EA	0x0000000070001000UL
#define INSN_BLR	0x4e800020u
/* SRR1 bit 35: fetch from no-execute or guarded storage (Book III,
 * Instruction Storage Interrupt) */
#define SRR1_ISI_NOEXEC	PPC_BIT(35)
#define RPTE_KERNEL_RWX	(RPTE_PRIV | RPTE_READ | RPTE_RW | RPTE_EXEC | \
			 RPTE_REF | RPTE_CHG)
#define RPTE_KERNEL_RX	(RPTE_PRIV | RPTE_READ | RPTE_EXEC | RPTE_REF | \
			 RPTE_CHG)
#define RPTE_KERNEL_RW	(RPTE_PRIV | RPTE_READ | RPTE_RW | RPTE_REF | \
			 RPTE_CHG)
#define RPTE_USER_RW	(RPTE_READ | RPTE_RW | RPTE_REF | RPTE_CHG)
#define RPTE_USER_RO	(RPTE_READ | RPTE_REF)

static u64 *page_a, *page_b;
static u32 *page_code;
static bool migration, drop, radix_only;
static struct radix_mmu rmmu;

/* A load through @ea with data relocation on: the value, or ~0 with
 * *@vec the vector it raised. */
static u64 load_via(u64 ea, int *vec, struct pt_regs *regs)
{
	loaded = ~0UL;
	*vec = run_catching(load_dr, (void *)ea, regs);
	if (regs && !*vec)
		memset(regs, 0, sizeof(*regs));
	return *vec ? ~0UL : loaded;
}

static const char *which_page(u64 got)
{
	return got == page_a[0] ? "page A" : got == page_b[0] ? "page B" :
	       "neither page";
}

struct remote_load {
	u64 got;
	int vec;
};

/* On another CPU: a load through USER_EA (under the PIDR set_pidr()
 * left there: writing PIDR may flush that CPU's TLB). */
static void load_on_cpu(void *arg)
{
	struct remote_load *r = arg;

	r->got = load_via(USER_EA, &r->vec, NULL);
}

/* On another CPU: a load through OS_EA, whatever its PIDR. */
static void load_os_on_cpu(void *arg)
{
	struct remote_load *r = arg;

	r->got = load_via(OS_EA, &r->vec, NULL);
}

static void set_pidr(void *arg)
{
	mtspr(SPR_PIDR, (u64)(uintptr_t)arg);
	isync();
}

/*
 * Move @pid's live translation of @ea from @old to @new (attributes
 * @attrs) without invalidating it: before the PTE store the old page is
 * in use (and so likely cached); after it, either page may be.
 */
static void remap_live(int pid, u64 ea, u64 *old, u64 *new, u64 attrs)
{
	u64 got;
	int vec;

	got = load_via(ea, &vec, NULL);
	report(!vec && got == old[0], "in use before the change: %s (got "
	       "%#lx, %s; vector %#x)", which_page(old[0]),
	       (unsigned long)got, which_page(got), vec);
	radix_map(&rmmu, pid, ea, (u64)(uintptr_t)new, attrs);
	got = load_via(ea, &vec, NULL);
	report(!vec && (got == old[0] || got == new[0]), "PTE changed, not "
	       "yet invalidated: the old or the new page (got %#lx, %s; "
	       "vector %#x; Book III, Page Table Update Synchronization)",
	       (unsigned long)got, which_page(got), vec);
	report_info("the %s translation was used before the invalidation",
		    got == old[0] ? "stale" : "new");
}

/*
 * The OS quadrant (EA bits 0:1 = 0b11) translates through process table
 * entry 0 whatever PIDR holds, so its TLB entries are PID 0's: tlbie
 * with IS = 1 (this PID) and PID 0 in RS must invalidate them, on every
 * thread (Book III, Radix Tree Translation, the quadrants; tlbie).
 */


static void test_tlbie_os_quadrant(void)
{
	struct remote_load r = { 0, 0 };
	u64 got;
	int vec;

	report_prefix_push("OS quadrant");
	if (nr_cpus > 1) {
		on_cpu(1, load_os_on_cpu, &r);
		report(!r.vec && r.got == page_a[0], "CPU 1 uses page A at "
		       "%#lx too (got %#lx, %s; vector %#x)", OS_EA,
		       (unsigned long)r.got, which_page(r.got), r.vec);
	}
	remap_live(0, OS_EA, page_a, page_b, RPTE_KERNEL_RW);
	tlbie_pid(0);
	got = load_via(OS_EA, &vec, NULL);
	report(!vec && got == page_b[0], "after tlbie of PID 0 + eieio, "
	       "tlbsync, ptesync: the new page B at %#lx (got %#lx, %s; "
	       "vector %#x; Book III, tlbie)", OS_EA, (unsigned long)got,
	       which_page(got), vec);
	if (nr_cpus > 1) {
		on_cpu(1, load_os_on_cpu, &r);
		report(!r.vec && r.got == page_b[0], "CPU 0's tlbie of PID 0 "
		       "reached CPU 1: page B there too (got %#lx, %s; vector "
		       "%#x; Book III, tlbie)", (unsigned long)r.got,
		       which_page(r.got), r.vec);
	}
	/* back to page A for what follows */
	radix_map(&rmmu, 0, OS_EA, (u64)(uintptr_t)page_a, RPTE_KERNEL_RW);
	tlbie_pid(0);
	report_prefix_pop();
}

static volatile int isi_seen;
static volatile u64 isi_srr0, isi_srr1;

/* An instruction storage interrupt: note it, return to the caller. */
static void isi_handler(struct pt_regs *regs, void *data)
{
	(void)data;
	isi_seen++;
	isi_srr0 = regs->nip;
	isi_srr1 = regs->msr;
	regs->nip = regs->link;
}

/* Call the code at @ea with instruction and data relocation on: this
 * function's own code and stack then translate too. */
static void call_translated(u64 ea)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)ea;
	u64 msr = mfmsr();

	mtmsr(msr | MSR_IR | MSR_DR);
	isync();
	fn();
	mtmsr(msr);
	isync();
}

/* Book III, "Instruction Storage" (radix EAA[X], Instruction Storage
 * Interrupt), under PIDR = PID_FETCH. */
static void test_radix_fetch(u32 *code)
{
	u64 pa = (u64)(uintptr_t)code;

	report_prefix_push("fetch");
	*code = INSN_BLR;
	/* instructions written as data (Book II, "Instruction Storage") */
	__asm__ __volatile__("dcbst 0, %0; sync; icbi 0, %0; sync; isync"
			     :: "r"(code) : "memory");
	for (u64 a = 0; a < IDENT_END; a += RADIX_PAGE_SIZE)
		radix_map(&rmmu, PID_FETCH, a, a, RPTE_KERNEL_RWX);
	radix_map(&rmmu, PID_FETCH, EXEC_EA, pa, RPTE_KERNEL_RX);
	radix_map(&rmmu, PID_FETCH, NOEXEC_EA, pa,
		  RPTE_PRIV | RPTE_READ | RPTE_RW | RPTE_REF | RPTE_CHG);
	handle_exception(VEC_INST_STORAGE, isi_handler, NULL);
	mtspr(SPR_PIDR, PID_FETCH);
	isync();

	isi_seen = 0;
	call_translated(EXEC_EA);
	report(!isi_seen, "MSR[IR] on: the image runs where it is mapped, "
	       "and code at %#lx (EAA[X] set, no such real address) runs "
	       "and returns (instruction storage interrupts: %d, SRR0 %#lx "
	       "SRR1 %#lx)", EXEC_EA, isi_seen, (unsigned long)isi_srr0,
	       (unsigned long)isi_srr1);
	isi_seen = 0;
	call_translated(NOEXEC_EA);
	report(isi_seen == 1 && isi_srr0 == NOEXEC_EA &&
	       (isi_srr1 & SRR1_ISI_NOEXEC), "the same code at %#lx without "
	       "EAA[X]: instruction storage interrupt (got %d, SRR0 %#lx, "
	       "SRR1 %#lx; want 1, %#lx, bit 35 set; Book III, Instruction "
	       "Storage Interrupt)", NOEXEC_EA, isi_seen,
	       (unsigned long)isi_srr0, (unsigned long)isi_srr1, NOEXEC_EA);

	handle_exception(VEC_INST_STORAGE, NULL, NULL);
	mtspr(SPR_PIDR, PID_A);
	isync();
	report_prefix_pop();
}

static void test_hash(const char *prefix, bool migrate_here)
{
	u64 pa = (u64)(uintptr_t)page_a, pb = (u64)(uintptr_t)page_b;
	u64 ret[9], pteg, ptex, va;
	struct pt_regs regs;
	long rc;
	int vec, ov5 = mmu_platform_ov5(OV5_MMU_INDEX);

	report_prefix_push(prefix);
	if (!mmu_hash_offered()) {
		report_skip("ibm,arch-vec-5-platform-support byte 24 is %#x: "
			    "radix only", ov5);
		goto out;
	}
	if (ov5 >= 0 && (ov5 & OV5_MMU_MASK) != OV5_MMU_HASH) {
		/* where radix is offered we may have been started in it
		 * (KVM does): ask for hash */
		rc = mmu_register_hash();
		report(rc == H_SUCCESS, "H_REGISTER_PROC_TBL(hash): %ld (want "
		       "%d)", rc, H_SUCCESS);
		if (rc != H_SUCCESS)
			goto out;
	}
	if (!find_htab()) {
		report_skip("no ibm,pft-size: no hashed page table");
		goto out;
	}
	page_a[1] = 0;
	slb_set(TEST_EA, TEST_VSID, SLB_SLOT);

	pteg = pteg_of(TEST_VSID, TEST_EA);
	rc = hcall(H_ENTER, ret, 4, 0UL, pteg * 8,
		   avpn_hi(TEST_VSID, TEST_EA) | HPTE_V_VALID,
		   (pa & ~(PAGE_4K - 1UL)) | HPTE_R_M | HPTE_R_PP_RW);
	ptex = ret[0];
	report(rc == H_SUCCESS && ptex / 8 == pteg, "H_ENTER into PTEG %#lx: "
	       "%ld, slot %#lx", (unsigned long)pteg, rc, (unsigned long)ptex);
	if (rc != H_SUCCESS)
		goto out_slb;

	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(!vec && loaded == page_a[0], "load through EA %#lx: %#lx (want "
	       "%#lx, vector %#x)", TEST_EA, (unsigned long)loaded,
	       (unsigned long)page_a[0], vec);
	store_val = 0xfeedface87654321UL;
	vec = run_catching(store_dr, (void *)(TEST_EA + 8), &regs);
	report(!vec && page_a[1] == store_val, "store through it lands in the "
	       "page (%#lx, vector %#x)", (unsigned long)page_a[1], vec);
	rc = hcall(H_READ, ret, 2, 0UL, ptex);
	report(rc == H_SUCCESS && (ret[0] & HPTE_V_VALID) &&
	       (ret[1] & (HPTE_R_R | HPTE_R_C)) == (HPTE_R_R | HPTE_R_C),
	       "H_READ: valid, R and C recorded (%ld: %#lx %#lx)", rc,
	       (unsigned long)ret[0], (unsigned long)ret[1]);
	if (migrate_here) {
		migrate();
		if (drop)
			hcall_status(H_REMOVE, 0UL, ptex, 0UL);
		vec = run_catching(load_dr, (void *)TEST_EA, &regs);
		report(!vec && loaded == page_a[0], "after a migration, the "
		       "hypervisor's HPTE still translates (got %#lx, want "
		       "%#lx; vector %#x)", (unsigned long)loaded,
		       (unsigned long)page_a[0], vec);
		rc = hcall(H_READ, ret, 2, 0UL, ptex);
		report(rc == H_SUCCESS && (ret[0] & HPTE_V_VALID), "after a "
		       "migration, H_READ finds it (%ld: %#lx)", rc,
		       (unsigned long)ret[0]);
		if (drop)
			goto out_slb;
	}

	/* Move the page: H_REMOVE invalidates the old translation (PAPR,
	 * H_REMOVE), so the new one is used at once, and still after our
	 * own tlbiel. */
	rc = hcall(H_REMOVE, ret, 3, 0UL, ptex, 0UL);
	if (rc == H_SUCCESS)
		rc = hcall(H_ENTER, ret, 4, 0UL, pteg * 8,
			   avpn_hi(TEST_VSID, TEST_EA) | HPTE_V_VALID,
			   (pb & ~(PAGE_4K - 1UL)) | HPTE_R_M | HPTE_R_PP_RW);
	ptex = ret[0];
	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(rc == H_SUCCESS && !vec && loaded == page_b[0], "H_REMOVE + "
	       "H_ENTER to page B (%ld): the new page at once (got %#lx, %s; "
	       "vector %#x; PAPR, H_REMOVE)", rc, (unsigned long)loaded,
	       which_page(loaded), vec);
	if (rc != H_SUCCESS)
		goto out_slb;
	va = TEST_VSID << SEGMENT_SHIFT |
	     (TEST_EA & ((1UL << SEGMENT_SHIFT) - 1));
	tlbiel_hash_va(va);
	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(!vec && loaded == page_b[0], "after tlbiel + ptesync: page B "
	       "(got %#lx, %s; vector %#x)", (unsigned long)loaded,
	       which_page(loaded), vec);

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
	report(!vec && page_b[0] == loaded, "a load still works (vector %#x)",
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
out_slb:
	slb_kill(TEST_EA);
	vec = run_catching(load_dr, (void *)TEST_EA, &regs);
	report(vec == VEC_DATA_SEGMENT && regs.dar == TEST_EA, "after slbie: "
	       "data segment interrupt (vector %#x, DAR %#lx)", vec,
	       (unsigned long)regs.dar);
out:
	report_prefix_pop();
}

/* Returns whether radix translation was registered. */
static bool test_radix(void)
{
	const char *why = NULL;
	struct pt_regs regs;
	bool gtse;
	u64 got;
	long rc;
	int vec;

	report_prefix_push("radix");
	if (!mmu_radix_offered(&why)) {
		report_skip("%s", why);
		report_prefix_pop();
		return false;
	}
	gtse = mmu_radix_gtse_offered();
	radix_init(&rmmu);
	radix_map(&rmmu, 0, OS_EA, (u64)(uintptr_t)page_a, RPTE_KERNEL_RW);
	radix_map(&rmmu, PID_A, USER_EA, (u64)(uintptr_t)page_b,
		  RPTE_USER_RW);
	radix_map(&rmmu, PID_B, USER_EA, (u64)(uintptr_t)page_a,
		  RPTE_USER_RW);
	rc = radix_register(&rmmu, gtse);
	report(rc == H_SUCCESS, "H_REGISTER_PROC_TBL(radix%s, table at %p): "
	       "%ld (want %d)", gtse ? ", GTSE" : "", (void *)rmmu.prtb, rc,
	       H_SUCCESS);
	if (rc != H_SUCCESS) {
		report_prefix_pop();
		return false;
	}
	mtspr(SPR_PIDR, PID_A);
	isync();

	got = load_via(OS_EA, &vec, &regs);
	report(!vec && got == page_a[0], "OS quadrant %#lx (PID 0): page A "
	       "(got %#lx, %s; vector %#x DSISR %#lx)", OS_EA,
	       (unsigned long)got, which_page(got), vec,
	       (unsigned long)regs.dsisr);
	store_val = 0x5707ed0a5707ed0aUL;
	vec = run_catching(store_dr, (void *)(OS_EA + 8), &regs);
	report(!vec && page_a[1] == store_val, "a store through it lands in "
	       "page A (%#lx, vector %#x)", (unsigned long)page_a[1], vec);
	got = load_via(USER_EA, &vec, &regs);
	report(!vec && got == page_b[0], "quadrant 0 %#lx under PIDR=%d: "
	       "page B (got %#lx, %s; vector %#x DSISR %#lx)", USER_EA, PID_A,
	       (unsigned long)got, which_page(got), vec,
	       (unsigned long)regs.dsisr);
	got = load_via(BAD_RADIX_EA, &vec, &regs);
	report(vec == VEC_DATA_SEGMENT && regs.dar == BAD_RADIX_EA, "EA bits "
	       "2:11 set (%#lx): data segment interrupt (vector %#x, want "
	       "%#x; DAR %#lx; Book III, Radix Tree Translation)",
	       BAD_RADIX_EA, vec, VEC_DATA_SEGMENT,
	       (unsigned long)regs.dar);

	/* PIDR names the tree; TLB entries carry the PID, so a switch
	 * needs no invalidation (Book III, "Process Identification"). */
	mtspr(SPR_PIDR, PID_B);
	isync();
	got = load_via(USER_EA, &vec, &regs);
	report(!vec && got == page_a[0], "PIDR=%d: the same EA is page A "
	       "(got %#lx, %s; vector %#x; Book III, Process Identification)",
	       PID_B, (unsigned long)got, which_page(got), vec);
	mtspr(SPR_PIDR, PID_A);
	isync();
	if (migration) {
		migrate();
		if (drop)
			mtspr(SPR_PIDR, PID_B);
		got = load_via(OS_EA, &vec, &regs);
		report(!vec && got == page_a[0], "after a migration, the OS "
		       "quadrant still translates: page A (got %#lx, %s; "
		       "vector %#x)", (unsigned long)got, which_page(got), vec);
		report(mfspr(SPR_PIDR) == PID_A, "after a migration, PIDR "
		       "(got %lu, want %d)", mfspr(SPR_PIDR), PID_A);
		got = load_via(USER_EA, &vec, &regs);
		report(!vec && got == page_b[0], "after a migration, PID %d's "
		       "tree: page B (got %#lx, %s; vector %#x)", PID_A,
		       (unsigned long)got, which_page(got), vec);
		mtspr(SPR_PIDR, PID_A);
		isync();
	}

	test_radix_fetch(page_code);

	report_prefix_push("tlbiel");
	remap_live(PID_A, USER_EA, page_b, page_a, RPTE_USER_RW);
	tlbiel_va(PID_A, USER_EA);
	got = load_via(USER_EA, &vec, &regs);
	report(!vec && got == page_a[0], "after tlbiel + ptesync: the new "
	       "page A (got %#lx, %s; vector %#x; Book III, tlbiel)",
	       (unsigned long)got, which_page(got), vec);
	radix_map(&rmmu, PID_A, USER_EA, (u64)(uintptr_t)page_a, RPTE_USER_RO);
	tlbiel_va(PID_A, USER_EA);
	store_val = 1;
	vec = run_catching(store_dr, (void *)USER_EA, &regs);
	report(vec == VEC_DATA_STORAGE && (regs.dsisr & (DSISR_PROT |
	       DSISR_STORE)) == (DSISR_PROT | DSISR_STORE) &&
	       regs.dar == USER_EA, "read-only PTE: a store raises vector "
	       "%#x (want %#x), DSISR %#lx (want protection, store), DAR "
	       "%#lx (Book III, Data Storage Interrupt)", vec,
	       VEC_DATA_STORAGE, (unsigned long)regs.dsisr,
	       (unsigned long)regs.dar);
	got = load_via(USER_EA, &vec, &regs);
	report(!vec && got == page_a[0], "a load still works (got %#lx, "
	       "vector %#x)", (unsigned long)got, vec);
	report_prefix_pop();

	report_prefix_push("tlbie");
	if (!gtse) {
		report_skip("no guest translation shootdown: "
			    "ibm,arch-vec-5-platform-support byte 26 lacks "
			    "GTSE, tlbie is the hypervisor's");
	} else {
		struct remote_load r = { 0, 0 };

		if (nr_cpus > 1) {
			on_cpu(1, set_pidr, (void *)(uintptr_t)PID_A);
			on_cpu(1, load_on_cpu, &r);
			report(!r.vec && r.got == page_a[0], "CPU 1 uses "
			       "page A too (got %#lx, %s; vector %#x)",
			       (unsigned long)r.got, which_page(r.got), r.vec);
		}
		remap_live(PID_A, USER_EA, page_a, page_b, RPTE_USER_RW);
		tlbie_va(PID_A, USER_EA);
		got = load_via(USER_EA, &vec, &regs);
		report(!vec && got == page_b[0], "after tlbie + eieio, "
		       "tlbsync, ptesync: the new page B (got %#lx, %s; "
		       "vector %#x; Book III, tlbie)", (unsigned long)got,
		       which_page(got), vec);
		/* tlbie acts on every thread's TLB, and tlbsync + ptesync
		 * wait for that (Book III, tlbie and tlbsync) */
		if (nr_cpus > 1) {
			on_cpu(1, load_on_cpu, &r);
			report(!r.vec && r.got == page_b[0], "CPU 0's tlbie "
			       "reached CPU 1: page B there too (got %#lx, %s; "
			       "vector %#x; Book III, tlbie)",
			       (unsigned long)r.got, which_page(r.got), r.vec);
			on_cpu(1, set_pidr, (void *)0);
		} else {
			report_skip("one CPU: tlbie's reach to other threads "
				    "needs smp >= 2");
		}
		test_tlbie_os_quadrant();
		radix_unmap(&rmmu, PID_A, USER_EA);
		tlbie_pid(PID_A);
		got = load_via(USER_EA, &vec, &regs);
		report(vec == VEC_DATA_STORAGE && (regs.dsisr & DSISR_NOPTE) &&
		       regs.dar == USER_EA, "invalid PTE, tlbie by PID: "
		       "vector %#x (want %#x), DSISR %#lx (want no PTE), DAR "
		       "%#lx (Book III, Data Storage Interrupt)", vec,
		       VEC_DATA_STORAGE,
		       (unsigned long)regs.dsisr, (unsigned long)regs.dar);
	}
	report_prefix_pop();

	mtspr(SPR_PIDR, 0);
	isync();
	report_prefix_pop();
	return true;
}

int main(int argc, char **argv)
{
	int ov5;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "migration")) {
			migration = true;
		} else if (!strcmp(argv[i], "drop")) {
			drop = true;
		} else if (!strcmp(argv[i], "radix")) {
			radix_only = true;
		} else {
			report_fail("unknown argument '%s'", argv[i]);
			return report_summary();
		}
	}
	report_prefix_push("mmu");
	page_a = memalign(PAGE_4K, PAGE_4K);
	page_b = memalign(PAGE_4K, PAGE_4K);
	page_code = memalign(PAGE_4K, PAGE_4K);
	assert(page_a && page_b && page_code);
	page_a[0] = 0x600dcafe12345678UL;
	page_b[0] = 0xb0bb1e5eab0bb1e5UL;

	if (!radix_only)
		test_hash("hash", migration);
	if (test_radix() && !radix_only) {
		ov5 = mmu_platform_ov5(OV5_MMU_INDEX);
		if ((ov5 & OV5_MMU_MASK) == OV5_MMU_DYNAMIC)
			test_hash("hash after radix", false);
		else
			report_skip("hash after radix: "
				    "ibm,arch-vec-5-platform-support byte 24 "
				    "is %#x, no switching at run time", ov5);
	}
	return report_summary();
}
