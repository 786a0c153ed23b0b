/*
 * Local APIC: identification (SDM vol 3, 11.4.6 and 11.4.8), IPIs to
 * self, to physical, logical (flat and cluster models) and broadcast
 * destinations and with lowest-priority delivery (11.6), task and
 * processor priority (11.8.3), the APIC timer in one-shot, periodic
 * and TSC-deadline modes (11.5.4), and the x2APIC mode's register
 * interface and destinations (11.12).
 *
 * Every IPI check counts which CPUs took the vector and compares that
 * set with the one the SDM names.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/irqcount.h"
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

/*
 * Logical destinations in xAPIC mode (lib/x86/apic.h, SDM vol 3,
 * 11.6.2.2). Flat: one bit per APIC, an IPI goes to every APIC whose
 * bit is in the MDA. Cluster: ID[7:4] is the cluster, ID[3:0] one bit
 * per APIC in it; an IPI goes to the APICs of the MDA's cluster whose
 * bit is in MDA[3:0].
 */
#define FLAT_MAX_CPUS		8
/* Here CPU n is cluster n / 2, bit n % 2: two clusters with smp = 4.
 * Cluster 15 is left out (the P6 family broadcast cluster). */
#define CLUSTER_CPUS		2
#define CLUSTER_MAX_CPUS	(15 * CLUSTER_CPUS)
/* Physical destination FFH is a broadcast in xAPIC mode (11.6.2.1). */
#define XAPIC_BROADCAST		0xffu

/* x2APIC, SDM vol 3, 11.12.9 and 11.12.10.2: FFFF_FFFFH is a broadcast
 * in both destination modes; the logical x2APIC ID is cluster (bits
 * 31:16) and one bit per APIC (bits 15:0). */
#define X2APIC_BROADCAST	0xffffffffu
#define X2APIC_LDR_CLUSTER(ldr)	((ldr) >> 16)
#define X2APIC_LDR_BITS(ldr)	((ldr) & 0xffff)

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
/* TSC-deadline disarm: how far ahead the deadline is, and tries */
#define DISARM_CYCLES		IRQ_SETTLE_CYCLES
#define DISARM_TRIES		5

static volatile u32 ppr_in_handler;

static void record_ppr(struct ex_regs *regs)
{
	(void)regs;
	ppr_in_handler = apic_read(APIC_PPR);
}

static u64 all_cpus(void)
{
	return nr_cpus >= 64 ? ~0ull : (1ull << nr_cpus) - 1;
}

static bool irr_set(u8 vector)
{
	return (apic_read(APIC_IRR + (vector / 32) * 0x10) >> (vector % 32)) &
	       1;
}

struct ipi {
	u32 icr;
	u32 dest;
};

static void send_ipi(void *data)
{
	struct ipi *ipi = data;

	apic_icr_write(ipi->icr | APIC_INT_ASSERT | VEC_IPI, ipi->dest);
}

/* Fire the IPI from @sender, wait for the CPUs in @want, then a little
 * longer for strays; return the set of CPUs that took it. */
static u64 ipi_targets(unsigned sender, u32 icr, u32 dest, u64 want)
{
	struct ipi ipi = { .icr = icr, .dest = dest };

	irq_count_reset();
	on_cpu(sender, send_ipi, &ipi);
	irq_wait_cpus(want, IRQ_WAIT_CYCLES);
	irq_settle(IRQ_SETTLE_CYCLES);
	return irq_count_cpus();
}

/* The IPI reaches exactly the CPUs in @want, once each. */
static void check_ipi_from(unsigned sender, const char *what, u32 icr,
			   u32 dest, u64 want)
{
	u64 got = ipi_targets(sender, icr, dest, want);
	unsigned n = irq_count_total(), want_n = cpu_mask_weight(want);

	report(got == want && n == want_n, "%s, destination %#x (got CPUs "
	       "%#llx, %u interrupts; want CPUs %#llx, %u)", what, dest,
	       (unsigned long long)got, n, (unsigned long long)want, want_n);
}

