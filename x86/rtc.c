/*
 * MC146818 real-time clock (Motorola MC146818A data sheet; the PC's
 * CMOS RTC at ports 70h/71h): registers A-D, BCD and binary, 24- and
 * 12-hour representation, the update cycle (UIP), and the periodic,
 * update-ended and alarm interrupts on ISA IRQ8 through the I/O APIC.
 * Rates are measured against the TSC, itself timed by the ACPI PM timer,
 * with loose bounds (x0.5 to x2) because the host may be loaded.
 */
#include "libcflat.h"
#include "x86/acpi.h"
#include "x86/apic.h"
#include "x86/cmos.h"
#include "x86/desc.h"
#include "x86/ioapic.h"
#include "x86/irqcount.h"
#include "x86/processor.h"
#include "x86/tsctime.h"

/* PC-AT: index at 70h (bit 7 is the NMI mask, kept clear), data 71h. */

/* MC146818A "Address Map": time, alarm and date bytes, then A-D. */
#define RTC_SEC			0x00
#define RTC_SEC_ALARM		0x01
#define RTC_MIN			0x02
#define RTC_MIN_ALARM		0x03
#define RTC_HOUR		0x04
#define RTC_HOUR_ALARM		0x05
#define RTC_DAY			0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d

/* Register A: UIP (read-only), DV2:DV0 (010: 32.768 kHz time base,
 * counting), RS3:RS0 (periodic rate 32768 >> (RS - 1) Hz for RS >= 3). */
#define REG_A_UIP		0x80
#define REG_A_DV_MASK		0x70
#define REG_A_DV_32K		0x20
#define REG_A_RS_MASK		0x0f
#define RTC_BASE_HZ		32768u
/* Register B */
#define REG_B_SET		0x80
#define REG_B_PIE		0x40
#define REG_B_AIE		0x20
#define REG_B_UIE		0x10
#define REG_B_SQWE		0x08
#define REG_B_DM_BINARY		0x04
#define REG_B_24H		0x02
#define REG_B_DSE		0x01
/* Register C: read-only flags, cleared by reading */
#define REG_C_IRQF		0x80
#define REG_C_PF		0x40
#define REG_C_AF		0x20
#define REG_C_UF		0x10
/* Register D: valid RAM and time */
#define REG_D_VRT		0x80
/* Century byte: not an MC146818 register but CMOS RAM the FADT's
 * CENTURY field names (ACPI 6.4, 5.2.9, offset 108); it is in the data
 * mode of the others, so it is rewritten with them. */
#define FADT_CENTURY		108
/* 12-hour mode: bit 7 of the hours byte is PM. */
#define HOUR_PM			0x80
/* An alarm byte with bits 7:6 set matches any value ("don't care"). */
#define ALARM_DONT_CARE		0xff

#define RTC_ISA_IRQ		8
#define VEC_RTC			0x72
#define LOG_SIZE		8

#define SECOND_US		1000000ull
/* Rate measurements and stalled checks: tries; UIP: updates watched. */
#define RATE_TRIES		5
#define UIP_TRIES		5
/* UIP is set this long before an update (data sheet, Register A) */
#define UIP_US			244
/* A gap between two TSC reads of a wait this long: the vCPU was held
 * off; a wait held off this long in all is made again. */
#define HELD_GAP_US		20000
#define HELD_US			100000
/* From an update to the end of setting the time, at most (of 1 s) */
#define SET_MAX_US		500000

static int rtc_gsi;
static u8 century_reg;	/* 0: none */

/* Register C and the TSC at each RTC interrupt, read by the hook. */
static volatile u8 regc_log[LOG_SIZE];
static volatile u64 tsc_log[LOG_SIZE];
static volatile unsigned nlog;

/* Reading register C lowers IRQ8 (data sheet, "Register C"), so the
 * next flag makes a new edge. */
static void rtc_hook(struct ex_regs *regs)
{
	unsigned n = nlog;

	if (regs->vector != VEC_RTC)
		return;
	if (n < LOG_SIZE) {
		regc_log[n] = cmos_read(RTC_REG_C);
		tsc_log[n] = rdtsc();
	} else {
		cmos_read(RTC_REG_C);
	}
	nlog = n + 1;
}

