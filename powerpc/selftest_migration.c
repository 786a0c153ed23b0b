/*
 * Self-test of live migration on pseries: the guest asks the launcher to
 * migrate it several times (lib/migrate.h) and checks after each hop that
 * it runs on with its memory, its MSR and the SPRs the OS owns (SPRG0-3,
 * Power ISA v3.0B Book III, "Software-use SPRs"), the timebase still
 * counting forward (Book II, "Time Base": monotonic), and a second CPU
 * that kept counting while it moved.
 *
 * test_args:
 *   count=<n>  migrations to ask for (default 3)
 *   skip       ask for none: migrate_skip()
 *   drop       on the destination only, change what the test compares,
 *              as if the migration had lost it: those checks must FAIL
 */
#include "libcflat.h"
#include "migrate.h"
#include "powerpc/processor.h"
#include "powerpc/smp.h"

#define PATTERN_WORDS	1024
#define SEED		0x9e3779b97f4a7c15UL

struct snapshot {
	u64 msr, sprg[4], tb;
};

static u64 pattern[PATTERN_WORDS];
static volatile u64 cpu1_ticks;
static volatile bool cpu1_stop;
static bool drop;

static u64 word_at(unsigned int i, unsigned int hop)
{
	return (SEED * (i + 1)) ^ ((u64)hop << 48);
}

static void fill(unsigned int hop)
{
	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = word_at(i, hop);
}

/* The first word that differs, or PATTERN_WORDS. */
static unsigned int first_bad(unsigned int hop)
{
	for (unsigned int i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != word_at(i, hop))
			return i;
	return PATTERN_WORDS;
}

static void take(struct snapshot *s)
{
	s->msr = mfmsr();
	s->sprg[0] = mfspr(SPR_SPRG0);
	s->sprg[1] = mfspr(SPR_SPRG1);
	s->sprg[2] = mfspr(SPR_SPRG2);
	s->sprg[3] = mfspr(SPR_SPRG3);
	s->tb = get_tb();
}

static void cpu1_count(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&cpu1_stop, __ATOMIC_RELAXED))
		__atomic_store_n(&cpu1_ticks, cpu1_ticks + 1,
				 __ATOMIC_RELAXED);
}

static void hop(unsigned int n)
{
	struct snapshot before, after;
	unsigned int bad, i;
	u64 ticks;

	report_prefix_pushf("hop %u", n);
	fill(n);
	/* values with bits in both halves, different per hop */
	mtspr(SPR_SPRG0, word_at(100, n));
	mtspr(SPR_SPRG1, word_at(101, n));
	mtspr(SPR_SPRG2, word_at(102, n));
	mtspr(SPR_SPRG3, word_at(103, n));
	take(&before);
	migrate();
	/* CPU 1's count as the destination starts: it must move on */
	ticks = cpu1_ticks;
	if (drop) {
		/* what a migration that lost state would leave behind */
		pattern[PATTERN_WORDS / 2] ^= 1;
		mtspr(SPR_SPRG1, before.sprg[1] ^ 0x100);
		ticks = ~0UL;
	}
	take(&after);
	report(migrate_count() == n, "migrations seen by the guest (got %u, "
	       "want %u)", migrate_count(), n);
	bad = first_bad(n);
	if (bad < PATTERN_WORDS)
		report_fail("memory pattern: word %u of %u (got %#lx, want "
			    "%#lx)", bad, PATTERN_WORDS,
			    (unsigned long)pattern[bad],
			    (unsigned long)word_at(bad, n));
	else
		report_pass("memory pattern: all %u words as written",
			    PATTERN_WORDS);
	report(after.msr == before.msr, "MSR (got %#lx, want %#lx)",
	       (unsigned long)after.msr, (unsigned long)before.msr);
	for (i = 0; i < 4; i++)
		report(after.sprg[i] == before.sprg[i], "SPRG%u (got %#lx, "
		       "want %#lx)", i, (unsigned long)after.sprg[i],
		       (unsigned long)before.sprg[i]);
	report(after.tb > before.tb, "timebase moved forward (got %#lx, "
	       "want > %#lx)", (unsigned long)after.tb,
	       (unsigned long)before.tb);
	if (nr_cpus > 1) {
		u64 t0 = get_tb();

		/* it counts on the destination: CPU 1 moved and runs */
		while (cpu1_ticks <= ticks && get_tb() - t0 < 10 * tb_hz)
			cpu_relax();
		report(cpu1_ticks > ticks, "CPU 1 keeps counting on the "
		       "destination (got %lu, want > %lu, its count when the "
		       "migration returned)", (unsigned long)cpu1_ticks,
		       (unsigned long)ticks);
	}
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	unsigned int count = 3;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "count=", 6)) {
			count = (unsigned int)strtoul(argv[i] + 6, NULL, 0);
		} else if (!strcmp(argv[i], "skip")) {
			migrate_skip("selftest-migration asked with 'skip'");
			report_skip("migration skipped on purpose (test_args "
				    "skip): nothing to check");
			return report_summary();
		} else if (!strcmp(argv[i], "drop")) {
			drop = true;
		} else {
			report_fail("unknown argument '%s'", argv[i]);
			return report_summary();
		}
	}
	report_prefix_push("migration");
	if (nr_cpus > 1)
		on_cpu_async(1, cpu1_count, NULL);
	for (unsigned int n = 1; n <= count; n++)
		hop(n);
	__atomic_store_n(&cpu1_stop, true, __ATOMIC_RELAXED);
	if (nr_cpus > 1)
		on_cpu_wait(1);
	report_prefix_pop();
	return report_summary();
}
