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
 *
 * The test is lib/memtest.c's memtest_migration(); this file gives it the
 * arch's way to run work on CPU 1 and to wait for it.
 */
#include "libcflat.h"
#include "memtest.h"
#include "powerpc/smp.h"

#define RING_WORDS	(1u << 17)	/* 1 MiB of u64 */
#define KEEP_FREE	(4 * MiB)	/* heap left for the runtime */

static void start_cpu1(struct memtest_ring *ring)
{
	on_cpu_async(1, memtest_ring_writer, ring);
}

static void wait_cpu1(void)
{
	on_cpu_wait(1);
}

int main(int argc, char **argv)
{
	return memtest_migration(argc > 1 && !strcmp(argv[1], "drop"),
				 (unsigned)nr_cpus, KEEP_FREE, RING_WORDS, start_cpu1,
				 wait_cpu1);
}
