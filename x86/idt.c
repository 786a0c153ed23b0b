/*
 * Interrupt descriptor table delivery: every exception vector software
 * can raise in 64-bit mode reaches its own gate with the right frame
 * (SDM vol 3, 6.3.1 table 6-1 and 6.15: the saved RIP is the faulting
 * instruction for a fault and the next one for a trap; an error code is
 * pushed for #DF, #TS, #NP, #SS, #GP, #PF and #AC only, 6.13), INT n
 * reaches gate n for all 256 vectors without an error code even where
 * the exception has one (6.4.2), and INT n at CPL 3 through a DPL 0 gate
 * raises #GP with the error code vector * 8 + 2 (6.12.1.1 and 6.13,
 * figure 6-7: IDT flag in bit 1).
 *
 * Each gate under test is pointed at a recording stub on its own IST
 * stack (6.14.5), so the depth of the frame the CPU pushed tells whether
 * it pushed an error code: 5 quadwords without, 6 with (6.14.2).
 *
 * In 32-bit protected mode (i386 build) the gates are 8 bytes (6.11,
 * figure 6-2) and there is no IST: the stub measures the frame against
 * the ESP noted just before the instruction. A 32-bit interrupt gate at
 * the same privilege level pushes EFLAGS, CS and EIP only, no SS:ESP
 * (6.12.1, figure 6-4): 3 dwords without an error code, 4 with; from
 * CPL 3 it switches to the TSS.ESP0 stack and adds SS:ESP. There the
 * test also covers what 64-bit mode cannot raise: #OF from INTO (a trap)
 * and #BR from BOUND (a fault), neither with an error code (6.15,
 * interrupts 4 and 5), #TS from a task switch to a TSS whose limit is
 * below 67H (8.3, table 8-1 (7-1 in older editions); 6.15, interrupt 10),
 * #GP(0) for a reference through a null segment register and
 * #SS(selector) for loading a not-present stack segment (vol 2B, MOV).
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/usermode.h"
#include "x86/vm.h"

#define REC_STACK_SIZE		0x1000
#define ERRCODE_IDT		(1u << 1)	/* SDM vol 3, 6.13 */
#ifdef __x86_64__
/* IST slot for the recording stubs; desc.c uses slot 1. */
#define REC_IST			2
#define FRAME_NO_EC		40	/* SS, RSP, RFLAGS, CS, RIP */
#define FRAME_EC		48	/* ... and the error code */
#define IDT_GATE_SIZE		16	/* SDM vol 3, 6.14.1 */
#define INT_N_STRIDE		4
#define INT_N_AT		0	/* offset of the INT in an entry */
/* A GDT slot unused after boot: the 32-bit boot code segment. */
#define SCRATCH_SEL		KERNEL_CS32

#define NONCANONICAL		0x8000000000000000ull
#else
#define REC_IST			0
#define FRAME_NO_EC		12	/* EFLAGS, CS, EIP */
#define FRAME_EC		16	/* ... and the error code */
#define IDT_GATE_SIZE		8	/* SDM vol 3, 6.11 */
#define INT_N_STRIDE		16
#define INT_N_AT		6	/* after MOV %esp, idt_rec_esp */
/* GDT slots layout.h leaves free on i386 */
#define SCRATCH_SEL		(GDT_FREE_SEL + 0x00)
#define SMALL_TSS_SEL		(GDT_FREE_SEL + 0x08)
/* A 32-bit TSS is at least 104 bytes: limit 67H (SDM vol 3, 8.2.2). */
#define TSS32_MIN_LIMIT		0x67
#endif
/* x87 control word after FNINIT with ZM (bit 2) cleared, SDM vol 1, 8.1.5 */
#define FCW_ZE_UNMASKED		0x37b
/* MXCSR at reset with ZM (bit 9) cleared, SDM vol 1, 10.2.3 */
#define MXCSR_DEFAULT		0x1f80
#define MXCSR_ZE_UNMASKED	0x1d80
/* A present, writable, DPL 0 data segment with P (bit 47) clear. */
#define DESC_DATA_NOT_PRESENT	0x00cf12000000ffffull

