// SPDX-License-Identifier: GPL-2.0-only
/* GICv2 and GICv3 drivers, from the device tree (IHI 0048B; IHI 0069H). */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/gic.h"
#include "arm/io.h"
#include "arm/setup.h"
#include "arm/smp.h"
#include "arm/sysreg.h"

#define GIC_DEFAULT_PRIO	0xa0
#define GIC_DEFAULT_PMR		0xf0
#define GICR_FRAME		0x20000		/* RD_base + SGI_base */
#define GICR_FRAME_VLPI		0x40000		/* + VLPI_base, reserved */
#define ICC_SRE_SRE		(1u << 0)

static int version;
static u8 *dist, *cpuif, *its;
static u8 *rdist[MAX_CPUS];
static u8 cpu_mask[MAX_CPUS];
static unsigned nr_irqs;

int gic_version(void)
{
	return version;
}

void *gic_dist_base(void)
{
	return dist;
}

void *gicv2_cpu_base(void)
{
	return cpuif;
}

void *gic_its_base(void)
{
	return its;
}

u8 gicv2_cpu_mask(unsigned cpu)
{
	return cpu_mask[cpu];
}

void *gicv3_rdist_base(unsigned cpu)
{
	return rdist[cpu];
}

void *gicv3_sgi_base(unsigned cpu)
{
	return rdist[cpu] ? rdist[cpu] + GICR_SGI_BASE : NULL;
}

unsigned gic_nr_irqs(void)
{
	return nr_irqs;
}

int dt_irq_intid(int node, int idx)
{
	int len;
	const u8 *p = dt_get_prop(node, "interrupts", &len);

	/* three cells: type (0 SPI, 1 PPI), number, flags (GIC binding) */
	if (!p || (idx + 1) * 12 > len)
		return -1;
	p += idx * 12;
	return dt_u32(p + 4) + (dt_u32(p) ? GIC_FIRST_PPI : GIC_FIRST_SPI);
}

/* Each CPU's redistributor, found by the affinity in GICR_TYPER (IHI 0069H). */
static void gicv3_find_rdists(int node)
{
	int len, regions = 1;
	const void *p = dt_get_prop(node, "#redistributor-regions", &len);

	if (p && len == 4)
		regions = dt_u32(p);
	for (int r = 0; r < regions; r++) {
		struct dt_reg reg;
		u8 *base, *frame;

		if (dt_get_reg(node, 1 + r, &reg))
			break;
		base = ioremap(reg.addr, reg.size);
		for (frame = base; frame < base + reg.size;) {
			u64 typer = readq(frame + GICR_TYPER);
			int cpu = -1;

			for (unsigned i = 0; i < nr_cpus; i++) {
				u64 m = cpu_mpidr(i);
				u32 aff = (m & 0xffffff) | (m >> 32 & 0xff) << 24;

				if (GICR_TYPER_AFF(typer) == aff)
					cpu = i;
			}
			if (cpu >= 0)
				rdist[cpu] = frame;
			if (typer & GICR_TYPER_LAST)
				break;
			frame += typer & GICR_TYPER_VLPIS ? GICR_FRAME_VLPI :
							    GICR_FRAME;
		}
	}
}

int gic_init(void)
{
	static const char *const v2[] = {
		"arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic",
	};
	struct dt_reg reg;
	int node = -1;

	if (version)
		return version;
	for (unsigned i = 0; i < ARRAY_SIZE(v2) && node < 0; i++)
		node = dt_find_compatible(v2[i]);
	if (node >= 0) {
		version = 2;
		if (dt_get_reg(node, 0, &reg))
			return version = 0;
		dist = ioremap(reg.addr, reg.size);
		if (dt_get_reg(node, 1, &reg))
			return version = 0;
		cpuif = ioremap(reg.addr, reg.size);
	} else {
		node = dt_find_compatible("arm,gic-v3");
		if (node < 0)
			return 0;
		version = 3;
		if (dt_get_reg(node, 0, &reg))
			return version = 0;
		dist = ioremap(reg.addr, reg.size);
		gicv3_find_rdists(node);
		node = dt_find_compatible("arm,gic-v3-its");
		if (node >= 0 && !dt_get_reg(node, 0, &reg))
			its = ioremap(reg.addr, reg.size);
	}
	nr_irqs = MIN(32 * (GICD_TYPER_ITLINES(readl(dist + GICD_TYPER)) + 1),
		      1020u);
	return version;
}

/* Registers with one bit per INTID, banked per CPU for 0-31. */
static void *bit_reg(unsigned off, unsigned intid)
{
	if (version == 3 && intid < GIC_FIRST_SPI)
		return gicv3_sgi_base(smp_id()) + off;
	return dist + off + intid / 32 * 4;
}

void gic_enable_irq(unsigned intid)
{
	writel(1u << (intid % 32), bit_reg(GICD_ISENABLER, intid));
}

void gic_disable_irq(unsigned intid)
{
	writel(1u << (intid % 32), bit_reg(GICD_ICENABLER, intid));
}