static void rtc_irq_reset(void)
{
	unsigned i;

	for (i = 0; i < LOG_SIZE; i++)
		regc_log[i] = 0;
	nlog = 0;
	irq_count_reset();
}

static void rtc_pin(bool on)
{
	ioapic_write_redir(rtc_gsi, on ? VEC_RTC | IOAPIC_DM_FIXED |
			   (u64)apic_id() << IOAPIC_DEST_SHIFT : IOAPIC_MASKED);
}

/* Wait for UIP to be @level, up to 2 s; the TSC when it was seen, or 0. */
static u64 wait_uip(bool level)
{
	u64 start = rdtsc(), now;

	do {
		now = rdtsc();
		if (!!(cmos_read(RTC_REG_A) & REG_A_UIP) == level)
			return now;
	} while (now - start < us_to_tsc(2 * SECOND_US));
	return 0;
}

/*
 * Wait for UIP to rise; the TSC then, or 0 after 2 s. *@sec gets the
 * seconds read last before. UIP is set only 244 us before an update
 * (data sheet, "Update Cycle"), which a descheduled vCPU can miss: a
 * seconds change without UIP seen counts in *@missed, and the wait
 * goes on for the next update, up to UIP_TRIES updates.
 */
static u64 wait_uip_rise(u8 *sec, unsigned *missed, unsigned *held)
{
	u64 start = rdtsc(), now, after, prev = start;
	u8 s = cmos_read(RTC_SEC), s2;

	*missed = 0;
	*held = 0;
	do {
		now = rdtsc();
		if (cmos_read(RTC_REG_A) & REG_A_UIP) {
			*sec = s;
			return now;
		}
		s2 = cmos_read(RTC_SEC);
		after = rdtsc();
		/*
		 * An update went by unseen: it came after the seconds read of
		 * the last round and before this one's. Only when the UIP read
		 * of the last round and this seconds read lie less than the
		 * UIP time apart must one of the two UIP reads have fallen in
		 * the window before it; after a longer span (the host held the
		 * vCPU off anywhere in it, even between a TSC read and the
		 * port read that follows) the sighting proves nothing.
		 */
		if (s2 != s) {
			++*missed;
			if (tsc_to_us(after - prev) >= UIP_US)
				++*held;
			if (*missed >= UIP_TRIES)
				return 0;
		}
		s = s2;
		prev = now;
	} while (now - start < us_to_tsc((UIP_TRIES + 1) * SECOND_US));
	return 0;
}

struct rtc_time {
	u8 sec, min, hour, day, month, year;
};

/*
 * Set the time in the representation @reg_b selects. The data sheet
 * ("Time, Calendar and Alarm Data Modes") leaves the bytes as they are
 * when DM or 24/12 changes, so every one is written again, with the
 * century (20th here) too.
 */
static void rtc_set(u8 reg_b, const struct rtc_time *t)
{
	cmos_write(RTC_REG_B, reg_b | REG_B_SET);
	if (century_reg)
		cmos_write(century_reg, reg_b & REG_B_DM_BINARY ? 20 : 0x20);
	cmos_write(RTC_SEC, t->sec);
	cmos_write(RTC_MIN, t->min);
	cmos_write(RTC_HOUR, t->hour);
	cmos_write(RTC_DAY, t->day);
	cmos_write(RTC_MONTH, t->month);
	cmos_write(RTC_YEAR, t->year);
	cmos_write(RTC_REG_B, reg_b);
}

static void rtc_get(struct rtc_time *t)
{
	t->sec = cmos_read(RTC_SEC);
	t->min = cmos_read(RTC_MIN);
	t->hour = cmos_read(RTC_HOUR);
	t->day = cmos_read(RTC_DAY);
	t->month = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
}

/* Same time, the seconds allowed one later (an update may intervene). */
static bool rtc_same(const struct rtc_time *a, const struct rtc_time *b,
		     u8 sec_next)
{
	return (a->sec == b->sec || a->sec == sec_next) && a->min == b->min &&
	       a->hour == b->hour && a->day == b->day &&
	       a->month == b->month && a->year == b->year;
}