struct record {
	unsigned count;
	u32 vector;
	unsigned long depth;
	unsigned long error_code;
	unsigned long rip, cs, rflags;
	unsigned long ss;	/* from a CPL 3 frame */
};

/* Shared with the assembler stubs below. */
u32 idt_rec_vector;
unsigned long idt_rec_resume;
unsigned long idt_rec_skip;
void idt_rec_record(unsigned long *sp);
extern char idt_rec_stubs[], int_n_table[];

static struct record rec;
#ifdef __x86_64__
static u8 rec_stack[REC_STACK_SIZE] __aligned(16);
#define rec_frame_top(sp)	((uintptr_t)(rec_stack + REC_STACK_SIZE))
#define FRAME_EC_USER		FRAME_EC

asm(".text\n"
    ".balign 16\n"
    "idt_rec_stubs:\n"
    ".set rec_vec, 0\n"
    ".rept 256\n"
    ".balign 16\n\t"
    "movl $rec_vec, idt_rec_vector(%rip)\n\t"
    "jmp idt_rec_common\n"
    ".set rec_vec, rec_vec + 1\n"
    ".endr\n"
    "idt_rec_common:\n\t"
    "push %rax\n\t"
    "push %rcx\n\t"
    "push %rdx\n\t"
    "push %rsi\n\t"
    "push %rdi\n\t"
    "push %r8\n\t"
    "push %r9\n\t"
    "push %r10\n\t"
    "push %r11\n\t"
    "push %rbp\n\t"
    "mov %rsp, %rbp\n\t"
    "lea 80(%rsp), %rdi\n\t"
    "and $-16, %rsp\n\t"
    "cld\n\t"
    "call idt_rec_record\n\t"
    "mov %rbp, %rsp\n\t"
    "pop %rbp\n\t"
    "pop %r11\n\t"
    "pop %r10\n\t"
    "pop %r9\n\t"
    "pop %r8\n\t"
    "pop %rdi\n\t"
    "pop %rsi\n\t"
    "pop %rdx\n\t"
    "pop %rcx\n\t"
    "pop %rax\n\t"
    "add idt_rec_skip(%rip), %rsp\n\t"
    "iretq\n"
    /* 4 bytes per vector: INT imm8 (CD ib, also for 3 and 4), RET */
    ".balign 4\n"
    "int_n_table:\n"
    ".set int_vec, 0\n"
    ".rept 256\n\t"
    ".balign 4\n\t"
    ".byte 0xcd, int_vec\n\t"
    "ret\n"
    ".set int_vec, int_vec + 1\n"
    ".endr\n");
#else
/*
 * ESP where the frame starts: noted by RAISE, or by the INT n entry; from
 * ring 3 the CPU switches to TSS.ESP0 first and adds SS and ESP to the
 * frame (SDM vol 3, 6.12.1, figure 6-4).
 */
unsigned long idt_rec_esp;
#define FRAME_NO_EC_USER	20	/* SS, ESP, EFLAGS, CS, EIP */
#define FRAME_EC_USER		24

static unsigned long rec_frame_top(unsigned long *sp)
{
	unsigned long esp0 = this_cpu_tss()->esp0;

	if ((uintptr_t)sp < esp0 && esp0 - (uintptr_t)sp <= FRAME_EC_USER)
		return esp0;
	return idt_rec_esp;
}

asm(".text\n"
    ".balign 16\n"
    "idt_rec_stubs:\n"
    ".set rec_vec, 0\n"
    ".rept 256\n"
    ".balign 16\n\t"
    "movl $rec_vec, idt_rec_vector\n\t"
    "jmp idt_rec_common\n"
    ".set rec_vec, rec_vec + 1\n"
    ".endr\n"
    "idt_rec_common:\n\t"
    "pusha\n\t"
    "lea 32(%esp), %eax\n\t"
    "push %eax\n\t"
    "cld\n\t"
    "call idt_rec_record\n\t"
    "add $4, %esp\n\t"
    "popa\n\t"
    "add idt_rec_skip, %esp\n\t"
    "iret\n"
    /* 16 bytes per vector: note ESP, INT imm8 (CD ib), RET */
    ".balign 16\n"
    "int_n_table:\n"
    ".set int_vec, 0\n"
    ".rept 256\n\t"
    ".balign 16\n\t"
    "mov %esp, idt_rec_esp\n\t"
    ".byte 0xcd, int_vec\n\t"
    "ret\n"
    ".set int_vec, int_vec + 1\n"
    ".endr\n");