static void check_ipi(const char *what, u32 icr, u32 dest, u64 want)
{
	check_ipi_from(0, what, icr, dest, want);
}

/*
 * Lowest priority (11.6.2.4): one CPU of the set takes it. Which one is
 * model-specific, and so is a processor's ability to send such an IPI
 * at all; all this asserts is "exactly one of the set". @cpus is also
 * the flat-model MDA.
 */
static void check_lowest(const char *what, u64 cpus)
{
	u64 got;

	irq_count_reset();
	apic_icr_write(APIC_DEST_LOGICAL | APIC_DM_LOWEST | APIC_INT_ASSERT |
		       VEC_IPI, cpus);
	irq_wait_total(1, IRQ_WAIT_CYCLES);
	irq_settle(IRQ_SETTLE_CYCLES);
	got = irq_count_cpus();
	report(irq_count_total() == 1 && !(got & ~cpus), "lowest priority: "
	       "%s, exactly one of them (got CPUs %#llx, %u interrupts; want "
	       "one of %#llx, 1)", what, (unsigned long long)got,
	       irq_count_total(), (unsigned long long)cpus);
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

	irq_count_reset();
	apic_icr_write(APIC_DEST_SELF | APIC_DM_FIXED | APIC_INT_ASSERT |
		       VEC_IPI, 0);
	ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(ok && irq_log_vector(0) == VEC_IPI, "self IPI, shorthand "
	       "(got %u interrupts, vector %#x; want 1, %#x)", irq_count(0),
	       irq_log_vector(0), VEC_IPI);

	irq_count_reset();
	apic_send_ipi(apic_id(), VEC_IPI);
	ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(ok, "self IPI, physical destination own ID (got %u "
	       "interrupts, want 1)", irq_count(0));
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
	irq_count_reset();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_LOW, 0);
	irq_settle(IRQ_SETTLE_CYCLES);
	held = irq_count(0) == 0;
	pending = irr_set(VEC_LOW);
	report(held && pending, "vector %#x in TPR class 4 held pending "
	       "(got %u interrupts, IRR bit %d; want 0, 1)", VEC_LOW,
	       irq_count(0), pending);

	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_MID, 0);
	irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(irq_count(0) == 1 && irq_log_vector(0) == VEC_MID, "vector "
	       "%#x above the TPR class delivered (got %u interrupts, first "
	       "%#x)", VEC_MID, irq_count(0), irq_log_vector(0));
	/* In service VEC_MID: PPR[7:4] = ISRV[7:4], PPR[3:0] = 0. */
	report(ppr_in_handler == (VEC_MID & 0xf0), "PPR in the handler is "
	       "the in-service class (got %#x, want %#x)", ppr_in_handler,
	       VEC_MID & 0xf0);

	apic_write(APIC_TPR, 0x30);
	irq_wait(0, 2, IRQ_WAIT_CYCLES);
	report(irq_count(0) == 2 && irq_log_vector(1) == VEC_LOW, "held "
	       "vector delivered once TPR drops below its class (got %u "
	       "interrupts, second %#x; want 2, %#x)", irq_count(0),
	       irq_log_vector(1), VEC_LOW);
	apic_write(APIC_TPR, 0);

	/* Two pending: the higher vector first (11.8.3). */
	irq_count_reset();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_MID, 0);
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_HIGH, 0);
	irq_wait(0, 2, IRQ_WAIT_CYCLES);
	report(irq_log_len() == 2 && irq_log_vector(0) == VEC_HIGH &&
	       irq_log_vector(1) == VEC_MID, "two pending: higher vector "
	       "first (got %u: %#x %#x, want %#x %#x)", irq_log_len(),
	       irq_log_vector(0), irq_log_vector(1), VEC_HIGH, VEC_MID);

	report_prefix_pop();
}

struct logical_id {
	u32 dfr;
	u8 (*id_of)(unsigned cpu);
};

static u8 flat_id(unsigned cpu)
{
	return cpu < FLAT_MAX_CPUS ? 1u << cpu : 0;
}

