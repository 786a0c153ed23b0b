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
#define DR6_ACTIVE_LOW	DR6_INIT

/* DR7, SDM vol 3, 18.2.4: Ln enables, R/Wn and LENn fields, bit 10 reads
 * 1; the value at reset is 400H. */
#define DR7_INIT	0x400ul
#define DR7_L(n)	(1ul << ((n) * 2))
#define DR7_GD		(1ul << 13)
#define DR7_RW_SHIFT(n)	(16 + (n) * 4)
#define DR7_LEN_SHIFT(n) (18 + (n) * 4)
#define DR7_RW_EXEC	0ul
#define DR7_RW_WRITE	1ul
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

static struct {
	unsigned count;
	unsigned long rip[4];
	unsigned long dr6[4];
	bool set_rf;
} db;

static void db_handler(struct ex_regs *regs)
{
	if (db.count < 4) {
		db.rip[db.count] = regs->rip;
		db.dr6[db.count] = read_dr6();
	}
	db.count++;
	write_dr6(0);
	/* Resume past an instruction breakpoint: RF suppresses it for one
	 * instruction (SDM vol 3, 18.3.1.1). */
	if (db.set_rf)
		regs->rflags |= X86_EFLAGS_RF;
	regs->rflags &= ~X86_EFLAGS_TF;
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

static void test_reset_values(unsigned long dr6, unsigned long dr7)
{
	unsigned long v;

	report(dr6 == DR6_INIT, "DR6 at reset (got %#lx, want %#lx)",
	       (unsigned long)dr6, DR6_INIT);
	report(dr7 == DR7_INIT, "DR7 at reset (got %#lx, want %#lx)",
	       (unsigned long)dr7, DR7_INIT);

	write_dr6(0);
	v = read_dr6();
	report(v == DR6_ACTIVE_LOW, "DR6 fixed bits after writing 0 (got "
	       "%#lx, want %#lx)", (unsigned long)v, DR6_ACTIVE_LOW);
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
void icebp_then_ret(void);
void icebp_after(void);
/* 0xf1 is INT1 (ICEBP), SDM vol 2A, "INTn/INTO/INT3/INT1". */
asm(".text\n"
    ".globl int3_then_ret, int3_after, exec_target\n"
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
    "ret\n");

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
	for (n = 0; n < 4; n++)
		test_exec_bp(n);
	test_data_bp();
	test_general_detect();
	handle_exception(DB_VECTOR, NULL);
	return report_summary();
}
