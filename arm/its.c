// SPDX-License-Identifier: GPL-2.0-only
/*
 * LPIs through the GICv3 ITS (GIC architecture spec IHI 0069H, LPIs and
 * the ITS): the LPI configuration and pending tables (GICR_PROPBASER,
 * GICR_PENDBASER), the ITS tables and command queue (GITS_BASER<n>,
 * GITS_CBASER), and the commands MAPD, MAPC, MAPTI, INT, INV, MOVI and
 * SYNC (ITS commands). An event's INT is delivered as its LPI to the CPU of its
 * collection; disabled in the configuration table (then INV) it is not;
 * after MOVI it goes to the new collection's CPU.
 *
 * Across a live migration (lib/migrate.h): the ITS and redistributor
 * registers that point at the tables read back the same, and what the
 * tables hold still works: a mapped event's INT is delivered, MOVI finds
 * the other collection (migration); LPIs made pending while the CPUs mask
 * them (ICC_PMR_EL1 0) are all delivered once unmasked on the destination,
 * each to its collection's CPU (pending-migration: the LPI pending
 * tables); an event mapped to a collection not yet mapped is delivered once
 * MAPC maps it on the destination (migrate-unmapped-collection: the
 * interrupt translation table keeps the ICID, MAPTI command).
 *
 * With "drop" after a migration sub-test, the destination changes what the
 * test then checks (event 0 moved to collection 1, the pending LPIs cleared,
 * collection 3 mapped elsewhere), as a migration that lost it would: those
 * checks must FAIL.
 *
 * usage: its lpi|trigger|migration|pending-migration|
 *        migrate-unmapped-collection [drop]
 */
#include "libcflat.h"
#include "arm/gic.h"
#include "arm/io.h"
#include "migrate.h"
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
#define CMD_CLEAR	0x04
#define CMD_SYNC	0x05
#define CMD_MAPD	0x08
#define CMD_MAPC	0x09
#define CMD_MAPTI	0x0a
#define CMD_INV		0x0c
#define CMD_INVALL	0x0d

#define QUEUE_SIZE	(4 * KiB)
#define WAIT_US		(5 * 1000 * 1000)

static u8 *its, *prop;
static bool drop;
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

/* The registers that say where the ITS and LPI tables are. */
struct its_regs {
	u64 cbaser, baser[8], propbaser[2], pendbaser[2];
	u32 ctlr;
};

static void its_regs_take(struct its_regs *r)
{
	r->ctlr = readl(its + GITS_CTLR);
	r->cbaser = readq(its + GITS_CBASER);
	for (int i = 0; i < 8; i++)
		r->baser[i] = readq(its + GITS_BASER + i * 8);
	for (unsigned c = 0; c < MIN(nr_cpus, 2u); c++) {
		u8 *rd = gicv3_rdist_base(c);

		r->propbaser[c] = readq(rd + GICR_PROPBASER);
		r->pendbaser[c] = readq(rd + GICR_PENDBASER);
	}
}

/* The register keeps what software wrote: its description in IHI 0069H. */
static void check_reg(const char *name, u64 got, u64 want)
{
	report(got == want, "%s after the migration (got %#llx, want %#llx; "
	       "IHI 0069H %s)", name, (unsigned long long)got,
	       (unsigned long long)want, name);
}

static void its_regs_check(const struct its_regs *want)
{
	struct its_regs got;

	its_regs_take(&got);
	/* GITS_CTLR.Quiescent (bit 31) may change; Enabled must stay */
	check_reg("GITS_CTLR.Enabled", got.ctlr & GITS_CTLR_ENABLED,
		  want->ctlr & GITS_CTLR_ENABLED);
	check_reg("GITS_CBASER", got.cbaser, want->cbaser);
	for (int i = 0; i < 8; i++)
		if (BASER_TYPE(want->baser[i]))
			report(got.baser[i] == want->baser[i], "GITS_BASER%d "
			       "after the migration (got %#llx, want %#llx; "
			       "IHI 0069H GITS_BASER<n>)",
			       i, (unsigned long long)got.baser[i],
			       (unsigned long long)want->baser[i]);
	/* PENDBASER.PTZ is write-only and reads 0 (IHI 0069H GICR_PENDBASER) */
	for (unsigned c = 0; c < MIN(nr_cpus, 2u); c++) {
		report(got.propbaser[c] == want->propbaser[c], "CPU %u: "
		       "GICR_PROPBASER after the migration (got %#llx, want "
		       "%#llx; IHI 0069H GICR_PROPBASER)", c,
		       (unsigned long long)got.propbaser[c],
		       (unsigned long long)want->propbaser[c]);
		report(got.pendbaser[c] == want->pendbaser[c], "CPU %u: "
		       "GICR_PENDBASER after the migration (got %#llx, want "
		       "%#llx; IHI 0069H GICR_PENDBASER)", c,
		       (unsigned long long)got.pendbaser[c],
		       (unsigned long long)want->pendbaser[c]);
	}
}

