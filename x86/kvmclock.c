/*
 * kvmclock, KVM's paravirtual clock (Linux Documentation/virt/kvm/x86/
 * msr.rst, MSR_KVM_SYSTEM_TIME_NEW and MSR_KVM_WALL_CLOCK_NEW): once a
 * CPU registers its pvclock structure KVM keeps it filled in, the
 * version is even when the data is stable, the time it gives never goes
 * backwards on a CPU nor, with PVCLOCK_TSC_STABLE_BIT, between CPUs, and
 * it runs at one second per second (checked against the CMOS RTC).
 */
#include "libcflat.h"
#include "x86/cmos.h"
#include "x86/kvm_para.h"
#include "x86/processor.h"
#include "x86/pvclock.h"
#include "x86/smp.h"
#include "x86/vm.h"

#define MAX_CLOCK_CPUS	16
#define READS		100000
#define ROUNDS		1000
#define NSEC_PER_SEC	1000000000ull
/* One RTC second as kvmclock measures it: 10% either way covers the
 * polling granularity of a slow host. */
#define SECOND_MIN_NS	(NSEC_PER_SEC * 9 / 10)
#define SECOND_MAX_NS	(NSEC_PER_SEC * 11 / 10)
/* TSC rates any x86 host has: 100 MHz to 20 GHz. */
#define TSC_HZ_MIN	100000000ull
#define TSC_HZ_MAX	20000000000ull
/* 2020-01-01T00:00:00Z in seconds since the epoch: a wall clock below
 * it was not filled in. */
#define WALL_CLOCK_MIN	1577836800u

/* MC146818 RTC through the CMOS index/data ports; register 0 is the
 * seconds count (its datasheet; QEMU hw/rtc/mc146818rtc.c). */
#define RTC_SECONDS	0x00

static struct pvclock_vcpu_time_info clocks[MAX_CLOCK_CPUS] __aligned(64);
static struct pvclock_wall_clock wall __aligned(64);

static u64 clock_now(void)
{
	return pvclock_read(&clocks[smp_id()], NULL);
}

static void register_clock(void *data)
{
	struct pvclock_vcpu_time_info *c = &clocks[smp_id()];
	int *vec = data;

	vec[smp_id()] = wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW,
				   virt_to_phys(c) | KVM_SYSTEM_TIME_ENABLE);
}

static void test_register(void)
{
	int vec[MAX_CLOCK_CPUS] = { 0 };
	unsigned cpu;
	u32 version, mul;

	on_cpus(register_clock, vec);
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		version = READ_ONCE(clocks[cpu].version);
		mul = READ_ONCE(clocks[cpu].tsc_to_system_mul);
		report(!vec[cpu] && version && !(version & 1) && mul,
		       "CPU %u: MSR_KVM_SYSTEM_TIME_NEW write (vector %d, "
		       "want 0) fills the structure: version %u (want even, "
		       "nonzero), tsc_to_system_mul %#x (want nonzero), "
		       "tsc_shift %d, flags %#x", cpu, vec[cpu], version, mul,
		       clocks[cpu].tsc_shift, clocks[cpu].flags);
	}
}

static void count_backwards(void *data)
{
	unsigned *backwards = data;
	u64 prev = clock_now(), t;
	unsigned i, n = 0;

	for (i = 0; i < READS; i++) {
		t = clock_now();
		n += t < prev;
		prev = t;
	}
	backwards[smp_id()] = n;
}

static void test_monotonic_per_cpu(void)
{
	unsigned backwards[MAX_CLOCK_CPUS] = { 0 }, cpu;

	on_cpus(count_backwards, backwards);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		report(!backwards[cpu], "CPU %u: %u reads, %u went backwards "
		       "(want 0)", cpu, READS, backwards[cpu]);
}

static void read_clock_here(void *data)
{
	*(u64 *)data = clock_now();
}

static void test_monotonic_across_cpus(void)
{
	unsigned cpu, round, bad = 0;
	u64 before, there = 0, after;
	bool stable = true;

	if (nr_cpus < 2) {
		report_skip("across CPUs: only one CPU");
		return;
	}
	for (cpu = 0; cpu < nr_cpus; cpu++)
		stable &= !!(READ_ONCE(clocks[cpu].flags) &
			     PVCLOCK_TSC_STABLE_BIT);
	if (!stable) {
		/* Without the bit each CPU's clock stands alone (msr.rst). */
		report_skip("across CPUs: PVCLOCK_TSC_STABLE_BIT clear");
		return;
	}
	/* on_cpu() orders the reads: before, then there, then after. */
	for (round = 0; round < ROUNDS; round++) {
		for (cpu = 1; cpu < nr_cpus; cpu++) {
			before = clock_now();
			on_cpu(cpu, read_clock_here, &there);
			after = clock_now();
			if ((there < before || there > after) && !bad++)
				report_info("CPU %u read %llu outside [%llu, "
					    "%llu]", cpu,
					    (unsigned long long)there,
					    (unsigned long long)before,
					    (unsigned long long)after);
		}
	}
	report(!bad, "reads on another CPU fall between two of CPU 0's: %u "
	       "of %u out of order (want 0)", bad, ROUNDS * (nr_cpus - 1));
}