#endif

void idt_rec_record(unsigned long *sp)
{
	unsigned long depth = rec_frame_top(sp) - (uintptr_t)sp;
	bool has_ec = depth == FRAME_EC || depth == FRAME_EC_USER;

	rec.count++;
	rec.vector = idt_rec_vector;
	rec.depth = depth;
	rec.error_code = 0;
	if (has_ec)
		rec.error_code = *sp++;
	rec.rip = sp[0];
	rec.cs = sp[1];
	rec.rflags = sp[2];
	rec.ss = (rec.cs & 3) ? sp[4] : 0;
	sp[2] &= ~X86_EFLAGS_TF;
	if (idt_rec_resume)
		sp[0] = idt_rec_resume;
	idt_rec_skip = has_ec ? sizeof(*sp) : 0;
}

struct desc_ptr {
	u16 limit;
	uintptr_t base;
} __packed;

static u8 *idt_gate(unsigned vector)
{
	struct desc_ptr p;

	asm volatile("sidt %0" : "=m"(p));
	return (u8 *)(uintptr_t)p.base + vector * IDT_GATE_SIZE;
}

static u8 saved_gate[256][IDT_GATE_SIZE];

/* Point gate @vector at its recording stub; disarm() puts it back. */
static void arm(unsigned vector, unsigned dpl)
{
	memcpy(saved_gate[vector], idt_gate(vector), IDT_GATE_SIZE);
	set_idt_entry(vector, idt_rec_stubs + vector * 16, dpl, REC_IST);
	memset(&rec, 0, sizeof(rec));
	idt_rec_resume = 0;
}

static void disarm(unsigned vector)
{
	memcpy(idt_gate(vector), saved_gate[vector], IDT_GATE_SIZE);
}

/* Addresses of the instruction that raises and of the one after it. */
struct site {
	unsigned long at, after;
};

/*
 * Note the addresses, run @pre, then @insn at label 1, then label 2, where a fault resumes.
 * @c and @d are unsigned long lvalues bound to RCX and RDX (ECX, EDX).
 */
#ifdef __x86_64__
#define RAISE(s, pre, insn, c, d)					\
	asm volatile("lea 1f(%%rip), %%r11\n\t"				\
		     "mov %%r11, %[at]\n\t"				\
		     "lea 2f(%%rip), %%r11\n\t"				\
		     "mov %%r11, %[after]\n\t"				\
		     "mov %%r11, idt_rec_resume(%%rip)\n\t"		\
		     pre "\n"						\
		     "1: " insn "\n"					\
		     "2:"						\
		     : [at] "=m"((s).at), [after] "=m"((s).after),	\
		       "+c"(c), "+d"(d)					\
		     :: "rax", "r11", "memory", "cc")
#else
/* i386: also note ESP for the stub; @pre must leave ESP as it found it. */
#define RAISE(s, pre, insn, c, d)					\
	asm volatile("movl $1f, %[at]\n\t"				\
		     "movl $2f, %[after]\n\t"				\
		     "movl $2f, idt_rec_resume\n\t"			\
		     "mov %%esp, idt_rec_esp\n\t"			\
		     pre "\n"						\
		     "1: " insn "\n"					\
		     "2:"						\
		     : [at] "=m"((s).at), [after] "=m"((s).after),	\
		       "+c"(c), "+d"(d)					\
		     :: "eax", "memory", "cc")
#endif

enum kind { FAULT, TRAP };

#ifdef __x86_64__
#define IP_NAME		"RIP"
#define DIV_CX		"divq %%rcx"
#define LOAD_CX		"mov (%%rcx), %%rdx"
#define STORE_CX	"mov %%rdx, (%%rcx)"
#define POP_CX		"pop %%rcx"
#else
#define IP_NAME		"EIP"
#define DIV_CX		"divl %%ecx"
#define LOAD_CX		"mov (%%ecx), %%edx"
#define STORE_CX	"mov %%edx, (%%ecx)"
#define POP_CX		"pop %%ecx"
#endif

