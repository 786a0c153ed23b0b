// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stage 1 translation as the tests' page tables set it up (Arm ARM, the
 * VMSAv8-64 translation; DDI 0406C, Long-descriptor format for LPAE):
 * permission faults for a write to a read-only page and for execution from
 * an execute-never page, the access flag fault for a descriptor with AF
 * clear (no hardware AF update: TCR.HA is 0), and a 2 MiB block split into
 * pages by install_page() with its neighbours intact. Fault status codes:
 * ESR_EL1 DFSC/IFSC, and the Long-descriptor DFSR/IFSR status encodings.
 *
 * usage: mmu permissions|access-flag|block-split
 */
#include "libcflat.h"
#include "arm/exceptions.h"
#include "arm/mmu.h"

#ifdef __aarch64__
#define SECT_VMSA	"Arm ARM, VMSAv8-64 translation"
#define SECT_FSC	"Arm ARM, ESR_EL1"
#else
#define SECT_VMSA	"DDI 0406C, Long-descriptor format"
#define SECT_FSC	"DDI 0406C, DFSR/IFSR"
#endif

#ifdef __aarch64__
#define INSN_RET	0xd65f03c0u	/* RET */
#else
#define INSN_RET	0xe12fff1eu	/* BX lr */
#endif

static void do_load(void *p)
{
	(void)*(volatile u32 *)p;
}

static void do_store(void *p)
{
	*(volatile u32 *)p = 0x5a5a;
}

static void do_call(void *p)
{
	((void (*)(void))p)();
}

static void expect_fault(struct exc_info *info, enum exc_kind kind,
			 unsigned fsc, const char *what)
{
	report(info->kind == kind && info->fsc == fsc,
	       "%s: %s, FSC %#x (want %s, FSC %#x: %s; %s, %s)", what,
	       exc_kind_name(info->kind), info->fsc, exc_kind_name(kind), fsc,
	       exc_fsc_name(fsc), SECT_VMSA, SECT_FSC);
}

static void test_permissions(void)
{
	u32 *page = memalign(PAGE_SIZE, PAGE_SIZE);
	u64 phys = virt_to_phys(page);
	u32 *ro = vmap_prot(phys, PAGE_SIZE, MEM_NORMAL, PROT_RO);
	u32 *nx = vmap_prot(phys, PAGE_SIZE, MEM_NORMAL, 0);
	struct exc_info info;

	page[0] = INSN_RET;
	sync_icache_range((uintptr_t)page, (uintptr_t)(page + 1));
	run_catching(do_load, ro, &info);
	report(info.kind == EXC_NONE, "load from a read-only page (got %s, "
	       "want none; %s)", exc_kind_name(info.kind), SECT_VMSA);
	run_catching(do_store, ro, &info);
	expect_fault(&info, EXC_DABT, FSC_PERMISSION(3),
		     "store to a read-only page");
	report(info.write && info.far == (uintptr_t)ro && page[0] == INSN_RET,
	       "store: WnR %d, FAR %#lx (want 1, %p), memory unchanged (%s)",
	       info.write, (unsigned long)info.far, ro, SECT_FSC);
	run_catching(do_call, nx, &info);
	expect_fault(&info, EXC_PABT, FSC_PERMISSION(3),
		     "branch to an execute-never page");
	report(info.pc == (uintptr_t)nx, "branch: faulting PC %#lx (want %p; "
	       "%s)", (unsigned long)info.pc, nx, SECT_FSC);
	free(page);
}

static void test_access_flag(void)
{
	u32 *page = memalign(PAGE_SIZE, PAGE_SIZE);
	u32 *alias = vmap(virt_to_phys(page), PAGE_SIZE);
	struct exc_info info;
	int level;
	u64 *pte = mmu_get_pte((uintptr_t)alias, &level);

	assert(pte && level == 3);
	page[0] = 0x1234;
	mmu_set_pte(pte, *pte & ~PTE_AF, (uintptr_t)alias);
	run_catching(do_load, alias, &info);
	expect_fault(&info, EXC_DABT, FSC_ACCESS_FLAG(3),
		     "load through a descriptor with AF clear");
	mmu_set_pte(pte, *pte | PTE_AF, (uintptr_t)alias);
	run_catching(do_load, alias, &info);
	report(info.kind == EXC_NONE && alias[0] == 0x1234, "with AF set the "
	       "load works (got %s, %#x; want none, 0x1234; %s)",
	       exc_kind_name(info.kind), alias[0], SECT_VMSA);
	free(page);
}

static void test_block_split(void)
{
	/* two pages of the identity map, inside one 2 MiB block */
	u8 *buf = memalign(2 * MiB, 2 * MiB);
	u8 *other = memalign(PAGE_SIZE, PAGE_SIZE);
	int before, after, neighbour;
	u64 phys = virt_to_phys(buf);

	memset(buf, 0x11, 2 * PAGE_SIZE);
	memset(other, 0x22, PAGE_SIZE);
	assert(mmu_get_pte((uintptr_t)buf, &before));
	report(before == 2, "a 2 MiB-aligned heap block is a level 2 block "
	       "(got level %d, want 2; %s)", before, SECT_VMSA);
	install_page(buf, virt_to_phys(other), MEM_NORMAL, PROT_USER);
	assert(mmu_get_pte((uintptr_t)buf, &after));
	assert(mmu_get_pte((uintptr_t)buf + PAGE_SIZE, &neighbour));
	report(after == 3 && neighbour == 3, "install_page maps at level 3 "
	       "(got %d, neighbour %d; want 3, 3; %s)", after, neighbour,
	       SECT_VMSA);
	report(buf[0] == 0x22, "the page now reads the other frame (got %#x, "
	       "want 0x22; %s)", buf[0], SECT_VMSA);
	report(buf[PAGE_SIZE] == 0x11 &&
	       virt_to_phys(buf + PAGE_SIZE) == phys + PAGE_SIZE,
	       "its neighbour keeps its frame (got %#x at %#llx, want 0x11 at "
	       "%#llx; %s)", buf[PAGE_SIZE],
	       (unsigned long long)virt_to_phys(buf + PAGE_SIZE),
	       (unsigned long long)phys + PAGE_SIZE, SECT_VMSA);
	install_page(buf, phys, MEM_NORMAL, PROT_USER);
	report(buf[0] == 0x11, "mapped back, it reads its own frame (got %#x, "
	       "want 0x11; %s)", buf[0], SECT_VMSA);
}

int main(int argc, char **argv)
{
	report_prefix_push("mmu");
	if (argc < 2) {
		report_fail("usage: mmu permissions|access-flag|block-split");
		return report_summary();
	}
	report_prefix_push(argv[1]);
	if (!strcmp(argv[1], "permissions"))
		test_permissions();
	else if (!strcmp(argv[1], "access-flag"))
		test_access_flag();
	else if (!strcmp(argv[1], "block-split"))
		test_block_split();
	else
		report_fail("unknown sub-test '%s'", argv[1]);
	return report_summary();
}
