// SPDX-License-Identifier: GPL-2.0-only
/* PCIe ECAM host bridge from the device tree; bus 0 only. */
#include "libcflat.h"
#include "libfdt.h"
#include "devicetree.h"
#include "arm/io.h"
#include "arm/pci.h"

/* phys.hi space code, IEEE 1275 PCI binding 2.2.1.1 */
#define SPACE_IO	1
#define SPACE_MEM32	2

struct window {
	u64 pci, cpu, size, next;
};

static u8 *ecam;
static struct window io, mem;

int pci_init(void)
{
	int node = dt_find_compatible("pci-host-ecam-generic");
	const u8 *p;
	int len, pac = 2, psc = 2;
	struct dt_reg reg;

	if (ecam)
		return 0;
	if (node < 0 || dt_get_reg(node, 0, &reg))
		return -1;
	ecam = ioremap(reg.addr, MIN(reg.size, (u64)1 << 20));	/* bus 0 */
	p = dt_get_prop(node, "ranges", &len);
	if (!p)
		return 0;
	/* child address: 3 cells; parent address: the parent's cells */
	pac = fdt_address_cells(dt_fdt(), fdt_parent_offset(dt_fdt(), node));
	psc = fdt_size_cells(dt_fdt(), node);
	if (pac < 1 || pac > 2 || psc < 1 || psc > 2)
		return 0;
	for (int off = 0; off + (3 + pac + psc) * 4 <= len;
	     off += (3 + pac + psc) * 4) {
		u32 hi = dt_u32(p + off);
		struct window w = {
			.pci = dt_cells(p + off + 4, 2),
			.cpu = dt_cells(p + off + 12, pac),
			.size = dt_cells(p + off + 12 + pac * 4, psc),
		};

		w.next = w.pci;
		switch ((hi >> 24) & 3) {
		case SPACE_IO:
			io = w;
			break;
		case SPACE_MEM32:
			mem = w;
			break;
		}
	}
	return 0;
}

static u8 *cfg_addr(unsigned bus, unsigned devfn, unsigned off)
{
	/* ECAM: bus << 20 | device << 15 | function << 12 | offset */
	return ecam + ((bus << 20) | (devfn << 12) | off);
}

u32 pci_config_read(unsigned bus, unsigned devfn, unsigned off, int size)
{
	u8 *a = cfg_addr(bus, devfn, off);

	return size == 1 ? readb(a) : size == 2 ? readw(a) : readl(a);
}

void pci_config_write(unsigned bus, unsigned devfn, unsigned off, int size,
		      u32 val)
{
	u8 *a = cfg_addr(bus, devfn, off);

	if (size == 1)
		writeb(val, a);
	else if (size == 2)
		writew(val, a);
	else
		writel(val, a);
}

int pci_find_device(u16 vendor, u16 device)
{
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		u32 id = pci_config_read(0, devfn, PCI_VENDOR_ID, 4);

		if ((id & 0xffff) == vendor && id >> 16 == device)
			return devfn;
	}
	return -1;
}

u32 pci_bar_size(unsigned devfn, int bar)
{
	unsigned off = PCI_BAR0 + 4 * bar;
	u32 orig = pci_config_read(0, devfn, off, 4), v;

	pci_config_write(0, devfn, off, 4, ~0u);
	v = pci_config_read(0, devfn, off, 4);
	pci_config_write(0, devfn, off, 4, orig);
	if (!v)
		return 0;
	v &= orig & PCI_BAR_IO ? ~0x3u : ~0xfu;
	return ~v + 1;
}

void *pci_bar_assign(unsigned devfn, int bar)
{
	unsigned off = PCI_BAR0 + 4 * bar;
	bool is_io = pci_config_read(0, devfn, off, 4) & PCI_BAR_IO;
	struct window *w = is_io ? &io : &mem;
	u32 size = pci_bar_size(devfn, bar);
	u64 addr;

	if (!size || !w->size)
		return NULL;
	addr = ALIGN_UP(w->next, (u64)size);
	if (addr + size > w->pci + w->size)
		return NULL;
	w->next = addr + size;
	pci_config_write(0, devfn, off, 4, (u32)addr);
	return ioremap(w->cpu + (addr - w->pci), size);
}
