// SPDX-License-Identifier: GPL-2.0-only
/* Page tables shared by arm (LPAE) and aarch64 (VMSAv8-64, 4 KiB granule). */
#include "libcflat.h"
#include "arm/io.h"
#include "arm/mmu.h"
#include "arm/sysreg.h"

#define PTRS_PER_TABLE	512
#define LEVEL_SHIFT(l)	(PAGE_SHIFT + 9 * (3 - (l)))

static u64 *root;
static uintptr_t pool_next, pool_end;
static bool enabled;
static uintptr_t vmap_next;
static struct spinlock mmu_lock;

/* Page-table updates before the MMU is on run on one CPU, without locks. */
static void spin_lock_if(struct spinlock *lock, bool cond)
{
	if (cond)
		spin_lock(lock);
}

static void spin_unlock_if(struct spinlock *lock, bool cond)
{
	if (cond)
		spin_unlock(lock);
}

bool mmu_enabled(void)
{
	return enabled;
}

/* Before the MMU is on the heap's lock cannot be taken (exclusives need
 * cacheable memory), so the first tables come from a pool setup carves. */
static u64 *alloc_table(void)
{
	u64 *t;

	if (enabled) {
		t = memalign(PAGE_SIZE, PAGE_SIZE);
		assert_msg(t, "no memory for a page table");
	} else {
		assert_msg(pool_next + PAGE_SIZE <= pool_end,
			   "page-table pool exhausted");
		t = (u64 *)pool_next;
		pool_next += PAGE_SIZE;
	}
	memset(t, 0, PAGE_SIZE);
	return t;
}

static unsigned pt_index(u64 va, int level)
{
	return (va >> LEVEL_SHIFT(level)) & (PTRS_PER_TABLE - 1);
}

static void pte_write(u64 *ptep, u64 val)
{
	raw_writeq(val, ptep);
}

void mmu_set_pte(u64 *ptep, u64 val, uintptr_t va)
{
	if (*ptep & PTE_VALID) {
		pte_write(ptep, 0);
		dsb(ishst);
		tlb_flush_page(va);
	}
	pte_write(ptep, val);
	dsb(ishst);
	isb();
}

static u64 leaf_attrs(enum mem_type type, unsigned prot, int level)
{
	u64 pte = PTE_VALID | PTE_AF | PTE_ATTRIDX(type);

	if (level == 3)
		pte |= PTE_TABLE;
	if (type != MEM_DEVICE && type != MEM_DEVICE_NGNRE)
		pte |= PTE_SH_INNER;
	if (prot & PROT_USER)
		pte |= PTE_USER;
	if (prot & PROT_RO)
		pte |= PTE_RDONLY;
	if (!(prot & PROT_EXEC))
		pte |= PTE_UXN | PTE_PXN;
#ifdef __aarch64__
	/* EL0 execution hangs on UXN alone, not on AP[1] (Arm ARM, VMSAv8-64 permissions) */
	else if (!(prot & PROT_USER))
		pte |= PTE_UXN;
#endif
	return pte;
}

/* The descriptor for @va at @level, making tables (and splitting blocks)
 * on the way down. */
static u64 *walk_alloc(u64 va, int level)
{
	u64 *table = root;

	for (int l = mmu_start_level; l < level; l++) {
		u64 *e = &table[pt_index(va, l)];

		if (!(*e & PTE_VALID)) {
			u64 *t = alloc_table();

			pte_write(e, (uintptr_t)t | PTE_VALID | PTE_TABLE);
		} else if (!(*e & PTE_TABLE)) {
			/* a block: the same mapping, one level finer */
			u64 *t = alloc_table();
			u64 attrs = *e & ~PTE_ADDR_MASK;
			u64 pa = *e & PTE_ADDR_MASK;
			u64 step = 1ull << LEVEL_SHIFT(l + 1);

			if (l + 1 == 3)
				attrs |= PTE_TABLE;
			for (int i = 0; i < PTRS_PER_TABLE; i++)
				t[i] = (pa + i * step) | attrs;
			dsb(ishst);
			mmu_set_pte(e, (uintptr_t)t | PTE_VALID | PTE_TABLE,
				    va & ~((1ull << LEVEL_SHIFT(l)) - 1));
			if (enabled)
				tlb_flush_all();
		}
		table = (u64 *)(uintptr_t)(*e & PTE_ADDR_MASK);
	}
	return &table[pt_index(va, level)];
}

