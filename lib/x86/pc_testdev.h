/*
 * QEMU's pc-testdev ISA device (-device pc-testdev; hw/misc/pc-testdev.c
 * in QEMU): a 4-byte scratch register at port 0xe0, and at ports
 * 0x2000 + n a byte that, written, sets ISA interrupt line n (0..15) to
 * 0 or 1. The line reaches the 8259A and the I/O APIC pin n (QEMU wires
 * ISA line 0 to I/O APIC pin 2, the others 1:1).
 */
#ifndef X86_PC_TESTDEV_H
#define X86_PC_TESTDEV_H

#include "libcflat.h"
#include "x86/processor.h"

#define PC_TESTDEV_SCRATCH	0xe0
#define PC_TESTDEV_IRQ_BASE	0x2000

/* True when the scratch register holds what is written to it (an
 * absent port reads all ones). */
static inline bool pc_testdev_present(void)
{
	u32 old = inl(PC_TESTDEV_SCRATCH), back;

	outl(0x5a5aa5a5, PC_TESTDEV_SCRATCH);
	back = inl(PC_TESTDEV_SCRATCH);
	outl(old, PC_TESTDEV_SCRATCH);
	return back == 0x5a5aa5a5;
}

static inline void pc_testdev_set_irq(unsigned line, bool level)
{
	outb(level, PC_TESTDEV_IRQ_BASE + line);
}

#endif
