/*
 * Real-address mode: leave long mode (x86_64) or 32-bit protected mode
 * (i386), run 16-bit code in real mode, come back, and check what it
 * computed. Under KVM on Intel hosts without unrestricted guest, real
 * mode runs through KVM's instruction emulator, so every instruction's
 * result and the flags the SDM (vol 2) defines for it are checked; flags
 * the SDM leaves undefined are never asserted.
 *
 * Leaving long mode (SDM vol 3, 10.8.5.4): jump to compatibility mode,
 * clear CR0.PG (IA32_EFER.LMA drops), clear IA32_EFER.LME. On i386 the
 * first step is only clearing CR0.PG (PAE paging off). Then, as SDM
 * vol 3, 10.9.2 describes, a far jump to a 16-bit segment with a 64 KiB
 * limit, 16-bit data segments, CR0.PE cleared and a far jump that loads a
 * real-mode CS. The way back is 10.9.1 and 10.8.5 in reverse order.
 *
 * Each check is a row of a table: a 16-bit snippet, the registers and
 * FLAGS it starts with and what it must leave. In real mode a runner
 * loads the registers from a block, jumps to the snippet, and when the
 * snippet jumps back (or an interrupt or exception vectors through the
 * runner's own IVT) stores them into a second block. One trip to real
 * mode per row.
 *
 * All real-mode code is copied below 1 MiB, where real-mode addresses
 * (segment * 16 + offset, SDM vol 3, 21.1.1) reach.
 */
#include "libcflat.h"
#include "x86/layout.h"
#include "x86/processor.h"

/*
 * Low memory, unused after boot (the image is at IMAGE_BASE, the AP
 * trampoline at TRAMPOLINE_BASE):
 *   RM_BASE   the copied code and the runner's stack (RM_STACK_TOP)
 *   RM_STK    the stack segment the snippets start with, SP = RM_SP
 *   RM_DATA   the data segment (DS and ES) the snippets start with
 *   RM_IVT    the interrupt vector table: IDTR.base in real mode need not
 *             be 0 (SDM vol 3, 21.1.4), so the BIOS's table is left alone
 */
#define RM_BASE		0x10000
#define RM_SEG		(RM_BASE >> 4)
#define RM_STACK_TOP	0xfff0
#define RM_STK_LIN	0x20000
#define RM_STK_SEG	(RM_STK_LIN >> 4)
#define RM_SP		0x1000
#define RM_DATA_LIN	0x30000
#define RM_DATA_SEG	(RM_DATA_LIN >> 4)
#define RM_IVT_LIN	0x40000
#define RM_IVT_VECTORS	256
/* the vector with a handler that returns (IRET); the others abort the row */
#define RM_INT_VECTOR	0x40

/* Private GDT selectors for the transition. */
#define SEL_CODE64	0x08
#define SEL_DATA32	0x10
#define SEL_CODE32	0x18
#define SEL_CODE16	0x20
#define SEL_DATA16	0x28

/* FLAGS bits, SDM vol 1, 3.4.3 */
#define FL_CF	0x0001
#define FL_PF	0x0004
#define FL_AF	0x0010
#define FL_ZF	0x0040
#define FL_SF	0x0080
#define FL_TF	0x0100
#define FL_IF	0x0200
#define FL_DF	0x0400
#define FL_OF	0x0800
#define FL_FIXED 0x0002
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
/* AND, OR, XOR, TEST, shifts by more than 1: AF (and OF) undefined */
#define FL_LOGIC (FL_CF | FL_PF | FL_ZF | FL_SF | FL_OF)
#define FL_SZP	(FL_SF | FL_ZF | FL_PF)

/*
 * The register block, in and out. Byte offsets are named because the
 * 16-bit runner addresses the fields too.
 */
struct rm_regs {
	u32 eax, ebx, ecx, edx, esi, edi, ebp, esp;
	u32 eflags;
	u16 ds, es, fs, gs, ss, pad;
};
#define RG_EAX		0
#define RG_EBX		4
#define RG_ECX		8
#define RG_EDX		12
#define RG_ESI		16
#define RG_EDI		20
#define RG_EBP		24
#define RG_ESP		28
#define RG_EFLAGS	32
#define RG_DS		36
#define RG_ES		38
#define RG_FS		40
#define RG_GS		42
#define RG_SS		44

struct rm_io {
	struct rm_regs in, out;
	u16 entry;		/* snippet offset in RM_SEG */
	u16 vector;		/* vector that ended the row, 0xffff none */
	u16 ex_ip, ex_cs, ex_flags;	/* the frame it pushed */
	/* what the RM_INT_VECTOR handler saw */
	u16 h_ip, h_cs, h_flags, h_inflags, h_sp;
	u16 run_sp, run_ss;	/* the runner's own stack */
};
#define IO_IN		0
#define IO_OUT		48
#define IO_ENTRY	96
#define IO_VECTOR	98
#define IO_EX_IP	100
#define IO_EX_CS	102
#define IO_EX_FL	104
#define IO_H_IP		106
#define IO_H_CS		108
#define IO_H_FL		110
#define IO_H_IN		112
#define IO_H_SP		114
#define IO_RUN_SP	116
#define IO_RUN_SS	118
#define RM_IO_SIZE	120
#define RM_NO_VECTOR	0xffff

BUILD_BUG_ON(offsetof(struct rm_regs, ss) != RG_SS);
BUILD_BUG_ON(offsetof(struct rm_regs, eflags) != RG_EFLAGS);
BUILD_BUG_ON(offsetof(struct rm_io, out) != IO_OUT);
BUILD_BUG_ON(offsetof(struct rm_io, run_ss) != IO_RUN_SS);
BUILD_BUG_ON(sizeof(struct rm_io) != RM_IO_SIZE);
BUILD_BUG_ON(RM_BASE != 0x10000);	/* the 16-bit code descriptor's base */

#define S(x)		__stringify_x86(x)
#define IO(off)		"%cs:rm_io - rm_blob + " S(off)
#define IN(r)		IO(IO_IN + r)
#define OUT(r)		IO(IO_OUT + r)
#ifdef __x86_64__
#define CODE_NATIVE	".code64\n"
#else
#define CODE_NATIVE	".code32\n"
#endif

extern char rm_blob[], rm_blob_end[], rm_io[], rm_stubs[], rm_int_handler[];
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
    ".quad 0x00009a010000ffff\n\t"	/* 16-bit code, 64 KiB at RM_BASE */
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
    "ljmp $" __stringify_x86(SEL_CODE16) ", $(rm16_pm - rm_blob)\n"

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
    ".quad 0x00009a010000ffff\n\t"	/* 16-bit code, 64 KiB at RM_BASE */
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
    "ljmp $" __stringify_x86(SEL_CODE16) ", $(rm16_pm - rm_blob)\n"

    "rm_back32:\n\t"
    "mov $" __stringify_x86(SEL_DATA32) ", %eax\n\t"
    "mov %eax, %ds\n\t"
    "mov %eax, %es\n\t"
    "mov %eax, %ss\n\t"
    /* Clear the PDPTEs' reserved bits 2:1 and 8:5 before the MOV to
     * CR0 loads them: QEMU TCG sets bit 5 when it walks them, and KVM
     * nested in TCG would raise #GP(0) here (see lib/x86/cstart32.S,
     * pdpt_clear_reserved). Paging is off: CR3 is physical, identity. */
    "mov %cr3, %eax\n\t"
    "andl $~0x1e6, (%eax)\n\t"
    "andl $~0x1e6, 8(%eax)\n\t"
    "andl $~0x1e6, 16(%eax)\n\t"
    "andl $~0x1e6, 24(%eax)\n\t"
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

/*
 * The 16-bit core, copied to RM_BASE: offsets from rm_blob are offsets in
 * RM_SEG. Subsection 0 holds the core, 1 the snippets (RM_CODE below),
 * 2 the end marker, so the blob is contiguous whatever order the asm
 * statements come in.
 */
asm(
    ".pushsection .rodata.rm16, \"a\"\n"
    ".subsection 2\n"
    "rm_blob_end:\n"
    ".subsection 0\n"
    ".globl rm_blob, rm_blob_end, rm_io, rm_stubs, rm_int_handler\n"
    ".code16\n"
    ".balign 16\n"
    "rm_blob:\n"
    "rm16_pm:\n\t"
    "mov $" S(SEL_DATA16) ", %ax\n\t"
    "mov %ax, %ds\n\t"
    "mov %ax, %es\n\t"
    "mov %ax, %ss\n\t"
    "mov %ax, %gs\n\t"
    /* FS keeps a 4 GiB limit in real mode: "big real mode" */
    "mov $" S(SEL_DATA32) ", %ax\n\t"
    "mov %ax, %fs\n\t"
    "mov %cr0, %eax\n\t"
    "and $~1, %eax\n\t"			/* CR0.PE off */
    "mov %eax, %cr0\n\t"
    "ljmp $" S(RM_SEG) ", $(rm16_real - rm_blob)\n"
    "rm16_real:\n\t"
    "mov %cs, %ax\n\t"
    "mov %ax, %ds\n\t"
    "mov %ax, %es\n\t"
    "mov %ax, %ss\n\t"
    "mov $" S(RM_STACK_TOP) ", %esp\n\t"
    "lidt rm_ivt_desc - rm_blob\n\t"
    "call rm_run\n\t"
    /* back to protected mode, then to the 32-bit code in the image */
    "mov %cr0, %eax\n\t"
    "or $1, %eax\n\t"
    "mov %eax, %cr0\n\t"
    "ljmpl $" S(SEL_CODE32) ", $rm_back32\n"

    /* load the in block, run the snippet */
    "rm_run:\n\t"
    "movw %sp, " IO(IO_RUN_SP) "\n\t"
    "movw %ss, " IO(IO_RUN_SS) "\n\t"
    "movw $" S(RM_NO_VECTOR) ", " IO(IO_VECTOR) "\n\t"
    "pushl " IN(RG_EFLAGS) "\n\t"
    "popfl\n\t"
    "movw " IN(RG_ES) ", %es\n\t"
    "movw " IN(RG_SS) ", %ss\n\t"
    "movl " IN(RG_ESP) ", %esp\n\t"
    "movl " IN(RG_EAX) ", %eax\n\t"
    "movl " IN(RG_EBX) ", %ebx\n\t"
    "movl " IN(RG_ECX) ", %ecx\n\t"
    "movl " IN(RG_EDX) ", %edx\n\t"
    "movl " IN(RG_ESI) ", %esi\n\t"
    "movl " IN(RG_EDI) ", %edi\n\t"
    "movl " IN(RG_EBP) ", %ebp\n\t"
    "movw " IN(RG_DS) ", %ds\n\t"
    "jmp *" IO(IO_ENTRY) "\n"

    /* snippets end here (with CS = RM_SEG): store the out block */
    "rm_done:\n\t"
    "movl %eax, " OUT(RG_EAX) "\n\t"
    "movl %ebx, " OUT(RG_EBX) "\n\t"
    "movl %ecx, " OUT(RG_ECX) "\n\t"
    "movl %edx, " OUT(RG_EDX) "\n\t"
    "movl %esi, " OUT(RG_ESI) "\n\t"
    "movl %edi, " OUT(RG_EDI) "\n\t"
    "movl %ebp, " OUT(RG_EBP) "\n\t"
    "movl %esp, " OUT(RG_ESP) "\n\t"
    "movw %ds, " OUT(RG_DS) "\n\t"
    "movw %es, " OUT(RG_ES) "\n\t"
    "movw %fs, " OUT(RG_FS) "\n\t"
    "movw %gs, " OUT(RG_GS) "\n\t"
    "movw %ss, " OUT(RG_SS) "\n\t"
    "movw " IO(IO_RUN_SS) ", %ss\n\t"
    "movzwl " IO(IO_RUN_SP) ", %esp\n\t"
    "pushfl\n\t"
    "popl " OUT(RG_EFLAGS) "\n\t"
    /* IOPL, NT, DF a row set must not reach protected mode */
    "pushl $" S(FL_FIXED) "\n\t"
    "popfl\n\t"
    "mov %cs, %ax\n\t"
    "mov %ax, %ds\n\t"
    "mov %ax, %es\n\t"
    "ret\n"

    /*
     * Every vector but RM_INT_VECTOR: a stub pushes its number; record
     * it and the IP, CS, FLAGS frame (real mode pushes no error code,
     * SDM vol 3, 21.1.4), then end the row with the registers as the
     * interrupted code left them.
     */
    "rm_exc_common:\n\t"
    "popw " IO(IO_VECTOR) "\n\t"
    "popw " IO(IO_EX_IP) "\n\t"
    "popw " IO(IO_EX_CS) "\n\t"
    "popw " IO(IO_EX_FL) "\n\t"
    "jmp rm_done\n"
    ".balign 8\n"
    "rm_stubs:\n"
    ".set rm_vec, 0\n"
    ".rept " S(RM_IVT_VECTORS) "\n\t"
    ".balign 8\n\t"
    "pushw $rm_vec\n\t"
    "jmp rm_exc_common\n\t"
    ".set rm_vec, rm_vec + 1\n"
    ".endr\n"

    /* RM_INT_VECTOR: record the frame and FLAGS as the handler sees them */
    "rm_int_handler:\n\t"
    "movw %sp, " IO(IO_H_SP) "\n\t"
    "popw " IO(IO_H_IP) "\n\t"
    "popw " IO(IO_H_CS) "\n\t"
    "popw " IO(IO_H_FL) "\n\t"
    "pushw " IO(IO_H_FL) "\n\t"
    "pushw " IO(IO_H_CS) "\n\t"
    "pushw " IO(IO_H_IP) "\n\t"
    "pushf\n\t"
    "popw " IO(IO_H_IN) "\n\t"
    "iret\n"

    ".balign 4\n"
    "rm_ivt_desc: .word " S(RM_IVT_VECTORS) " * 4 - 1\n\t"
    ".long " S(RM_IVT_LIN) "\n"
    "rm_const: .word 0xc0de\n"
    ".balign 4\n"
    "rm_io: .fill " S(RM_IO_SIZE) ", 1, 0\n"
    CODE_NATIVE
    ".popsection\n");

