/*
 * Instruction emulation: instructions whose memory operand is MMIO.
 *
 * Under KVM an access to guest-physical memory that no memory slot backs
 * exits to the hypervisor, which must decode and emulate the instruction
 * itself; under TCG the same access goes through QEMU's I/O path. Each
 * case below runs one instruction sequence twice with identical inputs:
 * once on a RAM buffer (the reference: the CPU executes it natively under
 * KVM) and once on the scratch RAM of QEMU's pc-testdev, an MMIO region
 * that stores what is written and returns it on reads. Output registers,
 * arithmetic flags and both memory areas must then be identical.
 *
 * Then, on their own terms: the arithmetic flags of every ALU
 * instruction with an MMIO destination, per operand size, against RAM
 * and for a few cases against the SDM; BT* with bit offsets beyond the
 * operand, XADD, CMPXCHG with and without LOCK; MMX/SSE moves byte for
 * byte, and #GP(0) for misaligned aligned-only ones; INS/OUTS with and
 * without REP, each size, both directions, to and from RAM and MMIO.
 *
 * MOVBE is left to the "movbe" argument (cfg entry emulator-movbe) and
 * its 16-bit forms to "movbe16" (emulator-movbe16): it needs
 * CPUID.01H:ECX[22], and KVM's emulator decodes no 16-bit MOVBE. The
 * MMX/SSE moves of a whole register have the "sse" argument
 * (emulator-sse), those of part of one (MOVD, MOVQ, MOVHPS)
 * "sse-partial" (emulator-sse-partial), and the AVX ones "avx"
 * (emulator-avx, a CPU model with AVX): KVM's emulator decodes only
 * some of them, and an instruction it cannot decode stops the guest
 * ("emulation failure"), which must not cost the other cases.
 *
 * Instruction semantics: SDM vol 2 (each instruction's "Operation" and
 * "Flags Affected"), AMD APM vol 3.
 *
 * i386 runs the same kinds of instruction with 32-bit operands. What
 * exists only in 64-bit mode is left out there: 8-byte operands (MOV,
 * MOVSQ, STOSQ, MOVBE r64), MOVSXD, REX prefixes; CMPXCHG8B has a test of
 * its own (x86/cmpxchg8b.c) and CMPXCHG16B needs 64-bit mode.
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/apic.h"
#include "x86/pc_testdev.h"

/*
 * pc-testdev (QEMU hw/misc/pc-testdev.c) also has a 64 KiB
 * byte-addressable scratch area in memory space at 0xff000000, inside
 * the identity map of the low 4 GiB.
 */
#define TESTDEV_IOMEM		0xff000000ul

#define AREA_SIZE		256
/* si/di operand descriptors: offset into the area under test, or into
 * the auxiliary RAM buffer with AUX set. */
#define AUX			0x10000u

/* RFLAGS bits the instructions here define, SDM vol 1, 3.4.3.1 */
#define FLAGS_ARITH		0x8d5ul	/* CF PF AF ZF SF OF */
#define FLAGS_CMP		(FLAGS_ARITH | X86_EFLAGS_DF)
#define EFL_PF			(1ul << 2)
#define EFL_AF			(1ul << 4)
#define EFL_SF			(1ul << 7)
#define EFL_OF			(1ul << 11)

/* Flags an instruction leaves undefined (SDM vol 2, "Flags Affected"):
 * never compared. */
#define UNDEF_LOGIC		EFL_AF				/* AND OR XOR TEST */
#define UNDEF_BT		(EFL_OF | EFL_SF | EFL_AF | EFL_PF)	/* BT* */

/* Register images are native width: 8 bytes on x86_64, 4 on i386. */
struct emu_regs {
	unsigned long a, b, c, d, si, di, flags;
};

struct emu_case {
	const char *name;
	void (*code)(void);
	unsigned long a, b, c, d;
	u32 si, di;
	bool df;
	/* m_size bytes of m stored at di before the run (0: none) */
	unsigned long m;
	u8 m_size;
	unsigned long flags_in;	/* arithmetic flags on entry */
	unsigned long undef;	/* flags not compared */
	u16 span;		/* bytes each side of di used (0: the area) */
};

/*
 * emu_run(regs, code): load RAX..RDI and RFLAGS from *regs, call code,
 * store them back. code is one of the snippets below, each ending in ret.
 * The caller's RFLAGS (IF among them) is restored afterwards.
 */
void emu_run(struct emu_regs *regs, void (*code)(void));
#ifdef __x86_64__
asm(".text\n"
    ".globl emu_run\n"
    "emu_run:\n\t"
    "pushfq\n\t"
    "push %rbx\n\t"
    "push %rbp\n\t"
    "push %r12\n\t"
    "mov %rdi, %rbp\n\t"
    "mov %rsi, %r12\n\t"
    "mov 0(%rbp), %rax\n\t"
    "mov 8(%rbp), %rbx\n\t"
    "mov 16(%rbp), %rcx\n\t"
    "mov 24(%rbp), %rdx\n\t"
    "mov 32(%rbp), %rsi\n\t"
    "mov 40(%rbp), %rdi\n\t"
    "pushq 48(%rbp)\n\t"
    "popfq\n\t"
    "call *%r12\n\t"
    "pushfq\n\t"
    "popq 48(%rbp)\n\t"
    "cld\n\t"
    "mov %rax, 0(%rbp)\n\t"
    "mov %rbx, 8(%rbp)\n\t"
    "mov %rcx, 16(%rbp)\n\t"
    "mov %rdx, 24(%rbp)\n\t"
    "mov %rsi, 32(%rbp)\n\t"
    "mov %rdi, 40(%rbp)\n\t"
    "pop %r12\n\t"
    "pop %rbp\n\t"
    "pop %rbx\n\t"
    "popfq\n\t"
    "ret\n");
#else
/* cdecl: regs at 4(%esp), code at 8(%esp) on entry; EBP keeps regs. */
asm(".text\n"
    ".globl emu_run\n"
    "emu_run:\n\t"
    "pushf\n\t"
    "push %ebx\n\t"
    "push %ebp\n\t"
    "push %esi\n\t"
    "push %edi\n\t"
    "mov 24(%esp), %ebp\n\t"
    "pushl 28(%esp)\n\t"
    "mov 0(%ebp), %eax\n\t"
    "mov 4(%ebp), %ebx\n\t"
    "mov 8(%ebp), %ecx\n\t"
    "mov 12(%ebp), %edx\n\t"
    "mov 16(%ebp), %esi\n\t"
    "mov 20(%ebp), %edi\n\t"
    "pushl 24(%ebp)\n\t"
    "popf\n\t"
    "call *(%esp)\n\t"
    "pushf\n\t"
    "popl 24(%ebp)\n\t"
    "cld\n\t"
    "mov %eax, 0(%ebp)\n\t"
    "mov %ebx, 4(%ebp)\n\t"
    "mov %ecx, 8(%ebp)\n\t"
    "mov %edx, 12(%ebp)\n\t"
    "mov %esi, 16(%ebp)\n\t"
    "mov %edi, 20(%ebp)\n\t"
    "add $4, %esp\n\t"
    "pop %edi\n\t"
    "pop %esi\n\t"
    "pop %ebp\n\t"
    "pop %ebx\n\t"
    "popf\n\t"
    "ret\n");
#endif

/* One snippet: a global label, the instructions, ret. */
#define SNIPPET(name, insns)					\
	void snip_##name(void);					\
	asm(".text\n.globl snip_" #name "\nsnip_" #name ":\n\t"	\
	    insns "\n\tret\n")

#ifdef __x86_64__
/* Plain moves of each width, both directions, and immediates. */
SNIPPET(st8, "mov %al, (%rdi)");
SNIPPET(st16, "mov %ax, (%rdi)");
SNIPPET(st32, "mov %eax, (%rdi)");
SNIPPET(st64, "mov %rax, (%rdi)");
SNIPPET(ld8, "mov (%rsi), %al");
SNIPPET(ld16, "mov (%rsi), %ax");
SNIPPET(ld32, "mov (%rsi), %eax");
SNIPPET(ld64, "mov (%rsi), %rax");
SNIPPET(st_imm32, "movl $0x89abcdef, (%rdi)");
SNIPPET(st_imm64, "movq $-0x12345678, (%rdi)");
SNIPPET(st_unaligned, "mov %rax, 3(%rdi)");
SNIPPET(movzb, "movzbq (%rsi), %rax");
SNIPPET(movzw, "movzwl (%rsi), %eax");
SNIPPET(movsb, "movsbq (%rsi), %rax");
SNIPPET(movsw, "movswq (%rsi), %rax");
SNIPPET(movsl, "movslq (%rsi), %rax");

/* Arithmetic and logic with the memory operand as destination and source. */
SNIPPET(add_to_mem, "add %rax, (%rdi)");
SNIPPET(add_from_mem, "add (%rsi), %rax");
SNIPPET(add8_imm, "addb $0x7f, (%rdi)");
SNIPPET(adc_to_mem, "stc; adc %eax, (%rdi)");
SNIPPET(sub_to_mem, "sub %rax, (%rdi)");
SNIPPET(sbb_from_mem, "stc; sbb (%rsi), %ax");
SNIPPET(or_to_mem, "or %rax, (%rdi)");
SNIPPET(and_to_mem, "and %eax, (%rdi)");
SNIPPET(and_imm8, "andq $-16, (%rdi)");
SNIPPET(xor_to_mem, "xor %rax, (%rdi)");
SNIPPET(xor_self_zero, "mov (%rdi), %rax; xor %rax, (%rdi)");
SNIPPET(cmp_mem, "cmp %rax, (%rsi)");
SNIPPET(test_mem, "testl $0x80000000, (%rsi)");
SNIPPET(inc_mem, "incq (%rdi)");
SNIPPET(dec_mem, "decb (%rdi)");
SNIPPET(neg_mem, "negl (%rdi)");
SNIPPET(not_mem, "notw (%rdi)");
SNIPPET(shl_mem, "shlq $3, (%rdi)");
SNIPPET(bt_mem, "bt %rax, (%rsi)");
SNIPPET(bts_mem, "bts %rax, (%rdi)");
SNIPPET(btr_mem_far, "btr %rax, (%rdi)");

/* Atomics. */
SNIPPET(xchg_mem, "xchg %rax, (%rdi)");
SNIPPET(xchg8_mem, "xchg %al, (%rdi)");
SNIPPET(cmpxchg_mem, "lock cmpxchg %rbx, (%rdi)");
SNIPPET(cmpxchg32_mem, "cmpxchg %ebx, (%rdi)");
SNIPPET(xadd_mem, "lock xadd %rax, (%rdi)");

/* String instructions; RCX counts, RFLAGS.DF from the case. */
SNIPPET(movsb1, "movsb");
SNIPPET(movsq1, "movsq");
SNIPPET(rep_movsb, "rep movsb");
SNIPPET(rep_movsl, "rep movsl");
SNIPPET(stosw1, "stosw");
SNIPPET(rep_stosq, "rep stosq");
SNIPPET(rep_stosb, "rep stosb");
SNIPPET(lodsl1, "lodsl");
SNIPPET(lodsb1, "lodsb");
SNIPPET(cmpsb1, "cmpsb");
SNIPPET(repe_cmpsb, "repe cmpsb");
SNIPPET(repne_cmpsw, "repne cmpsw");
SNIPPET(scasb1, "scasb");
SNIPPET(repne_scasb, "repne scasb");
SNIPPET(repe_scasl, "repe scasl");

