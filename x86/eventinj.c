/*
 * Event delivery: an exception raised while delivering another is
 * handled serially or becomes a double fault per SDM vol 3, 6.15,
 * "Interrupt 8-Double Fault Exception (#DF)" (tables 6-4 and 6-5); #DF is
 * delivered with error code 0 on its IST stack (6.14.5) in 64-bit mode,
 * and in 32-bit mode through a task gate in a task of its own, the
 * handler design 6.15 recommends there (8.4); NMI and fixed
 * interrupts sent to self through the local APIC are delivered (11.6.1);
 * STI delays interrupt recognition by one instruction (vol 2B, STI) and
 * MOV SS delays debug exceptions past the next instruction (vol 3,
 * 6.8.3).
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define VEC_IRQ			0x50
#ifdef __x86_64__
#define IDT_GATE_SIZE		16	/* SDM vol 3, 6.14.1 */
#else
#define IDT_GATE_SIZE		8	/* SDM vol 3, 6.11 */
#endif
#define GATE_IST_BYTE		4	/* IST in bits 2:0 of byte 4 */
#define GATE_TYPE_BYTE		5	/* P in bit 7 of byte 5 */
#define GATE_PRESENT		0x80
/* An IST slot desc.c leaves free; slot 1 holds the #DF/NMI stack. */
#define BAD_IST			3
#define DF_IST			1
/* #NP error code for an IDT gate: vector << 3, IDT flag (bit 1) and EXT
 * (bit 0) when an earlier exception was being delivered (6.13). */
#define ERR_IDT			2
#define ERR_EXT			1

#ifdef __x86_64__
#define NONCANONICAL		0x8000000000000000ull
#define DIV_ECX			"divq %%rcx"
#define LOAD_CX			"mov (%%rcx), %%rdx"
#else
#define DIV_ECX			"divl %%ecx"
#define LOAD_CX			"mov (%%ecx), %%edx"
/* GDT slots for the handler tasks (layout.h leaves them free). */
#define DF_TASK_SEL		(GDT_FREE_SEL + 0x00)
#define PF_TASK_SEL		(GDT_FREE_SEL + 0x08)
#endif

/* DR7 and DR6, SDM vol 3, 18.2.4 and 18.2.3 */
#define DR7_L0			(1ul << 0)
#define DR7_RW0_RDWR		(3ul << 16)
#define DR7_LEN0_1		(0ul << 18)
#define DR7_FIXED		0x400ul
#define DR6_B0			(1ul << 0)
#define DR6_BS			(1ul << 14)

struct event {
	unsigned vector;
	unsigned long error_code;
	unsigned long rip;
	unsigned long cr2;
	unsigned long dr6;
	uintptr_t frame;	/* where the handler's frame sat */
	u16 tr, link;		/* i386 handler tasks: TR and back link */
};

static struct {
	unsigned count;
	struct event ev[4];
} seen;

/* Set by RAISE: where a fault resumes, with which RSP. */
unsigned long ev_resume_rip, ev_resume_rsp;

static void record(struct ex_regs *regs)
{
	struct event *e = &seen.ev[seen.count < 4 ? seen.count : 3];

	seen.count++;
	e->vector = regs->vector;
	e->error_code = regs->error_code;
	e->rip = regs->rip;
	e->cr2 = read_cr2();
	e->frame = (uintptr_t)regs;
	if (regs->vector == DB_VECTOR) {
		asm volatile("mov %%dr6, %0" : "=r"(e->dr6));
		regs->rflags &= ~X86_EFLAGS_TF;
	}
	if (regs->vector >= 32)
		apic_eoi();
	if (regs->vector < 32 && regs->vector != DB_VECTOR &&
	    ev_resume_rip) {
		regs->rip = ev_resume_rip;
		regs->rsp = ev_resume_rsp;
	}
}

static void watch(unsigned vector)
{
	handle_exception(vector, record);
}

static void reset_seen(void)
{
	memset(&seen, 0, sizeof(seen));
	ev_resume_rip = 0;
}

/*
 * Save RSP and the resume address, then run @insn at label 1; faults
 * resume at label 2. @c is bound to RCX.
 */
#ifdef __x86_64__
#define RAISE(insn, c)							\
	asm volatile("lea 2f(%%rip), %%rax\n\t"				\
		     "mov %%rax, ev_resume_rip(%%rip)\n\t"		\
		     "mov %%rsp, ev_resume_rsp(%%rip)\n"		\
		     "1: " insn "\n"					\
		     "2:"						\
		     : "+c"(c) :: "rax", "rdx", "memory", "cc")
