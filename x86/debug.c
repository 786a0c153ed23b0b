/*
 * Debug exceptions: DR0-DR3 instruction and data breakpoints, single-step,
 * INT1 (ICEBP) and INT3, and the reset values and fixed bits of DR6 and
 * DR7. SDM vol 3, chapter 18 ("Debug, Branch Profile, TSC, and
 * Intel Resource Director Technology Features"), 18.2 and 18.3; AMD APM
 * vol 2, 13.1.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"

/* DR6, SDM vol 3, 18.2.3 */
#define DR6_B(n)	(1ul << (n))
#define DR6_BD		(1ul << 13)
#define DR6_BS		(1ul << 14)
/* Value at reset, and what DR6 reads after 0 is written (reserved bits
 * 4-11 and 16-31 read 1, bit 12 reads 0), SDM vol 3, 18.2.3 and table
 * 10-1 ("IA-32 Processor States Following Power-up, Reset, or INIT"). */
#define DR6_INIT	0xffff0ff0ul
/* Active-low bits that software can clear where the CPU has the feature
 * (SDM vol 3, 18.2.3): BLD, bit 11, with OS bus-lock detection
 * (CPUID.07H.0:ECX[24]) and RTM, bit 16, with RTM (CPUID.07H.0:EBX[11]).
 * Without the feature they read 1, as bits 31:16 do on AMD (APM vol 2,
 * 13.1.1.3). A rule of the CPUID bits, whatever the vendor. */
#define DR6_BLD		(1ul << 11)
#define DR6_RTM		(1ul << 16)
#define X86_FEATURE_RTM	CPUID_FEATURE(7, 0, EBX, 11, "CPUID.07H.0:EBX[11] (RTM)")
#define X86_FEATURE_BUS_LOCK_DETECT \
	CPUID_FEATURE(7, 0, ECX, 24, "CPUID.07H.0:ECX[24] (bus-lock detect)")

/* DR7, SDM vol 3, 18.2.4: Ln enables, R/Wn and LENn fields, bit 10 reads
 * 1; the value at reset is 400H. */
#define DR7_INIT	0x400ul
#define DR7_L(n)	(1ul << ((n) * 2))
#define DR7_GD		(1ul << 13)
#define DR7_RW_SHIFT(n)	(16 + (n) * 4)
#define DR7_LEN_SHIFT(n) (18 + (n) * 4)
#define DR7_RW_EXEC	0ul
#define DR7_RW_WRITE	1ul
#define DR7_RW_IO	2ul	/* only with CR4.DE = 1 */
#define DR7_RW_RDWR	3ul
#define DR7_LEN_1	0ul
#define DR7_LEN_2	1ul
#define DR7_LEN_4	3ul
#define DR7_LEN_8	2ul

#define X86_EFLAGS_RF	(1ul << 16)

