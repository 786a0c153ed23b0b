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
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/usermode.h"
#include "x86/vm.h"

/* IST slot for the recording stubs; desc.c uses slot 1. */
#define REC_IST			2
#define REC_STACK_SIZE		0x1000
#define FRAME_NO_EC		40	/* SS, RSP, RFLAGS, CS, RIP */
#define FRAME_EC		48	/* ... and the error code */
#define IDT_GATE_SIZE		16	/* SDM vol 3, 6.14.1 */
#define ERRCODE_IDT		(1u << 1)	/* SDM vol 3, 6.13 */

#define NONCANONICAL		0x8000000000000000ull
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
	u64 depth;
	u64 error_code;
	u64 rip, cs, rflags;
};

/* Shared with the assembler stubs below. */
u32 idt_rec_vector;
u64 idt_rec_resume;
u64 idt_rec_skip;
void idt_rec_record(u64 *sp);
extern char idt_rec_stubs[], int_n_table[];

static struct record rec;
static u8 rec_stack[REC_STACK_SIZE] __aligned(16);

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

void idt_rec_record(u64 *sp)
{
	u64 depth = (uintptr_t)(rec_stack + REC_STACK_SIZE) - (uintptr_t)sp;

	rec.count++;
	rec.vector = idt_rec_vector;
	rec.depth = depth;
	rec.error_code = 0;
	if (depth == FRAME_EC)
		rec.error_code = *sp++;
	rec.rip = sp[0];
	rec.cs = sp[1];
	rec.rflags = sp[2];
	sp[2] &= ~X86_EFLAGS_TF;
	if (idt_rec_resume)
		sp[0] = idt_rec_resume;
	idt_rec_skip = depth == FRAME_EC ? 8 : 0;
}

struct desc_ptr64 {
	u16 limit;
	u64 base;
} __packed;

static u8 *idt_gate(unsigned vector)
{
	struct desc_ptr64 p;

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
	u64 at, after;
};

/*
 * Note the addresses, run @pre, then @insn at label 1, then label 2, where a fault resumes.
 * @c and @d are u64 lvalues bound to RCX and RDX.
 */
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

enum kind { FAULT, TRAP };

