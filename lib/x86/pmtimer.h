/*
 * The ACPI power-management timer of the PIIX4 (Intel 82371AB data
 * sheet, power management function): a 24-bit counter at 3.579545 MHz,
 * found through the PM function's PCI configuration space. A clock
 * independent of the PIT, the RTC, the HPET and the local APIC timer, so
 * tests of those can learn the TSC rate from it.
 */
#ifndef X86_PMTIMER_H
#define X86_PMTIMER_H

#include "libcflat.h"
#include "x86/processor.h"

/* PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2) */
#define PMTIMER_PCI_CONF_ADDR	0xcf8
#define PMTIMER_PCI_CONF_DATA	0xcfc
#define PMTIMER_PCI_ENABLE	0x80000000u
/* PIIX4 function 3 (PM), bus 0 device 1 on the pc machine: PMBA at 40h
 * (I/O base, bits 15:6), PMREGMISC at 80h (bit 0 enables the I/O
 * space), PMTMR at PMBA + 08h (82371AB, PM configuration and I/O
 * registers). */
#define PMTIMER_PIIX4_DEVFN	((1u << 3) | 3)
#define PMTIMER_PIIX4_ID	0x71138086u	/* device 7113h, vendor 8086h */
#define PMTIMER_PMBA		0x40
#define PMTIMER_PMBA_MASK	0xffc0u
#define PMTIMER_PMREGMISC	0x80
#define PMTIMER_PMIOSE		1u
#define PMTIMER_OFFSET		0x08
#define PMTIMER_MASK		0xffffffu
#define PMTIMER_HZ		3579545ull
/* The base firmware usually picks; used when it left the space off. */
#define PMTIMER_BASE_DEFAULT	0x600

static inline u32 pmtimer_pci_read(unsigned devfn, unsigned reg)
{
	outl(PMTIMER_PCI_ENABLE | devfn << 8 | (reg & 0xfc),
	     PMTIMER_PCI_CONF_ADDR);
	return inl(PMTIMER_PCI_CONF_DATA);
}

static inline void pmtimer_pci_write(unsigned devfn, unsigned reg, u32 val)
{
	outl(PMTIMER_PCI_ENABLE | devfn << 8 | (reg & 0xfc),
	     PMTIMER_PCI_CONF_ADDR);
	outl(val, PMTIMER_PCI_CONF_DATA);
}

/* The PM timer's I/O port, enabling the PM I/O space when the firmware
 * did not; 0 without a PIIX4 PM function (q35, microvm). */
static inline u16 pmtimer_port(void)
{
	u32 base, misc;

	if (pmtimer_pci_read(PMTIMER_PIIX4_DEVFN, 0) != PMTIMER_PIIX4_ID)
		return 0;
	misc = pmtimer_pci_read(PMTIMER_PIIX4_DEVFN, PMTIMER_PMREGMISC);
	base = pmtimer_pci_read(PMTIMER_PIIX4_DEVFN, PMTIMER_PMBA) &
	       PMTIMER_PMBA_MASK;
	if (!(misc & PMTIMER_PMIOSE) || !base) {
		base = PMTIMER_BASE_DEFAULT;
		pmtimer_pci_write(PMTIMER_PIIX4_DEVFN, PMTIMER_PMBA, base | 1);
		pmtimer_pci_write(PMTIMER_PIIX4_DEVFN, PMTIMER_PMREGMISC,
				  misc | PMTIMER_PMIOSE);
	}
	return base + PMTIMER_OFFSET;
}

/*
 * One PM timer read and the TSC at it: the TSC is read on both sides
 * and the read done again, up to 8 times, while the two are more than
 * @slack cycles apart (the vCPU was held off in between).
 */
static inline u32 pmtimer_read_at(u16 port, u64 *tsc, u64 slack)
{
	u64 a, b = 0;
	u32 v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		a = rdtsc();
		v = inl(port) & PMTIMER_MASK;
		b = rdtsc();
		if (b - a <= slack)
			break;
	}
	*tsc = a + (b - a) / 2;
	return v;
}

/*
 * TSC cycles per second, measured over @ms milliseconds of the PM timer
 * at @port; 0 when the timer does not move. Each end of the window is a
 * read whose TSC bracket is tight, so a vCPU held off by a loaded host
 * skews it little. Good for bounds of x0.5..x2, not precise timing.
 */
static inline u64 pmtimer_tsc_hz(u16 port, unsigned ms)
{
	u32 want = (u32)(PMTIMER_HZ * ms / 1000), start, now, ticks;
	u64 tsc0, tsc1, t, limit = 1ull << 36, slack = ~0ull;
	int i;

	/* The cost of one bracketed read, the best of a few, is the
	 * slack allowed (times 4). */
	for (i = 0; i < 4; i++) {
		pmtimer_read_at(port, &t, ~0ull);
		tsc0 = rdtsc();
		inl(port);
		tsc1 = rdtsc() - tsc0;
		if (tsc1 < slack)
			slack = tsc1;
	}
	slack = slack * 4 + 1;

	start = pmtimer_read_at(port, &tsc0, slack);
	do {
		now = pmtimer_read_at(port, &tsc1, slack);
		ticks = (now - start) & PMTIMER_MASK;
	} while (ticks < want && tsc1 - tsc0 < limit);
	if (!ticks)
		return 0;
	return (tsc1 - tsc0) * PMTIMER_HZ / ticks;
}

#endif