/* Stack: memory operands of PUSH/POP, then the stack itself in the area
 * (RDI gives its top; RDX returns the final RSP minus RDI). */
SNIPPET(push_mem, "pushq (%rsi); pop %rax");
SNIPPET(pop_mem, "push %rbx; popq (%rdi)");
SNIPPET(stack_in_area,
	"mov %rsp, %rdx; mov %rdi, %rsp; push %rax; push %rbx; "
	"pushw $0x1234; pop %cx; pop %rax; pop %rbx; pushq $-1; "
	"xchg %rdx, %rsp; sub %rdi, %rdx");

/* MOVBE, CPUID.01H:ECX[22]: run only with the "movbe" and "movbe16"
 * arguments. */
SNIPPET(movbe_ld64, "movbe (%rsi), %rax");
SNIPPET(movbe_ld16, "movbe (%rsi), %ax");
SNIPPET(movbe_st16, "movbe %ax, (%rdi)");
SNIPPET(movbe_st32, "movbe %eax, (%rdi)");
SNIPPET(movbe_st64, "movbe %rax, (%rdi)");
#else
/* Plain moves of each width, both directions, and immediates. */
SNIPPET(st8, "mov %al, (%edi)");
SNIPPET(st16, "mov %ax, (%edi)");
SNIPPET(st32, "mov %eax, (%edi)");
SNIPPET(ld8, "mov (%esi), %al");
SNIPPET(ld16, "mov (%esi), %ax");
SNIPPET(ld32, "mov (%esi), %eax");
SNIPPET(st_imm16, "movw $0xcdef, (%edi)");
SNIPPET(st_imm32, "movl $0x89abcdef, (%edi)");
SNIPPET(st_unaligned, "mov %eax, 3(%edi)");
SNIPPET(movzb, "movzbl (%esi), %eax");
SNIPPET(movzw, "movzwl (%esi), %eax");
SNIPPET(movsb, "movsbl (%esi), %eax");
SNIPPET(movsw, "movswl (%esi), %eax");

/* Arithmetic and logic with the memory operand as destination and source. */
SNIPPET(add_to_mem, "add %eax, (%edi)");
SNIPPET(add_from_mem, "add (%esi), %eax");
SNIPPET(add8_imm, "addb $0x7f, (%edi)");
SNIPPET(adc_to_mem, "stc; adc %eax, (%edi)");
SNIPPET(sub_to_mem, "sub %eax, (%edi)");
SNIPPET(sbb_from_mem, "stc; sbb (%esi), %ax");
SNIPPET(or_to_mem, "or %eax, (%edi)");
SNIPPET(and_to_mem, "and %eax, (%edi)");
SNIPPET(and_imm8, "andl $-16, (%edi)");
SNIPPET(xor_to_mem, "xor %eax, (%edi)");
SNIPPET(xor_self_zero, "mov (%edi), %eax; xor %eax, (%edi)");
SNIPPET(cmp_mem, "cmp %eax, (%esi)");
SNIPPET(test_mem, "testl $0x80000000, (%esi)");
SNIPPET(inc_mem, "incl (%edi)");
SNIPPET(dec_mem, "decb (%edi)");
SNIPPET(neg_mem, "negl (%edi)");
SNIPPET(not_mem, "notw (%edi)");
SNIPPET(shl_mem, "shll $3, (%edi)");
SNIPPET(bt_mem, "bt %eax, (%esi)");
SNIPPET(bts_mem, "bts %eax, (%edi)");
SNIPPET(btr_mem_far, "btr %eax, (%edi)");

/* Atomics. */
SNIPPET(xchg_mem, "xchg %eax, (%edi)");
SNIPPET(xchg8_mem, "xchg %al, (%edi)");
SNIPPET(cmpxchg_mem, "lock cmpxchg %ebx, (%edi)");
SNIPPET(cmpxchg16_mem, "cmpxchg %bx, (%edi)");
SNIPPET(xadd_mem, "lock xadd %eax, (%edi)");

/* String instructions; ECX counts, EFLAGS.DF from the case. */
SNIPPET(movsb1, "movsb");
SNIPPET(movsl1, "movsl");
SNIPPET(rep_movsb, "rep movsb");
SNIPPET(rep_movsl, "rep movsl");
SNIPPET(stosw1, "stosw");
SNIPPET(rep_stosl, "rep stosl");
SNIPPET(rep_stosb, "rep stosb");
SNIPPET(lodsl1, "lodsl");
SNIPPET(lodsb1, "lodsb");
SNIPPET(cmpsb1, "cmpsb");
SNIPPET(repe_cmpsb, "repe cmpsb");
SNIPPET(repne_cmpsw, "repne cmpsw");
SNIPPET(scasb1, "scasb");
SNIPPET(repne_scasb, "repne scasb");
SNIPPET(repe_scasl, "repe scasl");

/* Stack: memory operands of PUSH/POP, then the stack itself in the area
 * (EDI gives its top; EDX returns the final ESP minus EDI). */
SNIPPET(push_mem, "pushl (%esi); pop %eax");
SNIPPET(pop_mem, "push %ebx; popl (%edi)");
SNIPPET(stack_in_area,
	"mov %esp, %edx; mov %edi, %esp; push %eax; push %ebx; "
	"pushw $0x1234; pop %cx; pop %eax; pop %ebx; pushl $-1; "
	"xchg %edx, %esp; sub %edi, %edx");

/* MOVBE, CPUID.01H:ECX[22]: run only with the "movbe" and "movbe16"
 * arguments. */
SNIPPET(movbe_ld32, "movbe (%esi), %eax");
SNIPPET(movbe_ld16, "movbe (%esi), %ax");
SNIPPET(movbe_st32, "movbe %eax, (%edi)");
SNIPPET(movbe_st16, "movbe %ax, (%edi)");
#endif

/*
 * One table for both arches. W(q, l): a register-wide value, q on x86_64,
 * l on i386; ONLY64()/ONLY32(): rows whose instruction or width exists in
 * one mode only (REX.W forms, MOVSXD, 16-bit immediates...).
 */
#ifdef __x86_64__
#define W(q, l)			(q)
#define ONLY64(...)		__VA_ARGS__
#define ONLY32(...)
#define CX_NAME			"RCX"
#else
#define W(q, l)			(l)
#define ONLY64(...)
#define ONLY32(...)		__VA_ARGS__
#define CX_NAME			"ECX"
#endif

static const struct emu_case movbe_cases[] = {
	ONLY64({ "movbe 8-byte load", snip_movbe_ld64, .si = 0x18 },)
	ONLY32({ "movbe 4-byte load", snip_movbe_ld32, .si = 0x18 },)
	{ "movbe 4-byte store", snip_movbe_st32,
	  .a = W(0x0102030405060708, 0x01020304), .di = 0x30 },
	ONLY64({ "movbe 8-byte store", snip_movbe_st64,
		 .a = 0x0102030405060708, .di = 0x43 },)
};

/* The 16-bit forms (operand-size prefix 66H), apart: KVM's emulator
 * decodes MOVBE only without a prefix (docs/known-failures.md), and an
 * emulation failure ends the guest. */
static const struct emu_case movbe16_cases[] = {
	{ "movbe 2-byte load", snip_movbe_ld16, .a = ~0ul, .si = 0x21 },
	{ "movbe 2-byte store", snip_movbe_st16, .a = W(0x0102030405060708, 0x01020304),
	  .di = 0x43 },
};

/* The byte swap checked against the SDM: snippet, value, result
 * (the widest MOVBE store). */
#ifdef __x86_64__
#define snip_movbe_swap		snip_movbe_st64
#else
#define snip_movbe_swap		snip_movbe_st32
#endif
#define MOVBE_SWAP_IN		W(0x1122334455667788ul, 0x11223344ul)
#define MOVBE_SWAP_OUT		W(0x8877665544332211ul, 0x44332211ul)

