/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What setup found in the device tree before main(): the RAM the image
 * runs in, the console, PSCI and the CPUs.
 */
#ifndef ARM_SETUP_H
#define ARM_SETUP_H

#include "libcflat.h"

#define MAX_MEM_REGIONS	16

struct mem_region {
	u64 start, end;
};

extern struct mem_region mem_regions[MAX_MEM_REGIONS];
extern int nr_mem_regions;
/* Total RAM the device tree lists, in bytes. */
u64 ram_total(void);

int pl011_init(void);

/* Called on each secondary as it comes up, MMU on (lib/arm/gic.c sets it). */
extern void (*secondary_init_hook)(void);

/* entry.S -> here */
void setup_primary(const void *fdt) __attribute__((noreturn));
void setup_secondary(void *cpu) __attribute__((noreturn));
void smp_early_init(void);
void smp_init(void);

#endif
