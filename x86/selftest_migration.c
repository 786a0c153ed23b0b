/*
 * Self-test of live migration: the guest asks the launcher to migrate it
 * several times (lib/migrate.h) and checks after each hop that it runs on,
 * with its memory, its control and descriptor-table registers, and a
 * second CPU that kept counting while it moved.
 *
 * test_args:
 *   count=<n>  migrations to ask for (default 3)
 *   skip       ask for none: migrate_skip() (the migration-skip entry)
 *   drop       on the destination only, change what the test compares,
 *              as if the migration had lost it: every check must FAIL
 */
#include "libcflat.h"
#include "migrate.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define PATTERN_WORDS	1024
#define SEED		0x9e3779b97f4a7c15ull

struct dt_reg {
	u16 limit;
	unsigned long base;
} __packed;

struct snapshot {
	unsigned long cr0, cr3, cr4;
	struct dt_reg gdt, idt;
	u16 tr;
};

static u64 pattern[PATTERN_WORDS];
static volatile u64 ap_ticks;
static volatile bool ap_stop;
static bool drop;

static u64 word_at(unsigned i, unsigned hop)
{
	return (SEED * (i + 1)) ^ ((u64)hop << 48);
}

static void fill(unsigned hop)
{
	for (unsigned i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = word_at(i, hop);
}

/* The first word that differs, or PATTERN_WORDS. */
static unsigned first_bad(unsigned hop)
{
	for (unsigned i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != word_at(i, hop))
			return i;
	return PATTERN_WORDS;
}

static void take(struct snapshot *s)
{
	s->cr0 = read_cr0();
	s->cr3 = read_cr3();
	s->cr4 = read_cr4();
	asm volatile("sgdt %0" : "=m"(s->gdt));
	asm volatile("sidt %0" : "=m"(s->idt));
	asm volatile("str %0" : "=m"(s->tr));
}

static void ap_count(void *arg)
{
	(void)arg;
	while (!READ_ONCE(ap_stop))
		WRITE_ONCE(ap_ticks, ap_ticks + 1);
}

static void hop(unsigned n)
{
	struct snapshot before, after;
	u64 ticks;
	unsigned bad;

	report_prefix_pushf("hop %u", n);
	fill(n);
	take(&before);
	ticks = READ_ONCE(ap_ticks);
	migrate();
	if (drop) {
		/* what a migration that lost state would leave behind */
		pattern[PATTERN_WORDS / 2] ^= 1;
		before.cr3 ^= 0x1000;
		before.gdt.base ^= 8;
		ticks = ~0ull;
	}
	take(&after);
	report(migrate_count() == n, "migrations seen by the guest (got %u, want %u)",
	       migrate_count(), n);
	bad = first_bad(n);
	if (bad < PATTERN_WORDS)
		report_fail("memory pattern: word %u of %u (got %#llx, want %#llx)",
			    bad, PATTERN_WORDS, (unsigned long long)pattern[bad],
			    (unsigned long long)word_at(bad, n));
	else
		report_pass("memory pattern: all %u words as written", PATTERN_WORDS);
	report(after.cr0 == before.cr0, "CR0 (got %#lx, want %#lx)", after.cr0, before.cr0);
	report(after.cr3 == before.cr3, "CR3 (got %#lx, want %#lx)", after.cr3, before.cr3);
	report(after.cr4 == before.cr4, "CR4 (got %#lx, want %#lx)", after.cr4, before.cr4);
	report(after.gdt.base == before.gdt.base && after.gdt.limit == before.gdt.limit,
	       "GDTR (got %#lx/%#x, want %#lx/%#x)", after.gdt.base, after.gdt.limit,
	       before.gdt.base, before.gdt.limit);
	report(after.idt.base == before.idt.base && after.idt.limit == before.idt.limit,
	       "IDTR (got %#lx/%#x, want %#lx/%#x)", after.idt.base, after.idt.limit,
	       before.idt.base, before.idt.limit);
	report(after.tr == before.tr, "TR (got %#x, want %#x)", after.tr, before.tr);
	if (nr_cpus > 1) {
		u64 start = READ_ONCE(ap_ticks), spins = 0;

		/* it counts on the destination: the AP moved and runs */
		while (READ_ONCE(ap_ticks) == start && ++spins < (1ull << 32))
			pause();
		report(READ_ONCE(ap_ticks) > ticks,
		       "CPU 1 keeps counting on the destination (got %llu, want > %llu)",
		       (unsigned long long)READ_ONCE(ap_ticks),
		       (unsigned long long)ticks);
	}
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	unsigned count = 3;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "count=", 6)) {
			count = (unsigned)strtoul(argv[i] + 6, NULL, 0);
		} else if (!strcmp(argv[i], "skip")) {
			migrate_skip("selftest-migration asked with 'skip'");
			report_skip("migration skipped on purpose (test_args "
				    "skip): no state to check");
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
		on_cpu_async(1, ap_count, NULL);
	for (unsigned n = 1; n <= count; n++)
		hop(n);
	WRITE_ONCE(ap_stop, true);
	if (nr_cpus > 1)
		wait_cpu_idle(1);
	report_prefix_pop();
	return report_summary();
}
