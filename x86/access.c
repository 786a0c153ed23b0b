/*
 * Paging access rights (SDM vol 3, 4.6; AMD APM vol 2, 5.6).
 *
 * One test page is mapped through a PML4E, PDPTE, PDE and PTE of our own.
 * Every combination of the U/S, R/W and XD bits at the four levels is
 * written, and a read, a write and an instruction fetch are made through
 * it from CPL 0 and from CPL 3. Each outcome is compared with the rules
 * of SDM vol 3, 4.6.1: with 4-level paging an address is a user-mode
 * address only if U/S is 1 at every level, writable only if R/W is 1 at
 * every level, and not executable if XD is 1 at any level (with
 * IA32_EFER.NXE = 1). A fault must be #PF with CR2 the accessed address
 * and the error code of SDM vol 3, 4.7 (figure 4-12).
 *
 * The sweep runs under several settings: CR0.WP on and off, EFER.NXE on
 * and off (XD is then a reserved bit: RSVD faults, SDM vol 3, 4.5 table
 * 4-19), CR4.SMEP, CR4.SMAP with EFLAGS.AC clear and set (STAC/CLAC), and
 * protection keys (CR4.PKE, PKRU, SDM vol 3, 4.6.2). Not-present entries
 * at each level, reserved bits and the accessed/dirty flags are checked
 * apart.
 *
 * Accesses from CPL 3 go through run_in_usermode(), which maps the image
 * user-accessible while it runs; CR4.SMEP and CR4.SMAP are therefore off
 * during them (they govern only supervisor-mode accesses anyway).
 */
#include "libcflat.h"
#include "alloc.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/usermode.h"
#include "x86/vm.h"

/* Error-code bit 5: protection-key violation, SDM vol 3, 4.7. */
#define PFERR_PK		(1u << 5)

/* Protection key of a user-mode page: PTE bits 62:59, SDM vol 3, 4.6.2. */
#define PT_PKEY_SHIFT		59
#define PT_PKEY_MASK		(0xfull << PT_PKEY_SHIFT)
/* PKRU: AD for key i is bit 2i, WD bit 2i+1 (SDM vol 3, 4.6.2). */
#define PKRU_AD(k)		(1u << (2 * (k)))
#define PKRU_WD(k)		(1u << (2 * (k) + 1))

/* PS in a PML4E is reserved (SDM vol 3, 4.5, table 4-15). */
#define PML4E_PS		(1ull << 7)

/*
 * The test address: table indices 200 (PML4, below the canonical hole and
 * apart from vmap()'s area), 1, 2, 3, so an index taken from the wrong
 * bits lands elsewhere.
 */
#define TEST_PML4_INDEX		200ull
#define TEST_VA ((TEST_PML4_INDEX << 39) | (1ull << 30) | (2ull << 21) | \
		 (3ull << 12))

/* Where in the page each access goes, so CR2 tells them apart. */
#define FETCH_OFF		0	/* a RET instruction */
#define WRITE_OFF		8
#define READ_OFF		16
#define OPCODE_RET		0xc3
#define READ_PATTERN		0x5a5aa5a5c3c33c3cull

/* Per-level rights in a combination: 3 bits per level, level 1 lowest. */
#define R_W			1u
#define R_U			2u
#define R_NX			4u
#define LEVELS			4
/* Every level U and W, no XD: the most permissive combination. */
#define COMBO_ALL_RW		((R_U | R_W) * 01111u)

enum access { ACC_READ, ACC_WRITE, ACC_FETCH, NR_ACC };
static const char *const acc_name[NR_ACC] = { "read", "write", "fetch" };

struct env {
	const char *name;
	bool wp, nxe, smep, smap, ac, pke;
	u32 pkru;
	bool user;		/* also probe from CPL 3 */
};

struct outcome {
	bool fault;
	u32 error_code;
};

static u64 *pml4e, *pdpte, *pde, *pte;
static u64 *level_entry[LEVELS + 1];
static u8 *page;		/* identity-mapped view of the test page */
static u64 page_phys;
/* What each entry points to, kept apart: tests set bits in the entries */
static u64 pdpt_phys, pd_phys, pt_phys;

/* What the probe does; static so ring 3 can read it (the image is user
 * mapped while it runs, the kernel stack may not be). */
static struct {
	enum access acc;
	bool ac;
	u64 value;	/* read result, or value to write */
} probe;

