/*
 * Hardware task switches in 32-bit protected mode (SDM vol 3, chapter 8):
 * CALL and JMP to a TSS descriptor, JMP through a task gate in the GDT,
 * INT through a task gate in the IDT, and IRET back along the link.
 * Checked against SDM vol 3, 8.4 (table 8-2, "Effect of a Task Switch on
 * Busy Flag, NT Flag, Previous Task Link Field, and TS Flag"):
 *  - CALL/INT: the new task's busy flag is set, the old one's stays set,
 *    EFLAGS.NT is set in the new task and its previous-task link holds
 *    the old task's TSS selector;
 *  - JMP: the old task's busy flag is cleared, NT comes from the new TSS,
 *    the link field is not touched;
 *  - IRET with NT set: back to the linked task, the busy flag of the task
 *    left is cleared and so is NT in the EFLAGS saved in its TSS;
 *  - every switch sets CR0.TS; the new task's registers come from its
 *    TSS and the old task's are saved in its own (8.3).
 * A CALL to a busy task raises #GP with the TSS selector (8.3 step 3).
 *
 * i386 only: in IA-32e mode task switches do not exist (8.7).
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"

/* GDT slots this test fills (layout.h leaves them free on i386). */
#define TASK_SEL	(GDT_FREE_SEL + 0x00)	/* the second task's TSS */
#define TASK_GATE_SEL	(GDT_FREE_SEL + 0x08)	/* task gate to TASK_SEL */

#define TASK_GATE_VECTOR 0x50

/* System descriptor types, SDM vol 3, 3.5 (table 3-2), with P = 1, DPL 0 */
#define DESC_TSS_AVAIL	0x89
#define DESC_TSS_BUSY	0x8b
#define DESC_TASK_GATE	0x85
#define DESC_BUSY_BIT	(1ull << 41)	/* type bit 1 */

#define X86_EFLAGS_NT	(1ul << 14)	/* SDM vol 1, 3.4.3 */

/* Values the second task's registers start with (its TSS). */
#define T_EAX	0x1111aaaa
#define T_EBX	0x2222bbbb
#define T_ECX	0x3333cccc
#define T_EDX	0x4444dddd
#define T_ESI	0x5555eeee
#define T_EDI	0x6666ffff
#define T_EBP	0x77770000

/* What the outgoing task holds in ESI/EDI when it switches away. */
#define MAIN_ESI	0xa5a5a5a5
#define MAIN_EDI	0x5a5a5a5a

/* How the second task leaves. */
enum task_exit { EXIT_IRET, EXIT_JMP_BACK };

/* What the second task saw on entry, for main to report. */
struct task_view {
	u32 eax, ebx, ecx, edx, esi, edi, ebp, esp;
	u32 eflags;
	u16 cs, ss, ds, es, fs, gs, tr;
	u16 link;		/* its TSS's previous task link */
	bool self_busy;		/* its own TSS descriptor */
	bool main_busy;		/* the outgoing task's */
	u32 main_esi, main_edi;	/* saved in the outgoing task's TSS */
	unsigned runs;
};

static struct tss32 task_tss;
static u8 task_stack[4096] __attribute__((aligned(16)));
static volatile struct task_view view;
static volatile enum task_exit task_exit;
static u64 *gdt;

void task_entry(void);
void task_body(void);

/*
 * The second task starts here with the registers of task_tss. Record
 * them before C touches any, then leave as task_exit says.
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
    "call task_body\n\t"
    "cmpl $0, task_exit\n\t"
    "jne 1f\n\t"
    "iret\n\t"
    "ud2\n"
    "1:\tljmp $" __stringify_x86(TSS_SEL) ", $0\n\t"
    "ud2\n");

_Static_assert(__builtin_offsetof(struct task_view, esp) == 28,
	       "task_entry stores by offset");

static bool desc_busy(unsigned sel)
{
	return gdt[sel / 8] & DESC_BUSY_BIT;
}

void task_body(void)
{
	struct task_view *v = (struct task_view *)&view;
	u32 flags;

	asm volatile("pushf; pop %0" : "=r"(flags));
	v->eflags = flags;
	asm volatile("mov %%cs, %0" : "=r"(v->cs));
	asm volatile("mov %%ss, %0" : "=r"(v->ss));
	asm volatile("mov %%ds, %0" : "=r"(v->ds));
	asm volatile("mov %%es, %0" : "=r"(v->es));
	asm volatile("mov %%fs, %0" : "=r"(v->fs));
	asm volatile("mov %%gs, %0" : "=r"(v->gs));
	asm volatile("str %0" : "=r"(v->tr));
	v->link = task_tss.prev_task;
	v->self_busy = desc_busy(TASK_SEL);
	v->main_busy = desc_busy(TSS_SEL);
	v->main_esi = this_cpu_tss()->esi;
	v->main_edi = this_cpu_tss()->edi;
	v->runs++;
}

static u64 system_desc(u32 base, u32 limit, u8 type)
{
	/* SDM vol 3, 8.2.2 (figure 8-3) */
	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)type << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)(base >> 24) << 56);
}

