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
 * MOVBE is left to the "movbe" argument (cfg entry emulator-movbe): some
 * KVM hosts fail to emulate it, and it needs CPUID.01H:ECX[22].
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

/* MOVBE, CPUID.01H:ECX[22]: run only with the "movbe" argument. */
SNIPPET(movbe_ld64, "movbe (%rsi), %rax");
SNIPPET(movbe_ld16, "movbe (%rsi), %ax");
SNIPPET(movbe_st32, "movbe %eax, (%rdi)");
SNIPPET(movbe_st64, "movbe %rax, (%rdi)");

static const struct emu_case movbe_cases[] = {
	{ "movbe 8-byte load", snip_movbe_ld64, .si = 0x18 },
	{ "movbe 2-byte load", snip_movbe_ld16, .a = ~0ul, .si = 0x21 },
	{ "movbe 4-byte store", snip_movbe_st32, .a = 0x0102030405060708,
	  .di = 0x30 },
	{ "movbe 8-byte store", snip_movbe_st64, .a = 0x0102030405060708,
	  .di = 0x43 },
};

/* The byte swap checked against the SDM: snippet, value, result. */
#define snip_movbe_swap		snip_movbe_st64
#define MOVBE_SWAP_IN		0x1122334455667788ul
#define MOVBE_SWAP_OUT		0x8877665544332211ul

