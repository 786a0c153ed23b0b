/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic timer as a time base (Arm ARM, the Generic Timer): the virtual counter,
 * its frequency from CNTFRQ, and the timers' PPIs from the device tree's
 * "arm,armv8-timer" / "arm,armv7-timer" node (interrupts: secure physical,
 * non-secure physical, virtual, hypervisor).
 */
#ifndef ARM_TIMER_H
#define ARM_TIMER_H

#include "libcflat.h"

enum timer_which { TIMER_PHYS, TIMER_VIRT };

u64 timer_freq(void);
u64 timer_us_to_ticks(u64 us);
/* Microseconds on the virtual counter since an arbitrary origin. */
u64 timer_now_us(void);
void udelay(u64 us);
/* The timer's PPI INTID from the device tree, or -1. */
int timer_intid(enum timer_which which);

/* Wait up to @us for *@flag to become nonzero (IRQs as they are). */
bool wait_flag(volatile int *flag, u64 us);

#endif