static void check(const char *name, unsigned vector, enum kind kind,
		  bool has_ec, unsigned long ec, struct site s)
{
	unsigned long want_rip = kind == FAULT ? s.at : s.after;

	report_prefix_push(name);
	report(rec.count == 1 && rec.vector == vector,
	       "delivered through gate %u (got %u deliveries, gate %u)",
	       vector, rec.count, rec.vector);
	report(rec.rip == want_rip && rec.cs == KERNEL_CS,
	       "saved %s is the %s instruction (got %#lx cs %#lx, want "
	       "%#lx cs %#x)", IP_NAME, kind == FAULT ? "faulting" : "next",
	       rec.rip, rec.cs, want_rip, KERNEL_CS);
	if (has_ec)
		report(rec.depth == FRAME_EC && rec.error_code == ec,
		       "error code %#lx (got frame of %lu bytes, code %#lx)",
		       ec, rec.depth, rec.error_code);
	else
		report(rec.depth == FRAME_NO_EC,
		       "no error code (got frame of %lu bytes, want %u)",
		       rec.depth, FRAME_NO_EC);
	report_prefix_pop();
}

static void test_de(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	arm(DE_VECTOR, 0);
	RAISE(s, "", DIV_CX, c, d);
	disarm(DE_VECTOR);
	check("#DE: DIV by zero", DE_VECTOR, FAULT, false, 0, s);
}

static void test_db(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	/* TF set by POPF: the trap follows the next instruction (SDM vol
	 * 3, 18.3.1.4). */
	arm(DB_VECTOR, 0);
	RAISE(s, "pushf\n\torl $0x100, (" ASM_SP ")\n\tpopf", "nop", c, d);
	disarm(DB_VECTOR);
	check("#DB: single-step", DB_VECTOR, TRAP, false, 0, s);
}

static void test_bp(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	arm(BP_VECTOR, 0);
	RAISE(s, "", "int3", c, d);
	disarm(BP_VECTOR);
	check("#BP: INT3", BP_VECTOR, TRAP, false, 0, s);
}

static void test_ud(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	arm(UD_VECTOR, 0);
	RAISE(s, "", "ud2", c, d);
	disarm(UD_VECTOR);
	check("#UD: UD2", UD_VECTOR, FAULT, false, 0, s);

#ifdef __x86_64__
	/* INTO is invalid in 64-bit mode (SDM vol 2A, INTO). */
	arm(UD_VECTOR, 0);
	RAISE(s, "", ".byte 0xce", c, d);
	disarm(UD_VECTOR);
	check("#UD: INTO in 64-bit mode", UD_VECTOR, FAULT, false, 0, s);
#endif
}

static void test_nm(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	/* SDM vol 2A, FNOP: #NM when CR0.TS is set. */
	write_cr0(read_cr0() | X86_CR0_TS);
	arm(NM_VECTOR, 0);
	RAISE(s, "", "fnop", c, d);
	disarm(NM_VECTOR);
	asm volatile("clts");
	check("#NM: x87 with CR0.TS set", NM_VECTOR, FAULT, false, 0, s);
}