static inline void stac(void)
{
	asm volatile("stac" ::: "memory", "cc");
}

static inline void clac(void)
{
	asm volatile("clac" ::: "memory", "cc");
}

/* Clear EFLAGS.AC without CLAC, which is #UD where SMAP is absent. */
static void clear_ac(void)
{
	unsigned long f = read_rflags() & ~X86_EFLAGS_AC;

	asm volatile("push %0; popf" :: "r"(f) : "memory", "cc");
}

static inline u32 rdpkru(void)
{
	u32 eax, edx;

	asm volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static inline void wrpkru(u32 v)
{
	asm volatile("wrpkru" :: "a"(v), "c"(0), "d"(0) : "memory");
}

static void do_probe(void *unused)
{
	volatile u64 *va = (volatile u64 *)(uintptr_t)TEST_VA;

	(void)unused;
	if (probe.ac)
		stac();
	switch (probe.acc) {
	case ACC_READ:
		probe.value = va[READ_OFF / 8];
		break;
	case ACC_WRITE:
		va[WRITE_OFF / 8] = probe.value;
		break;
	default:
		((void (*)(void))(uintptr_t)(TEST_VA + FETCH_OFF))();
		break;
	}
	if (probe.ac)
		clac();
}

static u64 rights_to_flags(unsigned r)
{
	return ((r & R_W) ? PT_WRITABLE : 0) | ((r & R_U) ? PT_USER : 0) |
	       ((r & R_NX) ? PT_NX : 0);
}

static unsigned level_rights(unsigned combo, int level)
{
	return (combo >> (3 * (level - 1))) & 7;
}

static void set_mapping(unsigned combo, unsigned pkey)
{
	*pml4e = pdpt_phys | PT_PRESENT |
		 rights_to_flags(level_rights(combo, 4));
	*pdpte = pd_phys | PT_PRESENT | rights_to_flags(level_rights(combo, 3));
	*pde = pt_phys | PT_PRESENT | rights_to_flags(level_rights(combo, 2));
	*pte = page_phys | PT_PRESENT | rights_to_flags(level_rights(combo, 1)) |
	       ((u64)pkey << PT_PKEY_SHIFT);
	/* INVLPG also drops every paging-structure cache entry (SDM vol 3,
	 * 4.10.4.1), so the upper levels are re-read too. */
	invlpg((void *)(uintptr_t)TEST_VA);
}

/* SDM vol 3, 4.6 and 4.7: the fault, if any, for this access. */
static struct outcome expect(const struct env *e, unsigned combo,
			     unsigned pkey, enum access acc, bool user)
{
	bool u = true, w = true, nx = false, ok;
	struct outcome o = { true, PFERR_PRESENT };
	int l;

	for (l = 1; l <= LEVELS; l++) {
		unsigned r = level_rights(combo, l);

		u &= !!(r & R_U);
		w &= !!(r & R_W);
		nx |= !!(r & R_NX);
	}
	if (acc == ACC_WRITE)
		o.error_code |= PFERR_WRITE;
	if (user)
		o.error_code |= PFERR_USER;
	/* I/D: instruction fetch, reported when NXE or SMEP is on */
	if (acc == ACC_FETCH && (e->nxe || e->smep))
		o.error_code |= PFERR_FETCH;

	/* XD with NXE clear is a reserved bit, checked during the walk. */
	if (nx && !e->nxe) {
		o.error_code |= PFERR_RSVD;
		return o;
	}

	if (user) {
		ok = u && (acc != ACC_WRITE || w) &&
		     (acc != ACC_FETCH || !nx);
	} else if (acc == ACC_FETCH) {
		ok = !nx && !(e->smep && u);
	} else {
		ok = !(e->smap && u && !e->ac) &&
		     (acc != ACC_WRITE || !e->wp || w);
	}

	/* Protection keys: data accesses to user-mode addresses. */
	if (e->pke && u && acc != ACC_FETCH) {
		bool ad = e->pkru & PKRU_AD(pkey);
		bool wd = e->pkru & PKRU_WD(pkey);

		if (ad || (wd && acc == ACC_WRITE && (user || e->wp))) {
			ok = false;
			o.error_code |= PFERR_PK;
		}
	}
	if (ok)
		o.fault = false;
	return o;
}

static u64 access_addr(enum access acc)
{
	return TEST_VA + (acc == ACC_READ ? READ_OFF :
			  acc == ACC_WRITE ? WRITE_OFF : FETCH_OFF);
}

static unsigned shown;
#define MAX_SHOWN		8

static void describe(unsigned combo, unsigned pkey, char *buf, size_t len)
{
	snprintf(buf, len, "PML4E %c%c%c PDPTE %c%c%c PDE %c%c%c PTE %c%c%c "
		 "pkey %u",
		 level_rights(combo, 4) & R_U ? 'U' : 'S',
		 level_rights(combo, 4) & R_W ? 'W' : 'R',
		 level_rights(combo, 4) & R_NX ? 'X' : '-',
		 level_rights(combo, 3) & R_U ? 'U' : 'S',
		 level_rights(combo, 3) & R_W ? 'W' : 'R',
		 level_rights(combo, 3) & R_NX ? 'X' : '-',
		 level_rights(combo, 2) & R_U ? 'U' : 'S',
		 level_rights(combo, 2) & R_W ? 'W' : 'R',
		 level_rights(combo, 2) & R_NX ? 'X' : '-',
		 level_rights(combo, 1) & R_U ? 'U' : 'S',
		 level_rights(combo, 1) & R_W ? 'W' : 'R',
		 level_rights(combo, 1) & R_NX ? 'X' : '-', pkey);
}

/* One access; returns true when it matched the SDM's rules. */
static bool check_access(const struct env *e, unsigned combo, unsigned pkey,
			 enum access acc, bool user)
{
	static u64 serial = 1;
	struct outcome want = expect(e, combo, pkey, acc, user);
	volatile u64 *wslot = (volatile u64 *)(page + WRITE_OFF);
	u64 before = *wslot;
	struct ex_result r;
	bool good;
	char what[96];

	probe.acc = acc;
	probe.ac = e->ac && !user;
	probe.value = acc == ACC_WRITE ? READ_PATTERN ^ serial++ : 0;
	if (user)
		r = run_in_usermode(do_probe, NULL);
	else
		r = run_catching(do_probe, NULL);
	/* A fault between STAC and CLAC leaves AC set. */
	clear_ac();

	if (!want.fault) {
		good = !r.raised;
		if (good && acc == ACC_READ)
			good = probe.value == READ_PATTERN;
		if (good && acc == ACC_WRITE)
			good = *wslot == probe.value;
	} else {
		good = r.raised && r.vector == PF_VECTOR &&
		       r.error_code == want.error_code &&
		       r.cr2 == access_addr(acc) && *wslot == before;
	}
	if (!good && shown++ < MAX_SHOWN) {
		describe(combo, pkey, what, sizeof(what));
		report_info("%s: CPL%d %s via %s: got %s error code %#lx cr2 "
			    "%#lx value %#lx; want %s error code %#x", e->name,
			    user ? 3 : 0, acc_name[acc], what,
			    r.raised ? exception_mnemonic(r.vector) : "none",
			    (unsigned long)r.error_code, (unsigned long)r.cr2,
			    (unsigned long)probe.value,
			    want.fault ? "#PF" : "none", want.error_code);
	}
	return good;
}

static void apply_env(const struct env *e, bool user_phase)
{
	u64 efer = rdmsr(MSR_EFER);
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	efer = e->nxe ? efer | EFER_NXE : efer & ~EFER_NXE;
	wrmsr(MSR_EFER, efer);
	cr0 = e->wp ? cr0 | X86_CR0_WP : cr0 & ~X86_CR0_WP;
	write_cr0(cr0);
	cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE);
	if (e->smep && !user_phase)
		cr4 |= X86_CR4_SMEP;
	if (e->smap && !user_phase)
		cr4 |= X86_CR4_SMAP;
	if (e->pke)
		cr4 |= X86_CR4_PKE;
	write_cr4(cr4);
	if (e->pke)
		wrpkru(e->pkru);
}

