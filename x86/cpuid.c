/*
 * CPUID consistency a hypervisor must keep (SDM vol 2A, CPUID; AMD APM
 * vol 3, appendix E): the maximum leaves and what lies above them, the
 * initial APIC ID against the local APIC, the extended topology leaves
 * 0BH and 1FH on every CPU, AMD's core count leaves, OSXSAVE following
 * each CPU's own CR4 and the leaf 7 sub-leaf limit.
 *
 * CPUID.0DH sizes against XCR0 are x86/xsave.c's ("test_sizes").
 *
 * test_args: "sockets=<s> cores=<c> threads=<t>", the topology QEMU was
 * given with -smp; without them only self-consistency is checked.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define X86_FEATURE_OSXSAVE	CPUID_FEATURE(1, 0, ECX, 27, "CPUID.01H:ECX[27] (OSXSAVE)")
#define X86_FEATURE_HTT		CPUID_FEATURE(1, 0, EDX, 28, "CPUID.01H:EDX[28] (HTT)")
#define X86_FEATURE_TOPOEXT	CPUID_FEATURE(0x80000001, 0, ECX, 22, "CPUID.80000001H:ECX[22] (TopologyExtensions)")

/* Extended topology leaves, SDM vol 2A, CPUID leaf 0BH and 1FH. */
#define CPUID_TOPO_LEAF		0xb
#define CPUID_TOPO_V2_LEAF	0x1f
#define TOPO_SHIFT(eax)		((eax) & 0x1f)		/* EAX[4:0] */
#define TOPO_COUNT(ebx)		((ebx) & 0xffff)	/* EBX[15:0] */
#define TOPO_LEVEL(ecx)		((ecx) & 0xff)		/* ECX[7:0] */
#define TOPO_TYPE(ecx)		(((ecx) >> 8) & 0xff)	/* ECX[15:8] */
#define TOPO_TYPE_INVALID	0
#define TOPO_TYPE_SMT		1
#define TOPO_TYPE_CORE		2
#define TOPO_TYPE_MAX_1F	5	/* die, the highest 1FH defines */
#define TOPO_MAX_LEVELS		8

/* CPUID.01H:EBX: [31:24] initial APIC ID, [23:16] maximum number of
 * addressable logical processor IDs in the package (valid with HTT). */
#define LEAF1_APIC_ID(ebx)	((ebx) >> 24)
#define LEAF1_MAX_IDS(ebx)	(((ebx) >> 16) & 0xff)

/* AMD APM vol 3, E.4.7: CPUID.80000008H:ECX[7:0] NC, the number of
 * threads in the package minus one; [15:12] ApicIdSize, 0 meaning "use
 * NC" (legacy). E.4.15: CPUID.8000001EH EAX extended APIC ID,
 * EBX[15:8] threads per core minus one. */
#define AMD_NC(ecx)		((ecx) & 0xff)
#define AMD_APIC_ID_SIZE(ecx)	(((ecx) >> 12) & 0xf)
#define AMD_THREADS_PER_CORE(ebx) ((((ebx) >> 8) & 0xff) + 1)

struct cpu_info {
	u32 xapic_id;
	struct cpuid leaf0, leaf1, leaf7, ext0, ext8;
	/* Sub-leaves up to and including the first invalid one. */
	struct cpuid topo[TOPO_MAX_LEVELS];
	unsigned nr_topo;
	struct cpuid topo2[TOPO_MAX_LEVELS];
	unsigned nr_topo2;
	struct cpuid amd_1e;
	/* OSXSAVE as read with CR4.OSXSAVE set, then clear. */
	int osxsave_set, osxsave_clear;
	/* OSXSAVE read while only the BSP has CR4.OSXSAVE set. */
	int osxsave_other;
};

static struct cpu_info info[MAX_CPUS];
static u32 max_basic, max_ext;
static unsigned want_sockets, want_cores, want_threads;
static bool have_topo;