static u8 cluster_id(unsigned cpu)
{
	if (cpu >= CLUSTER_MAX_CPUS)
		return 0;
	return (cpu / CLUSTER_CPUS) << 4 | 1u << (cpu % CLUSTER_CPUS);
}

static void set_logical_id(void *data)
{
	struct logical_id *l = data;

	apic_set_logical_id(l->dfr, l->id_of(smp_id()));
}

static void clear_logical_id(void *data)
{
	(void)data;
	apic_set_logical_id(APIC_DFR_FLAT, 0);
}

static void test_flat(void)
{
	struct logical_id flat = { APIC_DFR_FLAT, flat_id };
	u64 cpus = all_cpus() & ((1u << FLAT_MAX_CPUS) - 1);
	unsigned last = nr_cpus < FLAT_MAX_CPUS ? nr_cpus - 1
						: FLAT_MAX_CPUS - 1;
	u32 dfr, ldr;

	report_prefix_push("logical flat");
	on_cpus(set_logical_id, &flat);
	dfr = apic_read(APIC_DFR);
	ldr = apic_read(APIC_LDR);
	report(dfr == APIC_DFR_FLAT && ldr == 1u << APIC_LDR_SHIFT, "DFR and "
	       "LDR read back (got %#x %#x, want %#x %#x)", dfr, ldr,
	       APIC_DFR_FLAT, 1u << APIC_LDR_SHIFT);

	check_ipi("one CPU", APIC_DEST_LOGICAL, flat_id(last), 1ull << last);
	check_ipi("the sender and one other", APIC_DEST_LOGICAL,
		  flat_id(0) | flat_id(last), 1ull | 1ull << last);
	check_ipi("all but the sender", APIC_DEST_LOGICAL, cpus & ~1ull,
		  cpus & ~1ull);
	check_ipi("MDA 0: no CPU", APIC_DEST_LOGICAL, 0, 0);
	if (nr_cpus < FLAT_MAX_CPUS)
		check_ipi("a bit no CPU has", APIC_DEST_LOGICAL,
			  1u << nr_cpus, 0);
	check_ipi("MDA FFH: every CPU", APIC_DEST_LOGICAL, 0xff, cpus);

	check_lowest("all CPUs", cpus);
	check_lowest("all but the sender", cpus & ~1ull);

	on_cpus(clear_logical_id, NULL);
	report_prefix_pop();
}

static void test_cluster(void)
{
	struct logical_id cluster = { APIC_DFR_CLUSTER, cluster_id };
	unsigned n = nr_cpus < CLUSTER_MAX_CPUS ? nr_cpus : CLUSTER_MAX_CPUS;
	unsigned clusters = (n + CLUSTER_CPUS - 1) / CLUSTER_CPUS;
	/* CPU 2 shares its bit with CPU 0, in another cluster */
	unsigned target = n > 2 ? 2 : n - 1;
	u32 dfr;

	report_prefix_push("logical cluster");
	on_cpus(set_logical_id, &cluster);
	/* The model bits read back; 27:0 read as ones (figure 11-14). */
	dfr = apic_read(APIC_DFR);
	report(dfr == APIC_DFR_CLUSTER, "DFR reads back (got %#x, want %#x)",
	       dfr, APIC_DFR_CLUSTER);

	check_ipi("one CPU", APIC_DEST_LOGICAL, cluster_id(target),
		  1ull << target);
	check_ipi("both CPUs of cluster 0", APIC_DEST_LOGICAL, 0x03,
		  all_cpus() & 0x3);
	check_ipi("bits no CPU of cluster 0 has", APIC_DEST_LOGICAL, 0x0c, 0);
	if (clusters < 15)
		check_ipi("a cluster with no CPU", APIC_DEST_LOGICAL,
			  clusters << 4 | 0xf, 0);

	on_cpus(clear_logical_id, NULL);
	report_prefix_pop();
}