static u64 task_gate(u16 tss_sel)
{
	/* SDM vol 3, 8.2.5 (figure 8-4): only the selector and the type */
	return ((u64)tss_sel << 16) | ((u64)DESC_TASK_GATE << 40);
}

#define LINK_UNTOUCHED	0x1234	/* what a JMP must leave in the link */

/* A fresh second task, not busy, about to run task_entry. */
static void task_init(enum task_exit how)
{
	memset(&task_tss, 0, sizeof(task_tss));
	task_tss.prev_task = LINK_UNTOUCHED;
	task_tss.cr3 = read_cr3();
	task_tss.eip = (uintptr_t)task_entry;
	task_tss.eflags = X86_EFLAGS_FIXED;	/* IF and NT clear */
	task_tss.eax = T_EAX;
	task_tss.ebx = T_EBX;
	task_tss.ecx = T_ECX;
	task_tss.edx = T_EDX;
	task_tss.esi = T_ESI;
	task_tss.edi = T_EDI;
	task_tss.ebp = T_EBP;
	task_tss.esp = (uintptr_t)task_stack + sizeof(task_stack);
	task_tss.cs = KERNEL_CS;
	task_tss.ss = KERNEL_DS;
	task_tss.ds = KERNEL_DS;
	task_tss.es = KERNEL_DS;
	task_tss.fs = KERNEL_DS;
	task_tss.gs = PERCPU_SEL;	/* this_cpu() works in the task */
	task_tss.iomap_base = sizeof(task_tss);
	gdt[TASK_SEL / 8] = system_desc((uintptr_t)&task_tss,
					sizeof(task_tss) - 1, DESC_TSS_AVAIL);
	/* A switch saves GPRs, segments, EFLAGS and EIP in the old TSS but
	 * not CR3 or the LDT selector (SDM vol 3, 8.3): coming back loads
	 * them from there, so the boot task's TSS needs our CR3. */
	this_cpu_tss()->cr3 = read_cr3();
	memset((void *)&view, 0, sizeof(view));
	task_exit = how;
	write_cr0(read_cr0() & ~X86_CR0_TS);
}

struct far_ptr {
	u32 offset;	/* ignored for a TSS or task gate (SDM vol 2A, CALL) */
	u16 sel;
} __attribute__((packed));

static void call_task(u16 sel)
{
	struct far_ptr fp = { 0, sel };

	asm volatile("lcall *%0" :: "m"(fp), "S"(MAIN_ESI), "D"(MAIN_EDI)
		     : "memory");
}

static void jmp_task(u16 sel)
{
	struct far_ptr fp = { 0, sel };

	asm volatile("ljmp *%0" :: "m"(fp), "S"(MAIN_ESI), "D"(MAIN_EDI)
		     : "memory");
}

static void check_task_state(void)
{
	const struct task_view *v = (const struct task_view *)&view;

	report(v->eax == T_EAX && v->ebx == T_EBX && v->ecx == T_ECX &&
	       v->edx == T_EDX && v->esi == T_ESI && v->edi == T_EDI &&
	       v->ebp == T_EBP &&
	       v->esp == (uintptr_t)task_stack + sizeof(task_stack),
	       "registers from the new TSS: eax %#x ebx %#x ecx %#x edx %#x "
	       "esi %#x edi %#x ebp %#x esp %#x; want %#x %#x %#x %#x %#x "
	       "%#x %#x %#x", v->eax, v->ebx, v->ecx, v->edx, v->esi, v->edi,
	       v->ebp, v->esp, T_EAX, T_EBX, T_ECX, T_EDX, T_ESI, T_EDI,
	       T_EBP, (u32)((uintptr_t)task_stack + sizeof(task_stack)));
	report(v->cs == KERNEL_CS && v->ss == KERNEL_DS &&
	       v->ds == KERNEL_DS && v->es == KERNEL_DS &&
	       v->fs == KERNEL_DS && v->gs == PERCPU_SEL,
	       "segments from the new TSS: cs %#x ss %#x ds %#x es %#x "
	       "fs %#x gs %#x; want %#x, %#x x4, %#x", v->cs, v->ss, v->ds,
	       v->es, v->fs, v->gs, KERNEL_CS, KERNEL_DS, PERCPU_SEL);
	report(v->tr == TASK_SEL && v->self_busy,
	       "in the new task: TR %#x, its TSS busy %d; want %#x, 1",
	       v->tr, v->self_busy, TASK_SEL);
	report(v->main_esi == MAIN_ESI && v->main_edi == MAIN_EDI,
	       "old task's ESI/EDI saved in its TSS: %#x/%#x, want %#x/%#x",
	       v->main_esi, v->main_edi, MAIN_ESI, MAIN_EDI);
}

