/*
 * Event delivery: an exception raised while delivering another is
 * handled serially or becomes a double fault per SDM vol 3, 6.15,
 * "Interrupt 8-Double Fault Exception (#DF)" (tables 6-4 and 6-5); #DF is
 * delivered with error code 0 on its IST stack (6.14.5); NMI and fixed
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
#define IDT_GATE_SIZE		16	/* SDM vol 3, 6.14.1 */
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

#define NONCANONICAL		0x8000000000000000ull

/* DR7 and DR6, SDM vol 3, 18.2.4 and 18.2.3 */
#define DR7_L0			(1ul << 0)
#define DR7_RW0_RDWR		(3ul << 16)
#define DR7_LEN0_1		(0ul << 18)
#define DR7_FIXED		0x400ul
#define DR6_B0			(1ul << 0)
#define DR6_BS			(1ul << 14)

struct event {
	unsigned vector;
	u64 error_code;
	u64 rip;
	u64 cr2;
	u64 dr6;
	uintptr_t frame;	/* where the handler's frame sat */
};

static struct {
	unsigned count;
	struct event ev[4];
} seen;

/* Set by RAISE: where a fault resumes, with which RSP. */
u64 ev_resume_rip, ev_resume_rsp;

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
#define RAISE(insn, c)							\
	asm volatile("lea 2f(%%rip), %%rax\n\t"				\
		     "mov %%rax, ev_resume_rip(%%rip)\n\t"		\
		     "mov %%rsp, ev_resume_rsp(%%rip)\n"		\
		     "1: " insn "\n"					\
		     "2:"						\
		     : "+c"(c) :: "rax", "rdx", "memory", "cc")

static u8 *idt_gate(unsigned vector)
{
	struct {
		u16 limit;
		u64 base;
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

static void gate_ist(unsigned vector, unsigned ist)
{
	idt_gate(vector)[GATE_IST_BYTE] = ist;
}

static bool on_df_stack(uintptr_t p)
{
	uintptr_t top = this_cpu_tss()->ist[DF_IST - 1];

	return p < top && p >= top - IST_STACK_SIZE;
}

static void raise_de(void)
{
	u64 c = 0;

	RAISE("xor %%edx, %%edx\n\tdivq %%rcx", c);
}

static void raise_gp(void)
{
	u64 c = NONCANONICAL;

	RAISE("mov (%%rcx), %%rdx", c);
}

static void raise_ud(void)
{
	u64 c = 0;

	RAISE("ud2", c);
}

static void raise_pf(void *addr)
{
	u64 c = (uintptr_t)addr;

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
	report(ok && e->vector == NMI_VECTOR && on_df_stack(e->frame),
	       "NMI to self with IF=0 is delivered on its IST stack (got %u "
	       "events, vector %u)", seen.count, e->vector);

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
	u64 after_next, after_hlt;

	report_prefix_push("interrupt shadow");
	watch(VEC_IRQ);

	/* SDM vol 2B, STI: interrupts are recognised only after the
	 * instruction that follows STI. */
	reset_seen();
	apic_icr_write(APIC_DEST_SELF | APIC_INT_ASSERT | VEC_IRQ, 0);
	asm volatile("lea 1f(%%rip), %0\n\t"
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
	asm volatile("lea 1f(%%rip), %0\n\t"
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
	u64 after_mov, after_next;
	u64 dr7 = DR7_FIXED | DR7_L0 | DR7_RW0_RDWR | DR7_LEN0_1;

	report_prefix_push("mov ss shadow");
	watch(DB_VECTOR);

	/* SDM vol 3, 6.8.3: a single-step trap on MOV SS is delayed to
	 * the end of the next instruction. */
	reset_seen();
	asm volatile("lea 1f(%%rip), %0\n\t"
		     "lea 2f(%%rip), %1\n\t"
		     "mov %%ss, %%eax\n\t"
		     "pushf\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popf\n\t"
		     "mov %%eax, %%ss\n"
		     "1: nop\n"
		     "2:"
		     : "=&r"(after_mov), "=&r"(after_next) :: "rax", "memory");
	report(seen.count == 1 && e->rip == after_next &&
	       (e->dr6 & DR6_BS), "single-step over MOV SS: one #DB after "
	       "the next instruction (got %u, rip %#lx dr6 %#lx, want rip "
	       "%#lx, not %#lx)", seen.count, e->rip, e->dr6, after_next,
	       after_mov);

	/* A data breakpoint hit by MOV SS: same delay. */
	reset_seen();
	asm volatile("mov %%ss, %0" : "=m"(ss_value));
	asm volatile("mov %0, %%dr0" :: "r"((u64)(uintptr_t)&ss_value));
	asm volatile("mov %0, %%dr6" :: "r"(0ul));
	asm volatile("mov %0, %%dr7" :: "r"(dr7));
	asm volatile("lea 1f(%%rip), %0\n\t"
		     "lea 2f(%%rip), %1\n\t"
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