static void check(const char *name, unsigned vector, enum kind kind,
		  bool has_ec, u64 ec, struct site s)
{
	u64 want_rip = kind == FAULT ? s.at : s.after;

	report_prefix_push(name);
	report(rec.count == 1 && rec.vector == vector,
	       "delivered through gate %u (got %u deliveries, gate %u)",
	       vector, rec.count, rec.vector);
	report(rec.rip == want_rip && rec.cs == KERNEL_CS,
	       "saved RIP is the %s instruction (got %#lx cs %#lx, want "
	       "%#lx cs %#x)", kind == FAULT ? "faulting" : "next",
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
	u64 c = 0, d = 0;

	arm(DE_VECTOR, 0);
	RAISE(s, "", "divq %%rcx", c, d);
	disarm(DE_VECTOR);
	check("#DE: DIV by zero", DE_VECTOR, FAULT, false, 0, s);
}

static void test_db(void)
{
	struct site s;
	u64 c = 0, d = 0;

	/* TF set by POPF: the trap follows the next instruction (SDM vol
	 * 3, 18.3.1.4). */
	arm(DB_VECTOR, 0);
	RAISE(s, "pushf\n\torq $0x100, (%%rsp)\n\tpopf", "nop", c, d);
	disarm(DB_VECTOR);
	check("#DB: single-step", DB_VECTOR, TRAP, false, 0, s);
}

static void test_bp(void)
{
	struct site s;
	u64 c = 0, d = 0;

	arm(BP_VECTOR, 0);
	RAISE(s, "", "int3", c, d);
	disarm(BP_VECTOR);
	check("#BP: INT3", BP_VECTOR, TRAP, false, 0, s);
}

static void test_ud(void)
{
	struct site s;
	u64 c = 0, d = 0;

	arm(UD_VECTOR, 0);
	RAISE(s, "", "ud2", c, d);
	disarm(UD_VECTOR);
	check("#UD: UD2", UD_VECTOR, FAULT, false, 0, s);

	/* INTO is invalid in 64-bit mode (SDM vol 2A, INTO). */
	arm(UD_VECTOR, 0);
	RAISE(s, "", ".byte 0xce", c, d);
	disarm(UD_VECTOR);
	check("#UD: INTO in 64-bit mode", UD_VECTOR, FAULT, false, 0, s);
}

static void test_nm(void)
{
	struct site s;
	u64 c = 0, d = 0;

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
	struct desc_ptr64 gdtr;
	u64 *gdt, saved;
	struct site s;
	u64 c, d = 0;

	asm volatile("sgdt %0" : "=m"(gdtr));
	gdt = (u64 *)(uintptr_t)gdtr.base;

	/* Borrow the boot-only 32-bit code slot for a not-present data
	 * segment: loading it raises #NP(selector) (SDM vol 2B, MOV). */
	saved = gdt[KERNEL_CS32 / 8];
	gdt[KERNEL_CS32 / 8] = DESC_DATA_NOT_PRESENT;
	c = KERNEL_CS32;
	arm(NP_VECTOR, 0);
	RAISE(s, "", "mov %%ecx, %%fs", c, d);
	disarm(NP_VECTOR);
	gdt[KERNEL_CS32 / 8] = saved;
	check("#NP: not-present segment", NP_VECTOR, FAULT, true,
	      KERNEL_CS32, s);

	/* A selector past the GDT limit: #GP(selector). */
	c = (gdtr.limit + 1u) & ~7u;
	d = 0;
	arm(GP_VECTOR, 0);
	RAISE(s, "", "mov %%ecx, %%fs", c, d);
	disarm(GP_VECTOR);
	check("#GP: selector past the GDT limit", GP_VECTOR, FAULT, true,
	      (gdtr.limit + 1u) & ~7u, s);
}

static void test_noncanonical(void)
{
	struct site s;
	u64 c = NONCANONICAL, d = 0;

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

static void test_pf(void)
{
	u8 *page = alloc_page();
	struct site s;
	u64 c = (uintptr_t)page, d = 0;
	u64 phys = virt_to_phys(page), cr2;

	unmap_page(page);
	arm(PF_VECTOR, 0);
	RAISE(s, "", "mov (%%rcx), %%rdx", c, d);
	cr2 = read_cr2();
	disarm(PF_VECTOR);
	check("#PF: read of a not-present page", PF_VECTOR, FAULT, true, 0, s);
	report(cr2 == (uintptr_t)page, "#PF: CR2 holds the address (got "
	       "%#lx, want %#lx)", cr2, (u64)(uintptr_t)page);

	c = (uintptr_t)page + 8;
	arm(PF_VECTOR, 0);
	RAISE(s, "", "mov %%rdx, (%%rcx)", c, d);
	disarm(PF_VECTOR);
	check("#PF: write to a not-present page", PF_VECTOR, FAULT, true,
	      PFERR_WRITE, s);
	install_page(page, phys, PT_WRITABLE);
}

static void test_mf(void)
{
	struct site s;
	u64 c = 0, d = 0;

	/* CR0.NE is set (setup.c): an unmasked x87 exception is reported
	 * as #MF on the next waiting x87 instruction (SDM vol 1, 8.7). */
	arm(MF_VECTOR, 0);
	RAISE(s, "fninit\n\tpushq $" "0x37b" "\n\tfldcw (%%rsp)\n\t"
	      "popq %%rcx\n\tfldz\n\tfld1\n\tfdivp",
	      "fwait", c, d);
	disarm(MF_VECTOR);
	asm volatile("fnclex; fninit");
	check("#MF: x87 divide by zero, unmasked", MF_VECTOR, FAULT, false,
	      0, s);
}

static void test_xm(void)
{
	struct site s;
	u64 c = 0, d = 1;
	u32 mxcsr = MXCSR_DEFAULT;

	/* CR4.OSXMMEXCPT is set (setup.c): an unmasked SIMD exception is
	 * #XM (SDM vol 1, 11.5.1). */
	arm(XM_VECTOR, 0);
	RAISE(s, "pushq $" __stringify_x86(MXCSR_ZE_UNMASKED) "\n\tldmxcsr (%%rsp)\n\tpopq %%rcx\n\t"
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
		void (*fn)(void) = (void (*)(void))(int_n_table + v * 4);
		u64 want = (uintptr_t)fn + 2;

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

/* Ring 3 side: results in memory, the image is user-accessible. */
static u64 user_at;
static unsigned user_vector;

static void user_int3(void *arg)
{
	(void)arg;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %0\n"
		     "1: int3" : "=m"(user_at) :: "rax", "memory");
}

static void user_int_n(void *arg)
{
	(void)arg;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %0\n"
		     "1: int $0x40" : "=m"(user_at) :: "rax", "memory");
}

static void user_int_dpl3(void *arg)
{
	(void)arg;
	asm volatile("int $0x41" ::: "memory");
	user_vector = 0x41;
}

static void user_ac(void *arg)
{
	(void)arg;
	asm volatile("pushf\n\t"
		     "orl $0x40000, (%%rsp)\n\t"
		     "popf\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, %0\n"
		     "1: movl 1(%%rsp), %%eax\n\t"
		     "pushf\n\t"
		     "andl $~0x40000, (%%rsp)\n\t"
		     "popf"
		     : "=m"(user_at) :: "rax", "memory", "cc");
}

static void test_user(void)
{
	struct ex_result r;
	u64 want;

	report_prefix_push("CPL 3");

	/* The gate DPL check applies to INT3 and INT n (SDM vol 3,
	 * 6.12.1.1): #GP with the IDT flag and the vector in the code. */
	r = run_in_usermode(user_int3, NULL);
	want = BP_VECTOR * 8 + ERRCODE_IDT;
	report(r.raised && r.vector == GP_VECTOR && r.error_code == want &&
	       r.rip == user_at, "INT3 through a DPL 0 gate raises "
	       "#GP(%#lx) at the INT3 (got %s, vector %u, code %#lx, rip "
	       "%#lx, want %#lx)", want, r.raised ? "raised" : "nothing",
	       r.vector, r.error_code, r.rip, user_at);

	r = run_in_usermode(user_int_n, NULL);
	want = 0x40 * 8 + ERRCODE_IDT;
	report(r.raised && r.vector == GP_VECTOR && r.error_code == want &&
	       r.rip == user_at, "INT 0x40 through a DPL 0 gate raises "
	       "#GP(%#lx) (got %s, vector %u, code %#lx, rip %#lx, want "
	       "%#lx)", want, r.raised ? "raised" : "nothing", r.vector,
	       r.error_code, r.rip, user_at);

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

	/* SDM vol 3, 6.15, interrupt 17: CR0.AM, RFLAGS.AC, CPL 3 and a
	 * misaligned access raise #AC(0). */
	write_cr0(read_cr0() | X86_CR0_AM);
	r = run_in_usermode(user_ac, NULL);
	write_cr0(read_cr0() & ~X86_CR0_AM);
	report(r.raised && r.vector == AC_VECTOR && r.error_code == 0 &&
	       r.rip == user_at, "#AC: misaligned load with CR0.AM and "
	       "RFLAGS.AC (got %s, vector %u, code %#lx, rip %#lx, want "
	       "rip %#lx)", r.raised ? "raised" : "nothing", r.vector,
	       r.error_code, r.rip, user_at);

	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("idt");

	this_cpu_tss()->ist[REC_IST - 1] =
		(uintptr_t)rec_stack + REC_STACK_SIZE;
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

	report_info("not raised from software in 64-bit mode: NMI (see nmi), "
		    "#OF and #BR (INTO and BOUND are invalid), #DF (see "
		    "eventinj), #TS, #MC, #VE, #CP");
	return report_summary();
}