static void test_migration(void)
{
	struct its_regs before;

	lpi_config(LPI_BASE, LPI_PRIO | LPI_ENABLE);
	its_regs_take(&before);
	migrate();
	if (drop) {
		its_cmd(CMD_MOVI, 0, 1, 0);	/* event 0 -> collection 1 */
		cmd_sync(1);
	}
	its_regs_check(&before);
	trigger_and_wait(0, true);
	report(got[0] == 1 && got_intid[0] == LPI_BASE, "after the migration "
	       "INT of device 0 event 0 delivers LPI %d to CPU 0 (taken %d, "
	       "INTID %d; IHI 0069H, INT command)", LPI_BASE, got[0],
	       got_intid[0]);
	its_cmd(CMD_MOVI, 0, 1, 0);		/* event 0 -> collection 1 */
	cmd_sync(1);
	trigger_and_wait(1, true);
	report(got[1] == 1 && got[0] == 0 && got_intid[1] == LPI_BASE,
	       "after the migration MOVI to collection 1 sends the LPI to "
	       "CPU 1 (CPU 1 took %d, CPU 0 took %d; want 1, 0; IHI 0069H "
	       "MOVI command)", got[1], got[0]);
}

#define NR_PENDING	4	/* events 0-3 -> LPIs 8192-8195 */

static volatile int taken[MAX_CPUS][NR_PENDING];

static void pending_handler(struct pt_regs *regs, const struct exc_info *info)
{
	u32 iar = gic_read_iar();
	unsigned intid = gic_iar_intid(iar);

	(void)regs;
	(void)info;
	if (intid == GIC_SPURIOUS)
		return;
	if (intid >= LPI_BASE && intid < LPI_BASE + NR_PENDING)
		taken[smp_id()][intid - LPI_BASE]++;
	gic_write_eoir(iar);
	dmb(ish);
}

static void pmr_set(void *arg)
{
	icc_pmr_write((u32)(uintptr_t)arg);
	isb();
}

/* Event e on collection e % 2, so each CPU has two pending. */
static void test_pending_migration(void)
{
	u64 end;
	int total = 0;

	install_irq_handler(pending_handler);
	on_cpus(pmr_set, (void *)0);		/* mask every priority */
	for (unsigned e = 1; e < NR_PENDING; e++)
		its_cmd(CMD_MAPTI, (u64)(LPI_BASE + e) << 32 | e, e % 2, 0);
	for (unsigned e = 0; e < NR_PENDING; e++)
		prop[e] = LPI_PRIO | LPI_ENABLE;
	dcache_clean_inval_range((uintptr_t)prop, (uintptr_t)prop + NR_PENDING);
	its_cmd(CMD_INVALL, 0, 0, 0);
	its_cmd(CMD_INVALL, 0, 1, 0);
	cmd_sync(0);
	cmd_sync(1);
	for (unsigned e = 0; e < NR_PENDING; e++)
		its_cmd(CMD_INT, e, 0, 0);
	cmd_sync(0);
	cmd_sync(1);
	udelay(10000);
	for (unsigned c = 0; c < 2; c++)
		for (unsigned e = 0; e < NR_PENDING; e++)
			total += taken[c][e];
	report(total == 0, "with ICC_PMR_EL1 0 no LPI is taken before the "
	       "migration (taken %d, want 0; IHI 0069H ICC_PMR_EL1)", total);
	migrate();
	if (drop)
		for (unsigned e = 0; e < NR_PENDING; e++)
			its_cmd(CMD_CLEAR, e, 0, 0);
	on_cpus(pmr_set, (void *)0xf0);
	end = timer_now_us() + WAIT_US;
	do {
		total = 0;
		for (unsigned c = 0; c < 2; c++)
			for (unsigned e = 0; e < NR_PENDING; e++)
				total += taken[c][e];
	} while (total < NR_PENDING && timer_now_us() < end);
	udelay(10000);
	for (unsigned e = 0; e < NR_PENDING; e++) {
		unsigned c = e % 2;

		report(taken[c][e] == 1 && taken[!c][e] == 0, "pending LPI %u "
		       "delivered once to CPU %u after the migration (CPU %u "
		       "took it %d times, CPU %u %d times; want 1 and 0: "
		       "the pending table keeps it, IHI 0069H "
		       "GICR_PENDBASER)",
		       LPI_BASE + e, c, c, taken[c][e], !c, taken[!c][e]);
	}
}

#define UNMAPPED_COLL	3
#define UNMAPPED_EVENT	1

