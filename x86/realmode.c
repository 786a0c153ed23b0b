/*
 * Real-address mode: leave long mode (x86_64) or 32-bit protected mode
 * (i386), run a few instructions in real mode, come back, and check what
 * they computed.
 *
 * Leaving long mode (SDM vol 3, 10.8.5.4): jump to compatibility mode,
 * clear CR0.PG (IA32_EFER.LMA drops), clear IA32_EFER.LME. On i386 the
 * first step is only clearing CR0.PG (PAE paging off). Then, as SDM
 * vol 3, 10.9.2 describes, a far jump to a 16-bit segment with a 64 KiB
 * limit, 16-bit data segments, CR0.PE cleared and a far jump that loads a
 * real-mode CS. The way back is 10.9.1 and 10.8.5 in reverse order.
 *
 * The real-mode code is copied below 1 MiB, where real-mode addresses
 * (segment * 16 + offset, SDM vol 3, 21.1.1) reach.
 */
#include "libcflat.h"
#include "x86/layout.h"
#include "x86/processor.h"

/*
 * Where the real-mode code runs: a page below the AP trampoline
 * (TRAMPOLINE_BASE) and the multiboot data, unused after boot. Its
 * stack grows down from RM_STACK_TOP within the same 64 KiB segment;
 * RM_SEG2 is a second segment for the addressing checks.
 */
#define RM_BASE		0x6000
#define RM_SEG		(RM_BASE >> 4)
#define RM_STACK_TOP	0x0ff0
#define RM_SEG2		0x0700	/* linear 0x7000: RM_SEG offset 0x1000 */

/* Private GDT selectors for the transition. */
#define SEL_CODE64	0x08
#define SEL_DATA32	0x10
#define SEL_CODE32	0x18
#define SEL_CODE16	0x20
#define SEL_DATA16	0x28

/* What the real-mode code stores, at rm_results in the copied blob. */
struct rm_results {
	u16 add_ax, add_flags;
	u32 eax32;
	u16 seg_read;
	u16 pop_cx, sp_delta;
	u16 mul_ax, div_ax;
	u16 movs_word;
	u16 lea_ax;
	u16 wrap_ax, wrap_flags;
	u16 loop_count;
	u32 cr0;
	u16 cs, ss;
} __packed;

extern char rm_blob[], rm_blob_end[], rm_results[];
void realmode_call(void);

#ifdef __x86_64__
asm(
    /* the private GDT and its descriptor (SDM vol 3, 3.4.5) */
    ".pushsection .rodata\n"
    ".balign 16\n"
    "rm_gdt:\n\t"
    ".quad 0\n\t"
    ".quad 0x00af9a000000ffff\n\t"	/* 64-bit code */
    ".quad 0x00cf92000000ffff\n\t"	/* 32-bit data, 4 GiB */
    ".quad 0x00cf9a000000ffff\n\t"	/* 32-bit code, 4 GiB */
    ".quad 0x00009a000000ffff\n\t"	/* 16-bit code, 64 KiB */
    ".quad 0x000092000000ffff\n"	/* 16-bit data, 64 KiB */
    "rm_gdt_end:\n"
    "rm_gdt_desc:\n\t"
    ".word rm_gdt_end - rm_gdt - 1\n\t"
    ".quad rm_gdt\n"
    ".popsection\n"

    ".pushsection .data\n"
    ".balign 8\n"
    "rm_saved_rsp: .quad 0\n"
    "rm_saved_gs_base: .quad 0\n"
    "rm_saved_gdtr: .word 0\n .quad 0\n"
    "rm_saved_idtr: .word 0\n .quad 0\n"
    ".popsection\n"

    ".text\n"
    ".code64\n"
    ".globl realmode_call\n"
    "realmode_call:\n\t"
    "push %rbx\n\t"
    "push %rbp\n\t"
    "push %r12\n\t"
    "push %r13\n\t"
    "push %r14\n\t"
    "push %r15\n\t"
    "pushfq\n\t"
    "cli\n\t"
    "mov $0xc0000101, %ecx\n\t"		/* IA32_GS_BASE */
    "rdmsr\n\t"
    "mov %eax, rm_saved_gs_base\n\t"
    "mov %edx, rm_saved_gs_base + 4\n\t"
    "mov %rsp, rm_saved_rsp\n\t"
    "sgdt rm_saved_gdtr\n\t"
    "sidt rm_saved_idtr\n\t"
    "lgdt rm_gdt_desc\n\t"
    "pushq $" __stringify_x86(SEL_CODE32) "\n\t"
    "pushq $rm_compat\n\t"
    "lretq\n"

    ".code32\n"
    "rm_compat:\n\t"
    "mov $" __stringify_x86(SEL_DATA32) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    "mov %cr0, %eax\n\t"
    "and $0x7fffffff, %eax\n\t"		/* CR0.PG off: LMA drops */
    "mov %eax, %cr0\n\t"
    "mov $0xc0000080, %ecx\n\t"		/* IA32_EFER.LME off */
    "rdmsr\n\t"
    "and $~0x100, %eax\n\t"
    "wrmsr\n\t"
    "ljmp $" __stringify_x86(SEL_CODE16) ", $("
	__stringify_x86(RM_BASE) " + rm16_pm - rm_blob)\n"

    ".code32\n"
    "rm_back32:\n\t"
    "mov $" __stringify_x86(SEL_DATA32) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    "mov $0xc0000080, %ecx\n\t"
    "rdmsr\n\t"
    "or $0x100, %eax\n\t"
    "wrmsr\n\t"
    "mov %cr0, %eax\n\t"
    "or $0x80000000, %eax\n\t"
    "mov %eax, %cr0\n\t"
    "ljmp $" __stringify_x86(SEL_CODE64) ", $rm_back64\n"

    ".code64\n"
    "rm_back64:\n\t"
    "lgdt rm_saved_gdtr\n\t"
    "lidt rm_saved_idtr\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    "mov %eax, %fs\n\t"
    "mov %eax, %gs\n\t"
    "mov $0xc0000101, %ecx\n\t"
    "mov rm_saved_gs_base, %eax\n\t"
    "mov rm_saved_gs_base + 4, %edx\n\t"
    "wrmsr\n\t"
    "mov rm_saved_rsp, %rsp\n\t"
    "pushq $" __stringify_x86(KERNEL_CS) "\n\t"
    "pushq $1f\n\t"
    "lretq\n"
    "1:\n\t"
    "popfq\n\t"
    "pop %r15\n\t"
    "pop %r14\n\t"
    "pop %r13\n\t"
    "pop %r12\n\t"
    "pop %rbp\n\t"
    "pop %rbx\n\t"
    "ret\n"

    );
