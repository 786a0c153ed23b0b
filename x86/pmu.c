/*
 * Architectural performance monitoring (SDM vol 3, 20.2).
 *
 * CPUID.0AH: EAX[7:0] version (0: none), EAX[15:8] general-purpose
 * counters per logical processor, EBX bit 1 set when the "instructions
 * retired" event is not available, EDX[4:0] fixed-function counters
 * (version 2 and later). A general-purpose counter programmed with event
 * C0H umask 00H (instructions retired, SDM vol 3, 20.2.1.2 table 20-1)
 * and fixed counter 0 (INST_RETIRED.ANY, 20.2.2) must count a known loop
 * within a small tolerance.
 *
 * No PMU here (TCG, and KVM hosts with enable_pmu=N): the test SKIPs with
 * the CPUID reason. The counting paths run only on a KVM host with a PMU.
 *
 * Leaf 0AH and these MSRs are Intel's: the APM defines neither, and an
 * AMD CPU counts with PerfEvtSeln/PerfCtrn at C001_0000h-C001_0007h
 * (APM vol 2, 13.2.1). A guest that sees an AMD vendor SKIPs whatever
 * leaf 0AH says, since nothing in the APM promises MSR 186H exists.
 */
#include "libcflat.h"
#include "x86/processor.h"

#define MSR_IA32_PMC0			0x0c1	/* SDM vol 4, table 2-2 */
#define MSR_IA32_PERFEVTSEL0		0x186
#define MSR_IA32_FIXED_CTR0		0x309
#define MSR_IA32_FIXED_CTR_CTRL		0x38d
#define MSR_IA32_PERF_GLOBAL_CTRL	0x38f

/* IA32_PERFEVTSELx fields, SDM vol 3, 20.2.1.1 (figure 20-1) */
#define EVTSEL_USR		(1u << 16)
#define EVTSEL_OS		(1u << 17)
#define EVTSEL_EN		(1u << 22)
#define EVENT_INST_RETIRED	0xc0	/* umask 0 */

/* FIXED_CTR_CTRL: counter 0 counts at CPL 0 and CPL > 0 (20.2.2). */
#define FIXED_CTR0_OS_USR	0x3ull

#define LOOPS			100000ull
/* "dec; jnz" per iteration */
#define LOOP_INSNS		(2 * LOOPS)
/* Slack for the few instructions around the loop and counter skid. */
#define TOLERANCE		(LOOP_INSNS / 100 + 100)

static void loop(void)
{
	u64 n = LOOPS;

	asm volatile("1: dec %0\n\tjnz 1b" : "+r"(n) :: "cc");
}

static void check(const char *what, u64 count)
{
	report(count >= LOOP_INSNS && count <= LOOP_INSNS + TOLERANCE,
	       "%s counts the loop (got %lu, want %llu..%llu)", what,
	       (unsigned long)count, LOOP_INSNS, LOOP_INSNS + TOLERANCE);
}

int main(void)
{
	struct cpuid id;
	unsigned version, ngp, nfixed;
	u64 count;

	report_prefix_push("pmu");
	if (cpu_is_amd()) {
		report_skip("AMD vendor: CPUID leaf 0AH and IA32_PERFEVTSELx "
			    "are Intel's (SDM vol 3, 20.2); AMD's counters "
			    "(APM vol 2, 13.2.1) are not covered here");
		return report_summary();
	}
	if (cpuid(0).a < 0xa || !(cpuid(0xa).a & 0xff)) {
		report_skip("no architectural PMU: CPUID.0AH:EAX[7:0] is 0 "
			    "(or leaf 0AH absent)");
		return report_summary();
	}
	id = cpuid(0xa);
	version = id.a & 0xff;
	ngp = (id.a >> 8) & 0xff;
	nfixed = version >= 2 ? id.d & 0x1f : 0;
	report_info("version %u, %u general-purpose counters, %u fixed",
		    version, ngp, nfixed);
	if (!ngp || (id.b & 2)) {
		report_skip("no instructions-retired event: CPUID.0AH:EAX[15:8]"
			    " is 0 or EBX[1] set");
		return report_summary();
	}

	if (version >= 2)
		wrmsr(MSR_IA32_PERF_GLOBAL_CTRL, 1ull | (1ull << 32));
	wrmsr(MSR_IA32_PMC0, 0);
	wrmsr(MSR_IA32_PERFEVTSEL0, EVENT_INST_RETIRED | EVTSEL_USR |
	      EVTSEL_OS | EVTSEL_EN);
	loop();
	wrmsr(MSR_IA32_PERFEVTSEL0, 0);
	count = rdmsr(MSR_IA32_PMC0);
	check("PMC0 (event C0H)", count);

	/* Disabled, the counter holds still. */
	loop();
	report(rdmsr(MSR_IA32_PMC0) == count, "PMC0 stops when EN is clear "
	       "(got %lu, want %lu)", (unsigned long)rdmsr(MSR_IA32_PMC0),
	       (unsigned long)count);

	if (!nfixed) {
		report_skip("no fixed counters: CPUID.0AH:EDX[4:0] is 0");
		return report_summary();
	}
	wrmsr(MSR_IA32_FIXED_CTR0, 0);
	wrmsr(MSR_IA32_FIXED_CTR_CTRL, FIXED_CTR0_OS_USR);
	loop();
	wrmsr(MSR_IA32_FIXED_CTR_CTRL, 0);
	check("fixed counter 0 (INST_RETIRED.ANY)",
	      rdmsr(MSR_IA32_FIXED_CTR0));
	wrmsr(MSR_IA32_PERF_GLOBAL_CTRL, 0);
	return report_summary();
}
