// SPDX-License-Identifier: GPL-2.0-only
/* MMU mode facts and selection, radix trees, TLB invalidation (mmu.h). */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/hcall.h"
#include "powerpc/mmu.h"
#include "powerpc/processor.h"

/* Process table entry doubleword 0 and radix directory entries (Book III,
 * "Radix Tree Translation": Process Table Entry, Page Directory Entry,
 * Page Table Entry). */
#define RPDE_VALID		PPC_BIT(0)
#define RPDE_LEAF		PPC_BIT(1)
#define RPDE_NLB_MASK		0x0fffffffffffff00UL	/* bits 4:55 */
#define RPTE_RPN_MASK		0x01fffffffffff000UL	/* bits 7:51 */
/* Radix tree size, 2^(RTS + 31) bytes: RTS bits 0:1 at PRTE bits 1:2,
 * bits 2:4 at PRTE bits 56:58. */
#define RADIX_EA_BITS		52
#define PRTE_RTS(bits)		((((u64)(bits) - 31) >> 3) << 61 | \
				 (((u64)(bits) - 31) & 7) << 5)
#define RADIX_ROOT_BITS		13
#define RADIX_LEVEL_BITS	9
#define RADIX_LEVELS		4
#define RADIX_PAGE_SHIFT	12
/* A process table of 2^(12 + PRTS) bytes, 16 bytes an entry */
#define PRTS_4K			0

/* tlbie/tlbiel RB (Book III, "tlbie"): IS in bits 52:53, AP in 56:58
 * (4 KiB: 0). RS: the PID in bits 0:31. */
#define TLBI_IS_VA		(0UL << 10)
#define TLBI_IS_PID		(1UL << 10)
#define TLBI_AP_4K		(0UL << 5)
#define TLBI_EPN_MASK		(~0xfffUL)
#define TLBI_RS_PID(pid)	((u64)(pid) << 32)
/* The EA of a process-scoped invalidation is given in quadrant 0 */
#define EA_QUADRANT_MASK	(3UL << 62)

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define to_be64(x)	__builtin_bswap64(x)
#else
#define to_be64(x)	(x)
#endif
#define from_be64(x)	to_be64(x)

int mmu_platform_ov5(int index)
{
	int chosen = fdt_path_offset(dt_fdt(), "/chosen"), len, i;
	const u8 *p;

	if (chosen < 0)
		return -1;
	/* <byte index, value> pairs, one byte each (PAPR, /chosen) */
	p = dt_get_prop(chosen, "ibm,arch-vec-5-platform-support", &len);
	for (i = 0; p && i + 1 < len; i += 2)
		if (p[i] == index)
			return p[i + 1];
	return -1;
}

bool mmu_hash_offered(void)
{
	int v = mmu_platform_ov5(OV5_MMU_INDEX);

	return v < 0 || (v & OV5_MMU_MASK) != OV5_MMU_RADIX;
}

bool mmu_radix_offered(const char **why)
{
	int v = mmu_platform_ov5(OV5_MMU_INDEX);
	int cpus = fdt_path_offset(dt_fdt(), "/cpus"), node;

	if (v < 0) {
		*why = "no /chosen/ibm,arch-vec-5-platform-support: a "
		       "platform without the v3.0 MMU options";
		return false;
	}
	if ((v & OV5_MMU_MASK) == OV5_MMU_HASH) {
		*why = "ibm,arch-vec-5-platform-support byte 24 offers hash "
		       "only (pre-POWER9 CPU or compat mode)";
		return false;
	}
	fdt_for_each_subnode(node, dt_fdt(), cpus) {
		if (dt_get_prop(node, "ibm,processor-radix-AP-encodings",
				NULL))
			return true;
	}
	*why = "no CPU lists ibm,processor-radix-AP-encodings";
	return false;
}

bool mmu_radix_gtse_offered(void)
{
	int v = mmu_platform_ov5(OV5_RADIX_INDEX);

	return v >= 0 && (v & OV5_RADIX_GTSE);
}

long mmu_register_hash(void)
{
	return hcall_status(H_REGISTER_PROC_TBL,
			    (unsigned long)(PROC_TBL_MODIFY | PROC_TBL_REGISTER),
			    0UL, 0UL, 0UL);
}

void radix_init(struct radix_mmu *m)
{
	size_t bytes = 1UL << (12 + PRTS_4K);

	memset(m, 0, sizeof(*m));
	m->prtb = memalign(bytes, bytes);
	assert(m->prtb);
	memset(m->prtb, 0, bytes);
}

long radix_register(struct radix_mmu *m, bool gtse)
{
	unsigned long flags = PROC_TBL_MODIFY | PROC_TBL_REGISTER |
			      PROC_TBL_RADIX | (gtse ? PROC_TBL_GTSE : 0);

	return hcall_status(H_REGISTER_PROC_TBL, flags,
			    (unsigned long)m->prtb, 0UL,
			    (unsigned long)PRTS_4K);
}

