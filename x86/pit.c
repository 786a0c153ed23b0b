/*
 * i8254 programmable interval timer (Intel 8254 data sheet, order
 * 231164): the control word, counter latch and read-back commands, the
 * LSB/MSB access order, mode 0 (interrupt on terminal count) and mode 2
 * (rate generator) on channel 0 through IRQ0 and the I/O APIC, and
 * channel 2 gated by port 61h bit 0 with its OUT at port 61h bit 5
 * (PC-AT port B; Intel 82371AB PIIX4 data sheet, NMI status and
 * control register).
 * Rates are measured against the TSC, itself timed by the ACPI PM timer;
 * the bounds are loose (x0.5 to x2) because the host may be loaded.
 */
#include "libcflat.h"
#include "x86/acpi.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/ioapic.h"
#include "x86/irqcount.h"
#include "x86/processor.h"
#include "x86/tsctime.h"

/* Ports (PC-AT): counters 0-2 at 40h-42h, the control word at 43h. */
#define PIT_CH(n)		(0x40 + (n))
#define PIT_CTRL		0x43
#define PIT_HZ			1193182ull	/* the PC's 14.31818 MHz / 12 */

/* Control word (8254 data sheet, "Control Word Format"): SC1:SC0 in
 * 7:6, RW1:RW0 in 5:4, M2:M0 in 3:1, BCD in 0. */
#define PIT_SC(n)		((n) << 6)
#define PIT_RW_LATCH		(0 << 4)	/* counter latch command */
#define PIT_RW_LSB		(1 << 4)
#define PIT_RW_MSB		(2 << 4)
#define PIT_RW_LSB_MSB		(3 << 4)
#define PIT_MODE(m)		((m) << 1)
#define PIT_BCD			1

/* Read-back command ("Read-Back Command"): 11 in 7:6, COUNT# in 5 and
 * STATUS# in 4 (0 latches), CNT2:CNT0 in 3:1. Status byte: OUTPUT in 7,
 * NULL COUNT in 6, the counter's control word bits 5:0 in 5:0. */
#define PIT_READ_BACK		0xc0
#define PIT_RB_NO_COUNT		(1 << 5)
#define PIT_RB_NO_STATUS	(1 << 4)
#define PIT_RB_CNT(n)		(1 << ((n) + 1))
#define PIT_ST_OUT		0x80
#define PIT_ST_NULL		0x40
#define PIT_ST_CTRL		0x3f

/* Port 61h (PIIX4, NMI status and control): bit 0 timer 2 gate, bit 1
 * speaker data enable, bits 3:2 NMI source enables, bit 5 timer 2 OUT
 * (read-only). */
#define PORT_B			0x61
#define PORT_B_GATE2		0x01
#define PORT_B_SPKR		0x02
#define PORT_B_WRITABLE		0x0c	/* kept as they were */
#define PORT_B_OUT2		0x20

/* ISA IRQ of channel 0's OUT on a PC. */
#define PIT_ISA_IRQ		0
#define VEC_PIT			0x70
#define VEC_WRONG_PIN		0x71

/* Counts in PIT clocks: 100 Hz for mode 2, 50 ms and the 16-bit
 * maximum for one-shots. */
#define COUNT_100HZ		11932
#define COUNT_LONG		0xffff
/* Rate measurements and stalled checks: tries before giving up. */
#define RATE_TRIES		5
#define TRIES			3
#define SECOND_US		1000000ull
/* A gap between two polls this long means the vCPU was held off. */
#define HELD_OFF_US		10000

static int pit_gsi = -1;

static void pit_program(unsigned ch, unsigned mode, u16 count)
{
	outb(PIT_SC(ch) | PIT_RW_LSB_MSB | PIT_MODE(mode), PIT_CTRL);
	outb(count & 0xff, PIT_CH(ch));
	outb(count >> 8, PIT_CH(ch));
}

/* Counter latch command, then LSB and MSB (RW = 11). */
static u16 pit_latch(unsigned ch)
{
	u8 lo, hi;

	outb(PIT_SC(ch) | PIT_RW_LATCH, PIT_CTRL);
	lo = inb(PIT_CH(ch));
	hi = inb(PIT_CH(ch));
	return lo | hi << 8;
}

static u8 pit_status(unsigned ch)
{
	outb(PIT_READ_BACK | PIT_RB_NO_COUNT | PIT_RB_CNT(ch), PIT_CTRL);
	return inb(PIT_CH(ch));
}

/* How far a down-counter with period @n went from @a to @b. */
static unsigned down_by(u16 a, u16 b, unsigned n)
{
	return ((unsigned)a + n - b) % n;
}

