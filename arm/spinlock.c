// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exclusives across CPUs: every CPU increments shared counters, one under a
 * spinlock, one with an exclusive load/store loop, and none of the updates
 * is lost; CLREX clears the local monitor so the store-exclusive after it
 * fails (Arm ARM, exclusive monitors and CLREX; DDI 0406C,
 * synchronization and semaphores).
 */
#include "libcflat.h"
#include "arm/smp.h"

#ifdef __aarch64__
#define SECT_EXCL	"Arm ARM, exclusive monitors"
#define SECT_CLREX	"Arm ARM, exclusive monitors, CLREX"
#else
#define SECT_EXCL	"DDI 0406C, synchronization and semaphores"
#define SECT_CLREX	"DDI 0406C, CLREX"
#endif

#define ROUNDS		20000

static struct spinlock lock;
static volatile unsigned long locked_count, excl_count;
static volatile int go;

static unsigned long excl_add(volatile unsigned long *p)
{
	unsigned long v;
	unsigned int fail;

#ifdef __aarch64__
	__asm__ __volatile__("1: ldxr %0, [%2]\n\tadd %0, %0, #1\n\t"
			     "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
			     : "=&r"(v), "=&r"(fail) : "r"(p) : "memory");
#else
	__asm__ __volatile__("1: ldrex %0, [%2]\n\tadd %0, %0, #1\n\t"
			     "strex %1, %0, [%2]\n\tcmp %1, #0\n\tbne 1b"
			     : "=&r"(v), "=&r"(fail) : "r"(p) : "cc", "memory");
#endif
	return v;
}

/* 0 if the store-exclusive after CLREX wrote, 1 if it failed. */
static unsigned int store_after_clrex(volatile unsigned long *p)
{
	unsigned long v;
	unsigned int fail;

#ifdef __aarch64__
	__asm__ __volatile__("ldxr %0, [%2]\n\tclrex\n\tstxr %w1, %0, [%2]"
			     : "=&r"(v), "=&r"(fail) : "r"(p) : "memory");
#else
	__asm__ __volatile__("ldrex %0, [%2]\n\tclrex\n\tstrex %1, %0, [%2]"
			     : "=&r"(v), "=&r"(fail) : "r"(p) : "memory");
#endif
	return fail;
}

static void hammer(void *arg)
{
	(void)arg;
	while (!go)
		;
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&lock);
		locked_count = locked_count + 1;
		spin_unlock(&lock);
		excl_add(&excl_count);
	}
}

int main(void)
{
	unsigned long want = (unsigned long)ROUNDS * nr_cpus, word = 7;
	unsigned int fail;

	report_prefix_push("spinlock");
	for (unsigned i = 1; i < nr_cpus; i++)
		on_cpu_async(i, hammer, NULL);
	go = 1;
	hammer(NULL);
	for (unsigned i = 1; i < nr_cpus; i++)
		wait_cpu_idle(i);
	report(locked_count == want, "%u CPUs x %d increments under the lock "
	       "(got %lu, want %lu; %s)", nr_cpus, ROUNDS, locked_count, want,
	       SECT_EXCL);
	report(excl_count == want, "%u CPUs x %d exclusive increments (got "
	       "%lu, want %lu; %s)", nr_cpus, ROUNDS, excl_count, want,
	       SECT_EXCL);
	fail = store_after_clrex(&word);
	report(fail == 1 && word == 7, "store-exclusive after CLREX fails "
	       "(status %u, want 1; word %lu, want 7; %s)", fail, word,
	       SECT_CLREX);
	return report_summary();
}
