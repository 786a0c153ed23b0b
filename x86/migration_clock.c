/*
 * Clocks across a live migration: the TSC of each CPU goes on from where
 * it was (never backwards, no jump beyond the time the test could have
 * taken), and so does kvmclock's system time (KVM's msr.rst,
 * MSR_KVM_SYSTEM_TIME_NEW) where KVM offers it.
 *
 * test_args: drop   take CPU 0's TSC on the destination as gone back
 *                   to half its value, as a migration that lost it
 *                   would show: that check must FAIL.
 */
#include "libcflat.h"
#include "migrate.h"
#include "x86/kvm_para.h"
#include "x86/msr.h"
#include "x86/processor.h"
#include "x86/pvclock.h"
#include "x86/smp.h"
#include "x86/tsctime.h"

/* Longer than any migration here can take; shorter than a TSC that
 * restarted from the host's or from zero would show. */
#define MAX_JUMP_US	(300 * TSCTIME_SECOND_US)
#define MAX_CPUS	8

static u64 tsc_before[MAX_CPUS], tsc_after[MAX_CPUS];
static struct pvclock_vcpu_time_info kvmclock __aligned(64);

static void read_tsc_before(void *arg)
{
	(void)arg;
	tsc_before[smp_id()] = rdtsc();
}

static void read_tsc_after(void *arg)
{
	(void)arg;
	tsc_after[smp_id()] = rdtsc();
}

static void check_tsc(unsigned cpus)
{
	for (unsigned c = 0; c < cpus; c++) {
		u64 b = tsc_before[c], a = tsc_after[c];

		report(a > b, "CPU %u: TSC goes on (got %#llx after, want > %#llx before)",
		       c, (unsigned long long)a, (unsigned long long)b);
		if (!tsc_timed || a <= b)
			continue;
		report(tsc_to_us(a - b) < MAX_JUMP_US,
		       "CPU %u: TSC advanced by %llu us across the migration (want < %llu)",
		       c, (unsigned long long)tsc_to_us(a - b),
		       (unsigned long long)MAX_JUMP_US);
	}
	if (!tsc_timed)
		report_skip("TSC jump: no ACPI PM timer to measure the TSC rate by");
}

static void check_kvmclock(bool drop)
{
	u64 before, after;

	if (!kvm_para_has_feature(KVM_FEATURE_CLOCKSOURCE2)) {
		report_skip("kvmclock: no KVM_FEATURE_CLOCKSOURCE2 (CPUID 0x40000001:EAX[3]): not running under KVM");
		return;
	}
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&kvmclock | KVM_SYSTEM_TIME_ENABLE);
	before = pvclock_read(&kvmclock, NULL);
	migrate();
	after = pvclock_read(&kvmclock, NULL);
	if (drop)
		after = before - 1;
	report(after > before, "kvmclock goes on (got %llu ns after, want > %llu before)",
	       (unsigned long long)after, (unsigned long long)before);
	report(after - before < MAX_JUMP_US * 1000,
	       "kvmclock advanced by %llu ns across the migration (want < %llu)",
	       (unsigned long long)(after - before),
	       (unsigned long long)MAX_JUMP_US * 1000);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
}

int main(int argc, char **argv)
{
	bool drop = argc > 1 && !strcmp(argv[1], "drop");
	unsigned cpus = nr_cpus < MAX_CPUS ? nr_cpus : MAX_CPUS;

	report_prefix_push("migration-clock");
	tsc_time_init();
	for (unsigned c = 0; c < cpus; c++)
		on_cpu(c, read_tsc_before, NULL);
	migrate();
	for (unsigned c = 0; c < cpus; c++)
		on_cpu(c, read_tsc_after, NULL);
	/* as if CPU 0's TSC went back on the destination (QEMU 7.2 TCG
	 * ignores WRMSR to IA32_TSC, so the test cannot set it back) */
	if (drop)
		tsc_after[0] = tsc_before[0] / 2;
	check_tsc(cpus);
	check_kvmclock(drop);
	report_prefix_pop();
	return report_summary();
}
