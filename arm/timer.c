// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic timer's EL1 physical and virtual timers (Arm ARM,
 * CNTP_CTL_EL0 / CNTV_CTL_EL0 and their CVAL/TVAL; AArch32 CNTP_CTL /
 * CNTV_CTL): the
 * compare value fires the DT's PPI no earlier than it should and within a
 * generous bound, IMASK masks it without hiding ISTATUS, TVAL is the signed
 * distance to CVAL, and a disabled timer stays quiet; with "smp", on every
 * CPU.
 */
#include "libcflat.h"
#include "arm/gic.h"
#include "arm/smp.h"
#include "arm/sysreg.h"
#include "arm/timer.h"

#ifdef __aarch64__
#define SECT_TIMER	"Arm ARM, CNTP/CNTV_CTL_EL0, CVAL, TVAL"
#else
#define SECT_TIMER	"Arm ARM, AArch32 CNTP/CNTV_CTL, CVAL, TVAL"
#endif

#define WAIT_US		(5 * 1000 * 1000)
#define QUIET_US	(20 * 1000)

struct timer {
	const char *name;
	enum timer_which which;
	u64 (*count)(void);
	u32 (*ctl_read)(void);
	void (*ctl_write)(u32);
	u64 (*cval_read)(void);
	void (*cval_write)(u64);
	s32 (*tval_read)(void);
	void (*tval_write)(s32);
	int intid;
};

static struct timer timers[] = {
	{ "vtimer", TIMER_VIRT, cntvct_read, cntv_ctl_read, cntv_ctl_write,
	  cntv_cval_read, cntv_cval_write, cntv_tval_read, cntv_tval_write, -1 },
	{ "ptimer", TIMER_PHYS, cntpct_read, cntp_ctl_read, cntp_ctl_write,
	  cntp_cval_read, cntp_cval_write, cntp_tval_read, cntp_tval_write, -1 },
};

static struct timer *current;
static volatile int fired, fired_intid;
static volatile u64 fired_count;
static volatile u32 fired_ctl;

static void irq_handler(struct pt_regs *regs, const struct exc_info *info)
{
	u32 iar = gic_read_iar();
	unsigned intid = gic_iar_intid(iar);

	(void)regs;
	(void)info;
	if (intid == GIC_SPURIOUS)
		return;
	fired_count = current->count();
	fired_ctl = current->ctl_read();
	/* masking drops the level-sensitive output before the EOI */
	current->ctl_write(fired_ctl | CNT_CTL_IMASK);
	fired_intid = intid;
	gic_write_eoir(iar);
	fired++;
}

static bool quiet_for(u64 us)
{
	udelay(us);
	return !fired;
}

static void test_timer(struct timer *t)
{
	u64 now, cval, far, ticks = timer_us_to_ticks(2000);
	s32 tval;
	u32 ctl;

	current = t;
	report_prefix_push(t->name);
	t->intid = timer_intid(t->which);
	if (t->intid < 0) {
		report_skip("no PPI for it in the device tree's timer node");
		report_prefix_pop();
		return;
	}
	t->ctl_write(0);
	gic_enable_irq(t->intid);
	fired = 0;
	local_irq_enable();

	/* ISTATUS is set once the condition holds, IMASK or not */
	t->cval_write(t->count() - 1);
	t->ctl_write(CNT_CTL_ENABLE | CNT_CTL_IMASK);
	ctl = t->ctl_read();
	report(ctl & CNT_CTL_ISTATUS, "ISTATUS with CVAL in the past and "
	       "IMASK set (CTL %#x; %s)", ctl, SECT_TIMER);
	report(quiet_for(QUIET_US) && !gic_irq_pending(t->intid),
	       "IMASK keeps the PPI from being pending or taken (taken %d, "
	       "pending %d; %s)", fired, gic_irq_pending(t->intid),
	       SECT_TIMER);

	/* TVAL = CVAL - count, signed 32 bits (CNTV_TVAL_EL0); 10 s of ticks, so
	 * a vCPU held off by a loaded host cannot cross it */
	far = MIN(timer_freq() * 10, (u64)INT32_MAX / 2);
	now = t->count();
	t->cval_write(now + far);
	tval = t->tval_read();
	report(tval > 0 && tval <= (s64)far, "TVAL with CVAL %llu ahead (got "
	       "%d, want (0, %llu]; %s)", (unsigned long long)far, tval,
	       (unsigned long long)far, SECT_TIMER);
	t->cval_write(t->count() - far);
	tval = t->tval_read();
	report(tval <= -(s64)far, "TVAL with CVAL %llu behind is negative "
	       "(got %d, want <= -%llu; %s)", (unsigned long long)far, tval,
	       (unsigned long long)far, SECT_TIMER);
	now = t->count();
	t->tval_write(far);
	cval = t->cval_read();
	report(cval >= now + far && cval <= t->count() + far,
	       "a TVAL write sets CVAL to count + TVAL (got %#llx, count "
	       "was %#llx; %s)", (unsigned long long)cval,
	       (unsigned long long)now, SECT_TIMER);

	/* the interrupt, not before CVAL */
	t->ctl_write(0);
	fired = 0;
	cval = t->count() + ticks;
	t->cval_write(cval);
	t->ctl_write(CNT_CTL_ENABLE);
	report(wait_flag(&fired, WAIT_US) && fired_intid == t->intid,
	       "fires its PPI (taken %d, INTID %d, want %d from the DT; %s)",
	       fired, fired_intid, t->intid, SECT_TIMER);
	report(fired && fired_count >= cval, "not before CVAL (count %#llx, "
	       "CVAL %#llx; %s)", (unsigned long long)fired_count,
	       (unsigned long long)cval, SECT_TIMER);
	report(fired && (fired_ctl & CNT_CTL_ISTATUS), "ISTATUS set in the "
	       "handler (CTL %#x; %s)", fired_ctl, SECT_TIMER);

	/* disabled: no interrupt whatever CVAL says */
	t->ctl_write(0);
	fired = 0;
	t->cval_write(t->count() - 1);
	report(quiet_for(QUIET_US), "ENABLE clear: no interrupt (taken %d; "
	       "%s)", fired, SECT_TIMER);

	local_irq_disable();
	t->ctl_write(0);
	report_prefix_pop();
}

/* Each CPU has its own timers and its own copy of their PPIs (Arm ARM,
 * the Generic Timer; IHI 0069H, PPIs): the same checks on every CPU in turn. */
static void timers_on_this_cpu(void *arg)
{
	(void)arg;
	report_prefix_pushf("cpu %u", smp_id());
	for (unsigned i = 0; i < ARRAY_SIZE(timers); i++)
		test_timer(&timers[i]);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	report_prefix_push("timer");
	report_info("CNTFRQ %llu Hz", (unsigned long long)timer_freq());
	report(timer_freq() != 0, "CNTFRQ is set (got %llu; firmware "
	       "programs it, %s)", (unsigned long long)timer_freq(),
	       SECT_TIMER);
	if (!gic_init()) {
		report_skip("no GIC in the device tree");
		return report_summary();
	}
	install_irq_handler(irq_handler);
	gic_enable_defaults();
	if (argc > 1 && !strcmp(argv[1], "smp")) {
		for (unsigned c = 0; c < nr_cpus; c++)
			on_cpu(c, timers_on_this_cpu, NULL);
		return report_summary();
	}
	for (unsigned i = 0; i < ARRAY_SIZE(timers); i++)
		test_timer(&timers[i]);
	return report_summary();
}