/* PIT clocks in @cycles of the TSC. */
static unsigned tsc_to_clocks(u64 cycles)
{
	return PIT_HZ * tsc_to_us(cycles) / SECOND_US;
}

/*
 * A loaded host can stop the vCPU for longer than a check can bear (a
 * counter wrapping, a one-shot expiring): a check runs again, up to
 * TRIES times, when more than @max PIT clocks passed since @t0. False
 * when the check can stand.
 */
static bool stalled(u64 t0, unsigned max)
{
	return tsc_timed && tsc_to_clocks(rdtsc() - t0) > max;
}

/* The most a counter can have moved since @t0, with some slack for
 * the TSC rate's error; the whole period untimed. */
static unsigned window_max(u64 t0)
{
	unsigned c = tsc_to_clocks(rdtsc() - t0);

	return tsc_timed && c < COUNT_LONG / 2 ? c * 2 + 2000 : COUNT_LONG;
}

static void test_latch(void)
{
	u16 c1 = 0, c2 = 0, held = 0, after = 0;
	unsigned dec, want_min = 1, want_max = COUNT_LONG, try;
	u64 t0;

	report_prefix_push("latch");
	/* Mode 2 wraps every COUNT_LONG clocks (55 ms): each check wants
	 * less than that between its reads, and then the counter went down
	 * by about the time between them, less for a latched count. */
	for (try = 0; try < TRIES; try++) {
		pit_program(0, 2, COUNT_LONG);
		delay_us(100);
		t0 = rdtsc();
		c1 = pit_latch(0);
		delay_us(1000);
		c2 = pit_latch(0);
		want_max = window_max(t0);
		if (!stalled(t0, COUNT_LONG * 3 / 4))
			break;
	}
	dec = down_by(c1, c2, COUNT_LONG);
	report(dec > 0 && dec <= want_max,
	       "mode 2 count goes down (got %#x then %#x: %u clocks, want 1 "
	       "to %u)", c1, c2, dec, want_max);

	/* A latched count stays until read: latch, wait 10 ms, read it,
	 * and compare with a fresh latch. */
	for (try = 0; try < TRIES; try++) {
		outb(PIT_SC(0) | PIT_RW_LATCH, PIT_CTRL);
		t0 = rdtsc();
		delay_us(10000);
		held = inb(PIT_CH(0));
		held |= inb(PIT_CH(0)) << 8;
		after = pit_latch(0);
		want_min = tsc_timed ? tsc_to_clocks(rdtsc() - t0) / 2 : 1;
		want_max = window_max(t0);
		if (!stalled(t0, COUNT_LONG * 3 / 4))
			break;
	}
	dec = down_by(held, after, COUNT_LONG);
	report(dec >= want_min && dec <= want_max, "latched count held while "
	       "the counter ran (got %#x, then %#x live: %u clocks apart, "
	       "want %u to %u)", held, after, dec, want_min, want_max);

	/* A second latch command before the first is read is ignored
	 * ("Counter Latch Command"). */
	for (try = 0; try < TRIES; try++) {
		outb(PIT_SC(0) | PIT_RW_LATCH, PIT_CTRL);
		t0 = rdtsc();
		delay_us(5000);
		outb(PIT_SC(0) | PIT_RW_LATCH, PIT_CTRL);
		held = inb(PIT_CH(0));
		held |= inb(PIT_CH(0)) << 8;
		after = pit_latch(0);
		want_min = tsc_timed ? tsc_to_clocks(rdtsc() - t0) / 2 : 1;
		want_max = window_max(t0);
		if (!stalled(t0, COUNT_LONG * 3 / 4))
			break;
	}
	dec = down_by(held, after, COUNT_LONG);
	report(dec >= want_min && dec <= want_max, "a second latch before "
	       "reading is ignored (got %#x, then %#x live: %u clocks apart, "
	       "want %u to %u)", held, after, dec, want_min, want_max);
	report_prefix_pop();
}

