// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GIC: SGIs between every pair of CPUs, the active state, the
 * distributor's and redistributors' register rules, and the ITS's ID
 * registers. GICv2: IHI 0048B; GICv3: IHI 0069H. The version under test is
 * the one the device tree describes (cfg: machine = virt,gic-version=N); the
 * test's first argument says which it expects.
 *
 * usage: gic v2|v3 ipi|mmio|active|priority|its-introspection
 */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/gic.h"
#include "arm/io.h"
#include "arm/smp.h"
#include "arm/timer.h"

#define IPI_SGI		5
#define WAIT_US		(5 * 1000 * 1000)

static volatile int received[MAX_CPUS], last_intid[MAX_CPUS];
static volatile int last_src[MAX_CPUS], spurious[MAX_CPUS];
static volatile int active_in_handler[MAX_CPUS], pending_in_handler[MAX_CPUS];
static volatile int running_prio[MAX_CPUS];

static void irq_handler(struct pt_regs *regs, const struct exc_info *info)
{
	unsigned cpu = smp_id();
	u32 iar = gic_read_iar();
	unsigned intid = gic_iar_intid(iar);

	(void)regs;
	(void)info;
	if (intid == GIC_SPURIOUS) {
		spurious[cpu]++;
		return;
	}
	active_in_handler[cpu] = gic_irq_active(intid);
	pending_in_handler[cpu] = gic_irq_pending(intid);
	running_prio[cpu] = gic_version() == 2 ?
		readl((u8 *)gicv2_cpu_base() + GICC_RPR) : icc_rpr_read();
	gic_write_eoir(iar);
	last_intid[cpu] = intid;
	last_src[cpu] = gic_version() == 2 ? (int)GICV2_IAR_SRC(iar) : -1;
	dmb(ish);
	received[cpu]++;
}

static void irqs_on(void *arg)
{
	(void)arg;
	gic_enable_irq(IPI_SGI);
	local_irq_enable();
}

static void reset_counts(void)
{
	for (unsigned i = 0; i < nr_cpus; i++)
		received[i] = last_intid[i] = spurious[i] = 0;
	dmb(ish);
}

/* The section to cite, by the GIC version under test. */
static const char *spec(const char *v2, const char *v3)
{
	return gic_version() == 2 ? v2 : v3;
}

static int sender_id(unsigned cpu)
{
	u8 mask = gic_version() == 2 ? gicv2_cpu_mask(cpu) : 0;

	if (gic_version() != 2)
		return -1;
	/* a uniprocessor GIC's only interface is number 0 */
	return mask ? __builtin_ctz(mask) : 0;
}

static void check_delivery(unsigned from, unsigned to)
{
	bool got = wait_flag(&received[to], WAIT_US);

	report(got && received[to] == 1 && last_intid[to] == IPI_SGI &&
	       last_src[to] == sender_id(from),
	       "SGI %d from CPU %u to CPU %u: taken %d times, INTID %d, "
	       "source %d (want once, INTID %d, source %d; %s)", IPI_SGI,
	       from, to, received[to], last_intid[to], last_src[to], IPI_SGI,
	       sender_id(from), spec("IHI 0048B 4.3.15 GICD_SGIR, 4.4.4 "
	       "GICC_IAR", "IHI 0069H ICC_SGI1R_EL1, ICC_IAR1_EL1"));
}

static void send_to_cpu0(void *arg)
{
	(void)arg;
	gic_send_sgi(0, IPI_SGI);
}

static void test_ipi(void)
{
	report_prefix_push("ipi");
	on_cpus(irqs_on, NULL);
	for (unsigned to = 0; to < nr_cpus; to++) {
		reset_counts();
		gic_send_sgi(to, IPI_SGI);
		check_delivery(0, to);
	}
	for (unsigned from = 1; from < nr_cpus; from++) {
		reset_counts();
		on_cpu(from, send_to_cpu0, NULL);
		check_delivery(from, 0);
	}
	udelay(10000);
	for (unsigned i = 0; i < nr_cpus; i++)
		report(spurious[i] == 0, "CPU %u: no spurious IAR reads (got "
		       "%d, want 0: one SGI, one acknowledge; %s)", i,
		       spurious[i], spec("IHI 0048B 4.4.4 GICC_IAR",
		       "IHI 0069H ICC_IAR1_EL1"));
	report_prefix_pop();
}