static void report_time(bool ok, const char *what, const struct rtc_time *g,
			const struct rtc_time *w)
{
	report(ok, "%s (got %02x:%02x:%02x %02x/%02x/%02x, want "
	       "%02x:%02x:%02x %02x/%02x/%02x, hh:mm:ss dd/mm/yy bytes)", what,
	       g->hour, g->min, g->sec, g->day, g->month, g->year,
	       w->hour, w->min, w->sec, w->day, w->month, w->year);
}

static void test_registers(void)
{
	u8 a = cmos_read(RTC_REG_A), d = cmos_read(RTC_REG_D);

	report_prefix_push("registers");
	report((a & REG_A_DV_MASK) == REG_A_DV_32K, "register A: divider "
	       "32.768 kHz, counting (got DV %#x, want %#x)",
	       a & REG_A_DV_MASK, REG_A_DV_32K);
	report(d == REG_D_VRT, "register D: VRT set, bits 6:0 clear (got "
	       "%#x, want %#x)", d, REG_D_VRT);
	/* Register D is read-only ("Register D"). */
	cmos_write(RTC_REG_D, 0);
	d = cmos_read(RTC_REG_D);
	report(d == REG_D_VRT, "register D: a write does not change it "
	       "(got %#x, want %#x)", d, REG_D_VRT);
	report_prefix_pop();
}

/* Times written with SET and read back in each representation
 * ("Time, Calendar and Alarm Data Modes", table 3). */
static void test_modes(void)
{
	const struct rtc_time bcd24 = { 0x30, 0x45, 0x13, 0x25, 0x11, 0x26 };
	const struct rtc_time bin12 = { 30, 45, 1 | HOUR_PM, 25, 11, 26 };
	const struct rtc_time bcd12 = { 0x30, 0x45, 0x12, 0x25, 0x11, 0x26 };
	struct rtc_time got;

	report_prefix_push("modes");
	rtc_set(REG_B_24H, &bcd24);
	rtc_get(&got);
	report_time(rtc_same(&got, &bcd24, 0x31), "BCD, 24-hour: 13:45:30",
		    &got, &bcd24);

	rtc_set(REG_B_DM_BINARY, &bin12);
	rtc_get(&got);
	report_time(rtc_same(&got, &bin12, 31), "binary, 12-hour: 1:45:30 "
		    "PM is hour 1 with bit 7", &got, &bin12);

	/* 12 AM (midnight) is hour 12 without the PM bit. */
	rtc_set(0, &bcd12);
	rtc_get(&got);
	report_time(rtc_same(&got, &bcd12, 0x31), "BCD, 12-hour: 12:45:30 "
		    "AM", &got, &bcd12);
	report_prefix_pop();
}

/* Register C flags are set whatever the enables; IRQF only with one
 * enabled; reading clears them all ("Register C"). */
static void test_reg_c(void)
{
	const u8 rs = 0x0a;	/* 64 Hz, 15.6 ms */
	unsigned try;
	u8 c1 = 0, c2 = 0;
	u64 t0;

	report_prefix_push("register C");
	cmos_write(RTC_REG_B, REG_B_24H);
	cmos_write(RTC_REG_A, REG_A_DV_32K | rs);
	/* The second read must come before the next period: again if a
	 * loaded host held the vCPU off between the two. */
	for (try = 0; try < RATE_TRIES; try++) {
		cmos_read(RTC_REG_C);
		delay_us(40000);
		c1 = cmos_read(RTC_REG_C);
		t0 = rdtsc();
		c2 = cmos_read(RTC_REG_C);
		if (tsc_to_us(rdtsc() - t0) < 5000)
			break;
	}
	report((c1 & (REG_C_PF | REG_C_IRQF)) == REG_C_PF, "PF set by the "
	       "periodic rate with PIE clear, IRQF clear (got %#x, want PF "
	       "%#x without IRQF %#x)", c1, REG_C_PF, REG_C_IRQF);
	report(!(c2 & (REG_C_PF | REG_C_IRQF)), "a read clears the flags "
	       "(got %#x on the next read, want PF and IRQF clear)", c2);
	report_prefix_pop();
}