/*
 * A snippet: 16-bit code in the blob that ends by jumping to rm_done.
 * Labels inside it that C needs are declared with RM_LABEL.
 */
#define RM_CODE(name, body)						\
	extern char name[];						\
	asm(".pushsection .rodata.rm16, \"a\"\n"			\
	    ".subsection 1\n"						\
	    ".code16\n"							\
	    #name ":\n\t"						\
	    body "\n\t"							\
	    "jmp rm_done\n"						\
	    CODE_NATIVE							\
	    ".popsection\n")
#define RM_LABEL(name)	extern char name[]

/*
 * One row: a snippet, what it starts with, what it must leave. Registers
 * are compared where `check` has their CK_ bit, FLAGS under `fmask` (the
 * flags the SDM defines for the instruction), words of memory in `post`
 * (after `pre` is written). Zero DS, ES, SS, ESP in `in` mean RM_DATA_SEG,
 * RM_DATA_SEG, RM_STK_SEG, RM_SP. With `faults` set, the row must end by
 * vectoring through the IVT with `vector`, the pushed IP being
 * `fault_ip` (the snippet's start if NULL) and CS RM_SEG.
 */
struct rm_word {
	u32 lin;	/* linear address, 0 ends the list */
	u16 val;
};

struct rm_case {
	const char *name;
	const char *code;
	struct rm_regs in;
	u32 check;
	struct rm_regs want;
	u32 fmask;
	bool faults;
	u8 vector;
	const char *fault_ip;
	struct rm_word pre[9], post[9];	/* up to 8 each, then lin 0 */
};

enum {
	CK_EAX = 1 << 0, CK_EBX = 1 << 1, CK_ECX = 1 << 2, CK_EDX = 1 << 3,
	CK_ESI = 1 << 4, CK_EDI = 1 << 5, CK_EBP = 1 << 6, CK_ESP = 1 << 7,
	CK_DS = 1 << 8, CK_ES = 1 << 9, CK_FS = 1 << 10, CK_GS = 1 << 11,
	CK_SS = 1 << 12,
};

static const struct {
	const char *name;
	size_t off, size;
} rm_fields[] = {
	{ "EAX", offsetof(struct rm_regs, eax), 4 },
	{ "EBX", offsetof(struct rm_regs, ebx), 4 },
	{ "ECX", offsetof(struct rm_regs, ecx), 4 },
	{ "EDX", offsetof(struct rm_regs, edx), 4 },
	{ "ESI", offsetof(struct rm_regs, esi), 4 },
	{ "EDI", offsetof(struct rm_regs, edi), 4 },
	{ "EBP", offsetof(struct rm_regs, ebp), 4 },
	{ "ESP", offsetof(struct rm_regs, esp), 4 },
	{ "DS", offsetof(struct rm_regs, ds), 2 },
	{ "ES", offsetof(struct rm_regs, es), 2 },
	{ "FS", offsetof(struct rm_regs, fs), 2 },
	{ "GS", offsetof(struct rm_regs, gs), 2 },
	{ "SS", offsetof(struct rm_regs, ss), 2 },
};

static const struct {
	const char *name;
	u32 bit;
} rm_flag_names[] = {
	{ "CF", FL_CF }, { "PF", FL_PF }, { "AF", FL_AF }, { "ZF", FL_ZF },
	{ "SF", FL_SF }, { "TF", FL_TF }, { "IF", FL_IF }, { "DF", FL_DF },
	{ "OF", FL_OF },
};

#define D(off)		(RM_DATA_LIN + (off))
#define STK(off)	(RM_STK_LIN + (off))
#define RM_OFF(sym)	((u16)((sym) - rm_blob))
#define RM_PTR(sym)	((void *)(uintptr_t)(RM_BASE + RM_OFF(sym)))

static struct rm_io *rm_io_block(void)
{
	return RM_PTR(rm_io);
}

static u32 field(const struct rm_regs *r, int i)
{
	const u8 *p = (const u8 *)r + rm_fields[i].off;

	return rm_fields[i].size == 4 ? *(const u32 *)p : *(const u16 *)p;
}

/* Run the row's snippet once in real mode; the result is in rm_io. */
static void rm_exec(const struct rm_case *c)
{
	struct rm_io *io = rm_io_block();
	u32 *ivt = (u32 *)(uintptr_t)RM_IVT_LIN;
	const struct rm_word *w;
	int v;

	for (v = 0; v < RM_IVT_VECTORS; v++)
		ivt[v] = (RM_SEG << 16) | (RM_OFF(rm_stubs) + 8 * v);
	ivt[RM_INT_VECTOR] = (RM_SEG << 16) | RM_OFF(rm_int_handler);

	for (w = c->pre; w->lin; w++)
		*(u16 *)(uintptr_t)w->lin = w->val;

	memset(io, 0, sizeof(*io));
	io->in = c->in;
	io->in.eflags |= FL_FIXED;
	if (!io->in.ds)
		io->in.ds = RM_DATA_SEG;
	if (!io->in.es)
		io->in.es = RM_DATA_SEG;
	if (!io->in.ss)
		io->in.ss = RM_STK_SEG;
	if (!io->in.esp)
		io->in.esp = RM_SP;
	io->entry = RM_OFF(c->code);
	realmode_call();
}

/* A message being built: appends stop at the end of the buffer. */
struct msg {
	char *buf;
	size_t len, n;
};

static void __attribute__((format(printf, 2, 3)))
msg_add(struct msg *m, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (m->n >= m->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(m->buf + m->n, m->len - m->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		m->n += r;
}

static void fmt_flags(struct msg *m, u32 fl, u32 mask)
{
	u32 named = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rm_flag_names); i++) {
		named |= rm_flag_names[i].bit;
		if (mask & rm_flag_names[i].bit)
			msg_add(m, " %s=%d", rm_flag_names[i].name,
				!!(fl & rm_flag_names[i].bit));
	}
	if (mask & ~named)
		msg_add(m, " FLAGS&%#x=%#x", mask, fl & mask);
}

/* What the row says, with the values of `r` (got or want). */
static void fmt_state(struct msg *m, const struct rm_case *c,
		      const struct rm_regs *r, u16 vector, u16 ex_ip,
		      u16 ex_cs, bool want)
{
	const struct rm_word *w;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rm_fields); i++)
		if (c->check & (1u << i))
			msg_add(m, " %s=%#x", rm_fields[i].name, field(r, i));
	fmt_flags(m, r->eflags, c->fmask);
	for (w = c->post; w->lin; w++)
		msg_add(m, " [%#x]=%#x", w->lin,
			want ? w->val : *(u16 *)(uintptr_t)w->lin);
	if (vector == RM_NO_VECTOR)
		msg_add(m, " no vector");
	else
		msg_add(m, " vector %u at %04x:%04x", vector, ex_cs, ex_ip);
}

static void run_case(const struct rm_case *c)
{
	struct rm_io *io = rm_io_block();
	const struct rm_word *w;
	char got[320] = "", want[320] = "";
	struct msg mg = { got, sizeof(got), 0 }, mw = { want, sizeof(want), 0 };
	u16 want_vec = c->faults ? c->vector : RM_NO_VECTOR;
	u16 want_ip = RM_OFF(c->fault_ip ? c->fault_ip : c->code);
	bool ok = true;
	size_t i;

	rm_exec(c);

	for (i = 0; i < ARRAY_SIZE(rm_fields); i++)
		if ((c->check & (1u << i)) &&
		    field(&io->out, i) != field(&c->want, i))
			ok = false;
	if ((io->out.eflags ^ c->want.eflags) & c->fmask)
		ok = false;
	for (w = c->post; w->lin; w++)
		if (*(u16 *)(uintptr_t)w->lin != w->val)
			ok = false;
	if (io->vector != want_vec)
		ok = false;
	if (c->faults && (io->ex_ip != want_ip || io->ex_cs != RM_SEG))
		ok = false;

	fmt_state(&mw, c, &c->want, want_vec, want_ip, RM_SEG, true);
	if (ok) {
		report_pass("%s (got and want%s)", c->name, want);
		return;
	}
	fmt_state(&mg, c, &io->out, io->vector, io->ex_ip, io->ex_cs, false);
	report_fail("%s (got%s; want%s)", c->name, got, want);
}

static void run_table(const char *prefix, const struct rm_case *t, size_t n)
{
	size_t i;

	report_prefix_push(prefix);
	for (i = 0; i < n; i++)
		run_case(&t[i]);
	report_prefix_pop();
}
#define RUN_TABLE(prefix, t)	run_table(prefix, t, ARRAY_SIZE(t))

/* Rows of the common shapes: op AL/AX with BL/BX, and op AL/AX. */
#define ALU2(nm, snip, a, b, fin, r, fout, mask)			\
	{ .name = nm, .code = snip,					\
	  .in = { .eax = a, .ebx = b, .eflags = fin },			\
	  .check = CK_EAX | CK_EBX,					\
	  .want = { .eax = r, .ebx = b, .eflags = fout }, .fmask = mask }
#define ALU1(nm, snip, a, fin, r, fout, mask)				\
	{ .name = nm, .code = snip, .in = { .eax = a, .eflags = fin },	\
	  .check = CK_EAX, .want = { .eax = r, .eflags = fout },	\
	  .fmask = mask }
/* op AL/AX, CL */
#define SHIFT(nm, snip, a, cnt, fin, r, fout, mask)			\
	{ .name = nm, .code = snip,					\
	  .in = { .eax = a, .ecx = cnt, .eflags = fin },		\
	  .check = CK_EAX | CK_ECX,					\
	  .want = { .eax = r, .ecx = cnt, .eflags = fout }, .fmask = mask }

/*
 * Arithmetic and logic, SDM vol 2 "Flags Affected" of each: ADD, ADC,
 * SUB, SBB, CMP, NEG set all six; INC and DEC leave CF; AND, OR, XOR,
 * TEST clear OF and CF and leave AF undefined. The upper bits of EAX
 * must survive 8- and 16-bit operations.
 */
