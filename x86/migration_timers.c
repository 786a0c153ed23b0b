/*
 * Platform timers across a live migration:
 *   - PIT channel 2 (Intel 8254 data sheet): its mode from a read-back
 *     status, and a counter that still counts down after the migration;
 *     the gate and speaker bits of port 61h;
 *   - the RTC (MC146818A data sheet): registers A and B, bytes of CMOS
 *     RAM, and the clock still ticking;
 *   - the HPET (IA-PC HPET 1.0a): the enable bit, a comparator and timer
 *     configuration, and a main counter that went on without jumping.
 *
 * test_args: drop   on the destination only, rewrite a CMOS byte and
 *                   stop the HPET, as a migration that lost them would.
 */
#include "libcflat.h"
#include "x86/cmos.h"
#include "migrate.h"
#include "x86/acpi.h"
#include "x86/processor.h"
#include "x86/tsctime.h"
#include "x86/vm.h"

#define PIT_CH2			0x42
#define PIT_CTRL		0x43
#define PIT_SC2			(2 << 6)
#define PIT_RW_LSB_MSB		(3 << 4)
#define PIT_MODE2		(2 << 1)	/* rate generator */
#define PIT_READ_BACK_STATUS2	(0xc0 | (1 << 5) | (1 << 3))
#define PIT_ST_CTRL		0x3f	/* RW, mode, BCD of the status byte */
#define PORT_B			0x61
#define PORT_B_GATE2_SPKR	0x03

#define RTC_SEC			0x00
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_A_TEST		0x26	/* 32.768 kHz base, 1024 Hz rate */
#define RTC_REG_B_TEST		0x06	/* 24-hour, binary, no interrupts */
#define CMOS_TEST_BYTE		0x70	/* free CMOS RAM (QEMU's is 128 bytes) */
#define CMOS_TEST_LEN		8

#define HPET_DEFAULT_BASE	0xfed00000ull
#define ACPI_HPET_ADDR		44	/* HPET spec 3.2.4 */
#define HPET_CAP		0x000
#define HPET_CONF		0x010
#define HPET_COUNTER		0x0f0
#define HPET_T1_CONF		0x120
#define HPET_T1_CMP		0x128
#define HPET_CONF_ENABLE	1u
#define HPET_TN_32MODE		(1u << 8)
#define FS_PER_US		1000000000ull
#define MAX_JUMP_US		(300 * TSCTIME_SECOND_US)

static volatile u8 *hpet;
static bool drop;

static u16 pit2_latch(void)
{
	u8 lo, hi;

	outb(PIT_SC2, PIT_CTRL);	/* counter latch command */
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return lo | hi << 8;
}

static u8 pit2_status(void)
{
	outb(PIT_READ_BACK_STATUS2, PIT_CTRL);
	return inb(PIT_CH2);
}

static u32 hpet_read32(unsigned reg)
{
	return *(volatile u32 *)(hpet + reg);
}

static void hpet_write32(unsigned reg, u32 val)
{
	*(volatile u32 *)(hpet + reg) = val;
}

static u64 hpet_counter(void)
{
	u32 hi, lo;

	do {
		hi = hpet_read32(HPET_COUNTER + 4);
		lo = hpet_read32(HPET_COUNTER);
	} while (hi != hpet_read32(HPET_COUNTER + 4));
	return (u64)hi << 32 | lo;
}

/* True when @read gives a new value within @us of TSC time. */
static bool changes(u64 (*read)(void), u64 us)
{
	u64 first = read(), end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		if (read() != first)
			return true;
	return false;
}

static u64 read_pit(void)
{
	return pit2_latch();
}

static u64 read_rtc_sec(void)
{
	return cmos_read(RTC_SEC);
}

