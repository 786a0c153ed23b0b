/*
 * High Precision Event Timer (IA-PC HPET specification 1.0a): the
 * capabilities register, the main counter (writable while halted,
 * counting at the advertised period only with ENABLE_CNF), the timers'
 * configuration and capabilities, a one-shot comparator interrupt and a
 * periodic one through an I/O APIC pin the timer's routing capability
 * allows, and the level-triggered interrupt status. Rates are measured
 * against the TSC, itself timed by the ACPI PM timer, with loose bounds
 * (x0.5 to x2) because the host may be loaded.
 */
#include "libcflat.h"
#include "x86/acpi.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/ioapic.h"
#include "x86/irqcount.h"
#include "x86/processor.h"
#include "x86/tsctime.h"
#include "x86/vm.h"

/* Where the pc machine puts it; the ACPI HPET table says (HPET spec
 * 3.2.4: BASE_ADDRESS, a generic address structure at offset 40, its
 * 64-bit address at offset 44). */
#define HPET_DEFAULT_BASE	0xfed00000ull
#define ACPI_HPET_ADDR		44
#define HPET_MMIO_SIZE		0x400

/* Registers (HPET spec 2.3.1, register overview) */
#define HPET_CAP		0x000
#define HPET_CONF		0x010
#define HPET_STATUS		0x020
#define HPET_COUNTER		0x0f0
#define HPET_TN_CONF(n)		(0x100 + 0x20 * (n))
#define HPET_TN_CMP(n)		(0x108 + 0x20 * (n))

/* General capabilities and ID (2.3.4) */
#define CAP_REV_ID(c)		((c) & 0xff)
#define CAP_NUM_TIM(c)		((((c) >> 8) & 0x1f) + 1)
#define CAP_COUNT_SIZE		(1ull << 13)
#define CAP_LEG_RT		(1ull << 15)
#define CAP_VENDOR(c)		(((c) >> 16) & 0xffff)
#define CAP_PERIOD(c)		((u32)((c) >> 32))
#define HPET_MAX_PERIOD_FS	100000000u	/* 100 ns, 05F5E100h */
#define HPET_MIN_TIMERS		3	/* 3 to 32 timers per block */
#define FS_PER_S		1000000000000000ull

/* General configuration (2.3.5) */
#define CONF_ENABLE		(1u << 0)
#define CONF_LEG_RT		(1u << 1)

/* Timer N configuration and capabilities (2.3.8) */
#define TN_INT_TYPE_LEVEL	(1u << 1)
#define TN_INT_ENB		(1u << 2)
#define TN_TYPE_PERIODIC	(1u << 3)
#define TN_PER_INT_CAP		(1u << 4)
#define TN_SIZE_CAP		(1u << 5)
#define TN_VAL_SET		(1u << 6)
#define TN_32MODE		(1u << 8)
#define TN_ROUTE_SHIFT		9
#define TN_ROUTE_MASK		(0x1fu << TN_ROUTE_SHIFT)
#define TN_FSB_EN		(1u << 14)
/* Tn_INT_ROUTE_CAP is the upper dword of the register. */

#define VEC_HPET		0x73
#define SECOND_US		1000000ull
/* Rate measurements and stalled set-ups: tries before giving up. */
#define RATE_TRIES		5
#define TRIES			3

static volatile u8 *hpet;
static u32 period_fs;
static unsigned nr_timers;

static u32 hpet_read32(unsigned reg)
{
	return *(volatile u32 *)(hpet + reg);
}

static void hpet_write32(unsigned reg, u32 val)
{
	*(volatile u32 *)(hpet + reg) = val;
}

/* 64-bit registers as two 32-bit accesses (2.3: both sizes allowed),
 * so i386 reads them the same way. */
static u64 hpet_read64(unsigned reg)
{
	u32 hi, lo;

	do {
		hi = hpet_read32(reg + 4);
		lo = hpet_read32(reg);
	} while (hi != hpet_read32(reg + 4));
	return (u64)hi << 32 | lo;
}