static unsigned read_topo(u32 leaf, struct cpuid *out)
{
	unsigned n;

	for (n = 0; n < TOPO_MAX_LEVELS; n++) {
		out[n] = cpuid_indexed(leaf, n);
		if (TOPO_TYPE(out[n].c) == TOPO_TYPE_INVALID)
			return n + 1;
	}
	return n;
}

static bool osxsave_bit(void)
{
	return (cpuid(1).c >> X86_FEATURE_OSXSAVE.bit) & 1;
}

static void collect(void *data)
{
	struct cpu_info *ci = &info[smp_id()];
	unsigned long cr4;

	(void)data;
	ci->xapic_id = apic_id();
	ci->leaf0 = cpuid(0);
	ci->leaf1 = cpuid(1);
	ci->leaf7 = cpuid_indexed(7, 0);
	ci->ext0 = cpuid(0x80000000);
	if (max_ext >= 0x80000008)
		ci->ext8 = cpuid(0x80000008);
	if (max_basic >= CPUID_TOPO_LEAF)
		ci->nr_topo = read_topo(CPUID_TOPO_LEAF, ci->topo);
	if (max_basic >= CPUID_TOPO_V2_LEAF)
		ci->nr_topo2 = read_topo(CPUID_TOPO_V2_LEAF, ci->topo2);
	if (max_ext >= 0x8000001e)
		ci->amd_1e = cpuid(0x8000001e);

	ci->osxsave_set = ci->osxsave_clear = -1;
	if (this_cpu_has(X86_FEATURE_XSAVE)) {
		cr4 = read_cr4();
		write_cr4(cr4 | X86_CR4_OSXSAVE);
		ci->osxsave_set = osxsave_bit();
		write_cr4(cr4 & ~X86_CR4_OSXSAVE);
		ci->osxsave_clear = osxsave_bit();
		write_cr4(cr4);
	}
}

static void read_osxsave(void *data)
{
	(void)data;
	info[smp_id()].osxsave_other = osxsave_bit();
}

static bool same(struct cpuid a, struct cpuid b)
{
	return a.a == b.a && a.b == b.b && a.c == b.c && a.d == b.d;
}

/* Smallest n with 1 << n >= v (SDM vol 3, 9.9.1: IDs are allotted in
 * power-of-two fields). */
static unsigned order(unsigned v)
{
	unsigned n = 0;

	while ((1u << n) < v)
		n++;
	return n;
}

static void test_max_leaves(void)
{
	struct cpuid above, top;
	unsigned cpu, bad = 0;

	report_prefix_push("max leaf");
	report(max_basic >= 1, "CPUID.00H:EAX (got %#x, want >= 1)", max_basic);
	/* SDM vol 2A, CPUID: 80000000H:EAX is the highest extended leaf;
	 * APM vol 3, E.4.1: LFuncExt, in 8000_xxxxh. */
	report((max_ext & 0xffff0000) == 0x80000000,
	       "CPUID.80000000H:EAX in 8000xxxxH (got %#x)", max_ext);
	for (cpu = 1; cpu < nr_cpus; cpu++)
		if (!same(info[cpu].leaf0, info[0].leaf0) ||
		    !same(info[cpu].ext0, info[0].ext0) ||
		    !same(info[cpu].leaf7, info[0].leaf7)) {
			report_info("CPU %u: leaf 0 %#x, 80000000H %#x, "
				    "7.0 EBX %#x", cpu, info[cpu].leaf0.a,
				    info[cpu].ext0.a, info[cpu].leaf7.b);
			bad++;
		}
	report(!bad, "leaves 0, 7.0 and 80000000H equal on all %u CPUs "
	       "(%u differ from CPU 0)", nr_cpus, bad);

	/*
	 * SDM vol 2A, CPUID: "If a value entered for CPUID.EAX is higher
	 * than the maximum input value for basic or extended function for
	 * that processor then the data for the highest basic information
	 * leaf is returned." The APM has no such rule, so AMD is not
	 * checked.
	 */
	if (!cpu_is_intel()) {
		report_skip("leaves above the maximum: vendor is not "
			    "GenuineIntel (CPUID.00H:EBX %#x); the APM defines "
			    "no result for them", info[0].leaf0.b);
		report_prefix_pop();
		return;
	}
	top = cpuid_indexed(max_basic, 0);
	above = cpuid_indexed(max_basic + 1, 0);
	report(same(above, top), "leaf %#x (max basic + 1) returns leaf %#x "
	       "(got %#x %#x %#x %#x, want %#x %#x %#x %#x)", max_basic + 1,
	       max_basic, above.a, above.b, above.c, above.d, top.a, top.b,
	       top.c, top.d);
	above = cpuid_indexed(max_ext + 1, 0);
	report(same(above, top), "leaf %#x (max extended + 1) returns leaf "
	       "%#x (got %#x %#x %#x %#x, want %#x %#x %#x %#x)", max_ext + 1,
	       max_basic, above.a, above.b, above.c, above.d, top.a, top.b,
	       top.c, top.d);
	report_prefix_pop();
}

