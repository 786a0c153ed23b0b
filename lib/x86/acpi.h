/*
 * Just enough ACPI to learn how ISA interrupts reach the I/O APIC: find
 * the RSDP, the RSDT and the MADT, and read the MADT's interrupt source
 * overrides (ACPI 6.4, 5.2.5 RSDP, 5.2.7 RSDT, 5.2.12 MADT, 5.2.12.5
 * Interrupt Source Override). Tables live in identity-mapped memory
 * below 4 GiB.
 */
#ifndef X86_ACPI_H
#define X86_ACPI_H

#include "libcflat.h"

/* Where the RSDP may be, on 16-byte boundaries (ACPI 6.4, 5.2.5.1): the
 * first KiB of the EBDA, whose segment is the word at 40:0Eh, and the
 * BIOS area E0000h-FFFFFh. */
#define ACPI_EBDA_SEG_PTR	0x40e
#define ACPI_BIOS_START		0xe0000ul
#define ACPI_BIOS_END		0x100000ul
#define ACPI_RSDP_SIG		"RSD PTR "
#define ACPI_RSDP_RSDT		16	/* RsdtAddress, 32 bits */
#define ACPI_RSDP_V1_LEN	20	/* bytes the ACPI 1.0 checksum covers */
#define ACPI_HDR_LEN		36	/* system description table header */
#define ACPI_HDR_LENGTH		4	/* Length, 32 bits */
#define ACPI_MADT_SIG		"APIC"
#define ACPI_MADT_ENTRIES	44	/* after the header, LAPIC addr, flags */
#define ACPI_MADT_ISO		2	/* Interrupt Source Override */
#define ACPI_ISO_BUS_ISA	0

static inline u32 acpi_get32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static inline bool acpi_checksum_ok(const u8 *p, u32 len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

static inline const u8 *acpi_scan_rsdp(uintptr_t start, uintptr_t end)
{
	for (; start < end; start += 16) {
		const u8 *p = (const u8 *)start;

		if (!memcmp(p, ACPI_RSDP_SIG, 8) &&
		    acpi_checksum_ok(p, ACPI_RSDP_V1_LEN))
			return p;
	}
	return NULL;
}

static inline const u8 *acpi_find_rsdp(void)
{
	const volatile u16 *seg = (const volatile u16 *)ACPI_EBDA_SEG_PTR;
	uintptr_t ebda;
	const u8 *p = NULL;

	/* Hide the constant address from GCC's -Warray-bounds. */
	asm("" : "+r"(seg));
	ebda = (uintptr_t)*seg << 4;

	if (ebda >= 0x400 && ebda < ACPI_BIOS_START)
		p = acpi_scan_rsdp(ebda, ebda + 1024);
	return p ? p : acpi_scan_rsdp(ACPI_BIOS_START, ACPI_BIOS_END);
}

/* The table with signature @sig listed in the RSDT, or NULL. */
static inline const u8 *acpi_find_table(const char *sig)
{
	const u8 *rsdp = acpi_find_rsdp(), *rsdt;
	u32 len, off;

	if (!rsdp)
		return NULL;
	rsdt = (const u8 *)(uintptr_t)acpi_get32(rsdp + ACPI_RSDP_RSDT);
	len = acpi_get32(rsdt + ACPI_HDR_LENGTH);
	for (off = ACPI_HDR_LEN; off + 4 <= len; off += 4) {
		const u8 *t = (const u8 *)(uintptr_t)acpi_get32(rsdt + off);

		if (!memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

/*
 * The global system interrupt (I/O APIC pin, with one I/O APIC at GSI
 * base 0) ISA @irq arrives on: the MADT's override for it, else @irq
 * itself (ACPI 6.4, 5.2.12.5: ISA interrupts without an override are
 * identity mapped). -1 when there is no MADT.
 */
static inline int acpi_isa_irq_gsi(unsigned irq)
{
	const u8 *madt = acpi_find_table(ACPI_MADT_SIG);
	u32 len, off;

	if (!madt)
		return -1;
	len = acpi_get32(madt + ACPI_HDR_LENGTH);
	for (off = ACPI_MADT_ENTRIES; off + 2 <= len; off += madt[off + 1]) {
		const u8 *e = madt + off;

		if (e[1] < 2)
			break;
		/* type, length, bus, source, GSI (32 bits), flags */
		if (e[0] == ACPI_MADT_ISO && e[1] >= 10 &&
		    e[2] == ACPI_ISO_BUS_ISA && e[3] == irq)
			return (int)acpi_get32(e + 4);
	}
	return irq;
}

#endif