int main(int argc, char **argv)
{
	const u8 *table = acpi_find_table("HPET");
	u64 base = HPET_DEFAULT_BASE, cap, c0 = 0, c1, cmp = 0x123456789ull;
	u8 status, status_after, portb, reg_a, reg_b, cmos[CMOS_TEST_LEN];
	u32 period_fs, t1conf = 0, t1conf_after, conf;
	bool have_hpet;

	drop = argc > 1 && !strcmp(argv[1], "drop");
	report_prefix_push("migration-timers");
	tsc_time_init();
	if (table)
		memcpy(&base, table + ACPI_HPET_ADDR, sizeof(base));
	hpet = ioremap(base, 0x400);
	cap = (u64)hpet_read32(HPET_CAP + 4) << 32 | hpet_read32(HPET_CAP);
	have_hpet = table && cap && cap != ~0ull;
	period_fs = (u32)(cap >> 32);

	/* PIT channel 2, gated on, as a rate generator */
	outb((inb(PORT_B) & ~PORT_B_GATE2_SPKR) | 1, PORT_B);
	outb(PIT_SC2 | PIT_RW_LSB_MSB | PIT_MODE2, PIT_CTRL);
	outb(0xff, PIT_CH2);
	outb(0xff, PIT_CH2);
	status = pit2_status() & PIT_ST_CTRL;
	portb = inb(PORT_B) & PORT_B_GATE2_SPKR;

	cmos_write(RTC_REG_A, RTC_REG_A_TEST);
	cmos_write(RTC_REG_B, RTC_REG_B_TEST);
	for (unsigned i = 0; i < CMOS_TEST_LEN; i++) {
		cmos[i] = (u8)(0xa5 ^ (i * 37));
		cmos_write(CMOS_TEST_BYTE + i, cmos[i]);
	}

	if (have_hpet) {
		hpet_write32(HPET_CONF, hpet_read32(HPET_CONF) | HPET_CONF_ENABLE);
		/* timer 1: no interrupt enabled; a comparator to keep */
		hpet_write32(HPET_T1_CONF, HPET_TN_32MODE);
		hpet_write32(HPET_T1_CMP, (u32)cmp);
		t1conf = hpet_read32(HPET_T1_CONF);
		c0 = hpet_counter();
	}

	migrate();
	if (drop) {
		cmos_write(CMOS_TEST_BYTE + 3, 0);
		if (have_hpet)
			hpet_write32(HPET_CONF, 0);
	}

	report_prefix_push("pit");
	status_after = pit2_status() & PIT_ST_CTRL;
	report(status_after == status, "channel 2 mode from read-back (got %#x, want %#x)",
	       status_after, status);
	report((inb(PORT_B) & PORT_B_GATE2_SPKR) == portb,
	       "port 61h gate and speaker bits (got %#x, want %#x)",
	       inb(PORT_B) & PORT_B_GATE2_SPKR, portb);
	report(changes(read_pit, 10000), "channel 2 counts on the destination");
	report_prefix_pop();

	report_prefix_push("rtc");
	reg_a = cmos_read(RTC_REG_A) & 0x7f;	/* UIP is status, not state */
	reg_b = cmos_read(RTC_REG_B);
	report(reg_a == RTC_REG_A_TEST, "register A (got %#x, want %#x)", reg_a,
	       RTC_REG_A_TEST);
	report(reg_b == RTC_REG_B_TEST, "register B (got %#x, want %#x)", reg_b,
	       RTC_REG_B_TEST);
	for (unsigned i = 0; i < CMOS_TEST_LEN; i++) {
		u8 got = cmos_read(CMOS_TEST_BYTE + i);

		report(got == cmos[i], "CMOS RAM byte %#x (got %#x, want %#x)",
		       CMOS_TEST_BYTE + i, got, cmos[i]);
	}
	if (tsc_timed)
		report(changes(read_rtc_sec, 2 * TSCTIME_SECOND_US),
		       "the clock ticks on the destination (seconds changed within 2 s)");
	else
		report_skip("RTC ticking: no ACPI PM timer to time the wait by");
	report_prefix_pop();

	report_prefix_push("hpet");
	if (!have_hpet) {
		report_skip("no HPET: no ACPI HPET table or GCAP_ID reads %#llx",
			    (unsigned long long)cap);
	} else {
		conf = hpet_read32(HPET_CONF);
		c1 = hpet_counter();
		t1conf_after = hpet_read32(HPET_T1_CONF);
		report(conf & HPET_CONF_ENABLE, "ENABLE_CNF kept (got conf %#x)", conf);
		report(t1conf_after == t1conf, "timer 1 configuration (got %#x, want %#x)",
		       t1conf_after, t1conf);
		report(hpet_read32(HPET_T1_CMP) == (u32)cmp, "timer 1 comparator (got %#x, want %#x)",
		       hpet_read32(HPET_T1_CMP), (u32)cmp);
		report(c1 > c0, "main counter goes on (got %#llx after, want > %#llx)",
		       (unsigned long long)c1, (unsigned long long)c0);
		if (c1 > c0 && period_fs)
			report((c1 - c0) * (u64)period_fs / FS_PER_US < MAX_JUMP_US,
			       "main counter advanced %llu us (want < %llu)",
			       (unsigned long long)((c1 - c0) * (u64)period_fs / FS_PER_US),
			       (unsigned long long)MAX_JUMP_US);
		hpet_write32(HPET_CONF, 0);
	}
	report_prefix_pop();
	outb(inb(PORT_B) & ~PORT_B_GATE2_SPKR, PORT_B);
	report_prefix_pop();
	return report_summary();
}
