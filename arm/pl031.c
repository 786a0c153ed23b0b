// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PL031 real-time clock the device tree lists (PrimeCell RTC PL031 TRM,
 * DDI 0224, 3.3): its PrimeCell/peripheral IDs, a counter that advances
 * once a second and takes a load, and the match interrupt on its SPI,
 * raised when the counter reaches RTCMR, masked by RTCIMSC and cleared by
 * RTCICR.
 */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/gic.h"
#include "arm/io.h"
#include "arm/timer.h"

#define RTCDR		0x000	/* data: the count, seconds */
#define RTCMR		0x004	/* match */
#define RTCLR		0x008	/* load */
#define RTCCR		0x00c	/* control: bit 0 start */
#define RTCIMSC		0x010	/* interrupt mask set/clear */
#define RTCRIS		0x014	/* raw interrupt status */
#define RTCMIS		0x018	/* masked interrupt status */
#define RTCICR		0x01c	/* interrupt clear */
#define RTC_PERIPHID0	0xfe0
#define RTC_PCELLID0	0xff0

/* TRM 3.3.10: part 0x031, designer 0x41; RTCPeriphID2[7:4] is the
 * revision, which varies, so only its low nibble is compared */
static const u8 periph_id[4] = { 0x31, 0x10, 0x04, 0x00 };
static const u8 periph_mask[4] = { 0xff, 0xff, 0x0f, 0xff };
static const u8 pcell_id[4] = { 0x0d, 0xf0, 0x05, 0xb1 };	/* TRM 3.3.11 */

static u8 *rtc;
static int intid;
static volatile int irqs, irq_intid;
static volatile u32 mis_in_irq;

static void irq_handler(struct pt_regs *regs, const struct exc_info *info)
{
	u32 iar = gic_read_iar();

	(void)regs;
	(void)info;
	if (gic_iar_intid(iar) == GIC_SPURIOUS)
		return;
	irq_intid = gic_iar_intid(iar);
	mis_in_irq = readl(rtc + RTCMIS);
	writel(1, rtc + RTCICR);
	gic_write_eoir(iar);
	irqs++;
}

static void test_ids(void)
{
	bool ok = true;

	for (int i = 0; i < 4; i++) {
		u32 p = readl(rtc + RTC_PERIPHID0 + 4 * i) & 0xff;
		u32 c = readl(rtc + RTC_PCELLID0 + 4 * i) & 0xff;

		if ((p & periph_mask[i]) != periph_id[i] || c != pcell_id[i]) {
			report_fail("ID byte %d: periph %#x (want %#x under "
				    "mask %#x), PrimeCell %#x (want %#x; "
				    "DDI 0224 3.3)", i, p,
				    periph_id[i], periph_mask[i], c,
				    pcell_id[i]);
			ok = false;
		}
	}
	if (ok)
		report_pass("RTCPeriphID0-3 and RTCPCellID0-3 are the PL031's");
}

static void test_counter(void)
{
	u32 start, now;
	u64 end;

	report(readl(rtc + RTCCR) & 1, "RTCCR.RTCStart: the counter runs "
	       "(got %#x; DDI 0224 3.3, RTCCR)", readl(rtc + RTCCR));
	writel(1000, rtc + RTCLR);
	now = readl(rtc + RTCDR);
	report(now == 1000 || now == 1001, "RTCLR load shows in RTCDR (got "
	       "%u, want 1000; DDI 0224 3.3, RTCLR)", now);
	start = now;
	end = timer_now_us() + 3 * 1000 * 1000;
	while ((now = readl(rtc + RTCDR)) == start && timer_now_us() < end)
		;
	report(now == start + 1, "RTCDR advances by one (got %u after %u; "
	       "1 Hz, DDI 0224 3.3, RTCDR)", now, start);
}

static void test_match_irq(void)
{
	u32 now;

	if (intid < 0) {
		report_skip("no interrupts property on the pl031 node");
		return;
	}
	if (!gic_init()) {
		report_skip("no GIC in the device tree");
		return;
	}
	install_irq_handler(irq_handler);
	gic_enable_defaults();
	gic_enable_irq(intid);
	writel(1, rtc + RTCICR);
	writel(1, rtc + RTCIMSC);
	now = readl(rtc + RTCDR);
	writel(now + 1, rtc + RTCMR);
	local_irq_enable();
	wait_flag(&irqs, 3 * 1000 * 1000);
	local_irq_disable();
	report(irqs == 1 && irq_intid == intid && (mis_in_irq & 1),
	       "match raises the DT's SPI (taken %d, INTID %d, want %d; RTCMIS "
	       "%#x; DDI 0224 3.3, RTCMR and RTCMIS)", irqs, irq_intid, intid,
	       mis_in_irq);
	report(!(readl(rtc + RTCRIS) & 1), "RTCICR clears the raw status "
	       "(RTCRIS %#x; DDI 0224 3.3, RTCICR)", readl(rtc + RTCRIS));

	/* masked: raw status only */
	writel(0, rtc + RTCIMSC);
	irqs = 0;
	now = readl(rtc + RTCDR);
	writel(now + 1, rtc + RTCMR);
	local_irq_enable();
	udelay(1200 * 1000);
	while (readl(rtc + RTCDR) < now + 1)
		;
	local_irq_disable();
	report(irqs == 0 && (readl(rtc + RTCRIS) & 1) &&
	       !(readl(rtc + RTCMIS) & 1), "with RTCIMSC clear the match sets "
	       "RTCRIS only (taken %d, RIS %#x, MIS %#x; DDI 0224 3.3, "
	       "RTCIMSC)", irqs,
	       readl(rtc + RTCRIS), readl(rtc + RTCMIS));
	writel(1, rtc + RTCICR);
}

int main(void)
{
	int node = dt_find_compatible("arm,pl031");
	struct dt_reg reg;

	report_prefix_push("pl031");
	if (node < 0 || dt_get_reg(node, 0, &reg)) {
		report_skip("no arm,pl031 node in the device tree");
		return report_summary();
	}
	rtc = ioremap(reg.addr, reg.size);
	intid = dt_irq_intid(node, 0);
	test_ids();
	test_counter();
	test_match_irq();
	return report_summary();
}
