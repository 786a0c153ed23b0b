/*
 * Most of RAM, written and checked, then a sieve of Eratosthenes in it whose
 * prime counts must match pi(x): memory and the CPU's arithmetic over a
 * long run, with interrupts (a decrementer ticking every millisecond)
 * taken throughout.
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"
#include "memtest.h"

#define HEAP_RESERVE	(4ul << 20)

static volatile unsigned long ticks;
static unsigned long dec_period;

static void tick(struct pt_regs *regs, void *data)
{
	(void)regs;
	(void)data;
	ticks++;
	mtspr(SPR_DEC, dec_period);
}

int main(void)
{
	size_t bytes = heap_free_bytes();
	void *mem;

	report_prefix_push("sieve");
	assert(bytes > HEAP_RESERVE);
	bytes -= HEAP_RESERVE;
	mem = malloc(bytes);
	assert_msg(mem, "malloc(%zu) failed", bytes);

	dec_period = tb_hz / 1000;
	handle_exception(VEC_DECREMENTER, tick, NULL);
	mtspr(SPR_DEC, dec_period);
	local_irq_enable();
	memtest_pattern(mem, mem, bytes / 8, "written and read back");
	memtest_sieve(mem, bytes, 10000000, "");
	local_irq_disable();
	report(ticks > 0, "decrementer interrupts taken meanwhile: %lu", ticks);
	free(mem);
	return report_summary();
}