static void test_apic_ids(void)
{
	unsigned cpu, other, bad = 0, dups = 0;

	report_prefix_push("APIC ID");
	/* SDM vol 2A, CPUID.01H:EBX[31:24] "Initial APIC ID"; vol 3,
	 * 11.4.6: at power-up it is the local APIC ID. */
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		u32 initial = LEAF1_APIC_ID(info[cpu].leaf1.b);

		if (initial != info[cpu].xapic_id) {
			report_fail("CPU %u: CPUID.01H:EBX[31:24] %u, APIC ID "
				    "register %u", cpu, initial,
				    info[cpu].xapic_id);
			bad++;
		}
		for (other = cpu + 1; other < nr_cpus; other++)
			dups += info[cpu].xapic_id == info[other].xapic_id;
	}
	report(!bad, "CPUID.01H:EBX[31:24] equals the xAPIC ID register "
	       "bits 31:24 on all %u CPUs (%u differ)", nr_cpus, bad);
	report(!dups, "initial APIC IDs distinct (%u equal pairs)", dups);
	report_prefix_pop();
}

/*
 * Checks one CPU's sub-leaves of 0BH or 1FH against the SDM (vol 2A,
 * CPUID leaf 0BH/1FH): ECX[7:0] echoes the sub-leaf, EDX is the x2APIC
 * ID on every sub-leaf, types rise, and the first invalid sub-leaf has
 * EAX = EBX = 0. Returns the number of failed checks.
 */
static unsigned check_topo_cpu(const char *leaf, unsigned cpu,
			       const struct cpuid *t, unsigned n,
			       unsigned max_type)
{
	unsigned i, fails = 0, prev = 0;

	for (i = 0; i < n; i++) {
		unsigned type = TOPO_TYPE(t[i].c);

		if (TOPO_LEVEL(t[i].c) != i) {
			report_fail("CPU %u: %s.%u ECX[7:0] (got %u, want %u)",
				    cpu, leaf, i, TOPO_LEVEL(t[i].c), i);
			fails++;
		}
		if (t[i].d != info[cpu].xapic_id) {
			report_fail("CPU %u: %s.%u EDX x2APIC ID (got %u, want "
				    "APIC ID %u)", cpu, leaf, i, t[i].d,
				    info[cpu].xapic_id);
			fails++;
		}
		if (type == TOPO_TYPE_INVALID) {
			if (TOPO_SHIFT(t[i].a) || TOPO_COUNT(t[i].b)) {
				report_fail("CPU %u: %s.%u invalid level has "
					    "EAX %#x EBX %#x, want 0 0", cpu,
					    leaf, i, t[i].a, t[i].b);
				fails++;
			}
			break;
		}
		if (type <= prev || type > max_type) {
			report_fail("CPU %u: %s.%u level type %u after %u "
				    "(want rising, %u..%u)", cpu, leaf, i, type,
				    prev, TOPO_TYPE_SMT, max_type);
			fails++;
		}
		if (i && TOPO_SHIFT(t[i].a) < TOPO_SHIFT(t[i - 1].a)) {
			report_fail("CPU %u: %s.%u shift %u below the level "
				    "under it (%u)", cpu, leaf, i,
				    TOPO_SHIFT(t[i].a), TOPO_SHIFT(t[i - 1].a));
			fails++;
		}
		prev = type;
	}
	if (i == n && n == TOPO_MAX_LEVELS) {
		report_fail("CPU %u: %s: no invalid level in %u sub-leaves",
			    cpu, leaf, n);
		fails++;
	}
	return fails;
}