static void test_destinations(void)
{
	unsigned last = nr_cpus - 1, cpu;
	u64 all = all_cpus();
	u32 unused_id = 0;

	report_prefix_push("destinations");
	if (nr_cpus < 2) {
		report_skip("logical and broadcast IPIs need 2 CPUs (have %u)",
			    nr_cpus);
		report_prefix_pop();
		return;
	}

	/* Physical, SDM vol 3, 11.6.2.1. */
	check_ipi("physical: one other CPU", APIC_DEST_PHYSICAL,
		  cpu_apic_id(last), 1ull << last);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (cpu_apic_id(cpu) >= unused_id)
			unused_id = cpu_apic_id(cpu) + 1;
	if (unused_id < XAPIC_BROADCAST)
		check_ipi("physical: an ID no CPU has", APIC_DEST_PHYSICAL,
			  unused_id, 0);
	check_ipi("physical: broadcast", APIC_DEST_PHYSICAL, XAPIC_BROADCAST,
		  all);

	/* Shorthands, 11.6.1 (figure 11-12): the destination field is
	 * ignored, "self" is the sender. */
	check_ipi("shorthand self", APIC_DEST_SELF, cpu_apic_id(last), 1);
	check_ipi("shorthand all including self", APIC_DEST_ALLINC, 0, all);
	check_ipi("shorthand all excluding self", APIC_DEST_ALLBUT,
		  cpu_apic_id(0), all & ~1ull);
	check_ipi_from(last, "sent by the last CPU: shorthand self",
		       APIC_DEST_SELF, 0, 1ull << last);
	check_ipi_from(last, "sent by the last CPU: shorthand all excluding "
		       "self", APIC_DEST_ALLBUT, 0, all & ~(1ull << last));

	test_flat();
	test_cluster();
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

	irq_count_reset();
	apic_write(APIC_LVTT, VEC_TIMER);
	apic_write(APIC_TMICT, TIMER_COUNT);
	fired = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(fired && irq_log_vector(0) == VEC_TIMER, "one-shot: interrupt "
	       "arrives (got %u, vector %#x; want 1, %#x)", irq_count(0),
	       irq_log_vector(0), VEC_TIMER);
	irq_settle(IRQ_SETTLE_CYCLES);
	c3 = apic_read(APIC_TMCCT);
	report(irq_count(0) == 1 && c3 == 0, "one-shot: fires once, count "
	       "stays 0 (got %u interrupts, count %u; want 1, 0)",
	       irq_count(0), c3);

	irq_count_reset();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_TIMER_PERIODIC);
	apic_write(APIC_TMICT, TIMER_COUNT);
	fired = irq_wait(0, 3, IRQ_WAIT_CYCLES);
	c1 = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	report(fired, "periodic: repeated interrupts (got %u, want >= 3)",
	       irq_count(0));
	report(c1 > 0 && c1 <= TIMER_COUNT, "periodic: count reloads (got "
	       "%u, initial %u)", c1, TIMER_COUNT);

	/* A masked LVT entry still counts, without an interrupt
	 * (11.5.1). First let a periodic interrupt that was already
	 * pending when the timer stopped come in. */
	irq_settle(IRQ_SETTLE_CYCLES);
	irq_count_reset();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_MASKED);
	apic_write(APIC_TMICT, TIMER_COUNT / 10);
	irq_settle(IRQ_SETTLE_CYCLES);
	c1 = apic_read(APIC_TMCCT);
	report(irq_count(0) == 0 && c1 == 0, "masked: counts to 0 without "
	       "an interrupt (got %u interrupts, count %u; want 0, 0)",
	       irq_count(0), c1);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	report_prefix_pop();
}