RM_CODE(op_add8, "add %bl, %al");
RM_CODE(op_add16, "add %bx, %ax");
RM_CODE(op_adc8, "adc %bl, %al");
RM_CODE(op_adc16, "adc %bx, %ax");
RM_CODE(op_sub8, "sub %bl, %al");
RM_CODE(op_sub16, "sub %bx, %ax");
RM_CODE(op_sbb8, "sbb %bl, %al");
RM_CODE(op_sbb16, "sbb %bx, %ax");
RM_CODE(op_cmp8, "cmp %bl, %al");
RM_CODE(op_cmp16, "cmp %bx, %ax");
RM_CODE(op_inc8, "inc %al");
RM_CODE(op_inc16, "inc %ax");
RM_CODE(op_dec8, "dec %al");
RM_CODE(op_dec16, "dec %ax");
RM_CODE(op_neg8, "neg %al");
RM_CODE(op_neg16, "neg %ax");
RM_CODE(op_and8, "and %bl, %al");
RM_CODE(op_or16, "or %bx, %ax");
RM_CODE(op_xor16, "xor %bx, %ax");
RM_CODE(op_test8, "test %bl, %al");
RM_CODE(op_test16, "test %bx, %ax");
RM_CODE(op_add16_imm8, "add $-1, %ax");
RM_CODE(op_add_mem, "add %ax, (%bx)");

static const struct rm_case alu_cases[] = {
	ALU2("ADD AL,BL 7FH+01H", op_add8, 0x1234567f, 0x01, 0,
	     0x12345680, FL_OF | FL_SF | FL_AF, FL_ARITH),
	ALU2("ADD AL,BL FFH+01H", op_add8, 0xff, 0x01, 0,
	     0x00, FL_CF | FL_ZF | FL_AF | FL_PF, FL_ARITH),
	ALU2("ADD AX,BX 8000H+8000H", op_add16, 0xabcd8000, 0x8000, 0,
	     0xabcd0000, FL_CF | FL_OF | FL_ZF | FL_PF, FL_ARITH),
	ALU2("ADD AX,BX 1234H+4321H", op_add16, 0x1234, 0x4321, FL_ARITH,
	     0x5555, FL_PF, FL_ARITH),
	ALU2("ADC AL,BL FEH+01H+CF", op_adc8, 0xfe, 0x01, FL_CF,
	     0x00, FL_CF | FL_ZF | FL_AF | FL_PF, FL_ARITH),
	ALU2("ADC AX,BX 7FFFH+0+CF", op_adc16, 0x7fff, 0, FL_CF,
	     0x8000, FL_OF | FL_SF | FL_AF | FL_PF, FL_ARITH),
	ALU2("SUB AL,BL 00H-01H", op_sub8, 0x00, 0x01, 0,
	     0xff, FL_CF | FL_SF | FL_AF | FL_PF, FL_ARITH),
	ALU2("SUB AL,BL 80H-01H", op_sub8, 0x80, 0x01, 0,
	     0x7f, FL_OF | FL_AF, FL_ARITH),
	ALU2("SUB AX,BX 1000H-1000H", op_sub16, 0x1000, 0x1000, FL_ARITH,
	     0, FL_ZF | FL_PF, FL_ARITH),
	ALU2("SBB AL,BL 10H-0FH-CF", op_sbb8, 0x10, 0x0f, FL_CF,
	     0x00, FL_ZF | FL_AF | FL_PF, FL_ARITH),
	ALU2("SBB AX,BX 0-0-CF", op_sbb16, 0, 0, FL_CF,
	     0xffff, FL_CF | FL_SF | FL_AF | FL_PF, FL_ARITH),
	ALU2("CMP AL,BL 05H-07H", op_cmp8, 0x05, 0x07, 0,
	     0x05, FL_CF | FL_SF | FL_AF, FL_ARITH),
	ALU2("CMP AX,BX 8000H-0001H", op_cmp16, 0x8000, 0x0001, 0,
	     0x8000, FL_OF | FL_AF | FL_PF, FL_ARITH),
	ALU1("INC AL 7FH keeps CF", op_inc8, 0x7f, FL_CF,
	     0x80, FL_CF | FL_OF | FL_SF | FL_AF, FL_ARITH),
	ALU1("INC AX FFFFH sets no CF", op_inc16, 0x5a5affff, 0,
	     0x5a5a0000, FL_ZF | FL_AF | FL_PF, FL_ARITH),
	ALU1("DEC AL 80H keeps CF", op_dec8, 0x80, FL_CF,
	     0x7f, FL_CF | FL_OF | FL_AF, FL_ARITH),
	ALU1("DEC AX 0001H", op_dec16, 0x0001, FL_CF,
	     0, FL_CF | FL_ZF | FL_PF, FL_ARITH),
	ALU1("NEG AL 00H", op_neg8, 0x00, FL_CF,
	     0x00, FL_ZF | FL_PF, FL_ARITH),
	ALU1("NEG AL 80H", op_neg8, 0x80, 0,
	     0x80, FL_CF | FL_OF | FL_SF, FL_ARITH),
	ALU1("NEG AX 0001H", op_neg16, 0x0001, 0,
	     0xffff, FL_CF | FL_SF | FL_AF | FL_PF, FL_ARITH),
	ALU2("AND AL,BL F0H&3CH", op_and8, 0xf0, 0x3c, FL_CF | FL_OF,
	     0x30, FL_PF, FL_LOGIC),
	ALU2("OR AX,BX 8000H|0001H", op_or16, 0x8000, 0x0001, FL_CF | FL_OF,
	     0x8001, FL_SF, FL_LOGIC),
	ALU2("XOR AX,BX AAAAH^AAAAH", op_xor16, 0xaaaa, 0xaaaa, 0,
	     0, FL_ZF | FL_PF, FL_LOGIC),
	ALU2("TEST AL,BL 80H&80H", op_test8, 0x80, 0x80, FL_CF | FL_OF,
	     0x80, FL_SF, FL_LOGIC),
	ALU2("TEST AX,BX 00FFH&FF00H", op_test16, 0x00ff, 0xff00, 0,
	     0x00ff, FL_ZF | FL_PF, FL_LOGIC),
	ALU1("ADD AX,-1 (83 /0 ib) 0001H", op_add16_imm8, 0x0001, 0,
	     0, FL_CF | FL_ZF | FL_AF | FL_PF, FL_ARITH),
	{ .name = "ADD [BX],AX FF00H+0101H", .code = op_add_mem,
	  .in = { .eax = 0x0101, .ebx = 0x40 }, .check = CK_EAX | CK_EBX,
	  .want = { .eax = 0x0101, .ebx = 0x40, .eflags = FL_CF },
	  .fmask = FL_ARITH, .pre = { { D(0x40), 0xff00 } },
	  .post = { { D(0x40), 0x0001 } } },
};

/*
 * MUL and IMUL define only CF and OF (set when the high half is
 * significant); DIV and IDIV leave every flag undefined. #DE is a fault:
 * the pushed IP is the DIV's and the operands are unchanged (SDM vol 3,
 * 6.15, interrupt 0; vol 2A, DIV).
 */
RM_CODE(op_mul8, "mul %bl");
RM_CODE(op_mul16, "mul %bx");
RM_CODE(op_imul8, "imul %bl");
RM_CODE(op_imul16, "imul %bx");
RM_CODE(op_imul_rr, "imul %bx, %ax");
RM_CODE(op_imul3, "imul $-3, %bx, %ax");
RM_CODE(op_div8, "div %bl");
RM_CODE(op_div16, "div %bx");
RM_CODE(op_idiv8, "idiv %bl");
RM_CODE(op_idiv16, "idiv %bx");
RM_CODE(op_div8_mid, "mov %bl, %bl\n" "rm_div_at: div %bl");
RM_LABEL(rm_div_at);

#define MULDIV(nm, snip, a, b, d, ra, rd, fout, mask)			\
	{ .name = nm, .code = snip,					\
	  .in = { .eax = a, .ebx = b, .edx = d, .eflags = FL_CF | FL_OF },\
	  .check = CK_EAX | CK_EBX | CK_EDX,				\
	  .want = { .eax = ra, .ebx = b, .edx = rd, .eflags = fout },	\
	  .fmask = mask }
#define DIVFAULT(nm, snip, a, b, d, at)					\
	{ .name = nm, .code = snip, .in = { .eax = a, .ebx = b, .edx = d },\
	  .check = CK_EAX | CK_EDX | CK_ESP,				\
	  .want = { .eax = a, .edx = d, .esp = RM_SP },			\
	  .faults = true, .vector = DE_VECTOR, .fault_ip = at }

static const struct rm_case muldiv_cases[] = {
	MULDIV("MUL BL 10H*10H", op_mul8, 0x12340010, 0x10, 0,
	       0x12340100, 0, FL_CF | FL_OF, FL_CF | FL_OF),
	MULDIV("MUL BL 0FH*11H", op_mul8, 0x0f, 0x11, 0,
	       0x00ff, 0, 0, FL_CF | FL_OF),
	MULDIV("MUL BX 1234H*0100H", op_mul16, 0x1234, 0x0100, 0x5a5a1111,
	       0x3400, 0x5a5a0012, FL_CF | FL_OF, FL_CF | FL_OF),
	MULDIV("MUL BX 00FFH*0101H", op_mul16, 0x00ff, 0x0101, 0x1111,
	       0xffff, 0, 0, FL_CF | FL_OF),
	MULDIV("IMUL BL FFH*02H", op_imul8, 0xff, 0x02, 0,
	       0xfffe, 0, 0, FL_CF | FL_OF),
	MULDIV("IMUL BL 40H*04H", op_imul8, 0x40, 0x04, 0,
	       0x0100, 0, FL_CF | FL_OF, FL_CF | FL_OF),
	MULDIV("IMUL BX FFFFH*8000H", op_imul16, 0xffff, 0x8000, 0x1111,
	       0x8000, 0x0000, FL_CF | FL_OF, FL_CF | FL_OF),
	MULDIV("IMUL BX FFFDH*0005H", op_imul16, 0xfffd, 0x0005, 0,
	       0xfff1, 0xffff, 0, FL_CF | FL_OF),
	MULDIV("IMUL AX,BX 0100H*0100H", op_imul_rr, 0x0100, 0x0100, 0x7777,
	       0x0000, 0x7777, FL_CF | FL_OF, FL_CF | FL_OF),
	MULDIV("IMUL AX,BX,-3 BX=1000H", op_imul3, 0x99990000, 0x1000, 0,
	       0x9999d000, 0, 0, FL_CF | FL_OF),
	MULDIV("IMUL AX,BX,-3 BX=4000H", op_imul3, 0, 0x4000, 0,
	       0x4000, 0, FL_CF | FL_OF, FL_CF | FL_OF),
	MULDIV("DIV BL 0100H/07H", op_div8, 0x0100, 0x07, 0,
	       0x0424, 0, 0, 0),
	MULDIV("DIV BX 00010000H/0003H", op_div16, 0x0000, 0x0003, 0x0001,
	       0x5555, 0x0001, 0, 0),
	MULDIV("IDIV BL FFF9H/02H", op_idiv8, 0xfff9, 0x02, 0,
	       0xfffd, 0, 0, 0),
	MULDIV("IDIV BX FFFE7960H/0007H", op_idiv16, 0x7960, 0x0007, 0xfffe,
	       0xc833, 0xfffb, 0, 0),
	DIVFAULT("DIV BL by 0 raises #DE", op_div8, 0x1234, 0, 0, NULL),
	DIVFAULT("DIV BL 1000H/10H overflows: #DE", op_div8, 0x1000, 0x10,
		 0, NULL),
	DIVFAULT("DIV BX by 0 raises #DE", op_div16, 0x0002, 0, 0x0001, NULL),
	/*
	 * Not 80000000H/-1: QEMU 7.2 TCG divides that on the host and dies
	 * of SIGFPE, which would end the whole test.
	 */
	DIVFAULT("IDIV BX 00010000H/1 overflows: #DE", op_idiv16, 0,
		 0x0001, 0x0001, NULL),
	DIVFAULT("IDIV BL 8000H/-1 overflows: #DE", op_idiv8, 0x8000, 0xff,
		 0, NULL),
	DIVFAULT("#DE pushes the IP of the DIV", op_div8_mid, 0x1234, 0, 0,
		 rm_div_at),
};

