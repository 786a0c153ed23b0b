// SPDX-License-Identifier: GPL-2.0-only
/*
 * LPIs through the GICv3 ITS (GIC architecture spec IHI 0069H, chapters 5
 * and 6): the LPI configuration and pending tables (GICR_PROPBASER,
 * GICR_PENDBASER, 5.1), the ITS tables and command queue (GITS_BASER<n>,
 * GITS_CBASER, 6.2), and the commands MAPD, MAPC, MAPTI, INT, INV, MOVI and
 * SYNC (5.3). An event's INT is delivered as its LPI to the CPU of its
 * collection; disabled in the configuration table (then INV) it is not;
 * after MOVI it goes to the new collection's CPU.
 *
 * usage: its lpi|trigger
 */
#include "libcflat.h"
#include "arm/gic.h"
#include "arm/io.h"
#include "arm/mmu.h"
#include "arm/smp.h"
#include "arm/timer.h"

#define GICD_TYPER_LPIS		(1u << 17)
#define GICR_CTLR_ENABLE_LPIS	(1u << 0)
#define GITS_CTLR		0x0000
#define GITS_TYPER		0x0008
#define GITS_CBASER		0x0080
#define GITS_CWRITER		0x0088
#define GITS_CREADR		0x0090
#define GITS_BASER		0x0100
#define GITS_CTLR_ENABLED	(1u << 0)
#define GITS_TYPER_PTA		(1ull << 19)
#define BASER_VALID		(1ull << 63)
#define BASER_TYPE(b)		(((b) >> 56) & 7)
#define BASER_ENTRY_SIZE(b)	((((b) >> 48) & 0x1f) + 1)
#define PENDBASER_PTZ		(1ull << 62)

#define LPI_ID_BITS		14	/* INTIDs up to 16383 */
#define LPI_BASE		8192
#define NR_LPIS			((1u << LPI_ID_BITS) - LPI_BASE)
#define LPI_PRIO		0xa0
#define LPI_ENABLE		1

#define CMD_MOVI	0x01
#define CMD_INT		0x03
#define CMD_SYNC	0x05
#define CMD_MAPD	0x08
#define CMD_MAPC	0x09
#define CMD_MAPTI	0x0a
#define CMD_INV		0x0c

#define QUEUE_SIZE	(4 * KiB)
#define WAIT_US		(5 * 1000 * 1000)

static u8 *its, *prop;
static u64 *queue;
static unsigned cwriter;
static volatile int got[MAX_CPUS], got_intid[MAX_CPUS];

static void *alloc_zeroed(size_t align, size_t size)
{
	void *p = memalign(align, size);

	assert(p);
	memset(p, 0, size);
	dcache_clean_inval_range((uintptr_t)p, (uintptr_t)p + size);
	return p;
}

static void its_cmd(u64 dw0, u64 dw1, u64 dw2, u64 dw3)
{
	u64 *c = queue + cwriter / 8;
	u64 end = timer_now_us() + WAIT_US;

	c[0] = dw0;
	c[1] = dw1;
	c[2] = dw2;
	c[3] = dw3;
	dsb(ishst);
	cwriter = (cwriter + 32) % QUEUE_SIZE;
	writeq(cwriter, its + GITS_CWRITER);
	while (readq(its + GITS_CREADR) != cwriter)
		assert_msg(timer_now_us() < end, "ITS stuck at CREADR %#llx, "
			   "CWRITER %#x", (unsigned long long)
			   readq(its + GITS_CREADR), cwriter);
}

/* RDbase: the redistributor's processor number, or its address (6.1) */
static u64 rdbase(unsigned cpu)
{
	if (readq(its + GITS_TYPER) & GITS_TYPER_PTA)
		return virt_to_phys(gicv3_rdist_base(cpu)) >> 16;
	return GICR_TYPER_PROCNUM(readq((u8 *)gicv3_rdist_base(cpu) +
					GICR_TYPER));
}

static void cmd_sync(unsigned cpu)
{
	its_cmd(CMD_SYNC, 0, rdbase(cpu) << 16, 0);
}

static void lpi_handler(struct pt_regs *regs, const struct exc_info *info)
{
	u32 iar = gic_read_iar();
	unsigned cpu = smp_id();

	(void)regs;
	(void)info;
	if (gic_iar_intid(iar) == GIC_SPURIOUS)
		return;
	got_intid[cpu] = gic_iar_intid(iar);
	gic_write_eoir(iar);
	dmb(ish);
	got[cpu]++;
}

