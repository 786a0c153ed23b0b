/*
 * The runtime itself: CPUs and memory as the device tree gives them, the
 * command line, the byte order and mode we run in, and an interrupt taken
 * and returned from (Power ISA v3.0B Book III, Machine State Register; rfid).
 *
 * test_args: smp=N mem=MiB, and every other word must be exactly: arg1
 * "two words" (the launcher's quoting and the runtime's splitting, as on
 * x86); or "smp": every CPU runs, knows who it is, and takes interrupts
 * as the boot CPU does.
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"
#include "powerpc/setup.h"
#include "powerpc/smp.h"

static void check_args(int argc, char **argv)
{
	static const char *const want[] = { "arg1", "two words" };
	long want_smp = -1, want_mem = -1;
	const char *rest[8];
	size_t nrest = 0, i;
	bool same;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "smp=", 4))
			want_smp = strtol(argv[a] + 4, NULL, 0);
		else if (!strncmp(argv[a], "mem=", 4))
			want_mem = strtol(argv[a] + 4, NULL, 0);
		else if (nrest < ARRAY_SIZE(rest))
			rest[nrest++] = argv[a];
	}
	same = nrest == ARRAY_SIZE(want);
	for (i = 0; same && i < nrest; i++)
		same = !strcmp(rest[i], want[i]);
	if (!nrest)
		report_skip("no arguments besides smp=/mem= to compare");
	else
		report(same, "%lu words besides smp=/mem=, first \"%s\", last "
		       "\"%s\"; want 2: \"arg1\" \"two words\"",
		       (unsigned long)nrest, rest[0], rest[nrest - 1]);
	if (want_smp >= 0)
		report(nr_cpus == want_smp, "CPUs in the device tree (got %d, want %ld)",
		       nr_cpus, want_smp);
	else
		report_skip("no smp= in test_args");
	if (want_mem >= 0)
		report(ram_size() == (u64)want_mem * MiB,
		       "memory in the device tree (got %lu MiB, want %ld MiB)",
		       (unsigned long)(ram_size() / MiB), want_mem);
	else
		report_skip("no mem= in test_args");
	report(argc >= 1 && !strcmp(argv[0], "powerpc"),
	       "argv[0] (got \"%s\", want \"powerpc\")", argc ? argv[0] : "");
}

static void check_mode(void)
{
	u64 msr = mfmsr();
	bool le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	report(msr & MSR_SF, "64-bit mode: MSR[SF] set (MSR %#lx)",
	       (unsigned long)msr);
	report(!!(msr & MSR_LE) == le, "MSR[LE] %d matches the build's byte "
	       "order (want %d)", !!(msr & MSR_LE), le);
	report(!(msr & (MSR_IR | MSR_DR)), "real mode: MSR[IR,DR] clear "
	       "(MSR %#lx)", (unsigned long)msr);
	report(!(msr & MSR_PR), "privileged: MSR[PR] clear");
	report(!(msr & MSR_HV), "a guest: MSR[HV] clear");
	/* without the property the runtime falls back to a default */
	report(tb_hz_from_dt && tb_hz > 0, "timebase frequency from the "
	       "device tree: %lu Hz (a timebase-frequency property: %s)",
	       (unsigned long)tb_hz, tb_hz_from_dt ? "yes" : "no");
}

static void do_trap(void *arg)
{
	(void)arg;
	/* tw 31,0,0: trap unconditionally (Book I, Fixed-Point Trap Instructions) */
	__asm__ __volatile__("tw 31, 0, 0");
}

static void check_interrupt(void)
{
	struct pt_regs regs;
	u64 msr = mfmsr(), msr_after;
	int vec = run_catching(do_trap, NULL, &regs);
	bool le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	msr_after = mfmsr();

	report(vec == VEC_PROGRAM, "tw 31,0,0 raises a program interrupt "
	       "(got vector %#x, want %#x)", vec, VEC_PROGRAM);
	report(vec && (regs.msr & SRR1_PROG_TRAP),
	       "SRR1[46] (trap) set (SRR1 %#lx)", (unsigned long)regs.msr);
	report(vec && !!(regs.msr & MSR_LE) == le,
	       "interrupted MSR[LE] in SRR1 is the build's byte order");
	/* the handler returns with rfid from SRR1 unchanged: every MSR
	 * bit must be back (Book III, rfid) */
	report(msr_after == msr, "MSR after rfid is the interrupted one (got "
	       "%#lx, want %#lx)", (unsigned long)msr_after,
	       (unsigned long)msr);
}

struct cpu_seen {
	int id;
	u64 pir, msr, sp;
	int vec;
	u64 srr1;
};

static struct cpu_seen seen[NR_CPUS_MAX];

static void whoami(void *arg)
{
	struct cpu_seen *s = &seen[smp_id()];
	struct pt_regs regs;

	(void)arg;
	s->id = smp_id();
	s->pir = mfspr(SPR_PIR);
	s->msr = mfmsr();
	s->sp = (u64)(uintptr_t)__builtin_frame_address(0);
	s->vec = run_catching(do_trap, NULL, &regs);
	s->srr1 = regs.msr;
}

static void check_smp(void)
{
	bool le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	int i, j;

	report_prefix_push("smp");
	if (nr_cpus < 2) {
		report_skip("one CPU: run with smp >= 2");
		report_prefix_pop();
		return;
	}
	for (i = 0; i < nr_cpus; i++)
		seen[i].id = -1;
	on_cpus(whoami, NULL);
	for (i = 0; i < nr_cpus; i++) {
		struct cpu_seen *s = &seen[i];
		bool own_stack = true;

		report_prefix_pushf("CPU %d", i);
		report(s->id == i, "ran, smp_id() %d", s->id);
		/* PIR tells this thread from every other one in the system
		 * (Power ISA v3.0B Book III, Processor Identification
		 * Register) */
		for (j = 0; j < nr_cpus; j++)
			if (j != i && seen[j].pir == s->pir)
				break;
		report(j == nr_cpus, "PIR %lu differs from every other CPU's "
		       "(%s CPU %d's)", (unsigned long)s->pir,
		       j == nr_cpus ? "none is" : "equals", j == nr_cpus ? -1 : j);
		report((s->msr & MSR_SF) && !!(s->msr & MSR_LE) == le,
		       "64-bit, the build's byte order (MSR %#lx)",
		       (unsigned long)s->msr);
		report(s->vec == VEC_PROGRAM && !!(s->srr1 & MSR_LE) == le,
		       "takes a program interrupt in the build's byte order "
		       "(vector %#x, SRR1 %#lx)", s->vec,
		       (unsigned long)s->srr1);
		for (j = 0; j < nr_cpus; j++)
			if (j != i && seen[j].sp >> 15 == s->sp >> 15)
				own_stack = false;
		report(own_stack, "a stack of its own (sp %#lx)",
		       (unsigned long)s->sp);
		report_prefix_pop();
	}
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	report_prefix_push("selftest");
	if (argc > 1 && !strcmp(argv[1], "smp")) {
		check_smp();
		return report_summary();
	}
	check_args(argc, argv);
	check_mode();
	check_interrupt();
	return report_summary();
}
