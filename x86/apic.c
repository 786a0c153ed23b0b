/*
 * Local APIC: identification (SDM vol 3, 11.4.6 and 11.4.8), IPIs to
 * self, to logical (flat model) and broadcast destinations (11.6),
 * task and processor priority (11.8.3), the APIC timer in one-shot,
 * periodic and TSC-deadline modes (11.5.4), and the x2APIC mode's
 * register interface (11.12).
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define VEC_IPI			0x41
#define VEC_TIMER		0x42
#define VEC_LOW			0x45	/* priority class 4 */
#define VEC_MID			0x55	/* class 5 */
#define VEC_HIGH		0x65	/* class 6 */

/* Version register, SDM vol 3, 11.4.8 (figure 11-7): 10H-15H is an
 * integrated local APIC; bits 23:16 hold the number of LVT entries
 * minus 1, at least 4 in processors with the timer, LINT0/1, error and
 * performance counter entries. */
#define APIC_VERSION_MIN	0x10
#define APIC_VERSION_MAX	0x15
#define APIC_MAXLVT_MIN		4

/* DFR model in bits 31:28 (SDM vol 3, 11.6.2.2): all ones is flat. */
#define APIC_DFR_FLAT		0xffffffffu

/* Timer, SDM vol 3, 11.5.4 (figures 11-8 and 11-10) */
#define APIC_LVT_TIMER_PERIODIC	(1u << 17)
#define APIC_LVT_TIMER_TSCDL	(2u << 17)
#define APIC_TDCR_DIV_1		0xb
#define MSR_IA32_TSC_DEADLINE	0x6e0	/* SDM vol 4, table 2-2 */

/* x2APIC SELF IPI register, SDM vol 3, 11.12.11 */
#define MSR_X2APIC_SELF_IPI	(MSR_X2APIC_BASE + (APIC_SELF_IPI >> 4))
#define MSR_X2APIC_LDR		(MSR_X2APIC_BASE + (APIC_LDR >> 4))

#define TIMER_COUNT		1000000u	/* 1 ms at QEMU's 1 GHz bus */
#define LONG_COUNT		0xf0000000u	/* 4 s there */
/* How long to wait for an interrupt: TSC cycles, generous for TCG. */
#define WAIT_CYCLES		(4ull << 30)

static volatile unsigned hits[MAX_CPUS];
static volatile unsigned order[4], norder;
static volatile u32 ppr_in_handler;

static void count_handler(struct ex_regs *regs)
{
	hits[smp_id()]++;
	if (norder < ARRAY_SIZE(order))
		order[norder++] = regs->vector;
	ppr_in_handler = apic_read(APIC_PPR);
	apic_eoi();
}

static void reset_counts(void)
{
	unsigned i;

	for (i = 0; i < MAX_CPUS; i++)
		hits[i] = 0;
	norder = 0;
}

/* With interrupts enabled, wait until @cpu has seen @want interrupts. */
static bool wait_hits(unsigned cpu, unsigned want)
{
	u64 start = rdtsc();

	sti();
	while (hits[cpu] < want && rdtsc() - start < WAIT_CYCLES)
		pause();
	cli();
	return hits[cpu] >= want;
}

/* Give a stray interrupt time to arrive, with interrupts enabled. */
static void settle(void)
{
	u64 start = rdtsc();

	sti();
	while (rdtsc() - start < WAIT_CYCLES / 64)
		pause();
	cli();
}

static bool irr_set(u8 vector)
{
	return (apic_read(APIC_IRR + (vector / 32) * 0x10) >> (vector % 32)) &
	       1;
}

static void test_id_version(void)
{
	u32 id = apic_id(), initial = cpuid(1).b >> 24;
	u32 lvr = apic_read(APIC_LVR);
	u32 version = lvr & 0xff, maxlvt = (lvr >> 16) & 0xff;

	/* CPUID.01H:EBX[31:24] is the initial APIC ID (SDM vol 2A, CPUID). */
	report(id == initial, "ID matches CPUID.01H:EBX[31:24] (got %u, "
	       "want %u)", id, initial);
	report(version >= APIC_VERSION_MIN && version <= APIC_VERSION_MAX,
	       "version is an integrated APIC (got %#x, want %#x-%#x)",
	       version, APIC_VERSION_MIN, APIC_VERSION_MAX);
	report(maxlvt >= APIC_MAXLVT_MIN, "max LVT entry (got %u, want >= "
	       "%u)", maxlvt, APIC_MAXLVT_MIN);
}