#else
#define RAISE(insn, c)							\
	asm volatile("movl $2f, ev_resume_rip\n\t"			\
		     "mov %%esp, ev_resume_rsp\n"			\
		     "1: " insn "\n"					\
		     "2:"						\
		     : "+c"(c) :: "eax", "edx", "memory", "cc")
#endif

static u8 *idt_gate(unsigned vector)
{
	struct {
		u16 limit;
		uintptr_t base;
	} __packed p;

	asm volatile("sidt %0" : "=m"(p));
	return (u8 *)(uintptr_t)p.base + vector * IDT_GATE_SIZE;
}

struct saved_gate {
	unsigned vector;
	u8 bytes[IDT_GATE_SIZE];
};

static void gate_save(struct saved_gate *s, unsigned vector)
{
	s->vector = vector;
	memcpy(s->bytes, idt_gate(vector), IDT_GATE_SIZE);
}

static void gate_restore(struct saved_gate *s)
{
	memcpy(idt_gate(s->vector), s->bytes, IDT_GATE_SIZE);
}

static void gate_not_present(unsigned vector)
{
	idt_gate(vector)[GATE_TYPE_BYTE] &= ~GATE_PRESENT;
}

static void raise_de(void)
{
	unsigned long c = 0;

	RAISE("xor %%edx, %%edx\n\t" DIV_ECX, c);
}

static void raise_ud(void)
{
	unsigned long c = 0;

	RAISE("ud2", c);
}

static void raise_pf(void *addr)
{
	unsigned long c = (uintptr_t)addr;

	RAISE(LOAD_CX, c);
}

#ifdef __x86_64__
static void gate_ist(unsigned vector, unsigned ist)
{
	idt_gate(vector)[GATE_IST_BYTE] = ist;
}

static bool on_df_stack(uintptr_t p)
{
	uintptr_t top = this_cpu_tss()->ist[DF_IST - 1];

	return p < top && p >= top - IST_STACK_SIZE;
}

/* NMI runs on the #DF/NMI IST stack (desc.c), 6.14.5. */
static bool nmi_stack_ok(uintptr_t frame, uintptr_t sp)
{
	(void)sp;
	return on_df_stack(frame);
}
#define NMI_STACK	"on its IST stack"

static void raise_gp(void)
{
	unsigned long c = NONCANONICAL;

	RAISE("mov (%%rcx), %%rdx", c);
}

static void check_df(const char *what)
{
	struct event *e = &seen.ev[0];

	report(seen.count == 1 && e->vector == DF_VECTOR &&
	       e->error_code == 0, "%s: #DF with error code 0 (got %u "
	       "events, first %s code %#lx)", what, seen.count,
	       exception_mnemonic(e->vector), e->error_code);
	report(seen.count == 1 && on_df_stack(e->frame), "%s: #DF on its "
	       "IST stack (frame at %#lx, IST top %#lx)", what,
	       (u64)e->frame, this_cpu_tss()->ist[DF_IST - 1]);
}

