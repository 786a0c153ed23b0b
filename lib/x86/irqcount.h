/*
 * Counting interrupts, for tests of interrupt delivery: a handler for
 * any vector that counts per CPU, logs the order of the vectors taken
 * and EOIs the local APIC, and waits that enable interrupts until a
 * count is reached or a time has passed.
 *
 * A test installs the handler on the vectors it sends, resets the
 * counts, makes interrupts happen, waits, and checks which CPUs took
 * how many. CPUs other than the caller take interrupts while they idle
 * in the smp.c work loop (interrupts enabled, halted).
 */
#ifndef X86_IRQCOUNT_H
#define X86_IRQCOUNT_H

#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"

/* How long to wait, in TSC cycles: for an interrupt that must come
 * (generous, for TCG on a loaded host), and for one that must not. */
#define IRQ_WAIT_CYCLES		(4ull << 30)
#define IRQ_SETTLE_CYCLES	(1ull << 26)

/* How many vectors the log keeps, from the first one after a reset. */
#define IRQ_LOG_SIZE		8

/* Count interrupts on @vector (every CPU shares the IDT). */
void irq_count_install(u8 vector);

/*
 * Call @hook(regs) in the handler, on the CPU that took the interrupt,
 * before its EOI (interrupts disabled); NULL for none. The count is
 * raised after the EOI, so a CPU that sees the count also sees what the
 * EOI did (remote IRR cleared, for one).
 */
void irq_count_set_hook(void (*hook)(struct ex_regs *regs));

/* Forget every count and the log. */
void irq_count_reset(void);

/* Interrupts @cpu took since the last reset. */
unsigned irq_count(unsigned cpu);
/* Interrupts all CPUs took since the last reset. */
unsigned irq_count_total(void);
/* Bit n set: CPU n took at least one interrupt since the last reset. */
u64 irq_count_cpus(void);

/* Vectors taken since the last reset, across CPUs, in the order their
 * handlers ran: how many there are (at most IRQ_LOG_SIZE), and the
 * @i-th one (0 past the end). */
unsigned irq_log_len(void);
u8 irq_log_vector(unsigned i);

/*
 * With interrupts enabled on the caller, wait until @cpu has taken
 * @want interrupts or @cycles TSC cycles have passed; then disable
 * them again. True when the count was reached.
 */
bool irq_wait(unsigned cpu, unsigned want, u64 cycles);
/* Same, until every CPU in @cpus (bit n for CPU n) has taken one. */
bool irq_wait_cpus(u64 cpus, u64 cycles);
/* Same, until all CPUs together have taken @want. */
bool irq_wait_total(unsigned want, u64 cycles);
/* Interrupts enabled for @cycles TSC cycles, so a stray one arrives. */
void irq_settle(u64 cycles);

/*
 * Same as irq_settle(), and returns the TSC cycles spent in gaps longer
 * than @gap between two reads of the TSC: time the host held the vCPU
 * off, in which periodic interrupts merge. A caller that times a
 * device's interrupts can then tell a loaded host from a wrong rate.
 */
static inline u64 irq_settle_gaps(u64 cycles, u64 gap)
{
	u64 start, prev, now, lost = 0;

	sti();
	start = prev = now = rdtsc();
	while (now - start < cycles) {
		pause();
		now = rdtsc();
		if (now - prev > gap)
			lost += now - prev;
		prev = now;
	}
	cli();
	return lost;
}

/*
 * A periodic interrupt's rate on the calling CPU, measured by the TSC
 * (tsctime.h, which must be calibrated): from an interrupt, count those
 * taken in a window of @window_us. A loaded host can hold the vCPU off
 * long enough to merge ticks; ticks in such gaps count for at most one
 * each, so the lower bound is taken from the time the vCPU ran. Up to
 * @tries windows, until one was held off for under a tenth of its time.
 * @reset forgets the counts (NULL: irq_count_reset()); it must call
 * irq_count_reset() too.
 */
struct irq_rate {
	unsigned got;		/* interrupts taken in the window */
	unsigned want;		/* ticks in the window at @hz */
	unsigned want_min;	/* ticks in the time the vCPU ran */
	unsigned lo, hi;	/* the bounds: want_min / 2 to want * 2 */
	u64 el_us, lost_us;	/* the window; the time it was held off */
};
struct irq_rate irq_rate_measure(unsigned hz, u64 window_us, unsigned tries,
				 void (*reset)(void));
/* The rate is within its bounds. */
static inline bool irq_rate_ok(const struct irq_rate *r)
{
	return r->got >= r->lo && r->got <= r->hi;
}

/* Number of bits set in @mask (for counting CPUs in a mask). */
unsigned cpu_mask_weight(u64 mask);

#endif