static u8 rtc_seconds(void)
{
	return cmos_read(RTC_SECONDS);
}

/* Spin until the RTC's seconds register changes; false after @limit_ns
 * of kvmclock time without a change. */
static bool wait_rtc_tick(u64 limit_ns)
{
	u8 s = rtc_seconds();
	u64 start = clock_now();

	while (rtc_seconds() == s)
		if (clock_now() - start > limit_ns)
			return false;
	return true;
}

static void test_rate(void)
{
	u64 ns0, ns1, tsc0, tsc1, ns, hz;

	if (!wait_rtc_tick(3 * NSEC_PER_SEC)) {
		report_fail("rate: the CMOS RTC seconds did not change in 3 s "
			    "of kvmclock time");
		return;
	}
	ns0 = clock_now();
	tsc0 = rdtsc();
	if (!wait_rtc_tick(3 * NSEC_PER_SEC)) {
		report_fail("rate: the CMOS RTC seconds did not change in 3 s "
			    "of kvmclock time");
		return;
	}
	ns1 = clock_now();
	tsc1 = rdtsc();
	ns = ns1 - ns0;
	hz = (tsc1 - tsc0) * NSEC_PER_SEC / (ns ? ns : 1);
	report(ns >= SECOND_MIN_NS && ns <= SECOND_MAX_NS,
	       "one CMOS RTC second is %llu ns of kvmclock, want [%llu, %llu]",
	       (unsigned long long)ns, (unsigned long long)SECOND_MIN_NS,
	       (unsigned long long)SECOND_MAX_NS);
	report(hz >= TSC_HZ_MIN && hz <= TSC_HZ_MAX,
	       "TSC rate by kvmclock %llu Hz, want [%llu, %llu]",
	       (unsigned long long)hz, (unsigned long long)TSC_HZ_MIN,
	       (unsigned long long)TSC_HZ_MAX);
}

static void test_wall_clock(void)
{
	u32 version, sec;
	int vec;

	vec = wrmsr_safe(MSR_KVM_WALL_CLOCK_NEW, virt_to_phys(&wall));
	version = READ_ONCE(wall.version);
	sec = READ_ONCE(wall.sec);
	report(!vec && !(version & 1) && sec >= WALL_CLOCK_MIN,
	       "MSR_KVM_WALL_CLOCK_NEW write (vector %d, want 0): version %u "
	       "(want even), boot time %u s since the epoch (want >= %u)",
	       vec, version, sec, WALL_CLOCK_MIN);
}

static void unregister_clock(void *data)
{
	(void)data;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
}

int main(void)
{
	char hv[13];
	u32 base;

	report_prefix_push("kvmclock");
	cpuid_hypervisor_signature(hv);
	base = kvm_cpuid_base();
	if (!base) {
		report_skip("no KVM paravirtual interface: CPUID.40000000H "
			    "signature \"%s\", want \"KVMKVMKVM\"", hv);
		return report_summary();
	}
	if (!kvm_para_has_feature(KVM_FEATURE_CLOCKSOURCE2)) {
		report_skip("no kvmclock: CPUID.%#xH:EAX[%d] "
			    "(KVM_FEATURE_CLOCKSOURCE2) clear",
			    base + KVM_CPUID_FEATURES,
			    KVM_FEATURE_CLOCKSOURCE2);
		return report_summary();
	}
	if (nr_cpus > MAX_CLOCK_CPUS) {
		report_skip("%u CPUs, the test handles %u", nr_cpus,
			    MAX_CLOCK_CPUS);
		return report_summary();
	}
	report_info("KVM leaves at %#x, features %#x", base,
		    cpuid(base + KVM_CPUID_FEATURES).a);
	test_register();
	test_monotonic_per_cpu();
	test_monotonic_across_cpus();
	test_rate();
	test_wall_clock();
	on_cpus(unregister_clock, NULL);
	return report_summary();
}