#else
/*
 * i386: the private GDT has the same selectors (SEL_CODE64 is unused);
 * GS (the per-CPU segment) and FS are reloaded from the saved GDT on the
 * way back, which restores their bases.
 */
asm(
    ".pushsection .rodata\n"
    ".balign 16\n"
    "rm_gdt:\n\t"
    ".quad 0\n\t"
    ".quad 0\n\t"
    ".quad 0x00cf92000000ffff\n\t"	/* 32-bit data, 4 GiB */
    ".quad 0x00cf9a000000ffff\n\t"	/* 32-bit code, 4 GiB */
    ".quad 0x00009a000000ffff\n\t"	/* 16-bit code, 64 KiB */
    ".quad 0x000092000000ffff\n"	/* 16-bit data, 64 KiB */
    "rm_gdt_end:\n"
    "rm_gdt_desc:\n\t"
    ".word rm_gdt_end - rm_gdt - 1\n\t"
    ".long rm_gdt\n"
    ".popsection\n"

    ".pushsection .data\n"
    ".balign 4\n"
    "rm_saved_esp: .long 0\n"
    "rm_saved_fs: .long 0\n"
    "rm_saved_gs: .long 0\n"
    "rm_saved_gdtr: .word 0\n .long 0\n"
    "rm_saved_idtr: .word 0\n .long 0\n"
    ".popsection\n"

    ".text\n"
    ".code32\n"
    ".globl realmode_call\n"
    "realmode_call:\n\t"
    "push %ebx\n\t"
    "push %ebp\n\t"
    "push %esi\n\t"
    "push %edi\n\t"
    "pushf\n\t"
    "cli\n\t"
    "mov %esp, rm_saved_esp\n\t"
    "mov %fs, rm_saved_fs\n\t"
    "mov %gs, rm_saved_gs\n\t"
    "sgdt rm_saved_gdtr\n\t"
    "sidt rm_saved_idtr\n\t"
    "lgdt rm_gdt_desc\n\t"
    "ljmp $" __stringify_x86(SEL_CODE32) ", $rm_pm32\n"
    "rm_pm32:\n\t"
    "mov $" __stringify_x86(SEL_DATA32) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    "mov %cr0, %eax\n\t"
    "and $0x7fffffff, %eax\n\t"		/* CR0.PG off */
    "mov %eax, %cr0\n\t"
    "ljmp $" __stringify_x86(SEL_CODE16) ", $("
	__stringify_x86(RM_BASE) " + rm16_pm - rm_blob)\n"

    "rm_back32:\n\t"
    "mov $" __stringify_x86(SEL_DATA32) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    "mov %cr0, %eax\n\t"
    "or $0x80000000, %eax\n\t"		/* PAE paging on: CR3, CR4 kept */
    "mov %eax, %cr0\n\t"
    "lgdt rm_saved_gdtr\n\t"
    "lidt rm_saved_idtr\n\t"
    "ljmp $" __stringify_x86(KERNEL_CS) ", $1f\n"
    "1:\n\t"
    "mov $" __stringify_x86(KERNEL_DS) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    "mov rm_saved_fs, %fs\n\t"
    "mov rm_saved_gs, %gs\n\t"
    "mov rm_saved_esp, %esp\n\t"
    "popf\n\t"
    "pop %edi\n\t"
    "pop %esi\n\t"
    "pop %ebp\n\t"
    "pop %ebx\n\t"
    "ret\n"
    );
