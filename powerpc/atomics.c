/*
 * Load and reserve / store conditional (Power ISA v3.0B Book II, Load And Reserve and Store Conditional): increments by every CPU at once lose nothing, a store
 * conditional without a reservation fails and stores nothing, a store by
 * another CPU to the reserved location cancels the reservation, and a
 * misaligned lwarx/ldarx raises an alignment interrupt (Book III, Alignment Interrupt).
 *
 * test_args: migration   also: the other CPUs keep incrementing while the
 *                        guest is live-migrated (lib/migrate.h), and no
 *                        increment is lost or doubled; a reservation held
 *                        across the migration may be lost (Book II,
 *                        "Atomic Update"), but stwcx. must say truly
 *                        whether it stored
 *            drop        with migration: take one increment away on the
 *                        destination only, as a lost store would: the
 *                        count check must FAIL
 */
#include "libcflat.h"
#include "migrate.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"
#include "powerpc/smp.h"

#define ROUNDS		20000
#define PROGRESS_S	30	/* generous: a loaded host */
#define CR0_EQ		0x20000000u	/* CR bit 2: the store happened */

static u32 counter32 __aligned(128);
static u64 counter64 __aligned(128);
static u16 counter16 __aligned(128);
static u8 counter8 __aligned(128);

static void add32(void *arg)
{
	u32 old, tmp;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		__asm__ __volatile__(
			"1:	lwarx	%0, 0, %2\n"
			"	addi	%1, %0, 1\n"
			"	stwcx.	%1, 0, %2\n"
			"	bne-	1b\n"
			: "=&r"(old), "=&r"(tmp) : "r"(&counter32)
			: "cr0", "memory");
}

static void add64(void *arg)
{
	u64 old, tmp;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		__asm__ __volatile__(
			"1:	ldarx	%0, 0, %2\n"
			"	addi	%1, %0, 1\n"
			"	stdcx.	%1, 0, %2\n"
			"	bne-	1b\n"
			: "=&r"(old), "=&r"(tmp) : "r"(&counter64)
			: "cr0", "memory");
}

/* lharx/sthcx. and lbarx/stbcx. (Book II, Load And Reserve and Store Conditional, v2.06 and later) */
static void add16_8(void *arg)
{
	unsigned long old, tmp;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		__asm__ __volatile__(
			"1:	lharx	%0, 0, %2\n"
			"	addi	%1, %0, 1\n"
			"	sthcx.	%1, 0, %2\n"
			"	bne-	1b\n"
			: "=&r"(old), "=&r"(tmp) : "r"(&counter16)
			: "cr0", "memory");
		__asm__ __volatile__(
			"1:	lbarx	%0, 0, %2\n"
			"	addi	%1, %0, 1\n"
			"	stbcx.	%1, 0, %2\n"
			"	bne-	1b\n"
			: "=&r"(old), "=&r"(tmp) : "r"(&counter8)
			: "cr0", "memory");
	}
}

static void test_counts(void)
{
	u64 want = (u64)ROUNDS * nr_cpus;

	counter32 = 0;
	counter64 = 0;
	counter16 = 0;
	counter8 = 0;
	on_cpus(add32, NULL);
	report(counter32 == want, "lwarx/stwcx.: %d CPUs x %d increments "
	       "(got %u, want %lu)", nr_cpus, ROUNDS, counter32,
	       (unsigned long)want);
	on_cpus(add64, NULL);
	report(counter64 == want, "ldarx/stdcx.: %d CPUs x %d increments "
	       "(got %lu, want %lu)", nr_cpus, ROUNDS,
	       (unsigned long)counter64, (unsigned long)want);
	on_cpus(add16_8, NULL);
	report(counter16 == (u16)want && counter8 == (u8)want,
	       "lharx/sthcx. and lbarx/stbcx. (got %u and %u, want %u and "
	       "%u)", counter16, counter8, (u16)want, (u8)want);
}

/* stwcx. of @val to @p; returns CR. */
static u32 stwcx(u32 *p, u32 val)
{
	u32 cr;

	__asm__ __volatile__("stwcx. %1, 0, %2\n\tmfcr %0"
			     : "=r"(cr) : "r"(val), "r"(p) : "cr0", "memory");
	return cr;
}