static const struct emu_case cases[] = {
	{ "mov 1-byte store", snip_st8, .a = 0x1122334455667788 },
	{ "mov 2-byte store", snip_st16, .a = 0x1122334455667788, .di = 5 },
	{ "mov 4-byte store", snip_st32, .a = 0x1122334455667788, .di = 8 },
	{ "mov 8-byte store", snip_st64, .a = 0x1122334455667788, .di = 16 },
	{ "mov 1-byte load", snip_ld8, .a = 0xa5a5a5a5a5a5a5a5, .si = 7 },
	{ "mov 2-byte load", snip_ld16, .a = 0xa5a5a5a5a5a5a5a5, .si = 9 },
	{ "mov 4-byte load (zero-extends)", snip_ld32, .a = ~0ul, .si = 12 },
	{ "mov 8-byte load", snip_ld64, .si = 24 },
	{ "mov imm32 store", snip_st_imm32, .di = 32 },
	{ "mov sign-extended imm32 store", snip_st_imm64, .di = 40 },
	{ "mov 8-byte unaligned store", snip_st_unaligned,
	  .a = 0x0102030405060708, .di = 48 },
	{ "movzx byte", snip_movzb, .a = ~0ul, .si = 0x85 },
	{ "movzx word", snip_movzw, .a = ~0ul, .si = 0x86 },
	{ "movsx byte", snip_movsb, .si = 0x85 },
	{ "movsx word", snip_movsw, .si = 0x96 },
	{ "movsxd", snip_movsl, .si = 0xa0 },

	{ "add reg to mem", snip_add_to_mem, .a = 0x7fffffffffffffff },
	{ "add mem to reg", snip_add_from_mem, .a = 1, .si = 0x80 },
	{ "add imm8 to byte", snip_add8_imm, .di = 0x80 },
	{ "adc reg to mem", snip_adc_to_mem, .a = 0xffffffff, .di = 8 },
	{ "sub reg from mem", snip_sub_to_mem, .a = 0xffffffffffffff00, .di = 16 },
	{ "sbb mem from reg", snip_sbb_from_mem, .a = 0x8000, .si = 24 },
	{ "or reg to mem", snip_or_to_mem, .a = 0x8000000000000001, .di = 32 },
	{ "and reg to mem", snip_and_to_mem, .a = 0x0f0f0f0f, .di = 40 },
	{ "and sign-extended imm8", snip_and_imm8, .di = 48 },
	{ "xor reg to mem", snip_xor_to_mem, .a = 0xffff0000ffff0000, .di = 56 },
	{ "xor to zero", snip_xor_self_zero, .di = 64 },
	{ "cmp mem with reg", snip_cmp_mem, .a = 0x4000000000000000, .si = 72 },
	{ "test mem", snip_test_mem, .si = 0x88 },
	{ "inc mem", snip_inc_mem, .di = 80 },
	{ "dec byte", snip_dec_mem, .di = 0 },
	{ "neg mem", snip_neg_mem, .di = 88 },
	{ "not word", snip_not_mem, .di = 96 },
	{ "shl mem", snip_shl_mem, .di = 104 },
	{ "bt mem (bit offset beyond the operand)", snip_bt_mem, .a = 77,
	  .si = 16 },
	{ "bts mem", snip_bts_mem, .a = 3, .di = 24 },
	{ "btr mem (negative bit offset)", snip_btr_mem_far, .a = -9,
	  .di = 40 },

	{ "xchg reg with mem", snip_xchg_mem, .a = 0xdeadbeefcafef00d,
	  .di = 8 },
	{ "xchg byte", snip_xchg8_mem, .a = 0x5a, .di = 3 },
	/* RAX holds the memory value (filled in per run) for success. */
	{ "cmpxchg success", snip_cmpxchg_mem, .a = ~0ul,
	  .b = 0x1234567890abcdef, .di = 16 },
	{ "cmpxchg failure", snip_cmpxchg_mem, .a = 0,
	  .b = 0x1234567890abcdef, .di = 16 },
	{ "cmpxchg 4-byte failure", snip_cmpxchg32_mem, .a = 0x77,
	  .b = 0x99, .di = 20 },
	{ "xadd", snip_xadd_mem, .a = 0x100, .di = 32 },

	{ "movsb MMIO to RAM", snip_movsb1, .si = 5, .di = AUX | 9 },
	{ "movsb RAM to MMIO", snip_movsb1, .si = AUX | 5, .di = 9 },
	{ "movsq MMIO to MMIO", snip_movsq1, .si = 0x40, .di = 0x10 },
	{ "movsq DF=1", snip_movsq1, .si = 0x40, .di = AUX | 0x10,
	  .df = true },
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
	{ "rep movsb RCX=0", snip_rep_movsb, .c = 0, .si = AUX, .di = 0 },
	{ "stosw", snip_stosw1, .a = 0xbeef, .di = 11 },
	{ "stosw DF=1", snip_stosw1, .a = 0xbeef, .di = 11, .df = true },
	{ "rep stosq", snip_rep_stosq, .a = 0x0123456789abcdef, .c = 9,
	  .di = 0x18 },
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
	{ "pop to mem", snip_pop_mem, .b = 0xfedcba9876543210, .di = 0x38 },
	{ "stack in MMIO: push, pop, pushw, popw", snip_stack_in_area,
	  .a = 0x1111222233334444, .b = 0x5555666677778888, .di = 0xc0 },
};

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

/* MOVBE, CPUID.01H:ECX[22]: run only with the "movbe" argument. */
SNIPPET(movbe_ld32, "movbe (%esi), %eax");
SNIPPET(movbe_ld16, "movbe (%esi), %ax");
SNIPPET(movbe_st32, "movbe %eax, (%edi)");
SNIPPET(movbe_st16, "movbe %ax, (%edi)");

static const struct emu_case movbe_cases[] = {
	{ "movbe 4-byte load", snip_movbe_ld32, .si = 0x18 },
	{ "movbe 2-byte load", snip_movbe_ld16, .a = ~0ul, .si = 0x21 },
	{ "movbe 4-byte store", snip_movbe_st32, .a = 0x01020304,
	  .di = 0x30 },
	{ "movbe 2-byte store", snip_movbe_st16, .a = 0x01020304,
	  .di = 0x43 },
};

/* The byte swap checked against the SDM: snippet, value, result. */
#define snip_movbe_swap		snip_movbe_st32
#define MOVBE_SWAP_IN		0x11223344ul
#define MOVBE_SWAP_OUT		0x44332211ul

