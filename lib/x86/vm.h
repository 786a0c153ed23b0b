/*
 * 4-level page tables (SDM vol 3, 4.5). At boot the low 4 GiB are
 * identity mapped with 2 MiB pages (cstart64.S) and RAM above 4 GiB is
 * added by setup; these helpers change the live tables (CR3), splitting a
 * 2 MiB page into 4 KiB pages when one of its 4 KiB parts changes.
 *
 * Page-table pages come from the heap. Changes are made on the calling
 * CPU and its TLB only: other CPUs are not shot down.
 */
#ifndef X86_VM_H
#define X86_VM_H

#include "libcflat.h"

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1ul << PAGE_SHIFT)
#define LARGE_PAGE_SHIFT	21
#define LARGE_PAGE_SIZE		(1ul << LARGE_PAGE_SHIFT)

/* Paging-structure entry bits, SDM vol 3, 4.5 (tables 4-15 to 4-20) */
#define PT_PRESENT		(1ull << 0)
#define PT_WRITABLE		(1ull << 1)
#define PT_USER			(1ull << 2)
#define PT_PWT			(1ull << 3)
#define PT_PCD			(1ull << 4)
#define PT_ACCESSED		(1ull << 5)
#define PT_DIRTY		(1ull << 6)
#define PT_PAGE_SIZE		(1ull << 7)	/* in a PDE/PDPTE: maps a page */
#define PT_GLOBAL		(1ull << 8)
#define PT_NX			(1ull << 63)	/* needs EFER.NXE */
#define PT_ADDR_MASK		0x000ffffffffff000ull	/* bits 51:12 */

/* Start of the virtual range vmap() hands out: above any RAM we map. */
#ifdef __x86_64__
#define VMAP_BASE		(1ull << 45)
#else
/* i386: 32-bit addresses. Below where firmware places PCI BARs (from
 * 0xc0000000 at the lowest), above RAM unless -m exceeds 2.5 GiB. */
#define VMAP_BASE		0xa0000000ull
#endif

/* Leaf entry mapping @virt: a PTE, or a PDE/PDPTE with PT_PAGE_SIZE. NULL
 * when a level on the way is not present. *@level gets 1 (4K), 2 (2M)
 * or 3 (1G) when @level is not NULL. */
u64 *get_pte_level(const void *virt, int *level);
static inline u64 *get_pte(const void *virt)
{
	return get_pte_level(virt, NULL);
}

/* Map the 4 KiB page at @virt to @phys with @flags (PT_PRESENT is
 * implied). Returns the PTE. */
u64 *install_page(void *virt, u64 phys, u64 flags);
/* Same for a 2 MiB page; @virt and @phys must be 2 MiB aligned. */
u64 *install_large_page(void *virt, u64 phys, u64 flags);
/* Make the 4 KiB page at @virt not present. */
void unmap_page(void *virt);

/* Map [phys, phys + size) writable at fresh virtual addresses; returns
 * the address of @phys there. */
void *vmap(u64 phys, size_t size);
/* Same, uncached (PCD and PWT: UC with the power-on PAT, SDM vol 3,
 * 13.12.3), for device registers (MMIO). */
void *ioremap(u64 phys, size_t size);

/* Physical address @virt translates to, or ~0 when it is not mapped. */
u64 virt_to_phys(const void *virt);

/* Zeroed, page-aligned page from the heap. */
void *alloc_page(void);

void flush_tlb(void);

/* Identity-map [start, end) with 2 MiB pages (setup: RAM above 4 GiB). */
void identity_map_range(u64 start, u64 end);

#endif