static void hpet_write64(unsigned reg, u64 val)
{
	hpet_write32(reg, (u32)val);
	hpet_write32(reg + 4, val >> 32);
}

static u64 us_to_ticks(u64 us)
{
	return us * (FS_PER_S / SECOND_US) / period_fs;
}

static void test_caps(void)
{
	u64 cap = hpet_read64(HPET_CAP);

	report_prefix_push("capabilities");
	report_info("GCAP_ID %#llx: vendor %#llx, rev %llu, %u timers, "
		    "%s-bit counter, legacy routing %s, period %u fs",
		    (unsigned long long)cap, (unsigned long long)CAP_VENDOR(cap),
		    (unsigned long long)CAP_REV_ID(cap),
		    (unsigned)CAP_NUM_TIM(cap),
		    cap & CAP_COUNT_SIZE ? "64" : "32",
		    cap & CAP_LEG_RT ? "yes" : "no", CAP_PERIOD(cap));
	/* 2.3.4: REV_ID "must not be 0"; COUNTER_CLK_PERIOD nonzero and at
	 * most 05F5E100h fs (100 ns). */
	report(CAP_REV_ID(cap) != 0, "REV_ID (got %llu, want nonzero)",
	       (unsigned long long)CAP_REV_ID(cap));
	report(period_fs && period_fs <= HPET_MAX_PERIOD_FS, "period (got %u "
	       "fs, want 1..%u)", period_fs, HPET_MAX_PERIOD_FS);
	report(CAP_VENDOR(cap) != 0 && CAP_VENDOR(cap) != 0xffff, "vendor ID "
	       "(got %#llx, want a PCI vendor ID)",
	       (unsigned long long)CAP_VENDOR(cap));
	report(nr_timers >= HPET_MIN_TIMERS, "timers (got %u, want >= %u)",
	       nr_timers, HPET_MIN_TIMERS);
	/* The capabilities register is read-only. */
	hpet_write32(HPET_CAP, 0);
	report(hpet_read64(HPET_CAP) == cap, "GCAP_ID is read-only (got "
	       "%#llx after writing 0, want %#llx)",
	       (unsigned long long)hpet_read64(HPET_CAP),
	       (unsigned long long)cap);
	report_prefix_pop();
}

static void test_counter(void)
{
	const u64 val = 0x12345678ull;
	u64 a, b, t0, el, ticks, us;

	report_prefix_push("counter");
	/* 2.3.5 ENABLE_CNF: 0 halts the main counter; software may write
	 * it then (2.3.7). */
	hpet_write32(HPET_CONF, 0);
	hpet_write64(HPET_COUNTER, val);
	a = hpet_read64(HPET_COUNTER);
	delay_us(2000);
	b = hpet_read64(HPET_COUNTER);
	report(a == val && b == val, "halted: holds the value written (got "
	       "%#llx, 2 ms later %#llx; want %#llx)", (unsigned long long)a,
	       (unsigned long long)b, (unsigned long long)val);

	hpet_write32(HPET_CONF, CONF_ENABLE);
	t0 = rdtsc();
	a = hpet_read64(HPET_COUNTER);
	delay_us(50000);
	b = hpet_read64(HPET_COUNTER);
	el = rdtsc() - t0;
	report(a >= val && b > a, "enabled: counts up from the value written "
	       "(got %#llx then %#llx, want > %#llx)", (unsigned long long)a,
	       (unsigned long long)b, (unsigned long long)val);
	if (tsc_timed) {
		us = tsc_to_us(el);
		ticks = us_to_ticks(us);
		report(b - a >= ticks / 2 && b - a <= ticks * 2, "rate: %llu "
		       "ticks in %llu us (want %llu at %u fs, x0.5..x2)",
		       (unsigned long long)(b - a), (unsigned long long)us,
		       (unsigned long long)ticks, period_fs);
	}
	report_prefix_pop();
}