/* The quotient QEMU 7.2 TCG computes on the host: only with the argument
 * idiv-min ([realmode-idiv-min], out of the default set). */
static const struct rm_case idiv_min_cases[] = {
	DIVFAULT("IDIV BX 80000000H/-1 overflows: #DE", op_idiv16, 0x0000,
		 0xffff, 0x8000, NULL),
};

/*
 * Shifts and rotates (SDM vol 2B, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR):
 * the count is masked to 5 bits; a masked count of 0 changes no flag;
 * OF is defined for 1-bit counts only; AF is undefined for shifts and
 * SF, ZF, AF, PF are unaffected by rotates; CF of SHL/SHR is undefined
 * for counts of the operand size or more. RCL/RCR rotate through CF,
 * modulo 9 (8-bit) or 17 (16-bit).
 */
RM_CODE(op_shl8_1, "shl %al");
RM_CODE(op_shl8, "shl %cl, %al");
RM_CODE(op_shl16, "shl %cl, %ax");
RM_CODE(op_shr8, "shr %cl, %al");
RM_CODE(op_shr16, "shr %cl, %ax");
RM_CODE(op_shr16_imm, "shr $4, %ax");
RM_CODE(op_sar8, "sar %cl, %al");
RM_CODE(op_sar16, "sar %cl, %ax");
RM_CODE(op_rol8, "rol %cl, %al");
RM_CODE(op_rol16, "rol %cl, %ax");
RM_CODE(op_ror8, "ror %cl, %al");
RM_CODE(op_ror16, "ror %cl, %ax");
RM_CODE(op_rcl8, "rcl %cl, %al");
RM_CODE(op_rcl16, "rcl %cl, %ax");
RM_CODE(op_rcr8, "rcr %cl, %al");
RM_CODE(op_rcr16, "rcr %cl, %ax");
RM_CODE(op_rcr16_1, "rcr %ax");

#define FL_ROT	(FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

static const struct rm_case shift_cases[] = {
	SHIFT("SHL AL,1 (D0 /4) C0H", op_shl8_1, 0xc0, 0, 0,
	      0x80, FL_CF | FL_SF, FL_LOGIC),
	SHIFT("SHL AL,CL 81H by 4", op_shl8, 0x81, 4, FL_ARITH,
	      0x10, 0, FL_SZP | FL_CF),
	SHIFT("SHL AX,CL 4000H by 1", op_shl16, 0x4000, 1, 0,
	      0x8000, FL_OF | FL_SF | FL_PF, FL_LOGIC),
	SHIFT("SHR AL,CL 81H by 1", op_shr8, 0x81, 1, 0,
	      0x40, FL_CF | FL_OF, FL_LOGIC),
	SHIFT("SHR AX,CL 8008H by 4", op_shr16, 0x8008, 4, 0,
	      0x0800, FL_CF | FL_PF, FL_SZP | FL_CF),
	SHIFT("SHR AX,4 (C1 /5 ib) 8008H", op_shr16_imm, 0x8008, 0, 0,
	      0x0800, FL_CF | FL_PF, FL_SZP | FL_CF),
	SHIFT("SAR AL,CL 81H by 1", op_sar8, 0x81, 1, FL_OF,
	      0xc0, FL_CF | FL_SF | FL_PF, FL_LOGIC),
	SHIFT("SAR AX,CL 8000H by 15", op_sar16, 0x8000, 15, 0,
	      0xffff, FL_SF | FL_PF, FL_SZP | FL_CF),
	SHIFT("SHL AL,CL count 0 changes no flag", op_shl8, 0x55, 0, FL_ARITH,
	      0x55, FL_ARITH, FL_ARITH),
	SHIFT("SHL AX,CL count 21H is masked to 1", op_shl16, 0x0001, 0x21, 0,
	      0x0002, 0, FL_LOGIC),
	SHIFT("SHL AL,CL count 9 clears AL", op_shl8, 0xff, 9, 0,
	      0x00, FL_ZF | FL_PF, FL_SZP),
	SHIFT("ROL AL,CL 81H by 1", op_rol8, 0x81, 1, FL_SZP | FL_AF,
	      0x03, FL_SZP | FL_AF | FL_CF | FL_OF, FL_ARITH),
	SHIFT("ROL AX,CL 1234H by 4", op_rol16, 0x1234, 4, 0,
	      0x2341, FL_CF, FL_ROT),
	SHIFT("ROL AL,CL 01H by 8 sets CF from bit 0", op_rol8, 0x01, 8, 0,
	      0x01, FL_CF, FL_ROT),
	SHIFT("ROR AL,CL 01H by 1", op_ror8, 0x01, 1, 0,
	      0x80, FL_CF | FL_OF, FL_ARITH),
	SHIFT("ROR AX,CL 1234H by 8", op_ror16, 0x1234, 8,
	      FL_CF | FL_SF | FL_PF, 0x3412, FL_SF | FL_PF, FL_ROT),
	SHIFT("RCL AL,CL 80H by 1 with CF", op_rcl8, 0x80, 1, FL_CF,
	      0x01, FL_CF | FL_OF, FL_ARITH),
	SHIFT("RCL AL,CL by 9 is a full turn", op_rcl8, 0x55, 9, FL_CF,
	      0x55, FL_CF, FL_ROT),
	SHIFT("RCL AX,CL 8421H by 4", op_rcl16, 0x8421, 4, FL_SF,
	      0x4214, FL_SF, FL_ROT),
	SHIFT("RCR AL,CL 01H by 1 with CF", op_rcr8, 0x01, 1, FL_CF,
	      0x80, FL_CF | FL_OF, FL_ARITH),
	SHIFT("RCR AX,CL 0003H by 2", op_rcr16, 0x0003, 2, 0,
	      0x8000, FL_CF, FL_ROT),
	SHIFT("RCR AX,1 (D1 /3) 8000H", op_rcr16_1, 0x8000, 0, 0,
	      0x4000, FL_OF, FL_ARITH),
};

/*
 * ASCII and decimal adjust (SDM vol 2A, AAA, AAS, AAD, AAM, DAA, DAS):
 * AAA/AAS define AF and CF only, DAA/DAS all but OF, AAD/AAM SF, ZF, PF.
 * AAM with an immediate of 0 raises #DE.
 */
RM_CODE(op_aaa, "aaa");
RM_CODE(op_aas, "aas");
RM_CODE(op_daa, "daa");
RM_CODE(op_das, "das");
RM_CODE(op_aam, "aam");
RM_CODE(op_aam16, ".byte 0xd4, 0x10");
RM_CODE(op_aam0, ".byte 0xd4, 0x00");
RM_CODE(op_aad, "aad");
RM_CODE(op_aad16, ".byte 0xd5, 0x10");

#define FL_DAA	(FL_SZP | FL_AF | FL_CF)

static const struct rm_case bcd_cases[] = {
	ALU1("AAA AX 010BH", op_aaa, 0x010b, 0,
	     0x0201, FL_AF | FL_CF, FL_AF | FL_CF),
	ALU1("AAA AX 0105H", op_aaa, 0x0105, FL_CF,
	     0x0105, 0, FL_AF | FL_CF),
	ALU1("AAA AX 0002H with AF", op_aaa, 0x0002, FL_AF,
	     0x0108, FL_AF | FL_CF, FL_AF | FL_CF),
	ALU1("AAS AX 020BH", op_aas, 0x020b, 0,
	     0x0105, FL_AF | FL_CF, FL_AF | FL_CF),
	ALU1("AAS AX 0203H", op_aas, 0x0203, FL_CF,
	     0x0203, 0, FL_AF | FL_CF),
	ALU1("DAA AL AEH", op_daa, 0xae, 0,
	     0x14, FL_CF | FL_AF | FL_PF, FL_DAA),
	ALU1("DAA AL 12H with AF", op_daa, 0x12, FL_AF,
	     0x18, FL_AF | FL_PF, FL_DAA),
	ALU1("DAA AL 9AH", op_daa, 0x9a, 0,
	     0x00, FL_CF | FL_AF | FL_ZF | FL_PF, FL_DAA),
	ALU1("DAS AL 2EH", op_das, 0x2e, 0,
	     0x28, FL_AF | FL_PF, FL_DAA),
	ALU1("DAS AL A5H", op_das, 0xa5, 0,
	     0x45, FL_CF, FL_DAA),
	ALU1("AAM AL 4FH", op_aam, 0x4f, 0,
	     0x0709, FL_PF, FL_SZP),
	ALU1("AAM 16 AL ABH", op_aam16, 0xab, FL_PF,
	     0x0a0b, 0, FL_SZP),
	ALU1("AAD AX 0709H", op_aad, 0x0709, 0,
	     0x004f, 0, FL_SZP),
	ALU1("AAD 16 AX 0A0BH", op_aad16, 0x0a0b, 0,
	     0x00ab, FL_SF, FL_SZP),
	ALU1("AAD AX FFFFH wraps", op_aad, 0xffff, 0,
	     0x00f5, FL_SF | FL_PF, FL_SZP),
	{ .name = "AAM 0 raises #DE", .code = op_aam0,
	  .in = { .eax = 0x1234 }, .check = CK_EAX | CK_ESP,
	  .want = { .eax = 0x1234, .esp = RM_SP },
	  .faults = true, .vector = DE_VECTOR },
};

/* Conversions, XLAT and the flag instructions (SDM vol 2). */
RM_CODE(op_cbw, "cbw");
RM_CODE(op_cwd, "cwd");
RM_CODE(op_cwde, "cwtl");
RM_CODE(op_cdq, "cltd");
RM_CODE(op_xlat, "xlat");
RM_CODE(op_xlat_es, ".byte 0x26, 0xd7");	/* ES: XLAT */
RM_CODE(op_lahf, "lahf");
RM_CODE(op_sahf, "sahf");
RM_CODE(op_cmc, "cmc");
RM_CODE(op_clc, "clc");
RM_CODE(op_stc, "stc");
RM_CODE(op_cld, "cld");
RM_CODE(op_std, "std");

#define AXDX(nm, snip, a, d, ra, rd)					\
	{ .name = nm, .code = snip, .in = { .eax = a, .edx = d,		\
	  .eflags = FL_ARITH }, .check = CK_EAX | CK_EDX,		\
	  .want = { .eax = ra, .edx = rd, .eflags = FL_ARITH },		\
	  .fmask = FL_ARITH }
#define FLAGOP(nm, snip, fin, fout, mask)				\
	{ .name = nm, .code = snip, .in = { .eflags = fin },		\
	  .want = { .eflags = fout }, .fmask = mask }

