/*
 * Interrupt counting for tests (see irqcount.h).
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/irqcount.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/smp.h"
#include "x86/tsctime.h"

static unsigned counts[MAX_CPUS];
static u8 log_vectors[IRQ_LOG_SIZE];
static unsigned log_next;
static void (*count_hook)(struct ex_regs *regs);

static void count_handler(struct ex_regs *regs)
{
	void (*hook)(struct ex_regs *) =
		__atomic_load_n(&count_hook, __ATOMIC_ACQUIRE);
	unsigned slot = __atomic_fetch_add(&log_next, 1, __ATOMIC_RELAXED);

	if (slot < IRQ_LOG_SIZE)
		log_vectors[slot] = regs->vector;
	if (hook)
		hook(regs);
	apic_eoi();
	/* Release: whoever sees the count sees the log entry and the
	 * effects of the hook and the EOI. */
	__atomic_fetch_add(&counts[smp_id()], 1, __ATOMIC_RELEASE);
}

void irq_count_install(u8 vector)
{
	handle_exception(vector, count_handler);
}

void irq_count_set_hook(void (*hook)(struct ex_regs *regs))
{
	__atomic_store_n(&count_hook, hook, __ATOMIC_RELEASE);
}

void irq_count_reset(void)
{
	unsigned cpu;

	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		__atomic_store_n(&counts[cpu], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&log_next, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

unsigned irq_count(unsigned cpu)
{
	assert(cpu < MAX_CPUS);
	return __atomic_load_n(&counts[cpu], __ATOMIC_ACQUIRE);
}

unsigned irq_count_total(void)
{
	unsigned cpu, total = 0;

	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		total += irq_count(cpu);
	return total;
}

u64 irq_count_cpus(void)
{
	unsigned cpu;
	u64 mask = 0;

	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		if (irq_count(cpu))
			mask |= 1ull << cpu;
	return mask;
}

unsigned irq_log_len(void)
{
	unsigned n = __atomic_load_n(&log_next, __ATOMIC_ACQUIRE);

	return n < IRQ_LOG_SIZE ? n : IRQ_LOG_SIZE;
}

u8 irq_log_vector(unsigned i)
{
	return i < irq_log_len() ? log_vectors[i] : 0;
}

static bool cpus_reached(u64 cpus)
{
	unsigned cpu;

	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		if ((cpus >> cpu & 1) && !irq_count(cpu))
			return false;
	return true;
}

bool irq_wait(unsigned cpu, unsigned want, u64 cycles)
{
	u64 start = rdtsc();

	sti();
	while (irq_count(cpu) < want && rdtsc() - start < cycles)
		pause();
	cli();
	return irq_count(cpu) >= want;
}

bool irq_wait_cpus(u64 cpus, u64 cycles)
{
	u64 start = rdtsc();

	sti();
	while (!cpus_reached(cpus) && rdtsc() - start < cycles)
		pause();
	cli();
	return cpus_reached(cpus);
}

bool irq_wait_total(unsigned want, u64 cycles)
{
	u64 start = rdtsc();

	sti();
	while (irq_count_total() < want && rdtsc() - start < cycles)
		pause();
	cli();
	return irq_count_total() >= want;
}

void irq_settle(u64 cycles)
{
	u64 start = rdtsc();

	sti();
	while (rdtsc() - start < cycles)
		pause();
	cli();
}

unsigned cpu_mask_weight(u64 mask)
{
	unsigned n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

struct irq_rate irq_rate_measure(unsigned hz, u64 window_us, unsigned tries,
				 void (*reset)(void))
{
	struct irq_rate r = { 0 };
	unsigned cpu = smp_id(), try;
	u64 t0, el = 0, lost = 0;

	if (!reset)
		reset = irq_count_reset;
	for (try = 1; try <= tries; try++) {
		/* Start at an interrupt, so the phase does not count. */
		irq_wait(cpu, 1, IRQ_WAIT_CYCLES);
		reset();
		t0 = rdtsc();
		lost = irq_settle_gaps(us_to_tsc(window_us),
				       us_to_tsc(TSCTIME_SECOND_US / hz / 2));
		el = rdtsc() - t0;
		r.got = irq_count(cpu);
		r.want = tsc_to_us(el) * hz / TSCTIME_SECOND_US;
		r.want_min = tsc_to_us(el - lost) * hz / TSCTIME_SECOND_US;
		if (lost <= el / 10)
			break;
	}
	r.el_us = tsc_to_us(el);
	r.lost_us = tsc_to_us(lost);
	r.lo = r.want_min / 2;
	r.hi = r.want * 2;
	if (r.want_min < 2)
		report_info("the host held the vCPU off for %llu of %llu us",
			    (unsigned long long)r.lost_us,
			    (unsigned long long)r.el_us);
	return r;
}
