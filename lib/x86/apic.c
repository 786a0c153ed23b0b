#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/percpu.h"
#include "x86/processor.h"

static volatile u32 *xapic_mmio(unsigned reg)
{
	return (volatile u32 *)(uintptr_t)(APIC_DEFAULT_BASE + reg);
}

bool apic_is_x2apic(void)
{
	return this_cpu()->x2apic;
}

u32 apic_read(unsigned reg)
{
	if (apic_is_x2apic())
		return rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return *xapic_mmio(reg);
}

void apic_write(unsigned reg, u32 val)
{
	if (apic_is_x2apic())
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), val);
	else
		*xapic_mmio(reg) = val;
}

void apic_icr_write(u32 icr, u32 dest)
{
	if (apic_is_x2apic()) {
		/* One 64-bit write, destination in bits 63:32 (SDM vol 3,
		 * 11.12.9). */
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR >> 4),
		      (u64)dest << 32 | icr);
		return;
	}
	*xapic_mmio(APIC_ICR2) = dest << 24;
	*xapic_mmio(APIC_ICR) = icr;
	while (*xapic_mmio(APIC_ICR) & APIC_ICR_BUSY)
		pause();
}

u32 apic_icr_read(void)
{
	return apic_read(APIC_ICR);
}

void apic_send_ipi(u32 dest_apic_id, u8 vector)
{
	apic_icr_write(APIC_DEST_PHYSICAL | APIC_DM_FIXED | APIC_INT_ASSERT |
		       vector, dest_apic_id);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_set_logical_id(u32 dfr, u8 logical_id)
{
	apic_write(APIC_DFR, dfr);
	apic_write(APIC_LDR, (u32)logical_id << APIC_LDR_SHIFT);
}

u32 apic_id(void)
{
	u32 id = apic_read(APIC_ID);

	/* xAPIC: ID in bits 31:24 (SDM vol 3, 11.4.6) */
	return apic_is_x2apic() ? id : id >> 24;
}

bool enable_x2apic(void)
{
	if (!this_cpu_has(X86_FEATURE_X2APIC))
		return false;
	wrmsr(MSR_IA32_APIC_BASE,
	      rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	this_cpu()->x2apic = true;
	return true;
}

void reset_apic(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	/* x2APIC -> xAPIC directly is an invalid transition (#GP). */
	wrmsr(MSR_IA32_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	wrmsr(MSR_IA32_APIC_BASE,
	      (base & ~APIC_BASE_EXTD) | APIC_BASE_EN);
	this_cpu()->x2apic = false;
	apic_setup_cpu();
}

/* Spurious interrupts are not in service: no EOI (SDM vol 3, 11.9). */
static void spurious_handler(struct ex_regs *regs)
{
	(void)regs;
}

void apic_setup_cpu(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN);
	this_cpu()->x2apic = (base & APIC_BASE_EXTD) != 0;
	handle_exception(APIC_SPURIOUS_VECTOR, spurious_handler);
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_LVTERR, APIC_LVT_MASKED);
}

/*
 * 8259A: reprogram both PICs to vectors 0x20-0x2f (so a stray IRQ is not
 * mistaken for an exception), then mask every line. ICW1-ICW4 and OCW1
 * per the Intel 8259A data sheet.
 */
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define ICW1_INIT_ICW4	0x11
#define ICW4_8086	0x01

void mask_pic(void)
{
	outb(ICW1_INIT_ICW4, PIC1_CMD);
	outb(ICW1_INIT_ICW4, PIC2_CMD);
	outb(0x20, PIC1_DATA);		/* ICW2: vector base */
	outb(0x28, PIC2_DATA);
	outb(0x04, PIC1_DATA);		/* ICW3: slave on IRQ2 */
	outb(0x02, PIC2_DATA);		/* ICW3: slave identity */
	outb(ICW4_8086, PIC1_DATA);
	outb(ICW4_8086, PIC2_DATA);
	outb(0xff, PIC1_DATA);		/* OCW1: mask all */
	outb(0xff, PIC2_DATA);
}