static const struct rm_case misc_cases[] = {
	AXDX("CBW AL 80H", op_cbw, 0x12345680, 0, 0x1234ff80, 0),
	AXDX("CBW AL 7FH", op_cbw, 0xff7f, 0, 0x007f, 0),
	AXDX("CWD AX 8000H", op_cwd, 0x8000, 0x5678abcd, 0x8000, 0x5678ffff),
	AXDX("CWD AX 7FFFH", op_cwd, 0x7fff, 0xffffffff, 0x7fff, 0xffff0000),
	AXDX("CWDE (66 98) AX 8000H", op_cwde, 0x12348000, 0,
	     0xffff8000, 0),
	AXDX("CDQ (66 99) EAX 80000000H", op_cdq, 0x80000000, 0,
	     0x80000000, 0xffffffff),
	{ .name = "XLAT AL 83H from DS:BX", .code = op_xlat,
	  .in = { .eax = 0x83, .ebx = 0x100 }, .check = CK_EAX,
	  .want = { .eax = 0x5a }, .pre = { { D(0x182), 0x5aa5 } } },
	{ .name = "XLAT with ES override", .code = op_xlat_es,
	  .in = { .eax = 0x83, .ebx = 0x100, .es = RM_DATA_SEG + 0x100 },
	  .check = CK_EAX, .want = { .eax = 0x3c },
	  .pre = { { D(0x182), 0x5aa5 }, { D(0x1182), 0x3cc3 } } },
	{ .name = "LAHF", .code = op_lahf, .in = { .eflags = FL_ARITH },
	  .check = CK_EAX, .want = { .eax = 0xd700 } },
	{ .name = "SAHF AH D5H leaves OF", .code = op_sahf,
	  .in = { .eax = 0xd500, .eflags = FL_OF }, .check = CK_EAX,
	  .want = { .eax = 0xd500, .eflags = FL_ARITH }, .fmask = FL_ARITH },
	{ .name = "SAHF AH 00H", .code = op_sahf,
	  .in = { .eflags = FL_ARITH }, .want = { .eflags = FL_OF },
	  .fmask = FL_ARITH },
	FLAGOP("CMC with CF=0", op_cmc, FL_ZF, FL_CF | FL_ZF, FL_ARITH),
	FLAGOP("CMC with CF=1", op_cmc, FL_CF, 0, FL_ARITH),
	FLAGOP("CLC", op_clc, FL_CF | FL_ZF, FL_ZF, FL_ARITH),
	FLAGOP("STC", op_stc, FL_ZF, FL_CF | FL_ZF, FL_ARITH),
	FLAGOP("CLD", op_cld, FL_DF | FL_CF, FL_CF, FL_DF | FL_ARITH),
	FLAGOP("STD", op_std, FL_CF, FL_DF | FL_CF, FL_DF | FL_ARITH),
};

/*
 * The stack (SDM vol 2B, PUSH, POP, PUSHA, POPA, PUSHF, POPF, ENTER,
 * LEAVE): SS = RM_STK_SEG, SP = RM_SP to start with. PUSH SP pushes
 * the value SP had before; POP SP leaves the popped value; POPA skips
 * the SP image; a 16-bit POPF in real mode (CPL 0) loads every
 * non-reserved bit of FLAGS, IOPL and NT included.
 */
RM_CODE(op_push16, "push %bx");
RM_CODE(op_pop16, "pop %cx");
RM_CODE(op_push_es, "push %es");
RM_CODE(op_push_cs, "push %cs");
RM_CODE(op_push_ss, "push %ss");
RM_CODE(op_push_fs, "mov %bx, %fs\n\t" "push %fs");
RM_CODE(op_push_gs, "mov %bx, %gs\n\t" "push %gs");
RM_CODE(op_pop_es, "pop %es");
RM_CODE(op_pop_ds, "pop %ds");
RM_CODE(op_pop_fs, "pop %fs");
RM_CODE(op_pop_gs, "pop %gs");
RM_CODE(op_pop_ss, "pop %ss");
RM_CODE(op_push_imm8, "pushw $-2");
RM_CODE(op_push_imm16, "pushw $0x1234");
RM_CODE(op_push_imm32, "pushl $0x12345678");
RM_CODE(op_push_sp, "push %sp");
RM_CODE(op_pop_sp, "pop %sp");
RM_CODE(op_pusha, "pusha");
RM_CODE(op_popa, "popa");
RM_CODE(op_pushf, "pushf");
RM_CODE(op_popf, "popf");
RM_CODE(op_enter0, "enter $8, $0");
RM_CODE(op_enter1, "enter $4, $1");
RM_CODE(op_enter2, "enter $2, $2");
RM_CODE(op_leave, "leave");

#define PUSHSEG(nm, snip, inregs, val)					\
	{ .name = nm, .code = snip, .in = inregs, .check = CK_ESP,	\
	  .want = { .esp = RM_SP - 2 }, .post = { { STK(RM_SP - 2), val } } }
#define POPSEG(nm, snip, ck, wantregs, val)				\
	{ .name = nm, .code = snip, .check = ck | CK_ESP, .want = wantregs,\
	  .pre = { { STK(RM_SP), val } } }

static const struct rm_case stack_cases[] = {
	{ .name = "PUSH BX", .code = op_push16, .in = { .ebx = 0x1234 },
	  .check = CK_ESP, .want = { .esp = RM_SP - 2 },
	  .post = { { STK(RM_SP - 2), 0x1234 } } },
	{ .name = "POP CX", .code = op_pop16, .in = { .ecx = 0xaaaa0000 },
	  .check = CK_ECX | CK_ESP,
	  .want = { .ecx = 0xaaaabeef, .esp = RM_SP + 2 },
	  .pre = { { STK(RM_SP), 0xbeef } } },
	PUSHSEG("PUSH ES", op_push_es, { .es = 0x3456 }, 0x3456),
	PUSHSEG("PUSH CS", op_push_cs, {}, RM_SEG),
	PUSHSEG("PUSH SS", op_push_ss, {}, RM_STK_SEG),
	PUSHSEG("PUSH FS", op_push_fs, { .ebx = 0x5678 }, 0x5678),
	PUSHSEG("PUSH GS", op_push_gs, { .ebx = 0x6789 }, 0x6789),
	POPSEG("POP ES", op_pop_es, CK_ES,
	       ((struct rm_regs){ .es = 0x1357, .esp = RM_SP + 2 }), 0x1357),
	POPSEG("POP DS", op_pop_ds, CK_DS,
	       ((struct rm_regs){ .ds = 0x2468, .esp = RM_SP + 2 }), 0x2468),
	POPSEG("POP FS", op_pop_fs, CK_FS,
	       ((struct rm_regs){ .fs = 0x3579, .esp = RM_SP + 2 }), 0x3579),
	POPSEG("POP GS", op_pop_gs, CK_GS,
	       ((struct rm_regs){ .gs = 0x468a, .esp = RM_SP + 2 }), 0x468a),
	POPSEG("POP SS", op_pop_ss, CK_SS,
	       ((struct rm_regs){ .ss = 0x2100, .esp = RM_SP + 2 }), 0x2100),
	PUSHSEG("PUSH imm8 -2 (6A) sign-extends", op_push_imm8, {}, 0xfffe),
	PUSHSEG("PUSH imm16 (68)", op_push_imm16, {}, 0x1234),
	{ .name = "PUSH imm32 (66 68)", .code = op_push_imm32,
	  .check = CK_ESP, .want = { .esp = RM_SP - 4 },
	  .post = { { STK(RM_SP - 4), 0x5678 }, { STK(RM_SP - 2), 0x1234 } } },
	PUSHSEG("PUSH SP pushes SP before the push", op_push_sp, {}, RM_SP),
	{ .name = "POP SP leaves the popped value", .code = op_pop_sp,
	  .check = CK_ESP, .want = { .esp = 0x0800 },
	  .pre = { { STK(RM_SP), 0x0800 } } },
	{ .name = "PUSHA", .code = op_pusha,
	  .in = { .eax = 0x1111, .ecx = 0x2222, .edx = 0x3333, .ebx = 0x4444,
		  .ebp = 0x5555, .esi = 0x6666, .edi = 0x7777 },
	  .check = CK_ESP, .want = { .esp = RM_SP - 16 },
	  .post = { { STK(RM_SP - 2), 0x1111 }, { STK(RM_SP - 4), 0x2222 },
		    { STK(RM_SP - 6), 0x3333 }, { STK(RM_SP - 8), 0x4444 },
		    { STK(RM_SP - 10), RM_SP }, { STK(RM_SP - 12), 0x5555 },
		    { STK(RM_SP - 14), 0x6666 },
		    { STK(RM_SP - 16), 0x7777 } } },
	{ .name = "POPA skips the SP image", .code = op_popa,
	  .check = CK_EAX | CK_ECX | CK_EDX | CK_EBX | CK_ESP | CK_EBP |
		   CK_ESI | CK_EDI,
	  .want = { .eax = 0x1111, .ecx = 0x2222, .edx = 0x3333,
		    .ebx = 0x4444, .esp = RM_SP + 16, .ebp = 0x5555,
		    .esi = 0x6666, .edi = 0x7777 },
	  .pre = { { STK(RM_SP), 0x7777 }, { STK(RM_SP + 2), 0x6666 },
		   { STK(RM_SP + 4), 0x5555 }, { STK(RM_SP + 6), 0x9999 },
		   { STK(RM_SP + 8), 0x4444 }, { STK(RM_SP + 10), 0x3333 },
		   { STK(RM_SP + 12), 0x2222 },
		   { STK(RM_SP + 14), 0x1111 } } },
	{ .name = "PUSHF", .code = op_pushf,
	  .in = { .eflags = FL_CF | FL_ZF | FL_DF }, .check = CK_ESP,
	  .want = { .esp = RM_SP - 2 },
	  .post = { { STK(RM_SP - 2), FL_FIXED | FL_CF | FL_ZF | FL_DF } } },
	/* FCFFH: bits 15:10 and 7:0, no TF or IF; bits 15, 5, 3 reserved */
	{ .name = "POPF FCFFH loads IOPL and NT, not reserved bits",
	  .code = op_popf, .check = CK_ESP,
	  .want = { .esp = RM_SP + 2, .eflags = 0x7cd7 }, .fmask = 0xffff,
	  .pre = { { STK(RM_SP), 0xfcff } } },
	{ .name = "ENTER 8,0", .code = op_enter0, .in = { .ebp = 0x1234 },
	  .check = CK_EBP | CK_ESP,
	  .want = { .ebp = RM_SP - 2, .esp = RM_SP - 10 },
	  .post = { { STK(RM_SP - 2), 0x1234 } } },
	{ .name = "ENTER 4,1", .code = op_enter1, .in = { .ebp = 0x1234 },
	  .check = CK_EBP | CK_ESP,
	  .want = { .ebp = RM_SP - 2, .esp = RM_SP - 8 },
	  .post = { { STK(RM_SP - 2), 0x1234 },
		    { STK(RM_SP - 4), RM_SP - 2 } } },
	{ .name = "ENTER 2,2 copies one frame pointer", .code = op_enter2,
	  .in = { .ebp = 0x0f00 }, .check = CK_EBP | CK_ESP,
	  .want = { .ebp = RM_SP - 2, .esp = RM_SP - 8 },
	  .pre = { { STK(0x0efe), 0xaaaa } },
	  .post = { { STK(RM_SP - 2), 0x0f00 }, { STK(RM_SP - 4), 0xaaaa },
		    { STK(RM_SP - 6), RM_SP - 2 } } },
	{ .name = "LEAVE", .code = op_leave, .in = { .ebp = 0x0f00 },
	  .check = CK_EBP | CK_ESP,
	  .want = { .ebp = 0x5555, .esp = 0x0f02 },
	  .pre = { { STK(0x0f00), 0x5555 } } },
};

/*
 * Control transfers (SDM vol 2A, CALL, JMP, Jcc, LOOP, JCXZ; vol 2B,
 * RET). Snippets that see a return address subtract the offset it must
 * have, so AX = 0 means the right IP was pushed.
 */
RM_CODE(op_call_rel, "call 1f\n" "2: jmp rm_done\n"
	"1: pop %ax\n\t" "sub $(2b - rm_blob), %ax");
RM_CODE(op_call_reg, "mov $(1f - rm_blob), %bx\n\t" "call *%bx\n"
	"2: jmp rm_done\n" "1: pop %ax\n\t" "sub $(2b - rm_blob), %ax");
RM_CODE(op_call_mem, "movw $(1f - rm_blob), (%bx)\n\t" "call *(%bx)\n"
	"2: jmp rm_done\n" "1: pop %ax\n\t" "sub $(2b - rm_blob), %ax");
RM_CODE(op_ret_imm, "push $0x1111\n\t" "push $0x2222\n\t" "call 1f\n\t"
	"mov $1, %ax\n\t" "jmp rm_done\n" "1: ret $4");