static void test_active(void)
{
	u8 *base;
	unsigned spi = GIC_FIRST_SPI + 1;
	u32 bit = 1u << (spi % 32);

	report_prefix_push("active");
	irqs_on(NULL);
	reset_counts();
	gic_send_sgi(0, IPI_SGI);
	wait_flag(&received[0], WAIT_US);
	/* acknowledging makes it active (IHI 0048B, IHI 0069H: interrupt
	 * states) */
	report(received[0] == 1 && active_in_handler[0] &&
	       !pending_in_handler[0],
	       "SGI active and not pending between IAR and EOIR (got taken "
	       "%d, active %d, pending %d; %s)", received[0],
	       active_in_handler[0], pending_in_handler[0],
	       spec("IHI 0048B, interrupt states",
	       "IHI 0069H, interrupt states"));
	report(running_prio[0] == 0xa0, "running priority in the handler is "
	       "the SGI's (got %#x, want 0xa0; %s)", running_prio[0],
	       spec("IHI 0048B 4.4.6 GICC_RPR", "IHI 0069H ICC_RPR_EL1"));
	report(!gic_irq_active(IPI_SGI), "SGI inactive after EOIR (%s)",
	       spec("IHI 0048B 4.4.5 GICC_EOIR",
		    "IHI 0069H ICC_EOIR1_EL1"));

	/* software sets and clears the active state of an SPI */
	base = gic_dist_base();
	writel(bit, base + GICD_ISACTIVER + spi / 32 * 4);
	report(gic_irq_active(spi), "SPI %u active after a GICD_ISACTIVER "
	       "write (got %#x; %s)", spi,
	       readl(base + GICD_ISACTIVER + spi / 32 * 4),
	       spec("IHI 0048B 4.3.9", "IHI 0069H GICD_ISACTIVER"));
	writel(bit, base + GICD_ICACTIVER + spi / 32 * 4);
	report(!gic_irq_active(spi), "SPI %u inactive after a GICD_ICACTIVER "
	       "write (%s)", spi, spec("IHI 0048B 4.3.10",
	       "IHI 0069H GICD_ICACTIVER"));
	report_prefix_pop();
}

static void pmr_write(u32 v)
{
	if (gic_version() == 2)
		writel(v, (u8 *)gicv2_cpu_base() + GICC_PMR);
	else
		icc_pmr_write(v);
}

/* An interrupt is signalled only when its priority is higher (lower value)
 * than the priority mask (IHI 0048B 4.4.2 GICC_PMR; IHI 0069H
 * ICC_PMR_EL1). */
static void test_priority(void)
{
	report_prefix_push("priority");
	irqs_on(NULL);
	reset_counts();
	pmr_write(0x80);		/* the SGI's 0xa0 is masked */
	gic_send_sgi(0, IPI_SGI);
	udelay(20000);
	report(received[0] == 0 && gic_irq_pending(IPI_SGI), "PMR 0x80 holds "
	       "a priority 0xa0 SGI pending (taken %d, pending %d; %s)",
	       received[0], gic_irq_pending(IPI_SGI),
	       spec("IHI 0048B 4.4.2 GICC_PMR", "IHI 0069H ICC_PMR_EL1"));
	pmr_write(0xf0);
	wait_flag(&received[0], WAIT_US);
	report(received[0] == 1 && last_intid[0] == IPI_SGI, "PMR 0xf0 lets it "
	       "through (taken %d, INTID %d; %s)", received[0], last_intid[0],
	       spec("IHI 0048B 4.4.2 GICC_PMR", "IHI 0069H ICC_PMR_EL1"));
	report(!gic_irq_pending(IPI_SGI), "no longer pending once "
	       "acknowledged (%s)", spec("IHI 0048B, interrupt states",
	       "IHI 0069H, interrupt states"));
	report_prefix_pop();
}

