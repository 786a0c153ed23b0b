#include "libcflat.h"
#include "alloc.h"
#include "spinlock.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define PT_ENTRIES	512
#define LEVEL_SHIFT(l)	(PAGE_SHIFT + 9 * ((l) - 1))
#define PT_INDEX(va, l)	(((va) >> LEVEL_SHIFT(l)) & (PT_ENTRIES - 1))

/* Flags a 4 KiB PTE inherits from the 2 MiB page it is split from: P, RW,
 * US, PWT, PCD, A, D, G and XD. PAT moves from bit 12 to bit 7 (SDM vol 3,
 * 4.5, tables 4-18 and 4-20). */
#define LARGE_INHERIT	(0x17full | PT_NX)
#define LARGE_PAT	(1ull << 12)
#define SMALL_PAT	(1ull << 7)

/* Non-leaf entries allow everything; the leaf decides (SDM vol 3, 4.6). */
#define PT_TABLE_FLAGS	(PT_PRESENT | PT_WRITABLE | PT_USER)

/* 4-level paging on x86_64; PAE on i386 (SDM vol 3, 4.4): the same
 * entries, the walk starting one level lower at the 4-entry PDPT. */
#ifdef __x86_64__
#define PT_TOP_LEVEL	4
#else
#define PT_TOP_LEVEL	3
#endif

static struct spinlock vm_lock;
static u64 vmap_next = VMAP_BASE;

void flush_tlb(void)
{
	write_cr3(read_cr3());
}

void *alloc_page(void)
{
	void *p = memalign(PAGE_SIZE, PAGE_SIZE);

	assert(p);
	memset(p, 0, PAGE_SIZE);
	return p;
}

static u64 *table_of(u64 entry)
{
	/* Page-table pages live in identity-mapped RAM. */
	return (u64 *)(uintptr_t)(entry & PT_ADDR_MASK);
}

static void split_large(u64 *pde)
{
	u64 old = *pde;
	u64 base = old & PT_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1);
	u64 flags = old & LARGE_INHERIT;
	u64 *pt = alloc_page();
	unsigned i;

	if (old & LARGE_PAT)
		flags |= SMALL_PAT;
	for (i = 0; i < PT_ENTRIES; i++)
		pt[i] = (base + i * PAGE_SIZE) | flags;
	*pde = (u64)(uintptr_t)pt | PT_TABLE_FLAGS;
	flush_tlb();
}

/* Entry for @va at @target level (1: PTE, 2: PDE), creating tables and
 * splitting 2 MiB pages on the way. Called with vm_lock held. */
static u64 *walk_create(u64 va, int target)
{
	u64 *table = table_of(read_cr3());
	int level;

	for (level = PT_TOP_LEVEL; level > target; level--) {
		u64 *e = &table[PT_INDEX(va, level)];

		/* PAE PDPTEs have no RW/US bits (SDM vol 3, 4.4.1); all four
		 * are present from boot (cstart32.S). */
		assert(PT_TOP_LEVEL == 4 || level < 3 || (*e & PT_PRESENT));
		if (!(*e & PT_PRESENT)) {
			*e = (u64)(uintptr_t)alloc_page() | PT_TABLE_FLAGS;
		} else if (*e & PT_PAGE_SIZE) {
			/* We never create 1 GiB pages (qemu64 lacks them). */
			assert(level == 2);
			split_large(e);
		}
		table = table_of(*e);
	}
	return &table[PT_INDEX(va, target)];
}

u64 *get_pte_level(const void *virt, int *level)
{
	u64 va = (u64)(uintptr_t)virt;
	u64 *table = table_of(read_cr3());
	int l;

	for (l = PT_TOP_LEVEL; l >= 1; l--) {
		u64 *e = &table[PT_INDEX(va, l)];

		if (l > 1 && !(*e & PT_PRESENT))
			return NULL;
		if (l == 1 || (l <= 3 && (*e & PT_PAGE_SIZE))) {
			if (level)
				*level = l;
			return e;
		}
		table = table_of(*e);
	}
	return NULL;
}

u64 *install_page(void *virt, u64 phys, u64 flags)
{
	u64 *pte;

	spin_lock(&vm_lock);
	pte = walk_create((u64)(uintptr_t)virt, 1);
	*pte = (phys & PT_ADDR_MASK) | flags | PT_PRESENT;
	invlpg(virt);
	spin_unlock(&vm_lock);
	return pte;
}

u64 *install_large_page(void *virt, u64 phys, u64 flags)
{
	u64 *pde;

	assert(!((u64)(uintptr_t)virt & (LARGE_PAGE_SIZE - 1)));
	assert(!(phys & (LARGE_PAGE_SIZE - 1)));
	spin_lock(&vm_lock);
	pde = walk_create((u64)(uintptr_t)virt, 2);
	/* A 4 KiB table hanging here is simply dropped (leaked). */
	*pde = phys | flags | PT_PRESENT | PT_PAGE_SIZE;
	flush_tlb();
	spin_unlock(&vm_lock);
	return pde;
}

void unmap_page(void *virt)
{
	u64 *pte;

	spin_lock(&vm_lock);
	pte = walk_create((u64)(uintptr_t)virt, 1);
	*pte = 0;
	invlpg(virt);
	spin_unlock(&vm_lock);
}

u64 virt_to_phys(const void *virt)
{
	int level;
	u64 *e = get_pte_level(virt, &level);
	u64 mask;

	if (!e || !(*e & PT_PRESENT))
		return ~0ull;
	mask = (1ull << LEVEL_SHIFT(level)) - 1;
	return (*e & PT_ADDR_MASK & ~mask) | ((u64)(uintptr_t)virt & mask);
}

void *vmap(u64 phys, size_t size)
{
	u64 start = phys & ~(u64)(PAGE_SIZE - 1);
	u64 end = (phys + size + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
	u64 virt, p;

	spin_lock(&vm_lock);
	virt = vmap_next;
	vmap_next += end - start;
	spin_unlock(&vm_lock);

	for (p = start; p < end; p += PAGE_SIZE)
		install_page((void *)(uintptr_t)(virt + p - start), p,
			     PT_WRITABLE);
	return (void *)(uintptr_t)(virt + (phys - start));
}

void *ioremap(u64 phys, size_t size)
{
	u64 start = phys & ~(u64)(PAGE_SIZE - 1);
	u64 end = (phys + size + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
	u64 virt, p;

	spin_lock(&vm_lock);
	virt = vmap_next;
	vmap_next += end - start;
	spin_unlock(&vm_lock);

	for (p = start; p < end; p += PAGE_SIZE)
		install_page((void *)(uintptr_t)(virt + p - start), p,
			     PT_WRITABLE | PT_PCD | PT_PWT);
	return (void *)(uintptr_t)(virt + (phys - start));
}

void identity_map_range(u64 start, u64 end)
{
	u64 a;

	start &= ~(u64)(LARGE_PAGE_SIZE - 1);
	for (a = start; a < end; a += LARGE_PAGE_SIZE)
		install_large_page((void *)(uintptr_t)a, a, PT_WRITABLE);
}