/* CS = RM_SEG - 1 with the offset 16 higher is the same code */
RM_CODE(op_call_far, "lcall $" S(RM_SEG - 1) ", $(1f - rm_blob + 16)\n"
	"2: jmp rm_done\n"
	"1: mov %cs, %bx\n\t" "mov %sp, %bp\n\t" "mov (%bp), %ax\n\t"
	"mov 2(%bp), %dx\n\t" "sub $(2b - rm_blob), %ax\n\t" "lret");
RM_CODE(op_retf_imm, "push $0x7777\n\t"
	"lcall $" S(RM_SEG) ", $(1f - rm_blob)\n\t"
	"mov $1, %ax\n\t" "jmp rm_done\n" "1: lret $2");
RM_CODE(op_call_far_mem, "movw $(1f - rm_blob), (%bx)\n\t"
	"movw %cs, 2(%bx)\n\t" "lcall *(%bx)\n" "2: jmp rm_done\n"
	"1: pop %ax\n\t" "pop %dx\n\t" "sub $(2b - rm_blob), %ax");
RM_CODE(op_jmp_short, "jmp 1f\n\t" "mov $1, %ax\n" "1:");
RM_CODE(op_jmp_near, ".byte 0xe9\n\t" ".word 1f - (. + 2)\n\t"
	"mov $1, %ax\n" "1:");
RM_CODE(op_jmp_reg, "mov $(1f - rm_blob), %bx\n\t" "jmp *%bx\n\t"
	"mov $1, %ax\n" "1:");
RM_CODE(op_jmp_mem, "movw $(1f - rm_blob), (%bx)\n\t" "jmp *(%bx)\n\t"
	"mov $1, %ax\n" "1:");
RM_CODE(op_jmp_far, "ljmp $" S(RM_SEG + 1) ", $(1f - rm_blob - 16)\n\t"
	"mov $1, %ax\n" "1: mov %cs, %bx\n\t"
	"ljmp $" S(RM_SEG) ", $(2f - rm_blob)\n" "2:");
RM_CODE(op_jmp_far_mem, "movw $(1f - rm_blob + 16), (%bx)\n\t"
	"movw $" S(RM_SEG - 1) ", 2(%bx)\n\t" "ljmp *(%bx)\n\t"
	"mov $1, %ax\n" "1: mov %cs, %dx\n\t"
	"ljmp $" S(RM_SEG) ", $(2f - rm_blob)\n" "2:");
/* JE rel16 (0F 84 cw) */
RM_CODE(op_je16, ".byte 0x0f, 0x84\n\t" ".word 1f - (. + 2)\n\t"
	"mov $1, %ax\n" "1:");
RM_CODE(op_loop, "1: inc %ax\n\t" "loop 1b");
RM_CODE(op_loop32, "1: inc %eax\n\t" "addr32 loop 1b");
RM_CODE(op_loope, "1: lodsb\n\t" "cmp $0x55, %al\n\t" "loope 1b");
RM_CODE(op_loopne, "1: lodsb\n\t" "cmp $0, %al\n\t" "loopne 1b");
RM_CODE(op_jcxz, "jcxz 1f\n\t" "mov $1, %ax\n" "1:");
RM_CODE(op_jecxz, "jecxz 1f\n\t" "mov $1, %ax\n" "1:");

static const struct rm_case flow_cases[] = {
	{ .name = "CALL rel16 pushes the next IP", .code = op_call_rel,
	  .check = CK_EAX | CK_ESP, .want = { .eax = 0, .esp = RM_SP } },
	{ .name = "CALL BX", .code = op_call_reg,
	  .check = CK_EAX | CK_ESP, .want = { .eax = 0, .esp = RM_SP } },
	{ .name = "CALL [BX]", .code = op_call_mem, .in = { .ebx = 0x50 },
	  .check = CK_EAX | CK_ESP, .want = { .eax = 0, .esp = RM_SP } },
	{ .name = "RET 4 pops 4 more bytes", .code = op_ret_imm,
	  .check = CK_EAX | CK_ESP, .want = { .eax = 1, .esp = RM_SP } },
	{ .name = "CALL ptr16:16 to another CS, RETF", .code = op_call_far,
	  .check = CK_EAX | CK_EBX | CK_EDX | CK_ESP,
	  .want = { .eax = 0, .ebx = RM_SEG - 1, .edx = RM_SEG,
		    .esp = RM_SP } },
	{ .name = "RETF 2 pops 2 more bytes", .code = op_retf_imm,
	  .check = CK_EAX | CK_ESP, .want = { .eax = 1, .esp = RM_SP } },
	{ .name = "CALL m16:16", .code = op_call_far_mem,
	  .in = { .ebx = 0x50 }, .check = CK_EAX | CK_EDX | CK_ESP,
	  .want = { .eax = 0, .edx = RM_SEG, .esp = RM_SP } },
	{ .name = "JMP rel8", .code = op_jmp_short, .check = CK_EAX },
	{ .name = "JMP rel16", .code = op_jmp_near, .check = CK_EAX },
	{ .name = "JMP BX", .code = op_jmp_reg, .check = CK_EAX },
	{ .name = "JMP [BX]", .code = op_jmp_mem, .in = { .ebx = 0x50 },
	  .check = CK_EAX },
	{ .name = "JMP ptr16:16 to another CS", .code = op_jmp_far,
	  .check = CK_EAX | CK_EBX, .want = { .ebx = RM_SEG + 1 } },
	{ .name = "JMP m16:16", .code = op_jmp_far_mem, .in = { .ebx = 0x50 },
	  .check = CK_EAX | CK_EDX, .want = { .edx = RM_SEG - 1 } },
	{ .name = "JE rel16 taken", .code = op_je16, .in = { .eflags = FL_ZF },
	  .check = CK_EAX, .want = { .eax = 0 } },
	{ .name = "JE rel16 not taken", .code = op_je16, .check = CK_EAX,
	  .want = { .eax = 1 } },
	{ .name = "LOOP with CX=5", .code = op_loop, .in = { .ecx = 5 },
	  .check = CK_EAX | CK_ECX, .want = { .eax = 5, .ecx = 0 } },
	{ .name = "LOOP counts CX, not ECX", .code = op_loop,
	  .in = { .ecx = 0x12340003 }, .check = CK_EAX | CK_ECX,
	  .want = { .eax = 3, .ecx = 0x12340000 } },
	{ .name = "LOOP with 67H counts ECX", .code = op_loop32,
	  .in = { .ecx = 0x00010001 }, .check = CK_EAX | CK_ECX,
	  .want = { .eax = 0x00010001, .ecx = 0 } },
	{ .name = "LOOPE stops on ZF=0", .code = op_loope,
	  .in = { .ecx = 10, .esi = 0x60 }, .check = CK_ECX | CK_ESI,
	  .want = { .ecx = 7, .esi = 0x63 }, .fmask = FL_ZF,
	  .pre = { { D(0x60), 0x5555 }, { D(0x62), 0x0056 } } },
	{ .name = "LOOPE stops on CX=0", .code = op_loope,
	  .in = { .ecx = 2, .esi = 0x60 }, .check = CK_ECX | CK_ESI,
	  .want = { .ecx = 0, .esi = 0x62, .eflags = FL_ZF }, .fmask = FL_ZF,
	  .pre = { { D(0x60), 0x5555 }, { D(0x62), 0x5555 } } },
	{ .name = "LOOPNE stops on ZF=1", .code = op_loopne,
	  .in = { .ecx = 10, .esi = 0x60 }, .check = CK_ECX | CK_ESI,
	  .want = { .ecx = 7, .esi = 0x63, .eflags = FL_ZF }, .fmask = FL_ZF,
	  .pre = { { D(0x60), 0x0201 }, { D(0x62), 0x0300 } } },
	{ .name = "JCXZ taken with CX=0", .code = op_jcxz,
	  .in = { .ecx = 0x10000 }, .check = CK_EAX, .want = { .eax = 0 } },
	{ .name = "JCXZ not taken with CX=1", .code = op_jcxz,
	  .in = { .ecx = 1 }, .check = CK_EAX, .want = { .eax = 1 } },
	{ .name = "JECXZ (67 E3) not taken with ECX=10000H",
	  .code = op_jecxz, .in = { .ecx = 0x10000 }, .check = CK_EAX,
	  .want = { .eax = 1 } },
	{ .name = "JECXZ taken with ECX=0", .code = op_jecxz,
	  .check = CK_EAX, .want = { .eax = 0 } },
};

/*
 * Jcc: each of the 16 conditions (SDM vol 2A, Jcc; the condition
 * encoding is the opcode's low nibble, vol 2D, B.1.4.7) adds its bit to
 * SI when taken. LEA changes no flag.
 */
#define JCC_BIT(not_cc, n)	"j" not_cc " 1f\n\t" \
				"lea " S(1 << n) "(%si), %si\n1:\n\t"
RM_CODE(op_jcc_all,
	JCC_BIT("no", 0) JCC_BIT("o", 1) JCC_BIT("ae", 2) JCC_BIT("b", 3)
	JCC_BIT("ne", 4) JCC_BIT("e", 5) JCC_BIT("a", 6) JCC_BIT("be", 7)
	JCC_BIT("ns", 8) JCC_BIT("s", 9) JCC_BIT("np", 10) JCC_BIT("p", 11)
	JCC_BIT("ge", 12) JCC_BIT("l", 13) JCC_BIT("g", 14) JCC_BIT("le", 15)
	"nop");

static u16 jcc_expect(u32 fl)
{
	bool cf = fl & FL_CF, zf = fl & FL_ZF, sf = fl & FL_SF;
	bool of = fl & FL_OF, pf = fl & FL_PF;
	bool cond[8] = { of, cf, zf, cf || zf, sf, pf, sf != of,
			 zf || sf != of };
	u16 mask = 0;
	int i;

	for (i = 0; i < 8; i++)
		mask |= cond[i] ? 1 << (2 * i) : 1 << (2 * i + 1);
	return mask;
}

static void test_jcc(void)
{
	static const u32 flags[] = {
		0, FL_CF, FL_ZF, FL_SF, FL_OF, FL_PF, FL_SF | FL_OF,
		FL_ZF | FL_SF, FL_CF | FL_ZF, FL_OF | FL_ZF, FL_ARITH,
	};
	struct rm_case c = { .name = "Jcc", .code = op_jcc_all,
			     .check = CK_ESI };
	char name[48];
	size_t i;

	report_prefix_push("flow");
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		snprintf(name, sizeof(name), "Jcc, SI = taken set, FLAGS %#x",
			 flags[i] | FL_FIXED);
		c.name = name;
		c.in.eflags = flags[i];
		c.want.esi = jcc_expect(flags[i]);
		run_case(&c);
	}
	report_prefix_pop();
}

/*
 * INT n, INT3, INTO and exceptions vector through the IVT at IDTR.base
 * (SDM vol 3, 21.1.4): push FLAGS, CS, IP, clear IF, TF, AC, load CS:IP
 * from the table. INT n, INT3, INTO are traps (IP after them); #UD is a
 * fault (IP of the instruction). IF is set before INT 40H to see it
 * cleared (the PIC is masked, nothing arrives); TF is not tried, as a
 * single-step trap around INT n is not the subject here.
 */
RM_CODE(op_int_stub, "int $0x21\n" "rm_int21_ret:");
RM_CODE(op_int3, "int3\n" "rm_int3_ret:");
RM_CODE(op_into, "into\n" "rm_into_ret:");
RM_CODE(op_ud2, "ud2");
RM_CODE(op_int40, "int $" S(RM_INT_VECTOR) "\n" "rm_int40_ret:");
RM_LABEL(rm_int21_ret);
RM_LABEL(rm_int3_ret);
RM_LABEL(rm_into_ret);
RM_LABEL(rm_int40_ret);

