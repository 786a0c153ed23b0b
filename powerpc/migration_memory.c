/*
 * Memory across a live migration: a pattern over most of RAM (the free
 * heap) written before and checked after, while a second CPU keeps
 * writing a sequence into a ring of its own, so pages are dirtied during
 * the migration's copy. After it, the ring must still read as one
 * unbroken sequence: a page the migration failed to send again after it
 * was dirtied shows as older values, a break in the sequence.
 *
 * test_args: drop   corrupt one word of the pattern on the destination
 *                   only, as a lost page would: that check must FAIL.
 */
#include "libcflat.h"
#include "migrate.h"
#include "powerpc/processor.h"
#include "powerpc/smp.h"

#define RING_WORDS	(1u << 17)	/* 1 MiB of u64 */
#define KEEP_FREE	(4 * MiB)	/* heap left for the runtime */

static u64 *ring;
static volatile u64 seq;
static volatile bool stop_writer;

static void writer(void *arg)
{
	u64 s = 0;

	(void)arg;
	while (!stop_writer) {
		ring[s % RING_WORDS] = s + 1;
		seq = ++s;
	}
}

static inline u64 pattern_at(const u64 *p)
{
	u64 a = (u64)(uintptr_t)p;

	return (a * 0x9e3779b97f4a7c15UL) ^ (a >> 7);
}

int main(int argc, char **argv)
{
	bool drop = argc > 1 && !strcmp(argv[1], "drop");
	size_t bytes, words, bad = 0, first_bad = 0, breaks = 0;
	u64 *mem, seq_before, seq_after, got_bad = 0;

	report_prefix_push("migration-memory");
	if (nr_cpus < 2) {
		migrate_skip("migration-memory needs a second CPU to write "
			     "during the migration");
		report_skip("needs a second CPU to write during the migration "
			    "(smp = %d)", nr_cpus);
		return report_summary();
	}
	ring = calloc(RING_WORDS, sizeof(u64));
	assert(ring);
	bytes = heap_free_bytes();
	bytes = bytes > KEEP_FREE ? bytes - KEEP_FREE : 0;
	mem = malloc(bytes);
	assert(mem);
	words = bytes / sizeof(u64);
	for (size_t i = 0; i < words; i++)
		mem[i] = pattern_at(&mem[i]);
	report_info("pattern over %lu MiB at %p", (unsigned long)(bytes / MiB),
		    (void *)mem);

	on_cpu_async(1, writer, NULL);
	/* the ring has wrapped: every word holds a written value */
	while (seq < 2 * RING_WORDS)
		cpu_relax();
	seq_before = seq;
	migrate();
	seq_after = seq;
	stop_writer = true;
	on_cpu_wait(1);
	if (drop)
		mem[words / 3] ^= 1UL << 40;

	report(seq_after > seq_before, "CPU 1 wrote on during the migration "
	       "(got sequence %lu after, want > %lu)",
	       (unsigned long)seq_after, (unsigned long)seq_before);
	for (size_t i = 0; i < words; i++) {
		if (mem[i] == pattern_at(&mem[i]))
			continue;
		if (!bad++) {
			first_bad = i;
			got_bad = mem[i];
		}
	}
	report(!bad, "pattern over %lu MiB intact (got %lu bad words, first "
	       "at %p: %#lx, want %#lx)", (unsigned long)(bytes / MiB),
	       (unsigned long)bad, (void *)&mem[first_bad],
	       (unsigned long)got_bad,
	       (unsigned long)(bad ? pattern_at(&mem[first_bad]) : 0));
	/* one break where the writer stopped; more: stale pages */
	for (size_t k = 0; k < RING_WORDS; k++)
		if (ring[(k + 1) % RING_WORDS] != ring[k] + 1)
			breaks++;
	report(breaks == 1, "CPU 1's ring is one unbroken sequence (got %lu "
	       "breaks, want 1)", (unsigned long)breaks);
	report_prefix_pop();
	return report_summary();
}