static void test_tsc_deadline(void)
{
	u64 left, t0, apart = 0;
	u32 count;
	unsigned try;
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
	irq_count_reset();
	apic_write(APIC_LVTT, VEC_TIMER | APIC_LVT_TIMER_TSCDL);
	apic_write(APIC_TMICT, TIMER_COUNT);
	count = apic_read(APIC_TMCCT);
	report(count == 0, "current count reads 0 (got %u)", count);
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + TIMER_COUNT);
	fired = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	left = rdmsr(MSR_IA32_TSC_DEADLINE);
	report(fired && irq_log_vector(0) == VEC_TIMER, "interrupt at the "
	       "deadline (got %u, vector %#x; want 1, %#x)", irq_count(0),
	       irq_log_vector(0), VEC_TIMER);
	report(left == 0, "IA32_TSC_DEADLINE cleared on expiry (got %#llx)",
	       (unsigned long long)left);

	/*
	 * Writing 0 disarms. The deadline is DISARM_CYCLES ahead and the
	 * wait lasts twice that, past it. If the two writes lie that far
	 * apart (a host held the vCPU off between them, or the first one's
	 * exit was that slow) the deadline may have passed before the
	 * disarm, and the interrupt it raised proves nothing: try again.
	 */
	for (try = 0; try < DISARM_TRIES; try++) {
		irq_count_reset();
		t0 = rdtsc();
		wrmsr(MSR_IA32_TSC_DEADLINE, t0 + DISARM_CYCLES);
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
		apart = rdtsc() - t0;
		irq_settle(2 * DISARM_CYCLES);
		if (apart < DISARM_CYCLES)
			break;
	}
	if (try)
		report_info("writing 0 disarms: %u tries, the last writes "
			    "%llu cycles apart", try + (try < DISARM_TRIES),
			    (unsigned long long)apart);
	if (apart >= DISARM_CYCLES)
		report_skip("writing 0 disarms: the two writes lay at least "
			    "the %llu cycles to the deadline apart in all %u "
			    "tries", (unsigned long long)DISARM_CYCLES,
			    DISARM_TRIES);
	else
		report(irq_count(0) == 0, "writing 0 disarms (got %u "
		       "interrupts in %llu cycles after a deadline %llu "
		       "cycles ahead; want 0, SDM vol 3, 11.5.4.1)",
		       irq_count(0), (unsigned long long)2 * DISARM_CYCLES,
		       (unsigned long long)DISARM_CYCLES);
	apic_write(APIC_LVTT, APIC_LVT_MASKED);
	report_prefix_pop();
}

/* Per CPU in x2APIC mode: the switch worked, the ID and the LDR. */
static bool x2apic_on[MAX_CPUS];
static u32 x2apic_ids[MAX_CPUS], x2apic_ldrs[MAX_CPUS];

static void x2apic_enable_cpu(void *data)
{
	unsigned cpu = smp_id();

	(void)data;
	x2apic_on[cpu] = enable_x2apic();
	if (x2apic_on[cpu]) {
		x2apic_ids[cpu] = apic_id();
		x2apic_ldrs[cpu] = apic_read(APIC_LDR);
	}
}

static void x2apic_reset_cpu(void *data)
{
	(void)data;
	if (apic_is_x2apic())
		reset_apic();
}

/* The CPUs an x2APIC logical MDA selects (11.12.10.2): same cluster,
 * and the APIC's bit in the MDA's bits 15:0. */
static u64 x2apic_logical_targets(u32 mda)
{
	unsigned cpu;
	u64 cpus = 0;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		u32 ldr = x2apic_ldrs[cpu];

		if (X2APIC_LDR_CLUSTER(ldr) == X2APIC_LDR_CLUSTER(mda) &&
		    (X2APIC_LDR_BITS(ldr) & X2APIC_LDR_BITS(mda)))
			cpus |= 1ull << cpu;
	}
	return cpus;
}