static void test_timer_regs(void)
{
	unsigned n;
	u64 conf, back;
	u32 cap, route;

	report_prefix_push("timers");
	for (n = 0; n < nr_timers; n++) {
		conf = hpet_read64(HPET_TN_CONF(n));
		cap = conf >> 32;
		report_info("timer %u: config %#llx, %s-bit, %speriodic, "
			    "routes %#x", n, (unsigned long long)conf,
			    conf & TN_SIZE_CAP ? "64" : "32",
			    conf & TN_PER_INT_CAP ? "" : "not ",
			    cap);
		/* 2.3.8: each timer routes to at least one I/O APIC input. */
		report(cap != 0, "timer %u: INT_ROUTE_CAP not empty (got %#x)",
		       n, cap);
		/* Tn_INT_ROUTE_CNF holds a supported value; an unsupported
		 * one "will not match what is written" (2.3.8, bits 13:9). */
		for (route = 0; route < 32; route++)
			if (cap >> route & 1)
				break;
		if (route < 32) {
			hpet_write32(HPET_TN_CONF(n), route << TN_ROUTE_SHIFT);
			back = (hpet_read32(HPET_TN_CONF(n)) & TN_ROUTE_MASK) >>
			       TN_ROUTE_SHIFT;
			report(back == route, "timer %u: supported route reads "
			       "back (got %llu, want %u)", n,
			       (unsigned long long)back, route);
		}
		for (route = 0; route < 32; route++)
			if (!(cap >> route & 1))
				break;
		if (route < 32) {
			hpet_write32(HPET_TN_CONF(n), route << TN_ROUTE_SHIFT);
			back = (hpet_read32(HPET_TN_CONF(n)) & TN_ROUTE_MASK) >>
			       TN_ROUTE_SHIFT;
			report(back != route, "timer %u: unsupported route %u "
			       "does not read back (got %llu)", n, route,
			       (unsigned long long)back);
		}
		/* 2.3.8 Tn_32MODE_CNF: writable on a 64-bit timer only. */
		hpet_write32(HPET_TN_CONF(n), TN_32MODE);
		back = hpet_read32(HPET_TN_CONF(n)) & TN_32MODE;
		report(!!back == !!(conf & TN_SIZE_CAP), "timer %u: 32MODE_CNF "
		       "(got %d, want %d for a %s-bit timer)", n, !!back,
		       !!(conf & TN_SIZE_CAP), conf & TN_SIZE_CAP ? "64" : "32");
		hpet_write32(HPET_TN_CONF(n), 0);
	}
	report_prefix_pop();
}

/* The I/O APIC input for timer @n: the highest one its capability has
 * that the I/O APIC has and no ISA device uses (16 up), else the
 * highest it has; -1 for none. */
static int pick_route(unsigned n)
{
	u32 cap = hpet_read64(HPET_TN_CONF(n)) >> 32;
	unsigned pins = ioapic_nr_pins();
	int r;

	for (r = 31; r >= 16; r--)
		if ((cap >> r & 1) && (unsigned)r < pins)
			return r;
	for (r = 15; r >= 0; r--)
		if ((cap >> r & 1) && r != 2 && r != 8)
			return r;
	/* Shared with the PIT (IRQ0) or the RTC (IRQ8); main() keeps
	 * those quiet. */
	for (r = 15; r >= 0; r--)
		if (cap >> r & 1)
			return r;
	return -1;
}

static void route_pin(int pin, bool on)
{
	ioapic_write_redir(pin, on ? VEC_HPET | IOAPIC_DM_FIXED |
			   (u64)apic_id() << IOAPIC_DEST_SHIFT : IOAPIC_MASKED);
}

/*
 * QEMU's pc machine lets the HPET timers route to pin 2 only, where the
 * PIT's IRQ0 arrives too. Program PIT channel 0 for one terminal count
 * in mode 0 (8254 data sheet, "Mode 0"): OUT rises once and then stays
 * high, no more edges. When @pin is IRQ0's, the edges still on their
 * way (a loaded host delivers them late) are taken here.
 */