static void redist_lpis_on(void *arg)
{
	u8 *rd = gicv3_rdist_base(smp_id());
	void *pend = alloc_zeroed(64 * KiB, 64 * KiB);

	(void)arg;
	writeq(virt_to_phys(prop) | (LPI_ID_BITS - 1), rd + GICR_PROPBASER);
	writeq(virt_to_phys(pend) | PENDBASER_PTZ, rd + GICR_PENDBASER);
	writel(readl(rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS, rd + GICR_CTLR);
	local_irq_enable();
}

static bool its_setup(void)
{
	u32 typer = readl((u8 *)gic_dist_base() + GICD_TYPER);
	u64 *itt;

	its = gic_its_base();
	if (!its) {
		report_skip("no ITS: no arm,gic-v3-its node in the device tree");
		return false;
	}
	if (!(typer & GICD_TYPER_LPIS)) {
		report_skip("no LPIs: GICD_TYPER.LPIS is 0");
		return false;
	}
	prop = alloc_zeroed(PAGE_SIZE, NR_LPIS);
	for (int i = 0; i < 8; i++) {
		u64 b = readq(its + GITS_BASER + i * 8);
		size_t size = 16 * PAGE_SIZE;

		if (!BASER_TYPE(b))
			continue;
		/* 4 KiB pages (Page_Size 0), 16 of them, flat */
		writeq(BASER_VALID | (b & (0x1full << 48)) | (u64)BASER_TYPE(b) << 56 |
		       virt_to_phys(alloc_zeroed(64 * KiB, size)) | (16 - 1),
		       its + GITS_BASER + i * 8);
	}
	queue = alloc_zeroed(64 * KiB, QUEUE_SIZE);
	writeq(BASER_VALID | virt_to_phys(queue) | (QUEUE_SIZE / PAGE_SIZE - 1),
	       its + GITS_CBASER);
	cwriter = 0;
	writeq(0, its + GITS_CWRITER);
	writel(GITS_CTLR_ENABLED, its + GITS_CTLR);
	on_cpus(redist_lpis_on, NULL);

	/* device 0: 2 event bits, its ITT; collection c on CPU c */
	itt = alloc_zeroed(256, 256);
	its_cmd(CMD_MAPD, 1, BASER_VALID | virt_to_phys(itt), 0);
	for (unsigned c = 0; c < MIN(nr_cpus, 2u); c++)
		its_cmd(CMD_MAPC, 0, BASER_VALID | rdbase(c) << 16 | c, 0);
	/* event 0 -> LPI 8192 on collection 0 */
	its_cmd(CMD_MAPTI, (u64)LPI_BASE << 32, 0, 0);
	cmd_sync(0);
	return true;
}

static void lpi_config(unsigned lpi, u8 val)
{
	prop[lpi - LPI_BASE] = val;
	dcache_clean_inval_range((uintptr_t)&prop[lpi - LPI_BASE],
				 (uintptr_t)&prop[lpi - LPI_BASE] + 1);
	its_cmd(CMD_INV, 0, 0, 0);	/* device 0, event 0 */
	cmd_sync(0);
}

static void trigger_and_wait(unsigned cpu, bool want)
{
	for (unsigned i = 0; i < nr_cpus; i++)
		got[i] = 0;
	its_cmd(CMD_INT, 0, 0, 0);	/* device 0, event 0 */
	if (want)
		wait_flag(&got[cpu], WAIT_US);
	else
		udelay(20000);
}

int main(int argc, char **argv)
{
	bool trigger = argc > 1 && !strcmp(argv[1], "trigger");

	report_prefix_push(trigger ? "its-trigger" : "gicv3-lpi");
	if (gic_init() != 3) {
		report_skip("needs GICv3 (machine = virt,gic-version=3), the DT "
			    "has GICv%d", gic_version());
		return report_summary();
	}
	install_irq_handler(lpi_handler);
	gic_enable_defaults();
	if (!its_setup())
		return report_summary();
	lpi_config(LPI_BASE, LPI_PRIO | LPI_ENABLE);
	trigger_and_wait(0, true);
	report(got[0] == 1 && got_intid[0] == LPI_BASE, "INT of device 0 "
	       "event 0 delivers LPI %d to CPU 0 (taken %d, INTID %d)",
	       LPI_BASE, got[0], got_intid[0]);
	if (!trigger)
		return report_summary();

	lpi_config(LPI_BASE, LPI_PRIO);		/* Enable bit clear */
	trigger_and_wait(0, false);
	report(got[0] == 0, "disabled in the configuration table, then INV: "
	       "not delivered (taken %d; 5.1.1)", got[0]);
	lpi_config(LPI_BASE, LPI_PRIO | LPI_ENABLE);
	wait_flag(&got[0], WAIT_US);
	report(got[0] == 1, "re-enabled and INV: the pending LPI arrives "
	       "(taken %d)", got[0]);

	if (nr_cpus < 2) {
		report_skip("MOVI: needs 2 CPUs");
		return report_summary();
	}
	its_cmd(CMD_MOVI, 0, 1, 0);		/* event 0 -> collection 1 */
	cmd_sync(1);
	trigger_and_wait(1, true);
	report(got[1] == 1 && got[0] == 0 && got_intid[1] == LPI_BASE,
	       "after MOVI to collection 1 the LPI goes to CPU 1 (CPU 1 took "
	       "%d, CPU 0 took %d)", got[1], got[0]);
	return report_summary();
}
