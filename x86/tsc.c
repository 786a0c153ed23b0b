/*
 * Time-stamp counter (SDM vol 3, 18.17): never goes backwards on one CPU
 * or between CPUs, RDTSCP reads it in order, the CPUID leaves that
 * describe its frequency are consistent, and a write to IA32_TSC moves the
 * writing processor's counter only. (RDTSCP's IA32_TSC_AUX per CPU is
 * checked by the msr test; IA32_TSC_ADJUST by tsc_adjust.)
 */
#include "libcflat.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define READS		20000
#define ROUNDS		20
/* Global-order check: turns, all CPUs together, and reads per turn. Few
 * turns: with fewer host CPUs than vCPUs each handoff can cost a host
 * time slice. */
#define TURNS		100
#define READS_PER_TURN	10
/* After writing IA32_TSC = v, a read must land in [v, v + slack): 2^32
 * cycles is over a second at any plausible TSC rate. */
#define WRITE_SLACK	(1ull << 32)
/* How far IA32_TSC is moved: minutes of cycles, far above any noise. */
#define WRITE_DELTA	(1ull << 40)

/* SDM vol 2A, CPUID, leaves 15H (TSC and crystal clock) and 16H
 * (processor frequency) */
#define CPUID_LEAF_TSC		0x15
#define CPUID_LEAF_FREQ		0x16

#define X86_FEATURE_SSE2	CPUID_FEATURE(1, 0, EDX, 26, "CPUID.01H:EDX[26] (SSE2)")

static bool have_lfence;

/*
 * RDTSC is not ordered with the instructions around it; MFENCE;LFENCE
 * before and LFENCE after keep it between the loads and stores that
 * surround it (SDM vol 2B, RDTSC). CPUID, which serialises, without SSE2.
 */
static u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	if (!have_lfence) {
		cpuid(0);
		return rdtsc();
	}
	asm volatile("mfence; lfence; rdtsc; lfence"
		     : "=a"(lo), "=d"(hi) :: "memory");
	return lo | ((u64)hi << 32);
}

struct per_cpu_result {
	unsigned backwards[MAX_CPUS];
};

static void count_backwards_here(void *data)
{
	struct per_cpu_result *r = data;
	u64 prev = rdtsc(), t;
	unsigned i, backwards = 0;

	for (i = 0; i < READS; i++) {
		t = rdtsc();
		backwards += t < prev;
		prev = t;
	}
	r->backwards[smp_id()] = backwards;
}

static void test_monotonic_each_cpu(void)
{
	static struct per_cpu_result r;
	unsigned cpu, ncpus = nr_cpus < MAX_CPUS ? nr_cpus : MAX_CPUS;

	on_cpus(count_backwards_here, &r);
	for (cpu = 0; cpu < ncpus; cpu++)
		report(!r.backwards[cpu], "CPU %u: %u back-to-back RDTSCs, "
		       "%u went backwards (want 0)", cpu, READS,
		       r.backwards[cpu]);
}

static void read_tsc_here(void *data)
{
	*(u64 *)data = rdtsc_ordered();
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
			before = rdtsc_ordered();
			on_cpu(cpu, read_tsc_here, &there);
			after = rdtsc_ordered();
			if (there < before || there > after) {
				if (!bad++)
					report_info("CPU %u read %#llx outside "
						    "[%#llx, %#llx]", cpu,
						    (unsigned long long)there,
						    (unsigned long long)before,
						    (unsigned long long)after);
			}
		}
	}
	report(!bad, "TSC read on another CPU between two BSP reads: %u of "
	       "%u out of order (want 0)", bad, ROUNDS * (nr_cpus - 1));
}

/*
 * The CPUs take turns through a shared sequence counter: turn n belongs
 * to CPU n mod nr_cpus, which reads the TSC a few times and then hands
 * the turn on.
 * That puts all reads in one global order alternating between CPUs; each
 * must be at least the one before it, made on another CPU. Only the
 * order is checked, no timing.
 */