#define PIT_CH0			0x40
#define PIT_CTRL		0x43
#define PIT_CH0_MODE0_LSB	0x10	/* SC 00, RW 01 (LSB), mode 0 */

static void quiet_pit(int pin)
{
	bool shared = pin == acpi_isa_irq_gsi(0) ||
		      (acpi_isa_irq_gsi(0) < 0 && pin == 2);
	unsigned i;

	outb(PIT_CH0_MODE0_LSB, PIT_CTRL);
	outb(1, PIT_CH0);
	delay_us(1000);
	if (!shared)
		return;
	/* Unmasked until a settle passes without an interrupt. */
	route_pin(pin, true);
	for (i = 0; i < TRIES + 2; i++) {
		irq_count_reset();
		irq_settle(IRQ_SETTLE_CYCLES);
		if (!irq_count(0))
			break;
	}
	route_pin(pin, false);
}

/*
 * Arm timer @n with @conf to match @after_us from now. A comparator
 * written after the counter passed it matches only when the counter
 * wraps (2.3.9), which a host stalling the vCPU between reading the
 * counter and enabling the timer could cause: then drain, and try again,
 * up to TRIES times. Returns the TSC taken just before the counter was
 * read: a stall after that read lengthens the measured wait and never
 * shortens it, so a loaded host cannot make a correct match look early.
 * @holdoff_us spins between the read and the arming, as such a stall
 * would (the hpet-holdoff entry).
 */
static u64 arm_timer(unsigned n, u32 conf, u64 after_us, u64 holdoff_us)
{
	unsigned try;
	u64 cmp, t0 = 0;

	for (try = 0; try < TRIES; try++) {
		hpet_write32(HPET_TN_CONF(n), conf & ~TN_INT_ENB);
		hpet_write32(HPET_STATUS, 1u << n);
		irq_settle(IRQ_SETTLE_CYCLES);
		irq_count_reset();
		t0 = rdtsc();
		cmp = hpet_read64(HPET_COUNTER) + us_to_ticks(after_us);
		hpet_write64(HPET_TN_CMP(n), cmp);
		if (holdoff_us)
			delay_us(holdoff_us);
		hpet_write32(HPET_TN_CONF(n), conf);
		if (hpet_read64(HPET_COUNTER) < cmp)
			break;
	}
	return t0;
}

static void test_one_shot(unsigned n, int pin, u64 holdoff_us)
{
	const u64 after_us = 10000;
	u64 t0, el;
	bool ok;

	report_prefix_pushf("timer %u one-shot", n);
	route_pin(pin, true);
	/* Take whatever edge is pending from before. */
	t0 = arm_timer(n, pin << TN_ROUTE_SHIFT | TN_INT_ENB, after_us,
		       holdoff_us);
	ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	el = rdtsc() - t0;
	report(ok && irq_log_vector(0) == VEC_HPET, "comparator match raises "
	       "an interrupt on I/O APIC pin %d (got %u, vector %#x; want 1, "
	       "%#x)", pin, irq_count(0), irq_log_vector(0), VEC_HPET);
	if (tsc_timed && ok)
		report(tsc_to_us(el) >= after_us / 2, "not before the "
		       "comparator (got after %llu us, want >= %llu us)",
		       (unsigned long long)tsc_to_us(el),
		       (unsigned long long)after_us / 2);
	irq_settle(us_to_tsc(3 * after_us));
	report(irq_count(0) == 1, "one-shot: one interrupt (got %u in %llu "
	       "us, want 1)", irq_count(0),
	       (unsigned long long)tsc_to_us(rdtsc() - t0));
	hpet_write32(HPET_TN_CONF(n), 0);
	route_pin(pin, false);
	report_prefix_pop();
}