static void test_periodic(void)
{
	const u8 rs = 0x09;	/* 32768 >> 8 = 128 Hz */
	const u64 window_us = 200000;
	unsigned hz = RTC_BASE_HZ >> (rs - 1), got, i, bad = 0;
	struct irq_rate r;

	report_prefix_push("periodic");
	if (!tsc_timed) {
		report_skip("no PM timer to time the TSC by");
		report_prefix_pop();
		return;
	}
	cmos_write(RTC_REG_A, REG_A_DV_32K | rs);
	cmos_write(RTC_REG_B, REG_B_24H | REG_B_PIE);
	cmos_read(RTC_REG_C);
	rtc_irq_reset();
	rtc_pin(true);
	/* Merged ticks from a held-off vCPU: see irq_rate_measure(). */
	r = irq_rate_measure(hz, window_us, RATE_TRIES, rtc_irq_reset);
	got = r.got;
	report(irq_rate_ok(&r), "IRQ%d at %u "
	       "Hz (got %u interrupts in %llu us, %llu us of it with "
	       "the vCPU held off; want %u to %u)", RTC_ISA_IRQ, hz,
	       got, (unsigned long long)r.el_us,
	       (unsigned long long)r.lost_us, r.lo, r.hi);
	for (i = 0; i < LOG_SIZE && i < got; i++)
		bad += (regc_log[i] & (REG_C_IRQF | REG_C_PF)) !=
		       (REG_C_IRQF | REG_C_PF);
	report(got && !bad, "register C in the handler has IRQF and PF "
	       "(got %#x first, %u of the first %u without; want %#x set)",
	       regc_log[0], bad, got < LOG_SIZE ? got : LOG_SIZE,
	       REG_C_IRQF | REG_C_PF);
	rtc_pin(false);
	cmos_write(RTC_REG_B, REG_B_24H);
	cmos_write(RTC_REG_A, REG_A_DV_32K);
	cmos_read(RTC_REG_C);
	/* Take an interrupt accepted while IF was clear now, not later. */
	irq_settle(IRQ_SETTLE_CYCLES);
	report_prefix_pop();
}

/*
 * Wait up to 3 s for the seconds to change between two reads less than
 * HELD_GAP_US apart (a change seen across a longer gap may be old): the
 * TSC of the read that saw it, or 0.
 */
static u64 wait_sec_change(void)
{
	u64 start = rdtsc(), prev = start, before, after;
	u8 s = cmos_read(RTC_SEC), s2;

	do {
		before = rdtsc();
		s2 = cmos_read(RTC_SEC);
		after = rdtsc();
		/* from the start of the last read to the end of this one */
		if (s2 != s && after - prev < us_to_tsc(HELD_GAP_US))
			return after;
		s = s2;
		prev = before;
	} while (after - start < us_to_tsc(3 * SECOND_US));
	return 0;
}

/*
 * Wait with interrupts enabled until this CPU has taken @want interrupts
 * or the vCPU has run @run_us since @start (a TSC value), at most ten
 * times that in all; *@lost gets the time in gaps of HELD_GAP_US or more
 * between two TSC reads, from @start on: time a host held the vCPU off,
 * in which an interrupt that came could not be taken.
 */
static bool wait_irq_running(unsigned want, u64 start, u64 run_us, u64 *lost)
{
	u64 run = us_to_tsc(run_us), gap = us_to_tsc(HELD_GAP_US);
	u64 prev = start, now;

	*lost = 0;
	sti();
	for (;;) {
		now = rdtsc();
		if (now - prev >= gap)
			*lost += now - prev;
		prev = now;
		if (irq_count(0) >= want || now - start - *lost >= run ||
		    now - start >= 10 * run)
			break;
		pause();
	}
	cli();
	return irq_count(0) >= want;
}

/*
 * 11:59:59 PM on 31 December, binary 12-hour mode, with the update-ended
 * interrupt and an alarm at second 0, minute and hour "don't care": the
 * next update rolls everything over and raises UF and AF in one
 * interrupt; around the update after it UIP rises and falls, the
 * seconds go to 1, and only UF comes.
 */