struct global_order {
	unsigned seq;		/* next turn; written by its owner only */
	u64 last;
	unsigned backwards;
	unsigned bad_turn;
	u64 bad_tsc, bad_prev;
};

static void ordered_reads_here(void *data)
{
	struct global_order *g = data;
	unsigned me = smp_id(), n, i;
	u64 t;

	for (n = me; n < TURNS; n += nr_cpus) {
		while (__atomic_load_n(&g->seq, __ATOMIC_ACQUIRE) != n)
			pause();
		for (i = 0; i < READS_PER_TURN; i++) {
			t = rdtsc_ordered();
			if ((n || i) && t < g->last && !g->backwards++) {
				g->bad_turn = n;
				g->bad_tsc = t;
				g->bad_prev = g->last;
			}
			g->last = t;
		}
		__atomic_store_n(&g->seq, n + 1, __ATOMIC_RELEASE);
	}
}

static void test_global_order(void)
{
	static struct global_order g;

	if (nr_cpus < 2) {
		report_skip("global order: only one CPU");
		return;
	}
	on_cpus(ordered_reads_here, &g);
	if (g.backwards)
		report_info("first: turn %u, CPU %u read %#llx after %#llx",
			    g.bad_turn, g.bad_turn % nr_cpus,
			    (unsigned long long)g.bad_tsc,
			    (unsigned long long)g.bad_prev);
	report(!g.backwards, "global order: %u turns of %u reads taking "
	       "turns between %u CPUs, %u smaller than the read before "
	       "(want 0)", TURNS, READS_PER_TURN, nr_cpus, g.backwards);
}

/*
 * CPUID leaf 15H: TSC frequency = ECX (crystal Hz) * EBX / EAX, EBX 0
 * when the ratio is not enumerated. Leaf 16H: base, maximum and bus
 * frequency in MHz, 0 when not enumerated (SDM vol 2A, CPUID). Returns
 * the TSC frequency in Hz, 0 when unknown.
 */
static u64 test_cpuid_15h(u32 max)
{
	struct cpuid t;

	if (max < CPUID_LEAF_TSC) {
		report_skip("CPUID.15H: highest basic leaf is %#x", max);
		return 0;
	}
	t = cpuid(CPUID_LEAF_TSC);
	report_info("CPUID.15H: EAX %u, EBX %u, ECX %u", t.a, t.b, t.c);
	if (!t.b) {
		report_skip("CPUID.15H: EBX 0, the TSC/crystal ratio is not "
			    "enumerated");
		return 0;
	}
	report(t.a != 0, "CPUID.15H: ratio EBX/EAX %u/%u has a nonzero "
	       "denominator", t.b, t.a);
	if (!t.a || !t.c)
		return 0;
	return (u64)t.c * t.b / t.a;
}

static void test_cpuid_16h(u32 max, u64 tsc_hz)
{
	struct cpuid f;

	if (max < CPUID_LEAF_FREQ) {
		report_skip("CPUID.16H: highest basic leaf is %#x", max);
		return;
	}
	f = cpuid(CPUID_LEAF_FREQ);
	report_info("CPUID.16H: base %u MHz, max %u MHz, bus %u MHz", f.a,
		    f.b, f.c);
	/* The TSC may tick at a rate other than the base frequency (SDM
	 * vol 3, 18.17): shown, not compared. */
	if (tsc_hz && f.a)
		report_info("TSC %llu Hz (CPUID.15H), base %u MHz (CPUID.16H)",
			    (unsigned long long)tsc_hz, f.a);
	if (!f.a || !f.b) {
		report_skip("CPUID.16H: base or maximum frequency not "
			    "enumerated (EAX %u, EBX %u)", f.a, f.b);
		return;
	}
	report(f.a <= f.b, "CPUID.16H: base %u MHz <= maximum %u MHz", f.a,
	       f.b);
}

static void test_cpuid_info(void)
{
	u32 max = cpuid(0).a;

	report_info("%s: %d", X86_FEATURE_INVARIANT_TSC.name,
		    this_cpu_has(X86_FEATURE_INVARIANT_TSC));
	test_cpuid_16h(max, test_cpuid_15h(max));
}

