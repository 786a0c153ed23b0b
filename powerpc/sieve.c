/*
 * Most of RAM, written and checked, then a sieve of Eratosthenes in it whose
 * prime counts must match pi(x): memory and the CPU's arithmetic over a
 * long run, with interrupts (a decrementer ticking every millisecond)
 * taken throughout.
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"

#define HEAP_RESERVE	(4ul << 20)
#define PATTERN		0x9e3779b97f4a7c15ull

/* pi(10^k), the prime-counting function (OEIS A006880). */
static const struct {
	u32 n;
	u32 primes;
} pi[] = {
	{ 1000, 168 },
	{ 10000, 1229 },
	{ 100000, 9592 },
	{ 1000000, 78498 },
	{ 10000000, 664579 },
};

static volatile unsigned long ticks;
static unsigned long dec_period;

static void tick(struct pt_regs *regs, void *data)
{
	(void)regs;
	(void)data;
	ticks++;
	mtspr(SPR_DEC, dec_period);
}

static void test_fill(u64 *mem, size_t words)
{
	size_t i, bad = 0, first_bad = 0;

	for (i = 0; i < words; i++)
		mem[i] = i ^ PATTERN;
	for (i = 0; i < words; i++)
		if (mem[i] != (i ^ PATTERN) && !bad++)
			first_bad = i;
	report(!bad, "%zu MiB written and read back: %zu words differ (first "
	       "at word %zu)", words * 8 >> 20, bad, first_bad);
}

static void test_sieve(u8 *composite, size_t bytes)
{
	size_t n = pi[ARRAY_SIZE(pi) - 1].n, i, j;
	unsigned k = 0, count = 0;

	if (bytes < n) {
		report_skip("sieve: %zu bytes of heap, need %zu", bytes, n);
		return;
	}
	memset(composite, 0, n);
	for (i = 2; i * i < n; i++)
		if (!composite[i])
			for (j = i * i; j < n; j += i)
				composite[j] = 1;
	for (i = 2; i < n; i++) {
		count += !composite[i];
		if (i + 1 == pi[k].n) {
			report(count == pi[k].primes, "pi(%u) (got %u, want %u)",
			       pi[k].n, count, pi[k].primes);
			k++;
		}
	}
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
	test_fill(mem, bytes / 8);
	test_sieve(mem, bytes);
	local_irq_disable();
	report(ticks > 0, "decrementer interrupts taken meanwhile: %lu", ticks);
	free(mem);
	return report_summary();
}
