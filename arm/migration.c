// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live migration (lib/migrate.h): state a guest sets once and relies on
 * must read back the same on the destination.
 *
 *   selftest  the guest's memory, its translation and vector registers
 *             (SCTLR, TTBR0, TCR/TTBCR, MAIR, VBAR: Arm ARM on
 *             aarch64, DDI 0406C on arm) over count=<n> hops, and a
 *             second CPU that keeps running on the destination;
 *   timer     the generic timers (Arm ARM, CNTV_CTL_EL0 and
 *             CNTV_CVAL_EL0; CNTP_* the same): a compare value far ahead
 *             stays armed and unfired, one passed during the migration
 *             shows ISTATUS, and the virtual count does not go back
 *             (the system counter increases monotonically);
 *   gic       the interrupt controller's configuration (IHI 0048B 4.3 on
 *             GICv2, IHI 0069H GICD_* and GICR_* on GICv3): priorities of an
 *             SGI, a PPI and SPIs, enables, an SPI's pending latch, its
 *             trigger mode and target, the CPU interface's priority mask;
 *   skip      asks for no migration (migrate_skip()).
 *
 * test_args drop: on the destination only, change one piece of the state
 * the test compares (the pattern and saved registers for selftest, CNTV_CVAL
 * for timer, an SPI priority for gic), as a migration that lost it would:
 * those checks must FAIL.
 */
#include "libcflat.h"
#include "migrate.h"
#include "arm/gic.h"
#include "arm/io.h"
#include "arm/smp.h"
#include "arm/sysreg.h"
#include "arm/timer.h"

static bool drop;

/* selftest */

#define PATTERN_WORDS	1024
#define SEED		0x9e3779b97f4a7c15ull

struct regs {
	u64 sctlr, ttbr0, tcr, mair, vbar;
};

static u64 pattern[PATTERN_WORDS];
static volatile u64 ap_ticks;
static volatile int ap_stop;

static void take_regs(struct regs *r)
{
#ifdef __aarch64__
	r->sctlr = read_sysreg(sctlr_el1);
	r->ttbr0 = read_sysreg(ttbr0_el1);
	r->tcr = read_sysreg(tcr_el1);
	r->mair = read_sysreg(mair_el1);
	r->vbar = read_sysreg(vbar_el1);
#else
	r->sctlr = cp15_read32(0, c1, c0, 0);
	r->ttbr0 = cp15_read64(0, c2);
	r->tcr = cp15_read32(0, c2, c0, 2);		/* TTBCR */
	r->mair = (u64)cp15_read32(0, c10, c2, 1) << 32 |	/* MAIR1 */
		  cp15_read32(0, c10, c2, 0);			/* MAIR0 */
	r->vbar = cp15_read32(0, c12, c0, 0);
#endif
}

static u64 word_at(unsigned i, unsigned hop)
{
	return (SEED * (i + 1)) ^ ((u64)hop << 48);
}

static void ap_count(void *arg)
{
	(void)arg;
	while (!READ_ONCE(ap_stop))
		WRITE_ONCE(ap_ticks, ap_ticks + 1);
}

/* @sect: where the architecture defines the register (it keeps what
 * software wrote). */
static void check_reg(const char *name, u64 got, u64 want, const char *sect)
{
	report(got == want, "%s (got %#llx, want %#llx; %s)", name,
	       (unsigned long long)got, (unsigned long long)want, sect);
}

#ifdef __aarch64__
#define SECT_VMSA	"Arm ARM, its register description"
#else
#define SECT_VMSA	"DDI 0406C, its register description"
#endif