static void test_double_fault(void)
{
	u8 *data = alloc_page(), *stack = alloc_page();
	u64 data_phys = virt_to_phys(data), stack_phys = virt_to_phys(stack);
	struct saved_gate g;
	struct event *e = &seen.ev[0];
	u64 want;

	report_prefix_push("double fault");
	watch(DF_VECTOR);
	watch(NP_VECTOR);
	watch(PF_VECTOR);
	watch(GP_VECTOR);
	unmap_page(data);
	unmap_page(stack);
	this_cpu_tss()->ist[BAD_IST - 1] = (uintptr_t)stack + PAGE_SIZE;

	/* Contributory then contributory: #DE whose gate is not present
	 * raises #NP during delivery (table 6-5: #DF). */
	reset_seen();
	gate_save(&g, DE_VECTOR);
	gate_not_present(DE_VECTOR);
	raise_de();
	gate_restore(&g);
	check_df("#DE then #NP");

	/* Page fault then page fault: a #PF whose IST stack is not
	 * present. */
	reset_seen();
	gate_save(&g, PF_VECTOR);
	gate_ist(PF_VECTOR, BAD_IST);
	raise_pf(data);
	gate_restore(&g);
	check_df("#PF then #PF");

	/* Page fault then contributory: #PF through a not-present gate. */
	reset_seen();
	gate_save(&g, PF_VECTOR);
	gate_not_present(PF_VECTOR);
	raise_pf(data);
	gate_restore(&g);
	check_df("#PF then #NP");

	/* Contributory then page fault is handled serially: the #PF is
	 * delivered, CR2 in the stack page. */
	reset_seen();
	gate_save(&g, GP_VECTOR);
	gate_ist(GP_VECTOR, BAD_IST);
	raise_gp();
	gate_restore(&g);
	report(seen.count == 1 && e->vector == PF_VECTOR &&
	       e->error_code == PFERR_WRITE &&
	       e->cr2 >= (uintptr_t)stack && e->cr2 < (uintptr_t)stack +
	       PAGE_SIZE, "#GP then #PF: the #PF is delivered (got %u "
	       "events, first %s code %#lx cr2 %#lx, want #PF code %#x cr2 "
	       "in %#lx)", seen.count, exception_mnemonic(e->vector),
	       e->error_code, e->cr2, PFERR_WRITE, (u64)(uintptr_t)stack);

	/* Benign then contributory is serial too: #UD through a
	 * not-present gate is #NP(6 << 3 | IDT | EXT). */
	reset_seen();
	gate_save(&g, UD_VECTOR);
	gate_not_present(UD_VECTOR);
	raise_ud();
	gate_restore(&g);
	want = UD_VECTOR * 8 + ERR_IDT + ERR_EXT;
	report(seen.count == 1 && e->vector == NP_VECTOR &&
	       e->error_code == want, "#UD then #NP: the #NP is delivered "
	       "(got %u events, first %s code %#lx, want #NP code %#lx)",
	       seen.count, exception_mnemonic(e->vector), e->error_code,
	       want);

	this_cpu_tss()->ist[BAD_IST - 1] = 0;
	install_page(stack, stack_phys, PT_WRITABLE);
	install_page(data, data_phys, PT_WRITABLE);
	handle_exception(DF_VECTOR, NULL);
	handle_exception(NP_VECTOR, NULL);
	handle_exception(PF_VECTOR, NULL);
	handle_exception(GP_VECTOR, NULL);
	report_prefix_pop();
}
#else
/*
 * 32-bit mode has no IST. #DF (and #PF where a case needs it) goes
 * through a task gate to a handler task (SDM vol 3, 6.11, 8.4): the
 * switch saves the interrupted task in its TSS, pushes the error code
 * on the handler task's stack (6.13), and the handler's IRET, with NT
 * set, returns along the back link (8.4, table 8-2). The handler points
 * the saved EIP and ESP at the RAISE resume label.
 */
struct handler_task {
	struct tss32 tss;
	u8 stack[PAGE_SIZE] __aligned(16);
};

static struct handler_task df_task, pf_task;

void ev_task_body(u32 vector, u32 error_code);
void ev_df_task_entry(void);
void ev_pf_task_entry(void);

/* On entry ESP points at the error code; the IRET leaves the task ready
 * to start over at the next switch. */
asm(".text\n"
    "ev_df_task_entry:\n\t"
    "push $" __stringify_x86(DF_VECTOR) "\n\t"
    "call ev_task_body\n\t"
    "add $8, %esp\n\t"
    "iret\n\t"
    "jmp ev_df_task_entry\n"
    "ev_pf_task_entry:\n\t"
    "push $" __stringify_x86(PF_VECTOR) "\n\t"
    "call ev_task_body\n\t"
    "add $8, %esp\n\t"
    "iret\n\t"
    "jmp ev_pf_task_entry\n");

void ev_task_body(u32 vector, u32 error_code)
{
	struct tss32 *main_tss = this_cpu_tss();
	struct handler_task *t = vector == DF_VECTOR ? &df_task : &pf_task;
	struct event *e = &seen.ev[seen.count < 4 ? seen.count : 3];
	u16 tr;

	seen.count++;
	e->vector = vector;
	e->error_code = error_code;
	e->rip = main_tss->eip;
	e->cr2 = read_cr2();
	e->frame = (uintptr_t)__builtin_frame_address(0);
	asm volatile("str %0" : "=r"(tr));
	e->tr = tr;
	e->link = t->tss.prev_task;
	if (ev_resume_rip) {
		main_tss->eip = ev_resume_rip;
		main_tss->esp = ev_resume_rsp;
	}
}