void mmu_map(u64 va, u64 pa, u64 size, enum mem_type type, unsigned prot)
{
	spin_lock_if(&mmu_lock, enabled);
	while (size) {
		int level = 3;

		/* the largest block that fits; no level 0 blocks with 4 KiB
		 * granules (Arm ARM, VMSAv8-64), level 1 blocks are 1 GiB */
		for (int l = 1; l < 3; l++) {
			u64 bs = 1ull << LEVEL_SHIFT(l);

			if (l >= mmu_start_level && !(va & (bs - 1)) &&
			    !(pa & (bs - 1)) && size >= bs) {
				level = l;
				break;
			}
		}
		u64 bs = 1ull << LEVEL_SHIFT(level);
		u64 *e = walk_alloc(va, level);

		mmu_set_pte(e, pa | leaf_attrs(type, prot, level), va);
		va += bs;
		pa += bs;
		size -= bs;
	}
	spin_unlock_if(&mmu_lock, enabled);
}

void install_page(void *va, u64 pa, enum mem_type type, unsigned prot)
{
	u64 *e;

	spin_lock_if(&mmu_lock, enabled);
	e = walk_alloc((uintptr_t)va, 3);
	mmu_set_pte(e, pa | leaf_attrs(type, prot, 3), (uintptr_t)va);
	spin_unlock_if(&mmu_lock, enabled);
}

u64 *mmu_get_pte(uintptr_t va, int *level)
{
	u64 *table = root;

	for (int l = mmu_start_level; l <= 3; l++) {
		u64 *e = &table[pt_index(va, l)];

		if (!(*e & PTE_VALID))
			return NULL;
		if (l == 3 || !(*e & PTE_TABLE)) {
			if (level)
				*level = l;
			return e;
		}
		table = (u64 *)(uintptr_t)(*e & PTE_ADDR_MASK);
	}
	return NULL;
}

u64 virt_to_phys(const void *va)
{
	int level;
	u64 *e = mmu_get_pte((uintptr_t)va, &level);
	u64 mask;

	if (!e)
		return (uintptr_t)va;
	mask = (1ull << LEVEL_SHIFT(level)) - 1;
	return (*e & PTE_ADDR_MASK & ~mask) | ((uintptr_t)va & mask);
}

void *vmap_prot(u64 phys, size_t size, enum mem_type type, unsigned prot)
{
	u64 base = ALIGN_DOWN(phys, PAGE_SIZE);
	size_t len = ALIGN_UP(phys + size, PAGE_SIZE) - base;
	uintptr_t va;

	spin_lock(&mmu_lock);
	va = vmap_next;
	vmap_next += len + PAGE_SIZE;	/* a guard page between areas */
	spin_unlock(&mmu_lock);
	for (size_t off = 0; off < len; off += PAGE_SIZE)
		install_page((void *)(va + off), base + off, type, prot);
	return (void *)(va + (uintptr_t)(phys - base));
}

void *vmap(u64 phys, size_t size)
{
	return vmap_prot(phys, size, MEM_NORMAL, 0);
}

void *ioremap(u64 phys, size_t size)
{
	u64 base = ALIGN_DOWN(phys, PAGE_SIZE);
	u64 end = ALIGN_UP(phys + size, PAGE_SIZE);

	if (end > UINTPTR_MAX)	/* beyond a 32-bit VA: at a fresh address */
		return vmap_prot(phys, size, MEM_DEVICE, 0);
	for (u64 p = base; p < end; p += PAGE_SIZE) {
		int level;
		u64 *e = mmu_get_pte(p, &level);

		if (e && (*e & PTE_ATTRIDX(7)) == PTE_ATTRIDX(MEM_DEVICE))
			continue;
		install_page((void *)(uintptr_t)p, p, MEM_DEVICE, 0);
	}
	return (void *)(uintptr_t)phys;
}

void mmu_init(uintptr_t start, uintptr_t end)
{
	pool_next = start;
	pool_end = end;
	vmap_next = mmu_vmap_base;
	root = alloc_table();
}

void mmu_enable_this_cpu(void)
{
	mmu_arch_enable(root);
	enabled = true;
}