static u64 *table_alloc(int bits)
{
	size_t bytes = sizeof(u64) << bits;	/* aligned to its size */
	u64 *t = memalign(bytes, bytes);

	assert(t);
	memset(t, 0, bytes);
	return t;
}

/* The index of @ea at @level (0 = root): 13 bits, then 9, 9, 9. */
static unsigned int radix_index(u64 ea, int level)
{
	int shift = RADIX_PAGE_SHIFT + (RADIX_LEVELS - 1 - level) *
		    RADIX_LEVEL_BITS;
	int bits = level ? RADIX_LEVEL_BITS : RADIX_ROOT_BITS;

	return ((ea & ~EA_QUADRANT_MASK) >> shift) & ((1UL << bits) - 1);
}

/* The leaf slot of @ea, allocating directories on the way. */
static u64 *radix_slot(struct radix_mmu *m, int pid, u64 ea)
{
	u64 *table, e;
	int level;

	assert(pid >= 0 && pid < RADIX_NR_PIDS);
	if (!m->root[pid]) {
		m->root[pid] = table_alloc(RADIX_ROOT_BITS);
		m->prtb[2 * pid] = to_be64(PRTE_RTS(RADIX_EA_BITS) |
					   (u64)(uintptr_t)m->root[pid] |
					   RADIX_ROOT_BITS);
		m->prtb[2 * pid + 1] = 0;
	}
	table = m->root[pid];
	for (level = 0; level < RADIX_LEVELS - 1; level++) {
		u64 *slot = &table[radix_index(ea, level)];

		e = from_be64(*slot);
		if (!(e & RPDE_VALID)) {
			u64 *next = table_alloc(RADIX_LEVEL_BITS);

			e = RPDE_VALID | (u64)(uintptr_t)next |
			    RADIX_LEVEL_BITS;
			*slot = to_be64(e);
		}
		assert(!(e & RPDE_LEAF));
		table = (u64 *)(uintptr_t)(e & RPDE_NLB_MASK);
	}
	return &table[radix_index(ea, RADIX_LEVELS - 1)];
}

void radix_map(struct radix_mmu *m, int pid, u64 ea, u64 pa, u64 attrs)
{
	u64 *slot = radix_slot(m, pid, ea);

	__atomic_store_n(slot, to_be64(RPDE_VALID | RPDE_LEAF |
				       (pa & RPTE_RPN_MASK) | attrs),
			 __ATOMIC_RELAXED);
	/* the store before any table walk that follows (Book III,
	 * "Page Table Update Synchronization Requirements") */
	__asm__ __volatile__("ptesync" ::: "memory");
}

void radix_unmap(struct radix_mmu *m, int pid, u64 ea)
{
	u64 *slot = radix_slot(m, pid, ea);

	__atomic_store_n(slot, 0, __ATOMIC_RELAXED);
	__asm__ __volatile__("ptesync" ::: "memory");
}

/* The ISA v3.0 five-operand forms: the library is built for POWER8. */
#define TLBI_ASM(insn)	".machine push\n.machine power9\n" insn \
			"\n.machine pop\n"

void tlbiel_va(int pid, u64 ea)
{
	u64 rb = (ea & ~EA_QUADRANT_MASK & TLBI_EPN_MASK) | TLBI_IS_VA |
		 TLBI_AP_4K;

	__asm__ __volatile__(TLBI_ASM("ptesync; tlbiel %0, %1, 0, 1, 1; "
				      "ptesync")
			     :: "r"(rb), "r"(TLBI_RS_PID(pid)) : "memory");
}

void tlbie_va(int pid, u64 ea)
{
	u64 rb = (ea & ~EA_QUADRANT_MASK & TLBI_EPN_MASK) | TLBI_IS_VA |
		 TLBI_AP_4K;

	__asm__ __volatile__(TLBI_ASM("ptesync; tlbie %0, %1, 0, 1, 1; "
				      "eieio; tlbsync; ptesync")
			     :: "r"(rb), "r"(TLBI_RS_PID(pid)) : "memory");
}

void tlbie_pid(int pid)
{
	__asm__ __volatile__(TLBI_ASM("ptesync; tlbie %0, %1, 2, 1, 1; "
				      "eieio; tlbsync; ptesync")
			     :: "r"(TLBI_IS_PID), "r"(TLBI_RS_PID(pid))
			     : "memory");
}

void tlbiel_hash_va(u64 va)
{
	/* R=0: RB bits 0:51 = VA bits 14:65 (the 4 KiB page number), B =
	 * 0 (256 MiB segment), L = 0; RS, RIC, PRS zero, which also makes
	 * it the ISA v2.07 tlbiel RB,0 encoding. */
	u64 rb = va & TLBI_EPN_MASK;

	__asm__ __volatile__(TLBI_ASM("ptesync; tlbiel %0, 0, 0, 0, 0; "
				      "ptesync")
			     :: "r"(rb) : "memory");
}
