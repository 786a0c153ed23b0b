/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which MMU a pseries partition may run and how it picks one. Without
 * firmware there is no ibm,client-architecture-support call: we read what
 * the platform offers from /chosen/ibm,arch-vec-5-platform-support (the
 * values QEMU would accept in option vector 5, PAPR "Client Architecture
 * Support") and select the mode with H_REGISTER_PROC_TBL (PAPR,
 * "H_REGISTER_PROC_TBL"), which QEMU and KVM accept at any time.
 *
 * Radix: the hypervisor owns the partition-scoped tree; we own the process
 * table and the process-scoped trees (Power ISA v3.0B Book III, "Radix
 * Tree Translation"). Every table is big-endian in memory, whatever the
 * partition's byte order.
 */
#ifndef POWERPC_MMU_H
#define POWERPC_MMU_H

#include "libcflat.h"

/* Option vector 5 byte 24, bits 0:1: the MMU modes (PAPR, client
 * architecture support, option vector 5). */
#define OV5_MMU_INDEX		24
#define OV5_MMU_MASK		0xc0
#define OV5_MMU_HASH		0x00
#define OV5_MMU_RADIX		0x40	/* radix only */
#define OV5_MMU_EITHER		0x80	/* either, chosen once */
#define OV5_MMU_DYNAMIC		0xc0	/* either, switchable at run time */
/* Byte 26 bit 1: radix with guest translation shootdown (tlbie by the
 * guest, LPCR[GTSE]). */
#define OV5_RADIX_INDEX		26
#define OV5_RADIX_GTSE		0x40

/*
 * The value the platform offers for option vector 5 byte @index, or -1
 * when /chosen says nothing (no ibm,arch-vec-5-platform-support: a
 * pre-v3.0 platform, hash only).
 */
int mmu_platform_ov5(int index);

bool mmu_hash_offered(void);
/* Radix: the platform offers it and the CPU lists its radix page sizes
 * (ibm,processor-radix-AP-encodings). @why says why not. */
bool mmu_radix_offered(const char **why);
bool mmu_radix_gtse_offered(void);

/* H_REGISTER_PROC_TBL flags (PAPR, H_REGISTER_PROC_TBL) */
#define PROC_TBL_MODIFY		0x10
#define PROC_TBL_REGISTER	0x08
#define PROC_TBL_RADIX		0x04
#define PROC_TBL_SEG_TABLES	0x02
#define PROC_TBL_GTSE		0x01

/* Hash page table with the SLB (no process table). */
long mmu_register_hash(void);

/*
 * Radix process-scoped trees with 52-bit effective addresses and 4 KiB
 * pages: 13, 9, 9 and 9 index bits per level, the only shape POWER9 and
 * POWER10 take with a 4 KiB leaf (their user's manuals, "Supported Radix
 * Tree Configurations").
 */
#define RADIX_PAGE_SIZE		4096UL
#define RADIX_NR_PIDS		256	/* a 4 KiB process table */

struct radix_mmu {
	u64 *prtb;			/* the process table */
	u64 *root[RADIX_NR_PIDS];	/* each PID's root directory */
};

/* Leaf attributes: Encoded Access Authority and R/C (Book III, "Radix
 * Tree Page Table Entry"). */
#define RPTE_PRIV		0x8UL
#define RPTE_READ		0x4UL
#define RPTE_RW			0x2UL
#define RPTE_EXEC		0x1UL
#define RPTE_REF		0x100UL
#define RPTE_CHG		0x080UL

/* An empty process table. */
void radix_init(struct radix_mmu *m);
/* Register @m with H_REGISTER_PROC_TBL (radix, with @gtse). */
long radix_register(struct radix_mmu *m, bool gtse);

/*
 * Map the 4 KiB page at effective address @ea of process @pid (quadrant 0
 * for pid != 0 under PIDR = pid; quadrant 3, EA 0xc..., for the OS, pid 0)
 * to real address @pa with @attrs (RPTE_*); intermediate directories are
 * allocated. The leaf is written without any TLB invalidation: callers
 * that change a live entry invalidate it themselves.
 */
void radix_map(struct radix_mmu *m, int pid, u64 ea, u64 pa, u64 attrs);
/* Make the leaf of @ea invalid (it must have been mapped). */
void radix_unmap(struct radix_mmu *m, int pid, u64 ea);

/*
 * Invalidation (Book III, "tlbie" and "tlbiel", radix forms R=1 PRS=1).
 * The local one: ptesync; tlbiel; ptesync. The global ones, which need
 * LPCR[GTSE] in a guest: ptesync; tlbie; eieio; tlbsync; ptesync.
 * tlbiel by PID would act on one TLB congruence class per instruction,
 * and how many classes a CPU has is in no device tree property: only its
 * one-page form is here.
 */
void tlbiel_va(int pid, u64 ea);	/* RIC=0 IS=0: one 4 KiB page */
void tlbie_va(int pid, u64 ea);		/* RIC=0 IS=0 */
void tlbie_pid(int pid);		/* RIC=2 IS=1: TLB, walk cache and
					   process table entry of @pid */

/* Hash (R=0): tlbiel of the 4 KiB page of virtual address @va (VSID ||
 * the EA's offset in its 256 MiB segment), then ptesync. */
void tlbiel_hash_va(u64 va);

#endif
