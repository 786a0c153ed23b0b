/*
 * Hardware task switches in 32-bit protected mode (SDM vol 3, chapter 8;
 * chapter 7 in older editions). KVM emulates them in software, so every
 * architectural effect is checked exactly:
 *  - the ways in: JMP and CALL to a TSS descriptor, JMP and CALL through
 *    a task gate in the GDT, INT n through a task gate in the IDT; the
 *    ways back: IRET with EFLAGS.NT set, or JMP;
 *  - table 8-2 ("Effect of a Task Switch on Busy Flag, NT Flag, Previous
 *    Task Link Field, and TS Flag"): JMP clears the old task's busy flag
 *    and takes NT from the new TSS; CALL and INT keep the old one busy,
 *    set NT and store the old TSS selector in the new task's link; IRET
 *    clears the busy flag of the task it leaves and NT in the EFLAGS
 *    saved for it; every switch sets CR0.TS (also 2.5);
 *  - 8.3 steps 6 and 12: the old task's general registers, segment
 *    selectors, EFLAGS and EIP (of the instruction after the switching
 *    one) are saved in its TSS, and the new task's registers, segment
 *    registers, EFLAGS, EIP, CR3 and LDTR are loaded from its own: CR3
 *    names a copy of the PDPT that maps one page elsewhere, and FS names
 *    a data segment in the LDT the new TSS gives;
 *  - faults before the commit point (8.3 and its notes, table 8-1) are
 *    taken in the old task at the switching instruction with nothing
 *    changed: #GP(TSS selector) for JMP or CALL to a busy TSS (vol 2A,
 *    JMP and CALL), #TS(TSS selector) for IRET to a TSS that is not busy
 *    (vol 2A, IRET: TASK-RETURN; vol 3, 6.15 interrupt 10, table 6-6);
 *  - faults after the commit point are taken in the new task before its
 *    first instruction (6.15, interrupt 10, "Saved Instruction Pointer"):
 *    #TS(selector) for a bad LDT, SS, CS or DS selector in the new TSS,
 *    caught by handler tasks behind task gates, since the faulting task's
 *    own state cannot be trusted;
 *  - the TSS T flag: #DB with DR6.BT before the new task's first
 *    instruction (8.2.1, 18.2.3); a switch clears DR7.L0-L3 (18.2.4).
 *
 * i386 only: in IA-32e mode task switches do not exist (8.7).
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/vm.h"

/* GDT slots this test fills (layout.h leaves them free on i386). */
#define TASK_SEL	(GDT_FREE_SEL + 0x00)	/* the second task's TSS */
#define TASK_GATE_SEL	(GDT_FREE_SEL + 0x08)	/* task gate to TASK_SEL */
#define LDT_SEL		(GDT_FREE_SEL + 0x10)	/* the second task's LDT */
#define HANDLER_SEL(i)	(GDT_FREE_SEL + 0x18 + 8 * (i))	/* fault tasks */
#define NR_HANDLERS	4	/* #TS, #NP, #SS, #GP */
_Static_assert(HANDLER_SEL(NR_HANDLERS - 1) < GDT_ENTRIES * 8, "GDT slots");

/* LDT entry 1, TI = 1, RPL 0 (SDM vol 3, 3.4.2, figure 3-6) */
#define LDT_DATA_SEL	0x0c

#define TASK_GATE_VECTOR 0x50

/* SDM vol 3, 3.5 (table 3-2) and 3.4.5 (figure 3-8), with P = 1, DPL 0 */
#define DESC_BUSY_BIT	(1ull << 41)	/* TSS type bit 1: busy */
#define DESC_LDT	0x82		/* system, type 2: LDT */
#define DESC_DATA_RW	0x92		/* S = 1, type 2: read/write data */

#define X86_EFLAGS_NT	(1ul << 14)	/* SDM vol 1, 3.4.3 */
#define X86_DR6_BT	(1ul << 15)	/* SDM vol 3, 18.2.3 */
#define X86_DR7_L0	(1ul << 0)	/* SDM vol 3, 18.2.4 */
#define X86_DR7_FIXED	(1ul << 10)	/* reads as 1 */
#define TSS_T_FLAG	1		/* bit 0 of the word at 64H, 8.2.1 */

/* The second task's registers in its TSS. */
#define T_EAX	0x1111aaaa
#define T_EBX	0x2222bbbb
#define T_ECX	0x3333cccc
#define T_EDX	0x4444dddd
#define T_ESI	0x5555eeee
#define T_EDI	0x6666ffff
#define T_EBP	0x77770000
/* Its EFLAGS there: bit 1, CF and ZF. */
#define T_EFLAGS	0x43

/* What the boot task holds at the switching instruction. */
#define M_EAX	0xa1a1a1a1
#define M_EBX	0xb2b2b2b2
#define M_ECX	0xc3c3c3c3
#define M_EDX	0xd4d4d4d4
#define M_ESI	0xa5a5a5a5
#define M_EDI	0x5a5a5a5a
#define M_EBP	0xe6e6e6e6
/* bit 1, CF, ZF, SF and OF */
#define M_EFLAGS	0x8c3
/* ES and FS then: a DPL 3 data segment and the null selector */
#define M_ES	USER_DS
#define M_FS	0

