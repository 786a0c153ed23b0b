/*
 * Paging access rights (SDM vol 3, 4.6; AMD APM vol 2, 5.6).
 *
 * One test page is mapped through paging-structure entries of our own,
 * with its leaf at each level that can map a page: a PTE (4 KiB), a PDE
 * with PS=1 (2 MiB) and, where CPUID.80000001H:EDX[26] allows, a PDPTE
 * with PS=1 (1 GiB). Every combination of the U/S, R/W and XD bits in
 * the entries that carry them is written, and a read, a write and an
 * instruction fetch are made through it from CPL 0 and from CPL 3. Each
 * outcome is compared with the rules of SDM vol 3, 4.6.1: an address is
 * a user-mode address only if U/S is 1 in every entry used to translate
 * it, writable only if R/W is 1 in every one, and not executable if XD
 * is 1 in any (with IA32_EFER.NXE = 1). A fault must be #PF with CR2 the
 * accessed address and the error code of SDM vol 3, 4.7 (figure 4-12).
 *
 * x86_64 uses 4-level paging: PML4E, PDPTE, PDE, PTE all carry rights.
 * i386 uses PAE paging (SDM vol 3, 4.4): its PDPTEs are loaded with CR3
 * and have no U/S, R/W or XD bit (table 4-8), so the rights live in the
 * PDE and PTE only, and there are no 1 GiB pages.
 *
 * The sweep runs under several settings: CR0.WP on and off, EFER.NXE on
 * and off (XD is then a reserved bit: RSVD faults, SDM vol 3, 4.5 table
 * 4-19), CR4.SMEP, CR4.SMAP with EFLAGS.AC clear and set (STAC/CLAC), and
 * protection keys (CR4.PKE, PKRU, SDM vol 3, 4.6.2, 4-level paging only).
 * Not-present entries at each level, reserved bits (those of large
 * leaves included) and the accessed/dirty flags are checked apart.
 *
 * Accesses from CPL 3 go through run_in_usermode(), which maps the image
 * user-accessible while it runs; CR4.SMEP and CR4.SMAP are therefore off
 * during them (they govern only supervisor-mode accesses anyway).
 *
 * i386 with the argument "nopae" runs the sweeps under 32-bit paging
 * instead (SDM vol 3, 4.3: CR0.PG = 1, CR4.PAE = 0), the classic
 * two-level walk with 4-byte entries and no XD bit: 4 KiB pages through a
 * PDE and a PTE, 4 MiB pages through a PDE with PS = 1 when CR4.PSE = 1.
 * The boot map stays PAE; each probe switches to a page directory of our
 * own (identity map of RAM plus the test entries) and back, clearing
 * CR0.PG while CR4.PAE and CR3 change (SDM vol 3, 4.1.2), in code that
 * both maps identity-map. A ring 3 probe asks for the switches with UD2,
 * as only CPL 0 may write the control registers; the #UD handler makes
 * them, so run_in_usermode() sets up and tears down under PAE.
 *
 * Size: every combination is run, none sampled. With 4 levels of rights
 * a 4 KiB leaf has 8^4 = 4096 combinations, a 2 MiB leaf 512, a 1 GiB
 * leaf 64, times three accesses and two CPLs per setting; the whole test
 * takes a few seconds under TCG.
 */
#include "libcflat.h"
#include "alloc.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/setup.h"
#include "x86/usermode.h"
#include "x86/vm.h"

/* Error-code bit 5: protection-key violation, SDM vol 3, 4.7. */
#define PFERR_PK		(1u << 5)

/* Protection key of a user-mode page: bits 62:59 of the entry that maps
 * it, whatever its size (SDM vol 3, 4.6.2; tables 4-15, 4-17, 4-19). */
#define PT_PKEY_SHIFT		59
/* PKRU: AD for key i is bit 2i, WD bit 2i+1 (SDM vol 3, 4.6.2). */
#define PKRU_AD(k)		(1u << (2 * (k)))
#define PKRU_WD(k)		(1u << (2 * (k) + 1))

/* PS in a PML4E is reserved (SDM vol 3, 4.5, table 4-15). */
#define PML4E_PS		(1ull << 7)
/*
 * Reserved bits of large leaves, below the address: a PDE that maps a
 * 2 MiB page, bits 20:13 (SDM vol 3, 4.5 table 4-17; PAE: 4.4.2 table
 * 4-9); a PDPTE that maps a 1 GiB page, bits 29:13 (4.5 table 4-15).
 * Bit 12 is PAT in both.
 */
#define PDE_2M_RSVD_LO		13
#define PDE_2M_RSVD_HI		20
#define PDPTE_1G_RSVD_LO	13
#define PDPTE_1G_RSVD_HI	29
/* PAE entries: bits 62:MAXPHYADDR are reserved (SDM vol 3, 4.4.2, tables
 * 4-9 to 4-11), where 4-level paging ignores 62:52 or takes a key. */
#define PAE_RSVD_HIGH_BIT	62

#ifdef __x86_64__
#define TOP_LEVEL		4	/* PML4E */
#define RIGHTS_TOP		4	/* highest entry with U/S, R/W, XD */
/* PML4 index 200 (below the canonical hole, apart from vmap()'s area),
 * PDPT index 1. */
#define REGION_BASE		((200ull << 39) | (1ull << 30))
#else
#define TOP_LEVEL		3	/* PAE PDPTE */
#define RIGHTS_TOP		2	/* PDPTEs carry no rights (table 4-8) */
/* PDPT index 2: the boot map's third GiB, which holds no RAM while -m
 * is at most 2 GiB; vmap() (VMAP_BASE) starts 512 MiB higher than the
 * PDE we take over can be (the test page lies in the first 512 MiB). */
#define REGION_BASE		0x80000000ull
#endif
#define GIB			(1ull << 30)

#ifdef __x86_64__
#define pg32			false
#else
/*
 * 32-bit paging (SDM vol 3, 4.3): 1024 4-byte entries per table, a PDE
 * covering 4 MiB. Our page directory identity-maps RAM (up to 2 GiB)
 * through page tables, so the map holds whatever CR4.PSE is, and gives
 * the test PDE 512 (linear 0x80000000), above RAM while -m is at most
 * 2 GiB.
 */