/* Number of distinct values of (APIC ID >> shift) over all CPUs. */
static unsigned distinct_ids(unsigned shift)
{
	unsigned cpu, other, count = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		for (other = 0; other < cpu; other++)
			if ((info[other].xapic_id >> shift) ==
			    (info[cpu].xapic_id >> shift))
				break;
		count += other == cpu;
	}
	return count;
}

static void test_leaf_0b(void)
{
	const struct cpuid *t = info[0].topo;
	unsigned cpu, fails = 0, differ = 0, i;
	unsigned smt_shift, core_shift;

	report_prefix_push("CPUID.0BH");
	if (max_basic < CPUID_TOPO_LEAF || !TOPO_COUNT(t[0].b)) {
		/* SDM vol 2A: 0BH is absent when EBX of sub-leaf 0 is 0. */
		report_skip("no leaf 0BH: CPUID.00H:EAX %#x, CPUID.0BH.0:EBX "
			    "%#x", max_basic, max_basic >= CPUID_TOPO_LEAF ?
			    t[0].b : 0);
		report_prefix_pop();
		return;
	}
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		fails += check_topo_cpu("0BH", cpu, info[cpu].topo,
					info[cpu].nr_topo, TOPO_TYPE_CORE);
		/* Everything but EDX describes the package: the same on
		 * every CPU of a symmetric configuration. */
		for (i = 0; i < info[0].nr_topo; i++)
			if (info[cpu].nr_topo != info[0].nr_topo ||
			    info[cpu].topo[i].a != t[i].a ||
			    info[cpu].topo[i].b != t[i].b ||
			    info[cpu].topo[i].c != t[i].c) {
				differ++;
				break;
			}
	}
	report(!fails, "levels, level numbers, x2APIC IDs (EDX) and the "
	       "invalid level on all %u CPUs (%u wrong)", nr_cpus, fails);
	report(!differ, "EAX, EBX, ECX equal on all CPUs (%u differ from "
	       "CPU 0)", differ);

	/* QEMU and KVM describe a thread level and a core level (SDM vol
	 * 2A: sub-leaf 0 is the SMT level). */
	if (info[0].nr_topo != 3 || TOPO_TYPE(t[0].c) != TOPO_TYPE_SMT ||
	    TOPO_TYPE(t[1].c) != TOPO_TYPE_CORE) {
		report_fail("levels (got %u valid, types %u, %u; want SMT, "
			    "Core)", info[0].nr_topo - 1, TOPO_TYPE(t[0].c),
			    info[0].nr_topo > 1 ? TOPO_TYPE(t[1].c) : 0);
		report_prefix_pop();
		return;
	}
	smt_shift = TOPO_SHIFT(t[0].a);
	core_shift = TOPO_SHIFT(t[1].a);
	report_info("SMT shift %u, %u threads; Core shift %u, %u logical "
		    "processors", smt_shift, TOPO_COUNT(t[0].b), core_shift,
		    TOPO_COUNT(t[1].b));

	/*
	 * The shifts cut the x2APIC ID into thread, core and package
	 * fields: CPUs sharing (ID >> shift) share that entity (SDM vol 3,
	 * 9.9.1). So the packages seen are (ID >> Core shift) and the
	 * cores (ID >> SMT shift).
	 */
	if (!have_topo) {
		report_skip("no sockets=/cores=/threads= arguments: counts "
			    "not checked");
		report_prefix_pop();
		return;
	}
	report(TOPO_COUNT(t[0].b) == want_threads, "SMT level EBX[15:0] "
	       "(got %u, want threads=%u)", TOPO_COUNT(t[0].b), want_threads);
	report(TOPO_COUNT(t[1].b) == want_threads * want_cores,
	       "Core level EBX[15:0] (got %u, want threads*cores=%u)",
	       TOPO_COUNT(t[1].b), want_threads * want_cores);
	report(smt_shift >= order(want_threads) &&
	       core_shift - smt_shift >= order(want_cores),
	       "shifts leave room for the IDs (got SMT %u, Core %u; want >= "
	       "%u, >= SMT + %u)", smt_shift, core_shift, order(want_threads),
	       order(want_cores));
	report(distinct_ids(core_shift) == want_sockets,
	       "x2APIC ID >> Core shift names the packages (got %u distinct, "
	       "want sockets=%u)", distinct_ids(core_shift), want_sockets);
	report(distinct_ids(smt_shift) == want_sockets * want_cores,
	       "x2APIC ID >> SMT shift names the cores (got %u distinct, "
	       "want sockets*cores=%u)", distinct_ids(smt_shift),
	       want_sockets * want_cores);

	/* SDM vol 2A, CPUID.01H:EBX[23:16]: "The nearest power-of-2
	 * integer that is not smaller than EBX[23:16] is the number of
	 * unique initial APIC IDs reserved for addressing different
	 * logical processors in a physical package." Without leaf 1FH the
	 * package level starts at the Core shift. */
	if (!this_cpu_has(X86_FEATURE_HTT))
		report_skip("CPUID.01H:EBX[23:16]: %s clear",
			    X86_FEATURE_HTT.name);
	else if (info[0].nr_topo2)
		report_skip("CPUID.01H:EBX[23:16]: leaf 1FH present, the "
			    "package may hold dies");
	else
		report((1u << order(LEAF1_MAX_IDS(info[0].leaf1.b))) ==
		       (1u << core_shift),
		       "CPUID.01H:EBX[23:16] rounded to a power of 2 (got "
		       "%u from %u, want 1 << Core shift = %u)",
		       1u << order(LEAF1_MAX_IDS(info[0].leaf1.b)),
		       LEAF1_MAX_IDS(info[0].leaf1.b), 1u << core_shift);
	report_prefix_pop();
}