/* What the second task leaves in the boot task's TSS for the way back. */
#define B_EAX	0x0a0a0101
#define B_EBX	0x0b0b0202
#define B_ECX	0x0c0c0303
#define B_EDX	0x0d0d0404
#define B_ESI	0x0e0e0505
#define B_EDI	0x0f0f0606
#define B_EBP	0x01010707
/* bit 1, PF and OF */
#define B_EFLAGS	0x806

#define S(x)	__stringify_x86(x)

/* How the second task leaves. */
enum task_exit { EXIT_IRET, EXIT_JMP_BACK };

enum { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP, NR_REGS };
static const char *const reg_names[NR_REGS] = {
	"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp",
};
/* back_regs: EFLAGS in ESP's place */
static const char *const back_names[NR_REGS] = {
	"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "eflags",
};

/* What the second task saw on entry, for main to report. */
struct task_view {
	u32 regs[NR_REGS];	/* stored by task_entry, in this order */
	u32 eflags;
	u16 cs, ss, ds, es, fs, gs, tr, ldtr;
	u16 link;		/* its TSS's previous task link */
	bool self_busy;		/* its own TSS descriptor */
	bool main_busy;		/* the boot task's */
	struct tss32 main_saved;	/* the boot task's TSS */
	u32 cr0, cr3, dr7;
	u32 ldt_read;		/* FS:0 when FS is from the LDT */
	u32 probe_read;		/* the CR3 test's page */
	struct ex_result iret_fault;	/* IRET to a task not busy */
	u16 iret_tr;
	bool iret_self_busy;
	unsigned runs;
};

/* The outgoing side of a switch (ts_*_out below). */
struct far_ptr {
	u32 offset;	/* ignored for a TSS or task gate (SDM vol 2A, CALL) */
	u16 sel;
} __attribute__((packed));

struct far_ptr switch_target;
u32 switch_eip, switch_esp;	/* after the switching instruction; ESP */
u32 back_regs[NR_REGS];		/* on return; EFLAGS in place of ESP */
u16 back_es, back_fs;

static struct tss32 task_tss;
static u8 task_stack[4096] __aligned(16);
struct task_view view;
volatile int task_exit;
static u64 *gdt;

/* Set up per test before the switch, read by task_body. */
static struct {
	bool read_ldt;
	volatile u32 *probe;
	bool iret_to_not_busy;
} plan;

/* The fault handler tasks and what the last one saw. */
struct fault_task {
	struct tss32 tss;
	u8 stack[1024] __aligned(16);
};
static struct fault_task fault_tasks[NR_HANDLERS];
static const u8 fault_vectors[NR_HANDLERS] = {
	TS_VECTOR, NP_VECTOR, SS_VECTOR, GP_VECTOR,
};
static volatile struct {
	unsigned count;
	u32 vector, error_code;
	u16 link;		/* the task that faulted */
	u32 eip, eax;		/* saved in the faulting task's TSS */
	bool task_busy, main_busy;
	u32 main_eip;		/* saved in the boot task's TSS */
} fault;

void ts_jmp_out(void);
void ts_call_out(void);
void ts_int_out(void);
void task_entry(void);
void task_body(void);
void fault_entry_0(void);
void fault_entry_1(void);
void fault_entry_2(void);
void fault_entry_3(void);
void fault_body(u32 index, u32 error_code);

/*
 * Switch away to switch_target (or through the IDT task gate) with known
 * values in every general register, EFLAGS, ES and FS, noting ESP and
 * the address after the switching instruction; on the way back, note
 * what the registers, EFLAGS, ES and FS were loaded with, then restore
 * the caller's.
 */
#define SWITCH_OUT(name, insn)						\
	".globl " name "\n"						\
	name ":\n\t"							\
	"push %ebp\n\t"							\
	"push %ebx\n\t"							\
	"push %esi\n\t"							\
	"push %edi\n\t"							\
	"pushf\n\t"							\
	"mov $" S(M_ES) ", %eax\n\t"					\
	"mov %eax, %es\n\t"						\
	"mov $" S(M_FS) ", %eax\n\t"					\
	"mov %eax, %fs\n\t"						\
	"mov $" S(M_EAX) ", %eax\n\t"					\
	"mov $" S(M_EBX) ", %ebx\n\t"					\
	"mov $" S(M_ECX) ", %ecx\n\t"					\
	"mov $" S(M_EDX) ", %edx\n\t"					\
	"mov $" S(M_ESI) ", %esi\n\t"					\
	"mov $" S(M_EDI) ", %edi\n\t"					\
	"mov $" S(M_EBP) ", %ebp\n\t"					\
	"push $" S(M_EFLAGS) "\n\t"					\
	"popf\n\t"							\
	"movl $1f, switch_eip\n\t"					\
	"mov %esp, switch_esp\n\t"					\
	insn "\n"							\
	"1:\tmov %eax, back_regs + 0\n\t"				\
	"mov %ebx, back_regs + 4\n\t"					\
	"mov %ecx, back_regs + 8\n\t"					\
	"mov %edx, back_regs + 12\n\t"					\
	"mov %esi, back_regs + 16\n\t"					\
	"mov %edi, back_regs + 20\n\t"					\
	"mov %ebp, back_regs + 24\n\t"					\
	"pushf\n\t"							\
	"popl back_regs + 28\n\t"					\
	"mov %es, back_es\n\t"						\
	"mov %fs, back_fs\n\t"						\
	"mov $" S(KERNEL_DS) ", %eax\n\t"				\
	"mov %eax, %es\n\t"						\
	"mov %eax, %fs\n\t"						\
	"popf\n\t"							\
	"pop %edi\n\t"							\
	"pop %esi\n\t"							\
	"pop %ebx\n\t"							\
	"pop %ebp\n\t"							\
	"ret\n"