static bool pg32;
#define PG32_ENTRIES		1024
#define PG32_LEVEL_BITS		10
#define PG32_REGION_BASE	0x80000000u
#define PG32_REGION_PDE		(PG32_REGION_BASE >> 22)
#define PG32_4M			(1u << 22)
/* PDE with PS = 1, CR4.PSE = 1: bits 20:13 are physical-address bits
 * 39:32 with PSE-36, bits 21:(M-19) reserved, M = min(MAXPHYADDR, 40);
 * without PSE-36 bits 21:13 are reserved (SDM vol 3, 4.3, table 4-4). */
#define PG32_4M_HIGH_LO		13
#define PG32_4M_RSVD_HI		21
#define PG32_MAX_M		40
/* PAT bit of a 4 MiB PDE and of a PTE; reserved without PAT (4.3). */
#define PG32_PDE_PAT		(1u << 12)
#define PG32_PTE_PAT		(1u << 7)
/* Bits 11:9 of a PTE and 11:8 of a PDE that references a page table are
 * ignored (tables 4-5 and 4-6). */
#define PG32_PTE_IGNORED	0xe00u
#define PG32_PDE_IGNORED	0xf00u
#endif

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
/* Every level U and W, no XD: the most permissive combination. */
#define COMBO_ALL_RW		((R_U | R_W) * 01111u)

enum access { ACC_READ, ACC_WRITE, ACC_FETCH, NR_ACC };
static const char *const acc_name[NR_ACC] = { "read", "write", "fetch" };
static const char *const level_name[5] = {
	NULL, "PTE", "PDE", "PDPTE", "PML4E" };
static const char *const size_name[4] = { NULL, "4K", "2M", "1G" };

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

/* Level of the leaf in use: 1 (PTE, 4 KiB), 2 (PDE, 2 MiB), 3 (PDPTE). */
static int leaf;
static u64 test_va;
/* entry[l]: the entry at level l on the way to test_va; table_phys[l]:
 * the table it points to when it is not the leaf. */
static u64 *entry[TOP_LEVEL + 1];
static u32 *entry32[3];		/* the same under 32-bit paging */
static u64 table_phys[TOP_LEVEL + 1];
static u8 *page;		/* identity-mapped view of the test page */
static u64 page_phys;

/* What the probe does; static so ring 3 can read it (the image is user
 * mapped while it runs, the kernel stack may not be). */
static struct {
	u64 va;
	enum access acc;
	bool ac;
	u64 value;	/* read result, or value to write */
} probe;

static inline u64 level_size(int level)
{
#ifndef __x86_64__
	if (pg32)
		return 1ull << (PAGE_SHIFT + PG32_LEVEL_BITS * (level - 1));
#endif
	return 1ull << (PAGE_SHIFT + 9 * (level - 1));
}

static u64 ent_get(int level)
{
	return pg32 ? *entry32[level] : *entry[level];
}

static void ent_set(int level, u64 v)
{
	if (pg32)
		*entry32[level] = (u32)v;
	else
		*entry[level] = v;
}

static const char *size_str(int level)
{
	return pg32 && level == 2 ? "4M" : size_name[level];
}

