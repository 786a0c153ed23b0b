/*
 * Time-stamp counter (SDM vol 3, 18.17): never goes backwards on one CPU
 * or between CPUs, RDTSCP returns IA32_TSC_AUX in ECX, and a write to
 * IA32_TSC moves the counter.
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define READS		100000
#define ROUNDS		20
/* After writing IA32_TSC = v, a read must land in [v, v + slack): 2^32
 * cycles is over a second at any plausible TSC rate. */
#define WRITE_SLACK	(1ull << 32)

static void test_monotonic_one_cpu(void)
{
	u64 prev = rdtsc(), t;
	unsigned i, backwards = 0;

	for (i = 0; i < READS; i++) {
		t = rdtsc();
		backwards += t < prev;
		prev = t;
	}
	report(!backwards, "%u back-to-back RDTSCs, %u went backwards",
	       READS, backwards);
}

static void read_tsc_here(void *data)
{
	*(u64 *)data = rdtsc();
}

static void test_monotonic_across_cpus(void)
{
	unsigned cpu, round, bad = 0;
	u64 before, there = 0, after;

	if (nr_cpus < 2) {
		report_skip("across CPUs: only one CPU");
		return;
	}
	/* on_cpu() orders the three reads: before < there < after. */
	for (round = 0; round < ROUNDS; round++) {
		for (cpu = 1; cpu < nr_cpus; cpu++) {
			before = rdtsc();
			on_cpu(cpu, read_tsc_here, &there);
			after = rdtsc();
			if (there < before || there > after) {
				if (!bad++)
					report_info("CPU %u read %#lx outside "
						    "[%#lx, %#lx]", cpu,
						    (unsigned long)there,
						    (unsigned long)before,
						    (unsigned long)after);
			}
		}
	}
	report(!bad, "TSC read on another CPU between two BSP reads: %u of "
	       "%u out of order", bad, ROUNDS * (nr_cpus - 1));
}

struct aux_check {
	u32 want;
	u32 got;
	bool in_order;
};

static void check_rdtscp_here(void *data)
{
	struct aux_check *c = data;
	u64 t0, t1, t2;

	wrmsr(MSR_TSC_AUX, c->want);
	t0 = rdtsc();
	t1 = rdtscp(&c->got);
	t2 = rdtsc();
	c->in_order = t0 <= t1 && t1 <= t2;
}

static void test_rdtscp(void)
{
	struct aux_check c;
	unsigned cpu;

	if (!this_cpu_has(X86_FEATURE_RDTSCP)) {
		report_skip("RDTSCP: %s clear", X86_FEATURE_RDTSCP.name);
		return;
	}
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		c.want = 0xa5000000 | cpu;
		c.got = 0;
		on_cpu(cpu, check_rdtscp_here, &c);
		report(c.got == c.want && c.in_order,
		       "CPU %u: RDTSCP ECX %#x, want TSC_AUX %#x; between "
		       "the RDTSCs around it: %d", cpu, c.got, c.want,
		       c.in_order);
	}
}

static void test_tsc_write(void)
{
	const u64 target = 1ull << 40;
	u64 t;

	/* Last: it desynchronises this CPU's TSC from the others. */
	wrmsr(MSR_IA32_TSC, target);
	t = rdtsc();
	report(t >= target && t - target < WRITE_SLACK,
	       "RDTSC after writing IA32_TSC = %#lx: %#lx, want within "
	       "[%#lx, %#lx)", (unsigned long)target, (unsigned long)t,
	       (unsigned long)target, (unsigned long)(target + WRITE_SLACK));
}

int main(void)
{
	char hv[13];

	report_prefix_push("tsc");
	cpuid_hypervisor_signature(hv);
	report_info("hypervisor \"%s\"", hv);
	if (!this_cpu_has(X86_FEATURE_TSC)) {
		report_skip("no TSC: %s clear", X86_FEATURE_TSC.name);
		return report_summary();
	}
	test_monotonic_one_cpu();
	test_monotonic_across_cpus();
	test_rdtscp();
	test_tsc_write();
	return report_summary();
}
