/*
 * I/O APIC (Intel 82093AA data sheet, section 3): two registers at its
 * MMIO base, IOREGSEL (index) and IOWIN (data), select and access the ID,
 * version and arbitration registers and the 64-bit redirection table
 * entries, one per input pin.
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include "libcflat.h"

/* Default base on PC-compatible machines (the MP specification, and
 * QEMU's pc and q35 machines). */
#define IOAPIC_DEFAULT_BASE	0xfec00000ul

#define IOAPIC_REG_ID		0x00	/* ID in bits 27:24 */
#define IOAPIC_REG_VERSION	0x01	/* version 7:0, max entry 23:16 */
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR(n)	(0x10 + 2 * (n))	/* low dword */

/* Redirection table entry bits, 82093AA data sheet 3.2.4 */
#define IOAPIC_VECTOR_MASK	0xffull
#define IOAPIC_DM_FIXED		(0ull << 8)
#define IOAPIC_DM_LOWEST	(1ull << 8)
#define IOAPIC_DM_NMI		(4ull << 8)
#define IOAPIC_DEST_LOGICAL	(1ull << 11)
#define IOAPIC_DELIVERY_STATUS	(1ull << 12)	/* read-only */
#define IOAPIC_POLARITY_LOW	(1ull << 13)
#define IOAPIC_REMOTE_IRR	(1ull << 14)	/* read-only */
#define IOAPIC_TRIGGER_LEVEL	(1ull << 15)
#define IOAPIC_MASKED		(1ull << 16)
#define IOAPIC_DEST_SHIFT	56

u32 ioapic_read(unsigned reg);
void ioapic_write(unsigned reg, u32 val);
u64 ioapic_read_redir(unsigned pin);
/* Writes the high dword first, so an unmasked entry never points at a
 * half-written destination. */
void ioapic_write_redir(unsigned pin, u64 entry);
/* Number of redirection entries: version register bits 23:16, plus 1. */
unsigned ioapic_nr_pins(void);

#endif