#define DEFINE_DR(n)							\
	static inline unsigned long read_dr##n(void)			\
	{								\
		unsigned long v;							\
		asm volatile("mov %%dr" #n ", %0" : "=r"(v));		\
		return v;						\
	}								\
	static inline void write_dr##n(unsigned long v)			\
	{								\
		asm volatile("mov %0, %%dr" #n :: "r"(v) : "memory");	\
	}
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)

static inline unsigned long dr7_bp(unsigned n, unsigned long rw,
				  unsigned long len)
{
	return DR7_INIT | DR7_L(n) | (rw << DR7_RW_SHIFT(n)) |
	       (len << DR7_LEN_SHIFT(n));
}

/* More #DBs than this means a breakpoint fires in a loop: give up. */
#define DB_MAX		16

static struct {
	unsigned count;
	unsigned long rip[DB_MAX];
	unsigned long dr6[DB_MAX];
	unsigned long rflags[DB_MAX];	/* as pushed in the #DB frame */
	unsigned long rax[DB_MAX], rcx[DB_MAX];
	bool set_rf;
	bool keep_dr6;
	/* single-step mode: keep TF until the trap at this address */
	unsigned long step_end;
} db;

static void db_handler(struct ex_regs *regs)
{
	if (db.count < DB_MAX) {
		db.rip[db.count] = regs->rip;
		db.dr6[db.count] = read_dr6();
		db.rflags[db.count] = regs->rflags;
		db.rax[db.count] = regs->rax;
		db.rcx[db.count] = regs->rcx;
	}
	db.count++;
	if (!db.keep_dr6)
		write_dr6(0);
	/* Resume past an instruction breakpoint: RF suppresses it for one
	 * instruction (SDM vol 3, 18.3.1.1). */
	if (db.set_rf)
		regs->rflags |= X86_EFLAGS_RF;
	if (!db.step_end || regs->rip == db.step_end || db.count >= DB_MAX)
		regs->rflags &= ~X86_EFLAGS_TF;
	if (db.count >= DB_MAX)
		write_dr7(DR7_INIT);
}

/* Breakpoint addresses cleared too: DR6.Bn may be set for a breakpoint
 * that matches but is not enabled in DR7 (SDM vol 3, 18.2.3). */
static void db_reset(bool set_rf)
{
	memset(&db, 0, sizeof(db));
	db.set_rf = set_rf;
	write_dr0(0);
	write_dr1(0);
	write_dr2(0);
	write_dr3(0);
	write_dr6(0);
	barrier();
}

#ifdef __x86_64__
static void test_upper_bits(void)
{
	int vec;

	/* SDM vol 2B, MOV (debug registers): #GP(0) when writing 1 to any
	 * of bits 63:32 of DR6 or DR7 in 64-bit mode. */
	vec = EX_FIXUP_INSN("mov %0, %%dr7", :: "r"(1ul << 32) : "memory");
	report(vec == GP_VECTOR, "DR7 bit 32 set raises #GP (got vector %d, "
	       "want %d)", vec, GP_VECTOR);
	vec = EX_FIXUP_INSN("mov %0, %%dr6", :: "r"(1ul << 40) : "memory");
	report(vec == GP_VECTOR, "DR6 bit 40 set raises #GP (got vector %d, "
	       "want %d)", vec, GP_VECTOR);
}
#else
static void test_upper_bits(void)
{
	report_skip("DR6/DR7 bits 63:32 exist only in 64-bit mode (SDM vol "
		    "2B, MOV debug registers); DR6 and DR7 are 32 bits here");
}
#endif

/* What DR6 reads after 0 is written: the fixed 1s, less the active-low
 * bits this CPU's features make writable. */
static unsigned long dr6_after_zero(void)
{
	unsigned long v = DR6_INIT;

	if (cpuid(0).a < 7)
		return v;
	if (this_cpu_has(X86_FEATURE_RTM))
		v &= ~DR6_RTM;
	if (this_cpu_has(X86_FEATURE_BUS_LOCK_DETECT))
		v &= ~DR6_BLD;
	return v;
}

static void test_reset_values(unsigned long dr6, unsigned long dr7)
{
	unsigned long v;

	report(dr6 == DR6_INIT, "DR6 at reset (got %#lx, want %#lx)",
	       (unsigned long)dr6, DR6_INIT);
	report(dr7 == DR7_INIT, "DR7 at reset (got %#lx, want %#lx)",
	       (unsigned long)dr7, DR7_INIT);

	write_dr6(0);
	v = read_dr6();
	report(v == dr6_after_zero(), "DR6 fixed bits after writing 0 (got "
	       "%#lx, want %#lx)", (unsigned long)v, dr6_after_zero());
	write_dr7(0);
	v = read_dr7();
	report(v == DR7_INIT, "DR7 bit 10 reads 1 after writing 0 (got %#lx, "
	       "want %#lx)", (unsigned long)v, DR7_INIT);

	test_upper_bits();
	write_dr7(DR7_INIT);
}

/* Targets called by the tests: an INT3, and an instruction to break on. */
void int3_then_ret(void);
void int3_after(void);
void exec_target(void);
void exec_target_ret(void);
void icebp_then_ret(void);
void icebp_after(void);
/* 0xf1 is INT1 (ICEBP), SDM vol 2A, "INTn/INTO/INT3/INT1". */
asm(".text\n"
    ".globl int3_then_ret, int3_after, exec_target, exec_target_ret\n"
    ".globl icebp_then_ret, icebp_after\n"
    "int3_then_ret: int3\n"
    "int3_after: ret\n"
    "icebp_then_ret: .byte 0xf1\n"
    "icebp_after: ret\n"
#ifdef __x86_64__
    "exec_target: inc %rax\n\t"
#else
    "exec_target: inc %eax\n\t"
#endif
    "exec_target_ret: ret\n");

static void test_int3(void)
{
	struct ex_result res;
	unsigned long after = (uintptr_t)int3_after;

	res = run_catching((void (*)(void *))int3_then_ret, NULL);
	report(res.raised && res.vector == BP_VECTOR && res.rip == after,
	       "INT3 raises #BP with RIP after it (got %s at %#lx, want #BP "
	       "at %#lx)", res.raised ? exception_mnemonic(res.vector) :
	       "nothing", (unsigned long)res.rip, (unsigned long)after);
}

static void test_icebp(void)
{
	unsigned long after = (uintptr_t)icebp_after;
	struct ex_result res;

	db_reset(false);
	res = run_catching((void (*)(void *))icebp_then_ret, NULL);
	report(!res.raised && db.count == 1 && db.rip[0] == after,
	       "INT1 (ICEBP) raises #DB as a trap (got %u #DB at %#lx, other "
	       "exception %s; want 1 at %#lx)", db.count,
	       (unsigned long)db.rip[0],
	       res.raised ? exception_mnemonic(res.vector) : "none",
	       (unsigned long)after);
}

static void test_single_step(void)
{
	unsigned long start, after;

	db_reset(false);
	/* The trap comes after the instruction that follows the POPF that
	 * set TF (SDM vol 3, 18.3.1.4). */
	asm volatile("pushf\n\t"
		     "orl %2, (" ASM_SP ")\n\t"
		     "popf\n"
		     "1: nop\n"
		     "2: lea " ASM_IP_REL("1b") ", %0\n\t"
		     "lea " ASM_IP_REL("2b") ", %1"
		     : "=r"(start), "=r"(after) : "i"(X86_EFLAGS_TF)
		     : "memory", "cc");
	report(db.count == 1 && db.rip[0] == after,
	       "TF: one #DB after the next instruction (got %u at %#lx, want "
	       "1 at %#lx)", db.count, (unsigned long)db.rip[0],
	       (unsigned long)after);
	report(db.dr6[0] & DR6_BS, "TF: DR6.BS set (DR6 %#lx)",
	       (unsigned long)db.dr6[0]);
	(void)start;
}

/* Instruction breakpoint: a fault, before the instruction runs; RF set by
 * the handler lets it run once, then the breakpoint arms again. */
static void test_exec_bp(unsigned n)
{
	unsigned long addr = (uintptr_t)exec_target, runs = 0;

	db_reset(true);
	switch (n) {
	case 0: write_dr0(addr); break;
	case 1: write_dr1(addr); break;
	case 2: write_dr2(addr); break;
	default: write_dr3(addr); break;
	}
	write_dr7(dr7_bp(n, DR7_RW_EXEC, DR7_LEN_1));
	asm volatile("call *%1\n\t"
		     "call *%1" : "+a"(runs) : "r"(addr) : "memory", "cc");
	write_dr7(DR7_INIT);

	report(db.count == 2 && db.rip[0] == addr && db.rip[1] == addr &&
	       (db.dr6[0] & 0xf) == DR6_B(n) && runs == 2,
	       "DR%u execute: #DB before the instruction, every time, RF "
	       "resumes (got %u hits, rip %#lx, DR6 %#lx, ran %lu times; want "
	       "2 at %#lx, B%u, 2)", n, db.count, (unsigned long)db.rip[0],
	       (unsigned long)db.dr6[0], (unsigned long)runs,
	       (unsigned long)addr, n);
}

/* A native-width register name and pointer directive for top-level asm. */
#ifdef __x86_64__
#define REG(r)		"%r" #r
#define ASM_PTR		".quad"
#else
#define REG(r)		"%e" #r
#define ASM_PTR		".long"
#endif

/*
 * Single-step through a sequence with TF set by POPF. Each step_N labels
 * an instruction; step_want lists the RIPs the traps must report:
 * - none right after the POPF that sets TF (SDM vol 3, 18.3.1.4);
 * - one after each REP MOVSB iteration, RIP at the REP until the last
 *   (the RF rules of SDM vol 3, 18.3.1.1 cover traps taken between
 *   iterations; a REP resumes with RCX and RIP as it left them, vol 2B
 *   REP);
 * - none after MOV SS: it inhibits debug exceptions up to the boundary
 *   after the next instruction (SDM vol 3, 6.8.3).
 * The handler clears TF at step_11. Single-step over STI is left out:
 * the SDM does not say whether its interrupt shadow holds the trap.
 */
#define STEP_TRAPS	11
#define STEP_REP	6	/* index of the first REP MOVSB trap */
#define STEP_MOVSS	9	/* index of the trap after MOV from SS */
void step_seq(void);
void step_11(void);
extern const unsigned long step_want[STEP_TRAPS];
extern u8 step_dst[3];
asm(".pushsection .data\n"
    "step_src: .byte 1, 2, 3\n"
    ".globl step_dst, step_want\n"
    "step_dst: .byte 0, 0, 0\n"
    ".balign 8\n"
    "step_want: " ASM_PTR " step_2, step_3, step_4, step_5, step_6, step_7\n"
    ASM_PTR " step_7, step_7, step_8, step_9, step_11\n"
    ".popsection\n"
    ".text\n"
    ".globl step_seq, step_11\n"
    "step_seq: pushf\n"
    "orl $0x100, (" REG(sp) ")\n"
    "popf\n"
    "step_1: nop\n"
    "step_2: pushf\n"
    "step_3: pop " REG(ax) "\n"
    "step_4: mov $step_src, " REG(si) "\n"
    "step_5: mov $step_dst, " REG(di) "\n"
    "step_6: mov $3, " REG(cx) "\n"
    "step_7: rep movsb\n"
    "step_8: mov %ss, %ecx\n"
    "step_9: mov %ecx, %ss\n"
    "step_10: nop\n"
    "step_11: ret\n");

static void test_step_sequence(void)
{
	static const unsigned long rep_rcx[3] = { 2, 1, 0 };
	unsigned i, bad = 0;
	unsigned long no_bs = 0, want_rf, rf;

	db_reset(false);
	db.step_end = (uintptr_t)step_11;
	asm volatile("call step_seq"
		     ::: "ax", "cx", "si", "di", "memory", "cc");
	db.step_end = 0;

	for (i = 0; i < STEP_MOVSS && i < db.count; i++)
		if (db.rip[i] != step_want[i])
			break;
	bad = i;
	report(bad == STEP_MOVSS, "TF: one trap per instruction from the one "
	       "after POPF (got %u traps, trap %u at %#lx; want %#lx)",
	       db.count, bad, bad < DB_MAX ? db.rip[bad] : 0,
	       bad < STEP_TRAPS ? step_want[bad] : 0);
	for (i = 0; i < db.count && i < DB_MAX; i++)
		if (!(db.dr6[i] & DR6_BS))
			no_bs++;
	report(db.count && !no_bs, "TF: DR6.BS set in every trap (got %lu "
	       "of %u without, DR6 %#lx)", no_bs, db.count, db.dr6[0]);
	report(db.count > 2 && (db.rax[2] & X86_EFLAGS_TF),
	       "TF: PUSHF stores TF set (got %#lx, want bit 8)", db.rax[2]);

	bad = 0;
	for (i = 0; i < 3; i++)
		if (db.rcx[STEP_REP + i] != rep_rcx[i] ||
		    db.rip[STEP_REP + i] != step_want[STEP_REP + i])
			bad = i + 1;
	report(db.count > STEP_REP + 2 && !bad && step_dst[0] == 1 &&
	       step_dst[2] == 3, "TF: REP MOVSB traps after each iteration "
	       "(got RCX %lu %lu %lu RIP %#lx %#lx %#lx; want 2 1 0, %#lx "
	       "%#lx %#lx)", db.rcx[STEP_REP], db.rcx[STEP_REP + 1],
	       db.rcx[STEP_REP + 2], db.rip[STEP_REP], db.rip[STEP_REP + 1],
	       db.rip[STEP_REP + 2], step_want[STEP_REP],
	       step_want[STEP_REP + 1], step_want[STEP_REP + 2]);
	/* The RF pushed for a trap after any REP iteration but the last is 1
	 * (SDM vol 3, 18.3.1.1), so the REP does not re-check a breakpoint
	 * when it resumes. */
	bad = 0;
	for (i = 0; i < 3; i++) {
		want_rf = i < 2 ? X86_EFLAGS_RF : 0;
		rf = db.rflags[STEP_REP + i] & X86_EFLAGS_RF;
		if (rf != want_rf)
			bad = i + 1;
	}
	report(db.count > STEP_REP + 2 && !bad, "TF: REP MOVSB: RF pushed 1 "
	       "except after the last iteration (got RFLAGS %#lx %#lx %#lx, "
	       "want RF 1 1 0)", db.rflags[STEP_REP],
	       db.rflags[STEP_REP + 1], db.rflags[STEP_REP + 2]);
	report(db.count == STEP_TRAPS &&
	       db.rip[STEP_MOVSS] == step_want[STEP_MOVSS] &&
	       db.rip[STEP_MOVSS + 1] == step_want[STEP_MOVSS + 1],
	       "TF: no trap between MOV SS and the next instruction (got %u "
	       "traps, then %#lx %#lx; want %u, %#lx %#lx)", db.count,
	       db.rip[STEP_MOVSS], db.rip[STEP_MOVSS + 1], STEP_TRAPS,
	       step_want[STEP_MOVSS], step_want[STEP_MOVSS + 1]);
}

/*
 * INT3 while single-stepping: delivery through a gate clears TF, the
 * pushed EFLAGS keeps it, and IRET brings it back (SDM vol 3, 6.12.1.2).
 * Whether a #DB also reports the INT3 itself is not asserted.
 */
void step_int3(void);
void step_int3_2(void);
void step_int3_4(void);
asm(".text\n"
    ".globl step_int3, step_int3_2, step_int3_4\n"
    "step_int3: pushf\n"
    "orl $0x100, (" REG(sp) ")\n"
    "popf\n"
    "nop\n"
    "step_int3_2: int3\n"
    "nop\n"
    "step_int3_4: ret\n");

static struct {
	unsigned count;
	unsigned long frame_flags, handler_flags;
} bp;

static void bp_handler(struct ex_regs *regs)
{
	unsigned long f;

	asm volatile("pushf; pop %0" : "=r"(f));
	bp.count++;
	bp.frame_flags = regs->rflags;
	bp.handler_flags = f;
}

static void test_step_int3(void)
{
	unsigned long last;

	memset(&bp, 0, sizeof(bp));
	db_reset(false);
	db.step_end = (uintptr_t)step_int3_4;
	handle_exception(BP_VECTOR, bp_handler);
	asm volatile("call step_int3" ::: "memory", "cc");
	handle_exception(BP_VECTOR, NULL);
	db.step_end = 0;
	last = db.count ? db.rip[(db.count - 1) % DB_MAX] : 0;

	report(bp.count == 1 && (bp.frame_flags & X86_EFLAGS_TF) &&
	       !(bp.handler_flags & X86_EFLAGS_TF),
	       "TF: INT3 handler runs with TF clear, TF in its frame (got %u "
	       "#BP, frame %#lx, handler %#lx)", bp.count, bp.frame_flags,
	       bp.handler_flags);
	report(db.count >= 2 && db.rip[0] == (uintptr_t)step_int3_2 &&
	       last == (uintptr_t)step_int3_4,
	       "TF: stepping resumes after the INT3 handler (got %u traps, "
	       "first %#lx last %#lx; want %#lx, %#lx)", db.count, db.rip[0],
	       last, (unsigned long)(uintptr_t)step_int3_2,
	       (unsigned long)(uintptr_t)step_int3_4);
}

/*
 * RF: the handler sets RF in the frame so the breakpointed instruction
 * runs; RF is cleared once it completes, so a breakpoint on the next
 * instruction fires. The frame of an instruction-breakpoint #DB carries
 * the current RF, 0 here (SDM vol 3, 18.3.1.1).
 */
static void test_rf(void)
{
	unsigned long target = (uintptr_t)exec_target;
	unsigned long next = (uintptr_t)exec_target_ret, runs = 0;

	db_reset(true);
	write_dr0(target);
	write_dr1(next);
	write_dr7(dr7_bp(0, DR7_RW_EXEC, DR7_LEN_1) |
		  dr7_bp(1, DR7_RW_EXEC, DR7_LEN_1));
	asm volatile("call *%1" : "+a"(runs) : "r"(target) : "memory", "cc");
	write_dr7(DR7_INIT);

	report(db.count == 2 && db.rip[0] == target && db.rip[1] == next &&
	       (db.dr6[0] & 0xf) == DR6_B(0) && (db.dr6[1] & 0xf) == DR6_B(1),
	       "RF: cleared after the resumed instruction, the next "
	       "breakpoint fires (got %u at %#lx %#lx DR6 %#lx %#lx; want 2 "
	       "at %#lx %#lx, B0 B1)", db.count, db.rip[0], db.rip[1],
	       db.dr6[0], db.dr6[1], target, next);
	report(db.count == 2 && !(db.rflags[0] & X86_EFLAGS_RF) &&
	       !(db.rflags[1] & X86_EFLAGS_RF),
	       "RF: instruction-breakpoint frames carry RF 0 (got RFLAGS %#lx "
	       "%#lx)", db.rflags[0], db.rflags[1]);
}

static u8 bpbuf[32] __aligned(16);

/* Store @len (1 or 2) bytes at bpbuf[@off]; 1 when a #DB came. */
static unsigned store_hits(unsigned off, unsigned len)
{
	unsigned before;

	barrier();
	before = db.count;
	barrier();
	if (len == 1)
		*(volatile u8 *)&bpbuf[off] = 0x5a;
	else
		*(volatile u16 *)&bpbuf[off] = 0x5a5a;
	barrier();
	return db.count - before;
}

/*
 * A data breakpoint of LEN bytes at bpbuf + 8 fires when any byte of an
 * access falls in the range, also for an access that only overlaps it
 * (SDM vol 3, 18.2.5).
 */
static void test_data_bp_lengths(void)
{
	static const struct {
		unsigned bytes;
		unsigned long len;
	} lens[] = {
		{ 1, DR7_LEN_1 }, { 2, DR7_LEN_2 }, { 4, DR7_LEN_4 },
#ifdef __x86_64__
		{ 8, DR7_LEN_8 },
#endif
	};
	unsigned i, last, past, straddle, before;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		db_reset(false);
		write_dr0((uintptr_t)&bpbuf[8]);
		write_dr7(dr7_bp(0, DR7_RW_WRITE, lens[i].len));
		last = store_hits(8 + lens[i].bytes - 1, 1);
		past = store_hits(8 + lens[i].bytes, 1);
		straddle = store_hits(7, 2);
		before = store_hits(7, 1);
		write_dr7(DR7_INIT);
		report(last == 1 && past == 0 && straddle == 1 && before == 0 &&
		       (db.dr6[0] & 0xf) == DR6_B(0),
		       "DR0 write, %u bytes: last byte, byte after, 2-byte "
		       "store over the first, byte before (got %u %u %u %u, "
		       "DR6 %#lx; want 1 0 1 0, B0)", lens[i].bytes, last,
		       past, straddle, before, db.dr6[0]);
	}

	db_reset(false);
	write_dr2((uintptr_t)&bpbuf[16]);
	write_dr7(dr7_bp(2, DR7_RW_RDWR, DR7_LEN_4));
	last = store_hits(17, 1);
	write_dr7(DR7_INIT);
	report(last == 1 && (db.dr6[0] & 0xf) == DR6_B(2),
	       "DR2 read/write: a store hits (got %u, DR6 %#lx; want 1, B2)",
	       last, db.dr6[0]);

	/* DR6 bits other than B0-B3 are never cleared by the processor
	 * (SDM vol 3, 18.2.3): a BS left by software survives a hit. */
	db_reset(false);
	db.keep_dr6 = true;
	write_dr6(DR6_INIT | DR6_BS);
	write_dr1((uintptr_t)&bpbuf[0]);
	write_dr7(dr7_bp(1, DR7_RW_WRITE, DR7_LEN_1));
	last = store_hits(0, 1);
	write_dr7(DR7_INIT);
	write_dr6(0);
	report(last == 1 && (db.dr6[0] & DR6_BS) && (db.dr6[0] & DR6_B(1)),
	       "DR6.BS stays set across a data breakpoint (got %u, DR6 %#lx; "
	       "want 1, BS and B1)", last, db.dr6[0]);
}

