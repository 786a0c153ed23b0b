/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCIe host bridge the device tree describes ("pci-host-ecam-generic":
 * ECAM config space, PCI Express Base spec 7.2.2; "ranges" windows, IEEE
 * 1275 PCI binding): config accessors, BAR sizing and assignment from the
 * bridge's 32-bit memory and I/O windows.
 */
#ifndef ARM_PCI_H
#define ARM_PCI_H

#include "libcflat.h"

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x1
#define PCI_COMMAND_MEMORY	0x2
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_BAR_IO		0x1
#define PCI_BAR_MEM64		0x4

#define PCI_DEVFN(dev, fn)	((dev) << 3 | (fn))

/* 0, or -1 without a host bridge in the DT. */
int pci_init(void);
u32 pci_config_read(unsigned bus, unsigned devfn, unsigned off, int size);
void pci_config_write(unsigned bus, unsigned devfn, unsigned off, int size,
		      u32 val);
/* The devfn on bus 0 with this vendor and device, or -1. */
int pci_find_device(u16 vendor, u16 device);
/* Size of BAR @bar (0 if unimplemented), found by writing all ones
 * (PCI Local Bus spec 3.0, 6.2.5.1); the BAR is restored. */
u32 pci_bar_size(unsigned devfn, int bar);
/* Give BAR @bar an address in its window and return the CPU address to
 * access it at (mapped), or NULL when the window is full or missing. */
void *pci_bar_assign(unsigned devfn, int bar);

#endif
