/*
 * The timebase (Power ISA v3.0B Book II, Time Base, Book III, Time Base): it never goes
 * back on a CPU, reads in order across CPUs (PAPR, RTAS time of day: the partition's
 * timebases are synchronised), and runs at the device tree's
 * timebase-frequency, checked against the RTAS clock's seconds.
 * Under icount (test_args icount-shift=N) the timebase is QEMU's
 * instruction clock, 2^N ns per instruction: a loop of known length must
 * move it by exactly that much.
 */
#include "libcflat.h"
#include "powerpc/processor.h"
#include "powerpc/rtas.h"
#include "powerpc/smp.h"

#define READS		100000
#define PINGS		2000
#define LOOP_INSNS	2000000

static void test_monotonic(void *arg)
{
	int *bad = arg;
	u64 prev = get_tb(), now;

	for (int i = 0; i < READS; i++) {
		now = get_tb();
		if (now < prev)
			bad[smp_id()]++;
		prev = now;
	}
}

static volatile u64 mailbox;
static volatile int turn, behind;

static void pong(void *arg)
{
	(void)arg;
	for (int i = 0; i < PINGS; i++) {
		while (turn != 1)
			cpu_relax();
		if (get_tb() < mailbox)
			behind++;
		mailbox = get_tb();
		__atomic_store_n(&turn, 0, __ATOMIC_SEQ_CST);
	}
}

static void test_cross_cpu(void)
{
	int bad[NR_CPUS_MAX] = { 0 }, total = 0;

	on_cpus(test_monotonic, bad);
	for (int i = 0; i < nr_cpus; i++)
		total += bad[i];
	report(!total, "never goes back: %d x %d reads, %d backwards",
	       nr_cpus, READS, total);
	if (nr_cpus < 2) {
		report_skip("one CPU: run with smp >= 2 for the cross-CPU order");
		return;
	}
	behind = 0;
	turn = 0;
	on_cpu_async(1, pong, NULL);
	for (int i = 0; i < PINGS; i++) {
		mailbox = get_tb();
		__atomic_store_n(&turn, 1, __ATOMIC_SEQ_CST);
		while (turn != 0)
			cpu_relax();
		if (get_tb() < mailbox)
			behind++;
	}
	on_cpu_wait(1);
	report(!behind, "in order across CPUs 0 and 1: %d round trips, %d "
	       "reads before the other CPU's earlier one", PINGS, behind);
}

static int rtas_second(void)
{
	int out[7];

	if (rtas_call_named("get-time-of-day", 0, 8, out) != RTAS_SUCCESS)
		return -1;
	return out[3] * 3600 + out[4] * 60 + out[5];
}

/*
 * When the RTAS clock's seconds change from @from: the change happened
 * after the start of the last call that still read @from and before the
 * end of the first that did not, so it lies in [*lo, *hi] (timebase).
 */
static int next_second(int from, u64 *lo, u64 *hi)
{
	u64 prev_start = get_tb(), start;
	int s;

	for (;;) {
		start = get_tb();
		s = rtas_second();
		if (s != from) {
			*lo = prev_start;
			*hi = get_tb();
			return s;
		}
		prev_start = start;
	}
}

/* One RTAS second in timebase ticks, bracketed: a vCPU held off widens
 * the bracket instead of skewing a single reading. It must meet
 * timebase-frequency x0.8..x1.25. */
static void test_frequency(void)
{
	u64 lo0, hi0, lo1, hi1, min, max;
	int s0, s;

	s0 = rtas_second();
	if (s0 < 0) {
		report_skip("no RTAS get-time-of-day");
		return;
	}
	s = next_second(s0, &lo0, &hi0);
	next_second(s, &lo1, &hi1);
	min = lo1 - hi0;
	max = hi1 - lo0;
	report(min <= tb_hz * 5 / 4 && max >= tb_hz * 4 / 5,
	       "one RTAS second is %lu..%lu ticks; timebase-frequency says %lu",
	       (unsigned long)min, (unsigned long)max, (unsigned long)tb_hz);
}

static void test_icount(int shift)
{
	u64 t0, t1, want;

	t0 = get_tb();
	__asm__ __volatile__("mtctr %0\n1: bdnz 1b" :: "r"((u64)LOOP_INSNS)
			     : "ctr");
	t1 = get_tb();
	/* LOOP_INSNS instructions of 2^shift ns each */
	want = ((u64)LOOP_INSNS << shift) * (tb_hz / 1000000) / 1000;
	report(t1 - t0 >= want * 9 / 10 && t1 - t0 <= want * 11 / 10,
	       "icount shift %d: %d instructions move the timebase %lu "
	       "ticks (want %lu +-10%%)", shift, LOOP_INSNS,
	       (unsigned long)(t1 - t0), (unsigned long)want);
}

int main(int argc, char **argv)
{
	report_prefix_push("timebase");
	report(tb_hz_from_dt && tb_hz > 0, "timebase-frequency %lu Hz in the "
	       "device tree (property found: %s)", (unsigned long)tb_hz,
	       tb_hz_from_dt ? "yes" : "no");
	test_cross_cpu();
	if (argc > 1 && !strncmp(argv[1], "icount-shift=", 13))
		test_icount((int)strtol(argv[1] + 13, NULL, 0));
	else
		test_frequency();
	return report_summary();
}