static void test_leaf_1f(void)
{
	unsigned cpu, fails = 0;

	report_prefix_push("CPUID.1FH");
	/* Leaf 1FH is Intel's (SDM vol 2A, CPUID); the APM has no 1FH (its
	 * extended topology is 0BH and 26H, APM vol 3, appendix E). */
	if (cpu_is_amd()) {
		report_skip("AMD vendor: leaf 1FH is Intel's (SDM vol 2A, "
			    "CPUID); the APM does not define it");
		report_prefix_pop();
		return;
	}
	if (max_basic < CPUID_TOPO_V2_LEAF || !TOPO_COUNT(info[0].topo2[0].b)) {
		report_skip("no leaf 1FH: CPUID.00H:EAX %#x < 1FH or "
			    "CPUID.1FH.0:EBX 0", max_basic);
		report_prefix_pop();
		return;
	}
	for (cpu = 0; cpu < nr_cpus; cpu++)
		fails += check_topo_cpu("1FH", cpu, info[cpu].topo2,
					info[cpu].nr_topo2, TOPO_TYPE_MAX_1F);
	report(!fails, "levels, level numbers, x2APIC IDs (EDX) and the "
	       "invalid level on all %u CPUs (%u wrong)", nr_cpus, fails);
	/* SDM vol 2A, 1FH: a superset of 0BH; sub-leaf 0 is SMT in both. */
	report(info[0].topo2[0].a == info[0].topo[0].a &&
	       info[0].topo2[0].c == info[0].topo[0].c,
	       "sub-leaf 0 agrees with 0BH (got EAX %#x ECX %#x, want %#x "
	       "%#x)", info[0].topo2[0].a, info[0].topo2[0].c,
	       info[0].topo[0].a, info[0].topo[0].c);
	report_prefix_pop();
}