static void test_ro(u8 *reg, const char *name)
{
	u32 before = readl(reg), after;

	writel(~before, reg);
	after = readl(reg);
	report(after == before, "%s is read-only (got %#x after writing %#x, "
	       "want %#x; RO in its description, %s)", name, after, ~before,
	       before, spec("IHI 0048B", "IHI 0069H"));
	writel(before, reg);
}

static void test_priority_bytes(u8 *prio, unsigned intid)
{
	u8 *reg = prio + (intid & ~3u);
	u32 orig = readl(reg), word, mask;
	unsigned byte = intid & 3;

	writeb(0xff, prio + intid);
	word = readl(reg);
	mask = word >> (8 * byte) & 0xff;
	/* at least 16 levels: the top 4 bits (IHI 0048B, IHI 0069H: interrupt
	 * prioritization) */
	report((mask & 0xf0) == 0xf0, "IPRIORITYR byte write of 0xff reads "
	       "the implemented bits (got %#x, want 0xf0 set; %s)", mask,
	       spec("IHI 0048B, interrupt prioritization",
	       "IHI 0069H, interrupt prioritization"));
	report((word & ~(0xffu << (8 * byte))) == (orig & ~(0xffu << (8 * byte))),
	       "IPRIORITYR byte write leaves its neighbours (got %#x, had "
	       "%#x, byte %u; byte-accessible, %s)", word, orig, byte,
	       spec("IHI 0048B 4.3.11", "IHI 0069H GICD_IPRIORITYR"));
	writeb(0x40, prio + intid);
	report(readb(prio + intid) == (0x40 & mask), "IPRIORITYR byte "
	       "reads back 0x40 (got %#x, want %#x; %s)", readb(prio + intid),
	       0x40 & mask, spec("IHI 0048B 4.3.11",
	       "IHI 0069H GICD_IPRIORITYR"));
	writel(orig, reg);
}

static u32 itargets_seen[MAX_CPUS];

static void read_itargets(void *arg)
{
	(void)arg;
	itargets_seen[smp_id()] = readl((u8 *)gic_dist_base() + GICD_ITARGETSR);
}