/* Level mode with Tn_INT_ENB_CNF clear: no interrupt, but the status
 * bit is set at the match and cleared by writing 1 (2.3.6; 2.3.8
 * Tn_INT_ENB_CNF: "the timer will still operate and generate
 * appropriate status bits"). */
static void test_status(unsigned n, int pin)
{
	u32 st;

	report_prefix_pushf("timer %u status", n);
	route_pin(pin, true);
	arm_timer(n, pin << TN_ROUTE_SHIFT | TN_INT_TYPE_LEVEL, 2000, 0);
	irq_settle(us_to_tsc(10000));
	st = hpet_read32(HPET_STATUS);
	report(st >> n & 1, "level, interrupt disabled: status bit set at the "
	       "match (got status %#x, want bit %u set)", st, n);
	report(irq_count(0) == 0, "level, interrupt disabled: no interrupt "
	       "(got %u, want 0)", irq_count(0));
	if (st >> n & 1) {
		hpet_write32(HPET_STATUS, 1u << n);
		st = hpet_read32(HPET_STATUS);
		report(!(st >> n & 1), "writing 1 clears it (got status %#x)",
		       st);
	}
	hpet_write32(HPET_TN_CONF(n), 0);
	route_pin(pin, false);
	report_prefix_pop();
}

static void test_periodic(unsigned n, int pin)
{
	const u64 period_us = 10000, window_us = 200000;
	u64 ticks = us_to_ticks(period_us);
	u32 conf = pin << TN_ROUTE_SHIFT | TN_INT_ENB | TN_TYPE_PERIODIC;
	struct irq_rate r;

	report_prefix_pushf("timer %u periodic", n);
	if (!tsc_timed) {
		report_skip("no PM timer to time the TSC by");
		report_prefix_pop();
		return;
	}
	irq_count_reset();
	route_pin(pin, true);
	/* 2.3.8 Tn_VAL_SET_CNF, 2.3.9: with it set, the first comparator write sets
	 * the next match, the second the period. Main counter halted while
	 * this is set up (ENABLE_CNF 0). */
	hpet_write32(HPET_CONF, 0);
	hpet_write32(HPET_TN_CONF(n), conf | TN_VAL_SET);
	hpet_write64(HPET_TN_CMP(n), hpet_read64(HPET_COUNTER) + ticks);
	hpet_write64(HPET_TN_CMP(n), ticks);
	hpet_write32(HPET_CONF, CONF_ENABLE);
	/* Merged ticks from a held-off vCPU: see irq_rate_measure(). */
	r = irq_rate_measure(SECOND_US / period_us, window_us, RATE_TRIES,
			     NULL);
	report(irq_rate_ok(&r), "interrupts "
	       "every %llu us (got %u in %llu us, %llu us of it with "
	       "the vCPU held off; want %u to %u)",
	       (unsigned long long)period_us, r.got,
	       (unsigned long long)r.el_us,
	       (unsigned long long)r.lost_us, r.lo, r.hi);
	hpet_write32(HPET_TN_CONF(n), 0);
	route_pin(pin, false);
	irq_settle(IRQ_SETTLE_CYCLES);
	report_prefix_pop();
}

/*
 * Legacy replacement (2.3.5, LEG_RT_CNF): timer 0 goes
 * to IRQ0 (I/O APIC input 2 on a PC, where the MADT puts ISA IRQ0) and
 * timer 1 to IRQ8, whatever Tn_INT_ROUTE_CNF says.
 */