static void test_amd_topology(void)
{
	unsigned cpu, bad = 0;
	u32 nc, size;

	report_prefix_push("AMD");
	if (!cpu_is_amd()) {
		report_skip("vendor is neither AuthenticAMD nor HygonGenuine "
			    "(CPUID.00H:EBX %#x): 80000008H:ECX and 8000001EH "
			    "are AMD's",
			    info[0].leaf0.b);
		report_prefix_pop();
		return;
	}
	if (max_ext < 0x80000008) {
		report_skip("no leaf 80000008H: CPUID.80000000H:EAX %#x",
			    max_ext);
	} else {
		nc = AMD_NC(info[0].ext8.c);
		size = AMD_APIC_ID_SIZE(info[0].ext8.c);
		report_info("CPUID.80000008H:ECX %#x: NC %u, ApicIdSize %u",
			    info[0].ext8.c, nc, size);
		if (!have_topo)
			report_skip("80000008H:ECX NC: no topology arguments");
		else
			report(nc + 1 == want_threads * want_cores,
			       "80000008H:ECX[7:0] NC + 1 (got %u, want "
			       "threads*cores=%u)", nc + 1,
			       want_threads * want_cores);
		/* APM vol 3, E.4.7: ApicIdSize bits of the APIC ID number
		 * the threads of a package; 0 means NC is to be used. */
		if (size)
			report((1u << size) >= nc + 1, "80000008H:ECX[15:12] "
			       "ApicIdSize %u gives room for NC + 1 = %u "
			       "threads", size, nc + 1);
		for (cpu = 1; cpu < nr_cpus; cpu++)
			bad += info[cpu].ext8.c != info[0].ext8.c;
		report(!bad, "80000008H:ECX equal on all CPUs (%u differ)",
		       bad);
	}

	if (!this_cpu_has(X86_FEATURE_TOPOEXT) || max_ext < 0x8000001e) {
		report_skip("no leaf 8000001EH: %s clear or "
			    "CPUID.80000000H:EAX %#x < 8000001EH",
			    X86_FEATURE_TOPOEXT.name, max_ext);
		report_prefix_pop();
		return;
	}
	bad = 0;
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (info[cpu].amd_1e.a != info[cpu].xapic_id) {
			report_fail("CPU %u: 8000001EH:EAX extended APIC ID "
				    "(got %u, want %u)", cpu,
				    info[cpu].amd_1e.a, info[cpu].xapic_id);
			bad++;
		}
	report(!bad, "8000001EH:EAX is the APIC ID on all %u CPUs (%u wrong)",
	       nr_cpus, bad);
	if (have_topo)
		report(AMD_THREADS_PER_CORE(info[0].amd_1e.b) == want_threads,
		       "8000001EH:EBX[15:8] + 1 threads per core (got %u, "
		       "want %u)", AMD_THREADS_PER_CORE(info[0].amd_1e.b),
		       want_threads);
	report_prefix_pop();
}

/*
 * SDM vol 2A, CPUID.01H:ECX[27]: "OSXSAVE: A value of 1 indicates that
 * the OS has set CR4.OSXSAVE[bit 18]". CR4 is per logical processor, so
 * the bit must follow each CPU's own CR4.
 */