static const struct emu_case cases[] = {
	{ "mov 1-byte store", snip_st8, .a = W(0x1122334455667788, 0x11223344) },
	{ "mov 2-byte store", snip_st16, .a = W(0x1122334455667788, 0x11223344),
	  .di = 5 },
	{ "mov 4-byte store", snip_st32, .a = W(0x1122334455667788, 0x11223344),
	  .di = 8 },
	ONLY64({ "mov 8-byte store", snip_st64, .a = 0x1122334455667788,
		 .di = 16 },)
	{ "mov 1-byte load", snip_ld8, .a = W(0xa5a5a5a5a5a5a5a5, 0xa5a5a5a5),
	  .si = 7 },
	{ "mov 2-byte load", snip_ld16, .a = W(0xa5a5a5a5a5a5a5a5, 0xa5a5a5a5),
	  .si = 9 },
	ONLY64({ "mov 4-byte load (zero-extends)", snip_ld32, .a = ~0ul,
		 .si = 12 },
	       { "mov 8-byte load", snip_ld64, .si = 24 },)
	ONLY32({ "mov 4-byte load", snip_ld32, .si = 12 },
	       { "mov imm16 store", snip_st_imm16, .di = 30 },)
	{ "mov imm32 store", snip_st_imm32, .di = 32 },
	ONLY64({ "mov sign-extended imm32 store", snip_st_imm64, .di = 40 },)
	{ W("mov 8-byte unaligned store", "mov 4-byte unaligned store"),
	  snip_st_unaligned, .a = W(0x0102030405060708, 0x01020304),
	  .di = 48 },
	{ "movzx byte", snip_movzb, .a = ~0ul, .si = 0x85 },
	{ "movzx word", snip_movzw, .a = ~0ul, .si = 0x86 },
	{ "movsx byte", snip_movsb, .si = 0x85 },
	{ "movsx word", snip_movsw, .si = 0x96 },
	ONLY64({ "movsxd", snip_movsl, .si = 0xa0 },)

	{ "add reg to mem", snip_add_to_mem,
	  .a = W(0x7fffffffffffffff, 0x7fffffff) },
	{ "add mem to reg", snip_add_from_mem, .a = 1, .si = 0x80 },
	{ "add imm8 to byte", snip_add8_imm, .di = 0x80 },
	{ "adc reg to mem", snip_adc_to_mem, .a = 0xffffffff, .di = 8 },
	{ "sub reg from mem", snip_sub_to_mem,
	  .a = W(0xffffffffffffff00, 0xffffff00), .di = 16 },
	{ "sbb mem from reg", snip_sbb_from_mem, .a = 0x8000, .si = 24 },
	{ "or reg to mem", snip_or_to_mem,
	  .a = W(0x8000000000000001, 0x80000001), .di = 32,
	  .undef = UNDEF_LOGIC },
	{ "and reg to mem", snip_and_to_mem, .a = 0x0f0f0f0f, .di = 40,
	  .undef = UNDEF_LOGIC },
	{ "and sign-extended imm8", snip_and_imm8, .di = 48,
	  .undef = UNDEF_LOGIC },
	{ "xor reg to mem", snip_xor_to_mem, .a = W(0xffff0000ffff0000, 0xffff0000),
	  .di = 56,
	  .undef = UNDEF_LOGIC },
	{ "xor to zero", snip_xor_self_zero, .di = 64,
	  .undef = UNDEF_LOGIC },
	{ "cmp mem with reg", snip_cmp_mem, .a = W(0x4000000000000000, 0x40000000),
	  .si = 72 },
	{ "test mem", snip_test_mem, .si = 0x88,
	  .undef = UNDEF_LOGIC },
	{ "inc mem", snip_inc_mem, .di = 80 },
	{ "dec byte", snip_dec_mem, .di = 0 },
	{ "neg mem", snip_neg_mem, .di = 88 },
	{ "not word", snip_not_mem, .di = 96 },
	{ "shl mem", snip_shl_mem, .di = 104,
	  .undef = EFL_AF | EFL_OF },
	{ "bt mem (bit offset beyond the operand)", snip_bt_mem, .a = 77,
	  .si = 16, .undef = UNDEF_BT },
	{ "bts mem", snip_bts_mem, .a = 3, .di = 24,
	  .undef = UNDEF_BT },
	{ "btr mem (negative bit offset)", snip_btr_mem_far, .a = -9ul,
	  .di = 40, .undef = UNDEF_BT },

	{ "xchg reg with mem", snip_xchg_mem, .a = W(0xdeadbeefcafef00d, 0xdeadbeef),
	  .di = 8 },
	{ "xchg byte", snip_xchg8_mem, .a = 0x5a, .di = 3 },
	/* RAX (EAX) holds the memory value (filled in per run) for success. */
	{ "cmpxchg success", snip_cmpxchg_mem, .a = ~0ul,
	  .b = W(0x1234567890abcdef, 0x90abcdef), .di = 16 },
	{ "cmpxchg failure", snip_cmpxchg_mem, .a = 0,
	  .b = W(0x1234567890abcdef, 0x90abcdef), .di = 16 },
	ONLY64({ "cmpxchg 4-byte failure", snip_cmpxchg32_mem, .a = 0x77,
		 .b = 0x99, .di = 20 },)
	ONLY32({ "cmpxchg 2-byte failure", snip_cmpxchg16_mem, .a = 0x77,
		 .b = 0x99, .di = 20 },)
	{ "xadd", snip_xadd_mem, .a = 0x100, .di = 32 },

	{ "movsb MMIO to RAM", snip_movsb1, .si = 5, .di = AUX | 9 },
	{ "movsb RAM to MMIO", snip_movsb1, .si = AUX | 5, .di = 9 },
	ONLY64({ "movsq MMIO to MMIO", snip_movsq1, .si = 0x40, .di = 0x10 },
	       { "movsq DF=1", snip_movsq1, .si = 0x40, .di = AUX | 0x10,
		 .df = true },)
	ONLY32({ "movsl MMIO to MMIO", snip_movsl1, .si = 0x40, .di = 0x10 },
	       { "movsl DF=1", snip_movsl1, .si = 0x40, .di = AUX | 0x10,
		 .df = true },)
	{ "rep movsb MMIO to RAM", snip_rep_movsb, .c = 37, .si = 3,
	  .di = AUX },
	{ "rep movsb RAM to MMIO", snip_rep_movsb, .c = 37, .si = AUX | 3,
	  .di = 0x20 },
	{ "rep movsb MMIO to MMIO", snip_rep_movsb, .c = 50, .si = 0x80,
	  .di = 0x10 },
	{ "rep movsb DF=1", snip_rep_movsb, .c = 17, .si = AUX | 0x60,
	  .di = 0x90, .df = true },
	{ "rep movsl MMIO to RAM", snip_rep_movsl, .c = 12, .si = 0x30,
	  .di = AUX | 0x10 },
	{ "rep movsl DF=1", snip_rep_movsl, .c = 9, .si = 0x70,
	  .di = AUX | 0xc0, .df = true },
	{ "rep movsb " CX_NAME "=0", snip_rep_movsb, .c = 0, .si = AUX, .di = 0 },
	{ "stosw", snip_stosw1, .a = 0xbeef, .di = 11 },
	{ "stosw DF=1", snip_stosw1, .a = 0xbeef, .di = 11, .df = true },
	ONLY64({ "rep stosq", snip_rep_stosq, .a = 0x0123456789abcdef, .c = 9,
		 .di = 0x18 },)
	ONLY32({ "rep stosl", snip_rep_stosl, .a = 0x89abcdef, .c = 9,
		 .di = 0x18 },)
	{ "rep stosb DF=1", snip_rep_stosb, .a = 0x3c, .c = 40, .di = 0xf0,
	  .df = true },
	{ "lodsl", snip_lodsl1, .a = ~0ul, .si = 0x44 },
	{ "lodsb DF=1", snip_lodsb1, .a = ~0ul, .si = 0x44, .df = true },
	{ "cmpsb MMIO with RAM", snip_cmpsb1, .si = 0x10, .di = AUX | 0x11 },
	{ "cmpsb RAM with MMIO", snip_cmpsb1, .si = AUX | 0x10, .di = 0x10 },
	/* The areas are filled alike except the aux buffer's byte 0x27,
	 * so REPE CMPS stops there. */
	{ "repe cmpsb stops at a difference", snip_repe_cmpsb, .c = 64,
	  .si = 0x10, .di = AUX | 0x10 },
	{ "repe cmpsb DF=1", snip_repe_cmpsb, .c = 64, .si = 0x40,
	  .di = AUX | 0x40, .df = true },
	{ "repne cmpsw", snip_repne_cmpsw, .c = 20, .si = 0x10,
	  .di = AUX | 0x12 },
	{ "scasb", snip_scasb1, .a = 0x40, .di = 0x30 },
	{ "repne scasb finds a byte", snip_repne_scasb, .a = 0x9d, .c = 200,
	  .di = 0 },
	{ "repne scasb DF=1", snip_repne_scasb, .a = 0x9d, .c = 200,
	  .di = 0xff, .df = true },
	{ "repe scasl", snip_repe_scasl, .c = 30, .di = 0x60 },

	{ "push from mem", snip_push_mem, .si = 0x28 },
	{ "pop to mem", snip_pop_mem, .b = W(0xfedcba9876543210, 0xfedcba98),
	  .di = 0x38 },
	{ "stack in MMIO: push, pop, pushw, popw", snip_stack_in_area,
	  .a = W(0x1111222233334444, 0x33334444),
	  .b = W(0x5555666677778888, 0x77778888), .di = 0xc0 },
};

static u8 ram_area[AREA_SIZE] __aligned(64);
static u8 aux_area[AREA_SIZE] __aligned(64);

/* Byte-wise so that filling and reading the MMIO area relies on nothing
 * but 1-byte moves (themselves tested above). */
static void area_fill(volatile u8 *p, unsigned lo, unsigned hi)
{
	unsigned i;

	for (i = lo; i < hi; i++)
		p[i] = (u8)(i * 0x9d + 0x31);
}

/* Bytes outside [lo, hi) read as 0 in both runs. */
static void area_read(volatile u8 *p, u8 *out, unsigned lo, unsigned hi)
{
	unsigned i;

	for (i = 0; i < AREA_SIZE; i++)
		out[i] = i >= lo && i < hi ? p[i] : 0;
}

static unsigned long resolve(u32 desc, u8 *area)
{
	return desc & AUX ? (uintptr_t)&aux_area[desc & ~AUX]
			  : (uintptr_t)&area[desc];
}

/* Address registers back to offsets so the two runs compare. */
static unsigned long unresolve(unsigned long addr, u32 desc, u8 *area)
{
	return addr - resolve(desc & AUX, area);
}

struct emu_result {
	struct emu_regs r;
	u8 area[AREA_SIZE];
	u8 aux[AREA_SIZE];
};

static void run_case(const struct emu_case *c, u8 *area,
		     struct emu_result *res)
{
	struct emu_regs *r = &res->r;
	/* a case with a span touches only di - span .. di + span: each
	 * MMIO byte filled and read back costs an exit under KVM */
	unsigned lo = c->span ? c->di - c->span : 0;
	unsigned hi = c->span ? c->di + c->span : AREA_SIZE;

	area_fill(area, lo, hi);
	area_fill(aux_area, 0, AREA_SIZE);
	aux_area[0x27] ^= 0xff;

	r->a = c->a;
	r->b = c->b;
	r->c = c->c;
	r->d = c->d;
	r->si = resolve(c->si, area);
	r->di = resolve(c->di, area);
	r->flags = X86_EFLAGS_FIXED | (c->flags_in & FLAGS_ARITH) |
		   (c->df ? X86_EFLAGS_DF : 0);
	if (c->m_size) {
		volatile u8 *p = (volatile u8 *)resolve(c->di, area);
		unsigned i;

		for (i = 0; i < c->m_size; i++)
			p[i] = (u8)(c->m >> (8 * i));
	}
	if (c->code == snip_cmpxchg_mem && c->a == ~0ul)
		r->a = ((volatile unsigned long *)area)[c->di / sizeof(long)];

	emu_run(r, c->code);

	r->si = unresolve(r->si, c->si, area);
	r->di = unresolve(r->di, c->di, area);
	r->flags &= FLAGS_CMP & ~c->undef;
	area_read(area, res->area, lo, hi);
	area_read(aux_area, res->aux, 0, AREA_SIZE);
}