static void test_np_gp_selector(void)
{
	struct desc_ptr gdtr;
	u64 *gdt, saved;
	struct site s;
	unsigned long c, d = 0;

	asm volatile("sgdt %0" : "=m"(gdtr));
	gdt = (u64 *)(uintptr_t)gdtr.base;

	/* A not-present data segment in a spare slot: loading it raises
	 * #NP(selector) (SDM vol 2B, MOV). */
	saved = gdt[SCRATCH_SEL / 8];
	gdt[SCRATCH_SEL / 8] = DESC_DATA_NOT_PRESENT;
	c = SCRATCH_SEL;
	arm(NP_VECTOR, 0);
	RAISE(s, "", "mov %%ecx, %%fs", c, d);
	disarm(NP_VECTOR);
	check("#NP: not-present segment", NP_VECTOR, FAULT, true,
	      SCRATCH_SEL, s);

#ifdef __i386__
	/* The same selector into SS: #SS(selector), not #NP (SDM vol 2B,
	 * MOV, "If the SS register is being loaded and the segment
	 * pointed to is marked not present"). */
	c = SCRATCH_SEL;
	arm(SS_VECTOR, 0);
	arm(NP_VECTOR, 0);
	RAISE(s, "", "mov %%ecx, %%ss", c, d);
	disarm(NP_VECTOR);
	disarm(SS_VECTOR);
	check("#SS: not-present stack segment", SS_VECTOR, FAULT, true,
	      SCRATCH_SEL, s);
#endif
	gdt[SCRATCH_SEL / 8] = saved;

	/* A selector past the GDT limit: #GP(selector). */
	c = (gdtr.limit + 1u) & ~7u;
	d = 0;
	arm(GP_VECTOR, 0);
	RAISE(s, "", "mov %%ecx, %%fs", c, d);
	disarm(GP_VECTOR);
	check("#GP: selector past the GDT limit", GP_VECTOR, FAULT, true,
	      (gdtr.limit + 1u) & ~7u, s);
}

#ifdef __x86_64__
static void test_noncanonical(void)
{
	struct site s;
	unsigned long c = NONCANONICAL, d = 0;

	/* SDM vol 3, 6.15: a non-canonical reference through SS raises
	 * #SS(0), any other #GP(0). */
	arm(GP_VECTOR, 0);
	RAISE(s, "", "mov (%%rcx), %%rdx", c, d);
	disarm(GP_VECTOR);
	check("#GP: non-canonical data address", GP_VECTOR, FAULT, true, 0, s);

	/* Both gates: a wrong #GP must not abort the test. */
	c = NONCANONICAL;
	arm(GP_VECTOR, 0);
	arm(SS_VECTOR, 0);
	RAISE(s, "", "mov (%%rsp,%%rcx,1), %%rdx", c, d);
	disarm(SS_VECTOR);
	disarm(GP_VECTOR);
	check("#SS: non-canonical stack address", SS_VECTOR, FAULT, true,
	      0, s);
}
#else
static void test_noncanonical(void)
{
	struct site s;
	unsigned long c = (uintptr_t)&s, d = 0;
	u16 fs;

	report_skip("#GP and #SS for non-canonical addresses: 64-bit mode "
		    "only (SDM vol 3, 3.3.7.1)");

	/* Instead: a reference through a segment register holding the
	 * null selector raises #GP(0) outside 64-bit mode (SDM vol 2B,
	 * MOV, "Protected Mode Exceptions"). */
	asm volatile("mov %%fs, %0" : "=r"(fs));
	arm(GP_VECTOR, 0);
	RAISE(s, "xor %%eax, %%eax\n\tmov %%eax, %%fs",
	      "mov %%fs:(%%ecx), %%edx", c, d);
	disarm(GP_VECTOR);
	asm volatile("mov %0, %%fs" :: "r"(fs));
	check("#GP: load through a null FS", GP_VECTOR, FAULT, true, 0, s);
}
#endif

static void test_pf(void)
{
	u8 *page = alloc_page();
	struct site s;
	unsigned long c = (uintptr_t)page, d = 0, cr2;
	u64 phys = virt_to_phys(page);

	unmap_page(page);
	arm(PF_VECTOR, 0);
	RAISE(s, "", LOAD_CX, c, d);
	cr2 = read_cr2();
	disarm(PF_VECTOR);
	check("#PF: read of a not-present page", PF_VECTOR, FAULT, true, 0, s);
	report(cr2 == (uintptr_t)page, "#PF: CR2 holds the address (got "
	       "%#lx, want %#lx)", cr2, (unsigned long)page);

	c = (uintptr_t)page + 8;
	arm(PF_VECTOR, 0);
	RAISE(s, "", STORE_CX, c, d);
	disarm(PF_VECTOR);
	check("#PF: write to a not-present page", PF_VECTOR, FAULT, true,
	      PFERR_WRITE, s);
	install_page(page, phys, PT_WRITABLE);
}

