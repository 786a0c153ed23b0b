/*
 * Entry to and exit from ring 3 (see usermode.h). In: IRETQ with a CPL 3
 * frame (SDM vol 3, 6.14.3 and vol 2A, IRET "return to outer privilege
 * level"). Out: INT to a DPL 3 gate (SDM vol 3, 6.12.1.1), whose entry
 * code reloads the kernel stack saved on the way in.
 *
 * An exception from ring 3 ends the call through run_catching(), whose
 * do_exception() side resumes in ring 0.
 *
 * i386 does the same with a 32-bit IRET frame (SDM vol 3, 6.12.1, figure
 * 6-4) and TSS.ESP0. One thing differs there: GS holds the per-CPU
 * segment (DPL 0), which IRET to CPL 3 would null, so its descriptor is
 * made DPL 3 while ring 3 runs.
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
unsigned long usermode_kernel_rsp;

/* usermode_call(fn, arg, user stack top): returns when the ring 3 side
 * executes INT USERMODE_RETURN_VECTOR. */
void usermode_call(void (*fn)(void *), void *arg, void *stack_top);
void usermode_return(void);

#ifdef __x86_64__
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
#else
/* cdecl: fn, arg and the stack top at 20, 24 and 28(%esp) once the four
 * callee-saved registers are pushed; fn(arg) is called on the ring 3
 * stack, 16-byte aligned, with arg as its one stack argument. */
asm(".text\n"
    ".globl usermode_call\n"
    "usermode_call:\n\t"
    "push %ebp\n\t"
    "push %ebx\n\t"
    "push %esi\n\t"
    "push %edi\n\t"
    "mov %esp, usermode_kernel_rsp\n\t"
    "mov 20(%esp), %eax\n\t"
    "mov 24(%esp), %ecx\n\t"
    "mov 28(%esp), %edx\n\t"
    "sub $16, %edx\n\t"
    "mov %ecx, (%edx)\n\t"
    "push $" __stringify_x86(USER_DS) "\n\t"
    "push %edx\n\t"
    "push $2\n\t"			/* EFLAGS: IF=0, IOPL=0 */
    "push $" __stringify_x86(USER_CS) "\n\t"
    "push $usermode_entry\n\t"
    "iret\n"
    "usermode_entry:\n\t"
    "call *%eax\n\t"
    "int $" __stringify_x86(USERMODE_RETURN_VECTOR) "\n\t"
    "ud2\n"
    ".globl usermode_return\n"
    "usermode_return:\n\t"
    "mov usermode_kernel_rsp, %esp\n\t"
    "pop %edi\n\t"
    "pop %esi\n\t"
    "pop %ebx\n\t"
    "pop %ebp\n\t"
    "ret\n");
#endif

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

#ifdef __x86_64__
/* The stack the CPU switches to on an exception from ring 3 (SDM vol 3,
 * 6.14.4); returns the previous one. */
static unsigned long set_ring0_stack(unsigned long sp)
{
	struct tss64 *tss = this_cpu_tss();
	unsigned long old = tss->rsp[0];

	tss->rsp[0] = sp;
	return old;
}

/*
 * Data segment selectors with DPL 3, so IRET to CPL 3 keeps them rather
 * than loading null (SDM vol 2A, IRET: "FOR each SegReg in (ES, FS, GS,
 * and DS)"). Loading GS rewrites its base from the descriptor (SDM vol 3,
 * 3.4.4), so the per-CPU base is written back at once.
 */
static void load_data_segments(bool user)
{
	u64 gs_base = rdmsr(MSR_GS_BASE);

	asm volatile("mov %0, %%ds\n\t"
		     "mov %0, %%es\n\t"
		     "mov %0, %%fs\n\t"
		     "mov %0, %%gs"
		     :: "r"((u32)(user ? USER_DS : KERNEL_DS)) : "memory");
	wrmsr(MSR_GS_BASE, gs_base);
}
#else
/* Descriptor type byte (bits 47:40): DPL in bits 6:5, SDM vol 3, 3.4.5. */
#define DESC_DPL_SHIFT		45
#define DESC_DPL_MASK		(3ull << DESC_DPL_SHIFT)
#define RPL3			3

/* TSS.ESP0 (SDM vol 3, 6.12.1); returns the previous one. SS0 stays
 * KERNEL_DS (desc.c). */
static unsigned long set_ring0_stack(unsigned long sp)
{
	struct tss32 *tss = this_cpu_tss();
	unsigned long old = tss->esp0;

	tss->esp0 = sp;
	return old;
}

static u64 *gdt_entry(u16 sel)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) gdtr;

	asm volatile("sgdt %0" : "=m"(gdtr));
	return (u64 *)gdtr.base + sel / 8;
}

/* DS, ES and FS as USER_DS or KERNEL_DS; GS as the per-CPU selector
 * with RPL 3 or 0, its descriptor given that DPL first (IRET to CPL 3
 * keeps only data segments with DPL >= 3, SDM vol 2A, IRET). */
static void load_data_segments(bool user)
{
	unsigned rpl = user ? RPL3 : 0;
	u64 *percpu = gdt_entry(PERCPU_SEL);

	*percpu = (*percpu & ~DESC_DPL_MASK) | ((u64)rpl << DESC_DPL_SHIFT);
	asm volatile("mov %0, %%ds\n\t"
		     "mov %0, %%es\n\t"
		     "mov %0, %%fs\n\t"
		     "mov %1, %%gs"
		     :: "r"((u32)(user ? USER_DS : KERNEL_DS)),
		        "r"((u32)(PERCPU_SEL | rpl))
		     : "memory");
}
#endif

struct ex_result run_in_usermode(void (*fn)(void *), void *arg)
{
	static u64 saved[1024];
	void *fa[2] = { (void *)fn, arg };
	unsigned long old_sp0, rflags = read_rflags();
	struct ex_result res;
	unsigned n;

	set_idt_entry(USERMODE_RETURN_VECTOR, (void *)usermode_return, 3, 0);
	old_sp0 = set_ring0_stack((uintptr_t)kernel_stack0 +
				  KERNEL_STACK0_SIZE);
	n = image_user(true, saved, ARRAY_SIZE(saved));
	load_data_segments(true);

	res = run_catching(enter, fa);

	load_data_segments(false);
	image_user(false, saved, n);
	set_ring0_stack(old_sp0);
	reset_idt_entry(USERMODE_RETURN_VECTOR);
	/* POPF takes the stack width (SDM vol 2B, POPF) */
	asm volatile("push %0; popf" :: "r"(rflags) : "memory", "cc");
	return res;
}