static void test_access_order(void)
{
	const u16 want = 0xa0f0;
	unsigned lo_bound = 0, try;
	u16 got = 0;
	u64 t0;
	u8 b = 0;

	report_prefix_push("access");
	/* LSB then MSB: 0xf0, 0xa0 is count 0xa0f0; the other order would
	 * give 0xf0a0, above what was written. Mode 0 wraps to FFFFh after
	 * 0, so the read must come well within the count. */
	for (try = 0; try < TRIES; try++) {
		outb(PIT_SC(0) | PIT_RW_LSB_MSB | PIT_MODE(0), PIT_CTRL);
		outb(want & 0xff, PIT_CH(0));
		t0 = rdtsc();
		outb(want >> 8, PIT_CH(0));
		got = pit_latch(0);
		lo_bound = tsc_timed ? tsc_to_clocks(rdtsc() - t0) * 2 + 2000
				 : 0x2000;
		if (!stalled(t0, want / 2))
			break;
	}
	lo_bound = lo_bound < want ? want - lo_bound : 0;
	report(got <= want && got >= lo_bound, "LSB then MSB: count %#x "
	       "(got %#x, want in [%#x, %#x])", want, got, lo_bound, want);

	/* RW = 10, MSB only: the LSB is loaded as 0 and reads return the
	 * MSB only. */
	for (try = 0; try < TRIES; try++) {
		outb(PIT_SC(0) | PIT_RW_MSB | PIT_MODE(0), PIT_CTRL);
		t0 = rdtsc();
		outb(0x80, PIT_CH(0));
		b = inb(PIT_CH(0));
		lo_bound = tsc_timed ? (tsc_to_clocks(rdtsc() - t0) * 2 >> 8) + 2
				 : 0x20;
		if (!stalled(t0, 0x4000))
			break;
	}
	lo_bound = lo_bound < 0x80 ? 0x80 - lo_bound : 0;
	report(b <= 0x80 && b >= lo_bound, "MSB only: count 0x8000 reads "
	       "MSB (got %#x, want in [%#x, 0x80])", b, lo_bound);

	/* RW = 01, LSB only: the MSB is loaded as 0, so count 0xff (214
	 * us) expires well within 2 ms, whatever the MSB was before. */
	outb(PIT_SC(0) | PIT_RW_LSB | PIT_MODE(0), PIT_CTRL);
	outb(0xff, PIT_CH(0));
	delay_us(2000);
	b = pit_status(0);
	report((b & PIT_ST_OUT) &&
	       (b & PIT_ST_CTRL) == (PIT_RW_LSB | PIT_MODE(0)),
	       "LSB only: count 0xff expires within 2 ms (got status %#x, want "
	       "%#x)", b, PIT_ST_OUT | PIT_RW_LSB | PIT_MODE(0));
	report_prefix_pop();
}

static void test_read_back(void)
{
	u8 st, st0 = 0, lo = 0, hi = 0;
	unsigned try;
	u16 count;
	u64 t0;

	report_prefix_push("read-back");

	/* The status byte repeats the control word's bits 5:0; NULL COUNT
	 * is 1 from a control word write until a count is loaded ("Status
	 * Byte", "Null Count"). */
	outb(PIT_SC(2) | PIT_RW_LSB_MSB | PIT_MODE(0) | PIT_BCD, PIT_CTRL);
	st = pit_status(2);
	report((st & PIT_ST_CTRL) == (PIT_RW_LSB_MSB | PIT_MODE(0) | PIT_BCD),
	       "status: control bits for mode 0, LSB/MSB, BCD (got %#x, want "
	       "%#x)", st & PIT_ST_CTRL, PIT_RW_LSB_MSB | PIT_MODE(0) | PIT_BCD);
	report(st & PIT_ST_NULL, "status: NULL COUNT set after a control "
	       "word, before a count (got status %#x, want bit 6 set)", st);

	pit_program(0, 2, COUNT_100HZ);
	delay_us(100);
	st = pit_status(0);
	report((st & PIT_ST_CTRL) == (PIT_RW_LSB_MSB | PIT_MODE(2)),
	       "status: control bits for mode 2, LSB/MSB, binary (got %#x, "
	       "want %#x)", st & PIT_ST_CTRL, PIT_RW_LSB_MSB | PIT_MODE(2));
	report(!(st & PIT_ST_NULL), "status: NULL COUNT clear once the "
	       "count is loaded (got status %#x, want bit 6 clear)", st);
	/* Mode 2: OUT high except for one clock per period ("Mode 2"). */
	report(st & PIT_ST_OUT, "status: mode 2 OUT high between terminal "
	       "counts (got status %#x, want bit 7 set)", st);

	/* Mode 0: OUT low from the count write until terminal count; then
	 * count and status latched together: status first, then the count
	 * LSB, MSB ("Read-Back Command"). */
	for (try = 0; try < TRIES; try++) {
		t0 = rdtsc();
		pit_program(0, 0, COUNT_LONG);
		delay_us(100);
		st0 = pit_status(0);
		outb(PIT_READ_BACK | PIT_RB_CNT(0), PIT_CTRL);
		st = inb(PIT_CH(0));
		lo = inb(PIT_CH(0));
		hi = inb(PIT_CH(0));
		if (!stalled(t0, COUNT_LONG / 2))
			break;
	}
	report(!(st0 & PIT_ST_OUT) &&
	       (st0 & PIT_ST_CTRL) == (PIT_RW_LSB_MSB | PIT_MODE(0)),
	       "status: mode 0 while counting: OUT low (got status %#x, want "
	       "%#x)", st0, PIT_RW_LSB_MSB | PIT_MODE(0));
	count = lo | hi << 8;
	report((st & PIT_ST_CTRL) == (PIT_RW_LSB_MSB | PIT_MODE(0)) &&
	       count < COUNT_LONG && count > COUNT_LONG / 2,
	       "count and status latched at once: status first (got status "
	       "%#x, count %#x; want %#x, count in (%#x, %#x))", st, count,
	       PIT_RW_LSB_MSB | PIT_MODE(0), COUNT_LONG / 2, COUNT_LONG);
	report_prefix_pop();
}