static void restore_env(void)
{
	if (read_cr4() & X86_CR4_PKE)
		wrpkru(0);
	write_cr4(read_cr4() & ~(X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE));
	write_cr0(read_cr0() | X86_CR0_WP);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

/*
 * Every combination of rights in the lowest @nvary levels (the others U,
 * W, no XD) for one setting; one report line per CPL and access kind.
 */
static void sweep(const struct env *e, unsigned pkey, int nvary)
{
	unsigned bad[2][NR_ACC] = { { 0 } };
	unsigned n = 1u << (3 * nvary), keep = COMBO_ALL_RW & ~(n - 1);
	unsigned c, combo, phase;
	int acc;

	shown = 0;
	for (phase = 0; phase < (e->user ? 2u : 1u); phase++) {
		apply_env(e, phase);
		for (c = 0; c < n; c++) {
			combo = keep | c;
			set_mapping(combo, pkey);
			for (acc = 0; acc < NR_ACC; acc++)
				bad[phase][acc] += !check_access(e, combo,
							pkey, acc, phase);
		}
		restore_env();
	}
	for (phase = 0; phase < (e->user ? 2u : 1u); phase++)
		for (acc = 0; acc < NR_ACC; acc++)
			report(!bad[phase][acc], "%s: CPL%d %s over %u "
			       "combinations of %d levels (mismatches %u, want "
			       "0)", e->name, phase ? 3 : 0, acc_name[acc], n,
			       nvary, bad[phase][acc]);
}

static void setup_mapping(void)
{
	u64 *pml4 = (u64 *)(uintptr_t)(read_cr3() & PT_ADDR_MASK);
	u64 *pdpt = alloc_page(), *pd = alloc_page(), *pt = alloc_page();

	page = alloc_page();
	page_phys = virt_to_phys(page);
	page[FETCH_OFF] = OPCODE_RET;
	*(u64 *)(page + READ_OFF) = READ_PATTERN;

	assert(!(pml4[TEST_PML4_INDEX] & PT_PRESENT));
	pml4e = &pml4[TEST_PML4_INDEX];
	pdpte = &pdpt[1];
	pde = &pd[2];
	pte = &pt[3];
	pdpt_phys = virt_to_phys(pdpt);
	pd_phys = virt_to_phys(pd);
	pt_phys = virt_to_phys(pt);
	level_entry[4] = pml4e;
	level_entry[3] = pdpte;
	level_entry[2] = pde;
	level_entry[1] = pte;
	set_mapping(COMBO_ALL_RW, 0);
}

static void test_not_present(void)
{
	static const char *const lname[LEVELS + 1] = {
		NULL, "PTE", "PDE", "PDPTE", "PML4E" };
	struct env e = { .name = "not present", .wp = true, .nxe = true };
	int l, acc;

	report_prefix_push("not present");
	apply_env(&e, false);
	for (l = 1; l <= LEVELS; l++) {
		for (acc = 0; acc < NR_ACC; acc++) {
			u32 want = (acc == ACC_WRITE ? PFERR_WRITE : 0) |
				   (acc == ACC_FETCH ? PFERR_FETCH : 0);
			struct ex_result r;

			set_mapping(COMBO_ALL_RW, 0);
			*level_entry[l] &= ~PT_PRESENT;
			invlpg((void *)(uintptr_t)TEST_VA);
			probe.acc = acc;
			probe.ac = false;
			probe.value = 0;
			r = run_catching(do_probe, NULL);
			report(r.raised && r.vector == PF_VECTOR &&
			       r.error_code == want &&
			       r.cr2 == access_addr(acc),
			       "%s P=0, CPL0 %s: got %s error code %#lx cr2 "
			       "%#lx, want #PF error code %#x cr2 %#lx",
			       lname[l], acc_name[acc],
			       r.raised ? exception_mnemonic(r.vector) : "none",
			       (unsigned long)r.error_code,
			       (unsigned long)r.cr2, want,
			       (unsigned long)access_addr(acc));
		}
	}
	/* from CPL 3, a not-present page: P=0, U/S=1 */
	set_mapping(COMBO_ALL_RW, 0);
	*pte &= ~PT_PRESENT;
	invlpg((void *)(uintptr_t)TEST_VA);
	probe.acc = ACC_WRITE;
	probe.ac = false;
	{
		struct ex_result r = run_in_usermode(do_probe, NULL);
		u32 want = PFERR_WRITE | PFERR_USER;

		report(r.raised && r.vector == PF_VECTOR &&
		       r.error_code == want && r.cr2 == access_addr(ACC_WRITE),
		       "PTE P=0, CPL3 write: got %s error code %#lx cr2 %#lx, "
		       "want #PF error code %#x cr2 %#lx",
		       r.raised ? exception_mnemonic(r.vector) : "none",
		       (unsigned long)r.error_code, (unsigned long)r.cr2, want,
		       (unsigned long)access_addr(ACC_WRITE));
	}
	restore_env();
	set_mapping(COMBO_ALL_RW, 0);
	report_prefix_pop();
}

/* A reserved bit set in an entry: #PF with P=1 and RSVD=1 (SDM vol 3,
 * 4.7), whatever the rights. */
static void check_rsvd(const char *what, u64 *entry, u64 bit)
{
	struct ex_result r;
	u32 want = PFERR_PRESENT | PFERR_RSVD;

	set_mapping(COMBO_ALL_RW, 0);
	*entry |= bit;
	invlpg((void *)(uintptr_t)TEST_VA);
	probe.acc = ACC_READ;
	probe.ac = false;
	r = run_catching(do_probe, NULL);
	report(r.raised && r.vector == PF_VECTOR && r.error_code == want &&
	       r.cr2 == access_addr(ACC_READ),
	       "%s: CPL0 read got %s error code %#lx cr2 %#lx, want #PF "
	       "error code %#x cr2 %#lx", what,
	       r.raised ? exception_mnemonic(r.vector) : "none",
	       (unsigned long)r.error_code, (unsigned long)r.cr2, want,
	       (unsigned long)access_addr(ACC_READ));
	set_mapping(COMBO_ALL_RW, 0);
}

static void test_reserved_bits(void)
{
	unsigned maxphy = cpuid_maxphyaddr();
	char what[64];

	report_prefix_push("reserved bits");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/* Address bits 51:MAXPHYADDR are reserved (SDM vol 3, 4.5, table
	 * 4-20 note). */
	if (maxphy < 52) {
		snprintf(what, sizeof(what), "PTE address bit %u (MAXPHYADDR "
			 "%u)", maxphy, maxphy);
		check_rsvd(what, pte, 1ull << maxphy);
		snprintf(what, sizeof(what), "PDE address bit 51");
		check_rsvd(what, pde, 1ull << 51);
	} else {
		report_skip("MAXPHYADDR is 52: no reserved address bits");
	}
	check_rsvd("PML4E PS (bit 7)", pml4e, PML4E_PS);
	report_prefix_pop();
}

/* The processor sets A in every entry it uses and D in the leaf on a
 * write (SDM vol 3, 4.8). */
static void test_accessed_dirty(void)
{
	u64 mask = PT_ACCESSED | PT_DIRTY;
	int l;
	bool a_ok = true;
	struct ex_result r;

	report_prefix_push("accessed/dirty");
	set_mapping(COMBO_ALL_RW, 0);
	for (l = 1; l <= LEVELS; l++)
		*level_entry[l] &= ~mask;
	invlpg((void *)(uintptr_t)TEST_VA);
	probe.acc = ACC_READ;
	probe.ac = false;
	r = run_catching(do_probe, NULL);
	report(!r.raised, "read through U/W entries does not fault (got %s, "
	       "want none)", r.raised ? exception_mnemonic(r.vector) : "none");
	for (l = 1; l <= LEVELS; l++)
		a_ok &= !!(*level_entry[l] & PT_ACCESSED);
	report(a_ok, "read sets A at every level (got PML4E %d PDPTE %d "
	       "PDE %d PTE %d, want 1 1 1 1)",
	       !!(*pml4e & PT_ACCESSED), !!(*pdpte & PT_ACCESSED),
	       !!(*pde & PT_ACCESSED), !!(*pte & PT_ACCESSED));
	report(!(*pte & PT_DIRTY), "read leaves the PTE's D clear (got %d, "
	       "want 0)", !!(*pte & PT_DIRTY));

	probe.acc = ACC_WRITE;
	probe.value = 1;
	run_catching(do_probe, NULL);
	report(*pte & PT_DIRTY, "write sets the PTE's D (got %d, want 1)",
	       !!(*pte & PT_DIRTY));

	/* A write that faults must not set D (SDM vol 3, 4.8: the flags are
	 * set only for an access the translation allows). */
	set_mapping(COMBO_ALL_RW & ~R_W, 0);
	*pte &= ~PT_DIRTY;
	invlpg((void *)(uintptr_t)TEST_VA);
	run_catching(do_probe, NULL);
	report(!(*pte & PT_DIRTY), "faulting write to a read-only PTE leaves "
	       "D clear (got %d, want 0)", !!(*pte & PT_DIRTY));
	set_mapping(COMBO_ALL_RW, 0);
	report_prefix_pop();
}

/* PKRU settings to sweep for key 1, the key the test page carries. */
static void test_pku(void)
{
	static const u32 pkrus[] = {
		0, PKRU_AD(1), PKRU_WD(1), PKRU_AD(1) | PKRU_WD(1),
		PKRU_AD(2) | PKRU_WD(3),	/* other keys only */
	};
	unsigned i, wp;
	char name[64];
	u32 got;
	int vec;

	report_prefix_push("pku");
	if (!this_cpu_has(X86_FEATURE_PKU)) {
		report_skip("no protection keys: CPUID.07H.0:ECX[3] clear");
		report_prefix_pop();
		return;
	}

	/* RDPKRU/WRPKRU are #UD while CR4.PKE is clear (SDM vol 2B). */
	write_cr4(read_cr4() & ~X86_CR4_PKE);
	asm volatile(EX_FIXUP_BEGIN "1: rdpkru\n\t2:\n\t" EX_FIXUP_END
		     : "=a"(got) : "c"(0) : "rdx", "memory");
	vec = exception_vector();
	report(vec == UD_VECTOR, "RDPKRU with CR4.PKE=0 raises #UD (got "
	       "vector %d, want %d)", vec, UD_VECTOR);
	write_cr4(read_cr4() | X86_CR4_PKE);
	report(this_cpu_has(CPUID_FEATURE(7, 0, ECX, 4, "OSPKE")),
	       "CPUID.07H.0:ECX[4] (OSPKE) follows CR4.PKE=1");
	wrpkru(0x55555554);
	got = rdpkru();
	report(got == 0x55555554, "PKRU read back (got %#x, want 0x55555554)",
	       got);
	wrpkru(0);
	write_cr4(read_cr4() & ~X86_CR4_PKE);

	for (i = 0; i < ARRAY_SIZE(pkrus); i++) {
		for (wp = 0; wp < 2; wp++) {
			struct env e = {
				.name = name, .wp = wp, .nxe = true,
				.pke = true, .pkru = pkrus[i], .user = true,
			};

			snprintf(name, sizeof(name), "PKRU %#x WP=%u",
				 pkrus[i], wp);
			sweep(&e, 1, 2);
		}
	}
	report_prefix_pop();
}

int main(void)
{
	static const struct env base[] = {
		{ .name = "WP=1 NXE=1", .wp = true, .nxe = true, .user = true },
		{ .name = "WP=0 NXE=1", .wp = false, .nxe = true, .user = true },
		{ .name = "WP=1 NXE=0", .wp = true, .nxe = false, .user = true },
	};
	struct env smep = { .name = "SMEP", .wp = true, .nxe = true,
			    .smep = true };
	struct env smap = { .name = "SMAP AC=0", .wp = true, .nxe = true,
			    .smap = true };
	struct env smap_ac = { .name = "SMAP AC=1", .wp = true, .nxe = true,
			       .smap = true, .ac = true };
	struct env smap_ac_wp0 = { .name = "SMAP AC=1 WP=0", .wp = false,
				   .nxe = true, .smap = true, .ac = true };
	unsigned i;

	report_prefix_push("access");
	if (!this_cpu_has(X86_FEATURE_NX)) {
		report_skip("no execute-disable: CPUID.80000001H:EDX[20] clear");
		return report_summary();
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	setup_mapping();

	for (i = 0; i < ARRAY_SIZE(base); i++)
		sweep(&base[i], 0, LEVELS);

	if (this_cpu_has(X86_FEATURE_SMEP))
		sweep(&smep, 0, LEVELS);
	else
		report_skip("no SMEP: CPUID.07H.0:EBX[7] clear");

	if (this_cpu_has(X86_FEATURE_SMAP)) {
		sweep(&smap, 0, LEVELS);
		sweep(&smap_ac, 0, LEVELS);
		sweep(&smap_ac_wp0, 0, LEVELS);
	} else {
		report_skip("no SMAP: CPUID.07H.0:EBX[20] clear");
	}

	test_pku();
	test_not_present();
	test_reserved_bits();
	test_accessed_dirty();

	return report_summary();
}
