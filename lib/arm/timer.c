// SPDX-License-Identifier: GPL-2.0-only
/* Generic-timer time base and PPIs (Arm ARM, the Generic Timer). */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/gic.h"
#include "arm/sysreg.h"
#include "arm/timer.h"

/* index in the timer node's interrupts (Linux arm,arch_timer binding) */
#define TIMER_IRQ_PHYS_NS	1
#define TIMER_IRQ_VIRT		2

u64 timer_freq(void)
{
	return cntfrq_read();
}

u64 timer_us_to_ticks(u64 us)
{
	return us * timer_freq() / 1000000;
}

u64 timer_now_us(void)
{
	u64 f = timer_freq();
	u64 t = cntvct_read();

	return t / f * 1000000 + t % f * 1000000 / f;
}

void udelay(u64 us)
{
	u64 end = cntvct_read() + timer_us_to_ticks(us);

	while (cntvct_read() < end)
		;
}

int timer_intid(enum timer_which which)
{
	int node = dt_find_compatible("arm,armv8-timer");

	if (node < 0)
		node = dt_find_compatible("arm,armv7-timer");
	if (node < 0)
		return -1;
	return dt_irq_intid(node, which == TIMER_VIRT ? TIMER_IRQ_VIRT :
							TIMER_IRQ_PHYS_NS);
}

bool wait_flag(volatile int *flag, u64 us)
{
	u64 end = cntvct_read() + timer_us_to_ticks(us);

	while (!*flag) {
		if (cntvct_read() > end)
			return false;
	}
	return true;
}