static void test_legacy(void)
{
	const u64 after_us = 5000;
	int pins[2] = { acpi_isa_irq_gsi(0), acpi_isa_irq_gsi(8) };
	unsigned n;
	bool ok;

	report_prefix_push("legacy replacement");
	if (!(hpet_read64(HPET_CAP) & CAP_LEG_RT)) {
		report_skip("LEG_RT_CAP clear");
		report_prefix_pop();
		return;
	}
	if (pins[0] < 0) {
		pins[0] = 2;
		pins[1] = 8;
	}
	hpet_write32(HPET_CONF, CONF_ENABLE | CONF_LEG_RT);
	for (n = 0; n < 2; n++) {
		route_pin(pins[n], true);
		arm_timer(n, TN_INT_ENB, after_us, 0);
		ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
		report(ok && irq_log_vector(0) == VEC_HPET, "timer %u raises "
		       "IRQ%u on I/O APIC pin %d (got %u interrupts, vector "
		       "%#x; want 1, %#x)", n, n ? 8 : 0, pins[n], irq_count(0),
		       irq_log_vector(0), VEC_HPET);
		hpet_write32(HPET_TN_CONF(n), 0);
		route_pin(pins[n], false);
	}
	hpet_write32(HPET_CONF, CONF_ENABLE);
	irq_settle(IRQ_SETTLE_CYCLES);
	report_prefix_pop();
}

/* "holdoff=US": only timer 0's one-shot, with a stall of US microseconds
 * between reading the counter and arming (see arm_timer()). */
static u64 holdoff_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "holdoff=", 8))
			return strtoull(argv[i] + 8, NULL, 10);
	return 0;
}

int main(int argc, char **argv)
{
	const u8 *table = acpi_find_table("HPET");
	u64 base = HPET_DEFAULT_BASE, cap, holdoff_us = holdoff_arg(argc, argv);
	unsigned n;
	int pin;

	report_prefix_push("hpet");
	irq_count_install(VEC_HPET);
	cli();

	if (table)
		memcpy(&base, table + ACPI_HPET_ADDR, sizeof(base));
	else
		report_info("no ACPI HPET table: trying %#llx",
			    (unsigned long long)base);
	hpet = ioremap(base, HPET_MMIO_SIZE);
	cap = hpet_read64(HPET_CAP);
	if (!table && (cap == 0 || cap == ~0ull)) {
		report_skip("no HPET: no ACPI HPET table, GCAP_ID at %#llx "
			    "reads %#llx (QEMU: -machine hpet=on)",
			    (unsigned long long)base, (unsigned long long)cap);
		return report_summary();
	}
	period_fs = CAP_PERIOD(cap);
	nr_timers = CAP_NUM_TIM(cap);

	tsc_time_init();
	report_info("HPET at %#llx; TSC %llu Hz (%s)",
		    (unsigned long long)base, (unsigned long long)tsc_hz,
		    tsc_timed ? "by the PM timer" : "guessed");

	test_caps();
	if (!period_fs || period_fs > HPET_MAX_PERIOD_FS) {
		report_skip("no usable period: timing tests not run");
		return report_summary();
	}
	if (holdoff_us) {
		pin = pick_route(0);
		if (pin < 0) {
			report_skip("timer 0: no I/O APIC input to route to");
			return report_summary();
		}
		report_info("the vCPU stalls %llu us between reading the counter "
			    "and arming", (unsigned long long)holdoff_us);
		hpet_write32(HPET_CONF, CONF_ENABLE);
		quiet_pit(pin);
		test_one_shot(0, pin, holdoff_us);
		hpet_write32(HPET_CONF, 0);
		return report_summary();
	}
	test_counter();
	test_timer_regs();

	for (n = 0; n < nr_timers; n++) {
		pin = pick_route(n);
		if (pin < 0) {
			report_skip("timer %u: no I/O APIC input to route to", n);
			continue;
		}
		hpet_write32(HPET_CONF, CONF_ENABLE);
		if (n == 0)
			quiet_pit(pin);
		test_one_shot(n, pin, 0);
		test_status(n, pin);
		if (hpet_read32(HPET_TN_CONF(n)) & TN_PER_INT_CAP)
			test_periodic(n, pin);
	}
	hpet_write32(HPET_CONF, CONF_ENABLE);
	test_legacy();
	hpet_write32(HPET_CONF, 0);
	return report_summary();
}