static void test_mf(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	/* CR0.NE is set (setup.c): an unmasked x87 exception is reported
	 * as #MF on the next waiting x87 instruction (SDM vol 1, 8.7). */
	arm(MF_VECTOR, 0);
	RAISE(s, "fninit\n\tpush $" "0x37b" "\n\tfldcw (" ASM_SP ")\n\t"
	      POP_CX "\n\tfldz\n\tfld1\n\tfdivp",
	      "fwait", c, d);
	disarm(MF_VECTOR);
	asm volatile("fnclex; fninit");
	check("#MF: x87 divide by zero, unmasked", MF_VECTOR, FAULT, false,
	      0, s);
}

static void test_xm(void)
{
	struct site s;
	unsigned long c = 0, d = 1;
	u32 mxcsr = MXCSR_DEFAULT;

	/* CR4.OSXMMEXCPT is set (setup.c): an unmasked SIMD exception is
	 * #XM (SDM vol 1, 11.5.1). */
	arm(XM_VECTOR, 0);
	RAISE(s, "push $" __stringify_x86(MXCSR_ZE_UNMASKED) "\n\tldmxcsr (" ASM_SP ")\n\t" POP_CX "\n\t"
	      "xorps %%xmm0, %%xmm0\n\tcvtsi2ss %%edx, %%xmm1",
	      "divss %%xmm0, %%xmm1", c, d);
	disarm(XM_VECTOR);
	asm volatile("ldmxcsr %0" :: "m"(mxcsr));
	check("#XM: SSE divide by zero, unmasked", XM_VECTOR, FAULT, false,
	      0, s);
}

static void test_int_n(void)
{
	unsigned v, bad = 0, first = 0;
	struct record first_rec = { 0 };

	/* SDM vol 3, 6.4.2: INT n never pushes an error code, even for
	 * the vectors whose exceptions have one. */
	for (v = 0; v < 256; v++) {
		void (*fn)(void) = (void (*)(void))(int_n_table +
						    v * INT_N_STRIDE);
		unsigned long want = (uintptr_t)fn + INT_N_AT + 2;

		arm(v, 0);
		fn();
		disarm(v);
		if (rec.count != 1 || rec.vector != v || rec.rip != want ||
		    rec.depth != FRAME_NO_EC) {
			if (!bad++) {
				first = v;
				first_rec = rec;
			}
		}
	}
	report(!bad, "INT n for n = 0..255 reaches gate n, RIP after the "
	       "INT, no error code (%u wrong; first %u: %u deliveries, gate "
	       "%u, frame %lu bytes)", bad, first, first_rec.count,
	       first_rec.vector, first_rec.depth);
}

#ifdef __i386__
static void test_of(void)
{
	struct site s;
	unsigned long c = 0, d = 0;

	/* INTO raises #OF when EFLAGS.OF is set, as a trap (SDM vol 2A,
	 * INTO; vol 3, 6.15, interrupt 4). #UD armed too: a CPU that took
	 * INTO for invalid must not abort the test. */
	arm(OF_VECTOR, 0);
	arm(UD_VECTOR, 0);
	RAISE(s, "mov $0x7fffffff, %%eax\n\tadd $1, %%eax", "into", c, d);
	disarm(UD_VECTOR);
	disarm(OF_VECTOR);
	check("#OF: INTO with OF=1", OF_VECTOR, TRAP, false, 0, s);

	arm(OF_VECTOR, 0);
	arm(UD_VECTOR, 0);
	RAISE(s, "xor %%eax, %%eax", "into", c, d);
	disarm(UD_VECTOR);
	disarm(OF_VECTOR);
	report(rec.count == 0, "#OF: INTO with OF=0 raises nothing (got %u "
	       "deliveries, gate %u)", rec.count, rec.vector);
}

/* BOUND compares a signed index with a signed [lower, upper] pair in
 * memory, both inclusive (SDM vol 2A, BOUND). */
static struct {
	s32 lower, upper;
} __aligned(8) bounds = { -4, 10 };

