/*
 * The decrementer (Power ISA v3.0B Book III, Decrementer): it counts down at the
 * timebase's rate, raises a decrementer interrupt (0x900) when its top bit
 * is set and MSR[EE] is on, not before the value written has run out, and
 * holds the exception while MSR[EE] is off. With a large decrementer
 * (ibm,dec-bits > 32, LPCR[LD]) it holds values beyond 32 bits.
 */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"

#define DEC_FAR		0x7fffffffUL	/* far enough not to fire */

static volatile int fired;
static volatile u64 fired_tb, fired_nip;

static void dec_handler(struct pt_regs *regs, void *data)
{
	(void)data;
	fired_tb = get_tb();
	fired_nip = regs->nip;
	fired++;
	mtspr(SPR_DEC, DEC_FAR);
}

static u32 dec_bits = 32;

/* The DEC as a signed count: DEC is dec_bits wide (32, or ibm,dec-bits
 * with a large decrementer); how the bits above read differs between ISA
 * versions, so sign-extend from its width. */
static s64 read_dec(void)
{
	u64 v = mfspr(SPR_DEC);
	int shift = 64 - (int)dec_bits;

	return (s64)(v << shift) >> shift;
}

static void find_dec_bits(void)
{
	int node = fdt_path_offset(dt_fdt(), "/cpus");
	const void *p;

	fdt_for_each_subnode(node, dt_fdt(), node) {
		p = dt_get_prop(node, "ibm,dec-bits", NULL);
		if (p) {
			dec_bits = dt_u32(p);
			return;
		}
	}
}

/*
 * DEC read between two timebase reads: its decrease cannot exceed the
 * timebase's advance (same clock, Book III "Decrementer"), nor lag it by
 * half. A vCPU held off between the reads widens the gap: the closest of
 * a few tries counts.
 */
#define RATE_TRIES	5

static void test_counts_down(void)
{
	s64 d0, d1, dd = 0, dt = 1;
	u64 tb0, tb1;
	int i;

	for (i = 0; i < RATE_TRIES; i++) {
		mtspr(SPR_DEC, DEC_FAR);
		tb0 = get_tb();
		d0 = read_dec();
		udelay(10000);
		d1 = read_dec();
		tb1 = get_tb();
		dd = d0 - d1;
		dt = (s64)(tb1 - tb0);
		if (dd <= dt && dd >= dt / 2)
			break;
	}
	report(d1 < d0, "counts down (%#lx then %#lx)", (long)d0, (long)d1);
	report(dd <= dt && dd >= dt / 2, "at the timebase rate: down %ld "
	       "while the timebase went up %ld (try %d)", (long)dd, (long)dt,
	       i + 1);
}

static void test_interrupt(void)
{
	u64 period = tb_hz / 200, t0;	/* 5 ms */
	u64 deadline;

	fired = 0;
	local_irq_enable();
	t0 = get_tb();
	mtspr(SPR_DEC, period);
	deadline = t0 + 100 * period;
	while (!fired && get_tb() < deadline)
		cpu_relax();
	local_irq_disable();
	report(fired == 1, "one interrupt with MSR[EE] on (got %d)", fired);
	report(fired && fired_tb - t0 >= period, "not before the value "
	       "written ran out: after %lu ticks (want >= %lu)",
	       (unsigned long)(fired_tb - t0), (unsigned long)period);
}

static void test_masked(void)
{
	u64 t0;
	int seen;

	fired = 0;
	mtspr(SPR_DEC, tb_hz / 1000);	/* 1 ms */
	t0 = get_tb();
	while (get_tb() - t0 < tb_hz / 100)
		cpu_relax();
	seen = fired;
	report(read_dec() < 0, "still counting below zero (DEC %ld)",
	       (long)read_dec());
	local_irq_enable();
	/* the pending exception is taken at once (Book III, Decrementer Interrupt) */
	__asm__ __volatile__("nop; nop; nop" ::: "memory");
	local_irq_disable();
	report(!seen && fired == 1, "held while MSR[EE] is off (%d taken), "
	       "taken once when on (%d taken)", seen, fired);
}

static void test_large(void)
{
	u32 bits = dec_bits;
	u64 big, got;

	if (bits <= 32) {
		report_skip("no large decrementer: ibm,dec-bits %u", bits);
		return;
	}
	big = 1ULL << 40;
	mtspr(SPR_DEC, big);
	got = mfspr(SPR_DEC);
	mtspr(SPR_DEC, DEC_FAR);
	report(got <= big && got > big - tb_hz, "ibm,dec-bits %u: 2^40 "
	       "written, %#lx read back (positive, just below)", bits,
	       (unsigned long)got);
}

int main(void)
{
	report_prefix_push("decrementer");
	handle_exception(VEC_DECREMENTER, dec_handler, NULL);
	find_dec_bits();
	test_counts_down();
	test_interrupt();
	test_masked();
	test_large();
	return report_summary();
}