static void test_mmio_v2(void)
{
	u8 *d = gic_dist_base();
	u32 typer = readl(d + GICD_TYPER);
	unsigned spi = GIC_FIRST_SPI + 3;
	u8 all = (1u << nr_cpus) - 1, got;
	u32 cfg0;

	report(GICD_TYPER_CPUS(typer) == MIN(nr_cpus, 8u), "GICD_TYPER."
	       "CPUNumber + 1 (got %u, want %u; IHI 0048B 4.3.2)",
	       GICD_TYPER_CPUS(typer), MIN(nr_cpus, 8u));
	report(gic_nr_irqs() >= 64, "GICD_TYPER.ITLinesNumber gives %u INTIDs "
	       "(want at least 64: virt wires SPIs; IHI 0048B 4.3.2)",
	       gic_nr_irqs());
	test_ro(d + GICD_TYPER, "GICD_TYPER");
	test_ro(d + GICD_IIDR, "GICD_IIDR");
	report(GIC_PIDR2_ARCHREV(readl(d + GICD_PIDR2_V2)) == 2,
	       "ICPIDR2.ArchRev (got %u, want 2; IHI 0048B, ICPIDR2 in the "
	       "identification registers)",
	       GIC_PIDR2_ARCHREV(readl(d + GICD_PIDR2_V2)));

	/* a uniprocessor GIC's GICD_ITARGETSRs are RAZ/WI (4.3.12) */
	if (nr_cpus == 1) {
		writeb(0x01, d + GICD_ITARGETSR + spi);
		report(readl(d + GICD_ITARGETSR) == 0 &&
		       readb(d + GICD_ITARGETSR + spi) == 0,
		       "uniprocessor: GICD_ITARGETSR0 and an SPI's byte after "
		       "writing 0x01 read 0 (got %#x, %#x; RAZ/WI, IHI 0048B "
		       "4.3.12)",
		       readl(d + GICD_ITARGETSR),
		       readb(d + GICD_ITARGETSR + spi));
		goto priorities;
	}

	/* ITARGETSR0-7: read-only, each byte the reading CPU (4.3.12) */
	on_cpus(read_itargets, NULL);
	for (unsigned i = 0; i < nr_cpus; i++) {
		u32 m = itargets_seen[i] & 0xff;

		report(m && !(m & (m - 1)) && itargets_seen[i] == m * 0x01010101u,
		       "CPU %u: GICD_ITARGETSR0 is its own single bit in every "
		       "byte (got %#x; IHI 0048B 4.3.12)", i, itargets_seen[i]);
		for (unsigned j = 0; j < i; j++)
			report((itargets_seen[j] & 0xff) != m, "CPU %u and %u "
			       "have different CPU interface masks (%#x, %#x; "
			       "IHI 0048B 4.3.12)",
			       i, j, itargets_seen[i] & 0xff,
			       itargets_seen[j] & 0xff);
	}
	test_ro(d + GICD_ITARGETSR, "GICD_ITARGETSR0");

	/* an SPI's targets: bits of missing CPU interfaces are RAZ/WI */
	writeb(0xff, d + GICD_ITARGETSR + spi);
	got = readb(d + GICD_ITARGETSR + spi);
	report(got == all, "ITARGETSR byte write of 0xff with %u CPUs (got "
	       "%#x, want %#x: missing interfaces RAZ/WI, IHI 0048B 4.3.12)",
	       nr_cpus,
	       got, all);
	writeb(0x01, d + GICD_ITARGETSR + spi);
	got = readb(d + GICD_ITARGETSR + spi);
	report(got == 0x01, "ITARGETSR byte write of 0x01 (got %#x, want 0x1; "
	       "IHI 0048B 4.3.12)", got);

priorities:
	test_priority_bytes(d + GICD_IPRIORITYR, spi);
	test_priority_bytes(d + GICD_IPRIORITYR, IPI_SGI);

	/* set-enable and clear-enable are views of one bit (4.3.5/6) */
	writel(1u << (spi % 32), d + GICD_ISENABLER + spi / 32 * 4);
	report(readl(d + GICD_ICENABLER + spi / 32 * 4) & (1u << (spi % 32)),
	       "ISENABLER write shows in ICENABLER (IHI 0048B 4.3.5, 4.3.6)");
	writel(1u << (spi % 32), d + GICD_ICENABLER + spi / 32 * 4);
	report(!(readl(d + GICD_ISENABLER + spi / 32 * 4) & (1u << (spi % 32))),
	       "ICENABLER write clears the enable (IHI 0048B 4.3.6)");

	/* SGIs are edge-triggered, GICD_ICFGR0 read-only (4.3.13) */
	cfg0 = readl(d + GICD_ICFGR);
	report(cfg0 == 0xaaaaaaaa, "GICD_ICFGR0 (SGIs) reads 0xaaaaaaaa (got "
	       "%#x; IHI 0048B 4.3.13)", cfg0);
	test_ro(d + GICD_ICFGR, "GICD_ICFGR0");
}

static void nothing(void *arg)
{
	(void)arg;
}