static void bound_case(const char *name, s32 index, bool raises)
{
	struct site s;
	unsigned long c = (uintptr_t)&bounds, d = (u32)index;

	arm(BR_VECTOR, 0);
	arm(UD_VECTOR, 0);
	RAISE(s, "", "bound %%edx, (%%ecx)", c, d);
	disarm(UD_VECTOR);
	disarm(BR_VECTOR);
	if (raises)
		check(name, BR_VECTOR, FAULT, false, 0, s);
	else
		report(rec.count == 0, "%s raises nothing (got %u deliveries, "
		       "gate %u)", name, rec.count, rec.vector);
}

static void test_br(void)
{
	/* #BR is a fault: EIP at the BOUND (SDM vol 3, 6.15, interrupt 5) */
	bound_case("#BR: BOUND index above the upper bound", 11, true);
	bound_case("#BR: BOUND index below the lower bound", -5, true);
	bound_case("#BR: BOUND index equal to the upper bound", 10, false);
	bound_case("#BR: BOUND negative index equal to the lower bound", -4,
		   false);
}

/* Only the limit matters: the switch stops before reading the TSS. */
static struct tss32 small_tss;

static void test_ts(void)
{
	struct desc_ptr gdtr;
	u64 *gdt, saved;
	struct site s;
	unsigned long c = 0, d = 0;

	asm volatile("sgdt %0" : "=m"(gdtr));
	gdt = (u64 *)gdtr.base;

	/* A task switch to a 32-bit TSS whose descriptor limit is below
	 * 67H raises #TS with the new TSS's selector, before the switch
	 * commits, so in the old task at the JMP (SDM vol 3, 8.3 step 3
	 * and table 8-1; 6.15, interrupt 10). */
	saved = gdt[SMALL_TSS_SEL / 8];
	gdt[SMALL_TSS_SEL / 8] = gdt_system_desc((uintptr_t)&small_tss,
						 TSS32_MIN_LIMIT - 1,
						 SYS_DESC_TSS32_AVAIL);
	arm(TS_VECTOR, 0);
	arm(GP_VECTOR, 0);
	arm(NP_VECTOR, 0);
	RAISE(s, "", "ljmp $" __stringify_x86(SMALL_TSS_SEL) ", $0", c, d);
	disarm(NP_VECTOR);
	disarm(GP_VECTOR);
	disarm(TS_VECTOR);
	gdt[SMALL_TSS_SEL / 8] = saved;
	write_cr0(read_cr0() & ~X86_CR0_TS);
	check("#TS: JMP to a TSS with limit below 67H", TS_VECTOR, FAULT,
	      true, SMALL_TSS_SEL, s);
}
#endif

/* Ring 3 side: results in memory, the image is user-accessible. */
static unsigned long user_at;
static unsigned user_vector;

/* user_at is stored before the instruction: an exception ends the call. */
static void user_int3(void *arg)
{
	unsigned long tmp;

	(void)arg;
	asm volatile("lea " ASM_IP_REL("1f") ", %1\n\t"
		     "mov %1, %0\n"
		     "1: int3" : "=m"(user_at), "=&r"(tmp) :: "memory");
}

static void user_int_n(void *arg)
{
	unsigned long tmp;

	(void)arg;
	asm volatile("lea " ASM_IP_REL("1f") ", %1\n\t"
		     "mov %1, %0\n"
		     "1: int $0x40" : "=m"(user_at), "=&r"(tmp) :: "memory");
}

static void user_int_dpl3(void *arg)
{
	(void)arg;
	asm volatile("int $0x41" ::: "memory");
	user_vector = 0x41;
}

static void user_ac(void *arg)
{
	unsigned long tmp;

	(void)arg;
	asm volatile("pushf\n\t"
		     "orl $0x40000, (" ASM_SP ")\n\t"
		     "popf\n\t"
		     "lea " ASM_IP_REL("1f") ", %1\n\t"
		     "mov %1, %0\n"
		     "1: movl 1(" ASM_SP "), %%eax\n\t"
		     "pushf\n\t"
		     "andl $~0x40000, (" ASM_SP ")\n\t"
		     "popf"
		     : "=m"(user_at), "=&r"(tmp) :: "eax", "memory", "cc");
}