static u64 *gdt_base(void)
{
	struct {
		u16 limit;
		uintptr_t base;
	} __packed p;

	asm volatile("sgdt %0" : "=m"(p));
	return (u64 *)p.base;
}

static void handler_task_init(struct handler_task *t, u16 sel,
			      void (*entry)(void))
{
	memset(&t->tss, 0, sizeof(t->tss));
	t->tss.cr3 = read_cr3();
	t->tss.eip = (uintptr_t)entry;
	t->tss.eflags = X86_EFLAGS_FIXED;	/* IF clear */
	t->tss.esp = (uintptr_t)t->stack + sizeof(t->stack);
	t->tss.cs = KERNEL_CS;
	t->tss.ss = KERNEL_DS;
	t->tss.ds = KERNEL_DS;
	t->tss.es = KERNEL_DS;
	t->tss.fs = KERNEL_DS;
	t->tss.gs = PERCPU_SEL;		/* this_cpu() works in the task */
	t->tss.iomap_base = sizeof(t->tss);
	gdt_base()[sel / 8] = gdt_system_desc((uintptr_t)&t->tss,
					      sizeof(t->tss) - 1,
					      SYS_DESC_TSS32_AVAIL);
	/* A switch back loads CR3 from the boot task's TSS, which a switch
	 * away does not save (SDM vol 3, 8.3). */
	this_cpu_tss()->cr3 = read_cr3();
}

static void gate_task(unsigned vector, u16 sel)
{
	u64 g = task_gate_desc(sel, 0);

	memcpy(idt_gate(vector), &g, IDT_GATE_SIZE);
}

/* NMI uses an interrupt gate and no IST: the interrupted stack, just
 * below the caller's frame @sp. */
static bool nmi_stack_ok(uintptr_t frame, uintptr_t sp)
{
	return frame < sp && frame >= sp - PAGE_SIZE;
}
#define NMI_STACK	"on the interrupted stack"

/* RAISE with ESP on the last word of @page: the CPU's pushes fault. */
_Static_assert(PAGE_SIZE == 4096, "the stack switches below say 4096");

static void raise_pf_on_stack(void *page)
{
	unsigned long c = (uintptr_t)page;

	RAISE("lea 4096(%%ecx), %%esp\n\t"
	      "mov (%%ecx), %%edx", c);
}

/* A selector just past the GDT limit: #GP(selector) without any memory
 * access (SDM vol 2B, MOV "Protected Mode Exceptions"). */
static void raise_gp_on_stack(void *page)
{
	unsigned long c = (uintptr_t)page;

	RAISE("lea 4096(%%ecx), %%esp\n\t"
	      "mov $" __stringify_x86(GDT_ENTRIES) " * 8, %%eax\n\t"
	      "mov %%eax, %%fs", c);
}

static void check_df(const char *what)
{
	struct event *e = &seen.ev[0];

	write_cr0(read_cr0() & ~X86_CR0_TS);	/* set by the switch, 8.3 */
	report(seen.count == 1 && e->vector == DF_VECTOR &&
	       e->error_code == 0, "%s: #DF with error code 0 (got %u "
	       "events, first %s code %#lx)", what, seen.count,
	       exception_mnemonic(e->vector), e->error_code);
	report(seen.count == 1 && e->tr == DF_TASK_SEL && e->link == TSS_SEL,
	       "%s: #DF in its handler task (got TR %#x, back link %#x; want "
	       "%#x, %#x)", what, e->tr, e->link, DF_TASK_SEL, TSS_SEL);
}