/* CALL (or INT through a task gate), then IRET back. */
static void check_nested(void)
{
	const struct task_view *v = (const struct task_view *)&view;
	u16 tr;

	check_task_state();
	report(v->eflags & X86_EFLAGS_NT,
	       "NT set in the called task (EFLAGS %#x)", v->eflags);
	report(v->link == TSS_SEL,
	       "previous task link %#x, want the caller's TSS %#x", v->link,
	       TSS_SEL);
	report(v->main_busy, "caller's TSS stays busy (busy %d, want 1)",
	       v->main_busy);

	asm volatile("str %0" : "=r"(tr));
	report(v->runs == 1 && tr == TSS_SEL,
	       "IRET returns: task ran %u time(s), TR %#x; want 1, %#x",
	       v->runs, tr, TSS_SEL);
	report(!desc_busy(TASK_SEL) && desc_busy(TSS_SEL),
	       "after IRET: returning task's busy %d, caller's busy %d; "
	       "want 0, 1", desc_busy(TASK_SEL), desc_busy(TSS_SEL));
	report(!(task_tss.eflags & X86_EFLAGS_NT),
	       "after IRET: NT clear in the EFLAGS saved for the task left "
	       "(%#x)", task_tss.eflags);
	report(read_cr0() & X86_CR0_TS, "CR0.TS set by the switch (CR0 %#lx)",
	       read_cr0());
	report(!(read_rflags() & X86_EFLAGS_NT),
	       "caller's NT still clear (EFLAGS %#lx)", read_rflags());
}

/* JMP, then the task JMPs back. */
static void check_jump(void)
{
	const struct task_view *v = (const struct task_view *)&view;
	u16 tr;

	check_task_state();
	report(!(v->eflags & X86_EFLAGS_NT),
	       "NT from the new TSS, clear (EFLAGS %#x)", v->eflags);
	report(v->link == LINK_UNTOUCHED,
	       "previous task link untouched: %#x, want %#x", v->link,
	       LINK_UNTOUCHED);
	report(!v->main_busy, "old task's TSS no longer busy (busy %d, "
	       "want 0)", v->main_busy);

	asm volatile("str %0" : "=r"(tr));
	report(v->runs == 1 && tr == TSS_SEL,
	       "JMP back returns: task ran %u time(s), TR %#x; want 1, %#x",
	       v->runs, tr, TSS_SEL);
	report(!desc_busy(TASK_SEL) && desc_busy(TSS_SEL),
	       "after JMP back: task's busy %d, ours %d; want 0, 1",
	       desc_busy(TASK_SEL), desc_busy(TSS_SEL));
	report(read_cr0() & X86_CR0_TS, "CR0.TS set by the switch (CR0 %#lx)",
	       read_cr0());
}

static void test_call(void)
{
	report_prefix_push("call tss");
	task_init(EXIT_IRET);
	call_task(TASK_SEL);
	check_nested();
	report_prefix_pop();
}

static void test_jmp(void)
{
	report_prefix_push("jmp tss");
	task_init(EXIT_JMP_BACK);
	jmp_task(TASK_SEL);
	check_jump();
	report_prefix_pop();
}

static void test_gdt_task_gate(void)
{
	report_prefix_push("jmp task gate");
	task_init(EXIT_JMP_BACK);
	gdt[TASK_GATE_SEL / 8] = task_gate(TASK_SEL);
	jmp_task(TASK_GATE_SEL);
	check_jump();
	report_prefix_pop();
}

static void test_idt_task_gate(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;
	u64 *idt;

	report_prefix_push("int task gate");
	task_init(EXIT_IRET);
	asm volatile("sidt %0" : "=m"(idtr));
	idt = (u64 *)(uintptr_t)idtr.base;
	/* SDM vol 3, 6.11 (figure 6-2): a task gate in the IDT */
	idt[TASK_GATE_VECTOR] = task_gate(TASK_SEL);
	asm volatile("int %0" :: "i"(TASK_GATE_VECTOR), "S"(MAIN_ESI),
		     "D"(MAIN_EDI) : "memory");
	reset_idt_entry(TASK_GATE_VECTOR);
	check_nested();
	report_prefix_pop();
}

static void call_self(void *arg)
{
	(void)arg;
	call_task(TSS_SEL);
}

static void test_busy(void)
{
	struct ex_result r;

	report_prefix_push("busy");
	r = run_catching(call_self, NULL);
	report(r.raised && r.vector == GP_VECTOR && r.error_code == TSS_SEL,
	       "CALL to the running (busy) task: raised %d, vector %u, error "
	       "code %#llx; want #GP(%#x)", r.raised, r.vector,
	       (unsigned long long)r.error_code, TSS_SEL);
	report(desc_busy(TSS_SEL), "running task still busy");
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
	assert(gdtr.limit >= TASK_GATE_SEL + 7);

	test_call();
	test_jmp();
	test_gdt_task_gate();
	test_idt_task_gate();
	test_busy();
	write_cr0(read_cr0() & ~X86_CR0_TS);
	return report_summary();
}
