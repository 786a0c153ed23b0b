// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's pci-testdev (vendor 1b36, device 0005; QEMU's
 * hw/misc/pci-testdev.c is its only specification) behind the PCIe host
 * bridge the device tree describes: its config space, BAR sizing and
 * assignment from the bridge's windows (PCI Local Bus spec 3.0, 6.2.5.1),
 * then each of its tests through the MMIO BAR and the I/O BAR.
 *
 * What the device guarantees, per test (a header at the start of the BAR
 * names it and gives a width, an offset and a data byte): selecting the
 * test resets its count to 0; the device counts a write at the offset
 * whose byte equals the data byte (every test but "wildcard" ignores other
 * data); writes elsewhere are not counted. The "eventfd" tests also hang
 * an ioeventfd on the offset (any data for "wildcard", the data byte for
 * "datamatch"): a write the ioeventfd matches signals it and never reaches
 * the device, whoever implements the ioeventfd (QEMU's memory core under
 * TCG, softmmu/memory.c memory_region_dispatch_write; the kernel's
 * KVM_IOEVENTFD under KVM). So their counts stay 0, until a write of
 * another width (which no ioeventfd matches) reaches the device.
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
#define NO_TEST		0xff	/* selects nothing */

/* The tests each BAR lists, in order (hw/misc/pci-testdev.c iotest_test). */
static const struct {
	const char *kind;	/* the name after "<space>-" */
	bool eventfd;		/* an ioeventfd takes the matching writes */
} testdev_tests[] = {
	{ "no-eventfd", false },
	{ "wildcard-eventfd", true },
	{ "datamatch-eventfd", true },
};

static void testdev_write(u8 *bar, u32 width, u32 off, u32 val)
{
	if (width == 1)
		writeb(val, bar + off);
	else if (width == 2)
		writew(val, bar + off);
	else
		writel(val, bar + off);
}

static void read_name(u8 *bar, char *name, int size)
{
	int i;

	for (i = 0; i < size - 1; i++) {
		name[i] = readb(bar + HDR_NAME + i);
		if (!name[i])
			break;
	}
	name[i] = 0;
}

static void check_count(u8 *bar, const char *what, u32 want)
{
	u32 got = readl(bar + HDR_COUNT);

	report(got == want, "%s: count %u (want %u; hw/misc/pci-testdev.c)",
	       what, got, want);
}

static void run_test(u8 *bar, const char *space, int t)
{
	char name[40], want_name[40];
	u32 width, off, data, hits;
	bool eventfd = testdev_tests[t].eventfd;

	writeb(t, bar + HDR_TEST);
	read_name(bar, name, sizeof(name));
	snprintf(want_name, sizeof(want_name), "%s-%s", space,
		 testdev_tests[t].kind);
	report_prefix_pushf("test %d", t);
	report(!strcmp(name, want_name), "name (got \"%s\", want \"%s\"; "
	       "hw/misc/pci-testdev.c)", name, want_name);
	width = readb(bar + HDR_WIDTH);
	off = readl(bar + HDR_OFFSET);
	data = readb(bar + HDR_DATA);
	report(width == 1 || width == 2 || width == 4, "width %u (want 1, 2 "
	       "or 4; hw/misc/pci-testdev.c)", width);
	check_count(bar, "after selecting the test", 0);

	/* the data byte at the offset: the device's, or the ioeventfd's */
	hits = eventfd ? 0 : 1;
	testdev_write(bar, width, off, data);
	check_count(bar, eventfd ? "data written (taken by the ioeventfd)" :
		    "data written", hits);
	testdev_write(bar, width, off, data);
	hits = eventfd ? 0 : 2;
	check_count(bar, eventfd ? "data written again (taken by the "
		    "ioeventfd)" : "data written again (each write counts)",
		    hits);

	/* another byte: the wildcard ioeventfd takes it; the others let it
	 * through and the device drops it, not being the data byte */
	testdev_write(bar, width, off, data ^ 0xff);
	check_count(bar, "another byte written", hits);

	/* the next byte, outside the test's offset */
	testdev_write(bar, 1, off + width, data);
	check_count(bar, "data written at offset + width", hits);

	/*
	 * An aligned halfword over a one-byte offset, the data byte in its
	 * lane: no ioeventfd matches it (they match the address and the
	 * width), so it reaches the device, which takes it a byte at a time
	 * and counts the one at the offset. So the count works while the
	 * ioeventfd is on.
	 */
	if (width == 1) {
		testdev_write(bar, 2, off & ~1u, data << (8 * (off & 1)));
		check_count(bar, "halfword over the offset written (reaches "
			    "the device)", ++hits);
	}
	report_prefix_pop();
}

static void run_tests(u8 *bar, const char *space)
{
	char name[40];
	int t;

	report_prefix_push(space);
	for (t = 0; t < (int)ARRAY_SIZE(testdev_tests); t++)
		run_test(bar, space, t);

	/* no test past the last: its header reads 0 */
	writeb(t, bar + HDR_TEST);
	read_name(bar, name, sizeof(name));
	report(!name[0], "test %d does not exist (name \"%s\", want \"\"; "
	       "hw/misc/pci-testdev.c)", t, name);
	writeb(NO_TEST, bar + HDR_TEST);
	report_prefix_pop();
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
	       "config reads (ID %#x, want a vendor other than 0xffff; PCI "
	       "Express Base spec 7.2.2, ECAM)", id);
	devfn = pci_find_device(PCI_VENDOR_REDHAT, PCI_DEVICE_TESTDEV);
	if (devfn < 0) {
		report_skip("no pci-testdev on bus 0 (cfg: -device pci-testdev)");
		return report_summary();
	}
	bar0 = pci_config_read(0, devfn, PCI_BAR0, 4);
	bar1 = pci_config_read(0, devfn, PCI_BAR0 + 4, 4);
	report(!(bar0 & PCI_BAR_IO) && (bar1 & PCI_BAR_IO), "BAR0 is memory, "
	       "BAR1 I/O (got %#x, %#x; PCI Local Bus spec 3.0, 6.2.5.1)", bar0,
	       bar1);
	size0 = pci_bar_size(devfn, 0);
	size1 = pci_bar_size(devfn, 1);
	report(size0 && !(size0 & (size0 - 1)) && size1 &&
	       !(size1 & (size1 - 1)), "BAR sizes are powers of two (got %#x, "
	       "%#x; PCI Local Bus spec 3.0, 6.2.5.1)", size0, size1);
	mmio = pci_bar_assign(devfn, 0);
	pio = pci_bar_assign(devfn, 1);
	if (!mmio || !pio) {
		report_fail("no room for the BARs in the bridge's windows "
			    "(the DT's ranges, IEEE 1275 PCI binding)");
		return report_summary();
	}
	pci_config_write(0, devfn, PCI_COMMAND, 2,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	run_tests(mmio, "mmio");
	run_tests(pio, "portio");
	return report_summary();
}