/*
 * A REP STOSB element hits: the trap comes after that iteration or, with
 * fast strings, a later one (SDM vol 3, 7.3.9.3), so only "RCX at most
 * what is left after the hit" is asserted; RIP is the REP while RCX is
 * not 0, and the pushed RF is 1 then (SDM vol 3, 18.3.1.1).
 */
static void test_data_bp_rep(void)
{
	void *dst = bpbuf;
	unsigned long rcx = 16, at, after, want_rip, want_rf, i, bad = 0;

	memset(bpbuf, 0, sizeof(bpbuf));
	db_reset(false);
	write_dr3((uintptr_t)&bpbuf[5]);
	write_dr7(dr7_bp(3, DR7_RW_WRITE, DR7_LEN_1));
	asm volatile("1: rep stosb\n"
		     "2: lea " ASM_IP_REL("1b") ", %0\n\t"
		     "lea " ASM_IP_REL("2b") ", %1"
		     : "=r"(at), "=r"(after), "+D"(dst), "+c"(rcx)
		     : "a"(0xaa) : "memory");
	write_dr7(DR7_INIT);
	for (i = 0; i < 16; i++)
		if (bpbuf[i] != 0xaa)
			bad++;
	want_rip = db.rcx[0] ? at : after;
	want_rf = db.rcx[0] ? X86_EFLAGS_RF : 0;

	report(db.count == 1 && (db.dr6[0] & 0xf) == DR6_B(3) &&
	       db.rcx[0] <= 10 && db.rip[0] == want_rip && !bad,
	       "DR3 write hit by REP STOSB element 5 of 16 (got %u at %#lx "
	       "RCX %lu DR6 %#lx, %lu bytes unstored; want 1 at %#lx, RCX "
	       "<= 10, B3, 0)", db.count, db.rip[0], db.rcx[0], db.dr6[0],
	       bad, want_rip);
	report(db.count == 1 && (db.rflags[0] & X86_EFLAGS_RF) == want_rf,
	       "DR3 REP STOSB: RF pushed is 1 unless the last iteration (got "
	       "RFLAGS %#lx RCX %lu)", db.rflags[0], db.rcx[0]);
}