bool gic_irq_pending(unsigned intid)
{
	return readl(bit_reg(GICD_ISPENDR, intid)) & (1u << (intid % 32));
}

bool gic_irq_active(unsigned intid)
{
	return readl(bit_reg(GICD_ISACTIVER, intid)) & (1u << (intid % 32));
}

static void wait_rwp(void *ctlr)
{
	while (readl(ctlr) & GICD_CTLR_RWP)
		;
}

/* This CPU's interface and its banked SGIs/PPIs. */
static void gic_cpu_init(void)
{
	unsigned cpu = smp_id();

	if (version == 2) {
		for (unsigned i = 0; i < GIC_FIRST_SPI; i += 4)
			writel(GIC_DEFAULT_PRIO * 0x01010101u,
			       dist + GICD_IPRIORITYR + i);
		/* ITARGETSR0-7 read as this CPU's own mask (4.3.12) */
		cpu_mask[cpu] = readb(dist + GICD_ITARGETSR);
		writel(GIC_DEFAULT_PMR, cpuif + GICC_PMR);
		writel(1, cpuif + GICC_CTLR);
	} else {
		u8 *rd = rdist[cpu], *sgi = rd + GICR_SGI_BASE;

		assert_msg(rd, "no redistributor for CPU %u", cpu);
		writel(readl(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP,
		       rd + GICR_WAKER);
		while (readl(rd + GICR_WAKER) & GICR_WAKER_CHILDREN)
			;
		writel(~0u, sgi + GICD_IGROUPR);
		for (unsigned i = 0; i < GIC_FIRST_SPI; i += 4)
			writel(GIC_DEFAULT_PRIO * 0x01010101u,
			       sgi + GICD_IPRIORITYR + i);
		wait_rwp(rd + GICR_CTLR);
		icc_sre_write(icc_sre_read() | ICC_SRE_SRE);
		icc_pmr_write(GIC_DEFAULT_PMR);
		icc_igrpen1_write(1);
	}
}

static void gic_cpu_init_work(void *arg)
{
	(void)arg;
	gic_cpu_init();
}

void gic_enable_defaults(void)
{
	assert_msg(gic_init(), "no GIC in the device tree");
	for (unsigned i = GIC_FIRST_SPI; i < nr_irqs; i += 4)
		writel(GIC_DEFAULT_PRIO * 0x01010101u,
		       dist + GICD_IPRIORITYR + i);
	if (version == 2) {
		writel(GICD_CTLR_ENABLE_G0, dist + GICD_CTLR);
	} else {
		for (unsigned i = GIC_FIRST_SPI; i < nr_irqs; i += 32)
			writel(~0u, dist + GICD_IGROUPR + i / 8);
		writel(GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1, dist + GICD_CTLR);
		wait_rwp(dist + GICD_CTLR);
		for (unsigned i = GIC_FIRST_SPI; i < nr_irqs; i++)
			writeq(cpu_mpidr(0) & 0xff00ffffff,
			       dist + GICD_IROUTER + i * 8);
	}
	secondary_init_hook = gic_cpu_init;
	for (unsigned i = 0; i < nr_cpus; i++)
		if (cpu_online(i))
			on_cpu(i, gic_cpu_init_work, NULL);
}

u32 gic_read_iar(void)
{
	if (version == 2)
		return readl(cpuif + GICC_IAR);
	return icc_iar1_read();
}

unsigned gic_iar_intid(u32 iar)
{
	return GIC_IAR_INTID(iar, version);
}

void gic_write_eoir(u32 iar)
{
	if (version == 2)
		writel(iar, cpuif + GICC_EOIR);
	else
		icc_eoir1_write(iar);
}

void gic_send_sgi(unsigned cpu, unsigned sgi)
{
	if (version == 2) {
		/* TargetListFilter 0b00: the CPUs in CPUTargetList; 0b10:
		 * the requesting CPU, whose mask a uniprocessor GIC does
		 * not give (its ITARGETSRs are RAZ; 4.3.12, 4.3.15) */
		u32 v = cpu == smp_id() ? 2u << 24 : (u32)cpu_mask[cpu] << 16;

		dsb(ishst);
		writel(v | sgi, dist + GICD_SGIR);
	} else {
		/* ICC_SGI1R: Aff3.Aff2.Aff1 and a TargetList bit for Aff0
		 * (IHI 0069H ICC_SGI1R_EL1) */
		u64 m = cpu_mpidr(cpu);
		u64 v = (m >> 8 & 0xff) << 16 | (m >> 16 & 0xff) << 32 |
			(m >> 32 & 0xff) << 48 | (u64)sgi << 24 |
			1u << (m & 0xf);

		dsb(ishst);
		icc_sgi1r_write(v);
	}
}

void install_irq_handler(exception_fn fn)
{
#ifdef __aarch64__
	install_vector_handler(VEC_EL1H_IRQ, fn);
	install_vector_handler(VEC_EL0_IRQ, fn);
#else
	install_vector_handler(VEC_IRQ, fn);
#endif
}