static void test_user(void)
{
	struct ex_result r;
	unsigned long want;

	report_prefix_push("CPL 3");

	/* The gate DPL check applies to INT3 and INT n (SDM vol 3,
	 * 6.12.1.1): #GP with the IDT flag and the vector in the code. */
	r = run_in_usermode(user_int3, NULL);
	want = BP_VECTOR * 8 + ERRCODE_IDT;
	report(r.raised && r.vector == GP_VECTOR && r.error_code == want &&
	       r.rip == user_at, "INT3 through a DPL 0 gate raises "
	       "#GP(%#lx) at the INT3 (got %s, vector %u, code %#lx, rip "
	       "%#lx, want %#lx)", want, r.raised ? "raised" : "nothing",
	       r.vector, (unsigned long)r.error_code, (unsigned long)r.rip, user_at);

	r = run_in_usermode(user_int_n, NULL);
	want = 0x40 * 8 + ERRCODE_IDT;
	report(r.raised && r.vector == GP_VECTOR && r.error_code == want &&
	       r.rip == user_at, "INT 0x40 through a DPL 0 gate raises "
	       "#GP(%#lx) (got %s, vector %u, code %#lx, rip %#lx, want "
	       "%#lx)", want, r.raised ? "raised" : "nothing", r.vector,
	       (unsigned long)r.error_code, (unsigned long)r.rip, user_at);

	arm(0x41, 3);
	user_vector = 0;
	r = run_in_usermode(user_int_dpl3, NULL);
	disarm(0x41);
	report(!r.raised && rec.count == 1 && rec.vector == 0x41 &&
	       (rec.cs & 3) == 3 && user_vector == 0x41,
	       "INT 0x41 through a DPL 3 gate is delivered and returns "
	       "(got %s, %u deliveries, saved cs %#lx)",
	       r.raised ? exception_mnemonic(r.vector) : "no exception",
	       rec.count, rec.cs);
#ifdef __i386__
	/* A privilege change: the 32-bit frame is on the ESP0 stack and
	 * carries SS:ESP (SDM vol 3, 6.12.1, figure 6-4). */
	report(rec.depth == FRAME_NO_EC_USER && rec.ss == USER_DS,
	       "INT 0x41 from CPL 3: frame with SS:ESP on the ESP0 stack (got "
	       "%lu bytes, saved ss %#lx; want %u, %#x)", rec.depth, rec.ss,
	       FRAME_NO_EC_USER, USER_DS);
#endif

	/* SDM vol 3, 6.15, interrupt 17: CR0.AM, RFLAGS.AC, CPL 3 and a
	 * misaligned access raise #AC(0). */
	write_cr0(read_cr0() | X86_CR0_AM);
	r = run_in_usermode(user_ac, NULL);
	write_cr0(read_cr0() & ~X86_CR0_AM);
	report(r.raised && r.vector == AC_VECTOR && r.error_code == 0 &&
	       r.rip == user_at, "#AC: misaligned load with CR0.AM and "
	       "RFLAGS.AC (got %s, vector %u, code %#lx, rip %#lx, want "
	       "rip %#lx)", r.raised ? "raised" : "nothing", r.vector,
	       (unsigned long)r.error_code, (unsigned long)r.rip, user_at);

	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("idt");

#ifdef __x86_64__
	this_cpu_tss()->ist[REC_IST - 1] =
		(uintptr_t)rec_stack + REC_STACK_SIZE;
#endif
	cli();

	test_de();
	test_db();
	test_bp();
	test_ud();
	test_nm();
	test_np_gp_selector();
	test_noncanonical();
	test_pf();
	test_mf();
	test_xm();
	test_int_n();
	test_user();
#ifdef __x86_64__
	report_info("not raised from software in 64-bit mode: NMI (see nmi), "
		    "#OF and #BR (INTO and BOUND are invalid), #DF (see "
		    "eventinj), #TS, #MC, #VE, #CP");
#else
	test_of();
	test_br();
	test_ts();
	report_info("not raised here: NMI (see nmi), #DF (see eventinj), "
		    "#MC, #VE, #CP");
#endif
	return report_summary();
}