static void test_double_fault(void)
{
	u8 *data = alloc_page(), *stack = alloc_page();
	u64 data_phys = virt_to_phys(data), stack_phys = virt_to_phys(stack);
	struct saved_gate g, df, pf;
	struct event *e = &seen.ev[0];
	unsigned long want;

	report_prefix_push("double fault");
	handler_task_init(&df_task, DF_TASK_SEL, ev_df_task_entry);
	handler_task_init(&pf_task, PF_TASK_SEL, ev_pf_task_entry);
	gate_save(&df, DF_VECTOR);
	gate_task(DF_VECTOR, DF_TASK_SEL);
	watch(NP_VECTOR);
	watch(PF_VECTOR);
	watch(GP_VECTOR);
	unmap_page(data);
	unmap_page(stack);

	/* Contributory then contributory: #DE whose gate is not present
	 * raises #NP during delivery (table 6-5: #DF). */
	reset_seen();
	gate_save(&g, DE_VECTOR);
	gate_not_present(DE_VECTOR);
	raise_de();
	gate_restore(&g);
	check_df("#DE then #NP");

	/* Page fault then page fault: the #PF frame is pushed on a stack
	 * that is not present. */
	reset_seen();
	raise_pf_on_stack(data);
	check_df("#PF then #PF");

	/* Page fault then contributory: #PF through a not-present gate. */
	reset_seen();
	gate_save(&g, PF_VECTOR);
	gate_not_present(PF_VECTOR);
	raise_pf(data);
	gate_restore(&g);
	check_df("#PF then #NP");

	/* Contributory then page fault is handled serially: the #GP frame
	 * push faults and the #PF is delivered (to its own task, since the
	 * stack is gone), CR2 in the stack page. */
	reset_seen();
	gate_save(&pf, PF_VECTOR);
	gate_task(PF_VECTOR, PF_TASK_SEL);
	raise_gp_on_stack(stack);
	gate_restore(&pf);
	write_cr0(read_cr0() & ~X86_CR0_TS);
	report(seen.count == 1 && e->vector == PF_VECTOR &&
	       e->error_code == PFERR_WRITE &&
	       e->cr2 >= (uintptr_t)stack && e->cr2 < (uintptr_t)stack +
	       PAGE_SIZE, "#GP then #PF: the #PF is delivered (got %u "
	       "events, first %s code %#lx cr2 %#lx, want #PF code %#x cr2 "
	       "in %#lx)", seen.count, exception_mnemonic(e->vector),
	       e->error_code, e->cr2, PFERR_WRITE,
	       (unsigned long)(uintptr_t)stack);

	/* Benign then contributory is serial too: #UD through a
	 * not-present gate is #NP(6 << 3 | IDT | EXT). */
	reset_seen();
	gate_save(&g, UD_VECTOR);
	gate_not_present(UD_VECTOR);
	raise_ud();
	gate_restore(&g);
	want = UD_VECTOR * 8 + ERR_IDT + ERR_EXT;
	report(seen.count == 1 && e->vector == NP_VECTOR &&
	       e->error_code == want, "#UD then #NP: the #NP is delivered "
	       "(got %u events, first %s code %#lx, want #NP code %#lx)",
	       seen.count, exception_mnemonic(e->vector), e->error_code,
	       want);

	gate_restore(&df);
	install_page(stack, stack_phys, PT_WRITABLE);
	install_page(data, data_phys, PT_WRITABLE);
	handle_exception(NP_VECTOR, NULL);
	handle_exception(PF_VECTOR, NULL);
	handle_exception(GP_VECTOR, NULL);
	report_prefix_pop();
}
#endif

/* TSC cycles to wait for an interrupt, or to be sure none comes. */
#define WAIT_CYCLES		(1ull << 29)

static bool wait_seen(unsigned n)
{
	u64 start = rdtsc();

	while (seen.count < n && rdtsc() - start < WAIT_CYCLES)
		pause();
	return seen.count >= n;
}

static void test_injection(void)
{
	struct event *e = &seen.ev[0];
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	bool ok;

	report_prefix_push("injection");
	watch(NMI_VECTOR);
	watch(VEC_IRQ);

	/* NMI is not masked by RFLAGS.IF (SDM vol 3, 6.8.1). Self
	 * shorthand allows only fixed delivery (11.6.1, table 11-2): name
	 * our own ID instead. */
	reset_seen();
	apic_icr_write(APIC_DEST_PHYSICAL | APIC_DM_NMI | APIC_INT_ASSERT,
		       apic_id());
	ok = wait_seen(1);
	report(ok && e->vector == NMI_VECTOR && nmi_stack_ok(e->frame, sp),
	       "NMI to self with IF=0 is delivered " NMI_STACK " (got %u "
	       "events, vector %u, frame %#lx)", seen.count, e->vector,
	       (unsigned long)e->frame);

	/* A fixed interrupt waits for IF=1. */
	reset_seen();
	apic_icr_write(APIC_DEST_SELF | APIC_DM_FIXED | APIC_INT_ASSERT |
		       VEC_IRQ, 0);
	wait_seen(1);
	report(seen.count == 0, "fixed self IPI held while IF=0 (got %u "
	       "events)", seen.count);
	sti();
	ok = wait_seen(1);
	cli();
	report(ok && e->vector == VEC_IRQ, "fixed self IPI delivered once "
	       "IF=1 (got %u events, vector %#x)", seen.count, e->vector);

	handle_exception(NMI_VECTOR, NULL);
	report_prefix_pop();
}

