/*
 * I/O APIC register access through IOREGSEL/IOWIN (see ioapic.h).
 */
#include "libcflat.h"
#include "x86/ioapic.h"

/* IOREGSEL at offset 0, IOWIN at offset 10H (82093AA data sheet 3.1) */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10

static volatile u32 *ioapic_mmio(unsigned off)
{
	return (volatile u32 *)(uintptr_t)(IOAPIC_DEFAULT_BASE + off);
}

u32 ioapic_read(unsigned reg)
{
	*ioapic_mmio(IOAPIC_IOREGSEL) = reg;
	return *ioapic_mmio(IOAPIC_IOWIN);
}

void ioapic_write(unsigned reg, u32 val)
{
	*ioapic_mmio(IOAPIC_IOREGSEL) = reg;
	*ioapic_mmio(IOAPIC_IOWIN) = val;
}

u64 ioapic_read_redir(unsigned pin)
{
	u32 lo = ioapic_read(IOAPIC_REG_REDIR(pin));
	u32 hi = ioapic_read(IOAPIC_REG_REDIR(pin) + 1);

	return (u64)hi << 32 | lo;
}

void ioapic_write_redir(unsigned pin, u64 entry)
{
	ioapic_write(IOAPIC_REG_REDIR(pin) + 1, entry >> 32);
	ioapic_write(IOAPIC_REG_REDIR(pin), (u32)entry);
}

unsigned ioapic_nr_pins(void)
{
	return ((ioapic_read(IOAPIC_REG_VERSION) >> 16) & 0xff) + 1;
}