static void selftest_hop(unsigned n)
{
	struct regs before, after;
	u64 ticks;
	unsigned bad;

	report_prefix_pushf("hop %u", n);
	for (unsigned i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = word_at(i, n);
	take_regs(&before);
	ticks = READ_ONCE(ap_ticks);
	migrate();
	if (drop) {
		pattern[PATTERN_WORDS / 2] ^= 1;
		before.ttbr0 ^= 0x1000;
		before.vbar ^= 0x800;
		ticks = ~0ull;
	}
	take_regs(&after);
	report(migrate_count() == n, "migrations seen by the guest (got %u, "
	       "want %u; lib/migrate.h)", migrate_count(), n);
	for (bad = 0; bad < PATTERN_WORDS; bad++)
		if (pattern[bad] != word_at(bad, n))
			break;
	if (bad < PATTERN_WORDS)
		report_fail("memory pattern: word %u of %u (got %#llx, want "
			    "%#llx: Normal memory keeps what was stored)", bad,
			    PATTERN_WORDS,
			    (unsigned long long)pattern[bad],
			    (unsigned long long)word_at(bad, n));
	else
		report_pass("memory pattern: all %u words as written",
			    PATTERN_WORDS);
	check_reg("SCTLR", after.sctlr, before.sctlr, SECT_VMSA);
	check_reg("TTBR0", after.ttbr0, before.ttbr0, SECT_VMSA);
	check_reg("TCR/TTBCR", after.tcr, before.tcr, SECT_VMSA);
	check_reg("MAIR", after.mair, before.mair, SECT_VMSA);
	check_reg("VBAR", after.vbar, before.vbar, SECT_VMSA);
	if (nr_cpus > 1) {
		u64 start = READ_ONCE(ap_ticks), end = timer_now_us() + 5000000;

		while (READ_ONCE(ap_ticks) == start && timer_now_us() < end)
			;
		report(READ_ONCE(ap_ticks) > ticks, "CPU 1 keeps counting on "
		       "the destination (got %llu, want > %llu; a PE left "
		       "running by PSCI CPU_ON runs on, DEN 0022D CPU_ON)",
		       (unsigned long long)READ_ONCE(ap_ticks),
		       (unsigned long long)ticks);
	}
	report_prefix_pop();
}

static void test_selftest(unsigned count)
{
	if (nr_cpus > 1)
		on_cpu_async(1, ap_count, NULL);
	for (unsigned n = 1; n <= count; n++)
		selftest_hop(n);
	WRITE_ONCE(ap_stop, 1);
	if (nr_cpus > 1)
		wait_cpu_idle(1);
}

/* timer */

#define CTL_BITS	(CNT_CTL_ENABLE | CNT_CTL_IMASK)
#ifdef __aarch64__
#define SECT_TIMER	"Arm ARM, CNTV/CNTP_CTL_EL0, CVAL"
#define SECT_COUNTER	"Arm ARM, the system counter, CNTVCT_EL0"
#else
#define SECT_TIMER	"Arm ARM, AArch32 CNTV/CNTP_CTL, CVAL"
#define SECT_COUNTER	"Arm ARM, the system counter, CNTVCT"
#endif

static void test_timer(void)
{
	u64 far = timer_us_to_ticks(3600ull * 1000000);	/* an hour */
	u64 vcval, pcval, cnt0, cnt1;
	u32 vctl, pctl;

	/* virtual timer: armed, masked, an hour ahead; physical timer:
	 * armed, masked, due in a millisecond (passed by the time the
	 * destination runs) */
	cnt0 = cntvct_read();
	vcval = cnt0 + far;
	cntv_cval_write(vcval);
	cntv_ctl_write(CNT_CTL_ENABLE | CNT_CTL_IMASK);
	pcval = cntpct_read() + timer_us_to_ticks(1000);
	cntp_cval_write(pcval);
	cntp_ctl_write(CNT_CTL_ENABLE | CNT_CTL_IMASK);
	report(cntv_cval_read() == vcval && cntp_cval_read() == pcval,
	       "CNTV_CVAL and CNTP_CVAL read back before the migration (got "
	       "%#llx, %#llx; want %#llx, %#llx; %s)",
	       (unsigned long long)cntv_cval_read(),
	       (unsigned long long)cntp_cval_read(),
	       (unsigned long long)vcval, (unsigned long long)pcval,
	       SECT_TIMER);
	migrate();
	if (drop)
		cntv_cval_write(vcval + 1);
	cnt1 = cntvct_read();
	report(cnt1 >= cnt0, "CNTVCT does not go back (got %#llx, was %#llx "
	       "before; %s)", (unsigned long long)cnt1,
	       (unsigned long long)cnt0, SECT_COUNTER);
	check_reg("CNTV_CVAL", cntv_cval_read(), vcval, SECT_TIMER);
	vctl = cntv_ctl_read();
	report((vctl & CTL_BITS) == (CNT_CTL_ENABLE | CNT_CTL_IMASK) &&
	       !(vctl & CNT_CTL_ISTATUS), "CNTV_CTL: ENABLE and IMASK set, "
	       "ISTATUS clear an hour ahead (got %#x, want %#x; %s)", vctl,
	       CNT_CTL_ENABLE | CNT_CTL_IMASK, SECT_TIMER);
	check_reg("CNTP_CVAL", cntp_cval_read(), pcval, SECT_TIMER);
	/* bounded: a destination whose physical count were behind must
	 * fail here, not hang until the test's timeout */
	for (u64 end = timer_now_us() + 5000000;
	     cntpct_read() < pcval && timer_now_us() < end;)
		;
	pctl = cntp_ctl_read();
	report(pctl == (CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS),
	       "CNTP_CTL: ENABLE and IMASK set, ISTATUS set once CNTPCT >= "
	       "CNTP_CVAL (got %#x, want %#x; CNTPCT %#llx, CVAL %#llx; %s)",
	       pctl, CNT_CTL_ENABLE | CNT_CTL_IMASK | CNT_CTL_ISTATUS,
	       (unsigned long long)cntpct_read(), (unsigned long long)pcval,
	       SECT_TIMER);
	cntv_ctl_write(0);
	cntp_ctl_write(0);
}

/* gic */

#define SPI_ON		(GIC_FIRST_SPI + 5)	/* on, edge, CPU 1 */
#define SPI_PEND	(GIC_FIRST_SPI + 6)	/* disabled, pending */
#define PPI		(GIC_FIRST_PPI + 4)	/* 20: no device on virt */
#define SGI		3
#define GICC_PMR_VAL	0xe0

struct gic_state {
	u8 prio_spi_on, prio_spi_pend, prio_ppi, prio_sgi;
	bool spi_on_enabled, spi_pend_enabled, spi_pend_pending, ppi_enabled;
	bool spi_on_edge;
	u64 spi_on_target;
	u32 pmr, dist_ctlr;
};

/* The frame that holds SGI and PPI registers for CPU 0: the distributor's
 * banked copies on GICv2, the SGI frame of the redistributor on GICv3
 * (IHI 0069H, the SGI_base frame: same offsets as the distributor's). */
static u8 *private_frame(void)
{
	return gic_version() == 2 ? gic_dist_base() : gicv3_sgi_base(0);
}

static u8 *frame_of(unsigned intid)
{
	return intid < GIC_FIRST_SPI ? private_frame() : gic_dist_base();
}

static bool bit_of(unsigned reg, unsigned intid)
{
	return readl(frame_of(intid) + reg + intid / 32 * 4) &
	       (1u << (intid % 32));
}

static void set_bit_of(unsigned reg, unsigned intid)
{
	writel(1u << (intid % 32), frame_of(intid) + reg + intid / 32 * 4);
}

static u8 prio_of(unsigned intid)
{
	return readb(frame_of(intid) + GICD_IPRIORITYR + intid);
}

static void set_prio(unsigned intid, u8 prio)
{
	writeb(prio, frame_of(intid) + GICD_IPRIORITYR + intid);
}

static void gic_take(struct gic_state *s)
{
	u8 *d = gic_dist_base();

	s->prio_spi_on = prio_of(SPI_ON);
	s->prio_spi_pend = prio_of(SPI_PEND);
	s->prio_ppi = prio_of(PPI);
	s->prio_sgi = prio_of(SGI);
	s->spi_on_enabled = bit_of(GICD_ISENABLER, SPI_ON);
	s->spi_pend_enabled = bit_of(GICD_ISENABLER, SPI_PEND);
	s->spi_pend_pending = bit_of(GICD_ISPENDR, SPI_PEND);
	s->ppi_enabled = bit_of(GICD_ISENABLER, PPI);
	s->spi_on_edge = readl(d + GICD_ICFGR + SPI_ON / 16 * 4) &
			 (2u << (SPI_ON % 16 * 2));
	if (gic_version() == 2) {
		s->spi_on_target = readb(d + GICD_ITARGETSR + SPI_ON);
		s->pmr = readl((u8 *)gicv2_cpu_base() + GICC_PMR);
	} else {
		s->spi_on_target = readq(d + GICD_IROUTER + SPI_ON * 8);
		s->pmr = icc_pmr_read();
	}
	s->dist_ctlr = readl(d + GICD_CTLR) & ~GICD_CTLR_RWP;
}

static void gic_compare(const struct gic_state *got,
			const struct gic_state *want)
{
#define CMP(field, what)						\
	report(got->field == want->field, "%s (got %#llx, want %#llx; "	\
	       "%s)", what, (unsigned long long)got->field,		\
	       (unsigned long long)want->field, gic_version() == 2 ?	\
	       "IHI 0048B 4.3, 4.4" : "IHI 0069H GICD_*, GICR_*")
	CMP(prio_spi_on, "SPI 37 priority (IPRIORITYR)");
	CMP(prio_spi_pend, "SPI 38 priority (IPRIORITYR)");
	CMP(prio_ppi, "PPI 20 priority (IPRIORITYR)");
	CMP(prio_sgi, "SGI 3 priority (IPRIORITYR)");
	CMP(spi_on_enabled, "SPI 37 enabled (ISENABLER)");
	CMP(spi_pend_enabled, "SPI 38 enabled (ISENABLER)");
	CMP(spi_pend_pending, "SPI 38 pending (ISPENDR)");
	CMP(ppi_enabled, "PPI 20 enabled (ISENABLER)");
	CMP(spi_on_edge, "SPI 37 edge-triggered (ICFGR)");
	CMP(spi_on_target, gic_version() == 2 ? "SPI 37 target "
	    "(ITARGETSR)" : "SPI 37 route (IROUTER)");
	CMP(pmr, gic_version() == 2 ? "GICC_PMR" : "ICC_PMR_EL1");
	CMP(dist_ctlr, "GICD_CTLR");
#undef CMP
}

static void nothing(void *arg)
{
	(void)arg;
}

static void test_gic(void)
{
	struct gic_state want = {
		.prio_spi_on = 0x30, .prio_spi_pend = 0x40, .prio_ppi = 0x50,
		.prio_sgi = 0x60, .spi_on_enabled = true,
		.spi_pend_enabled = false, .spi_pend_pending = true,
		.ppi_enabled = true, .spi_on_edge = true, .pmr = GICC_PMR_VAL,
	};
	struct gic_state before, after;
	u8 *d;

	if (!gic_init()) {
		migrate_skip("no GIC this library knows in the device tree");
		report_skip("no GIC this library knows in the device tree");
		return;
	}
	if (nr_cpus < 2) {
		migrate_skip("needs 2 CPUs to route an SPI to CPU 1 (smp = 2)");
		report_skip("needs 2 CPUs to route an SPI to CPU 1");
		return;
	}
	report_prefix_pushf("gicv%d", gic_version());
	local_irq_disable();
	gic_enable_defaults();
	on_cpu(1, nothing, NULL);	/* online: its interface is set up */
	d = gic_dist_base();
	set_prio(SPI_ON, want.prio_spi_on);
	set_prio(SPI_PEND, want.prio_spi_pend);
	set_prio(PPI, want.prio_ppi);
	set_prio(SGI, want.prio_sgi);
	writel(readl(d + GICD_ICFGR + SPI_ON / 16 * 4) |
	       2u << (SPI_ON % 16 * 2), d + GICD_ICFGR + SPI_ON / 16 * 4);
	if (gic_version() == 2) {
		want.spi_on_target = gicv2_cpu_mask(1);
		writeb(want.spi_on_target, d + GICD_ITARGETSR + SPI_ON);
		/* QEMU keeps a GICv2 SPI's pending state per target CPU
		 * (hw/intc/arm_gic.c): give it one before setting it */
		writeb(gicv2_cpu_mask(0), d + GICD_ITARGETSR + SPI_PEND);
		writel(GICC_PMR_VAL, (u8 *)gicv2_cpu_base() + GICC_PMR);
	} else {
		want.spi_on_target = cpu_mpidr(1) & 0xff00ffffffull;
		writeq(want.spi_on_target, d + GICD_IROUTER + SPI_ON * 8);
		icc_pmr_write(GICC_PMR_VAL);
	}
	set_bit_of(GICD_ICENABLER, SPI_PEND);
	set_bit_of(GICD_ISPENDR, SPI_PEND);
	set_bit_of(GICD_ISENABLER, SPI_ON);
	set_bit_of(GICD_ISENABLER, PPI);
	want.dist_ctlr = readl(d + GICD_CTLR) & ~GICD_CTLR_RWP;

	report_prefix_push("before the migration");
	gic_take(&before);
	gic_compare(&before, &want);
	report_prefix_pop();
	migrate();
	if (drop)
		set_prio(SPI_ON, want.prio_spi_on + 0x10);
	report_prefix_push("after the migration");
	gic_take(&after);
	gic_compare(&after, &want);
	report_prefix_pop();
	set_bit_of(GICD_ICPENDR, SPI_PEND);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	unsigned count = 1;
	const char *what = argc > 1 ? argv[1] : "";

	for (int i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "count=", 6)) {
			count = (unsigned)strtoul(argv[i] + 6, NULL, 0);
		} else if (!strcmp(argv[i], "drop")) {
			drop = true;
		} else {
			report_fail("unknown argument '%s'", argv[i]);
			return report_summary();
		}
	}
	report_prefix_push("migration");
	if (!strcmp(what, "selftest")) {
		test_selftest(count);
	} else if (!strcmp(what, "timer")) {
		test_timer();
	} else if (!strcmp(what, "gic")) {
		test_gic();
	} else if (!strcmp(what, "skip")) {
		migrate_skip("migration skip asked for by test_args");
		report_skip("migration skipped on purpose (test_args skip): no "
			    "state to check");
	} else {
		report_fail("usage: migration selftest [count=N] | timer | gic "
			    "| skip [drop]");
	}
	return report_summary();
}