asm(".text\n"
    SWITCH_OUT("ts_jmp_out", "ljmp *switch_target")
    SWITCH_OUT("ts_call_out", "lcall *switch_target")
    SWITCH_OUT("ts_int_out", "int $" S(TASK_GATE_VECTOR)));

/*
 * The second task starts here with the registers of task_tss. Record
 * them and EFLAGS before C touches any, then leave as task_exit says.
 */
asm(".text\n"
    ".globl task_entry\n"
    "task_entry:\n\t"
    "mov %eax, view + 0\n\t"
    "mov %ebx, view + 4\n\t"
    "mov %ecx, view + 8\n\t"
    "mov %edx, view + 12\n\t"
    "mov %esi, view + 16\n\t"
    "mov %edi, view + 20\n\t"
    "mov %ebp, view + 24\n\t"
    "mov %esp, view + 28\n\t"
    "pushf\n\t"
    "popl view + 32\n\t"
    "call task_body\n\t"
    "cmpl $0, task_exit\n\t"
    "jne 1f\n\t"
    "iret\n\t"
    "ud2\n"
    "1:\tljmp $" S(TSS_SEL) ", $0\n\t"
    "ud2\n");

_Static_assert(__builtin_offsetof(struct task_view, regs[R_ESP]) == 28 &&
	       __builtin_offsetof(struct task_view, eflags) == 32,
	       "task_entry stores by offset");

/*
 * A fault handler task: the CPU pushed the error code on its stack
 * (SDM vol 3, 6.13). It records, then JMPs to the boot task, which
 * fault_body made ready to go on after its switching instruction.
 */
#define FAULT_ENTRY(n)							\
	".globl fault_entry_" #n "\n"					\
	"fault_entry_" #n ":\n\t"					\
	"push $" #n "\n\t"						\
	"call fault_body\n\t"						\
	"add $8, %esp\n\t"						\
	"ljmp $" S(TSS_SEL) ", $0\n\t"					\
	"ud2\n"

asm(".text\n" FAULT_ENTRY(0) FAULT_ENTRY(1) FAULT_ENTRY(2) FAULT_ENTRY(3));

static bool desc_busy(unsigned sel)
{
	return gdt[sel / 8] & DESC_BUSY_BIT;
}

static void set_busy(unsigned sel, bool busy)
{
	if (busy)
		gdt[sel / 8] |= DESC_BUSY_BIT;
	else
		gdt[sel / 8] &= ~DESC_BUSY_BIT;
}

static u16 read_tr(void)
{
	u16 tr;

	asm volatile("str %0" : "=r"(tr));
	return tr;
}

static u16 read_ldtr(void)
{
	u16 ldtr;

	asm volatile("sldt %0" : "=r"(ldtr));
	return ldtr;
}