/*
 * MOV SS inhibits debug exceptions until the boundary after the next
 * instruction (SDM vol 3, 6.8.3): a data breakpoint on its source
 * operand is reported after the NOP that follows.
 */
static u16 ss_sel __aligned(8);

static void test_data_bp_mov_ss(void)
{
	unsigned long after;
	u16 ss;

	asm volatile("mov %%ss, %0" : "=r"(ss));
	ss_sel = ss;
	db_reset(false);
	write_dr0((uintptr_t)&ss_sel);
	write_dr7(dr7_bp(0, DR7_RW_RDWR, DR7_LEN_2));
	asm volatile("mov %1, %%ss\n\t"
		     "nop\n"
		     "1: lea " ASM_IP_REL("1b") ", %0"
		     : "=r"(after) : "m"(ss_sel) : "memory");
	write_dr7(DR7_INIT);
	report(db.count == 1 && db.rip[0] == after &&
	       (db.dr6[0] & 0xf) == DR6_B(0),
	       "MOV SS from a watched word: #DB after the next instruction "
	       "(got %u at %#lx DR6 %#lx; want 1 at %#lx, B0)", db.count,
	       db.rip[0], db.dr6[0], after);
}

#define IO_BP_PORT	0x80	/* POST code port, harmless to touch */