static void pit_pin_setup(bool on)
{
	u64 entry = on ? VEC_PIT | IOAPIC_DM_FIXED |
			 (u64)apic_id() << IOAPIC_DEST_SHIFT : IOAPIC_MASKED;

	ioapic_write_redir(pit_gsi, entry);
	/* The ISA IRQ number's own pin, when IRQ0 is overridden away from
	 * it: nothing may arrive there. */
	if (pit_gsi != PIT_ISA_IRQ)
		ioapic_write_redir(PIT_ISA_IRQ,
				   on ? VEC_WRONG_PIN | IOAPIC_DM_FIXED |
				   (u64)apic_id() << IOAPIC_DEST_SHIFT
				      : IOAPIC_MASKED);
}

static unsigned count_vector(u8 vec)
{
	unsigned i, n = 0;

	for (i = 0; i < irq_log_len(); i++)
		n += irq_log_vector(i) == vec;
	return n;
}

static void test_mode0_irq(void)
{
	u64 t0, el, want_us = COUNT_LONG * SECOND_US / PIT_HZ;
	unsigned try;
	bool ok;
	u8 st;

	report_prefix_push("mode 0");
	/* Quiet channel 0 (count 1, expired at once), unmask, and take
	 * the edges still on their way until a settle passes without one
	 * (a loaded host delivers them late), then start the count. */
	pit_program(0, 0, 1);
	delay_us(1000);
	pit_pin_setup(true);
	for (try = 0; try < TRIES + 2; try++) {
		irq_count_reset();
		irq_settle(IRQ_SETTLE_CYCLES);
		if (!irq_count(0))
			break;
	}
	t0 = rdtsc();
	pit_program(0, 0, COUNT_LONG);
	ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	el = rdtsc() - t0;
	report(ok && irq_log_vector(0) == VEC_PIT, "terminal count raises "
	       "IRQ0 on I/O APIC pin %d (got %u interrupts, first vector "
	       "%#x; want 1, %#x)", pit_gsi, irq_count(0), irq_log_vector(0),
	       VEC_PIT);
	if (tsc_timed)
		report(tsc_to_us(el) >= want_us / 2, "not before the count "
		       "expires (got after %llu us, want >= %llu us)",
		       (unsigned long long)tsc_to_us(el),
		       (unsigned long long)want_us / 2);
	st = pit_status(0);
	report(st & PIT_ST_OUT, "OUT high after terminal count (got status "
	       "%#x, want bit 7 set)", st);

	/* One shot: nothing more for two more count periods. */
	irq_settle(us_to_tsc(2 * want_us));
	st = pit_status(0);
	report(irq_count(0) == 1 && (st & PIT_ST_OUT), "one interrupt, OUT "
	       "stays high (got %u interrupts, status %#x; want 1, bit 7 "
	       "set)", irq_count(0), st);
	report(!count_vector(VEC_WRONG_PIN), "nothing on pin %d (got %u "
	       "interrupts there, want 0)", PIT_ISA_IRQ,
	       count_vector(VEC_WRONG_PIN));
	pit_pin_setup(false);
	report_prefix_pop();
}

static void test_mode2_rate(void)
{
	const u64 window_us = 200000;
	const u64 period_us = COUNT_100HZ * SECOND_US / PIT_HZ;
	struct irq_rate r;

	report_prefix_push("mode 2");
	if (!tsc_timed) {
		report_skip("rate: no PM timer to time the TSC by");
		report_prefix_pop();
		return;
	}
	pit_program(0, 2, COUNT_100HZ);
	irq_count_reset();
	pit_pin_setup(true);
	/* Merged ticks from a held-off vCPU: see irq_rate_measure(). */
	r = irq_rate_measure(SECOND_US / period_us, window_us, RATE_TRIES,
			     NULL);
	report(irq_rate_ok(&r), "periodic IRQ0 "
	       "at %llu Hz (got %u interrupts in %llu us, %llu us of "
	       "it with the vCPU held off; want %u to %u)",
	       SECOND_US / period_us, r.got,
	       (unsigned long long)r.el_us,
	       (unsigned long long)r.lost_us, r.lo, r.hi);
	pit_pin_setup(false);
	pit_program(0, 0, COUNT_LONG);
	/* Take an interrupt accepted while IF was clear now, not later. */
	irq_settle(IRQ_SETTLE_CYCLES);
	report_prefix_pop();
}