static void test_mmio_v3(void)
{
	u8 *d = gic_dist_base();
	unsigned spi = GIC_FIRST_SPI + 3;
	u64 route;

	on_cpus(nothing, NULL);		/* every redistributor awake */

	report(GIC_PIDR2_ARCHREV(readl(d + GICD_PIDR2_V3)) == 3,
	       "GICD_PIDR2.ArchRev (got %u, want 3; IHI 0069H GICD_PIDR2)",
	       GIC_PIDR2_ARCHREV(readl(d + GICD_PIDR2_V3)));
	report(readl(d + GICD_CTLR) & GICD_CTLR_ARE, "GICD_CTLR.ARE set "
	       "(got %#x; written 1, IHI 0069H GICD_CTLR)",
	       readl(d + GICD_CTLR));
	test_ro(d + GICD_TYPER, "GICD_TYPER");
	test_priority_bytes(d + GICD_IPRIORITYR, spi);

	/* GICD_IROUTER<n> holds an affinity (IHI 0069H) */
	writeq(cpu_mpidr(nr_cpus - 1) & 0xff00ffffffull,
	       d + GICD_IROUTER + spi * 8);
	route = readq(d + GICD_IROUTER + spi * 8);
	report(route == (cpu_mpidr(nr_cpus - 1) & 0xff00ffffffull),
	       "GICD_IROUTER%u reads back (got %#llx, want %#llx; IHI 0069H "
	       "GICD_IROUTER<n>)", spi,
	       (unsigned long long)route,
	       (unsigned long long)(cpu_mpidr(nr_cpus - 1) & 0xff00ffffffull));

	for (unsigned i = 0; i < nr_cpus; i++) {
		u8 *rd = gicv3_rdist_base(i);
		u64 typer;
		u32 waker;

		report_prefix_pushf("redistributor %u", i);
		if (!rd) {
			report_fail("no frame for CPU %u's affinity (GICR_TYPER."
				    "Affinity_Value, IHI 0069H GICR_TYPER)", i);
			report_prefix_pop();
			continue;
		}
		typer = readq(rd + GICR_TYPER);
		report(!!(typer & GICR_TYPER_LAST) == (i == nr_cpus - 1),
		       "GICR_TYPER.Last (got %d, want %d; IHI 0069H GICR_TYPER)",
		       !!(typer & GICR_TYPER_LAST), i == nr_cpus - 1);
		report(GICR_TYPER_PROCNUM(typer) == i, "GICR_TYPER.Processor_"
		       "Number (got %llu, want %u; IHI 0069H GICR_TYPER)",
		       (unsigned long long)GICR_TYPER_PROCNUM(typer), i);
		waker = readl(rd + GICR_WAKER);
		report(!(waker & (GICR_WAKER_SLEEP | GICR_WAKER_CHILDREN)),
		       "GICR_WAKER awake: ProcessorSleep and ChildrenAsleep "
		       "clear (got %#x; IHI 0069H GICR_WAKER)", waker);
		report(GIC_PIDR2_ARCHREV(readl(rd + GICR_PIDR2)) == 3,
		       "GICR_PIDR2.ArchRev (got %u, want 3; IHI 0069H "
		       "GICR_PIDR2)",
		       GIC_PIDR2_ARCHREV(readl(rd + GICR_PIDR2)));
		test_ro(rd + GICR_TYPER, "GICR_TYPER");
		test_priority_bytes((u8 *)gicv3_sgi_base(i) + GICD_IPRIORITYR,
				    IPI_SGI);
		report_prefix_pop();
	}
}

/* GITS registers (IHI 0069H, the ITS register map) */
#define GITS_CTLR	0x0000
#define GITS_TYPER	0x0008
#define GITS_BASER	0x0100
#define GITS_PIDR2	0xffe8
#define GITS_BASER_TYPE(b)	(((b) >> 56) & 7)