static inline unsigned level_index(u64 va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

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
	volatile u64 *va = (volatile u64 *)(uintptr_t)probe.va;

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
		((void (*)(void))(uintptr_t)(probe.va + FETCH_OFF))();
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

static void flush_test_va(void)
{
	/* INVLPG also drops every paging-structure cache entry (SDM vol 3,
	 * 4.10.4.1), so the upper levels are re-read too. */
	invlpg((void *)(uintptr_t)test_va);
}

/* Write the entries from the leaf up to the highest one with rights;
 * the leaf maps the aligned block holding the test page. */
static void set_mapping(unsigned combo, unsigned pkey)
{
	int l;

	for (l = leaf; l <= RIGHTS_TOP; l++) {
		u64 v = PT_PRESENT | rights_to_flags(level_rights(combo, l));

		if (l == leaf) {
			v |= page_phys & ~(level_size(l) - 1);
			v |= (u64)pkey << PT_PKEY_SHIFT;
			if (l > 1)
				v |= PT_PAGE_SIZE;
		} else {
			v |= table_phys[l];
		}
		/* 32-bit paging has no XD bit and no keys (SDM vol 3, 4.3) */
		assert(!pg32 || !(v >> 32));
		ent_set(l, v);
	}
	flush_test_va();
}

/*
 * I/D in a #PF error code: an instruction fetch with CR4.SMEP = 1, or
 * with CR4.PAE = 1 and IA32_EFER.NXE = 1 (SDM vol 3, 4.7); 32-bit paging
 * reports it only under SMEP, whatever NXE holds.
 */
static u32 fetch_flag(bool nxe, bool smep)
{
	return ((nxe && !pg32) || smep) ? PFERR_FETCH : 0;
}

/* SDM vol 3, 4.6 and 4.7: the fault, if any, for this access. */
static struct outcome expect(const struct env *e, unsigned combo,
			     unsigned pkey, enum access acc, bool user)
{
	bool u = true, w = true, nx = false, ok;
	struct outcome o = { true, PFERR_PRESENT };
	int l;

	for (l = leaf; l <= RIGHTS_TOP; l++) {
		unsigned r = level_rights(combo, l);

		u &= !!(r & R_U);
		w &= !!(r & R_W);
		nx |= !!(r & R_NX);
	}
	if (acc == ACC_WRITE)
		o.error_code |= PFERR_WRITE;
	if (user)
		o.error_code |= PFERR_USER;
	if (acc == ACC_FETCH)
		o.error_code |= fetch_flag(e->nxe, e->smep);

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

	/* Protection keys: data accesses to user-mode addresses; a
	 * supervisor write obeys WD only with CR0.WP=1 (SDM vol 3, 4.6.2). */
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
	return test_va + (acc == ACC_READ ? READ_OFF :
			  acc == ACC_WRITE ? WRITE_OFF : FETCH_OFF);
}

static unsigned shown;
#define MAX_SHOWN		8

static void describe(unsigned combo, unsigned pkey, char *buf, size_t len)
{
	size_t n = 0;
	int l;

	for (l = RIGHTS_TOP; l >= leaf; l--) {
		unsigned r = level_rights(combo, l);

		n += snprintf(buf + n, len - n, "%s %c%c%c ", level_name[l],
			      r & R_U ? 'U' : 'S', r & R_W ? 'W' : 'R',
			      r & R_NX ? 'X' : '-');
		if (n >= len)
			return;
	}
	snprintf(buf + n, len - n, "pkey %u", pkey);
}

#ifndef __x86_64__
static u32 *pg32_pd;		/* our page directory */
static u32 pg32_pd_phys;
static unsigned pg32_ident;	/* PDEs 0..pg32_ident-1 identity-map RAM */
static bool pg32_ident_user;	/* their U/S bit */
static bool pg32_pse;		/* CR4.PSE while in 32-bit paging */
static bool pg32_on;
static unsigned long pae_cr3, pae_cr4;

/* Paging off, CR4.PAE clear, CR3 our page directory, paging on. The code
 * and stack are identity mapped under both maps. */
static void pg32_enter(void)
{
	unsigned long cr0 = read_cr0(), cr4;

	pae_cr3 = read_cr3();
	pae_cr4 = read_cr4();
	cr4 = pae_cr4 & ~(X86_CR4_PAE | X86_CR4_PSE);
	if (pg32_pse)
		cr4 |= X86_CR4_PSE;
	write_cr0(cr0 & ~X86_CR0_PG);
	write_cr4(cr4);
	write_cr3(pg32_pd_phys);
	write_cr0(cr0);
	pg32_on = true;
}

static void pg32_leave(void)
{
	unsigned long cr0 = read_cr0();

	write_cr0(cr0 & ~X86_CR0_PG);
	write_cr4(pae_cr4);
	write_cr3(pae_cr3);
	write_cr0(cr0);
	pg32_on = false;
}

/* The identity map is user-accessible only while ring 3 runs, so SMEP
 * and SMAP see supervisor code and data (as run_in_usermode() does). */
static void pg32_set_ident_user(bool user)
{
	unsigned i;

	if (user == pg32_ident_user)
		return;
	for (i = 0; i < pg32_ident; i++)
		pg32_pd[i] = user ? pg32_pd[i] | PT_USER : pg32_pd[i] & ~PT_USER;
	pg32_ident_user = user;
}

static void pg32_super_probe(void *unused)
{
	pg32_enter();
	do_probe(unused);
	pg32_leave();
}

extern char pg32_ud_enter[], pg32_ud_leave[], pg32_user_exit[];

/* Ring 3: UD2 at pg32_ud_enter and pg32_ud_leave asks the #UD handler to
 * switch; pg32_user_exit leaves ring 3 the way usermode.c does. */
static void __attribute__((noinline)) pg32_user_probe(void *unused)
{
	asm volatile(".globl pg32_ud_enter\n"
		     "pg32_ud_enter: ud2" ::: "memory");
	do_probe(unused);
	asm volatile(".globl pg32_ud_leave\n"
		     "pg32_ud_leave: ud2" ::: "memory");
}

asm(".text\n"
    ".globl pg32_user_exit\n"
    "pg32_user_exit:\n\t"
    "int $" __stringify_x86(USERMODE_RETURN_VECTOR) "\n\t"
    "ud2\n");

static struct ex_result pg32_user_result;

/*
 * Every exception while the ring 3 probe runs comes here first. The two
 * UD2s switch paging; anything else ends the probe: it is recorded, PAE
 * paging restored, and ring 3 resumed at pg32_user_exit.
 */
static void pg32_user_handler(struct ex_regs *regs)
{
	if (!(regs->cs & 3)) {
		printf("access: %s (vector %lu) at CPL 0, eip %#lx, error code "
		       "%#lx, during a 32-bit paging ring 3 probe\n",
		       exception_mnemonic(regs->vector),
		       (unsigned long)regs->vector, (unsigned long)regs->rip,
		       (unsigned long)regs->error_code);
		abort();
	}
	if (regs->vector == UD_VECTOR &&
	    regs->rip == (uintptr_t)pg32_ud_enter) {
		pg32_enter();
		regs->rip += 2;
		return;
	}
	if (regs->vector == UD_VECTOR &&
	    regs->rip == (uintptr_t)pg32_ud_leave) {
		pg32_leave();
		regs->rip += 2;
		return;
	}
	pg32_user_result.raised = true;
	pg32_user_result.vector = regs->vector;
	pg32_user_result.error_code = regs->error_code;
	pg32_user_result.cr2 = read_cr2();
	pg32_user_result.rip = regs->rip;
	if (pg32_on)
		pg32_leave();
	regs->rip = (uintptr_t)pg32_user_exit;
}

static struct ex_result pg32_run_probe(bool user)
{
	exception_handler_t old[32];
	struct ex_result r;
	unsigned v;

	pg32_set_ident_user(user);
	if (!user) {
		r = run_catching(pg32_super_probe, NULL);
		if (pg32_on)
			pg32_leave();
		return r;
	}
	for (v = 0; v < 32; v++)
		old[v] = handle_exception(v, pg32_user_handler);
	memset(&pg32_user_result, 0, sizeof(pg32_user_result));
	r = run_in_usermode(pg32_user_probe, NULL);
	for (v = 0; v < 32; v++)
		handle_exception(v, old[v]);
	/* what the ring 3 side ran into, else what usermode.c saw */
	return pg32_user_result.raised ? pg32_user_result : r;
}
#endif

/* Run the probe for @acc at test_va from CPL 0 or 3. */
static struct ex_result run_probe(enum access acc, bool user, bool ac,
				  u64 value)
{
	struct ex_result r;

	probe.va = test_va;
	probe.acc = acc;
	probe.ac = ac && !user;
	probe.value = value;
#ifndef __x86_64__
	if (pg32)
		r = pg32_run_probe(user);
	else
#endif
	if (user)
		r = run_in_usermode(do_probe, NULL);
	else
		r = run_catching(do_probe, NULL);
	/* A fault between STAC and CLAC leaves AC set. */
	clear_ac();
	return r;
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

	r = run_probe(acc, user, e->ac,
		      acc == ACC_WRITE ? READ_PATTERN ^ serial++ : 0);
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
		report_info("%s: %s: CPL%d %s via %s: got %s error code %#lx "
			    "cr2 %#lx value %#lx; want %s error code %#x",
			    e->name, size_str(leaf), user ? 3 : 0,
			    acc_name[acc], what,
			    r.raised ? exception_mnemonic(r.vector) : "none",
			    (unsigned long)r.error_code, (unsigned long)r.cr2,
			    (unsigned long)probe.value,
			    want.fault ? "#PF" : "none", want.error_code);
	}
	return good;
}

/* CPUID.80000001H:EDX[20]; only 32-bit paging runs without it. */
static bool has_nx;

