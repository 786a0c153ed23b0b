// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's pci-testdev (vendor 1b36, device 0005, QEMU docs/specs/
 * pci-testdev.rst) behind the PCIe host bridge the device tree describes:
 * its config space, BAR sizing and assignment from the bridge's windows
 * (PCI Local Bus spec 3.0, 6.2.5.1), then each of its tests through the
 * MMIO BAR and the I/O BAR: select it, read its header, write its data at
 * its offset, and see the device count the write (the plain test; the
 * eventfd variants are only logged).
 */
#include "libcflat.h"
#include "arm/io.h"
#include "arm/pci.h"

#define PCI_VENDOR_REDHAT	0x1b36
#define PCI_DEVICE_TESTDEV	0x0005

/* the per-test header at the start of each BAR */
#define HDR_TEST	0
#define HDR_WIDTH	1
#define HDR_OFFSET	4
#define HDR_DATA	8
#define HDR_COUNT	12
#define HDR_NAME	16
#define MAX_TESTS	8

static int run_tests(u8 *bar, const char *space)
{
	int ran = 0;

	for (int t = 0; t < MAX_TESTS; t++) {
		char name[40];
		u32 width, off, data, count;
		int i;

		writeb(t, bar + HDR_TEST);
		for (i = 0; i < (int)sizeof(name) - 1; i++) {
			name[i] = readb(bar + HDR_NAME + i);
			if (!name[i])
				break;
		}
		name[i] = 0;
		if (!name[0])
			break;
		width = readb(bar + HDR_WIDTH);
		off = readl(bar + HDR_OFFSET);
		data = readl(bar + HDR_DATA);
		if (width == 1)
			writeb(data, bar + off);
		else if (width == 2)
			writew(data, bar + off);
		else
			writel(data, bar + off);
		count = readl(bar + HDR_COUNT);
		/* an eventfd test counts only through an ioeventfd QEMU
		 * may or may not back it with; what that depends on is not
		 * settled here, so only the plain test is asserted */
		if (strstr(name, "eventfd") && !strstr(name, "no-eventfd"))
			report_info("%s test %d (%s): count %u (not asserted)",
				    space, t, name, count);
		else
			report(count == 1, "%s test %d (%s): width %u at %#x "
			       "counted (got %u, want 1)", space, t, name,
			       width, off, count);
		ran++;
	}
	writeb(0xff, bar + HDR_TEST);
	return ran;
}

int main(void)
{
	int devfn;
	u32 id, size0, size1, bar0, bar1;
	u8 *mmio, *pio;

	report_prefix_push("pci-test");
	if (pci_init()) {
		report_skip("no pci-host-ecam-generic node in the device tree");
		return report_summary();
	}
	id = pci_config_read(0, 0, PCI_VENDOR_ID, 4);
	report((id & 0xffff) != 0xffff, "00:00.0 (the host bridge) answers "
	       "config reads (ID %#x)", id);
	devfn = pci_find_device(PCI_VENDOR_REDHAT, PCI_DEVICE_TESTDEV);
	if (devfn < 0) {
		report_skip("no pci-testdev on bus 0 (cfg: -device pci-testdev)");
		return report_summary();
	}
	bar0 = pci_config_read(0, devfn, PCI_BAR0, 4);
	bar1 = pci_config_read(0, devfn, PCI_BAR0 + 4, 4);
	report(!(bar0 & PCI_BAR_IO) && (bar1 & PCI_BAR_IO), "BAR0 is memory, "
	       "BAR1 I/O (got %#x, %#x)", bar0, bar1);
	size0 = pci_bar_size(devfn, 0);
	size1 = pci_bar_size(devfn, 1);
	report(size0 && !(size0 & (size0 - 1)) && size1 &&
	       !(size1 & (size1 - 1)), "BAR sizes are powers of two (got %#x, "
	       "%#x)", size0, size1);
	mmio = pci_bar_assign(devfn, 0);
	pio = pci_bar_assign(devfn, 1);
	if (!mmio || !pio) {
		report_fail("no room for the BARs in the bridge's windows");
		return report_summary();
	}
	pci_config_write(0, devfn, PCI_COMMAND, 2,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	report(run_tests(mmio, "mmio") > 0, "the MMIO BAR lists tests");
	report(run_tests(pio, "portio") > 0, "the I/O BAR lists tests");
	return report_summary();
}