/* I/O breakpoints (R/W 10B) exist with CR4.DE = 1; IN and OUT to the
 * port trap after the instruction (SDM vol 3, 18.2.4 and 18.2.5). */
static void test_io_bp(void)
{
	unsigned long out_after, in_after;
	unsigned other;
	u8 v;

	db_reset(false);
	write_dr0(IO_BP_PORT);
	write_dr7(dr7_bp(0, DR7_RW_IO, DR7_LEN_1));
	asm volatile("outb %%al, %3\n"
		     "1: lea " ASM_IP_REL("1b") ", %0\n\t"
		     "inb %3, %%al\n"
		     "2: lea " ASM_IP_REL("2b") ", %1"
		     : "=&r"(out_after), "=&r"(in_after), "=a"(v)
		     : "i"(IO_BP_PORT), "a"(0) : "memory");
	other = db.count;
	outb(0, IO_BP_PORT + 1);
	other = db.count - other;
	write_dr7(DR7_INIT);
	(void)v;
	report(db.count == 2 && db.rip[0] == out_after &&
	       db.rip[1] == in_after && (db.dr6[0] & 0xf) == DR6_B(0) &&
	       (db.dr6[1] & 0xf) == DR6_B(0) && other == 0,
	       "CR4.DE: I/O breakpoint on port %#x: OUT and IN trap, port "
	       "%#x does not (got %u at %#lx %#lx DR6 %#lx %#lx, %u; want 2 "
	       "at %#lx %#lx, B0, 0)", IO_BP_PORT, IO_BP_PORT + 1,
	       db.count, db.rip[0], db.rip[1], db.dr6[0], db.dr6[1], other,
	       out_after, in_after);
}

