/* SPDX-License-Identifier: GPL-2.0-only */
/* Device tree queries on top of libfdt; see devicetree.h. */
#include "devicetree.h"
#include <libfdt.h>

static const void *fdt;

int dt_init(const void *blob)
{
	int err = fdt_check_header(blob);

	if (err < 0)
		return err;
	fdt = blob;
	return 0;
}

const void *dt_fdt(void)
{
	return fdt;
}

u32 dt_u32(const void *cell)
{
	const u8 *b = cell;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

u64 dt_cells(const void *cell, int n)
{
	u64 v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | dt_u32((const u8 *)cell + 4 * i);
	return v;
}

const void *dt_get_prop(int node, const char *name, int *len)
{
	return fdt_getprop(fdt, node, name, len);
}

int dt_get_reg(int node, int idx, struct dt_reg *reg)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac, sc, len, pair;
	const u8 *p;

	if (parent < 0)
		return parent;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 0)
		return ac;
	if (sc < 0)
		return sc;
	/* a u64 holds two cells; more is a bus this library does not walk */
	if (ac > 2 || sc > 2)
		return -FDT_ERR_BADNCELLS;
	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p)
		return len;
	pair = 4 * (ac + sc);
	if (idx < 0 || pair == 0 || (idx + 1) * pair > len)
		return -FDT_ERR_NOTFOUND;
	p += idx * pair;
	reg->addr = dt_cells(p, ac);
	reg->size = dt_cells(p + 4 * ac, sc);
	return 0;
}

static bool device_type_is(int node, const char *type)
{
	int len;
	const char *t = fdt_getprop(fdt, node, "device_type", &len);

	return t && len > 0 && !strcmp(t, type);
}

int dt_get_memory(struct dt_reg *regs, int max)
{
	int node, n = 0;

	fdt_for_each_subnode(node, fdt, 0) {
		struct dt_reg r;

		if (!device_type_is(node, "memory"))
			continue;
		for (int i = 0; dt_get_reg(node, i, &r) == 0; i++, n++)
			if (n < max)
				regs[n] = r;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return node;
	return n;
}

int dt_for_each_cpu(void (*fn)(int node, u64 id, void *data), void *data)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	int node, ac, n = 0;

	if (cpus < 0)
		return cpus;
	ac = fdt_address_cells(fdt, cpus);
	if (ac < 0)
		return ac;
	if (ac > 2)
		return -FDT_ERR_BADNCELLS;
	fdt_for_each_subnode(node, fdt, cpus) {
		const void *reg;
		int len;

		if (!device_type_is(node, "cpu"))
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < 4 * ac)
			return -FDT_ERR_BADVALUE;
		if (fn)
			fn(node, dt_cells(reg, ac), data);
		n++;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return node;
	return n;
}

const char *dt_get_bootargs(void)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *args;
	int len;

	if (chosen < 0)
		return NULL;
	args = fdt_getprop(fdt, chosen, "bootargs", &len);
	return args && len > 1 ? args : NULL;
}

int dt_get_stdout(void)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path;
	int len, plen;

	if (chosen < 0)
		return chosen;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path)
		path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	if (!path)
		return len;
	/* "serial0:115200n8": the options after ':' are not part of the
	 * path (Devicetree spec 3.6, /chosen) */
	plen = (int)strnlen(path, (size_t)len);
	for (int i = 0; i < plen; i++)
		if (path[i] == ':') {
			plen = i;
			break;
		}
	return fdt_path_offset_namelen(fdt, path, plen);
}

int dt_next_compatible(int prev, const char *compat)
{
	return fdt_node_offset_by_compatible(fdt, prev, compat);
}

int dt_find_compatible(const char *compat)
{
	return dt_next_compatible(-1, compat);
}