static void test_sti_shadow(void)
{
	struct event *e = &seen.ev[0];
	unsigned long after_next, after_hlt;

	report_prefix_push("interrupt shadow");
	watch(VEC_IRQ);

	/* SDM vol 2B, STI: interrupts are recognised only after the
	 * instruction that follows STI. */
	reset_seen();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_IRQ, 0);
	asm volatile("lea " ASM_IP_REL("1f") ", %0\n\t"
		     "sti\n\t"
		     "nop\n"
		     "1: cli"
		     : "=&r"(after_next) :: "memory");
	report(seen.count == 1 && e->rip == after_next, "STI: pending "
	       "interrupt taken after the next instruction (got %u events, "
	       "rip %#lx, want %#lx)", seen.count, e->rip, after_next);

	/* sti; hlt: the HLT runs, and the pending interrupt ends it. */
	reset_seen();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_IRQ, 0);
	asm volatile("lea " ASM_IP_REL("1f") ", %0\n\t"
		     "sti\n\t"
		     "hlt\n"
		     "1: cli"
		     : "=&r"(after_hlt) :: "memory");
	report(seen.count == 1 && e->rip == after_hlt, "STI; HLT: pending "
	       "interrupt wakes the HLT (got %u events, rip %#lx, want "
	       "%#lx)", seen.count, e->rip, after_hlt);

	handle_exception(VEC_IRQ, NULL);
	report_prefix_pop();
}

static u16 ss_value;

static void test_mov_ss_shadow(void)
{
	struct event *e = &seen.ev[0];
	unsigned long after_mov, after_next;
	unsigned long dr7 = DR7_FIXED | DR7_L0 | DR7_RW0_RDWR | DR7_LEN0_1;

	report_prefix_push("mov ss shadow");
	watch(DB_VECTOR);

	/* SDM vol 3, 6.8.3: a single-step trap on MOV SS is delayed to
	 * the end of the next instruction. */
	reset_seen();
	asm volatile("lea " ASM_IP_REL("1f") ", %0\n\t"
		     "lea " ASM_IP_REL("2f") ", %1\n\t"
		     "mov %%ss, %%eax\n\t"
		     "pushf\n\t"
		     "orl $0x100, (" ASM_SP ")\n\t"
		     "popf\n\t"
		     "mov %%eax, %%ss\n"
		     "1: nop\n"
		     "2:"
		     : "=&r"(after_mov), "=&r"(after_next) :: "eax", "memory");
	report(seen.count == 1 && e->rip == after_next &&
	       (e->dr6 & DR6_BS), "single-step over MOV SS: one #DB after "
	       "the next instruction (got %u, rip %#lx dr6 %#lx, want rip "
	       "%#lx, not %#lx)", seen.count, e->rip, e->dr6, after_next,
	       after_mov);

	/* A data breakpoint hit by MOV SS: same delay. */
	reset_seen();
	asm volatile("mov %%ss, %0" : "=m"(ss_value));
	asm volatile("mov %0, %%dr0" :: "r"((unsigned long)&ss_value));
	asm volatile("mov %0, %%dr6" :: "r"(0ul));
	asm volatile("mov %0, %%dr7" :: "r"(dr7));
	asm volatile("lea " ASM_IP_REL("1f") ", %0\n\t"
		     "lea " ASM_IP_REL("2f") ", %1\n\t"
		     "mov %2, %%ss\n"
		     "1: nop\n"
		     "2:"
		     : "=&r"(after_mov), "=&r"(after_next) : "m"(ss_value)
		     : "memory");
	asm volatile("mov %0, %%dr7" :: "r"(DR7_FIXED));
	report(seen.count == 1 && e->rip == after_next &&
	       (e->dr6 & DR6_B0), "data breakpoint on MOV SS: #DB after the "
	       "next instruction (got %u, rip %#lx dr6 %#lx, want rip %#lx, "
	       "not %#lx)", seen.count, e->rip, e->dr6, after_next,
	       after_mov);

	handle_exception(DB_VECTOR, NULL);
	report_prefix_pop();
}

int main(void)
{
	report_prefix_push("eventinj");
	cli();
	test_double_fault();
	test_injection();
	test_sti_shadow();
	test_mov_ss_shadow();
	return report_summary();
}