/*
 * DR4 and DR5: with CR4.DE = 1 a MOV names a reserved register and
 * raises #UD; with CR4.DE = 0 they are DR6 and DR7 (SDM vol 3, 18.2.2).
 */
static void test_dr4_dr5(void)
{
	unsigned long cr4 = read_cr4(), v, want;
	int vec4, vec5;

	if (!this_cpu_has(X86_FEATURE_DE)) {
		report_skip("no debugging extensions: %s clear",
			    X86_FEATURE_DE.name);
		return;
	}
	write_cr4(cr4 & ~X86_CR4_DE);
	want = DR6_INIT | DR6_BS;
	write_dr6(want);
	asm volatile("mov %%dr4, %0" : "=r"(v));
	report(v == want, "CR4.DE=0: DR4 reads DR6 (got %#lx, want %#lx)",
	       v, want);
	want = DR7_INIT | (1ul << 8);	/* LE, harmless */
	asm volatile("mov %0, %%dr5" :: "r"(want) : "memory");
	v = read_dr7();
	report(v == want, "CR4.DE=0: DR5 writes DR7 (got %#lx, want %#lx)",
	       v, want);
	write_dr7(DR7_INIT);
	write_dr6(0);

	write_cr4(cr4 | X86_CR4_DE);
	vec4 = EX_FIXUP_INSN("mov %%dr4, %0", : "=r"(v));
	vec5 = EX_FIXUP_INSN("mov %0, %%dr5", :: "r"(DR7_INIT) : "memory");
	report(vec4 == UD_VECTOR && vec5 == UD_VECTOR,
	       "CR4.DE=1: MOV from DR4 and to DR5 raise #UD (got vectors %d "
	       "%d, want %d)", vec4, vec5, UD_VECTOR);
	test_io_bp();
	write_cr4(cr4);
}

