/*
 * Interrupt state across a live migration (SDM vol 3, chapter 11 for the
 * local APIC; the 82093AA I/O APIC data sheet for the redirection table):
 *   - the local APIC's LVT, TPR, LDR, SVR and divide configuration;
 *   - a one-shot APIC timer armed before the migration: still counting, or
 *     expired and pending, on the destination, and delivered once;
 *   - a TSC-deadline timer likewise (IA32_TSC_DEADLINE still armed or
 *     the interrupt pending);
 *   - a self-IPI held pending in the IRR by IF = 0, delivered once after;
 *   - an interrupt in service while the guest migrates from inside its
 *     handler: ISR and PPR kept, a lower-priority one held back until EOI;
 *   - every I/O APIC redirection entry.
 *
 * test_args: drop   on the destination only, rewrite an LVT, a
 *                   redirection entry and stop the one-shot timer, as a
 *                   migration that lost them would: those checks FAIL.
 */
#include "libcflat.h"
#include "migrate.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/ioapic.h"
#include "x86/irqcount.h"
#include "x86/processor.h"
#include "x86/tsctime.h"

#define MSR_IA32_TSC_DEADLINE	0x6e0	/* SDM vol 4, table 2-2 */
#define APIC_LVT_TIMER_TSCDL	(2u << 17)	/* SDM vol 3, 11.5.1 */
#define APIC_TDCR_DIV_1		0xb
#define APIC_TDCR_DIV_16	0x3
#define TIMER_COUNT		1000000000u	/* 1 s at QEMU's 1 GHz bus */

#define VEC_TIMER	0x60
#define VEC_PENDING	0x70
#define VEC_LOW		0x50	/* priority class 5: below VEC_INSERVICE */
#define VEC_INSERVICE	0x90
#define IOAPIC_MAX_PINS	240

#define RTE_MASKED	(1ull << 16)	/* I/O APIC redirection entry bits */
#define RTE_LEVEL	(1ull << 15)
#define RTE_LOW_ACTIVE	(1ull << 13)
#define RTE_LOGICAL	(1ull << 11)

static bool drop;

static bool apic_bit(unsigned base, u8 vec)
{
	return apic_read(base + (vec / 32) * 0x10) & (1u << (vec % 32));
}

static void check_reg(const char *name, unsigned reg, u32 want)
{
	u32 got = apic_read(reg);

	report(got == want, "%s (got %#x, want %#x)", name, got, want);
}

/* One migration: LVTs, TPR, LDR, the armed timer, a pending IPI and the
 * redirection table. */