static void test_update_alarm(void)
{
	const struct rtc_time start = { 59, 59, 11 | HOUR_PM, 31, 12, 25 };
	const struct rtc_time midnight = { 0, 0, 12, 1, 1, 26 };
	const u8 reg_b = REG_B_DM_BINARY | REG_B_UIE | REG_B_AIE;
	struct rtc_time got;
	u64 t_before, t_set, t_read, t_uip = 0, t_fall = 0, el = 0, lost = 0;
	u64 t_sync;
	bool ok = false, late;
	u8 sec_before = 0, sec_after = 0, sec_max = 0;
	unsigned missed = 0, held = 0, obs, updates, try;

	report_prefix_push("update");
	/*
	 * Up to RATE_TRIES times, until a try whose wait for the update
	 * was not held off for HELD_US or more (see wait_irq_running()).
	 */
	for (try = 0; try < RATE_TRIES; try++) {
		/*
		 * An update while SET is 1 leaves the time alone but still
		 * sets UF (data sheet, "Register B": SET inhibits the
		 * update transfer, not the interrupts; QEMU's
		 * check_update_timer() says the same), and clearing SET
		 * with UIE then raises IRQ8 at once for that stale UF.
		 * Start right after an update, so none comes while SET is
		 * 1; a try that took SET_MAX_US or more from that update
		 * to clearing SET is made again.
		 */
		t_sync = wait_sec_change();
		cmos_write(RTC_REG_B, REG_B_DM_BINARY | REG_B_SET);
		cmos_write(RTC_SEC_ALARM, 0);
		cmos_write(RTC_MIN_ALARM, ALARM_DONT_CARE);
		cmos_write(RTC_HOUR_ALARM, ALARM_DONT_CARE);
		cmos_read(RTC_REG_C);
		rtc_pin(true);
		/* Take whatever edge is pending from before. */
		irq_settle(IRQ_SETTLE_CYCLES);
		rtc_irq_reset();
		t_before = rdtsc();
		rtc_set(reg_b, &start);
		t_set = rdtsc();
		ok = wait_irq_running(1, t_set, 3 * SECOND_US, &lost);
		rtc_get(&got);
		t_read = rdtsc();
		late = !t_sync || tsc_to_us(t_set - t_sync) >= SET_MAX_US;
		if (tsc_to_us(lost) < HELD_US && !late)
			break;
		report_info("try %u: the vCPU was held off for %llu us of the "
			    "wait for the update; SET cleared %llu us after an "
			    "update (%s)", try + 1,
			    (unsigned long long)tsc_to_us(lost),
			    t_sync ? (unsigned long long)tsc_to_us(t_set -
								   t_sync) : 0,
			    t_sync ? "seen" : "not seen in 3 s");
	}
	report(ok && regc_log[0] == (REG_C_IRQF | REG_C_UF | REG_C_AF),
	       "one interrupt with UF and AF within a second (got %u, "
	       "register C %#x; want 1, %#x)", irq_count(0), regc_log[0],
	       REG_C_IRQF | REG_C_UF | REG_C_AF);
	/* Time the vCPU did not run cannot count against the device. */
	if (tsc_timed && ok)
		report(tsc_to_us(tsc_log[0] - t_set - lost) <= 2 * SECOND_US,
		       "first update within a second of setting (got %llu "
		       "us, %llu us of it with the vCPU held off; want <= "
		       "1 s, x2)",
		       (unsigned long long)tsc_to_us(tsc_log[0] - t_set),
		       (unsigned long long)tsc_to_us(lost));
	/*
	 * The divider runs on under SET, so the first update comes less
	 * than a second after SET is cleared, and update k a second after
	 * update k - 1: t seconds after t_before the seconds can read at
	 * most floor(t) (2% for the TSC's calibration). Read at once, that
	 * is 0; after a vCPU held off, later seconds are no error.
	 */
	if (tsc_timed) {
		el = tsc_to_us(t_read - t_before);
		sec_max = (el + el / 50) / SECOND_US;
		if (sec_max > 59)
			sec_max = 59;
	}
	if (sec_max)
		report_info("the time was read %llu us after it was set: "
			    "seconds up to %u are right",
			    (unsigned long long)el, sec_max);
	report_time(got.sec <= sec_max && rtc_same(&got, &midnight, got.sec),
		    "11:59:59 PM 31/12/25 rolls over to 12:00:00 AM 01/01/26",
		    &got, &midnight);

	/*
	 * Interrupts off: watch UIP around the next update. The seconds
	 * read before UIP rises and after it falls differ by one. A host
	 * late with its own update work can show UIP without the update
	 * (QEMU keeps it until its update timer has run): such a sighting
	 * is watched again, up to UIP_TRIES times.
	 */
	for (obs = 0; obs < UIP_TRIES; obs++) {
		t_uip = wait_uip_rise(&sec_before, &missed, &held);
		t_fall = t_uip ? wait_uip(false) : 0;
		sec_after = cmos_read(RTC_SEC);
		if (!t_fall || sec_after == (sec_before + 1) % 60)
			break;
	}
	if (missed || obs)
		report_info("UIP missed %u times, seen without an update %u "
			    "times", missed, obs);
	if (!t_uip && missed && held == missed)
		report_skip("UIP rises and falls around the update: the host held "
			    "the vCPU off across all %u update windows", missed);
	else
		report(t_uip && t_fall, "UIP rises and falls around the update "
		       "(got rise %s, fall %s; %u of %u missed updates polled "
		       "closer than %u us)", t_uip ? "seen" : "not seen",
		       t_fall ? "seen" : "not seen", missed - held, missed,
		       UIP_US);
	if (t_uip && t_fall)
		report(sec_after == (sec_before + 1) % 60, "seconds advance by "
		       "one across UIP (got %u then %u)", sec_before,
		       sec_after);

	/* The time was set at 59 s: update k brings the seconds to k - 1,
	 * and comes k - 1 to k seconds after the setting (the divider runs
	 * on under SET). A stalled vCPU only sees it later. */
	if (tsc_timed && t_fall && sec_after < 30) {
		updates = sec_after + 1;
		el = tsc_to_us(t_fall - t_set);
		report(el >= (updates - 1) * SECOND_US / 2 &&
		       el <= (2 * updates + 1) * SECOND_US, "%u updates in %llu "
		       "us after setting the time (want %llu to %llu us)",
		       updates, (unsigned long long)el,
		       (unsigned long long)(updates - 1) * SECOND_US / 2,
		       (unsigned long long)(2 * updates + 1) * SECOND_US);
	}

	/* The update's interrupt, held while interrupts were off. */
	ok = irq_wait(0, 2, us_to_tsc(2 * SECOND_US));
	report(ok && regc_log[1] == (REG_C_IRQF | REG_C_UF), "next update: "
	       "UF without AF (got %u interrupts, register C %#x; want 2, "
	       "%#x)", irq_count(0), regc_log[1], REG_C_IRQF | REG_C_UF);
	rtc_pin(false);
	cmos_write(RTC_REG_B, REG_B_24H);
	cmos_read(RTC_REG_C);
	report_prefix_pop();
}

int main(void)
{
	const u8 *fadt;

	report_prefix_push("rtc");
	irq_count_install(VEC_RTC);
	irq_count_set_hook(rtc_hook);
	cli();

	tsc_time_init();

	/* ACPI 6.4, 5.2.12.5: IRQ8 is pin 8 unless the MADT overrides it. */
	rtc_gsi = acpi_isa_irq_gsi(RTC_ISA_IRQ);
	if (rtc_gsi < 0) {
		report_info("no MADT: assuming IRQ8 on I/O APIC pin 8");
		rtc_gsi = RTC_ISA_IRQ;
	}
	report_info("IRQ8 is I/O APIC pin %d; TSC %llu Hz (%s)", rtc_gsi,
		    (unsigned long long)tsc_hz,
		    tsc_timed ? "by the PM timer" : "guessed");

	fadt = acpi_find_table("FACP");
	century_reg = fadt ? fadt[FADT_CENTURY] : 0;
	report_info("century at CMOS %#x", century_reg);

	test_registers();
	test_modes();
	test_reg_c();
	test_periodic();
	test_update_alarm();
	return report_summary();
}
