/*
 * Interrupts a test can cause on purpose (Power ISA v3.0B Book III,
 * "Interrupts"): where SRR0 points, what SRR1 says, and that rfid resumes
 * the interrupted code. Program (illegal instruction, trap), system call,
 * alignment, floating-point/vector/VSX unavailable, trace, decrementer and
 * external (an IPI to oneself).
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/processor.h"
#include "powerpc/smp.h"
#include "powerpc/xics.h"

/* Primary opcode 0 with no extended meaning: illegal in every ISA version
 * (0x00000200 is attn, hypervisor-only on some implementations). */
#define ILLEGAL_INSN	0x00000000

struct caught {
	int vec;
	struct pt_regs regs;
};

/* Runs the instruction at a known address: returns that address. */
#define DEFINE_AT(name, insn)						\
	extern char name##_at[];					\
	static void name(void *arg)					\
	{								\
		(void)arg;						\
		__asm__ __volatile__(".globl " #name "_at\n"		\
				     #name "_at: " insn ::: "memory");	\
	}

DEFINE_AT(do_illegal, ".long 0x00000000")
DEFINE_AT(do_tw, "tw 31, 0, 0")
DEFINE_AT(do_tdi, "tdi 31, 0, 1")
DEFINE_AT(do_sc, "sc")
DEFINE_AT(do_fp, "fmr 0, 0")
DEFINE_AT(do_vec, "vor 0, 0, 0")
DEFINE_AT(do_vsx, "xxlor 0, 0, 0")

static void check(const char *what, void (*fn)(void *), char *at, int want,
		  u64 srr1_bits, long nip_off)
{
	struct pt_regs regs;
	int vec = run_catching(fn, NULL, &regs);
	u64 want_nip = (u64)(uintptr_t)at + nip_off;

	report(vec == want, "%s: vector %#x (want %#x, %s)", what, vec, want,
	       want ? exception_name(want) : "none");
	if (vec != want || !want)
		return;
	report(regs.nip == want_nip, "%s: SRR0 %#lx (want %#lx)", what,
	       (unsigned long)regs.nip, (unsigned long)want_nip);
	if (srr1_bits)
		report((regs.msr & srr1_bits) == srr1_bits, "%s: SRR1 %#lx has "
		       "%#lx", what, (unsigned long)regs.msr,
		       (unsigned long)srr1_bits);
}

static u64 aligned_word __aligned(16);

/* lwarx with EA not a multiple of 4 (Book II, lwarx; Book III, Alignment
 * Interrupt) */
extern char do_lwarx_at[];
static void do_lwarx(void *arg)
{
	u32 v;

	(void)arg;
	__asm__ __volatile__(".globl do_lwarx_at\ndo_lwarx_at: lwarx %0, 0, %1"
			     : "=r"(v) : "r"((char *)&aligned_word + 1)
			     : "memory");
}

static void test_alignment(void)
{
	struct pt_regs regs;
	int vec;

	check("lwarx at EA+1", do_lwarx, do_lwarx_at, VEC_ALIGNMENT, 0, 0);
	vec = run_catching(do_lwarx, NULL, &regs);
	report(vec == VEC_ALIGNMENT &&
	       regs.dar == (u64)(uintptr_t)&aligned_word + 1,
	       "lwarx at EA+1: DAR %#lx is the EA (want %p)",
	       (unsigned long)regs.dar, (char *)&aligned_word + 1);
}

static void test_program(void)
{
	check("illegal instruction", do_illegal, do_illegal_at, VEC_PROGRAM,
	      SRR1_PROG_ILLEGAL, 0);
	check("tw 31,0,0", do_tw, do_tw_at, VEC_PROGRAM, SRR1_PROG_TRAP, 0);
	check("tdi 31,0,1", do_tdi, do_tdi_at, VEC_PROGRAM, SRR1_PROG_TRAP, 0);
}

static void test_syscall(void)
{
	u64 msr = mfmsr();
	struct pt_regs regs;
	int vec;

	/* SRR0 is the instruction after sc; SRR1 the MSR sc ran with */
	check("sc", do_sc, do_sc_at, VEC_SYSCALL, 0, 4);
	vec = run_catching(do_sc, NULL, &regs);
	report(vec == VEC_SYSCALL && (regs.msr & (MSR_SF | MSR_LE | MSR_FP)) ==
	       (msr & (MSR_SF | MSR_LE | MSR_FP)), "sc: SRR1 %#lx keeps "
	       "MSR[SF,LE,FP] of %#lx", (unsigned long)regs.msr,
	       (unsigned long)msr);
}

static void test_unavailable(void)
{
	u64 msr = mfmsr();

	mtmsr(msr & ~MSR_FP);
	check("fmr with MSR[FP]=0", do_fp, do_fp_at, VEC_FP_UNAVAILABLE, 0, 0);
	mtmsr(msr & ~MSR_VEC);
	check("vor with MSR[VEC]=0", do_vec, do_vec_at, VEC_VEC_UNAVAILABLE,
	      0, 0);
	mtmsr(msr & ~MSR_VSX);
	check("xxlor with MSR[VSX]=0", do_vsx, do_vsx_at, VEC_VSX_UNAVAILABLE,
	      0, 0);
	mtmsr(msr);
	check("fmr with MSR[FP]=1", do_fp, do_fp_at, 0, 0, 0);
}

static volatile int traced;
static volatile u64 trace_nip[4];

static void trace_handler(struct pt_regs *regs, void *data)
{
	(void)data;
	if (traced < 4)
		trace_nip[traced] = regs->nip;
	traced++;
	if (traced >= 3)
		regs->msr &= ~MSR_SE;
}

extern char trace_start[], trace_1[], trace_2[], trace_3[];

static void test_trace(void)
{
	u64 msr = mfmsr();

	handle_exception(VEC_TRACE, trace_handler, NULL);
	traced = 0;
	/* mtmsrd takes effect with the next instruction; each one after it
	 * completes, then traces with SRR0 at the next (Book III, Trace
	 * Interrupt) */
	__asm__ __volatile__(
		"	mtmsrd	%0\n"
		".globl trace_start\ntrace_start:\n"
		"	nop\n"
		".globl trace_1\ntrace_1:\n"
		"	nop\n"
		".globl trace_2\ntrace_2:\n"
		"	nop\n"
		".globl trace_3\ntrace_3:\n"
		"	nop\n"
		:: "r"(msr | MSR_SE) : "memory");
	handle_exception(VEC_TRACE, NULL, NULL);
	report(traced == 3, "MSR[SE]: one trace interrupt per instruction "
	       "until cleared (got %d, want 3)", traced);
	report(trace_nip[0] == (u64)(uintptr_t)trace_1 &&
	       trace_nip[1] == (u64)(uintptr_t)trace_2 &&
	       trace_nip[2] == (u64)(uintptr_t)trace_3,
	       "SRR0 is the next instruction each time (%#lx %#lx %#lx, "
	       "want %p %p %p)", (unsigned long)trace_nip[0],
	       (unsigned long)trace_nip[1], (unsigned long)trace_nip[2],
	       trace_1, trace_2, trace_3);
}

static volatile int dec_taken;
static volatile u64 dec_srr1, dec_msr;

static void dec_handler(struct pt_regs *regs, void *data)
{
	(void)data;
	dec_msr = mfmsr();
	dec_srr1 = regs->msr;
	dec_taken++;
	mtspr(SPR_DEC, 0x7fffffffUL);
}

static void test_decrementer(void)
{
	u64 t0, msr_after;

	handle_exception(VEC_DECREMENTER, dec_handler, NULL);
	dec_taken = 0;
	dec_msr = MSR_EE;
	mtspr(SPR_DEC, tb_hz / 1000);
	local_irq_enable();
	t0 = get_tb();
	while (!dec_taken && get_tb() - t0 < tb_hz)
		cpu_relax();
	msr_after = mfmsr();
	local_irq_disable();
	report(dec_taken == 1, "decrementer: taken once (%d)", dec_taken);
	/* SRR1[EE] is the interrupted MSR's: 1, or it could not be taken */
	report(dec_taken && (dec_srr1 & MSR_EE), "decrementer: SRR1 %#lx has "
	       "MSR[EE]", (unsigned long)dec_srr1);
	/* the interrupt clears MSR[EE]; rfid puts SRR1's back (Book III,
	 * Interrupt Definitions, and rfid) */
	report(dec_taken && !(dec_msr & MSR_EE), "decrementer: the handler "
	       "ran with MSR[EE] clear (MSR %#lx)", (unsigned long)dec_msr);
	report(dec_taken && (msr_after & MSR_EE), "decrementer: MSR[EE] set "
	       "again after rfid (MSR %#lx)", (unsigned long)msr_after);
}

static volatile int ext_taken;
static volatile long ext_xirr;

static void ext_handler(struct pt_regs *regs, void *data)
{
	long xirr = xics_xirr();

	(void)regs;
	(void)data;
	ext_xirr = xirr;
	ext_taken++;
	xics_ipi(cpus[smp_id()].server, XICS_PRIO_NONE);
	if (xirr >= 0)
		xics_eoi((u32)xirr);
}

static void test_external(void)
{
	long ret;
	u64 t0;

	handle_exception(VEC_EXTERNAL, ext_handler, NULL);
	xics_cppr(XICS_PRIO_NONE);
	ext_taken = 0;
	ret = xics_ipi(cpus[smp_id()].server, 5);
	udelay(1000);
	report(ext_taken == 0, "external: none while MSR[EE] is off (%d)",
	       ext_taken);
	local_irq_enable();
	t0 = get_tb();
	while (!ext_taken && get_tb() - t0 < tb_hz)
		cpu_relax();
	local_irq_disable();
	report(ret == H_SUCCESS && ext_taken == 1 &&
	       XIRR_SOURCE(ext_xirr) == XICS_IPI_SOURCE,
	       "external: an IPI to oneself is taken once (H_IPI %ld, taken "
	       "%d, XIRR %#lx, want source %d)", ret, ext_taken, ext_xirr,
	       XICS_IPI_SOURCE);
}

int main(void)
{
	report_prefix_push("interrupts");
	test_program();
	test_syscall();
	test_alignment();
	test_unavailable();
	test_trace();
	test_decrementer();
	test_external();
	return report_summary();
}