/*
 * DR7.GD: the next MOV to or from a debug register raises #DB as a fault
 * with DR6.BD set, and the processor clears GD on the way to the handler
 * so the handler can use the registers (SDM vol 3, 18.2.4).
 */
void gd_mov_dr(void);
asm(".text\n"
    ".globl gd_mov_dr\n"
#ifdef __x86_64__
    "gd_mov_dr: mov %dr0, %rax\n\t"
#else
    "gd_mov_dr: mov %dr0, %eax\n\t"
#endif
    "ret\n");

static void test_general_detect(void)
{
	unsigned long dr7, clobbered;

	db_reset(false);
	write_dr7(DR7_INIT | DR7_GD);
	asm volatile("call gd_mov_dr" : "=a"(clobbered) :: "memory");
	(void)clobbered;
	dr7 = read_dr7();
	report(db.count == 1 && db.rip[0] == (uintptr_t)gd_mov_dr &&
	       (db.dr6[0] & DR6_BD) && !(dr7 & DR7_GD),
	       "DR7.GD: MOV from DR0 faults with DR6.BD, GD cleared (got %u "
	       "at %#lx DR6 %#lx DR7 %#lx; want 1 at %#lx, BD, GD clear)",
	       db.count, (unsigned long)db.rip[0], (unsigned long)db.dr6[0],
	       (unsigned long)dr7, (unsigned long)(uintptr_t)gd_mov_dr);
	write_dr7(DR7_INIT);
}