#endif

/* 16-bit code, the same on both arches. */
asm(
    /* Copied to RM_BASE: offsets from rm_blob are offsets in RM_SEG. */
    ".pushsection .rodata\n"
    ".globl rm_blob, rm_blob_end, rm_results\n"
    ".code16\n"
    "rm_blob:\n"
    "rm16_pm:\n\t"
    "mov $" __stringify_x86(SEL_DATA16) ", %ax\n\t"
    "mov %ax, %ds\n\t"
    "mov %ax, %es\n\t"
    "mov %ax, %ss\n\t"
    "mov %ax, %fs\n\t"
    "mov %ax, %gs\n\t"
    "mov %cr0, %eax\n\t"
    "and $~1, %eax\n\t"			/* CR0.PE off */
    "mov %eax, %cr0\n\t"
    "ljmp $" __stringify_x86(RM_SEG) ", $(rm16_real - rm_blob)\n"
    "rm16_real:\n\t"
    "mov %cs, %ax\n\t"
    "mov %ax, %ds\n\t"
    "mov %ax, %es\n\t"
    "mov %ax, %ss\n\t"
    "mov $" __stringify_x86(RM_STACK_TOP) ", %sp\n\t"
    "lidt rm_ivt_desc - rm_blob\n\t"
    "call rm_tests\n\t"
    /* back to protected mode, then to the 32-bit code in the image */
    "mov %cr0, %eax\n\t"
    "or $1, %eax\n\t"
    "mov %eax, %cr0\n\t"
    "ljmpl $" __stringify_x86(SEL_CODE32) ", $rm_back32\n"

    "rm_tests:\n\t"
    /* 16-bit ADD that carries out and gives zero */
    "mov $0x1234, %ax\n\t"
    "add $0xedcc, %ax\n\t"
    "pushf\n\t"
    "pop %bx\n\t"
    "mov %ax, rm_results - rm_blob + 0\n\t"
    "mov %bx, rm_results - rm_blob + 2\n\t"
    /* operand-size prefix: a 32-bit register in real mode */
    "mov $0x89abcdef, %eax\n\t"
    "mov %eax, rm_results - rm_blob + 4\n\t"
    /* segment * 16 + offset: write through ES = RM_SEG2, read through
     * DS = RM_SEG at the same linear address */
    "mov $" __stringify_x86(RM_SEG2) ", %bx\n\t"
    "mov %bx, %es\n\t"
    "movw $0xbeef, %es:0x10\n\t"
    "mov 0x1010, %ax\n\t"
    "mov %ax, rm_results - rm_blob + 8\n\t"
    /* PUSH imm16 / POP on the real-mode stack */
    "mov %sp, %dx\n\t"
    "push $0x5678\n\t"
    "sub %sp, %dx\n\t"
    "pop %cx\n\t"
    "mov %cx, rm_results - rm_blob + 10\n\t"
    "mov %dx, rm_results - rm_blob + 12\n\t"
    /* 8-bit MUL and DIV */
    "mov $7, %ax\n\t"
    "mov $3, %cl\n\t"
    "mul %cl\n\t"
    "mov %ax, rm_results - rm_blob + 14\n\t"
    "mov $100, %ax\n\t"
    "mov $7, %bl\n\t"
    "div %bl\n\t"
    "mov %ax, rm_results - rm_blob + 16\n\t"
    /* REP MOVSW from DS:SI to ES:DI, ES = RM_SEG2 */
    "mov $(rm_src - rm_blob), %si\n\t"
    "mov $0x20, %di\n\t"
    "mov $2, %cx\n\t"
    "cld\n\t"
    "rep movsw\n\t"
    "mov 0x1022, %ax\n\t"
    "mov %ax, rm_results - rm_blob + 18\n\t"
    /* 16-bit effective address: BX + SI + disp */
    "mov $0x100, %bx\n\t"
    "mov $0x23, %si\n\t"
    "lea 4(%bx,%si), %ax\n\t"
    "mov %ax, rm_results - rm_blob + 20\n\t"
    /* 16-bit wrap-around */
    "mov $0xffff, %ax\n\t"
    "inc %ax\n\t"
    "pushf\n\t"
    "pop %bx\n\t"
    "mov %ax, rm_results - rm_blob + 22\n\t"
    "mov %bx, rm_results - rm_blob + 24\n\t"
    /* LOOP counts CX down */
    "xor %ax, %ax\n\t"
    "mov $5, %cx\n"
    "2:\n\t"
    "inc %ax\n\t"
    "loop 2b\n\t"
    "mov %ax, rm_results - rm_blob + 26\n\t"
    /* CR0.PE reads 0; CS and SS hold the segment */
    "mov %cr0, %eax\n\t"
    "mov %eax, rm_results - rm_blob + 28\n\t"
    "mov %cs, rm_results - rm_blob + 32\n\t"
    "mov %ss, rm_results - rm_blob + 34\n\t"
    "ret\n"
    ".balign 4\n"
    "rm_src: .word 0x1111, 0x2222\n"
    "rm_ivt_desc: .word 0x3ff\n .long 0\n"
    ".balign 4\n"
    "rm_results: .fill 64, 1, 0\n"
    "rm_blob_end:\n"
#ifdef __x86_64__
    ".code64\n"
#else
    ".code32\n"
#endif
    ".popsection\n");