static u32 lwarx(u32 *p)
{
	u32 v;

	__asm__ __volatile__("lwarx %0, 0, %1" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static void test_no_reservation(void)
{
	u32 cr;

	counter32 = 5;
	lwarx(&counter32);
	cr = stwcx(&counter32, 6);	/* uses up the reservation */
	report(cr & CR0_EQ, "stwcx. after lwarx stores (CR %#x)", cr);
	cr = stwcx(&counter32, 7);
	report(!(cr & CR0_EQ) && counter32 == 6, "a second stwcx. has no "
	       "reservation: fails (CR %#x) and stores nothing (got %u, "
	       "want 6)", cr, counter32);
}

static volatile int step;

static void poke(void *arg)
{
	(void)arg;
	while (step != 1)
		cpu_relax();
	/* a different value: a same-value store may go unnoticed by a
	 * reservation kept as a value (QEMU TCG) */
	__atomic_store_n(&counter32, 1000, __ATOMIC_SEQ_CST);
	step = 2;
}

static void test_lost_reservation(void)
{
	u32 cr;

	if (nr_cpus < 2) {
		report_skip("one CPU: run with smp >= 2");
		return;
	}
	counter32 = 10;
	step = 0;
	on_cpu_async(1, poke, NULL);
	lwarx(&counter32);
	step = 1;
	while (step != 2)
		cpu_relax();
	cr = stwcx(&counter32, 11);
	on_cpu_wait(1);
	report(!(cr & CR0_EQ) && counter32 == 1000, "a store by CPU 1 "
	       "cancels CPU 0's reservation: stwcx. fails (CR %#x), memory "
	       "keeps CPU 1's %u", cr, counter32);
}

static void misaligned_lwarx(void *arg)
{
	lwarx((u32 *)((char *)arg + 2));
}

static void misaligned_ldarx(void *arg)
{
	u64 v;

	__asm__ __volatile__("ldarx %0, 0, %1"
			     : "=r"(v) : "r"((char *)arg + 4) : "memory");
}

static void test_alignment(void)
{
	struct pt_regs regs;
	int vec;

	vec = run_catching(misaligned_lwarx, &counter64, &regs);
	report(vec == VEC_ALIGNMENT && regs.dar == (u64)(uintptr_t)&counter64 + 2,
	       "lwarx at a 2-byte offset: alignment interrupt (vector %#x, "
	       "want %#x; DAR %#lx)", vec, VEC_ALIGNMENT,
	       (unsigned long)regs.dar);
	vec = run_catching(misaligned_ldarx, &counter64, &regs);
	report(vec == VEC_ALIGNMENT && regs.dar == (u64)(uintptr_t)&counter64 + 4,
	       "ldarx at a 4-byte offset: alignment interrupt (vector %#x, "
	       "want %#x; DAR %#lx)", vec, VEC_ALIGNMENT,
	       (unsigned long)regs.dar);
}

static u32 held __aligned(128);
static volatile bool stop_adding;
static u64 added[NR_CPUS_MAX];

/* Increment both counters until told to stop; count own successes. */
static void add_until_stopped(void *arg)
{
	u64 n = 0, old, tmp;

	(void)arg;
	while (!stop_adding) {
		__asm__ __volatile__(
			"1:	lwarx	%0, 0, %2\n"
			"	addi	%1, %0, 1\n"
			"	stwcx.	%1, 0, %2\n"
			"	bne-	1b\n"
			: "=&r"(old), "=&r"(tmp) : "r"(&counter32)
			: "cr0", "memory");
		__asm__ __volatile__(
			"1:	ldarx	%0, 0, %2\n"
			"	addi	%1, %0, 1\n"
			"	stdcx.	%1, 0, %2\n"
			"	bne-	1b\n"
			: "=&r"(old), "=&r"(tmp) : "r"(&counter64)
			: "cr0", "memory");
		__atomic_store_n(&added[smp_id()], ++n, __ATOMIC_RELAXED);
	}
}

static u64 added_total(void)
{
	u64 sum = 0;

	for (int cpu = 1; cpu < nr_cpus; cpu++)
		sum += __atomic_load_n(&added[cpu], __ATOMIC_RELAXED);
	return sum;
}

static void test_migration(bool drop)
{
	u64 at_migration, want, t0;
	u32 cr;
	int cpu;

	report_prefix_push("migration");
	if (nr_cpus < 2) {
		migrate_skip("atomics-migration needs a second CPU to "
			     "increment during the migration");
		report_skip("one CPU: run with smp >= 2");
		report_prefix_pop();
		return;
	}
	counter32 = 0;
	counter64 = 0;
	stop_adding = false;
	for (cpu = 1; cpu < nr_cpus; cpu++)
		on_cpu_async(cpu, add_until_stopped, NULL);
	while (added_total() < ROUNDS)
		cpu_relax();

	held = 5;
	lwarx(&held);
	migrate();
	cr = stwcx(&held, 6);
	at_migration = added_total();
	t0 = get_tb();
	while (added_total() < at_migration + ROUNDS &&
	       get_tb() - t0 < PROGRESS_S * tb_hz)
		cpu_relax();
	stop_adding = true;
	for (cpu = 1; cpu < nr_cpus; cpu++)
		on_cpu_wait(cpu);
	if (drop)
		counter32--;
	want = added_total();
	report(want >= at_migration + ROUNDS, "the other CPUs incremented on "
	       "the destination: %lu after the migration within %d s (want "
	       ">= %d; %lu before)", (unsigned long)(want - at_migration),
	       PROGRESS_S, ROUNDS, (unsigned long)at_migration);
	report(counter32 == (u32)want, "lwarx/stwcx.: every increment "
	       "across the migration counted once (got %u, want %u)",
	       counter32, (u32)want);
	report(counter64 == want, "ldarx/stdcx.: every increment across the "
	       "migration counted once (got %lu, want %lu)",
	       (unsigned long)counter64, (unsigned long)want);
	report((cr & CR0_EQ) ? held == 6 : held == 5, "stwcx. on a "
	       "reservation taken before the migration %s (CR %#x): memory "
	       "%u (want %u)", (cr & CR0_EQ) ? "stored" : "failed", cr, held,
	       (cr & CR0_EQ) ? 6 : 5);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	bool migration = false, drop = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "migration")) {
			migration = true;
		} else if (!strcmp(argv[i], "drop")) {
			drop = true;
		} else {
			report_fail("unknown argument '%s'", argv[i]);
			return report_summary();
		}
	}
	report_prefix_push("atomics");
	test_counts();
	test_no_reservation();
	test_lost_reservation();
	test_alignment();
	if (migration)
		test_migration(drop);
	return report_summary();
}
