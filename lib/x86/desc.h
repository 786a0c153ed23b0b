/*
 * Descriptor tables and exception handling.
 *
 * Every CPU has its own GDT and TSS and shares one IDT whose 256 gates
 * all lead to do_exception(). What happens to an exception, in order:
 *  1. an instruction protected by EX_FIXUP_BEGIN/EX_FIXUP_END (processor.h)
 *     resumes after itself, with the vector recorded (rdmsr_safe() etc.);
 *  2. a handler installed with handle_exception() runs;
 *  3. inside run_catching(), the function is abandoned and the vector,
 *     error code and CR2 are returned;
 *  4. otherwise the test aborts with the vector, RIP and error code.
 */
#ifndef X86_DESC_H
#define X86_DESC_H

#include "libcflat.h"
#include "x86/layout.h"
#include "x86/processor.h"

#ifdef __x86_64__
/* Stack image built by isr.S; field order is the push order reversed. */
struct ex_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 vector;
	u64 error_code;
	/* pushed by the CPU, SDM vol 3, 6.14.2 (figure 6-9) */
	u64 rip, cs, rflags, rsp, ss;
};
#else
/* i386: stack image built by isr32.S, with the 64-bit field names so a
 * handler reads the same on both arches. */
struct ex_regs {
	u32 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u32 vector;
	u32 error_code;
	/* pushed by the CPU, SDM vol 3, 6.12.1 (figure 6-4); rsp and ss
	 * only when the exception came from ring 3 */
	u32 rip, cs, rflags, rsp, ss;
};
#endif

typedef void (*exception_handler_t)(struct ex_regs *regs);

/*
 * Install @handler for @vector (0..255) on all CPUs; NULL removes it.
 * Returns the previous handler. A handler for an exception that does not
 * resume past the faulting instruction must change regs->rip itself.
 */
exception_handler_t handle_exception(u8 vector, exception_handler_t handler);

struct ex_result {
	bool raised;
	unsigned vector;
	u64 error_code;
	u64 cr2;	/* CR2 at the time of the exception (meaningful for #PF) */
	u64 rip;	/* address of the faulting instruction */
};

/*
 * Run fn(arg). If it raises an exception that no fixup or installed
 * handler takes, fn is abandoned at that point and the exception is
 * returned; otherwise .raised is false. Nests; per CPU.
 */
struct ex_result run_catching(void (*fn)(void *), void *arg);

/* Name of an exception vector ("#GP"), or "vector" for >= 32. */
const char *exception_mnemonic(unsigned vector);

/* Interrupt gate for @vector pointing at @handler_addr, with DPL @dpl and
 * IST slot @ist (0: none). For tests that need their own entry code. */
void set_idt_entry(unsigned vector, void *handler_addr, unsigned dpl,
		   unsigned ist);
/* Same, back to the default stub that leads to do_exception(). */
void reset_idt_entry(unsigned vector);

#ifdef __x86_64__
/* The calling CPU's TSS (SDM vol 3, 8.7, figure 8-11). */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct tss64 *this_cpu_tss(void);
#else
/* 32-bit TSS, SDM vol 3, 8.2.1 (figure 8-2); the upper half of each
 * 16-bit field's dword is reserved. */
struct tss32 {
	u16 prev_task, reserved0;
	u32 esp0;
	u16 ss0, reserved1;
	u32 esp1;
	u16 ss1, reserved2;
	u32 esp2;
	u16 ss2, reserved3;
	u32 cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u16 es, reserved4, cs, reserved5, ss, reserved6;
	u16 ds, reserved7, fs, reserved8, gs, reserved9;
	u16 ldt, reserved10;
	u16 trap;	/* bit 0: T, debug trap on switch */
	u16 iomap_base;
} __attribute__((packed));

/* The calling CPU's TSS, the one TR holds after boot (TSS_SEL). */
struct tss32 *this_cpu_tss(void);

/* System descriptor types, SDM vol 3, 3.5 (table 3-2), with P set. */
#define SYS_DESC_TSS32_AVAIL	0x89
#define SYS_DESC_TASK_GATE	0x85

/* An 8-byte GDT system descriptor (TSS: SDM vol 3, 8.2.2, figure 8-3). */
static inline u64 gdt_system_desc(u32 base, u32 limit, u8 type)
{
	return (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) |
	       ((u64)type << 40) | ((u64)((limit >> 16) & 0xf) << 48) |
	       ((u64)(base >> 24) << 56);
}

/* A task gate naming @tss_sel, for the GDT or the IDT (SDM vol 3, 8.2.5,
 * figure 8-4; 6.11, figure 6-2): only the selector and the type count. */
static inline u64 task_gate_desc(u16 tss_sel, unsigned dpl)
{
	return ((u64)tss_sel << 16) |
	       ((u64)(SYS_DESC_TASK_GATE | ((dpl & 3) << 5)) << 40);
}
#endif

/* Boot-time: build the IDT once, then load GDT/TSS/IDT on each CPU. */
void idt_init(void);
void cpu_desc_init(unsigned cpu);

#endif