static void test_self_ipi(void)
{
	bool ok;

	reset_counts();
	apic_icr_write(APIC_DEST_SELF | APIC_DM_FIXED | APIC_INT_ASSERT |
		       VEC_IPI, 0);
	ok = wait_hits(0, 1);
	report(ok && order[0] == VEC_IPI, "self IPI, "
	       "shorthand (got %u interrupts, vector %#x)", hits[0],
	       norder ? order[0] : 0);

	reset_counts();
	apic_send_ipi(apic_id(), VEC_IPI);
	ok = wait_hits(0, 1);
	report(ok, "self IPI, physical destination own ID "
	       "(got %u interrupts)", hits[0]);
}

static void test_priority(void)
{
	bool held, pending;
	u32 ppr;

	report_prefix_push("priority");

	/* SDM vol 3, 11.8.3.1: PPR = TPR while nothing is in service. */
	apic_write(APIC_TPR, 0x40);
	ppr = apic_read(APIC_PPR);
	report(ppr == 0x40, "PPR follows TPR (got %#x, want 0x40)", ppr);

	/* Only a class above PPR[7:4] is delivered (11.8.3). */
	reset_counts();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_LOW, 0);
	settle();
	held = hits[0] == 0;
	pending = irr_set(VEC_LOW);
	report(held && pending, "vector %#x in TPR class 4 held pending "
	       "(got %u interrupts, IRR bit %d)", VEC_LOW, hits[0], pending);

	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_MID, 0);
	wait_hits(0, 1);
	report(hits[0] == 1 && order[0] == VEC_MID, "vector %#x above the "
	       "TPR class delivered (got %u interrupts, first %#x)", VEC_MID,
	       hits[0], norder ? order[0] : 0);
	/* In service VEC_MID: PPR[7:4] = ISRV[7:4], PPR[3:0] = 0. */
	report(ppr_in_handler == (VEC_MID & 0xf0), "PPR in the handler is "
	       "the in-service class (got %#x, want %#x)", ppr_in_handler,
	       VEC_MID & 0xf0);

	apic_write(APIC_TPR, 0x30);
	wait_hits(0, 2);
	report(hits[0] == 2 && order[1] == VEC_LOW, "held vector delivered "
	       "once TPR drops below its class (got %u interrupts, second "
	       "%#x)", hits[0], norder > 1 ? order[1] : 0);
	apic_write(APIC_TPR, 0);

	/* Two pending: the higher vector first (11.8.3). */
	reset_counts();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_MID, 0);
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_HIGH, 0);
	wait_hits(0, 2);
	report(norder == 2 && order[0] == VEC_HIGH && order[1] == VEC_MID,
	       "two pending: higher vector first (got %u: %#x %#x, want "
	       "%#x %#x)", norder, order[0], order[1], VEC_HIGH, VEC_MID);

	report_prefix_pop();
}

static void set_logical_id(void *data)
{
	(void)data;
	apic_write(APIC_DFR, APIC_DFR_FLAT);
	/* flat model: one bit per CPU in LDR[31:24] */
	apic_write(APIC_LDR, (1u << smp_id()) << 24);
}

static void clear_logical_id(void *data)
{
	(void)data;
	apic_write(APIC_LDR, 0);
}