static int first_diff(const u8 *x, const u8 *y)
{
	int i;

	for (i = 0; i < AREA_SIZE; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

/*
 * Run @c on RAM and on @mmio. True when registers, the compared flags and
 * both memory areas agree; else @why says what differed, got/want.
 */
static bool compare_case(const struct emu_case *c, u8 *mmio, char *why,
			 size_t len)
{
	static struct emu_result ram, io;
	static const char *const names[] = {
#ifdef __x86_64__
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rflags"
#else
		"eax", "ebx", "ecx", "edx", "esi", "edi", "eflags"
#endif
	};
	const unsigned long *rr = (const unsigned long *)&ram.r;
	const unsigned long *ir = (const unsigned long *)&io.r;
	int i, off;

	run_case(c, ram_area, &ram);
	run_case(c, mmio, &io);

	for (i = 0; i < 7; i++) {
		if (rr[i] != ir[i]) {
			snprintf(why, len, "%s (got %#lx on MMIO, want %#lx "
				 "as on RAM)", names[i], ir[i], rr[i]);
			return false;
		}
	}
	off = first_diff(io.area, ram.area);
	if (off >= 0) {
		snprintf(why, len, "byte %#x of the MMIO area (got %#x, want "
			 "%#x as on RAM)", off, io.area[off], ram.area[off]);
		return false;
	}
	off = first_diff(io.aux, ram.aux);
	if (off >= 0) {
		snprintf(why, len, "byte %#x of the RAM buffer (got %#x, want "
			 "%#x as with the RAM area)", off, io.aux[off],
			 ram.aux[off]);
		return false;
	}
	return true;
}

static void check_case(const struct emu_case *c, u8 *mmio)
{
	char why[128];

	if (compare_case(c, mmio, why, sizeof(why)))
		report_pass("%s: registers, flags and memory as on RAM",
			    c->name);
	else
		report_fail("%s: %s", c->name, why);
}

/*
 * Flags of the ALU instructions with an MMIO destination, per operand
 * size and over operands chosen to set and clear every arithmetic flag,
 * each run with all six flags clear and all set on entry (ADC/SBB carry
 * in, INC/DEC keeping CF, count-0 shifts keeping everything). The RAM
 * run is the reference; flags the SDM leaves undefined for the case are
 * masked (vol 2, each instruction's "Flags Affected").
 */
#ifdef __x86_64__
#define DI		"%rdi"
#define NR_SIZES	4
#define SIZE_Q(...)	__VA_ARGS__
#else
#define DI		"%edi"
#define NR_SIZES	3
#define SIZE_Q(...)
#endif

/* op reg, (DI) */
#define ALU_BIN(op)							\
	SNIPPET(op##_b, #op "b %al, (" DI ")");				\
	SNIPPET(op##_w, #op "w %ax, (" DI ")");				\
	SNIPPET(op##_l, #op "l %eax, (" DI ")");			\
	SIZE_Q(SNIPPET(op##_q, #op "q %rax, (" DI ")"))
/* op (DI) */
#define ALU_UN(op)							\
	SNIPPET(op##_b, #op "b (" DI ")");				\
	SNIPPET(op##_w, #op "w (" DI ")");				\
	SNIPPET(op##_l, #op "l (" DI ")");				\
	SIZE_Q(SNIPPET(op##_q, #op "q (" DI ")"))
/* op %cl, (DI), and op $1, (DI) (opcodes D0/D1, no count byte) */
#define ALU_SH(op)							\
	SNIPPET(op##_b, #op "b %cl, (" DI ")");				\
	SNIPPET(op##_w, #op "w %cl, (" DI ")");				\
	SNIPPET(op##_l, #op "l %cl, (" DI ")");				\
	SIZE_Q(SNIPPET(op##_q, #op "q %cl, (" DI ")"));			\
	SNIPPET(op##1_b, #op "b $1, (" DI ")");				\
	SNIPPET(op##1_w, #op "w $1, (" DI ")");				\
	SNIPPET(op##1_l, #op "l $1, (" DI ")");				\
	SIZE_Q(SNIPPET(op##1_q, #op "q $1, (" DI ")"))
/* accumulator and RBX against (DI): cmpxchg with and without LOCK */
#define ALU_CMPXCHG(name, pfx)						\
	SNIPPET(name##_b, pfx "cmpxchgb %bl, (" DI ")");		\
	SNIPPET(name##_w, pfx "cmpxchgw %bx, (" DI ")");		\
	SNIPPET(name##_l, pfx "cmpxchgl %ebx, (" DI ")");		\
	SIZE_Q(SNIPPET(name##_q, pfx "cmpxchgq %rbx, (" DI ")"))
#define ALU_XADD(name, pfx)						\
	SNIPPET(name##_b, pfx "xaddb %al, (" DI ")");			\
	SNIPPET(name##_w, pfx "xaddw %ax, (" DI ")");			\
	SNIPPET(name##_l, pfx "xaddl %eax, (" DI ")");			\
	SIZE_Q(SNIPPET(name##_q, pfx "xaddq %rax, (" DI ")"))
/* bit offset in a register, or imm8 (taken modulo the operand size) */
#define ALU_BT(op)							\
	SNIPPET(op##_w, #op "w %ax, (" DI ")");				\
	SNIPPET(op##_l, #op "l %eax, (" DI ")");			\
	SIZE_Q(SNIPPET(op##_q, #op "q %rax, (" DI ")"));		\
	SNIPPET(op##i_w, #op "w $77, (" DI ")");			\
	SNIPPET(op##i_l, #op "l $77, (" DI ")");			\
	SIZE_Q(SNIPPET(op##i_q, #op "q $77, (" DI ")"))

ALU_BIN(add); ALU_BIN(adc); ALU_BIN(sub); ALU_BIN(sbb); ALU_BIN(and);
ALU_BIN(or); ALU_BIN(xor); ALU_BIN(cmp); ALU_BIN(test);
ALU_UN(neg); ALU_UN(inc); ALU_UN(dec); ALU_UN(not);
ALU_SH(shl); ALU_SH(shr); ALU_SH(sar); ALU_SH(rol); ALU_SH(ror);
ALU_CMPXCHG(cmpxchg, ""); ALU_CMPXCHG(lock_cmpxchg, "lock ");
ALU_XADD(xadd, ""); ALU_XADD(lock_xadd, "lock ");
ALU_BT(bt); ALU_BT(bts); ALU_BT(btr); ALU_BT(btc);

#define BY_SIZE(op)							\
	{ snip_##op##_b, snip_##op##_w, snip_##op##_l,			\
	  SIZE_Q(snip_##op##_q) }
/* BT has no byte form: index 0 unused */
#define BY_SIZE_BT(op)							\
	{ NULL, snip_##op##_w, snip_##op##_l, SIZE_Q(snip_##op##_q) }

enum alu_kind {
	K_ARITH,	/* all six flags defined */
	K_LOGIC,	/* AF undefined */
	K_UNARY,	/* NEG INC DEC NOT: all defined (or unaffected) */
	K_SHIFT,	/* count in CL */
	K_SHIFT1,	/* count 1, D0/D1 encoding */
	K_ROT,
	K_ROT1,
	K_CMPXCHG,
	K_XADD,
	K_BT,		/* offset in a register */
	K_BTI,		/* offset imm8 */
};

struct alu_op {
	const char *name;
	enum alu_kind kind;
	void (*code[NR_SIZES])(void);
};

static const struct alu_op alu_ops[] = {
	{ "add", K_ARITH, BY_SIZE(add) },
	{ "adc", K_ARITH, BY_SIZE(adc) },
	{ "sub", K_ARITH, BY_SIZE(sub) },
	{ "sbb", K_ARITH, BY_SIZE(sbb) },
	{ "cmp", K_ARITH, BY_SIZE(cmp) },
	{ "and", K_LOGIC, BY_SIZE(and) },
	{ "or", K_LOGIC, BY_SIZE(or) },
	{ "xor", K_LOGIC, BY_SIZE(xor) },
	{ "test", K_LOGIC, BY_SIZE(test) },
	{ "neg", K_UNARY, BY_SIZE(neg) },
	{ "inc", K_UNARY, BY_SIZE(inc) },
	{ "dec", K_UNARY, BY_SIZE(dec) },
	{ "not", K_UNARY, BY_SIZE(not) },
	{ "shl", K_SHIFT, BY_SIZE(shl) },
	{ "shr", K_SHIFT, BY_SIZE(shr) },
	{ "sar", K_SHIFT, BY_SIZE(sar) },
	{ "rol", K_ROT, BY_SIZE(rol) },
	{ "ror", K_ROT, BY_SIZE(ror) },
	{ "shl $1", K_SHIFT1, BY_SIZE(shl1) },
	{ "shr $1", K_SHIFT1, BY_SIZE(shr1) },
	{ "sar $1", K_SHIFT1, BY_SIZE(sar1) },
	{ "rol $1", K_ROT1, BY_SIZE(rol1) },
	{ "ror $1", K_ROT1, BY_SIZE(ror1) },
	{ "cmpxchg", K_CMPXCHG, BY_SIZE(cmpxchg) },
	{ "lock cmpxchg", K_CMPXCHG, BY_SIZE(lock_cmpxchg) },
	{ "xadd", K_XADD, BY_SIZE(xadd) },
	{ "lock xadd", K_XADD, BY_SIZE(lock_xadd) },
	{ "bt", K_BT, BY_SIZE_BT(bt) },
	{ "bts", K_BT, BY_SIZE_BT(bts) },
	{ "btr", K_BT, BY_SIZE_BT(btr) },
	{ "btc", K_BT, BY_SIZE_BT(btc) },
	{ "bt $77", K_BTI, BY_SIZE_BT(bti) },
	{ "bts $77", K_BTI, BY_SIZE_BT(btsi) },
	{ "btr $77", K_BTI, BY_SIZE_BT(btri) },
	{ "btc $77", K_BTI, BY_SIZE_BT(btci) },
};

/* Operand values, per size (bits 8 << size index). */
enum alu_val { V_ZERO, V_ONE, V_ONES, V_MIN, V_MAX, V_PAT_A, V_PAT_B,
	       V_MIN1 };

static unsigned long alu_mask(unsigned bits)
{
	return bits >= 8 * sizeof(long) ? ~0ul : (1ul << bits) - 1;
}

static unsigned long alu_val(enum alu_val v, unsigned bits)
{
	unsigned long mask = alu_mask(bits), bytes = ~0ul / 0xff;

	switch (v) {
	case V_ZERO:	return 0;
	case V_ONE:	return 1;
	case V_ONES:	return mask;
	case V_MIN:	return 1ul << (bits - 1);
	case V_MAX:	return mask >> 1;
	case V_PAT_A:	return bytes * 0x5a & mask;
	case V_PAT_B:	return bytes * 0xc3 & mask;
	case V_MIN1:	return (1ul << (bits - 1)) | 1;
	}
	return 0;
}

/* Register bits above the operand: an emulator must neither use nor
 * change them (except where a 32-bit result zero-extends, which the RAM
 * run shows). */
#define JUNK		((unsigned long)0xdeadbeefdeadbeefull)

/* (register, memory) pairs for the two-operand instructions: carries,
 * overflows both ways, zero results, sign, parity and adjust. */
static const u8 alu_pairs[][2] = {
	{ V_ONE, V_ONES }, { V_ONE, V_MAX }, { V_ONE, V_MIN },
	{ V_MIN, V_MIN }, { V_MAX, V_ZERO }, { V_PAT_A, V_PAT_B },
	{ V_ONES, V_ONES }, { V_MIN1, V_MAX },
};
static const u8 alu_unary_vals[] = {
	V_ZERO, V_ONE, V_ONES, V_MIN, V_MAX, V_PAT_A, V_MIN1,
};
/* Shift counts: 0, 1, more, at and beyond the operand width, and values
 * the 5-bit (6-bit for 64-bit operands) count mask folds to 0 and 1. */
static const u8 alu_counts[] = {
	0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255,
};
/* Register bit offsets for BT*: inside the operand, beyond it, negative
 * (SDM vol 2A, BT: memory bit-string addressing, offset signed to the
 * operand size). The area's DI is in its middle. */
static const int bt_offsets[] = { 5, 77, -1, -77, 1000, -1000 };
#define ALU_DI		0x80

static unsigned long shift_undef(enum alu_kind k, const char *name,
				 unsigned bits, unsigned count)
{
	unsigned masked = count & (bits == 64 ? 0x3f : 0x1f);
	unsigned long undef;

	/* SDM vol 2B, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR, Flags Affected */
	if (!masked)
		return 0;
	if (k == K_ROT)
		return masked == 1 ? 0 : EFL_OF;
	undef = EFL_AF | (masked == 1 ? 0 : EFL_OF);
	/* CF undefined when the count is at least the width, SHL/SHR only */
	if (masked >= bits && strncmp(name, "sa", 2))
		undef |= X86_EFLAGS_CF;
	return undef;
}

/* Run every input of one instruction at one size; one report line. */
static void check_alu(const struct alu_op *op, unsigned sz, u8 *mmio)
{
	unsigned bits = 8u << sz, size = 1u << sz, n = 0, i, fl;
	unsigned long mask = alu_mask(bits);
	struct emu_case c;
	char why[128], what[96];

	for (i = 0; ; i++) {
		for (fl = 0; fl < 2; fl++) {
			c = (struct emu_case){ .code = op->code[sz],
				.di = ALU_DI, .m_size = size, .span = 16,
				.flags_in = fl ? FLAGS_ARITH : 0 };
			switch (op->kind) {
			case K_ARITH: case K_LOGIC: case K_XADD:
				if (i >= ARRAY_SIZE(alu_pairs))
					goto done;
				c.a = (JUNK & ~mask) |
				      alu_val(alu_pairs[i][0], bits);
				c.m = alu_val(alu_pairs[i][1], bits);
				if (op->kind == K_LOGIC)
					c.undef = UNDEF_LOGIC;
				snprintf(what, sizeof(what), "reg %#lx mem %#lx",
					 c.a & mask, c.m);
				break;
			case K_UNARY: case K_SHIFT1: case K_ROT1:
				if (i >= ARRAY_SIZE(alu_unary_vals))
					goto done;
				c.m = alu_val(alu_unary_vals[i], bits);
				if (op->kind != K_UNARY)
					c.undef = shift_undef(op->kind == K_ROT1 ?
							      K_ROT : K_SHIFT,
							      op->name, bits, 1);
				snprintf(what, sizeof(what), "mem %#lx", c.m);
				break;
			case K_SHIFT: case K_ROT:
				if (i >= 2 * ARRAY_SIZE(alu_counts))
					goto done;
				c.m = alu_val(i & 1 ? V_PAT_A : V_MIN1, bits);
				c.c = (JUNK & ~0xfful) | alu_counts[i / 2];
				c.undef = shift_undef(op->kind, op->name, bits,
						      alu_counts[i / 2]);
				snprintf(what, sizeof(what), "mem %#lx count %u",
					 c.m, alu_counts[i / 2]);
				break;
			case K_CMPXCHG:
				/* equal (stores RBX) and not equal (loads
				 * the accumulator) */
				if (i >= 2 * ARRAY_SIZE(alu_pairs))
					goto done;
				c.m = alu_val(alu_pairs[i / 2][1], bits);
				c.a = (JUNK & ~mask) |
				      (i & 1 ? alu_val(alu_pairs[i / 2][0], bits)
					     : c.m);
				c.b = (~JUNK & ~mask) |
				      alu_val(alu_pairs[i / 2][0], bits);
				snprintf(what, sizeof(what), "acc %#lx mem %#lx",
					 c.a & mask, c.m);
				break;
			case K_BT: case K_BTI:
				if (i >= ARRAY_SIZE(bt_offsets) ||
				    (op->kind == K_BTI && i))
					goto done;
				c.m_size = 0;
				c.span = 0;
				c.a = (JUNK & ~mask) |
				      ((unsigned long)bt_offsets[i] & mask);
				c.undef = UNDEF_BT;
				snprintf(what, sizeof(what), "bit offset %d",
					 op->kind == K_BTI ? 77 : bt_offsets[i]);
				break;
			}
			n++;
			if (!compare_case(&c, mmio, why, sizeof(why))) {
				report_fail("flags: %s %u-byte: %s, flags in %#lx:"
					    " %s", op->name, size, what,
					    c.flags_in, why);
				return;
			}
		}
	}
done:
	report_pass("flags: %s %u-byte: %u runs, result and defined flags "
		    "as on RAM", op->name, size, n);
}

static void test_alu_flags(u8 *mmio)
{
	unsigned i, sz;

	for (i = 0; i < ARRAY_SIZE(alu_ops); i++)
		for (sz = 0; sz < NR_SIZES; sz++)
			if (alu_ops[i].code[sz])
				check_alu(&alu_ops[i], sz, mmio);
}

/*
 * Some of the same instructions on MMIO checked against the SDM's
 * results instead of RAM's, so that a reference that is itself wrong is
 * noticed: a count of 0 changes no flag, OF of 1-bit shifts and rotates,
 * carry in and out, a negative bit offset.
 */
struct alu_sdm {
	const char *name;
	void (*code)(void);
	unsigned long a, c, m, flags_in;
	unsigned long want_m, want_flags, mask;
	unsigned m_off;		/* offset of m from DI (BT tests below DI) */
};

#define CF	X86_EFLAGS_CF
#define ZF	X86_EFLAGS_ZF
static const struct alu_sdm alu_sdm[] = {
	{ "shl by CL=0 keeps all flags set", snip_shl_l, .c = 0,
	  .m = 0x80000001, .flags_in = FLAGS_ARITH, .want_m = 0x80000001,
	  .want_flags = FLAGS_ARITH, .mask = FLAGS_ARITH },
	{ "sar by CL=32 (masked to 0) keeps flags clear", snip_sar_l, .c = 32,
	  .m = 0x80000001, .want_m = 0x80000001, .mask = FLAGS_ARITH },
	{ "rol by CL=0 keeps all flags set", snip_rol_b, .c = 0, .m = 0x81,
	  .flags_in = FLAGS_ARITH, .want_m = 0x81,
	  .want_flags = FLAGS_ARITH, .mask = FLAGS_ARITH },
	/* OF := MSB(result) XOR CF for 1-bit left shifts and rotates,
	 * MSB XOR next bit of the result for ROR, MSB of the original for
	 * SHR, 0 for SAR */
	{ "rol $1 of 0x80: CF=1 OF=1", snip_rol1_b, .m = 0x80, .want_m = 0x01,
	  .want_flags = CF | EFL_OF, .mask = CF | EFL_OF },
	{ "ror $1 of 0x01: CF=1 OF=1", snip_ror1_b, .m = 0x01, .want_m = 0x80,
	  .want_flags = CF | EFL_OF, .mask = CF | EFL_OF },
	{ "shl $1 of 0x4000: OF=1 SF=1 CF=0", snip_shl1_w, .m = 0x4000,
	  .want_m = 0x8000, .want_flags = EFL_OF | EFL_SF,
	  .mask = CF | EFL_OF | EFL_SF | ZF },
	{ "shr $1 of 0x80000000: OF=1 CF=0", snip_shr1_l, .m = 0x80000000,
	  .want_m = 0x40000000, .want_flags = EFL_OF,
	  .mask = CF | EFL_OF | EFL_SF | ZF },
	{ "sar $1 of 0x81: OF=0 CF=1 SF=1", snip_sar1_b, .m = 0x81,
	  .flags_in = EFL_OF, .want_m = 0xc0, .want_flags = CF | EFL_SF,
	  .mask = CF | EFL_OF | EFL_SF | ZF },
	{ "shl by CL=9 of a byte: 0, ZF=1 PF=1", snip_shl_b, .c = 9,
	  .m = 0xff, .want_m = 0, .want_flags = ZF | EFL_PF,
	  .mask = ZF | EFL_PF | EFL_SF },
	{ "adc with CF=1: 0xff + 0 + 1 = 0, CF=1 ZF=1 AF=1", snip_adc_b,
	  .m = 0xff, .flags_in = CF, .want_m = 0,
	  .want_flags = CF | ZF | EFL_AF | EFL_PF, .mask = FLAGS_ARITH },
	{ "sbb with CF=1: 0 - 0 - 1 = 0xffff, CF=1 SF=1", snip_sbb_w,
	  .m = 0, .flags_in = CF, .want_m = 0xffff,
	  .want_flags = CF | EFL_SF | EFL_AF | EFL_PF, .mask = FLAGS_ARITH },
	{ "inc keeps CF=1: 0x7fffffff + 1, OF=1", snip_inc_l,
	  .m = 0x7fffffff, .flags_in = CF, .want_m = 0x80000000,
	  .want_flags = CF | EFL_OF | EFL_SF | EFL_AF | EFL_PF,
	  .mask = FLAGS_ARITH },
	{ "neg of 0: CF=0 ZF=1", snip_neg_w, .m = 0, .flags_in = CF,
	  .want_m = 0, .want_flags = ZF | EFL_PF, .mask = FLAGS_ARITH },
	/* bit -1 is bit 7 of the byte below the operand */
	{ "bt with bit offset -1 reads the byte below: CF=1", snip_bt_l,
	  .a = -1ul, .m = 0x80, .m_off = 1, .want_m = 0x80,
	  .want_flags = CF, .mask = CF },
	{ "btc with bit offset -8 flips bit 0 of the byte 1 below",
	  snip_btc_w, .a = 0xfff8, .m = 0x01, .m_off = 1, .want_m = 0x00,
	  .want_flags = CF, .mask = CF },
};
#undef CF
#undef ZF

static void test_alu_sdm(u8 *mmio)
{
	volatile u8 *p = mmio + ALU_DI;
	unsigned i, j;

	for (i = 0; i < ARRAY_SIZE(alu_sdm); i++) {
		const struct alu_sdm *t = &alu_sdm[i];
		volatile u8 *mp = p - t->m_off;
		struct emu_regs r;
		unsigned long got_m = 0;

		for (j = 0; j < sizeof(long); j++)
			mp[j] = (u8)(t->m >> (8 * j));
		r = (struct emu_regs){ .a = t->a, .c = t->c,
				       .di = (uintptr_t)p,
				       .flags = X86_EFLAGS_FIXED | t->flags_in };
		emu_run(&r, t->code);
		for (j = 0; j < sizeof(long); j++)
			got_m |= (unsigned long)mp[j] << (8 * j);
		report(got_m == t->want_m &&
		       (r.flags & t->mask) == t->want_flags,
		       "flags: SDM: %s (got mem %#lx flags %#lx, want %#lx "
		       "flags %#lx under mask %#lx)", t->name, got_m,
		       r.flags & t->mask, t->want_m, t->want_flags, t->mask);
	}
}

/*
 * BSF and BSR with a zero source on MMIO: ZF=1 on both vendors. The
 * destination is where the manuals part: undefined on Intel (SDM vol 2A,
 * BSF and BSR), left unchanged on AMD (APM vol 3, BSF and BSR). Native
 * width, so that no 32-bit write zeroes the upper half in 64-bit mode.
 */
#ifdef __x86_64__
SNIPPET(bsf_zero, "bsfq (%rdi), %rax");
SNIPPET(bsr_zero, "bsrq (%rdi), %rax");
#else
SNIPPET(bsf_zero, "bsfl (%edi), %eax");
SNIPPET(bsr_zero, "bsrl (%edi), %eax");
#endif
#define BSCAN_DEST	((unsigned long)0x5a5aa5a5c3c33c3cull)

static void test_bit_scan_zero(u8 *mmio)
{
	static const struct {
		const char *name;
		void (*code)(void);
	} ops[] = { { "BSF", snip_bsf_zero }, { "BSR", snip_bsr_zero } };
	volatile u8 *p = mmio + ALU_DI;
	struct emu_regs r;
	unsigned i, j;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (j = 0; j < sizeof(long); j++)
			p[j] = 0;
		r = (struct emu_regs){ .a = BSCAN_DEST, .di = (uintptr_t)p,
				       .flags = X86_EFLAGS_FIXED };
		emu_run(&r, ops[i].code);
		report(r.flags & X86_EFLAGS_ZF, "%s of a zero source sets ZF "
		       "(got flags %#lx; SDM vol 2A and APM vol 3, %s)",
		       ops[i].name, r.flags, ops[i].name);
		if (cpu_is_amd())
			report(r.a == BSCAN_DEST, "AMD: %s of a zero source "
			       "leaves the destination (got %#lx, want %#lx; "
			       "APM vol 3, %s)", ops[i].name, r.a, BSCAN_DEST,
			       ops[i].name);
		else
			report_skip("%s of a zero source: the destination is "
				    "undefined on Intel (SDM vol 2A, %s)",
				    ops[i].name, ops[i].name);
	}
}

/*
 * SSE and AVX moves to and from MMIO. KVM's emulator has its own code
 * for each of these (operand size, alignment checks, the part of the
 * register a load leaves or zeroes). Each move is checked byte by byte
 * against the SDM (vol 2, MOVD/MOVQ, MOVDQU, MOVDQA, MOVUPS, MOVAPS,
 * MOVHPS, MOVNTDQ, and the VEX forms), on RAM and on MMIO.
 *
 * The runtime is built with -mno-sse: the compiler never touches the
 * vector registers, so one asm statement may leave them for the next,
 * and nothing needs saving.
 */
#ifndef X86_FEATURE_MMX
#define X86_FEATURE_MMX		CPUID_FEATURE(1, 0, EDX, 23, "CPUID.01H:EDX[23] (MMX)")
#endif
#ifndef X86_FEATURE_SSE
#define X86_FEATURE_SSE		CPUID_FEATURE(1, 0, EDX, 25, "CPUID.01H:EDX[25] (SSE)")
#endif
#ifndef X86_FEATURE_SSE2
#define X86_FEATURE_SSE2	CPUID_FEATURE(1, 0, EDX, 26, "CPUID.01H:EDX[26] (SSE2)")
#endif
#ifndef X86_FEATURE_AVX
#define X86_FEATURE_AVX		CPUID_FEATURE(1, 0, ECX, 28, "CPUID.01H:ECX[28] (AVX)")
#endif

/* XCR0 state components, SDM vol 1, 13.1 */
#define XCR0_X87		(1ull << 0)
#define XCR0_SSE		(1ull << 1)
#define XCR0_AVX		(1ull << 2)

/* A window of the pc-testdev scratch area apart from the one above. */
#define SIMD_MMIO_OFF		0x1000
#define SIMD_WIN		96
/* 32-byte aligned offset in the window; unaligned ones add to it. */
#define SIMD_OFF		32

/*
 * simd_<name>(mem, buf): %0 the memory under test, %1 a RAM buffer:
 * the source of a store, or for a load the register's previous contents
 * on entry and what the register holds afterwards on return.
 */
#define SIMD_FN(name, insns)						\
	static void simd_##name(void *m, void *b)			\
	{								\
		asm volatile(insns :: "r"(m), "r"(b) : "memory");	\
	}

SIMD_FN(movd_st, "movdqu (%1), %%xmm0\n\tmovd %%xmm0, (%0)")
SIMD_FN(movd_ld, "movdqu (%1), %%xmm0\n\tmovd (%0), %%xmm0\n\t"
		 "movdqu %%xmm0, (%1)")
SIMD_FN(movq_st, "movdqu (%1), %%xmm0\n\tmovq %%xmm0, (%0)")
SIMD_FN(movq_ld, "movdqu (%1), %%xmm0\n\tmovq (%0), %%xmm0\n\t"
		 "movdqu %%xmm0, (%1)")
SIMD_FN(movhps_st, "movdqu (%1), %%xmm0\n\tmovhps %%xmm0, (%0)")
SIMD_FN(movhps_ld, "movdqu (%1), %%xmm0\n\tmovhps (%0), %%xmm0\n\t"
		   "movdqu %%xmm0, (%1)")
SIMD_FN(movdqu_st, "movdqu (%1), %%xmm0\n\tmovdqu %%xmm0, (%0)")
SIMD_FN(movdqu_ld, "movdqu (%0), %%xmm1\n\tmovdqu %%xmm1, (%1)")
SIMD_FN(movdqa_st, "movdqu (%1), %%xmm0\n\tmovdqa %%xmm0, (%0)")
SIMD_FN(movdqa_ld, "movdqa (%0), %%xmm1\n\tmovdqu %%xmm1, (%1)")
SIMD_FN(movups_st, "movups (%1), %%xmm2\n\tmovups %%xmm2, (%0)")
SIMD_FN(movups_ld, "movups (%0), %%xmm2\n\tmovups %%xmm2, (%1)")
SIMD_FN(movaps_st, "movups (%1), %%xmm3\n\tmovaps %%xmm3, (%0)")
SIMD_FN(movaps_ld, "movaps (%0), %%xmm3\n\tmovups %%xmm3, (%1)")
SIMD_FN(movntdq_st, "movdqu (%1), %%xmm4\n\tmovntdq %%xmm4, (%0)\n\t"
		    "sfence")
SIMD_FN(mmx_movq_st, "movq (%1), %%mm0\n\tmovq %%mm0, (%0)\n\temms")
SIMD_FN(mmx_movq_ld, "movq (%0), %%mm1\n\tmovq %%mm1, (%1)\n\temms")
SIMD_FN(mmx_movd_st, "movq (%1), %%mm2\n\tmovd %%mm2, (%0)\n\temms")
SIMD_FN(mmx_movd_ld, "movq (%1), %%mm2\n\tmovd (%0), %%mm2\n\t"
		     "movq %%mm2, (%1)\n\temms")
SIMD_FN(vmovdqu_st, "vmovdqu (%1), %%ymm0\n\tvmovdqu %%ymm0, (%0)\n\t"
		    "vzeroupper")
SIMD_FN(vmovdqu_ld, "vmovdqu (%0), %%ymm1\n\tvmovdqu %%ymm1, (%1)\n\t"
		    "vzeroupper")
SIMD_FN(vmovdqu_x_ld, "vmovdqu (%1), %%ymm2\n\tvmovdqu (%0), %%xmm2\n\t"
		      "vmovdqu %%ymm2, (%1)\n\tvzeroupper")
SIMD_FN(vmovaps_st, "vmovups (%1), %%ymm3\n\tvmovaps %%ymm3, (%0)\n\t"
		    "vzeroupper")
SIMD_FN(vmovaps_ld, "vmovaps (%0), %%ymm4\n\tvmovups %%ymm4, (%1)\n\t"
		    "vzeroupper")
SIMD_FN(vmovntdq_st, "vmovdqu (%1), %%ymm5\n\tvmovntdq %%ymm5, (%0)\n\t"
		     "sfence\n\tvzeroupper")

enum simd_isa { ISA_MMX, ISA_SSE, ISA_SSE2, ISA_AVX };

/*
 * Which cases one run takes: the MMX/SSE moves of a whole register
 * ("sse"), those of part of one, MOVD, MOVQ and MOVHPS ("sse-partial"),
 * or the AVX ones ("avx"). An emulator that cannot decode one of them
 * stops the guest, so each group runs in a QEMU of its own.
 */
enum simd_group { SIMD_FULL, SIMD_PARTIAL, SIMD_AVX };

struct simd_case {
	const char *name;
	void (*fn)(void *m, void *b);
	enum simd_isa isa;
	bool load;
	unsigned off;		/* offset of the access in the window */
	unsigned width;		/* bytes of memory accessed */
	unsigned reg_lo;	/* first register byte they go to or come from */
	unsigned reg_size;	/* bytes of register a load is checked over */
	bool keep;		/* a load keeps the other register bytes (else
				 * zeroes them) */
};

static const struct simd_case simd_cases[] = {
	{ "MMX movd store", simd_mmx_movd_st, ISA_MMX, false, SIMD_OFF + 1, 4,
	  0, 8, false },
	{ "MMX movd load", simd_mmx_movd_ld, ISA_MMX, true, SIMD_OFF + 1, 4,
	  0, 8, false },
	{ "MMX movq store", simd_mmx_movq_st, ISA_MMX, false, SIMD_OFF + 5, 8,
	  0, 8, false },
	{ "MMX movq load", simd_mmx_movq_ld, ISA_MMX, true, SIMD_OFF + 5, 8,
	  0, 8, false },
	{ "movd store", simd_movd_st, ISA_SSE2, false, SIMD_OFF + 2, 4, 0,
	  16, false },
	{ "movd load zeroes bits 127:32", simd_movd_ld, ISA_SSE2, true,
	  SIMD_OFF + 2, 4, 0, 16, false },
	{ "movq store", simd_movq_st, ISA_SSE2, false, SIMD_OFF + 6, 8, 0,
	  16, false },
	{ "movq load zeroes bits 127:64", simd_movq_ld, ISA_SSE2, true,
	  SIMD_OFF + 6, 8, 0, 16, false },
	{ "movhps store", simd_movhps_st, ISA_SSE, false, SIMD_OFF + 4, 8, 8,
	  16, false },
	{ "movhps load keeps bits 63:0", simd_movhps_ld, ISA_SSE, true,
	  SIMD_OFF + 4, 8, 8, 16, true },
	{ "movdqu unaligned store", simd_movdqu_st, ISA_SSE2, false,
	  SIMD_OFF + 3, 16, 0, 16, false },
	{ "movdqu unaligned load", simd_movdqu_ld, ISA_SSE2, true,
	  SIMD_OFF + 3, 16, 0, 16, false },
	{ "movdqa store", simd_movdqa_st, ISA_SSE2, false, SIMD_OFF, 16, 0,
	  16, false },
	{ "movdqa load", simd_movdqa_ld, ISA_SSE2, true, SIMD_OFF + 16, 16, 0,
	  16, false },
	{ "movups unaligned store", simd_movups_st, ISA_SSE, false,
	  SIMD_OFF + 9, 16, 0, 16, false },
	{ "movups unaligned load", simd_movups_ld, ISA_SSE, true,
	  SIMD_OFF + 9, 16, 0, 16, false },
	{ "movaps store", simd_movaps_st, ISA_SSE, false, SIMD_OFF + 16, 16,
	  0, 16, false },
	{ "movaps load", simd_movaps_ld, ISA_SSE, true, SIMD_OFF, 16, 0, 16, false },
	{ "movntdq store", simd_movntdq_st, ISA_SSE2, false, SIMD_OFF + 16,
	  16, 0, 16, false },
	{ "vmovdqu ymm unaligned store", simd_vmovdqu_st, ISA_AVX, false,
	  SIMD_OFF + 5, 32, 0, 32, false },
	{ "vmovdqu ymm unaligned load", simd_vmovdqu_ld, ISA_AVX, true,
	  SIMD_OFF + 5, 32, 0, 32, false },
	{ "vmovdqu xmm load zeroes bits 255:128", simd_vmovdqu_x_ld, ISA_AVX,
	  true, SIMD_OFF + 7, 16, 0, 32, false },
	{ "vmovaps ymm store", simd_vmovaps_st, ISA_AVX, false, SIMD_OFF, 32,
	  0, 32, false },
	{ "vmovaps ymm load", simd_vmovaps_ld, ISA_AVX, true, SIMD_OFF, 32, 0,
	  32, false },
	{ "vmovntdq ymm store", simd_vmovntdq_st, ISA_AVX, false, SIMD_OFF,
	  32, 0, 32, false },
};

/* Misaligned aligned-only moves: #GP(0), nothing accessed (SDM vol 2,
 * MOVDQA/MOVAPS/MOVNTDQ "Protected Mode Exceptions": #GP(0) if a memory
 * operand is not aligned on a 16-byte boundary; VMOVAPS/VMOVNTDQ with
 * VEX.256: a 32-byte boundary). Each returns the vector, or 0. */
#define SIMD_FAULT(name, setup, insn)					\
	static int simd_fault_##name(void *m, void *b)			\
	{								\
		asm volatile(setup :: "r"(m), "r"(b) : "memory");	\
		return EX_FIXUP_INSN(insn, :: "r"(m), "r"(b) : "memory"); \
	}

SIMD_FAULT(movdqa_st, "movdqu (%1), %%xmm0", "movdqa %%xmm0, (%0)")
SIMD_FAULT(movdqa_ld, "movdqu (%1), %%xmm0", "movdqa (%0), %%xmm0")
SIMD_FAULT(movaps_st, "movups (%1), %%xmm0", "movaps %%xmm0, (%0)")
SIMD_FAULT(movaps_ld, "movups (%1), %%xmm0", "movaps (%0), %%xmm0")
SIMD_FAULT(movntdq_st, "movdqu (%1), %%xmm0", "movntdq %%xmm0, (%0)")
SIMD_FAULT(vmovaps_st, "vmovups (%1), %%ymm0", "vmovaps %%ymm0, (%0)")
SIMD_FAULT(vmovaps_ld, "vmovups (%1), %%ymm0", "vmovaps (%0), %%ymm0")
SIMD_FAULT(vmovntdq_st, "vmovdqu (%1), %%ymm0", "vmovntdq %%ymm0, (%0)")

struct simd_fault_case {
	const char *name;
	int (*fn)(void *m, void *b);
	enum simd_isa isa;
	unsigned off;
};

static const struct simd_fault_case simd_faults[] = {
	{ "movdqa store 8 bytes off", simd_fault_movdqa_st, ISA_SSE2,
	  SIMD_OFF + 8 },
	{ "movdqa load 1 byte off", simd_fault_movdqa_ld, ISA_SSE2,
	  SIMD_OFF + 1 },
	{ "movaps store 4 bytes off", simd_fault_movaps_st, ISA_SSE,
	  SIMD_OFF + 4 },
	{ "movaps load 8 bytes off", simd_fault_movaps_ld, ISA_SSE,
	  SIMD_OFF + 8 },
	{ "movntdq store 8 bytes off", simd_fault_movntdq_st, ISA_SSE2,
	  SIMD_OFF + 8 },
	{ "vmovaps ymm store 16 bytes off", simd_fault_vmovaps_st, ISA_AVX,
	  SIMD_OFF + 16 },
	{ "vmovaps ymm load 16 bytes off", simd_fault_vmovaps_ld, ISA_AVX,
	  SIMD_OFF + 16 },
	{ "vmovntdq ymm store 16 bytes off", simd_fault_vmovntdq_st, ISA_AVX,
	  SIMD_OFF + 16 },
};

static u8 simd_ram[SIMD_WIN] __aligned(64);
static u8 simd_buf[32] __aligned(32);

static void simd_fill(volatile u8 *win)
{
	unsigned i;

	for (i = 0; i < SIMD_WIN; i++)
		win[i] = (u8)(i * 0x3b + 0x11);
	for (i = 0; i < 32; i++)
		simd_buf[i] = (u8)(0xa0 + i);
}

/* First byte of the window or buffer that differs from the SDM's result
 * of @c, described in @why; true when none does. */
static bool simd_check(const struct simd_case *c, volatile u8 *win,
		       char *why, size_t len)
{
	unsigned i;
	u8 want, got;

	for (i = 0; i < SIMD_WIN; i++) {
		want = (u8)(i * 0x3b + 0x11);
		if (!c->load && i >= c->off && i < c->off + c->width)
			want = (u8)(0xa0 + c->reg_lo + i - c->off);
		got = win[i];
		if (got != want) {
			snprintf(why, len, "memory byte %u (got %#x, want "
				 "%#x)", i, got, want);
			return false;
		}
	}
	if (!c->load)
		return true;
	for (i = 0; i < c->reg_size; i++) {
		if (i >= c->reg_lo && i < c->reg_lo + c->width)
			want = (u8)((c->off + i - c->reg_lo) * 0x3b + 0x11);
		else
			want = c->keep ? (u8)(0xa0 + i) : 0;
		got = simd_buf[i];
		if (got != want) {
			snprintf(why, len, "register byte %u (got %#x, want "
				 "%#x)", i, got, want);
			return false;
		}
	}
	return true;
}

static enum simd_group simd_group_of(const struct simd_case *c)
{
	if (c->isa == ISA_AVX)
		return SIMD_AVX;
	return c->width < c->reg_size ? SIMD_PARTIAL : SIMD_FULL;
}

static bool simd_has(enum simd_isa isa, bool avx_on)
{
	switch (isa) {
	case ISA_MMX:	return this_cpu_has(X86_FEATURE_MMX);
	case ISA_SSE:	return this_cpu_has(X86_FEATURE_SSE);
	case ISA_SSE2:	return this_cpu_has(X86_FEATURE_SSE2);
	case ISA_AVX:	return avx_on;
	}
	return false;
}

static const char *simd_missing(enum simd_isa isa)
{
	switch (isa) {
	case ISA_MMX:	return X86_FEATURE_MMX.name;
	case ISA_SSE:	return X86_FEATURE_SSE.name;
	case ISA_SSE2:	return X86_FEATURE_SSE2.name;
	case ISA_AVX:	return X86_FEATURE_AVX.name;
	}
	return "?";
}

/*
 * AVX needs CR4.OSXSAVE and XCR0 bits 2:1 set (SDM vol 1, 13.3 and
 * 14.3). Returns false, with the reason in @why, when the CPU lacks it.
 */
static bool avx_enable(const char **why)
{
	struct cpuid r;

	if (!this_cpu_has(X86_FEATURE_XSAVE)) {
		*why = X86_FEATURE_XSAVE.name;
		return false;
	}
	if (!this_cpu_has(X86_FEATURE_AVX)) {
		*why = X86_FEATURE_AVX.name;
		return false;
	}
	write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	r = cpuid_indexed(0xd, 0);
	if (!(r.a & XCR0_AVX)) {
		*why = "CPUID.(EAX=0DH,ECX=0):EAX[2] (XCR0.AVX supported)";
		return false;
	}
	if (xsetbv_safe(0, XCR0_X87 | XCR0_SSE | XCR0_AVX)) {
		*why = "XSETBV of XCR0 = 7 faulted";
		return false;
	}
	return true;
}

static void test_simd(u8 *mmio, enum simd_group group)
{
	bool avx = group == SIMD_AVX;
	volatile u8 *win[2] = { simd_ram, mmio + SIMD_MMIO_OFF };
	static const char *const where[2] = { "RAM", "MMIO" };
	unsigned long cr4 = read_cr4();
	bool avx_on = false;
	const char *no_avx = NULL;
	char why[96];
	unsigned i, w;
	int vec;
	u64 ec;

	report_prefix_push("simd");
	if (avx && !(avx_on = avx_enable(&no_avx)))
		report_skip("AVX moves: no AVX: %s clear", no_avx);

	for (i = 0; i < ARRAY_SIZE(simd_cases); i++) {
		const struct simd_case *c = &simd_cases[i];
		bool ok = true;

		if (simd_group_of(c) != group)
			continue;
		if (!simd_has(c->isa, avx_on)) {
			if (c->isa != ISA_AVX)
				report_skip("%s: %s clear", c->name,
					    simd_missing(c->isa));
			continue;
		}
		for (w = 0; w < 2 && ok; w++) {
			simd_fill(win[w]);
			c->fn((void *)(win[w] + c->off), simd_buf);
			ok = simd_check(c, win[w], why, sizeof(why));
		}
		if (ok)
			report_pass("%s: bytes as the SDM says, on RAM and "
				    "MMIO", c->name);
		else
			report_fail("%s: on %s: %s", c->name, where[w - 1],
				    why);
	}

	for (i = 0; i < ARRAY_SIZE(simd_faults); i++) {
		const struct simd_fault_case *c = &simd_faults[i];
		struct simd_case none = { .off = SIMD_WIN, .load = false };
		bool ok = true;

		/* misaligned whole-register moves, all of them */
		if (group == SIMD_PARTIAL || (c->isa == ISA_AVX) != avx)
			continue;
		if (!simd_has(c->isa, avx_on)) {
			if (c->isa != ISA_AVX)
				report_skip("%s: %s clear", c->name,
					    simd_missing(c->isa));
			continue;
		}
		for (w = 0; w < 2 && ok; w++) {
			simd_fill(win[w]);
			vec = c->fn((void *)(win[w] + c->off), simd_buf);
			ec = exception_error_code();
			ok = vec == GP_VECTOR && ec == 0;
			if (ok)
				ok = simd_check(&none, win[w], why,
						sizeof(why));
			else
				snprintf(why, sizeof(why), "got vector %d "
					 "error code %#llx, want %d (#GP) 0",
					 vec, (unsigned long long)ec,
					 GP_VECTOR);
		}
		if (ok)
			report_pass("%s: #GP(0), memory untouched, on RAM "
				    "and MMIO", c->name);
		else
			report_fail("%s: #GP(0) on %s: %s", c->name,
				    where[w - 1], why);
	}

	if (avx_on)
		xsetbv_safe(0, XCR0_X87);
	write_cr4(cr4);
	report_prefix_pop();
}

/*
 * String port I/O (INS/OUTS, with and without REP, each size, DF=0 and
 * DF=1), to and from RAM and MMIO. Under KVM every string I/O
 * instruction is emulated, with its own paths for REP, for a buffer
 * that is MMIO and for one that crosses a page. The port is pc-testdev's
 * scratch register: 4 bytes, an access of n bytes at port 0xe0 + k reads
 * or replaces bytes k..k+n-1 of it (QEMU hw/misc/pc-testdev.c). So OUTS
 * leaves the last element written there, and INS stores the same value
 * in every element. SDM vol 2A, INS/INSB/INSW/INSD and vol 2B,
 * OUTS/OUTSB/OUTSW/OUTSD; REP: vol 2B, REP/REPE/REPZ/REPNE/REPNZ.
 */
SNIPPET(insb1, "insb");
SNIPPET(insw1, "insw");
SNIPPET(insl1, "insl");
SNIPPET(rep_insb, "rep insb");
SNIPPET(rep_insw, "rep insw");
SNIPPET(rep_insl, "rep insl");
SNIPPET(outsb1, "outsb");
SNIPPET(outsw1, "outsw");
SNIPPET(outsl1, "outsl");
SNIPPET(rep_outsb, "rep outsb");
SNIPPET(rep_outsw, "rep outsw");
SNIPPET(rep_outsl, "rep outsl");

/* by log2 of the element size */
static void (*const pio_ins[2][3])(void) = {
	{ snip_insb1, snip_insw1, snip_insl1 },
	{ snip_rep_insb, snip_rep_insw, snip_rep_insl },
};
static void (*const pio_outs[2][3])(void) = {
	{ snip_outsb1, snip_outsw1, snip_outsl1 },
	{ snip_rep_outsb, snip_rep_outsw, snip_rep_outsl },
};

/* A RAM buffer that spans a page boundary at PIO_PAGE_OFF, and an MMIO
 * window at the same offset in pc-testdev's area. */
#define PIO_BUF_SIZE		8192
#define PIO_MMIO_OFF		0x2000
#define PIO_PAGE_OFF		4096
#define PIO_SCRATCH_INIT	0xa5b6c7d8u
#define PIO_IN_VALUE		0x44332211u
#define PIO_GUARD		64

static u8 pio_ram[PIO_BUF_SIZE] __aligned(4096);

static u8 pio_pattern(unsigned i)
{
	return (u8)(i * 0x3d + 0x5c);
}

struct pio_case {
	bool rep;
	unsigned sz;		/* log2 of the element size */
	unsigned long count;	/* RCX with REP */
	bool df;
	unsigned start;		/* offset of the first element */
	u16 port;
};

static const struct pio_case pio_cases[] = {
	{ false, 0, 1, false, 0x100, PC_TESTDEV_SCRATCH },
	{ false, 1, 1, true, 0x100, PC_TESTDEV_SCRATCH },
	{ false, 2, 1, false, 0x103, PC_TESTDEV_SCRATCH },
	{ true, 0, 7, false, 0x100, PC_TESTDEV_SCRATCH },
	{ true, 0, 7, true, 0x100, PC_TESTDEV_SCRATCH },
	{ true, 1, 7, false, 0x101, PC_TESTDEV_SCRATCH },
	{ true, 1, 7, true, 0x101, PC_TESTDEV_SCRATCH },
	{ true, 2, 7, false, 0x100, PC_TESTDEV_SCRATCH },
	{ true, 2, 7, true, 0x102, PC_TESTDEV_SCRATCH },
	/* a byte port inside the register: byte 1 only */
	{ true, 0, 5, false, 0x100, PC_TESTDEV_SCRATCH + 1 },
	{ true, 1, 3, true, 0x100, PC_TESTDEV_SCRATCH + 2 },
	/* across the page boundary, both ways */
	{ true, 0, 300, false, PIO_PAGE_OFF - 150, PC_TESTDEV_SCRATCH },
	{ true, 2, 100, true, PIO_PAGE_OFF + 150, PC_TESTDEV_SCRATCH },
	{ true, 1, 1100, false, PIO_PAGE_OFF - 1000, PC_TESTDEV_SCRATCH },
	/* RCX = 0: nothing at all */
	{ true, 2, 0, false, 0x100, PC_TESTDEV_SCRATCH },
};

/* The scratch register's 4 bytes after writing @v (size 1 << @sz) at
 * @port, starting from @old. */
static u32 scratch_after(u32 old, u32 v, unsigned sz, u16 port)
{
	unsigned shift = 8 * (port - PC_TESTDEV_SCRATCH);
	u32 mask = (sz == 2 ? ~0u : (1u << (8 << sz)) - 1) << shift;

	return (old & ~mask) | ((v << shift) & mask);
}

static u32 elem(volatile u8 *p, unsigned size)
{
	u32 v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (u32)p[i] << (8 * i);
	return v;
}

static void pio_name(char *buf, size_t len, const struct pio_case *c,
		     bool in, bool mmio)
{
	snprintf(buf, len, "%s%s%c port %#x, %lu at %#x%s, %s", c->rep ?
		 "rep " : "", in ? "ins" : "outs", "bwl"[c->sz], c->port,
		 c->rep ? c->count : 1ul, c->start, c->df ? " DF=1" : "",
		 mmio ? "MMIO" : "RAM");
}

static void check_pio(const struct pio_case *c, bool in, volatile u8 *buf)
{
	unsigned size = 1u << c->sz, i, lo, hi, span_lo, span_hi;
	unsigned long n = c->rep ? c->count : 1;
	long step = c->df ? -(long)size : (long)size;
	unsigned long want_ptr = (uintptr_t)buf + c->start + n * step;
	struct emu_regs r;
	char name[80];
	u32 got, want, in_val;

	/* elements accessed span [lo, hi); the check covers PIO_GUARD
	 * bytes more each side (each MMIO byte costs an exit under KVM) */
	lo = c->df ? c->start - (n ? n - 1 : 0) * size : c->start;
	hi = lo + n * size;
	span_lo = lo - PIO_GUARD;
	span_hi = hi + PIO_GUARD;

	pio_name(name, sizeof(name), c, in, buf != pio_ram);
	for (i = span_lo; i < span_hi; i++)
		buf[i] = pio_pattern(i);
	outl(in ? PIO_IN_VALUE : PIO_SCRATCH_INIT, PC_TESTDEV_SCRATCH);

	r = (struct emu_regs){ .c = c->rep ? c->count : 0x77, .d = c->port,
			       .flags = X86_EFLAGS_FIXED |
					(c->df ? X86_EFLAGS_DF : 0) };
	if (in)
		r.di = (uintptr_t)buf + c->start;
	else
		r.si = (uintptr_t)buf + c->start;
	emu_run(&r, in ? pio_ins[c->rep][c->sz] : pio_outs[c->rep][c->sz]);

	/* RCX counts down to 0 with REP and is untouched without; the
	 * pointer moves by the size per element, down when DF=1. */
	if (r.c != (c->rep ? 0 : 0x77ul)) {
		report_fail("pio: %s: rcx (got %#lx, want %#lx)", name, r.c,
			    c->rep ? 0ul : 0x77ul);
		return;
	}
	if ((in ? r.di : r.si) != want_ptr) {
		report_fail("pio: %s: %s offset (got %#lx, want %#lx)", name,
			    in ? "rdi" : "rsi",
			    (in ? r.di : r.si) - (uintptr_t)buf,
			    want_ptr - (uintptr_t)buf);
		return;
	}

	in_val = PIO_IN_VALUE >> (8 * (c->port - PC_TESTDEV_SCRATCH));
	for (i = span_lo; i < span_hi; i++) {
		u8 w = in && i >= lo && i < hi ?
		       (u8)(in_val >> (8 * ((i - lo) % size))) :
		       pio_pattern(i);

		if (buf[i] != w) {
			report_fail("pio: %s: byte %#x of the buffer (got %#x, "
				    "want %#x)", name, i, buf[i], w);
			return;
		}
	}
	if (!in) {
		got = inl(PC_TESTDEV_SCRATCH);
		want = PIO_SCRATCH_INIT;
		if (n) {
			unsigned last = c->df ? lo : hi - size;

			want = scratch_after(want, elem(buf + last, size),
					     c->sz, c->port);
		}
		if (got != want) {
			report_fail("pio: %s: port holds the last element "
				    "(got %#x, want %#x)", name, got, want);
			return;
		}
	}
	report_pass("pio: %s: rcx, pointer, memory and port as the SDM says",
		    name);
}

static void test_pio(u8 *mmio)
{
	volatile u8 *bufs[2] = { pio_ram, mmio + PIO_MMIO_OFF };
	unsigned i, b, in;

	for (in = 0; in < 2; in++)
		for (b = 0; b < 2; b++)
			for (i = 0; i < ARRAY_SIZE(pio_cases); i++)
				check_pio(&pio_cases[i], in, bufs[b]);
}

/*
 * A few results checked against the SDM rather than against RAM, so a
 * reference run that is itself wrong is noticed too.
 */
static void test_absolute(volatile u8 *mmio)
{
	volatile unsigned long *q = (volatile unsigned long *)mmio;
	volatile u32 *d = (volatile u32 *)mmio;
	const unsigned long same = (unsigned long)0x1111111111111111ull;
	struct emu_regs r;

	q[0] = same;
	r = (struct emu_regs){ .a = same, .b = 0x42,
			       .di = (uintptr_t)mmio, .flags = 2 };
	emu_run(&r, snip_cmpxchg_mem);
	report(q[0] == 0x42 && (r.flags & X86_EFLAGS_ZF),
	       "cmpxchg equal: stores the source and sets ZF (got mem %#lx "
	       "ZF %d, want 0x42 ZF 1; SDM vol 2A, CMPXCHG)",
	       q[0], !!(r.flags & X86_EFLAGS_ZF));

	r = (struct emu_regs){ .a = 7, .b = 0x99, .di = (uintptr_t)mmio,
			       .flags = 2 };
	emu_run(&r, snip_cmpxchg_mem);
	report(q[0] == 0x42 && r.a == 0x42 && !(r.flags & X86_EFLAGS_ZF),
	       "cmpxchg not equal: loads RAX, clears ZF (got mem %#lx rax "
	       "%#lx ZF %d, want 0x42 0x42 ZF 0)", q[0], r.a,
	       !!(r.flags & X86_EFLAGS_ZF));

	d[1] = 0;
	d[2] = 0;
	d[3] = 0;
	r = (struct emu_regs){ .a = 0xab, .c = 4, .di = (uintptr_t)mmio + 11,
			       .flags = 2 | X86_EFLAGS_DF };
	emu_run(&r, snip_rep_stosb);
	report(d[2] == 0xabababab && d[3] == 0 && mmio[7] == 0 && r.c == 0 &&
	       r.di == (uintptr_t)mmio + 7,
	       "rep stosb DF=1 fills downwards (got dwords %#x %#x byte 7 %#x "
	       "rcx %lu rdi offset %ld, want 0xabababab 0 0 0 7)",
	       d[2], d[3], mmio[7], r.c, (long)(r.di - (uintptr_t)mmio));
}

/*
 * The xAPIC TPR is another emulated page with defined contents: bits 7:0
 * hold what is written, bits 31:8 are reserved and read 0 (SDM vol 3,
 * 11.8.3.1, figure "Task-Priority Register").
 */
static void test_apic_tpr(void)
{
	volatile u32 *tpr = (volatile u32 *)(APIC_DEFAULT_BASE + APIC_TPR);
	u32 old, got;

	if (apic_is_x2apic()) {
		report_skip("xAPIC TPR: the APIC is in x2APIC mode");
		return;
	}
	old = *tpr;
	*tpr = 0x30;
	asm volatile("orl $0x0f, %0" : "+m"(*tpr));
	got = *tpr;
	report(got == 0x3f, "xAPIC TPR: or to MMIO (got %#x, want 0x3f)", got);
	asm volatile("andl $0xf0, %0" : "+m"(*tpr));
	got = *tpr;
	report(got == 0x30, "xAPIC TPR: and to MMIO (got %#x, want 0x30)",
	       got);
	*tpr = old;
}

static void test_movbe(u8 *mmio, bool word)
{
	struct emu_regs r;
	unsigned i;

	if (!this_cpu_has(X86_FEATURE_MOVBE)) {
		report_skip("no MOVBE: %s clear", X86_FEATURE_MOVBE.name);
		return;
	}
	if (word) {
		for (i = 0; i < ARRAY_SIZE(movbe16_cases); i++)
			check_case(&movbe16_cases[i], mmio);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(movbe_cases); i++)
		check_case(&movbe_cases[i], mmio);

	/* SDM vol 2B, MOVBE: the bytes in reverse order. */
	r = (struct emu_regs){ .a = MOVBE_SWAP_IN,
			       .di = (uintptr_t)mmio, .flags = 2 };
	emu_run(&r, snip_movbe_swap);
	r.a = ((volatile unsigned long *)mmio)[0];
	report(r.a == MOVBE_SWAP_OUT, "movbe store swaps bytes (got %#lx, "
	       "want %#lx)", r.a, MOVBE_SWAP_OUT);
}

int main(int argc, char **argv)
{
	u8 *mmio = (u8 *)TESTDEV_IOMEM;
	const char *part = argc > 1 ? argv[1] : "";
	char prefix[32];
	unsigned i;

	snprintf(prefix, sizeof(prefix), "emulator%s%s", *part ? "-" : "",
		 part);
	report_prefix_push(prefix);

	if (!*part)
		test_apic_tpr();

	if (!pc_testdev_present()) {
		report_skip("no pc-testdev: its scratch port %#x does not hold "
			    "a value (QEMU -device pc-testdev)",
			    PC_TESTDEV_SCRATCH);
		return report_summary();
	}
	if (!strcmp(part, "movbe") || !strcmp(part, "movbe16")) {
		test_movbe(mmio, !strcmp(part, "movbe16"));
	} else if (!strcmp(part, "sse")) {
		test_simd(mmio, SIMD_FULL);
	} else if (!strcmp(part, "sse-partial")) {
		test_simd(mmio, SIMD_PARTIAL);
	} else if (!strcmp(part, "avx")) {
		test_simd(mmio, SIMD_AVX);
	} else if (*part) {
		report_fail("unknown argument \"%s\" (want movbe, movbe16, "
			    "sse, sse-partial, avx or none)", part);
	} else {
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			check_case(&cases[i], mmio);
		test_absolute(mmio);
		test_alu_flags(mmio);
		test_alu_sdm(mmio);
		test_bit_scan_zero(mmio);
		test_pio(mmio);
	}
	return report_summary();
}
