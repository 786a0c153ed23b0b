/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stage 1 translation, one page-table format on both arches: VMSAv8-64
 * with a 4 KiB granule on aarch64 (48-bit VA, levels 0-3; Arm ARM, VMSAv8-64) and
 * its AArch32 twin, the LPAE long-descriptor format (32-bit VA, levels 1-3;
 * DDI 0406C, Long-descriptor format). Setup identity-maps RAM (the image text read-only and
 * executable at EL0/PL0 too, the rest read-write and user-accessible, never
 * executable) and maps devices on demand (ioremap()).
 */
#ifndef ARM_MMU_H
#define ARM_MMU_H

#include "libcflat.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ul << PAGE_SHIFT)

/* Descriptor bits (Arm ARM, VMSAv8-64 descriptors; DDI 0406C,
 * Long-descriptor format) */
#define PTE_VALID	(1ull << 0)
#define PTE_TABLE	(1ull << 1)	/* table (levels 0-2), page (level 3) */
#define PTE_ATTRIDX(i)	((u64)(i) << 2)
#define PTE_USER	(1ull << 6)	/* AP[1]: EL0 access */
#define PTE_RDONLY	(1ull << 7)	/* AP[2] */
#define PTE_SH_INNER	(3ull << 8)
#define PTE_AF		(1ull << 10)
#define PTE_NG		(1ull << 11)
#define PTE_PXN		(1ull << 53)
#define PTE_UXN		(1ull << 54)	/* XN on arm */
#define PTE_ADDR_MASK	0x0000fffffffff000ull

/* MAIR attribute indices: mmu_arch_enable() programs MAIR to match. */
enum mem_type {
	MEM_DEVICE = 0,		/* Device-nGnRnE */
	MEM_NORMAL = 1,		/* Normal, write-back read/write-allocate */
	MEM_NORMAL_NC = 2,	/* Normal, non-cacheable */
	MEM_DEVICE_NGNRE = 3,
	MEM_TAGGED = 4,		/* Normal WB, Allocation Tags (aarch64 MTE) */
};

#define PROT_USER	(1u << 0)	/* EL0/PL0 may access */
#define PROT_RO		(1u << 1)
#define PROT_EXEC	(1u << 2)	/* executable (else XN) */

void mmu_init(uintptr_t pool_start, uintptr_t pool_end);
void mmu_map(u64 va, u64 pa, u64 size, enum mem_type type, unsigned prot);
/* Map one 4 KiB page, splitting a block mapping if needed. */
void install_page(void *va, u64 pa, enum mem_type type, unsigned prot);
/* Map @size bytes of physical memory at fresh virtual addresses, normal
 * memory, kernel read-write; returns the address of @phys. */
void *vmap(u64 phys, size_t size);
/* Same with @type and @prot. */
void *vmap_prot(u64 phys, size_t size, enum mem_type type, unsigned prot);
/* The leaf descriptor mapping @va and its level, or NULL. */
u64 *mmu_get_pte(uintptr_t va, int *level);
/* Physical address @va translates to through the page tables. */
u64 virt_to_phys(const void *va);
bool mmu_enabled(void);
void mmu_enable_this_cpu(void);
/* Rewrite one descriptor with break-before-make and TLB maintenance. */
void mmu_set_pte(u64 *ptep, u64 val, uintptr_t va);

/* Arch parts (lib/arm/{32,64}/mmu.c). */
void mmu_arch_enable(u64 *root);
void tlb_flush_all(void);
void tlb_flush_page(uintptr_t va);
void dcache_clean_inval_range(uintptr_t start, uintptr_t end);
/* Make code written at [start, end) visible to instruction fetch. */
void sync_icache_range(uintptr_t start, uintptr_t end);
extern const int mmu_start_level;
extern const uintptr_t mmu_vmap_base;

#endif