static const struct rm_case int_cases[] = {
	{ .name = "INT 21H", .code = op_int_stub, .check = CK_ESP,
	  .want = { .esp = RM_SP }, .faults = true, .vector = 0x21,
	  .fault_ip = rm_int21_ret },
	{ .name = "INT3", .code = op_int3, .check = CK_ESP,
	  .want = { .esp = RM_SP }, .faults = true, .vector = BP_VECTOR,
	  .fault_ip = rm_int3_ret },
	{ .name = "INTO with OF=1", .code = op_into, .in = { .eflags = FL_OF },
	  .check = CK_ESP, .want = { .esp = RM_SP }, .faults = true,
	  .vector = OF_VECTOR, .fault_ip = rm_into_ret },
	{ .name = "INTO with OF=0", .code = op_into, .check = CK_ESP,
	  .want = { .esp = RM_SP } },
	{ .name = "UD2 raises #UD", .code = op_ud2, .check = CK_ESP,
	  .want = { .esp = RM_SP }, .faults = true, .vector = UD_VECTOR },
};

static void test_int_iret(void)
{
	struct rm_io *io = rm_io_block();
	/* IF set to see it cleared: the PIC is masked, nothing arrives */
	u16 fl = FL_FIXED | FL_IF | FL_DF | FL_CF | FL_ZF;
	struct rm_case c = { .code = op_int40, .in = { .eflags = fl } };
	u16 want_ip = RM_OFF(rm_int40_ret);

	report_prefix_push("int");
	rm_exec(&c);
	report(io->vector == RM_NO_VECTOR && io->h_ip == want_ip &&
	       io->h_cs == RM_SEG && io->h_flags == fl &&
	       io->h_sp == RM_SP - 6,
	       "INT 40H pushes FLAGS, CS, IP (got %#x %04x:%04x at SP %#x, "
	       "vector %#x; want %#x %04x:%04x at SP %#x, none)",
	       io->h_flags, io->h_cs, io->h_ip, io->h_sp, io->vector, fl,
	       RM_SEG, want_ip, RM_SP - 6);
	report(io->h_inflags == (fl & ~FL_IF),
	       "INT 40H clears IF, keeps the other flags, in the handler "
	       "(got FLAGS %#x, want %#x)", io->h_inflags, fl & ~FL_IF);
	report((u16)io->out.eflags == fl && io->out.esp == RM_SP,
	       "IRET restores FLAGS and SP (got %#x SP %#x, want %#x SP %#x)",
	       (u16)io->out.eflags, io->out.esp, fl, RM_SP);
	report_prefix_pop();
}

/*
 * Segments (SDM vol 3, 21.1.1; vol 2A, LDS/LES/LFS/LGS/LSS and the
 * segment-override prefixes): BP-based addresses default to SS, others
 * to DS; 16-bit effective addresses wrap at 64 KiB. An operand that
 * crosses offset FFFFH raises #GP for a data segment (SDM vol 3,
 * "IA-32 Architecture Compatibility", "Segment Wraparound"); the stack
 * case is left out: a stack operation that wraps shuts the CPU down.
 */
RM_CODE(op_lds, "lds (%bx), %si");
RM_CODE(op_les, "les (%bx), %di");
RM_CODE(op_lss, "lss (%bx), %sp");
RM_CODE(op_lfs, "lfs (%bx), %si");
RM_CODE(op_lgs, "lgs (%bx), %di");
RM_CODE(op_seg_es, "mov %es:(%bx), %ax");
RM_CODE(op_seg_cs, "mov %cs:(rm_const - rm_blob), %ax");
RM_CODE(op_seg_ss, "mov %ss:(%bx), %ax");
RM_CODE(op_seg_bp, "mov (%bp), %ax");
RM_CODE(op_seg_bp_ds, "mov %ds:(%bp), %ax");
RM_CODE(op_seg_bpsi, "mov (%bp,%si), %ax");
RM_CODE(op_seg_fs, "mov %cx, %fs\n\t" "mov %fs:(%bx), %ax");
RM_CODE(op_seg_gs, "mov %cx, %gs\n\t" "mov %gs:(%bx), %ax");
RM_CODE(op_wrap_ea, "mov (%bx,%si), %ax");
RM_CODE(op_lea_wrap, "lea 0x10(%bx,%si), %ax");
RM_CODE(op_lea32_a16, "lea (%bx,%si), %eax");
RM_CODE(op_mov_ffff, "mov 0xffff, %ax");
RM_CODE(op_mov_fffe, "mov 0xfffe, %ax");

#define FARPTR	{ { D(0x10), 0x1234 }, { D(0x12), 0x5678 } }
/* DS:20H, ES':20H (ES' = DS + 100H), SS:20H hold different words */
#define THREE	{ { D(0x20), 0xd5d5 }, { D(0x1020), 0xe5e5 },		\
		  { STK(0x20), 0x5555 } }
#define SEG2	(RM_DATA_SEG + 0x100)

static const struct rm_case seg_cases[] = {
	{ .name = "LDS SI,[BX]", .code = op_lds, .in = { .ebx = 0x10 },
	  .check = CK_ESI | CK_DS, .want = { .esi = 0x1234, .ds = 0x5678 },
	  .pre = FARPTR },
	{ .name = "LES DI,[BX]", .code = op_les, .in = { .ebx = 0x10 },
	  .check = CK_EDI | CK_ES, .want = { .edi = 0x1234, .es = 0x5678 },
	  .pre = FARPTR },
	{ .name = "LSS SP,[BX]", .code = op_lss, .in = { .ebx = 0x10 },
	  .check = CK_ESP | CK_SS, .want = { .esp = 0x1234, .ss = 0x5678 },
	  .pre = FARPTR },
	{ .name = "LFS SI,[BX]", .code = op_lfs, .in = { .ebx = 0x10 },
	  .check = CK_ESI | CK_FS, .want = { .esi = 0x1234, .fs = 0x5678 },
	  .pre = FARPTR },
	{ .name = "LGS DI,[BX]", .code = op_lgs, .in = { .ebx = 0x10 },
	  .check = CK_EDI | CK_GS, .want = { .edi = 0x1234, .gs = 0x5678 },
	  .pre = FARPTR },
	{ .name = "ES: override", .code = op_seg_es,
	  .in = { .ebx = 0x20, .es = SEG2 }, .check = CK_EAX,
	  .want = { .eax = 0xe5e5 }, .pre = THREE },
	{ .name = "CS: override", .code = op_seg_cs, .check = CK_EAX,
	  .want = { .eax = 0xc0de } },
	{ .name = "SS: override", .code = op_seg_ss, .in = { .ebx = 0x20 },
	  .check = CK_EAX, .want = { .eax = 0x5555 }, .pre = THREE },
	{ .name = "[BP] defaults to SS", .code = op_seg_bp,
	  .in = { .ebp = 0x20 }, .check = CK_EAX, .want = { .eax = 0x5555 },
	  .pre = THREE },
	{ .name = "DS: override on [BP]", .code = op_seg_bp_ds,
	  .in = { .ebp = 0x20 }, .check = CK_EAX, .want = { .eax = 0xd5d5 },
	  .pre = THREE },
	{ .name = "[BP+SI] defaults to SS", .code = op_seg_bpsi,
	  .in = { .ebp = 0x10, .esi = 0x10 }, .check = CK_EAX,
	  .want = { .eax = 0x5555 }, .pre = THREE },
	{ .name = "FS: override", .code = op_seg_fs,
	  .in = { .ebx = 0x20, .ecx = SEG2 }, .check = CK_EAX | CK_FS,
	  .want = { .eax = 0xe5e5, .fs = SEG2 }, .pre = THREE },
	{ .name = "GS: override", .code = op_seg_gs,
	  .in = { .ebx = 0x20, .ecx = SEG2 }, .check = CK_EAX | CK_GS,
	  .want = { .eax = 0xe5e5, .gs = SEG2 }, .pre = THREE },
	{ .name = "[BX+SI] FFF0H+20H wraps to 0010H", .code = op_wrap_ea,
	  .in = { .ebx = 0xfff0, .esi = 0x20 }, .check = CK_EAX,
	  .want = { .eax = 0x1357 }, .pre = { { D(0x10), 0x1357 } } },
	{ .name = "LEA 10H[BX+SI] wraps to 0010H", .code = op_lea_wrap,
	  .in = { .ebx = 0xfff0, .esi = 0x10 }, .check = CK_EAX,
	  .want = { .eax = 0x0010 } },
	{ .name = "LEA EAX,[BX+SI] zero-extends the 16-bit address",
	  .code = op_lea32_a16,
	  .in = { .eax = 0xffffffff, .ebx = 0xfff0, .esi = 0x20 },
	  .check = CK_EAX, .want = { .eax = 0x0010 } },
	{ .name = "word at DS:FFFEH", .code = op_mov_fffe, .check = CK_EAX,
	  .want = { .eax = 0x2468 }, .pre = { { D(0xfffe), 0x2468 } } },
	{ .name = "word at DS:FFFFH raises #GP", .code = op_mov_ffff,
	  .in = { .eax = 0x1234 }, .check = CK_EAX,
	  .want = { .eax = 0x1234 }, .faults = true, .vector = GP_VECTOR },
};

/*
 * String instructions (SDM vol 2B, MOVS, STOS, LODS, SCAS, CMPS, REP):
 * DS:SI source (override allowed), ES:DI destination (never), DF picks
 * the direction, REP counts CX (ECX with 67H), REPE/REPNE also stop on
 * ZF; CMPS and SCAS set flags as CMP of source minus destination, and
 * with CX = 0 nothing runs and no flag changes.
 */
RM_CODE(op_rep_movsb, "rep movsb");
RM_CODE(op_rep_movsw, "rep movsw");
RM_CODE(op_rep_stosw, "rep stosw");
RM_CODE(op_rep_stosb, "rep stosb");
RM_CODE(op_lodsw, "lodsw");
RM_CODE(op_lodsb, "lodsb");
RM_CODE(op_repe_cmpsb, "repe cmpsb");
RM_CODE(op_repne_scasb, "repne scasb");
RM_CODE(op_repe_scasw, "repe scasw");
RM_CODE(op_cmpsw, "cmpsw");
RM_CODE(op_rep_es_movsb, ".byte 0xf3, 0x26, 0xa4");	/* REP ES: MOVSB */
RM_CODE(op_a32_rep_movsb, ".byte 0x67, 0xf3, 0xa4");	/* 67 REP MOVSB */

#define STR_CK	(CK_ESI | CK_EDI | CK_ECX)
#define ABCD	{ { D(0x100), 0x4241 }, { D(0x102), 0x4443 },		\
		  { D(0x200), 0x4241 }, { D(0x202), 0x4458 } }