static const struct emu_case cases[] = {
	{ "mov 1-byte store", snip_st8, .a = 0x11223344 },
	{ "mov 2-byte store", snip_st16, .a = 0x11223344, .di = 5 },
	{ "mov 4-byte store", snip_st32, .a = 0x11223344, .di = 8 },
	{ "mov 1-byte load", snip_ld8, .a = 0xa5a5a5a5, .si = 7 },
	{ "mov 2-byte load", snip_ld16, .a = 0xa5a5a5a5, .si = 9 },
	{ "mov 4-byte load", snip_ld32, .si = 12 },
	{ "mov imm16 store", snip_st_imm16, .di = 30 },
	{ "mov imm32 store", snip_st_imm32, .di = 32 },
	{ "mov 4-byte unaligned store", snip_st_unaligned,
	  .a = 0x01020304, .di = 48 },
	{ "movzx byte", snip_movzb, .a = ~0ul, .si = 0x85 },
	{ "movzx word", snip_movzw, .a = ~0ul, .si = 0x86 },
	{ "movsx byte", snip_movsb, .si = 0x85 },
	{ "movsx word", snip_movsw, .si = 0x96 },

	{ "add reg to mem", snip_add_to_mem, .a = 0x7fffffff },
	{ "add mem to reg", snip_add_from_mem, .a = 1, .si = 0x80 },
	{ "add imm8 to byte", snip_add8_imm, .di = 0x80 },
	{ "adc reg to mem", snip_adc_to_mem, .a = 0xffffffff, .di = 8 },
	{ "sub reg from mem", snip_sub_to_mem, .a = 0xffffff00, .di = 16 },
	{ "sbb mem from reg", snip_sbb_from_mem, .a = 0x8000, .si = 24 },
	{ "or reg to mem", snip_or_to_mem, .a = 0x80000001, .di = 32 },
	{ "and reg to mem", snip_and_to_mem, .a = 0x0f0f0f0f, .di = 40 },
	{ "and sign-extended imm8", snip_and_imm8, .di = 48 },
	{ "xor reg to mem", snip_xor_to_mem, .a = 0xffff0000, .di = 56 },
	{ "xor to zero", snip_xor_self_zero, .di = 64 },
	{ "cmp mem with reg", snip_cmp_mem, .a = 0x40000000, .si = 72 },
	{ "test mem", snip_test_mem, .si = 0x88 },
	{ "inc mem", snip_inc_mem, .di = 80 },
	{ "dec byte", snip_dec_mem, .di = 0 },
	{ "neg mem", snip_neg_mem, .di = 88 },
	{ "not word", snip_not_mem, .di = 96 },
	{ "shl mem", snip_shl_mem, .di = 104 },
	{ "bt mem (bit offset beyond the operand)", snip_bt_mem, .a = 77,
	  .si = 16 },
	{ "bts mem", snip_bts_mem, .a = 3, .di = 24 },
	{ "btr mem (negative bit offset)", snip_btr_mem_far, .a = -9ul,
	  .di = 40 },

	{ "xchg reg with mem", snip_xchg_mem, .a = 0xdeadbeef, .di = 8 },
	{ "xchg byte", snip_xchg8_mem, .a = 0x5a, .di = 3 },
	/* EAX holds the memory value (filled in per run) for success. */
	{ "cmpxchg success", snip_cmpxchg_mem, .a = ~0ul, .b = 0x90abcdef,
	  .di = 16 },
	{ "cmpxchg failure", snip_cmpxchg_mem, .a = 0, .b = 0x90abcdef,
	  .di = 16 },
	{ "cmpxchg 2-byte failure", snip_cmpxchg16_mem, .a = 0x77,
	  .b = 0x99, .di = 20 },
	{ "xadd", snip_xadd_mem, .a = 0x100, .di = 32 },

	{ "movsb MMIO to RAM", snip_movsb1, .si = 5, .di = AUX | 9 },
	{ "movsb RAM to MMIO", snip_movsb1, .si = AUX | 5, .di = 9 },
	{ "movsl MMIO to MMIO", snip_movsl1, .si = 0x40, .di = 0x10 },
	{ "movsl DF=1", snip_movsl1, .si = 0x40, .di = AUX | 0x10,
	  .df = true },
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
	{ "rep movsb ECX=0", snip_rep_movsb, .c = 0, .si = AUX, .di = 0 },
	{ "stosw", snip_stosw1, .a = 0xbeef, .di = 11 },
	{ "stosw DF=1", snip_stosw1, .a = 0xbeef, .di = 11, .df = true },
	{ "rep stosl", snip_rep_stosl, .a = 0x89abcdef, .c = 9, .di = 0x18 },
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
	{ "pop to mem", snip_pop_mem, .b = 0xfedcba98, .di = 0x38 },
	{ "stack in MMIO: push, pop, pushw, popw", snip_stack_in_area,
	  .a = 0x33334444, .b = 0x77778888, .di = 0xc0 },
};
#endif