/* FLAGS bits, SDM vol 1, 3.4.3 */
#define FL_CF	0x0001
#define FL_PF	0x0004
#define FL_AF	0x0010
#define FL_ZF	0x0040
#define FL_SF	0x0080
#define FL_OF	0x0800
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

int main(void)
{
	size_t size = rm_blob_end - rm_blob;
	struct rm_results *r =
		(struct rm_results *)(uintptr_t)(RM_BASE + (rm_results - rm_blob));

	report_prefix_push("realmode");
	assert(size <= RM_STACK_TOP - 0x100);
	memcpy((void *)(uintptr_t)RM_BASE, rm_blob, size);

	realmode_call();
#ifdef __x86_64__
	report_pass("left long mode for real mode and came back");
#else
	report_pass("left protected mode for real mode and came back");
#endif

	report(r->add_ax == 0 && (r->add_flags & FL_ARITH) ==
	       (FL_CF | FL_PF | FL_AF | FL_ZF),
	       "ADD 1234H + EDCCH (got %#x flags %#x, want 0 flags %#x)",
	       r->add_ax, r->add_flags & FL_ARITH,
	       FL_CF | FL_PF | FL_AF | FL_ZF);
	report(r->eax32 == 0x89abcdef, "32-bit operand (got %#x, want "
	       "0x89abcdef)", r->eax32);
	report(r->seg_read == 0xbeef, "segment * 16 + offset: 0700:0010 is "
	       "0600:1010 (got %#x, want 0xbeef)", r->seg_read);
	report(r->pop_cx == 0x5678 && r->sp_delta == 2, "PUSH imm16/POP "
	       "(got %#x, PUSH moved SP by %u; want 0x5678, 2)", r->pop_cx,
	       r->sp_delta);
	report(r->mul_ax == 21 && r->div_ax == ((2 << 8) | 14),
	       "MUL 7*3 and DIV 100/7 (got %u, %#x; want 21, 0x20e)",
	       r->mul_ax, r->div_ax);
	report(r->movs_word == 0x2222, "REP MOVSW across segments (got %#x, "
	       "want 0x2222)", r->movs_word);
	report(r->lea_ax == 0x127, "LEA 4[BX+SI] (got %#x, want 0x127)",
	       r->lea_ax);
	report(r->wrap_ax == 0 && (r->wrap_flags & FL_ZF),
	       "INC FFFFH wraps to 0 with ZF (got %#x flags %#x)",
	       r->wrap_ax, r->wrap_flags);
	report(r->loop_count == 5, "LOOP with CX=5 (got %u, want 5)",
	       r->loop_count);
	report(!(r->cr0 & X86_CR0_PE) && !(r->cr0 & X86_CR0_PG),
	       "CR0.PE and CR0.PG clear in real mode (got CR0 %#x)", r->cr0);
	report(r->cs == RM_SEG && r->ss == RM_SEG, "CS and SS hold the "
	       "segment (got %#x/%#x, want %#x)", r->cs, r->ss, RM_SEG);
	return report_summary();
}