/*
 * The widest data breakpoint: 8 bytes (LEN 10B) in 64-bit mode; in
 * legacy mode 10B is undefined (AMD APM vol 2, 13.1.1.5; SDM vol 3,
 * 18.2.4 allows it only on some models), so 4 bytes there. Each watch
 * covers one unsigned long; the half-width watch covers its upper half.
 */
#ifdef __x86_64__
#define DR7_LEN_WORD	DR7_LEN_8
#define DR7_LEN_HALF	DR7_LEN_4
typedef u32 half_t;
#else
#define DR7_LEN_WORD	DR7_LEN_4
#define DR7_LEN_HALF	DR7_LEN_2
typedef u16 half_t;
#endif
#define WORD_BYTES	sizeof(unsigned long)
#define HALF_BYTES	sizeof(half_t)

static union {
	unsigned long w[2];
	half_t h[4];
} watch __aligned(16);
#define watched watch.w

/* Data breakpoints: traps after the access (SDM vol 3, 18.2.4). */
static void test_data_bp(void)
{
	volatile unsigned long *w = watched;
	unsigned long after, v;

	db_reset(false);
	write_dr1((uintptr_t)&watched[0]);
	write_dr7(dr7_bp(1, DR7_RW_WRITE, DR7_LEN_WORD));
	v = w[0];
	barrier();
	report(db.count == 0, "DR1 write-only: a read does not hit (got %u)",
	       db.count);
	asm volatile("mov %2, %1\n"
		     "1: lea " ASM_IP_REL("1b") ", %0"
		     : "=r"(after), "=m"(watched[0]) : "r"(5ul) : "memory");
	report(db.count == 1 && db.rip[0] == after &&
	       (db.dr6[0] & 0xf) == DR6_B(1) && watched[0] == 5,
	       "DR1 write: #DB after the store (got %u at %#lx DR6 %#lx, want "
	       "1 at %#lx, B1)", db.count, (unsigned long)db.rip[0],
	       (unsigned long)db.dr6[0], (unsigned long)after);
	w[1] = 1;
	barrier();
	report(db.count == 1, "DR1 %u bytes: the next %u bytes do not hit "
	       "(got %u hits, want 1)", (unsigned)WORD_BYTES,
	       (unsigned)WORD_BYTES, db.count);

	db_reset(false);
	write_dr2((uintptr_t)&watched[1] + HALF_BYTES);
	write_dr7(dr7_bp(2, DR7_RW_RDWR, DR7_LEN_HALF));
	v += w[1];
	barrier();
	report(db.count == 1 && (db.dr6[0] & 0xf) == DR6_B(2),
	       "DR2 read/write, %u bytes: a %u-byte read that overlaps hits "
	       "(got %u, DR6 %#lx)", (unsigned)HALF_BYTES,
	       (unsigned)WORD_BYTES, db.count, (unsigned long)db.dr6[0]);
	v += ((volatile half_t *)watch.h)[WORD_BYTES / HALF_BYTES];
	barrier();
	report(db.count == 1, "DR2 %u bytes: the other half does not hit "
	       "(got %u hits, want 1)", (unsigned)HALF_BYTES, db.count);

	db_reset(false);
	write_dr3((uintptr_t)&watched[0] + 3);
	write_dr7(dr7_bp(3, DR7_RW_WRITE, DR7_LEN_1));
	((volatile u8 *)watched)[3] = 9;
	barrier();
	report(db.count == 1 && (db.dr6[0] & 0xf) == DR6_B(3),
	       "DR3 1-byte write (got %u, DR6 %#lx)", db.count,
	       (unsigned long)db.dr6[0]);
	write_dr7(DR7_INIT);
	(void)v;
}

int main(void)
{
	unsigned long dr6 = read_dr6(), dr7 = read_dr7();
	unsigned n;

	report_prefix_push("debug");
	test_reset_values(dr6, dr7);
	handle_exception(DB_VECTOR, db_handler);
	test_int3();
	test_icebp();
	test_single_step();
	test_step_sequence();
	test_step_int3();
	for (n = 0; n < 4; n++)
		test_exec_bp(n);
	test_rf();
	test_data_bp();
	test_data_bp_lengths();
	test_data_bp_rep();
	test_data_bp_mov_ss();
	test_dr4_dr5();
	test_general_detect();
	handle_exception(DB_VECTOR, NULL);
	return report_summary();
}