static void test_unmapped_collection(void)
{
	unsigned lpi = LPI_BASE + UNMAPPED_EVENT;
	unsigned cpu = nr_cpus - 1;

	lpi_config(lpi, LPI_PRIO | LPI_ENABLE);
	/* event 1 -> LPI 8193 on collection 3, which no MAPC has mapped:
	 * its INT finds no target and is dropped (IHI 0069H, INT command:
	 * a collection that is not mapped is a command error) */
	its_cmd(CMD_MAPTI, (u64)lpi << 32 | UNMAPPED_EVENT, UNMAPPED_COLL, 0);
	cmd_sync(0);
	for (unsigned i = 0; i < nr_cpus; i++)
		got[i] = 0;
	its_cmd(CMD_INT, UNMAPPED_EVENT, 0, 0);
	udelay(20000);
	report(!got[0] && !got[cpu], "INT of an event on an unmapped "
	       "collection is not delivered (CPU 0 took %d, CPU %u %d; want "
	       "0, 0; IHI 0069H INT: no mapped collection, no target)",
	       got[0], cpu, got[cpu]);
	migrate();
	its_cmd(CMD_MAPC, 0, BASER_VALID |
		rdbase(drop ? 0 : cpu) << 16 | UNMAPPED_COLL, 0);
	cmd_sync(cpu);
	for (unsigned i = 0; i < nr_cpus; i++)
		got[i] = 0;
	its_cmd(CMD_INT, UNMAPPED_EVENT, 0, 0);
	wait_flag(&got[cpu], WAIT_US);
	report(got[cpu] == 1 && got_intid[cpu] == (int)lpi, "MAPC of "
	       "collection %d to CPU %u after the migration: INT delivers LPI "
	       "%u there (taken %d, INTID %d; IHI 0069H MAPTI keeps the ICID, "
	       "MAPC maps it)", UNMAPPED_COLL, cpu, lpi,
	       got[cpu], got_intid[cpu]);
}

static bool migrating(const char *mode)
{
	return !strcmp(mode, "migration") ||
	       !strcmp(mode, "pending-migration") ||
	       !strcmp(mode, "migrate-unmapped-collection");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "lpi";
	bool trigger = !strcmp(mode, "trigger");
	char why[80];

	drop = argc > 2 && !strcmp(argv[2], "drop");

	report_prefix_push(trigger ? "its-trigger" : !strcmp(mode, "lpi") ?
			   "gicv3-lpi" : mode);
	if (gic_init() != 3) {
		snprintf(why, sizeof(why), "needs GICv3 (machine = virt,"
			 "gic-version=3), the DT has GICv%d", gic_version());
		if (migrating(mode))
			migrate_skip(why);
		report_skip("%s", why);
		return report_summary();
	}
	if (migrating(mode) && nr_cpus < 2) {
		migrate_skip("needs 2 CPUs (smp = 2)");
		report_skip("needs 2 CPUs (smp = 2)");
		return report_summary();
	}
	install_irq_handler(lpi_handler);
	gic_enable_defaults();
	if (!its_setup()) {
		if (migrating(mode))
			migrate_skip("no ITS or no LPIs (see the SKIP line)");
		return report_summary();
	}
	if (!strcmp(mode, "migration")) {
		test_migration();
		return report_summary();
	}
	if (!strcmp(mode, "pending-migration")) {
		test_pending_migration();
		return report_summary();
	}
	if (!strcmp(mode, "migrate-unmapped-collection")) {
		test_unmapped_collection();
		return report_summary();
	}
	if (!trigger && strcmp(mode, "lpi")) {
		report_fail("unknown sub-test '%s'", mode);
		return report_summary();
	}
	lpi_config(LPI_BASE, LPI_PRIO | LPI_ENABLE);
	trigger_and_wait(0, true);
	report(got[0] == 1 && got_intid[0] == LPI_BASE, "INT of device 0 "
	       "event 0 delivers LPI %d to CPU 0 (taken %d, INTID %d; IHI "
	       "0069H, INT command)", LPI_BASE, got[0], got_intid[0]);
	if (!trigger)
		return report_summary();

	lpi_config(LPI_BASE, LPI_PRIO);		/* Enable bit clear */
	trigger_and_wait(0, false);
	report(got[0] == 0, "disabled in the configuration table, then INV: "
	       "not delivered (taken %d; IHI 0069H GICR_PROPBASER, INV "
	       "command)", got[0]);
	lpi_config(LPI_BASE, LPI_PRIO | LPI_ENABLE);
	wait_flag(&got[0], WAIT_US);
	report(got[0] == 1, "re-enabled and INV: the pending LPI arrives "
	       "(taken %d, want 1; IHI 0069H, INV command)", got[0]);

	if (nr_cpus < 2) {
		report_skip("MOVI: needs 2 CPUs");
		return report_summary();
	}
	its_cmd(CMD_MOVI, 0, 1, 0);		/* event 0 -> collection 1 */
	cmd_sync(1);
	trigger_and_wait(1, true);
	report(got[1] == 1 && got[0] == 0 && got_intid[1] == LPI_BASE,
	       "after MOVI to collection 1 the LPI goes to CPU 1 (CPU 1 took "
	       "%d, CPU 0 took %d; want 1, 0; IHI 0069H, MOVI command)",
	       got[1], got[0]);
	return report_summary();
}
