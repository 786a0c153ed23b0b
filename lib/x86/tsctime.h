/*
 * Time in microseconds by the TSC, for tests of timer devices (PIT,
 * RTC, HPET): the TSC rate is measured once against the ACPI PM timer
 * (pmtimer.h), a clock independent of the devices under test. Without
 * a PM timer the rate is a guess and tsc_timed is false, so a caller
 * skips the checks that need real time.
 */
#ifndef X86_TSCTIME_H
#define X86_TSCTIME_H

#include "libcflat.h"

#define TSCTIME_SECOND_US	1000000ull
/* Assumed when there is no PM timer; timing checks are then skipped. */
#define TSCTIME_HZ_GUESS	2000000000ull
/* PM timer window the rate is measured over. */
#define TSCTIME_CALIBRATE_MS	50

/* TSC cycles per second; TSCTIME_HZ_GUESS until tsc_time_init(). */
extern u64 tsc_hz;
/* tsc_hz was measured by the PM timer. */
extern bool tsc_timed;

/* Measure tsc_hz by the PM timer; false (and the guess) without one. */
bool tsc_time_init(void);

u64 us_to_tsc(u64 us);
u64 tsc_to_us(u64 cycles);
/* Spin for @us microseconds of TSC time (the vCPU may be held off
 * longer). */
void delay_us(u64 us);

#endif