static void test_registers_timer_pending(void)
{
	static u64 rte[IOAPIC_MAX_PINS], saved[IOAPIC_MAX_PINS];
	unsigned pins = ioapic_nr_pins();
	const u32 lvt0 = APIC_LVT_MASKED | 0x31, lvt1 = APIC_LVT_MASKED | 0x32;
	const u32 lvterr = APIC_LVT_MASKED | 0x33, tpr = 0x20, ldr = 0x5a << 24;
	u32 count;
	bool pending, fired;

	if (pins > IOAPIC_MAX_PINS)
		pins = IOAPIC_MAX_PINS;
	for (unsigned p = 0; p < pins; p++) {
		/* masked: nothing fires, every other field differs per pin */
		saved[p] = ioapic_read_redir(p);
		rte[p] = RTE_MASKED | (0x30 + p) | ((u64)p << 56) |
			 (p & 1 ? RTE_LEVEL : 0) | (p & 2 ? RTE_LOW_ACTIVE : 0) |
			 (p & 4 ? RTE_LOGICAL : 0);
		ioapic_write_redir(p, rte[p]);
	}
	apic_write(APIC_LVT0, lvt0);
	apic_write(APIC_LVT1, lvt1);
	apic_write(APIC_LVTERR, lvterr);
	apic_write(APIC_TPR, tpr);
	if (!apic_is_x2apic())
		apic_write(APIC_LDR, ldr);

	irq_count_reset();
	cli();
	apic_write(APIC_TDCR, APIC_TDCR_DIV_1);
	apic_write(APIC_LVTT, VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	apic_send_ipi(apic_id(), VEC_PENDING);
	migrate();
	if (drop) {
		apic_write(APIC_LVT1, APIC_LVT_MASKED);
		ioapic_write_redir(1, RTE_MASKED);
		apic_write(APIC_TMICT, 0);
	}

	report_prefix_push("registers");
	check_reg("LVT LINT0", APIC_LVT0, lvt0);
	check_reg("LVT LINT1", APIC_LVT1, lvt1);
	check_reg("LVT error", APIC_LVTERR, lvterr);
	check_reg("LVT timer", APIC_LVTT, VEC_TIMER);
	check_reg("TPR", APIC_TPR, tpr);
	check_reg("timer divide", APIC_TDCR, APIC_TDCR_DIV_1);
	check_reg("SVR", APIC_SPIV, APIC_SPIV_ENABLE | APIC_SPURIOUS_VECTOR);
	if (!apic_is_x2apic())
		check_reg("LDR", APIC_LDR, ldr);
	report_prefix_pop();

	report_prefix_push("ioapic");
	for (unsigned p = 0; p < pins; p++) {
		u64 got = ioapic_read_redir(p);

		if (got != rte[p])
			report_fail("pin %u (got %#llx, want %#llx)", p,
				    (unsigned long long)got,
				    (unsigned long long)rte[p]);
	}
	report(pins > 0, "%u redirection entries compared", pins);
	for (unsigned p = 0; p < pins; p++)
		ioapic_write_redir(p, saved[p]);
	report_prefix_pop();

	report_prefix_push("timer");
	count = apic_read(APIC_TMCCT);
	pending = apic_bit(APIC_IRR, VEC_TIMER);
	report((count > 0 && count <= TIMER_COUNT) || pending,
	       "one-shot timer still counting or expired and pending (count %u of %u, IRR %d)",
	       count, TIMER_COUNT, pending);
	report_prefix_pop();
	report_prefix_push("pending");
	report(apic_bit(APIC_IRR, VEC_PENDING), "self-IPI %#x still in the IRR (got %d, want 1)",
	       VEC_PENDING, apic_bit(APIC_IRR, VEC_PENDING));
	report_prefix_pop();

	apic_write(APIC_TPR, 0);
	fired = irq_wait_total(2, 3 * IRQ_WAIT_CYCLES);
	report(fired, "timer and pending IPI delivered after the migration (got %u interrupts, want 2)",
	       irq_count_total());
	irq_settle(IRQ_SETTLE_CYCLES);
	report(irq_count_total() == 2, "each once (got %u interrupts, want 2)",
	       irq_count_total());
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	apic_write(APIC_LVT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT1, APIC_LVT_MASKED);
}

static void test_tsc_deadline(void)
{
	u64 deadline, left;
	bool pending, fired;

	report_prefix_push("tsc-deadline");
	if (!this_cpu_has(X86_FEATURE_TSC_DEADLINE)) {
		report_skip("no TSC-deadline timer: %s clear",
			    X86_FEATURE_TSC_DEADLINE.name);
		report_prefix_pop();
		return;
	}
	irq_count_reset();
	cli();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_TIMER_TSCDL);
	deadline = rdtsc() + us_to_tsc(TSCTIME_SECOND_US);
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	migrate();
	/* SDM vol 3, 11.5.4.1: the MSR reads 0 once the timer fired */
	left = rdmsr(MSR_IA32_TSC_DEADLINE);
	pending = apic_bit(APIC_IRR, VEC_TIMER);
	report(left == deadline || (left == 0 && pending),
	       "still armed, or fired and pending (IA32_TSC_DEADLINE %#llx, IRR %d; want %#llx, or 0 and 1)",
	       (unsigned long long)left, pending, (unsigned long long)deadline);
	fired = irq_wait(0, 1, 3 * IRQ_WAIT_CYCLES);
	report(fired, "deadline interrupt delivered after the migration (got %u, want 1)",
	       irq_count(0));
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	report_prefix_pop();
}

static bool isr_kept, low_held;
static u32 ppr_after;

static void inservice_handler(struct ex_regs *regs)
{
	(void)regs;
	/* lower priority class: stays in the IRR while this is in service */
	apic_send_ipi(apic_id(), VEC_LOW);
	migrate();
	isr_kept = apic_bit(APIC_ISR, VEC_INSERVICE);
	low_held = apic_bit(APIC_IRR, VEC_LOW) && !apic_bit(APIC_ISR, VEC_LOW);
	ppr_after = apic_read(APIC_PPR);
	apic_eoi();
}

static void test_in_service(void)
{
	bool fired;

	report_prefix_push("in-service");
	irq_count_reset();
	handle_exception(VEC_INSERVICE, inservice_handler);
	cli();
	apic_send_ipi(apic_id(), VEC_INSERVICE);
	sti();
	asm volatile("nop");	/* the IPI is taken after STI's shadow */
	cli();
	report(isr_kept, "ISR bit of vector %#x kept while in service (got %d, want 1)",
	       VEC_INSERVICE, isr_kept);
	/* SDM vol 3, 11.8.3.1: PPR is the higher of TPR and ISRV's class */
	report((ppr_after & 0xf0) == (VEC_INSERVICE & 0xf0),
	       "PPR from the vector in service (got %#x, want %#x)",
	       ppr_after, VEC_INSERVICE & 0xf0);
	report(low_held, "lower-priority vector %#x held in the IRR until EOI (got %d, want 1)",
	       VEC_LOW, low_held);
	fired = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(fired && irq_log_vector(0) == VEC_LOW,
	       "then delivered after the EOI (got %u, vector %#x; want 1, %#x)",
	       irq_count(0), irq_log_vector(0), VEC_LOW);
	handle_exception(VEC_INSERVICE, NULL);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	drop = argc > 1 && !strcmp(argv[1], "drop");
	report_prefix_push("migration-apic");
	tsc_time_init();
	irq_count_install(VEC_TIMER);
	irq_count_install(VEC_PENDING);
	irq_count_install(VEC_LOW);
	test_registers_timer_pending();
	test_tsc_deadline();
	test_in_service();
	report_prefix_pop();
	return report_summary();
}