static const struct rm_case string_cases[] = {
	{ .name = "REP MOVSB", .code = op_rep_movsb,
	  .in = { .esi = 0x100, .edi = 0x200, .ecx = 4 }, .check = STR_CK,
	  .want = { .esi = 0x104, .edi = 0x204, .ecx = 0 },
	  .pre = { { D(0x100), 0x2211 }, { D(0x102), 0x4433 },
		   { D(0x204), 0xeeee } },
	  .post = { { D(0x200), 0x2211 }, { D(0x202), 0x4433 },
		    { D(0x204), 0xeeee } } },
	{ .name = "REP MOVSW with DF=1", .code = op_rep_movsw,
	  .in = { .esi = 0x102, .edi = 0x202, .ecx = 2, .eflags = FL_DF },
	  .check = STR_CK, .want = { .esi = 0xfe, .edi = 0x1fe, .ecx = 0,
				     .eflags = FL_DF }, .fmask = FL_DF,
	  .pre = { { D(0x100), 0x1111 }, { D(0x102), 0x2222 },
		   { D(0x1fe), 0xeeee } },
	  .post = { { D(0x200), 0x1111 }, { D(0x202), 0x2222 },
		    { D(0x1fe), 0xeeee } } },
	{ .name = "REP STOSW", .code = op_rep_stosw,
	  .in = { .eax = 0xa5a5, .edi = 0x300, .ecx = 3 },
	  .check = CK_EDI | CK_ECX, .want = { .edi = 0x306, .ecx = 0 },
	  .pre = { { D(0x306), 0 } },
	  .post = { { D(0x300), 0xa5a5 }, { D(0x302), 0xa5a5 },
		    { D(0x304), 0xa5a5 }, { D(0x306), 0 } } },
	{ .name = "REP STOSB with DF=1", .code = op_rep_stosb,
	  .in = { .eax = 0x5a, .edi = 0x305, .ecx = 2, .eflags = FL_DF },
	  .check = CK_EDI | CK_ECX, .want = { .edi = 0x303, .ecx = 0 },
	  .pre = { { D(0x302), 0 }, { D(0x304), 0 } },
	  .post = { { D(0x302), 0 }, { D(0x304), 0x5a5a } } },
	{ .name = "LODSW", .code = op_lodsw, .in = { .esi = 0x100 },
	  .check = CK_EAX | CK_ESI, .want = { .eax = 0xbeef, .esi = 0x102 },
	  .pre = { { D(0x100), 0xbeef } } },
	{ .name = "LODSB with DF=1", .code = op_lodsb,
	  .in = { .eax = 0xff00, .esi = 0x101, .eflags = FL_DF },
	  .check = CK_EAX | CK_ESI, .want = { .eax = 0xff34, .esi = 0x100 },
	  .pre = { { D(0x100), 0x3412 } } },
	{ .name = "REPE CMPSB stops at the first difference",
	  .code = op_repe_cmpsb,
	  .in = { .esi = 0x100, .edi = 0x200, .ecx = 4 }, .check = STR_CK,
	  .want = { .esi = 0x103, .edi = 0x203, .ecx = 1,
		    .eflags = FL_CF | FL_SF | FL_AF | FL_PF },
	  .fmask = FL_ARITH, .pre = ABCD },
	{ .name = "REPNE SCASB stops at the match", .code = op_repne_scasb,
	  .in = { .eax = 'X', .edi = 0x200, .ecx = 4 },
	  .check = CK_EDI | CK_ECX,
	  .want = { .edi = 0x203, .ecx = 1, .eflags = FL_ZF | FL_PF },
	  .fmask = FL_ARITH, .pre = ABCD },
	{ .name = "REPE SCASW with CX=0 changes nothing",
	  .code = op_repe_scasw,
	  .in = { .edi = 0x200, .eflags = FL_ARITH },
	  .check = CK_EDI | CK_ECX,
	  .want = { .edi = 0x200, .ecx = 0, .eflags = FL_ARITH },
	  .fmask = FL_ARITH },
	{ .name = "CMPSW with DF=1", .code = op_cmpsw,
	  .in = { .esi = 0x100, .edi = 0x200, .eflags = FL_DF },
	  .check = CK_ESI | CK_EDI,
	  .want = { .esi = 0xfe, .edi = 0x1fe,
		    .eflags = FL_DF | FL_CF | FL_SF | FL_AF | FL_PF },
	  .fmask = FL_ARITH | FL_DF,
	  .pre = { { D(0x100), 0x0001 }, { D(0x200), 0x0002 } } },
	{ .name = "REP ES: MOVSB reads ES:SI", .code = op_rep_es_movsb,
	  .in = { .esi = 0x100, .edi = 0x200, .ecx = 2, .es = SEG2 },
	  .check = STR_CK, .want = { .esi = 0x102, .edi = 0x202, .ecx = 0 },
	  .pre = { { D(0x100), 0x1111 }, { D(0x1100), 0x6655 } },
	  .post = { { D(0x1200), 0x6655 } } },
	{ .name = "REP MOVSB counts CX, not ECX", .code = op_rep_movsb,
	  .in = { .esi = 0x100, .edi = 0x200, .ecx = 0x00010002 },
	  .check = STR_CK,
	  .want = { .esi = 0x102, .edi = 0x202, .ecx = 0x00010000 },
	  .pre = { { D(0x100), 0x7788 }, { D(0x202), 0xeeee } },
	  .post = { { D(0x200), 0x7788 }, { D(0x202), 0xeeee } } },
	{ .name = "67 REP MOVSB uses ESI, EDI, ECX", .code = op_a32_rep_movsb,
	  .in = { .esi = 0x100, .edi = 0x200, .ecx = 2 }, .check = STR_CK,
	  .want = { .esi = 0x102, .edi = 0x202, .ecx = 0 },
	  .pre = { { D(0x100), 0x99aa } }, .post = { { D(0x200), 0x99aa } } },
};

/* Operand- and address-size prefixes (66H, 67H) in real mode. */
RM_CODE(op_add32, "add %ebx, %eax");
RM_CODE(op_add32_imm, "add $0x12345678, %eax");
RM_CODE(op_mov_sib, "mov (%ebx,%ecx,4), %eax");
RM_CODE(op_mov32_store, "mov %eax, 4(%bx)");
RM_CODE(op_mul32, "mul %ebx");
RM_CODE(op_lea_a32, "lea (%ebx,%esi,2), %eax");
RM_CODE(op_push32_pop, "push %eax\n\t" "pop %ebx");

static const struct rm_case wide_cases[] = {
	ALU2("ADD EAX,EBX 7FFFFFFFH+1", op_add32, 0x7fffffff, 1, 0,
	     0x80000000, FL_OF | FL_SF | FL_AF | FL_PF, FL_ARITH),
	ALU1("ADD EAX,12345678H", op_add32_imm, 0x11111111, FL_ARITH,
	     0x23456789, 0, FL_ARITH),
	{ .name = "MOV EAX,[EBX+ECX*4]", .code = op_mov_sib,
	  .in = { .ebx = 0x100, .ecx = 3 }, .check = CK_EAX,
	  .want = { .eax = 0x12345678 },
	  .pre = { { D(0x10c), 0x5678 }, { D(0x10e), 0x1234 } } },
	{ .name = "MOV [BX+4],EAX", .code = op_mov32_store,
	  .in = { .eax = 0xdeadbeef, .ebx = 0x120 },
	  .post = { { D(0x124), 0xbeef }, { D(0x126), 0xdead } } },
	MULDIV("MUL EBX 80000000H*4", op_mul32, 0x80000000, 4, 0,
	       0, 2, FL_CF | FL_OF, FL_CF | FL_OF),
	{ .name = "LEA EAX,[EBX+ESI*2]", .code = op_lea_a32,
	  .in = { .ebx = 0x12340000, .esi = 0x10 }, .check = CK_EAX,
	  .want = { .eax = 0x12340020 } },
	{ .name = "PUSH EAX, POP EBX", .code = op_push32_pop,
	  .in = { .eax = 0xcafef00d }, .check = CK_EBX | CK_ESP,
	  .want = { .ebx = 0xcafef00d, .esp = RM_SP } },
};

/*
 * CR0 in real mode (SDM vol 3, 2.5; vol 2B, LMSW, SMSW): MOV to CR0 with
 * PE clear stays in real mode, SMSW reads CR0[15:0], LMSW loads only PE,
 * MP, EM, TS. EAX = CR0, EBX = CR0 after setting TS and MP with MOV,
 * ECX = SMSW, EDX = CR0 after LMSW of SMSW ^ (TS | NE) (NE must not
 * change), ESI = CR0 at the end; CS still real: DI = CS.
 */
RM_CODE(op_cr0,
	"mov %cr0, %eax\n\t"
	"mov %eax, %ebx\n\t"
	"or $" S(X86_CR0_TS | X86_CR0_MP) ", %ebx\n\t"
	"mov %ebx, %cr0\n\t"
	"mov %cr0, %ebx\n\t"
	"mov %eax, %cr0\n\t"
	"xor %ecx, %ecx\n\t"
	"smsw %cx\n\t"
	"mov %cx, %dx\n\t"
	"xor $" S(X86_CR0_TS | X86_CR0_NE) ", %dx\n\t"
	"lmsw %dx\n\t"
	"mov %cr0, %edx\n\t"
	"mov %eax, %cr0\n\t"
	"mov %cr0, %esi\n\t"
	"mov %cs, %di");

static void test_cr0(void)
{
	struct rm_io *io = rm_io_block();
	struct rm_case c = { .code = op_cr0 };
	u32 cr0, want;

	report_prefix_push("cr0");
	rm_exec(&c);
	cr0 = io->out.eax;
	report(!(cr0 & (X86_CR0_PE | X86_CR0_PG)) && io->vector ==
	       RM_NO_VECTOR, "CR0.PE and CR0.PG clear in real mode (got CR0 "
	       "%#x, vector %#x)", cr0, io->vector);
	want = cr0 | X86_CR0_TS | X86_CR0_MP;
	report(io->out.ebx == want, "MOV to CR0 with PE clear sets TS and MP "
	       "(got %#x, want %#x)", io->out.ebx, want);
	report(io->out.ecx == (cr0 & 0xffff), "SMSW (got %#x, want %#x)",
	       io->out.ecx, cr0 & 0xffff);
	want = cr0 ^ X86_CR0_TS;
	report(io->out.edx == want, "LMSW loads TS, not NE (got CR0 %#x, "
	       "want %#x)", io->out.edx, want);
	report(io->out.esi == cr0 && (u16)io->out.edi == RM_SEG,
	       "still real mode after the writes (got CR0 %#x CS %#x, want "
	       "%#x, %#x)", io->out.esi, (u16)io->out.edi, cr0, RM_SEG);
	report_prefix_pop();
}

/*
 * Big real mode: FS was last loaded in protected mode with a 4 GiB
 * limit; real mode keeps the cached limit (SDM vol 3, 10.9.2 asks for
 * 64 KiB segments only because of this), so a 32-bit offset far beyond
 * 64 KiB reaches the image's data.
 */
RM_CODE(op_bigreal, "mov %fs:(%ebx), %eax\n\t" "mov %ecx, %fs:4(%ebx)");
static volatile u32 big_data[2] = { 0xb16b00b5, 0 };

static void test_big_real(void)
{
	struct rm_case c = { .name = "FS with a 4 GiB limit reaches above "
				     "1 MiB", .code = op_bigreal,
			     .check = CK_EAX | CK_FS };

	report_prefix_push("big real mode");
	c.in.ebx = (u32)(uintptr_t)big_data;
	c.in.ecx = 0x5ca1ab1e;
	c.want.eax = 0xb16b00b5;
	c.want.fs = SEL_DATA32;
	run_case(&c);
	report(big_data[1] == 0x5ca1ab1e, "write through FS above 1 MiB "
	       "(got %#x, want 0x5ca1ab1e)", big_data[1]);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	size_t size = rm_blob_end - rm_blob;
	const u8 *stub1 = (const u8 *)rm_stubs + 8;

	report_prefix_push("realmode");
	assert(size <= RM_STACK_TOP - 0x400);
	/* the IVT assumes 8-byte stubs: stub 1 is PUSH imm8 1 */
	assert(stub1[0] == 0x6a && stub1[1] == 1);
	memcpy((void *)(uintptr_t)RM_BASE, rm_blob, size);

	rm_exec(&(struct rm_case){ .code = op_jmp_short });
#ifdef __x86_64__
	report_pass("left long mode for real mode and came back");
#else
	report_pass("left protected mode for real mode and came back");
#endif

	if (argc > 1 && !strcmp(argv[1], "idiv-min")) {
		RUN_TABLE("muldiv", idiv_min_cases);
		return report_summary();
	}
	if (argc > 1) {
		report_fail("unknown argument %s (want none or idiv-min)", argv[1]);
		return report_summary();
	}
	RUN_TABLE("alu", alu_cases);
	RUN_TABLE("muldiv", muldiv_cases);
	RUN_TABLE("shift", shift_cases);
	RUN_TABLE("bcd", bcd_cases);
	RUN_TABLE("misc", misc_cases);
	RUN_TABLE("stack", stack_cases);
	RUN_TABLE("flow", flow_cases);
	test_jcc();
	RUN_TABLE("int", int_cases);
	test_int_iret();
	RUN_TABLE("seg", seg_cases);
	RUN_TABLE("string", string_cases);
	RUN_TABLE("32-bit", wide_cases);
	test_cr0();
	test_big_real();
	return report_summary();
}