static void test_destinations(void)
{
	unsigned last = nr_cpus - 1, cpu, got;
	bool ok;

	report_prefix_push("destinations");
	if (nr_cpus < 2) {
		report_skip("logical and broadcast IPIs need 2 CPUs (have %u)",
			    nr_cpus);
		report_prefix_pop();
		return;
	}

	/* Flat logical model, SDM vol 3, 11.6.2.2: a fixed IPI reaches
	 * every CPU whose LDR bit is in the destination. */
	on_cpus(set_logical_id, NULL);
	reset_counts();
	apic_icr_write(APIC_DEST_LOGICAL | APIC_INT_ASSERT | VEC_IPI,
		       1u << last);
	ok = wait_hits(last, 1);
	settle();
	report(ok && hits[last] == 1 && hits[0] == 0, "logical flat: "
	       "only CPU %u (got %u there, %u on CPU 0)", last, hits[last],
	       hits[0]);

	reset_counts();
	apic_icr_write(APIC_DEST_LOGICAL | APIC_INT_ASSERT | VEC_IPI,
		       (1u << nr_cpus) - 1);
	wait_hits(last, 1);
	wait_hits(0, 1);
	for (cpu = 0, got = 0; cpu < nr_cpus; cpu++)
		got += hits[cpu] == 1;
	report(got == nr_cpus, "logical flat: all CPUs in the mask (got "
	       "%u of %u)", got, nr_cpus);
	on_cpus(clear_logical_id, NULL);

	/* Shorthands, SDM vol 3, 11.6.1 (figure 11-12). */
	reset_counts();
	apic_icr_write(APIC_DEST_ALLBUT | APIC_INT_ASSERT | VEC_IPI, 0);
	wait_hits(last, 1);
	settle();
	for (cpu = 1, got = 0; cpu < nr_cpus; cpu++)
		got += hits[cpu] == 1;
	report(got == nr_cpus - 1 && hits[0] == 0, "all excluding self "
	       "(got %u of %u others, %u on self)", got, nr_cpus - 1,
	       hits[0]);

	reset_counts();
	apic_icr_write(APIC_DEST_ALLINC | APIC_INT_ASSERT | VEC_IPI, 0);
	wait_hits(0, 1);
	wait_hits(last, 1);
	for (cpu = 0, got = 0; cpu < nr_cpus; cpu++)
		got += hits[cpu] == 1;
	report(got == nr_cpus, "all including self (got %u of %u)", got,
	       nr_cpus);

	/* Physical destination 0xff is a broadcast in xAPIC mode
	 * (11.6.2.1). */
	if (!apic_is_x2apic()) {
		reset_counts();
		apic_icr_write(APIC_DEST_PHYSICAL | APIC_INT_ASSERT | VEC_IPI,
			       0xff);
		wait_hits(0, 1);
		wait_hits(last, 1);
		for (cpu = 0, got = 0; cpu < nr_cpus; cpu++)
			got += hits[cpu] == 1;
		report(got == nr_cpus, "physical broadcast ID 0xff (got %u "
		       "of %u)", got, nr_cpus);
	}
	report_prefix_pop();
}

static void test_timer(void)
{
	u32 c1, c2, c3;
	bool fired;

	report_prefix_push("timer");
	apic_write(APIC_TDCR, APIC_TDCR_DIV_1);

	/* A long count, masked, so a slow host cannot reach 0 between
	 * the reads. */
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_MASKED);
	apic_write(APIC_TMICT, LONG_COUNT);
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	report(c1 <= LONG_COUNT && c2 < c1, "current count counts down "
	       "from the initial count (got %u then %u, initial %u)", c1, c2,
	       LONG_COUNT);

	reset_counts();
	apic_write(APIC_LVTT, VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	fired = wait_hits(0, 1);
	report(fired && order[0] == VEC_TIMER, "one-shot: interrupt arrives "
	       "(got %u, vector %#x)", hits[0], norder ? order[0] : 0);
	settle();
	c3 = apic_read(APIC_TMCCT);
	report(hits[0] == 1 && c3 == 0, "one-shot: fires once, count stays "
	       "0 (got %u interrupts, count %u)", hits[0], c3);

	reset_counts();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_TIMER_PERIODIC);
	apic_write(APIC_TMICT, TIMER_COUNT);
	fired = wait_hits(0, 3);
	c1 = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	report(fired, "periodic: repeated interrupts (got %u, want >= 3)",
	       hits[0]);
	report(c1 > 0 && c1 <= TIMER_COUNT, "periodic: count reloads (got "
	       "%u, initial %u)", c1, TIMER_COUNT);

	/* A masked LVT entry still counts, without an interrupt
	 * (11.5.1). First let a periodic interrupt that was already
	 * pending when the timer stopped come in. */
	settle();
	reset_counts();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_MASKED);
	apic_write(APIC_TMICT, TIMER_COUNT / 10);
	settle();
	c1 = apic_read(APIC_TMCCT);
	report(hits[0] == 0 && c1 == 0, "masked: counts to 0 without an "
	       "interrupt (got %u interrupts, count %u)", hits[0], c1);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	report_prefix_pop();
}