static void test_osxsave(void)
{
	unsigned long cr4 = read_cr4();
	unsigned cpu, bad = 0;

	report_prefix_push("OSXSAVE");
	if (!this_cpu_has(X86_FEATURE_XSAVE)) {
		report_skip("%s clear: CR4.OSXSAVE is reserved",
			    X86_FEATURE_XSAVE.name);
		report_prefix_pop();
		return;
	}
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (info[cpu].osxsave_set != 1 || info[cpu].osxsave_clear != 0) {
			report_fail("CPU %u: CPUID.01H:ECX[27] %d with "
				    "CR4.OSXSAVE set, %d with it clear (want "
				    "1, 0)", cpu, info[cpu].osxsave_set,
				    info[cpu].osxsave_clear);
			bad++;
		}
	report(!bad, "CPUID.01H:ECX[27] follows CR4.OSXSAVE on all %u CPUs "
	       "(%u wrong)", nr_cpus, bad);

	if (nr_cpus < 2) {
		report_skip("one CPU: CR4.OSXSAVE of another CPU not checked");
	} else {
		write_cr4(cr4 | X86_CR4_OSXSAVE);
		for (cpu = 1; cpu < nr_cpus; cpu++)
			on_cpu(cpu, read_osxsave, NULL);
		write_cr4(cr4);
		bad = 0;
		for (cpu = 1; cpu < nr_cpus; cpu++)
			bad += info[cpu].osxsave_other != 0;
		report(!bad, "CPUID.01H:ECX[27] clear on the other CPUs while "
		       "only CPU 0 sets CR4.OSXSAVE (%u of %u read 1)", bad,
		       nr_cpus - 1);
	}
	report_prefix_pop();
}

/*
 * SDM vol 2A, CPUID leaf 07H: sub-leaf 0 EAX is the highest valid
 * sub-leaf; "If ECX contains an invalid sub leaf index, EAX/EBX/ECX/EDX
 * return 0."
 */
static void test_leaf_7(void)
{
	struct cpuid r;
	u32 max_sub;

	report_prefix_push("CPUID.07H");
	if (max_basic < 7) {
		report_skip("no leaf 07H: CPUID.00H:EAX %#x", max_basic);
		report_prefix_pop();
		return;
	}
	max_sub = info[0].leaf7.a;
	report_info("CPUID.07H.0:EAX max sub-leaf %u", max_sub);
	r = cpuid_indexed(7, max_sub + 1);
	report(!r.a && !r.b && !r.c && !r.d, "sub-leaf %u (max + 1) is all "
	       "zero (got %#x %#x %#x %#x)", max_sub + 1, r.a, r.b, r.c, r.d);
	r = cpuid_indexed(7, 0xffffffff);
	report(!r.a && !r.b && !r.c && !r.d, "sub-leaf 0xffffffff is all "
	       "zero (got %#x %#x %#x %#x)", r.a, r.b, r.c, r.d);
	report_prefix_pop();
}

static void parse_args(int argc, char **argv)
{
	int a;

	for (a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "sockets=", 8))
			want_sockets = strtoul(argv[a] + 8, NULL, 0);
		else if (!strncmp(argv[a], "cores=", 6))
			want_cores = strtoul(argv[a] + 6, NULL, 0);
		else if (!strncmp(argv[a], "threads=", 8))
			want_threads = strtoul(argv[a] + 8, NULL, 0);
	}
	have_topo = want_sockets && want_cores && want_threads;
}

int main(int argc, char **argv)
{
	report_prefix_push("cpuid");
	parse_args(argc, argv);
	max_basic = cpuid(0).a;
	max_ext = cpuid(0x80000000).a;
	report_info("%u CPUs, max basic leaf %#x, max extended leaf %#x, "
		    "vendor EBX %#x", nr_cpus, max_basic, max_ext, cpuid(0).b);
	if (have_topo)
		report(nr_cpus == want_sockets * want_cores * want_threads,
		       "%u CPUs up (want sockets*cores*threads = %u)",
		       nr_cpus, want_sockets * want_cores * want_threads);

	on_cpus(collect, NULL);
	test_max_leaves();
	test_apic_ids();
	test_leaf_0b();
	test_leaf_1f();
	test_amd_topology();
	test_osxsave();
	test_leaf_7();
	return report_summary();
}