struct rdtscp_order {
	bool in_order[MAX_CPUS];
	u64 t[MAX_CPUS][3];
};

/* RDTSCP waits for the instructions before it (SDM vol 2B, RDTSCP). */
static void rdtscp_order_here(void *data)
{
	struct rdtscp_order *r = data;
	unsigned cpu = smp_id();
	u64 *t = r->t[cpu];

	t[0] = rdtsc_ordered();
	t[1] = rdtscp(NULL);
	t[2] = rdtsc_ordered();
	r->in_order[cpu] = t[0] <= t[1] && t[1] <= t[2];
}

static void test_rdtscp(void)
{
	static struct rdtscp_order r;
	unsigned cpu, ncpus = nr_cpus < MAX_CPUS ? nr_cpus : MAX_CPUS;

	if (!this_cpu_has(X86_FEATURE_RDTSCP)) {
		report_skip("RDTSCP: %s clear", X86_FEATURE_RDTSCP.name);
		return;
	}
	on_cpus(rdtscp_order_here, &r);
	for (cpu = 0; cpu < ncpus; cpu++)
		report(r.in_order[cpu], "CPU %u: RDTSCP %#llx between the "
		       "RDTSCs around it (%#llx, %#llx)", cpu,
		       (unsigned long long)r.t[cpu][1],
		       (unsigned long long)r.t[cpu][0],
		       (unsigned long long)r.t[cpu][2]);
}

struct tsc_write {
	u64 target, after;
};

static void write_tsc_here(void *data)
{
	struct tsc_write *w = data;

	w->target = rdtsc() + WRITE_DELTA;
	wrmsr(MSR_IA32_TSC, w->target);
	w->after = rdtsc();
}

/*
 * Writing IA32_TSC sets the writing logical processor's counter (SDM vol
 * 3, 18.17; thread scope in SDM vol 4, table 2-2). Last: it
 * desynchronises that CPU's TSC from the others.
 */
static void test_tsc_write(void)
{
	unsigned cpu = nr_cpus - 1;
	struct tsc_write w;
	u64 before, after, adj0 = 0, adj1;
	bool adjust = this_cpu_has(X86_FEATURE_TSC_ADJUST);

	if (adjust)
		adj0 = rdmsr(MSR_IA32_TSC_ADJUST);
	before = rdtsc_ordered();
	on_cpu(cpu, write_tsc_here, &w);
	after = rdtsc_ordered();
	report(w.after >= w.target && w.after - w.target < WRITE_SLACK,
	       "RDTSC after writing IA32_TSC on CPU %u = %#llx: %#llx, want "
	       "within [%#llx, %#llx)", cpu, (unsigned long long)w.target,
	       (unsigned long long)w.after, (unsigned long long)w.target,
	       (unsigned long long)(w.target + WRITE_SLACK));
	if (!cpu)
		return;
	report(after - before < WRITE_SLACK, "CPU 0's TSC unmoved by the "
	       "write on CPU %u: it advanced %#llx across it, want below "
	       "%#llx", cpu, (unsigned long long)(after - before),
	       (unsigned long long)WRITE_SLACK);
	if (!adjust) {
		report_skip("CPU 0's IA32_TSC_ADJUST: %s clear",
			    X86_FEATURE_TSC_ADJUST.name);
		return;
	}
	adj1 = rdmsr(MSR_IA32_TSC_ADJUST);
	report(adj1 == adj0, "CPU 0's IA32_TSC_ADJUST unchanged by the "
	       "IA32_TSC write on CPU %u (got %#llx, want %#llx)", cpu,
	       (unsigned long long)adj1, (unsigned long long)adj0);
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
	have_lfence = this_cpu_has(X86_FEATURE_SSE2);
	test_cpuid_info();
	test_monotonic_each_cpu();
	test_monotonic_across_cpus();
	test_global_order();
	test_rdtscp();
	test_tsc_write();
	return report_summary();
}