static u32 read_dr6(void)
{
	u32 v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void write_dr6(u32 v)
{
	asm volatile("mov %0, %%dr6" :: "r"(v));
}

static u32 read_dr7(void)
{
	u32 v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static void write_dr7(u32 v)
{
	asm volatile("mov %0, %%dr7" :: "r"(v));
}

static u32 iret_at;	/* address of the IRET that must fault */

static void iret_to_not_busy(void *arg)
{
	(void)arg;
	asm volatile("movl $1f, %0\n"
		     "1:\tiret" : "=m"(iret_at) :: "memory");
}

void task_body(void)
{
	struct task_view *v = &view;
	struct tss32 *main_tss = this_cpu_tss();

	v->runs++;
	v->main_saved = *main_tss;
	v->link = task_tss.prev_task;
	v->self_busy = desc_busy(TASK_SEL);
	v->main_busy = desc_busy(TSS_SEL);
	asm volatile("mov %%cs, %0" : "=r"(v->cs));
	asm volatile("mov %%ss, %0" : "=r"(v->ss));
	asm volatile("mov %%ds, %0" : "=r"(v->ds));
	asm volatile("mov %%es, %0" : "=r"(v->es));
	asm volatile("mov %%fs, %0" : "=r"(v->fs));
	asm volatile("mov %%gs, %0" : "=r"(v->gs));
	v->tr = read_tr();
	v->ldtr = read_ldtr();
	v->cr0 = read_cr0();
	v->cr3 = read_cr3();
	v->dr7 = read_dr7();
	if (plan.read_ldt)
		asm volatile("mov %%fs:0, %0" : "=r"(v->ldt_read));
	if (plan.probe)
		v->probe_read = *plan.probe;

	if (plan.iret_to_not_busy) {
		/* The link names the boot task: make it look not busy. */
		set_busy(TSS_SEL, false);
		v->iret_fault = run_catching(iret_to_not_busy, NULL);
		v->iret_tr = read_tr();
		v->iret_self_busy = desc_busy(TASK_SEL);
		set_busy(TSS_SEL, true);
	}

	/* So that the way back must set CR0.TS again. */
	write_cr0(read_cr0() & ~X86_CR0_TS);

	/* The way back must load these from the boot task's TSS. */
	main_tss->eax = B_EAX;
	main_tss->ebx = B_EBX;
	main_tss->ecx = B_ECX;
	main_tss->edx = B_EDX;
	main_tss->esi = B_ESI;
	main_tss->edi = B_EDI;
	main_tss->ebp = B_EBP;
	main_tss->eflags = B_EFLAGS;
}

void fault_body(u32 index, u32 error_code)
{
	struct tss32 *main_tss = this_cpu_tss();
	u16 link = fault_tasks[index].tss.prev_task;
	struct tss32 *from = link == TASK_SEL ? &task_tss : main_tss;

	fault.count++;
	fault.vector = fault_vectors[index];
	fault.error_code = error_code;
	fault.link = link;
	fault.eip = from->eip;
	fault.eax = from->eax;
	fault.task_busy = desc_busy(TASK_SEL);
	fault.main_busy = desc_busy(TSS_SEL);
	fault.main_eip = main_tss->eip;
	/* The boot task goes on after its switching instruction, with
	 * the registers it switched (or faulted) with. */
	main_tss->eip = switch_eip;
	set_busy(TASK_SEL, false);
	set_busy(TSS_SEL, false);
}

static void tss_init(struct tss32 *t, void (*entry)(void), void *stack_top)
{
	memset(t, 0, sizeof(*t));
	t->cr3 = read_cr3();
	t->eip = (uintptr_t)entry;
	t->eflags = X86_EFLAGS_FIXED;	/* IF and NT clear */
	t->esp = (uintptr_t)stack_top;
	t->cs = KERNEL_CS;
	t->ss = KERNEL_DS;
	t->ds = KERNEL_DS;
	t->es = KERNEL_DS;
	t->fs = KERNEL_DS;
	t->gs = PERCPU_SEL;	/* this_cpu() works in the task */
	t->iomap_base = sizeof(*t);
}

static u64 tss_desc(struct tss32 *t)
{
	return gdt_system_desc((uintptr_t)t, sizeof(*t) - 1,
			       SYS_DESC_TSS32_AVAIL);
}

#define LINK_UNTOUCHED	0x1234	/* what a switch must leave in a link */

/* The LDT the LDT test's TSS names: entry 1 is a data segment over
 * ldt_target. A data descriptor has the layout of a system one, with
 * S = 1 in the type byte (SDM vol 3, 3.4.5). */
static u64 ldt[2];
static u32 ldt_target = 0x1d7da7a;

/* A fresh second task, not busy, about to run task_entry. */
static void task_init(enum task_exit how)
{
	tss_init(&task_tss, task_entry, task_stack + sizeof(task_stack));
	task_tss.prev_task = LINK_UNTOUCHED;
	task_tss.eflags = T_EFLAGS;
	task_tss.eax = T_EAX;
	task_tss.ebx = T_EBX;
	task_tss.ecx = T_ECX;
	task_tss.edx = T_EDX;
	task_tss.esi = T_ESI;
	task_tss.edi = T_EDI;
	task_tss.ebp = T_EBP;
	gdt[TASK_SEL / 8] = tss_desc(&task_tss);
	gdt[TASK_GATE_SEL / 8] = task_gate_desc(TASK_SEL, 0);
	ldt[1] = gdt_system_desc((uintptr_t)&ldt_target,
				 sizeof(ldt_target) - 1, DESC_DATA_RW);
	gdt[LDT_SEL / 8] = gdt_system_desc((uintptr_t)ldt, sizeof(ldt) - 1,
					   DESC_LDT);
	/* A switch saves GPRs, segments, EFLAGS and EIP in the old TSS but
	 * not CR3 or the LDT selector (SDM vol 3, 8.3): coming back loads
	 * them from there, so the boot task's TSS needs our CR3. */
	this_cpu_tss()->cr3 = read_cr3();
	this_cpu_tss()->ldt = 0;
	this_cpu_tss()->prev_task = LINK_UNTOUCHED;
	memset(&view, 0, sizeof(view));
	memset(&plan, 0, sizeof(plan));
	task_exit = how;
	write_cr0(read_cr0() & ~X86_CR0_TS);
}

static void switch_to(void (*out)(void), u16 sel)
{
	switch_target.offset = 0;
	switch_target.sel = sel;
	out();
}

/* One line for a set of registers: the first that differs, if any. */
static void check_regs(const char *what, const u32 *got, const u32 *want,
		       const char *const *names)
{
	unsigned i;

	for (i = 0; i < NR_REGS; i++)
		if (got[i] != want[i])
			break;
	if (i == NR_REGS)
		report_pass("%s (all %u as written)", what, NR_REGS);
	else
		report_fail("%s (got %s %#x, want %#x)", what, names[i],
			    got[i], want[i]);
}

/* What the second task saw of itself and of the boot task's TSS. */
static void check_task_state(bool nested)
{
	const struct task_view *v = &view;
	const struct tss32 *m = &v->main_saved;
	u32 want_t[NR_REGS] = {
		T_EAX, T_EBX, T_ECX, T_EDX, T_ESI, T_EDI, T_EBP,
		(u32)(uintptr_t)task_stack + sizeof(task_stack),
	};
	u32 saved[NR_REGS] = {
		m->eax, m->ebx, m->ecx, m->edx, m->esi, m->edi, m->ebp, m->esp,
	};
	u32 want_m[NR_REGS] = {
		M_EAX, M_EBX, M_ECX, M_EDX, M_ESI, M_EDI, M_EBP, switch_esp,
	};
	u32 want_flags = T_EFLAGS | (nested ? X86_EFLAGS_NT : 0);

	report(v->runs == 1, "the new task ran once (got %u runs)", v->runs);
	check_regs("registers loaded from the new TSS", v->regs, want_t,
		   reg_names);
	report(v->eflags == want_flags, "EFLAGS loaded from the new TSS%s "
	       "(got %#x, want %#x)", nested ? ", NT set" : "", v->eflags,
	       want_flags);
	report(v->cs == task_tss.cs && v->ss == task_tss.ss &&
	       v->ds == task_tss.ds && v->es == task_tss.es &&
	       v->fs == task_tss.fs && v->gs == task_tss.gs,
	       "segments loaded from the new TSS: cs %#x ss %#x ds %#x "
	       "es %#x fs %#x gs %#x; want %#x %#x %#x %#x %#x %#x", v->cs,
	       v->ss, v->ds, v->es, v->fs, v->gs, task_tss.cs, task_tss.ss,
	       task_tss.ds, task_tss.es, task_tss.fs, task_tss.gs);
	report(v->tr == TASK_SEL && v->self_busy,
	       "in the new task: TR %#x, its TSS busy %d; want %#x, 1",
	       v->tr, v->self_busy, TASK_SEL);
	report(v->cr0 & X86_CR0_TS, "CR0.TS set by the switch in (CR0 %#x)",
	       v->cr0);

	check_regs("old task's registers saved in its TSS", saved, want_m,
		   reg_names);
	report(m->eip == switch_eip, "old task's EIP saved: after the "
	       "switching instruction (got %#x, want %#x)", m->eip,
	       switch_eip);
	report(m->eflags == M_EFLAGS, "old task's EFLAGS saved (got %#x, "
	       "want %#x)", m->eflags, M_EFLAGS);
	report(m->cs == KERNEL_CS && m->ss == KERNEL_DS &&
	       m->ds == KERNEL_DS && m->es == M_ES && m->fs == M_FS &&
	       m->gs == PERCPU_SEL,
	       "old task's segments saved: cs %#x ss %#x ds %#x es %#x "
	       "fs %#x gs %#x; want %#x %#x %#x %#x %#x %#x", m->cs, m->ss,
	       m->ds, m->es, m->fs, m->gs, KERNEL_CS, KERNEL_DS, KERNEL_DS,
	       M_ES, M_FS, PERCPU_SEL);
}

/* What the boot task got back from its TSS when it was switched to. */
static void check_way_back(const char *how)
{
	u32 want[NR_REGS] = {
		B_EAX, B_EBX, B_ECX, B_EDX, B_ESI, B_EDI, B_EBP, B_EFLAGS,
	};
	char what[64];

	snprintf(what, sizeof(what), "%s: registers and EFLAGS loaded from "
		 "the old TSS", how);
	check_regs(what, back_regs, want, back_names);
	report(back_es == M_ES && back_fs == M_FS,
	       "%s: ES and FS loaded from the old TSS (got %#x, %#x; want "
	       "%#x, %#x)", how, back_es, back_fs, M_ES, M_FS);
	report(read_tr() == TSS_SEL, "%s: TR %#x, want %#x", how, read_tr(),
	       TSS_SEL);
	report(read_cr0() & X86_CR0_TS, "%s: CR0.TS set again (CR0 %#lx)",
	       how, read_cr0());
}

/* CALL (or INT through a task gate), then IRET back. */
static void check_nested(void)
{
	const struct task_view *v = &view;

	check_task_state(true);
	report(v->link == TSS_SEL,
	       "previous task link %#x, want the caller's TSS %#x", v->link,
	       TSS_SEL);
	report(v->main_busy, "caller's TSS stays busy (busy %d, want 1)",
	       v->main_busy);

	check_way_back("IRET");
	report(!desc_busy(TASK_SEL) && desc_busy(TSS_SEL),
	       "after IRET: returning task's busy %d, caller's busy %d; "
	       "want 0, 1", desc_busy(TASK_SEL), desc_busy(TSS_SEL));
	report(!(task_tss.eflags & X86_EFLAGS_NT),
	       "after IRET: NT clear in the EFLAGS saved for the task left "
	       "(%#x)", task_tss.eflags);
	report(task_tss.prev_task == TSS_SEL &&
	       this_cpu_tss()->prev_task == LINK_UNTOUCHED,
	       "after IRET: links: returning task's %#x, caller's %#x; want "
	       "%#x, %#x", task_tss.prev_task, this_cpu_tss()->prev_task,
	       TSS_SEL, LINK_UNTOUCHED);
}

/* JMP, then the task JMPs back. */
static void check_jump(void)
{
	const struct task_view *v = &view;

	check_task_state(false);
	report(v->link == LINK_UNTOUCHED,
	       "previous task link untouched: %#x, want %#x", v->link,
	       LINK_UNTOUCHED);
	report(!v->main_busy, "old task's TSS no longer busy (busy %d, "
	       "want 0)", v->main_busy);

	check_way_back("JMP back");
	report(!desc_busy(TASK_SEL) && desc_busy(TSS_SEL),
	       "after JMP back: task's busy %d, ours %d; want 0, 1",
	       desc_busy(TASK_SEL), desc_busy(TSS_SEL));
	report(this_cpu_tss()->prev_task == LINK_UNTOUCHED,
	       "after JMP back: our link untouched (%#x, want %#x)",
	       this_cpu_tss()->prev_task, LINK_UNTOUCHED);
}

static void test_call(void)
{
	report_prefix_push("call tss");
	task_init(EXIT_IRET);
	switch_to(ts_call_out, TASK_SEL);
	check_nested();
	report_prefix_pop();
}

static void test_jmp(void)
{
	report_prefix_push("jmp tss");
	task_init(EXIT_JMP_BACK);
	switch_to(ts_jmp_out, TASK_SEL);
	check_jump();
	report_prefix_pop();
}

static void test_gdt_task_gate(void)
{
	report_prefix_push("jmp task gate");
	task_init(EXIT_JMP_BACK);
	switch_to(ts_jmp_out, TASK_GATE_SEL);
	check_jump();
	report_prefix_pop();

	report_prefix_push("call task gate");
	task_init(EXIT_IRET);
	switch_to(ts_call_out, TASK_GATE_SEL);
	check_nested();
	report_prefix_pop();
}

static u64 *idt_entry(unsigned vector)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	return (u64 *)(uintptr_t)idtr.base + vector;
}

static void test_idt_task_gate(void)
{
	report_prefix_push("int task gate");
	task_init(EXIT_IRET);
	/* SDM vol 3, 6.11 (figure 6-2): a task gate in the IDT */
	*idt_entry(TASK_GATE_VECTOR) = task_gate_desc(TASK_SEL, 0);
	ts_int_out();
	reset_idt_entry(TASK_GATE_VECTOR);
	check_nested();
	report_prefix_pop();
}

/*
 * CR3 and LDTR from the new TSS: CR3 names a copy of the PDPT under
 * which one page maps elsewhere, FS a data segment of the task's LDT.
 */
static u64 pdpt_copy[4] __aligned(32);	/* PAE: SDM vol 3, 4.4.1 */

static u64 *table_at(u64 entry)
{
	/* paging structures live in identity-mapped RAM */
	return (u64 *)(uintptr_t)(entry & PT_ADDR_MASK);
}

static void test_cr3_ldt(void)
{
	u32 *a = alloc_page(), *b = alloc_page();
	volatile u32 *probe = vmap(virt_to_phys(a), PAGE_SIZE);
	u64 va = (uintptr_t)probe;
	u64 *pdpt = table_at(read_cr3()), *pd, *pt, *pd2, *pt2;
	unsigned i3 = (va >> 30) & 3, i2 = (va >> 21) & 511;
	unsigned i1 = (va >> 12) & 511;
	u32 cr3 = read_cr3(), want_cr3;

	report_prefix_push("cr3 and ldt");
	a[0] = 0xaaaa0001;
	b[0] = 0xbbbb0002;
	pd = table_at(pdpt[i3]);
	assert(!(pd[i2] & PT_PAGE_SIZE));
	pt = table_at(pd[i2]);
	pd2 = alloc_page();
	pt2 = alloc_page();
	memcpy(pd2, pd, PAGE_SIZE);
	memcpy(pt2, pt, PAGE_SIZE);
	pt2[i1] = (pt[i1] & ~PT_ADDR_MASK) | virt_to_phys(b);
	pd2[i2] = (pd[i2] & ~PT_ADDR_MASK) | virt_to_phys(pt2);
	memcpy(pdpt_copy, pdpt, sizeof(pdpt_copy));
	pdpt_copy[i3] = (pdpt[i3] & ~PT_ADDR_MASK) | virt_to_phys(pd2);
	want_cr3 = virt_to_phys(pdpt_copy);

	task_init(EXIT_IRET);
	task_tss.cr3 = want_cr3;
	task_tss.ldt = LDT_SEL;
	task_tss.fs = LDT_DATA_SEL;
	plan.read_ldt = true;
	plan.probe = probe;
	switch_to(ts_call_out, TASK_SEL);

	report(view.cr3 == want_cr3 && view.probe_read == b[0],
	       "in the new task: CR3 %#x, the page reads %#x; want %#x, %#x",
	       view.cr3, view.probe_read, want_cr3, b[0]);
	report(view.ldtr == LDT_SEL && view.fs == LDT_DATA_SEL &&
	       view.ldt_read == ldt_target,
	       "in the new task: LDTR %#x, FS %#x reads %#x; want %#x, %#x, "
	       "%#x", view.ldtr, view.fs, view.ldt_read, LDT_SEL,
	       LDT_DATA_SEL, ldt_target);
	report(read_cr3() == cr3 && *probe == a[0] && read_ldtr() == 0,
	       "after IRET: CR3 %#lx, the page reads %#x, LDTR %#x; want "
	       "%#x, %#x, 0", read_cr3(), *probe, read_ldtr(), cr3, a[0]);
	report_prefix_pop();
}

/* JMP and CALL to a busy task fault before anything changes. */
static u32 busy_at;	/* address of the JMP or CALL that must fault */

static void jmp_busy(void *arg)
{
	struct far_ptr fp = { 0, (uintptr_t)arg };

	asm volatile("movl $1f, %0\n"
		     "1:\tljmp *%1" : "=m"(busy_at) : "m"(fp) : "memory");
}

static void call_busy(void *arg)
{
	struct far_ptr fp = { 0, (uintptr_t)arg };

	asm volatile("movl $1f, %0\n"
		     "1:\tlcall *%1" : "=m"(busy_at) : "m"(fp) : "memory");
}

static void busy_case(const char *name, void (*fn)(void *), u16 sel)
{
	struct ex_result r;

	task_init(EXIT_IRET);
	set_busy(TASK_SEL, true);
	r = run_catching(fn, (void *)(uintptr_t)sel);
	report(r.raised && r.vector == GP_VECTOR &&
	       r.error_code == (sel == TSS_SEL ? TSS_SEL : TASK_SEL),
	       "%s: raised %d, %s, error code %#llx; want #GP(%#x)", name,
	       r.raised, exception_mnemonic(r.vector),
	       (unsigned long long)r.error_code,
	       sel == TSS_SEL ? TSS_SEL : TASK_SEL);
	report(r.rip == busy_at && read_tr() == TSS_SEL && !view.runs &&
	       desc_busy(TSS_SEL) && !(read_cr0() & X86_CR0_TS),
	       "%s: before the commit point: at %#llx, TR %#x, task ran %u, "
	       "our busy %d, CR0.TS %d; want %#x, %#x, 0, 1, 0", name,
	       (unsigned long long)r.rip, read_tr(), view.runs,
	       desc_busy(TSS_SEL), !!(read_cr0() & X86_CR0_TS), busy_at,
	       TSS_SEL);
	set_busy(TASK_SEL, false);
}

static void test_busy(void)
{
	report_prefix_push("busy");
	/* SDM vol 2A, JMP and CALL (TASK-STATE-SEGMENT, TASK-GATE): the
	 * error code names the TSS, also when reached through a gate. */
	busy_case("CALL to the running task", call_busy, TSS_SEL);
	busy_case("JMP to the running task", jmp_busy, TSS_SEL);
	busy_case("JMP to a busy TSS", jmp_busy, TASK_SEL);
	busy_case("CALL to a busy TSS", call_busy, TASK_SEL);
	busy_case("JMP through a gate to a busy TSS", jmp_busy,
		  TASK_GATE_SEL);
	busy_case("CALL through a gate to a busy TSS", call_busy,
		  TASK_GATE_SEL);
	report_prefix_pop();
}

/*
 * IRET with NT to a task that is not busy raises #TS(its selector) in
 * the returning task, at the IRET (SDM vol 2A, IRET: TASK-RETURN; vol 3,
 * table 6-6 and table 8-1); the earliest IA-32 manuals said #GP.
 */
static void test_iret_not_busy(void)
{
	const struct ex_result *r = &view.iret_fault;

	report_prefix_push("iret to a task not busy");
	task_init(EXIT_IRET);
	plan.iret_to_not_busy = true;
	switch_to(ts_call_out, TASK_SEL);
	report(r->raised && r->vector == TS_VECTOR &&
	       r->error_code == TSS_SEL,
	       "raised %d, %s, error code %#llx; want #TS(%#x)", r->raised,
	       exception_mnemonic(r->vector),
	       (unsigned long long)r->error_code, TSS_SEL);
	report(r->rip == iret_at && view.iret_tr == TASK_SEL &&
	       view.iret_self_busy,
	       "before the commit point: at %#llx, TR %#x, returning task "
	       "busy %d; want %#x, %#x, 1", (unsigned long long)r->rip,
	       view.iret_tr, view.iret_self_busy, iret_at, TASK_SEL);
	report(view.runs == 1 && read_tr() == TSS_SEL,
	       "the task then returns: ran %u, TR %#x; want 1, %#x",
	       view.runs, read_tr(), TSS_SEL);
	report_prefix_pop();
}

/*
 * A bad selector in the new TSS is found after the commit point: the
 * #TS is taken in the new task (TR, busy flags and the old task's saved
 * state are those of a finished switch) before its first instruction
 * runs (SDM vol 3, 6.15 interrupt 10; 8.3, table 8-1 and its notes).
 */
static void fault_tasks_arm(void)
{
	static void (*const entries[NR_HANDLERS])(void) = {
		fault_entry_0, fault_entry_1, fault_entry_2, fault_entry_3,
	};
	unsigned i;

	for (i = 0; i < NR_HANDLERS; i++) {
		struct fault_task *f = &fault_tasks[i];

		tss_init(&f->tss, entries[i], f->stack + sizeof(f->stack));
		gdt[HANDLER_SEL(i) / 8] = tss_desc(&f->tss);
		*idt_entry(fault_vectors[i]) = task_gate_desc(HANDLER_SEL(i),
							      0);
	}
	memset((void *)&fault, 0, sizeof(fault));
}

static void fault_tasks_disarm(void)
{
	unsigned i;

	for (i = 0; i < NR_HANDLERS; i++)
		reset_idt_entry(fault_vectors[i]);
}

enum bad_field { BAD_LDT, BAD_SS, BAD_CS, BAD_DS };

static void bad_tss_case(const char *name, enum bad_field field, u16 sel)
{
	task_init(EXIT_JMP_BACK);
	switch (field) {
	case BAD_LDT:
		task_tss.ldt = sel;
		break;
	case BAD_SS:
		task_tss.ss = sel;
		break;
	case BAD_CS:
		task_tss.cs = sel;
		break;
	case BAD_DS:
		task_tss.ds = sel;
		break;
	}
	fault_tasks_arm();
	switch_to(ts_jmp_out, TASK_SEL);
	fault_tasks_disarm();

	report(fault.count == 1 && fault.vector == TS_VECTOR &&
	       fault.error_code == (sel & ~3u),
	       "%s: %u fault(s), %s, error code %#x; want 1, #TS(%#x)", name,
	       fault.count, exception_mnemonic(fault.vector),
	       fault.error_code, sel & ~3u);
	report(fault.link == TASK_SEL && fault.task_busy && !fault.main_busy,
	       "%s: after the commit point: in task %#x, its busy %d, old "
	       "task's busy %d; want %#x, 1, 0", name, fault.link,
	       fault.task_busy, fault.main_busy, TASK_SEL);
	report(fault.eax == T_EAX && !view.runs,
	       "%s: new task's state loaded, none of it run: EAX %#x, task "
	       "ran %u; want %#x, 0", name, fault.eax, view.runs, T_EAX);
	report(fault.eip == (uintptr_t)task_entry,
	       "%s: fault EIP is the new task's first instruction (got %#x, "
	       "want %#x)", name, fault.eip, (u32)(uintptr_t)task_entry);
	report(fault.main_eip == switch_eip,
	       "%s: old task's EIP saved (got %#x, want %#x)", name,
	       fault.main_eip, switch_eip);
}

static void test_bad_tss(void)
{
	report_prefix_push("bad new TSS");
	/* SDM vol 3, 6.15, table 6-6: each of these is #TS(selector). */
	bad_tss_case("LDT selector names a data segment", BAD_LDT, KERNEL_DS);
	bad_tss_case("SS selector RPL 3 at CPL 0", BAD_SS, USER_DS);
	bad_tss_case("CS selector names a task gate", BAD_CS, TASK_GATE_SEL);
	bad_tss_case("DS selector names an LDT", BAD_DS, LDT_SEL);
	report(read_tr() == TSS_SEL && desc_busy(TSS_SEL),
	       "boot task resumed: TR %#x busy %d; want %#x, 1", read_tr(),
	       desc_busy(TSS_SEL), TSS_SEL);
	report_prefix_pop();
}

/* The T flag: #DB with DR6.BT in the new task, before its first
 * instruction; and the switch clears DR7.L0 (SDM vol 3, 18.2.4). */
static volatile struct {
	unsigned count;
	u32 eip, dr6;
	u16 tr;
} db;

static void db_record(struct ex_regs *regs)
{
	db.count++;
	db.eip = regs->rip;
	db.dr6 = read_dr6();
	db.tr = read_tr();
	write_dr6(0);
}

/* Never executed: DR0's breakpoint must not fire. */
static void never_run(void)
{
	asm volatile("");
}

static void test_debug_trap(void)
{
	report_prefix_push("debug trap");
	task_init(EXIT_JMP_BACK);
	task_tss.trap = TSS_T_FLAG;
	memset((void *)&db, 0, sizeof(db));
	handle_exception(DB_VECTOR, db_record);
	write_dr6(0);
	asm volatile("mov %0, %%dr0" :: "r"(never_run));
	write_dr7(X86_DR7_FIXED | X86_DR7_L0);
	switch_to(ts_jmp_out, TASK_SEL);
	write_dr7(X86_DR7_FIXED);
	handle_exception(DB_VECTOR, NULL);

	report(db.count == 1 && (db.dr6 & X86_DR6_BT),
	       "T=1: %u #DB, DR6 %#x; want 1 with BT (bit 15)", db.count,
	       db.dr6);
	report(db.count == 1 && db.tr == TASK_SEL &&
	       db.eip == (uintptr_t)task_entry,
	       "T=1: #DB in the new task at its first instruction: TR %#x, "
	       "EIP %#x; want %#x, %#x", db.tr, db.eip, TASK_SEL,
	       (u32)(uintptr_t)task_entry);
	report(view.runs == 1 && !(view.dr7 & X86_DR7_L0),
	       "DR7.L0 cleared by the switch (task ran %u, DR7 %#x)",
	       view.runs, view.dr7);
	report_prefix_pop();
}

int main(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) gdtr;

	report_prefix_push("taskswitch");
	asm volatile("sgdt %0" : "=m"(gdtr));
	gdt = (u64 *)(uintptr_t)gdtr.base;
	assert(gdtr.limit >= HANDLER_SEL(NR_HANDLERS - 1) + 7);

	test_call();
	test_jmp();
	test_gdt_task_gate();
	test_idt_task_gate();
	test_cr3_ldt();
	test_busy();
	test_iret_not_busy();
	test_bad_tss();
	test_debug_trap();

	this_cpu_tss()->prev_task = 0;
	write_cr0(read_cr0() & ~X86_CR0_TS);
	return report_summary();
}
