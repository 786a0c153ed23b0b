/*
 * Entry to and exit from ring 3 (see usermode.h). In: IRETQ with a CPL 3
 * frame (SDM vol 3, 6.14.3 and vol 2A, IRET "return to outer privilege
 * level"). Out: INT to a DPL 3 gate (SDM vol 3, 6.12.1.1), whose entry
 * code reloads the kernel stack saved on the way in.
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/layout.h"
#include "x86/processor.h"
#include "x86/usermode.h"
#include "x86/vm.h"

#define USER_STACK_SIZE		0x4000
#define KERNEL_STACK0_SIZE	0x4000

extern char __image_end[];	/* x86/flat.lds */

static u8 user_stack[USER_STACK_SIZE] __aligned(16);
static u8 kernel_stack0[KERNEL_STACK0_SIZE] __aligned(16);
u64 usermode_kernel_rsp;

/* usermode_call(fn, arg, user stack top): returns when the ring 3 side
 * executes INT USERMODE_RETURN_VECTOR. */
void usermode_call(void (*fn)(void *), void *arg, void *stack_top);
void usermode_return(void);

asm(".text\n"
    ".globl usermode_call\n"
    "usermode_call:\n\t"
    "push %rbx\n\t"
    "push %rbp\n\t"
    "push %r12\n\t"
    "push %r13\n\t"
    "push %r14\n\t"
    "push %r15\n\t"
    "mov %rsp, usermode_kernel_rsp(%rip)\n\t"
    "pushq $" __stringify_x86(USER_DS) "\n\t"
    "pushq %rdx\n\t"
    "pushq $2\n\t"			/* RFLAGS: IF=0, IOPL=0 */
    "pushq $" __stringify_x86(USER_CS) "\n\t"
    "lea usermode_entry(%rip), %rax\n\t"
    "push %rax\n\t"
    "mov %rdi, %rax\n\t"
    "mov %rsi, %rdi\n\t"
    "iretq\n"
    "usermode_entry:\n\t"
    "call *%rax\n\t"
    "int $" __stringify_x86(USERMODE_RETURN_VECTOR) "\n\t"
    "ud2\n"
    ".globl usermode_return\n"
    "usermode_return:\n\t"
    "mov usermode_kernel_rsp(%rip), %rsp\n\t"
    "pop %r15\n\t"
    "pop %r14\n\t"
    "pop %r13\n\t"
    "pop %r12\n\t"
    "pop %rbp\n\t"
    "pop %rbx\n\t"
    "ret\n");

/* Set (or restore from @saved) the U/S bit of every leaf entry mapping
 * the image; @saved records the old entries, one per leaf visited. */
static unsigned image_user(bool on, u64 *saved, unsigned max)
{
	u64 va = IMAGE_BASE, end = (uintptr_t)__image_end;
	unsigned n = 0;

	while (va < end && n < max) {
		int level;
		u64 *e = get_pte_level((void *)(uintptr_t)va, &level);
		u64 size = 1ull << (PAGE_SHIFT + 9 * (level - 1));

		assert(e);
		if (on) {
			saved[n] = *e;
			*e |= PT_USER;
		} else {
			*e = (*e & ~PT_USER) | (saved[n] & PT_USER);
		}
		n++;
		va = (va & ~(size - 1)) + size;
	}
	assert(va >= end);
	flush_tlb();
	return n;
}

static void enter(void *p)
{
	void **fa = p;

	usermode_call((void (*)(void *))fa[0], fa[1],
		      user_stack + USER_STACK_SIZE);
}

/*
 * Data segment selectors with DPL 3, so IRET to CPL 3 keeps them rather
 * than loading null (SDM vol 2A, IRET: "FOR each SegReg in (ES, FS, GS,
 * and DS)"). Loading GS rewrites its base from the descriptor (SDM vol 3,
 * 3.4.4), so the per-CPU base is written back at once.
 */
static void load_data_segments(u16 sel)
{
	u64 gs_base = rdmsr(MSR_GS_BASE);

	asm volatile("mov %0, %%ds\n\t"
		     "mov %0, %%es\n\t"
		     "mov %0, %%fs\n\t"
		     "mov %0, %%gs" :: "r"((u32)sel) : "memory");
	wrmsr(MSR_GS_BASE, gs_base);
}

struct ex_result run_in_usermode(void (*fn)(void *), void *arg)
{
	static u64 saved[1024];
	void *fa[2] = { (void *)fn, arg };
	struct tss64 *tss = this_cpu_tss();
	u64 old_rsp0 = tss->rsp[0];
	u64 rflags = read_rflags();
	struct ex_result res;
	unsigned n;

	set_idt_entry(USERMODE_RETURN_VECTOR, (void *)usermode_return, 3, 0);
	tss->rsp[0] = (uintptr_t)kernel_stack0 + KERNEL_STACK0_SIZE;
	n = image_user(true, saved, ARRAY_SIZE(saved));
	load_data_segments(USER_DS);

	res = run_catching(enter, fa);

	load_data_segments(KERNEL_DS);
	image_user(false, saved, n);
	tss->rsp[0] = old_rsp0;
	reset_idt_entry(USERMODE_RETURN_VECTOR);
	asm volatile("push %0; popfq" :: "r"(rflags) : "memory", "cc");
	return res;
}
