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
#include "memtest.h"
#include "migrate.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define RING_WORDS	(1u << 17)	/* 1 MiB of u64 */
#define KEEP_FREE	(4 * MiB)	/* heap left for the runtime */

int main(int argc, char **argv)
{
	bool drop = argc > 1 && !strcmp(argv[1], "drop");
	struct memtest_ring ring = { .n = RING_WORDS };
	size_t bytes, words;
	u64 *mem, seq_before, seq_after;

	report_prefix_push("migration-memory");
	if (nr_cpus < 2) {
		migrate_skip("migration-memory needs a second CPU to write "
			     "during the migration");
		report_skip("needs a second CPU to write during the migration "
			    "(smp = %d)", (int)nr_cpus);
		return report_summary();
	}
	ring.words = calloc(RING_WORDS, sizeof(u64));
	assert(ring.words);
	bytes = heap_free_bytes();
	bytes = bytes > KEEP_FREE ? bytes - KEEP_FREE : 0;
	mem = malloc(bytes);
	assert(mem);
	words = bytes / sizeof(u64);
	memtest_fill(mem, words);
	report_info("pattern over %lu MiB at %p", (unsigned long)(bytes / MiB),
		    (void *)mem);

	on_cpu_async(1, memtest_ring_writer, &ring);
	/* the ring has wrapped: every word holds a written value */
	while (ring.seq < 2 * RING_WORDS)
		pause();
	seq_before = ring.seq;
	migrate();
	seq_after = ring.seq;
	ring.stop = true;
	wait_cpu_idle(1);
	if (drop)
		mem[words / 3] ^= 1ull << 40;

	report(seq_after > seq_before, "CPU 1 wrote on during the migration "
	       "(got sequence %llu after, want > %llu)",
	       (unsigned long long)seq_after, (unsigned long long)seq_before);
	memtest_check(mem, words, "of pattern, written before the migration, "
		      "read after it");
	memtest_ring_check(&ring);
	report_prefix_pop();
	return report_summary();
}