static void test_tsc_deadline(void)
{
	u64 left;
	u32 count;
	bool fired;

	report_prefix_push("tsc-deadline");
	if (!this_cpu_has(X86_FEATURE_TSC_DEADLINE)) {
		report_skip("no TSC-deadline timer: %s clear",
			    X86_FEATURE_TSC_DEADLINE.name);
		report_prefix_pop();
		return;
	}

	/* SDM vol 3, 11.5.4.1: arming, firing, and the MSR reading 0
	 * once the timer has fired; TMICT writes are ignored. */
	reset_counts();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_TIMER_TSCDL);
	apic_write(APIC_TMICT, TIMER_COUNT);
	count = apic_read(APIC_TMCCT);
	report(count == 0, "current count reads 0 (got %u)", count);
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + TIMER_COUNT);
	fired = wait_hits(0, 1);
	left = rdmsr(MSR_IA32_TSC_DEADLINE);
	report(fired && order[0] == VEC_TIMER, "interrupt at the deadline "
	       "(got %u, vector %#x)", hits[0], norder ? order[0] : 0);
	report(left == 0, "IA32_TSC_DEADLINE cleared on expiry (got %#lx)",
	       left);

	/* Writing 0 disarms. */
	reset_counts();
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + TIMER_COUNT);
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	settle();
	report(hits[0] == 0, "writing 0 disarms (got %u interrupts)",
	       hits[0]);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	report_prefix_pop();
}

static void test_x2apic(void)
{
	u32 xid = apic_id(), id, ldr, want_ldr;
	u64 v;
	int vec;
	bool ok;

	report_prefix_push("x2apic");
	if (!enable_x2apic()) {
		report_skip("no x2APIC: %s clear", X86_FEATURE_X2APIC.name);
		report_prefix_pop();
		return;
	}

	id = apic_id();
	report(id == xid, "ID is the xAPIC ID, 32 bits wide (got %#x, want "
	       "%#x)", id, xid);
	/* SDM vol 3, 11.12.10.2: LDR = cluster (ID[19:4]) << 16 | bit
	 * ID[3:0], read-only. */
	ldr = apic_read(APIC_LDR);
	want_ldr = ((id >> 4) << 16) | (1u << (id & 0xf));
	report(ldr == want_ldr, "logical ID derived from the ID (got %#x, "
	       "want %#x)", ldr, want_ldr);
	vec = wrmsr_safe(MSR_X2APIC_LDR, 0);
	report(vec == GP_VECTOR, "LDR is read-only: write raises #GP (got "
	       "vector %d)", vec);
	/* The ICR is one 64-bit MSR; no delivery status bit (11.12.9). */
	vec = rdmsr_safe(MSR_X2APIC_BASE + (APIC_ICR2 >> 4), &v);
	report(vec == GP_VECTOR, "ICR2 does not exist: read raises #GP (got "
	       "vector %d)", vec);

	reset_counts();
	wrmsr(MSR_X2APIC_SELF_IPI, VEC_IPI);
	ok = wait_hits(0, 1);
	report(ok && order[0] == VEC_IPI, "SELF IPI register "
	       "(got %u interrupts, vector %#x)", hits[0],
	       norder ? order[0] : 0);

	reset_counts();
	apic_send_ipi(id, VEC_IPI);
	ok = wait_hits(0, 1);
	report(ok, "ICR, physical destination own ID (got %u "
	       "interrupts)", hits[0]);

	test_priority();
	test_timer();

	reset_apic();
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("apic");
	handle_exception(VEC_IPI, count_handler);
	handle_exception(VEC_TIMER, count_handler);
	handle_exception(VEC_LOW, count_handler);
	handle_exception(VEC_MID, count_handler);
	handle_exception(VEC_HIGH, count_handler);
	cli();

	report_prefix_push("xapic");
	test_id_version();
	test_self_ipi();
	test_priority();
	test_destinations();
	test_timer();
	test_tsc_deadline();
	report_prefix_pop();

	test_x2apic();

	return report_summary();
}