static void test_x2apic_destinations(void)
{
	unsigned last = nr_cpus - 1, cpu, bad = 0;
	u64 all = all_cpus();
	u32 want_ldr = 0, id;
	u64 want;
	u32 mda;

	report_prefix_push("destinations");
	if (nr_cpus < 2) {
		report_skip("logical and broadcast IPIs need 2 CPUs (have %u)",
			    nr_cpus);
		report_prefix_pop();
		return;
	}

	on_cpus(x2apic_enable_cpu, NULL);
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		id = x2apic_ids[cpu];
		want_ldr = (id >> 4) << 16 | 1u << (id & 0xf);
		if (x2apic_on[cpu] && x2apic_ldrs[cpu] == want_ldr)
			continue;
		report_info("CPU %u: x2APIC mode %d, ID %#x, LDR %#x (want 1, "
			    "%#x)", cpu, x2apic_on[cpu], id, x2apic_ldrs[cpu],
			    want_ldr);
		bad++;
	}
	report(!bad, "every CPU in x2APIC mode, LDR derived from its ID "
	       "(got %u of %u CPUs right)", nr_cpus - bad, nr_cpus);
	if (bad) {
		on_cpus(x2apic_reset_cpu, NULL);
		enable_x2apic();
		report_prefix_pop();
		return;
	}

	check_ipi("physical: one other CPU", APIC_DEST_PHYSICAL,
		  x2apic_ids[last], 1ull << last);
	/* 0xff is an ordinary ID in x2APIC mode (11.12.9). */
	for (cpu = 0, want = 0; cpu < nr_cpus; cpu++)
		if (x2apic_ids[cpu] == XAPIC_BROADCAST)
			want |= 1ull << cpu;
	check_ipi("physical: 0xff is not a broadcast", APIC_DEST_PHYSICAL,
		  XAPIC_BROADCAST, want);
	check_ipi("physical: broadcast", APIC_DEST_PHYSICAL, X2APIC_BROADCAST,
		  all);

	mda = x2apic_ldrs[last];
	check_ipi("logical: one CPU", APIC_DEST_LOGICAL, mda,
		  x2apic_logical_targets(mda));
	/* CPU 0's cluster, every bit but CPU 0's own */
	mda = x2apic_ldrs[0] | 0xffff;
	mda &= ~X2APIC_LDR_BITS(x2apic_ldrs[0]);
	check_ipi("logical: CPU 0's cluster but CPU 0",
		  APIC_DEST_LOGICAL, mda, x2apic_logical_targets(mda));
	mda = X2APIC_LDR_CLUSTER(x2apic_ldrs[0]) << 16;
	check_ipi("logical: no bit set, no CPU", APIC_DEST_LOGICAL, mda, 0);
	check_ipi("logical: broadcast", APIC_DEST_LOGICAL, X2APIC_BROADCAST,
		  all);
	check_ipi("shorthand all excluding self", APIC_DEST_ALLBUT, 0,
		  all & ~1ull);

	/* The others back to xAPIC mode; CPU 0 stays in x2APIC. */
	for (cpu = 1; cpu < nr_cpus; cpu++)
		on_cpu(cpu, x2apic_reset_cpu, NULL);
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
	       "vector %d, want %d)", vec, GP_VECTOR);
	/* The ICR is one 64-bit MSR; no delivery status bit (11.12.9). */
	vec = rdmsr_safe(MSR_X2APIC_BASE + (APIC_ICR2 >> 4), &v);
	report(vec == GP_VECTOR, "ICR2 does not exist: read raises #GP (got "
	       "vector %d, want %d)", vec, GP_VECTOR);

	irq_count_reset();
	wrmsr(MSR_X2APIC_SELF_IPI, VEC_IPI);
	ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(ok && irq_log_vector(0) == VEC_IPI, "SELF IPI register "
	       "(got %u interrupts, vector %#x; want 1, %#x)", irq_count(0),
	       irq_log_vector(0), VEC_IPI);

	irq_count_reset();
	apic_send_ipi(id, VEC_IPI);
	ok = irq_wait(0, 1, IRQ_WAIT_CYCLES);
	report(ok, "ICR, physical destination own ID (got %u interrupts, "
	       "want 1)", irq_count(0));

	test_priority();
	test_x2apic_destinations();
	test_timer();

	reset_apic();
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("apic");
	irq_count_install(VEC_IPI);
	irq_count_install(VEC_TIMER);
	irq_count_install(VEC_LOW);
	irq_count_install(VEC_MID);
	irq_count_install(VEC_HIGH);
	irq_count_set_hook(record_ppr);
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