static void apply_env(const struct env *e, bool user_phase)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	if (has_nx) {
		u64 efer = rdmsr(MSR_EFER);

		efer = e->nxe ? efer | EFER_NXE : efer & ~EFER_NXE;
		wrmsr(MSR_EFER, efer);
	}
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
	if (has_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

/* Levels with rights from the leaf up. */
static int rights_levels(void)
{
	return RIGHTS_TOP - leaf + 1;
}

/*
 * Every combination of rights in the @nvary entries from the leaf up (the
 * ones above U, W, no XD) for one setting; one report line per CPL and
 * access kind.
 */
static void sweep(const struct env *e, unsigned pkey, int nvary)
{
	unsigned bad[2][NR_ACC] = { { 0 } };
	unsigned n = 1u << (3 * nvary), nrun = 0;
	unsigned shift = 3 * (leaf - 1);
	unsigned keep = COMBO_ALL_RW & ~((n - 1) << shift);
	unsigned c, combo, phase;
	int acc;

	shown = 0;
	for (phase = 0; phase < (e->user ? 2u : 1u); phase++) {
		apply_env(e, phase);
		for (c = 0; c < n; c++) {
			combo = keep | (c << shift);
			/* no XD bit in 32-bit paging */
			if (pg32 && (combo & (R_NX * 01111u)))
				continue;
			nrun += !phase;
			set_mapping(combo, pkey);
			for (acc = 0; acc < NR_ACC; acc++)
				bad[phase][acc] += !check_access(e, combo,
							pkey, acc, phase);
		}
		restore_env();
	}
	for (phase = 0; phase < (e->user ? 2u : 1u); phase++)
		for (acc = 0; acc < NR_ACC; acc++)
			report(!bad[phase][acc], "%s: %s: CPL%d %s over %u "
			       "combinations of %d level%s (mismatches %u, "
			       "want 0)", e->name, size_str(leaf),
			       phase ? 3 : 0, acc_name[acc], nrun, nvary,
			       nvary > 1 ? "s" : "", bad[phase][acc]);
}

#ifndef __x86_64__
/* PAE PDPTE bits 2:1 and 8:5, reserved (SDM vol 3, 4.4.1, table 4-8) */
#define PDPTE_PAE_RSVD		0x1e6ull

/*
 * PAE paging loads the four PDPTEs into registers (MOV to CR3, and MOV to
 * CR0 or CR4 that changes the paging mode, PGE, PSE or SMEP): they are
 * not used in the walk itself and have no accessed flag (SDM vol 3,
 * 4.4.1 and 4.8). After page walks they must read as written: a
 * reserved bit set in one makes the next such MOV raise #GP(0).
 */
static void check_pae_pdptes(void)
{
	u64 *pdpt = (u64 *)(uintptr_t)(read_cr3() & ~0x1ful);
	unsigned i;

	for (i = 0; i < 4; i++)
		if ((pdpt[i] & PT_PRESENT) && (pdpt[i] & PDPTE_PAE_RSVD))
			break;
	report(i == 4, "PAE PDPTEs: reserved bits 2:1 and 8:5 clear after "
	       "page walks (got PDPTE %u = %#llx; want none of %#llx)",
	       i == 4 ? 0 : i, (unsigned long long)pdpt[i == 4 ? 0 : i],
	       PDPTE_PAE_RSVD);
}
#endif

/*
 * The tables down to the test page. The page's offset in the region
 * equals its physical address modulo 1 GiB, so a leaf at any level maps
 * it at the same virtual address (the block the leaf maps holds it).
 * Pages are drawn until the PT and PD indices differ from each other and
 * from the PDPT index, so an index taken from the wrong bits of the
 * address selects another entry.
 */
static void setup_tables(void)
{
	u64 *table = (u64 *)(uintptr_t)(read_cr3() & PT_ADDR_MASK);
	int l, tries;

	for (tries = 0; tries < 16; tries++) {
		page = alloc_page();
		page_phys = virt_to_phys(page);
		test_va = REGION_BASE + (page_phys & (GIB - 1));
		if (level_index(test_va, 1) != level_index(test_va, 2) &&
		    level_index(test_va, 1) != level_index(test_va, 3) &&
		    level_index(test_va, 2) != level_index(test_va, 3))
			break;
	}
	page[FETCH_OFF] = OPCODE_RET;
	*(u64 *)(page + READ_OFF) = READ_PATTERN;

	for (l = TOP_LEVEL; l >= 1; l--) {
		entry[l] = &table[level_index(test_va, l)];
		if (l > RIGHTS_TOP) {
			/* a PAE PDPTE from boot: present, used as it is */
			assert(*entry[l] & PT_PRESENT);
			table = (u64 *)(uintptr_t)(*entry[l] & PT_ADDR_MASK);
			continue;
		}
		if (l == TOP_LEVEL)
			assert(!(*entry[l] & PT_PRESENT));
		if (l > 1) {
			table = alloc_page();
			table_phys[l] = virt_to_phys(table);
		}
	}
}

static void use_leaf(int level)
{
	leaf = level;
	set_mapping(COMBO_ALL_RW, 0);
}

static void report_pf(bool cond, const char *what, int cpl, enum access acc,
		      struct ex_result r, u32 want)
{
	report(cond, "%s, CPL%d %s: got %s error code %#lx cr2 %#lx, want #PF "
	       "error code %#x cr2 %#lx", what, cpl, acc_name[acc],
	       r.raised ? exception_mnemonic(r.vector) : "none",
	       (unsigned long)r.error_code, (unsigned long)r.cr2, want,
	       (unsigned long)access_addr(acc));
}

static bool is_pf(struct ex_result r, u32 want, enum access acc)
{
	return r.raised && r.vector == PF_VECTOR && r.error_code == want &&
	       r.cr2 == access_addr(acc);
}

static void test_not_present(void)
{
	struct env e = { .name = "not present", .wp = true, .nxe = true };
	char what[32];
	int l, acc;

	report_prefix_push("not present");
	apply_env(&e, false);
	for (l = leaf; l <= RIGHTS_TOP; l++) {
		snprintf(what, sizeof(what), "%s: %s P=0", size_str(leaf),
			 level_name[l]);
		for (acc = 0; acc < NR_ACC; acc++) {
			u32 want = (acc == ACC_WRITE ? PFERR_WRITE : 0) |
				   (acc == ACC_FETCH ?
				    fetch_flag(e.nxe, e.smep) : 0);
			struct ex_result r;

			set_mapping(COMBO_ALL_RW, 0);
			ent_set(l, ent_get(l) & ~PT_PRESENT);
			flush_test_va();
			r = run_probe(acc, false, false, 0);
			report_pf(is_pf(r, want, acc), what, 0, acc, r, want);
		}
	}
	/* from CPL 3, a not-present leaf: P=0, U/S=1 */
	set_mapping(COMBO_ALL_RW, 0);
	ent_set(leaf, ent_get(leaf) & ~PT_PRESENT);
	flush_test_va();
	{
		struct ex_result r = run_probe(ACC_WRITE, true, false, 0);
		u32 want = PFERR_WRITE | PFERR_USER;

		snprintf(what, sizeof(what), "%s: %s P=0", size_str(leaf),
			 level_name[leaf]);
		report_pf(is_pf(r, want, ACC_WRITE), what, 3, ACC_WRITE, r,
			  want);
	}
	restore_env();
	set_mapping(COMBO_ALL_RW, 0);
	report_prefix_pop();
}

/*
 * A reserved bit set in an entry: #PF with P=1 and RSVD=1 (SDM vol 3,
 * 4.7), whatever the rights, and W/R, U/S and I/D telling the access
 * (EFER.NXE is 1 here). Each access below @nacc from CPL 0 and CPL 3;
 * nothing is written.
 */
static void check_rsvd_acc(const char *what, int level, u64 bits, int nacc)
{
	int cpl, acc;
	char name[80];

	snprintf(name, sizeof(name), "%s: %s", size_str(leaf), what);
	for (cpl = 0; cpl <= 3; cpl += 3) {
		for (acc = 0; acc < nacc; acc++) {
			u32 want = PFERR_PRESENT | PFERR_RSVD |
				   (acc == ACC_WRITE ? PFERR_WRITE : 0) |
				   (acc == ACC_FETCH ?
				    fetch_flag(true, false) : 0) |
				   (cpl ? PFERR_USER : 0);
			volatile u64 *wslot = (u64 *)(page + WRITE_OFF);
			u64 before = *wslot;
			struct ex_result r;

			set_mapping(COMBO_ALL_RW, 0);
			ent_set(level, ent_get(level) | bits);
			flush_test_va();
			r = run_probe(acc, cpl, false, ~before);
			report_pf(is_pf(r, want, acc) && *wslot == before,
				  name, cpl, acc, r, want);
		}
	}
	set_mapping(COMBO_ALL_RW, 0);
}

static void check_rsvd(const char *what, int level, u64 bits)
{
	check_rsvd_acc(what, level, bits, NR_ACC);
}

static void test_reserved_bits(void)
{
	unsigned maxphy = cpuid_maxphyaddr();
	char what[64];

	report_prefix_push("reserved bits");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/* Address bits 51:MAXPHYADDR are reserved (SDM vol 3, 4.5, table
	 * 4-20 note; PAE: 4.4.2). */
	if (maxphy < 52) {
		snprintf(what, sizeof(what), "%s address bit %u (MAXPHYADDR "
			 "%u)", level_name[leaf], maxphy, maxphy);
		check_rsvd(what, leaf, 1ull << maxphy);
		if (leaf < RIGHTS_TOP) {
			snprintf(what, sizeof(what), "%s address bit 51",
				 level_name[leaf + 1]);
			check_rsvd(what, leaf + 1, 1ull << 51);
		}
	} else {
		report_skip("%s: MAXPHYADDR is 52: no reserved address bits",
			    size_str(leaf));
	}
	if (leaf == 2) {
		check_rsvd("PDE PS=1 bit 13", 2,
			   1ull << PDE_2M_RSVD_LO);
		check_rsvd("PDE PS=1 bit 20", 2,
			   1ull << PDE_2M_RSVD_HI);
	}
	if (leaf == 3) {
		check_rsvd("PDPTE PS=1 bit 13", 3,
			   1ull << PDPTE_1G_RSVD_LO);
		check_rsvd("PDPTE PS=1 bit 21", 3, 1ull << 21);
		check_rsvd("PDPTE PS=1 bit 29", 3,
			   1ull << PDPTE_1G_RSVD_HI);
	}
#ifdef __x86_64__
	if (leaf == 1)
		check_rsvd("PML4E PS (bit 7)", 4, PML4E_PS);
#else
	/* where 4-level paging has the protection key */
	snprintf(what, sizeof(what), "%s bit %u (PAE)", level_name[leaf],
		 PAE_RSVD_HIGH_BIT);
	check_rsvd(what, leaf, 1ull << PAE_RSVD_HIGH_BIT);
#endif
	report_prefix_pop();
}

/*
 * Without 1-GByte page support, PS in a PDPTE is a reserved bit (SDM
 * vol 3, 4.5, table 4-15: "If the PDPTE maps a page, ... PS must be 0"
 * when CPUID.80000001H:EDX[26] is 0).
 */
static void test_pdpte_ps_reserved(void)
{
	report_prefix_push("reserved bits");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	use_leaf(2);
	check_rsvd("PDPTE PS=1 without 1-GByte pages", 3,
		   PT_PAGE_SIZE);
	report_prefix_pop();
}

/* The processor sets A in every entry it uses and D in the leaf on a
 * write, never in a non-leaf entry, where bit 6 is ignored (SDM vol 3,
 * 4.8; tables 4-14 to 4-20). */
static void test_accessed_dirty(void)
{
	u64 mask = PT_ACCESSED | PT_DIRTY;
	const char *sz = size_str(leaf);
	bool a_ok = true, upper_d = false;
	char got[64];
	size_t n = 0;
	struct ex_result r;
	int l;

	report_prefix_push("accessed/dirty");
	set_mapping(COMBO_ALL_RW, 0);
	for (l = leaf; l <= RIGHTS_TOP; l++)
		ent_set(l, ent_get(l) & ~mask);
	flush_test_va();
	r = run_probe(ACC_READ, false, false, 0);
	report(!r.raised, "%s: read through U/W entries does not fault (got "
	       "%s, want none)", sz,
	       r.raised ? exception_mnemonic(r.vector) : "none");
	got[0] = 0;
	for (l = RIGHTS_TOP; l >= leaf; l--) {
		a_ok &= !!(ent_get(l) & PT_ACCESSED);
		n += snprintf(got + n, sizeof(got) - n, " %s %d",
			      level_name[l], !!(ent_get(l) & PT_ACCESSED));
	}
	report(a_ok, "%s: read sets A at every level (got%s, want all 1)", sz,
	       got);
	report(!(ent_get(leaf) & PT_DIRTY), "%s: read leaves the %s's D clear "
	       "(got %d, want 0)", sz, level_name[leaf],
	       !!(ent_get(leaf) & PT_DIRTY));

	r = run_probe(ACC_WRITE, false, false, 1);
	report(!r.raised && (ent_get(leaf) & PT_DIRTY), "%s: write sets the "
	       "%s's D (got %d, %s, want 1, none)", sz, level_name[leaf],
	       !!(ent_get(leaf) & PT_DIRTY),
	       r.raised ? exception_mnemonic(r.vector) : "none");
	for (l = leaf + 1; l <= RIGHTS_TOP; l++)
		upper_d |= !!(ent_get(l) & PT_DIRTY);
	if (leaf < RIGHTS_TOP)
		report(!upper_d, "%s: write leaves bit 6 of the non-leaf "
		       "entries clear (got %d, want 0)", sz, upper_d);

	/* A write that faults must not set D (SDM vol 3, 4.8: the flags are
	 * set only for an access the translation allows). */
	set_mapping(COMBO_ALL_RW & ~(R_W << (3 * (leaf - 1))), 0);
	ent_set(leaf, ent_get(leaf) & ~PT_DIRTY);
	flush_test_va();
	r = run_probe(ACC_WRITE, false, false, 2);
	report(r.raised && !(ent_get(leaf) & PT_DIRTY), "%s: faulting write "
	       "to a read-only %s leaves D clear (got %d, %s, want 0, #PF)",
	       sz, level_name[leaf], !!(ent_get(leaf) & PT_DIRTY),
	       r.raised ? exception_mnemonic(r.vector) : "none");
	set_mapping(COMBO_ALL_RW, 0);
	report_prefix_pop();
}

/* Is a leaf at @level supported here? Reports the skip if not. */
static bool leaf_supported(int level)
{
	if (level == 3 && TOP_LEVEL == 3) {
		report_skip("1G: PAE paging has no 1-GByte pages (SDM vol 3, "
			    "4.4.2)");
		return false;
	}
	if (level == 3 && !this_cpu_has(X86_FEATURE_GBPAGES)) {
		report_skip("1G: no 1-GByte pages: CPUID.80000001H:EDX[26] "
			    "clear");
		return false;
	}
	return true;
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
	int vec, l;

	report_prefix_push("pku");
	if (!this_cpu_has(X86_FEATURE_PKU)) {
		report_skip("no protection keys: CPUID.07H.0:ECX[3] clear");
		report_prefix_pop();
		return;
	}
	if (TOP_LEVEL == 3) {
		report_skip("protection keys apply to 4-level paging only, "
			    "not PAE (SDM vol 3, 4.6.2)");
		report_prefix_pop();
		return;
	}

	/* RDPKRU/WRPKRU are #UD while CR4.PKE is clear (SDM vol 2B). */
	write_cr4(read_cr4() & ~X86_CR4_PKE);
	asm volatile(EX_FIXUP_BEGIN "1: rdpkru\n\t2:\n\t" EX_FIXUP_END
		     : "=a"(got) : "c"(0) : "dx", "memory");
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

	/* The key lives in the leaf, whatever its size: each size, rights
	 * varied in the two entries from the leaf up. */
	for (l = 1; l <= 3; l++) {
		if (!leaf_supported(l))
			continue;
		use_leaf(l);
		for (i = 0; i < ARRAY_SIZE(pkrus); i++) {
			for (wp = 0; wp < 2; wp++) {
				struct env e = {
					.name = name, .wp = wp, .nxe = true,
					.pke = true, .pkru = pkrus[i],
					.user = true,
				};

				snprintf(name, sizeof(name), "PKRU %#x WP=%u",
					 pkrus[i], wp);
				sweep(&e, 1, 2);
			}
		}
	}

	/* Only the leaf's key counts: bits 62:59 of a PDE that references a
	 * page table are ignored (SDM vol 3, 4.5, table 4-18). */
	use_leaf(1);
	{
		struct env e = { .wp = true, .nxe = true, .pke = true,
				 .pkru = PKRU_AD(2) | PKRU_WD(2) };
		struct ex_result r;

		apply_env(&e, true);
		ent_set(2, ent_get(2) | 2ull << PT_PKEY_SHIFT);
		flush_test_va();
		r = run_probe(ACC_WRITE, true, false, 3);
		restore_env();
		report(!r.raised && *(volatile u64 *)(page + WRITE_OFF) == 3,
		       "key 2 in the PDE, 0 in the PTE, PKRU AD=WD=1 for key "
		       "2: CPL3 write got %s error code %#lx, want none",
		       r.raised ? exception_mnemonic(r.vector) : "none",
		       (unsigned long)r.error_code);
		set_mapping(COMBO_ALL_RW, 0);
	}
	report_prefix_pop();
}

#ifndef __x86_64__
/*
 * Our page directory: PDEs 0 up identity-map RAM (to 2 GiB at most)
 * through page tables with U/S = 1 in every PTE (the PDEs decide, see
 * pg32_set_ident_user()); PDE 512 is the test's. The test page is drawn
 * until its PTE index differs from 512, so an index taken from the wrong
 * bits selects another entry.
 */
static void setup_pg32(void)
{
	u64 top = ram_end() < 2 * GIB ? ram_end() : 2 * GIB;
	unsigned i, j, tries;
	u32 *pt;

	pg32_pd = alloc_page();
	pg32_pd_phys = virt_to_phys(pg32_pd);
	pg32_ident = (top + PG32_4M - 1) / PG32_4M;
	for (i = 0; i < pg32_ident; i++) {
		pt = alloc_page();
		for (j = 0; j < PG32_ENTRIES; j++)
			pt[j] = ((u32)i << 22 | j << PAGE_SHIFT) | PT_PRESENT |
				PT_WRITABLE | PT_USER;
		pg32_pd[i] = virt_to_phys(pt) | PT_PRESENT | PT_WRITABLE;
	}
	for (tries = 0; tries < 16; tries++) {
		page = alloc_page();
		page_phys = virt_to_phys(page);
		if (((page_phys >> PAGE_SHIFT) & (PG32_ENTRIES - 1)) !=
		    PG32_REGION_PDE)
			break;
	}
	assert(page_phys < 2 * GIB);
	page[FETCH_OFF] = OPCODE_RET;
	*(u64 *)(page + READ_OFF) = READ_PATTERN;
	test_va = PG32_REGION_BASE | (page_phys & (PG32_4M - 1));

	pt = alloc_page();
	table_phys[2] = virt_to_phys(pt);
	entry32[2] = &pg32_pd[PG32_REGION_PDE];
	entry32[1] = &pt[(test_va >> PAGE_SHIFT) & (PG32_ENTRIES - 1)];
}

/* An access through the test page that must not fault (@bits set in the
 * entry at @level are not reserved): CPL 0 read, and no #PF. */
static void check_not_rsvd(const char *what, int level, u32 bits)
{
	struct ex_result r;

	set_mapping(COMBO_ALL_RW, 0);
	ent_set(level, ent_get(level) | bits);
	flush_test_va();
	r = run_probe(ACC_READ, false, false, 0);
	report(!r.raised, "%s: %s: CPL0 read got %s error code %#lx, want "
	       "none", size_str(leaf), what,
	       r.raised ? exception_mnemonic(r.vector) : "none",
	       (unsigned long)r.error_code);
	set_mapping(COMBO_ALL_RW, 0);
}

/*
 * With 32-bit paging only a PDE that maps a 4 MiB page has reserved bits
 * (SDM vol 3, 4.3): 21:13 without PSE-36, 21:(M-19) with it, where M is
 * min(MAXPHYADDR, 40), and PAT's bit when the PAT is absent. No other
 * bits are reserved: PTEs and PDEs that reference page tables have none.
 */
static void test_reserved_bits_pg32(void)
{
	bool pse36 = this_cpu_has(X86_FEATURE_PSE36);
	bool pat = this_cpu_has(X86_FEATURE_PAT);
	unsigned m = cpuid_maxphyaddr(), lo;
	char what[80];

	report_prefix_push("reserved bits");
	if (m > PG32_MAX_M)
		m = PG32_MAX_M;
	if (leaf == 2) {
		lo = pse36 ? m - 19 : PG32_4M_HIGH_LO;
		if (lo < PG32_4M_HIGH_LO)
			lo = PG32_4M_HIGH_LO;
		snprintf(what, sizeof(what), "PDE PS=1 bit %u (%s, M %u)",
			 PG32_4M_RSVD_HI, pse36 ? "PSE-36" : "no PSE-36", m);
		check_rsvd(what, 2, 1u << PG32_4M_RSVD_HI);
		/*
		 * An implementation that takes bit lo for an address bit
		 * maps memory beyond RAM, whose bytes a fetch would run as
		 * code: read and write only.
		 */
		if (lo < PG32_4M_RSVD_HI) {
			snprintf(what, sizeof(what), "PDE PS=1 bit %u (%s, M "
				 "%u)", lo, pse36 ? "PSE-36" : "no PSE-36", m);
			check_rsvd_acc(what, 2, 1u << lo, ACC_FETCH);
		}
		if (!pse36) {
			report_skip("4M: physical-address bits in PDE bits "
				    "20:13: no PSE-36: CPUID.01H:EDX[17] clear");
		} else if (m > 32) {
			/* bits (M-20):13 are address bits (M-1):32 */
			snprintf(what, sizeof(what), "PDE PS=1 bit %u, address "
				 "bit 32", PG32_4M_HIGH_LO);
			check_not_rsvd(what, 2, 1u << PG32_4M_HIGH_LO);
			snprintf(what, sizeof(what), "PDE PS=1 bit %u, address "
				 "bit %u (M %u)", m - 20, m - 1, m);
			check_not_rsvd(what, 2, 1u << (m - 20));
		}
		if (pat)
			check_not_rsvd("PDE PS=1 bit 12 (PAT)", 2,
				       PG32_PDE_PAT);
		else
			check_rsvd("PDE PS=1 bit 12 (PAT) without PAT", 2,
				   PG32_PDE_PAT);
	} else {
		if (pat)
			check_not_rsvd("PTE bit 7 (PAT)", 1, PG32_PTE_PAT);
		else
			check_rsvd("PTE bit 7 (PAT) without PAT", 1,
				   PG32_PTE_PAT);
		check_not_rsvd("PTE bits 11:9 (ignored)", 1,
			       PG32_PTE_IGNORED);
		check_not_rsvd("PDE bits 11:8 (ignored)", 2,
			       PG32_PDE_IGNORED);
	}
	report_prefix_pop();
}

/*
 * CR4.PSE = 0: the PS bit of a PDE is ignored and the PDE references a
 * page table (SDM vol 3, 4.3, table 4-5), and no bit is reserved.
 */
static void test_pse_off(void)
{
	struct ex_result r;
	int acc;

	report_prefix_push("CR4.PSE=0");
	pg32_pse = false;
	use_leaf(1);
	for (acc = 0; acc < NR_ACC; acc++) {
		volatile u64 *wslot = (volatile u64 *)(page + WRITE_OFF);
		u64 value = acc == ACC_WRITE ? 0x1234 : 0;
		bool good;

		set_mapping(COMBO_ALL_RW, 0);
		ent_set(2, ent_get(2) | PT_PAGE_SIZE);
		flush_test_va();
		r = run_probe(acc, false, false, value);
		good = !r.raised;
		if (good && acc == ACC_READ)
			good = probe.value == READ_PATTERN;
		if (good && acc == ACC_WRITE)
			good = *wslot == value;
		report(good, "4K: PDE PS=1 references the page table: CPL0 %s "
		       "got %s error code %#lx value %#llx, want none value "
		       "%#llx", acc_name[acc],
		       r.raised ? exception_mnemonic(r.vector) : "none",
		       (unsigned long)r.error_code,
		       (unsigned long long)probe.value,
		       (unsigned long long)(acc == ACC_READ ? READ_PATTERN :
					    acc == ACC_WRITE ? value : 0));
	}
	/* PTE bit 7 is reserved when the PAT is absent, but only with
	 * CR4.PSE = 1 (SDM vol 3, 4.3); PAT or not, no fault here */
	set_mapping(COMBO_ALL_RW, 0);
	ent_set(2, ent_get(2) | PT_PAGE_SIZE);
	ent_set(1, ent_get(1) | PG32_PTE_PAT);
	flush_test_va();
	r = run_probe(ACC_READ, false, false, 0);
	report(!r.raised, "4K: PTE bit 7 with PDE PS=1: CPL0 read got %s "
	       "error code %#lx, want none",
	       r.raised ? exception_mnemonic(r.vector) : "none",
	       (unsigned long)r.error_code);
	set_mapping(COMBO_ALL_RW, 0);
	pg32_pse = this_cpu_has(X86_FEATURE_PSE);
	report_prefix_pop();
}

/* The paging mode a probe really runs in. */
static void pg32_read_mode(void *out)
{
	unsigned long *v = out;

	pg32_enter();
	v[0] = read_cr0();
	v[1] = read_cr4();
	v[2] = read_cr3();
	pg32_leave();
}

static void test_pg32(void)
{
	static const struct env base[] = {
		{ .name = "WP=1 NXE=1", .wp = true, .nxe = true, .user = true },
		{ .name = "WP=0 NXE=1", .wp = false, .nxe = true, .user = true },
		{ .name = "WP=1 NXE=0", .wp = true, .nxe = false, .user = true },
	};
	static const struct env smep[] = {
		{ .name = "SMEP NXE=0", .wp = true, .smep = true },
		{ .name = "SMEP NXE=1", .wp = true, .nxe = true, .smep = true },
	};
	static const struct env smap[] = {
		{ .name = "SMAP AC=0", .wp = true, .smap = true },
		{ .name = "SMAP AC=1", .wp = true, .smap = true, .ac = true },
		{ .name = "SMAP AC=1 WP=0", .wp = false, .smap = true,
		  .ac = true },
	};
	bool has_pse = this_cpu_has(X86_FEATURE_PSE);
	bool has_smep = this_cpu_has(X86_FEATURE_SMEP);
	bool has_smap = this_cpu_has(X86_FEATURE_SMAP);
	unsigned long mode[3];
	struct ex_result r;
	unsigned i;
	int l;

	/* walked since boot, before this test leaves PAE paging */
	check_pae_pdptes();
	report_prefix_push("32-bit paging");
	if (!has_nx)
		report_skip("EFER.NXE=1 settings: no execute-disable: "
			    "CPUID.80000001H:EDX[20] clear");
	if (!has_smep)
		report_skip("no SMEP: CPUID.07H.0:EBX[7] clear");
	if (!has_smap)
		report_skip("no SMAP: CPUID.07H.0:EBX[20] clear");
	pg32 = true;
	/* a CPU without CPUID.01H:EDX[3] (PSE) need not take CR4.PSE */
	pg32_pse = has_pse;
	setup_pg32();

	r = run_catching(pg32_read_mode, mode);
	report(!r.raised && (mode[0] & X86_CR0_PG) &&
	       !(mode[1] & X86_CR4_PAE) &&
	       !!(mode[1] & X86_CR4_PSE) == has_pse &&
	       mode[2] == pg32_pd_phys,
	       "probe mode: CR0 %#lx CR4 %#lx CR3 %#lx, want PG=1 PAE=0 "
	       "PSE=%d CR3 %#x", mode[0], mode[1], mode[2], has_pse,
	       pg32_pd_phys);

	for (l = 1; l <= 2; l++) {
		/* 4 MiB pages need CR4.PSE (SDM vol 3, 4.3) */
		if (l == 2 && !has_pse) {
			report_skip("4M: no 4-MByte pages: CPUID.01H:EDX[3] "
				    "clear");
			continue;
		}
		use_leaf(l);
		for (i = 0; i < ARRAY_SIZE(base); i++)
			if (has_nx || !base[i].nxe)
				sweep(&base[i], 0, rights_levels());
		for (i = 0; has_smep && i < ARRAY_SIZE(smep); i++)
			if (has_nx || !smep[i].nxe)
				sweep(&smep[i], 0, rights_levels());
		for (i = 0; has_smap && i < ARRAY_SIZE(smap); i++)
			sweep(&smap[i], 0, rights_levels());
		test_not_present();
		test_reserved_bits_pg32();
		test_accessed_dirty();
	}
	test_pse_off();

	/* back home: the boot map, PAE */
	report(!pg32_on && (read_cr4() & X86_CR4_PAE) &&
	       (read_cr0() & X86_CR0_PG), "back to PAE paging: CR0 %#lx CR4 "
	       "%#lx, want PG=1 PAE=1", read_cr0(), read_cr4());
	pg32 = false;
	report_prefix_pop();
}
#endif

int main(int argc, char **argv)
{
	static const struct env base[] = {
		{ .name = "WP=1 NXE=1", .wp = true, .nxe = true, .user = true },
		{ .name = "WP=0 NXE=1", .wp = false, .nxe = true, .user = true },
		{ .name = "WP=1 NXE=0", .wp = true, .nxe = false, .user = true },
	};
	static const struct env smep = {
		.name = "SMEP", .wp = true, .nxe = true, .smep = true };
	static const struct env smap[] = {
		{ .name = "SMAP AC=0", .wp = true, .nxe = true, .smap = true },
		{ .name = "SMAP AC=1", .wp = true, .nxe = true, .smap = true,
		  .ac = true },
		{ .name = "SMAP AC=1 WP=0", .wp = false, .nxe = true,
		  .smap = true, .ac = true },
	};
	bool has_smep = this_cpu_has(X86_FEATURE_SMEP);
	bool has_smap = this_cpu_has(X86_FEATURE_SMAP);
	bool nopae = argc > 1 && !strcmp(argv[1], "nopae");
	unsigned i;
	int l;

	report_prefix_push("access");
	has_nx = this_cpu_has(X86_FEATURE_NX);
	if (nopae) {
#ifdef __x86_64__
		report_skip("nopae: 32-bit paging needs legacy protected mode; "
			    "this is a 64-bit guest (SDM vol 3, 4.1.1)");
#else
		test_pg32();
#endif
		return report_summary();
	}
	/* The XD bit and EFER.NXE (SDM vol 3, 4.1.4). */
	if (!has_nx) {
		report_skip("no execute-disable: CPUID.80000001H:EDX[20] clear");
		return report_summary();
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	setup_tables();

	if (!has_smep)
		report_skip("no SMEP: CPUID.07H.0:EBX[7] clear");
	if (!has_smap)
		report_skip("no SMAP: CPUID.07H.0:EBX[20] clear");

	for (l = 1; l <= 3; l++) {
		if (!leaf_supported(l)) {
			if (TOP_LEVEL == 4)
				test_pdpte_ps_reserved();
			continue;
		}
		use_leaf(l);
		for (i = 0; i < ARRAY_SIZE(base); i++)
			sweep(&base[i], 0, rights_levels());
#ifndef __x86_64__
		if (l == 1)
			check_pae_pdptes();
#endif
		if (has_smep)
			sweep(&smep, 0, rights_levels());
		for (i = 0; has_smap && i < ARRAY_SIZE(smap); i++)
			sweep(&smap[i], 0, rights_levels());
		test_not_present();
		test_reserved_bits();
		test_accessed_dirty();
	}

	use_leaf(1);
	test_pku();

	return report_summary();
}
