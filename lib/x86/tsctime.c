/*
 * TSC time for timer device tests (see tsctime.h).
 */
#include "libcflat.h"
#include "x86/pmtimer.h"
#include "x86/processor.h"
#include "x86/tsctime.h"

u64 tsc_hz = TSCTIME_HZ_GUESS;
bool tsc_timed;

bool tsc_time_init(void)
{
	u16 pm = pmtimer_port();
	u64 hz = pm ? pmtimer_tsc_hz(pm, TSCTIME_CALIBRATE_MS) : 0;

	tsc_timed = hz != 0;
	tsc_hz = tsc_timed ? hz : TSCTIME_HZ_GUESS;
	return tsc_timed;
}

u64 us_to_tsc(u64 us)
{
	return tsc_hz * us / TSCTIME_SECOND_US;
}

u64 tsc_to_us(u64 cycles)
{
	return cycles * TSCTIME_SECOND_US / tsc_hz;
}

void delay_us(u64 us)
{
	u64 start = rdtsc(), cycles = us_to_tsc(us);

	while (rdtsc() - start < cycles)
		pause();
}
