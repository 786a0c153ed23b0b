/*
 * The parts of the Multiboot 0.6.96 boot information (section 3.3) that
 * setup reads. All addresses are 32-bit physical.
 */
#ifndef X86_MULTIBOOT_H
#define X86_MULTIBOOT_H

#include "libcflat.h"

#define MB_INFO_MEMORY	(1u << 0)
#define MB_INFO_CMDLINE	(1u << 2)
#define MB_INFO_MMAP	(1u << 6)

struct mb_info {
	u32 flags;
	u32 mem_lower;		/* KiB below 1 MiB */
	u32 mem_upper;		/* KiB from 1 MiB to the first hole */
	u32 boot_device;
	u32 cmdline;
	u32 mods_count;
	u32 mods_addr;
	u32 syms[4];
	u32 mmap_length;
	u32 mmap_addr;
} __attribute__((packed));

/* mmap entry; size does not count itself */
struct mb_mmap_entry {
	u32 size;
	u64 addr;
	u64 len;
	u32 type;
} __attribute__((packed));

#define MB_MMAP_RAM	1

#endif