static u8 ram_area[AREA_SIZE] __aligned(64);
static u8 aux_area[AREA_SIZE] __aligned(64);

/* Byte-wise so that filling and reading the MMIO area relies on nothing
 * but 1-byte moves (themselves tested above). */
static void area_fill(volatile u8 *p)
{
	unsigned i;

	for (i = 0; i < AREA_SIZE; i++)
		p[i] = (u8)(i * 0x9d + 0x31);
}

static void area_read(volatile u8 *p, u8 *out)
{
	unsigned i;

	for (i = 0; i < AREA_SIZE; i++)
		out[i] = p[i];
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

	area_fill(area);
	area_fill(aux_area);
	aux_area[0x27] ^= 0xff;

	r->a = c->a;
	r->b = c->b;
	r->c = c->c;
	r->d = c->d;
	r->si = resolve(c->si, area);
	r->di = resolve(c->di, area);
	r->flags = X86_EFLAGS_FIXED | (c->df ? X86_EFLAGS_DF : 0);
	if (c->code == snip_cmpxchg_mem && c->a == ~0ul)
		r->a = ((volatile unsigned long *)area)[c->di / sizeof(long)];

	emu_run(r, c->code);

	r->si = unresolve(r->si, c->si, area);
	r->di = unresolve(r->di, c->di, area);
	r->flags &= FLAGS_CMP;
	area_read(area, res->area);
	area_read(aux_area, res->aux);
}

static int first_diff(const u8 *x, const u8 *y)
{
	int i;

	for (i = 0; i < AREA_SIZE; i++)
		if (x[i] != y[i])
			return i;
	return -1;
}

static void check_case(const struct emu_case *c, u8 *mmio)
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
			report_fail("%s: %s (got %#lx on MMIO, want %#lx as "
				    "on RAM)", c->name, names[i], ir[i], rr[i]);
			return;
		}
	}
	off = first_diff(io.area, ram.area);
	if (off >= 0) {
		report_fail("%s: byte %#x of the MMIO area (got %#x, want %#x "
			    "as on RAM)", c->name, off, io.area[off],
			    ram.area[off]);
		return;
	}
	off = first_diff(io.aux, ram.aux);
	if (off >= 0) {
		report_fail("%s: byte %#x of the RAM buffer (got %#x, want "
			    "%#x as with the RAM area)", c->name, off,
			    io.aux[off], ram.aux[off]);
		return;
	}
	report_pass("%s: registers, flags and memory as on RAM", c->name);
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

static void test_movbe(u8 *mmio)
{
	struct emu_regs r;
	unsigned i;

	if (!this_cpu_has(X86_FEATURE_MOVBE)) {
		report_skip("no MOVBE: %s clear", X86_FEATURE_MOVBE.name);
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
	bool movbe = argc > 1 && !strcmp(argv[1], "movbe");
	unsigned i;

	report_prefix_push(movbe ? "emulator-movbe" : "emulator");

	if (!movbe)
		test_apic_tpr();

	if (!pc_testdev_present()) {
		report_skip("no pc-testdev: its scratch port %#x does not hold "
			    "a value (QEMU -device pc-testdev)",
			    PC_TESTDEV_SCRATCH);
		return report_summary();
	}
	if (movbe) {
		test_movbe(mmio);
		return report_summary();
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i], mmio);
	test_absolute(mmio);

	return report_summary();
}
