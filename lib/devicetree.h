/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device tree QEMU hands the guest (arm, aarch64, ppc64le, ppc64),
 * read through libfdt: memory, CPUs, the console, bootargs and devices, so
 * that no test hard-codes an address (DESIGN.md, "Arguments").
 *
 * Node arguments and results are libfdt node offsets; errors are negative
 * FDT_ERR_* codes (fdt_strerror() names them).
 */
#ifndef KUT_DEVICETREE_H
#define KUT_DEVICETREE_H

#include "libcflat.h"

struct dt_reg {
	u64 addr;
	u64 size;
};

/* Checks @fdt's header and keeps it for the calls below: 0 or -FDT_ERR_*. */
int dt_init(const void *fdt);
/* The tree dt_init() accepted, or NULL. */
const void *dt_fdt(void);

/* The @idx'th (address, size) pair of @node's "reg", decoded with the
 * #address-cells/#size-cells of its parent (Devicetree spec 2.3.5, 2.3.6). */
int dt_get_reg(int node, int idx, struct dt_reg *reg);
/* Every region of every /memory node (device_type "memory"): fills up to
 * @max, returns how many there are (may exceed @max) or -FDT_ERR_*. */
int dt_get_memory(struct dt_reg *regs, int max);
/* Calls @fn for every child of /cpus whose device_type is "cpu", with its
 * first "reg" cell(s) (MPIDR affinity on arm, the thread id on powerpc).
 * Returns the number of CPUs or -FDT_ERR_*. */
int dt_for_each_cpu(void (*fn)(int node, u64 id, void *data), void *data);
/* /chosen/bootargs, or NULL when absent or empty. */
const char *dt_get_bootargs(void);
/* The node /chosen/stdout-path names (a path or an alias, ":options"
 * ignored), or -FDT_ERR_*. */
int dt_get_stdout(void);
/* The first node compatible with @compat, or -FDT_ERR_NOTFOUND. */
int dt_find_compatible(const char *compat);
/* The next node after @prev (-1: from the start) compatible with @compat. */
int dt_next_compatible(int prev, const char *compat);
/* Property @name of @node (length in *@len when @len), or NULL. */
const void *dt_get_prop(int node, const char *name, int *len);
/* A big-endian 32-bit cell of a property, in CPU order. */
u32 dt_u32(const void *cell);
/* @n cells (1 or 2) from @cell as one number. */
u64 dt_cells(const void *cell, int n);

#endif