static void test_its_introspection(void)
{
	u8 *its = gic_its_base();
	u64 typer;
	bool device = false, collection = false;
	unsigned devbits;
	int pci, len = 0;
	const u8 *map;

	report_prefix_push("its");
	if (!its) {
		report_skip("no ITS: the device tree has no arm,gic-v3-its "
			    "node");
		report_prefix_pop();
		return;
	}
	typer = readq(its + GITS_TYPER);
	report(typer & 1, "GITS_TYPER.Physical set (got %#llx; IHI 0069H "
	       "GITS_TYPER)",
	       (unsigned long long)typer);
	/* the entry's layout is IMPLEMENTATION DEFINED, but it holds an LPI
	 * INTID (14 bits at least) and an ICID (16 bits): 3 bytes or more */
	report(((typer >> 4) & 0xf) + 1 >= 3, "GITS_TYPER.ITT_entry_size "
	       "(got %llu bytes, want >= 3 to hold an LPI INTID and an ICID; "
	       "IHI 0069H GITS_TYPER)",
	       (unsigned long long)((typer >> 4) & 0xf) + 1);
	/* arm/its.c maps device 0 with MAPD Size 1 (2 EventID bits); a
	 * Size above ID_bits is a MAPD command error (IHI 0069H, MAPD) */
	report(((typer >> 8) & 0x1f) + 1 >= 2, "GITS_TYPER.ID_bits: EventID "
	       "bits (got %llu, want >= 2 for the its tests' MAPD Size 1; "
	       "IHI 0069H GITS_TYPER, MAPD)",
	       (unsigned long long)((typer >> 8) & 0x1f) + 1);
	devbits = ((typer >> 13) & 0x1f) + 1;
	pci = dt_find_compatible("pci-host-ecam-generic");
	map = pci >= 0 ? dt_get_prop(pci, "msi-map", &len) : NULL;
	if (map && len >= 16) {
		/* rid-base, msi-controller, msi-base, length: the ITS gets
		 * DeviceIDs msi-base .. msi-base + length - 1 */
		u64 top = (u64)dt_u32(map + 8) + dt_u32(map + 12) - 1;
		unsigned want = 1;

		while (want < 32 && (top >> want))
			want++;
		report(devbits >= want, "GITS_TYPER.Devbits covers the "
		       "DeviceIDs the PCIe host's msi-map sends the ITS (got "
		       "%u bits, want >= %u for DeviceID %#llx; IHI 0069H "
		       "GITS_TYPER; the DT binding of msi-map)",
		       devbits, want, (unsigned long long)top);
	} else {
		report_info("GITS_TYPER.Devbits %u; no PCIe msi-map in the "
			    "device tree to compare it with", devbits);
	}
	for (int i = 0; i < 8; i++) {
		u64 b = readq(its + GITS_BASER + i * 8);

		device |= GITS_BASER_TYPE(b) == 1;
		collection |= GITS_BASER_TYPE(b) == 4;
	}
	report(device, "a GITS_BASER<n> describes the Device table (type 1; "
	       "IHI 0069H GITS_BASER<n>)");
	/* HCC (bits 31:24): collections the ITS holds without a table;
	 * bit 19, once tested here, is PTA and says nothing of them */
	report(collection || ((typer >> 24) & 0xff), "a GITS_BASER<n> "
	       "describes the Collection table (type 4), or GITS_TYPER.HCC "
	       "is non-zero (got HCC %llu; IHI 0069H GITS_BASER<n>, "
	       "GITS_TYPER)", (unsigned long long)((typer >> 24) & 0xff));
	report(GIC_PIDR2_ARCHREV(readl(its + GITS_PIDR2)) >= 3,
	       "GITS_PIDR2.ArchRev (got %u, want 3 or 4; IHI 0069H "
	       "GITS_PIDR2)",
	       GIC_PIDR2_ARCHREV(readl(its + GITS_PIDR2)));
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	int want = 0;

	if (argc < 3 || (strcmp(argv[1], "v2") && strcmp(argv[1], "v3"))) {
		report_fail("usage: gic v2|v3 ipi|mmio|active|its-introspection");
		return report_summary();
	}
	want = argv[1][1] - '0';
	report_prefix_pushf("gicv%d", want);
	if (gic_init() != want) {
		report_fail("the device tree describes GICv%d (want GICv%d: "
			    "machine = virt,gic-version=%d; a cfg error)",
			    gic_version(),
			    want, want);
		return report_summary();
	}
	install_irq_handler(irq_handler);
	gic_enable_defaults();
	if (!strcmp(argv[2], "ipi"))
		test_ipi();
	else if (!strcmp(argv[2], "active"))
		test_active();
	else if (!strcmp(argv[2], "priority"))
		test_priority();
	else if (!strcmp(argv[2], "mmio"))
		want == 2 ? test_mmio_v2() : test_mmio_v3();
	else if (!strcmp(argv[2], "its-introspection"))
		test_its_introspection();
	else
		report_fail("unknown sub-test '%s'", argv[2]);
	return report_summary();
}