static void port_b_write(u8 bits)
{
	outb((inb(PORT_B) & PORT_B_WRITABLE) | bits, PORT_B);
}

static void test_channel2(void)
{
	const u16 count = COUNT_LONG;
	u64 want_us = count * SECOND_US / PIT_HZ, t0 = 0, t_gate = 0, el;
	u64 prev, now, lost = 0;
	unsigned try;
	u8 b, b_low = 0, b_high = 0;
	u16 c = 0;

	report_prefix_push("channel 2");
	port_b_write(0);
	b = inb(PORT_B);
	report((b & (PORT_B_GATE2 | PORT_B_SPKR)) == 0, "port 61h: gate and "
	       "speaker bits read back clear (got %#x)", b);

	/* Mode 0: GATE low suspends counting, OUT stays low; with GATE
	 * high it counts, OUT low until terminal count ("Mode 0"). */
	for (try = 0; try < TRIES; try++) {
		port_b_write(0);
		t0 = rdtsc();
		pit_program(2, 0, count);
		delay_us(5000);
		c = pit_latch(2);
		b_low = inb(PORT_B);
		port_b_write(PORT_B_GATE2);
		t_gate = rdtsc();
		b_high = inb(PORT_B);
		if (!stalled(t0, count / 2))
			break;
	}
	report(c == count, "gate low: counting suspended (got count %#x, "
	       "want %#x)", c, count);
	report(!(b_low & PORT_B_OUT2), "gate low: OUT low at port 61h bit 5 "
	       "(got %#x)", b_low);
	report((b_high & PORT_B_GATE2) && !(b_high & PORT_B_OUT2), "gate "
	       "high: OUT low while counting (got port 61h %#x, want bit 0 "
	       "set, bit 5 clear)", b_high);

	/* Polls more than HELD_OFF_US apart mean the vCPU did not run in
	 * between (a loaded or nested host): that time is not the
	 * counter's. */
	prev = t_gate;
	for (;;) {
		b = inb(PORT_B);
		now = rdtsc();
		if (now - prev > us_to_tsc(HELD_OFF_US))
			lost += now - prev;
		prev = now;
		if ((b & PORT_B_OUT2) || now - t_gate >= IRQ_WAIT_CYCLES)
			break;
		pause();
	}
	el = now - t_gate;
	report(b & PORT_B_OUT2, "OUT high at terminal count (got port 61h "
	       "%#x, want bit 5 set)", b);
	/* No lower bound: a counter that ignored the gate (checked above)
	 * expires early. */
	if (tsc_timed)
		report(tsc_to_us(el - lost) <= want_us * 2 + 100000, "OUT rose "
		       "within the count from the gate's rise (got %llu us, "
		       "%llu us of it with the vCPU held off; want <= %llu us "
		       "besides)", (unsigned long long)tsc_to_us(el),
		       (unsigned long long)tsc_to_us(lost),
		       (unsigned long long)want_us * 2 + 100000);
	port_b_write(0);
	report_prefix_pop();
}

int main(void)
{

	report_prefix_push("pit");
	irq_count_install(VEC_PIT);
	irq_count_install(VEC_WRONG_PIN);
	cli();

	tsc_time_init();
	report_info("TSC %llu Hz (%s)", (unsigned long long)tsc_hz,
		    tsc_timed ? "by the PM timer" : "guessed, no PM timer");

	/* ACPI 6.4, 5.2.12.5: ISA IRQ0 arrives where the MADT's interrupt
	 * source override says, pin 2 on PC-compatible machines. */
	pit_gsi = acpi_isa_irq_gsi(PIT_ISA_IRQ);
	if (pit_gsi < 0) {
		report_info("no MADT: assuming IRQ0 on I/O APIC pin 2");
		pit_gsi = 2;
	}
	report_info("IRQ0 is I/O APIC pin %d", pit_gsi);

	test_latch();
	test_access_order();
	test_read_back();
	test_mode0_irq();
	test_mode2_rate();
	test_channel2();
	return report_summary();
}
