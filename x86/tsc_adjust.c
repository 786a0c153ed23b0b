/*
 * IA32_TSC_ADJUST (SDM vol 3, 18.17.3 "Time-Stamp Counter Adjustment";
 * MSR 3BH, SDM vol 4, table 2-2): it reads 0 after reset, a write to it
 * adds (new - old) to the TSC, a write to IA32_TSC adds the TSC's change
 * to it, and it is kept per logical processor.
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/smp.h"

/* 2^40 cycles: minutes at any plausible TSC rate, far above the noise. */
#define DELTA		(1ll << 40)
/* Cycles allowed between two reads around a write: over a second. */
#define SLACK		(1ll << 32)

/* a - b, as the signed difference of two TSC values */
static s64 tsc_diff(u64 a, u64 b)
{
	return (s64)(a - b);
}

static bool within(s64 got, s64 lo, s64 hi)
{
	return got >= lo && got < hi;
}

static void test_reset_value(void)
{
	u64 adj = rdmsr(MSR_IA32_TSC_ADJUST);

	report(adj == 0, "reads 0 after reset (got %#llx, want 0)",
	       (unsigned long long)adj);
}

/*
 * Writing IA32_TSC_ADJUST = @val moves the TSC by val - old: the RDTSC
 * after the write exceeds the one before by that much, plus the time
 * between them.
 */
static void check_adjust_write(s64 val)
{
	s64 old = (s64)rdmsr(MSR_IA32_TSC_ADJUST), moved;
	u64 t0, t1, back;

	t0 = rdtsc();
	wrmsr(MSR_IA32_TSC_ADJUST, (u64)val);
	t1 = rdtsc();
	back = rdmsr(MSR_IA32_TSC_ADJUST);
	moved = tsc_diff(t1, t0);

	report(back == (u64)val, "TSC_ADJUST := %#llx reads back (got %#llx)",
	       (unsigned long long)val, (unsigned long long)back);
	report(within(moved, val - old, val - old + SLACK),
	       "TSC_ADJUST %#llx -> %#llx moves RDTSC by %lld cycles, want "
	       "[%lld, %lld)", (unsigned long long)old,
	       (unsigned long long)val, (long long)moved,
	       (long long)(val - old), (long long)(val - old + SLACK));
}

/*
 * Writing IA32_TSC = RDTSC + @delta changes IA32_TSC_ADJUST by the TSC's
 * change: @delta less the cycles between the RDTSC and the WRMSR.
 */
static void check_tsc_write(s64 delta)
{
	s64 adj0, adj1, got;
	u64 t;

	adj0 = (s64)rdmsr(MSR_IA32_TSC_ADJUST);
	t = rdtsc();
	wrmsr(MSR_IA32_TSC, t + (u64)delta);
	adj1 = (s64)rdmsr(MSR_IA32_TSC_ADJUST);
	got = adj1 - adj0;
	report(within(got, delta - SLACK, delta + 1),
	       "IA32_TSC := RDTSC %+lld changes TSC_ADJUST by %lld, want "
	       "[%lld, %lld]", (long long)delta, (long long)got,
	       (long long)(delta - SLACK), (long long)delta);
}

static void read_adjust_here(void *data)
{
	*(u64 *)data = rdmsr(MSR_IA32_TSC_ADJUST);
}

static void write_adjust_here(void *data)
{
	wrmsr(MSR_IA32_TSC_ADJUST, *(u64 *)data);
}

/* Thread scope (SDM vol 4, table 2-2): another CPU's write is not ours. */
static void test_per_cpu(void)
{
	u64 mine, theirs = 0x1234500000ull, got = ~0ull;

	if (nr_cpus < 2) {
		report_skip("per CPU: only one CPU");
		return;
	}
	mine = rdmsr(MSR_IA32_TSC_ADJUST);
	on_cpu(1, write_adjust_here, &theirs);
	on_cpu(1, read_adjust_here, &got);
	report(got == theirs, "CPU 1 reads its own write (got %#llx, want "
	       "%#llx)", (unsigned long long)got,
	       (unsigned long long)theirs);
	got = rdmsr(MSR_IA32_TSC_ADJUST);
	report(got == mine, "CPU 1's write leaves CPU 0's unchanged (got "
	       "%#llx, want %#llx)", (unsigned long long)got,
	       (unsigned long long)mine);
	theirs = 0;
	on_cpu(1, write_adjust_here, &theirs);
}

int main(void)
{
	char hv[13];

	report_prefix_push("tsc_adjust");
	cpuid_hypervisor_signature(hv);
	report_info("hypervisor \"%s\"", hv);
	if (!this_cpu_has(X86_FEATURE_TSC_ADJUST)) {
		report_skip("no IA32_TSC_ADJUST: %s clear",
			    X86_FEATURE_TSC_ADJUST.name);
		return report_summary();
	}
	test_reset_value();
	check_adjust_write(DELTA);
	check_adjust_write(-DELTA);
	check_adjust_write(0);
	check_tsc_write(DELTA);
	check_tsc_write(-DELTA);
	test_per_cpu();
	return report_summary();
}
