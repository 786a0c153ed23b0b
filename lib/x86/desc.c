/*
 * GDT, TSS and IDT set-up, and the C side of exception dispatch
 * (see desc.h for the order in which an exception is offered around).
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/percpu.h"
#include "x86/processor.h"
#include "x86/smp.h"

_Static_assert(__builtin_offsetof(struct percpu, self) == PERCPU_SELF,
	       "PERCPU_SELF");
_Static_assert(__builtin_offsetof(struct percpu, cpu) == PERCPU_CPU,
	       "PERCPU_CPU");
_Static_assert(__builtin_offsetof(struct percpu, ex_vector) == PERCPU_EX_VECTOR,
	       "PERCPU_EX_VECTOR");
_Static_assert(__builtin_offsetof(struct percpu, ex_error_code) ==
	       PERCPU_EX_ERROR_CODE, "PERCPU_EX_ERROR_CODE");
#ifdef __x86_64__
_Static_assert(sizeof(struct tss64) == 104, "TSS size, SDM vol 3, 8.7");
typedef struct tss64 cpu_tss_t;

/* 16-byte long-mode gate, SDM vol 3, 6.14.1 (figure 6-8) */
struct idt_gate {
	u16 offset0;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset1;
	u32 offset2;
	u32 reserved;
} __attribute__((packed));
#else
_Static_assert(sizeof(struct tss32) == 104, "TSS size, SDM vol 3, 8.2.1");
typedef struct tss32 cpu_tss_t;

/* 8-byte protected-mode gate, SDM vol 3, 6.11 (figure 6-2); type 0xe is
 * the 32-bit interrupt gate. No IST: #DF, NMI and #MC run on the
 * interrupted stack. */
struct idt_gate {
	u16 offset0;
	u16 selector;
	u8 ist;		/* reserved, zero */
	u8 type_attr;
	u16 offset1;
} __attribute__((packed));

/* Writable data, present, DPL 0, D/B = 1, byte granular (SDM vol 3,
 * 3.4.5): the segment GS names, this CPU's struct percpu. */
#define DESC_DATA_RW	0x92
#define DESC_DB		0x4
#endif

#define GATE_INTERRUPT	0x0e	/* 64-bit interrupt gate: clears IF */
#define GATE_PRESENT	0x80
#define STUB_SIZE	16	/* see isr-stubs.S.inc */

/* 64-bit available TSS descriptor type, SDM vol 3, 3.5 (table 3-2) */
#define DESC_TSS_AVAIL	0x89

/* IST slot for exceptions that must not run on a possibly bad stack. */
#define IST_CRITICAL	1

struct cpu_desc {
	u64 gdt[GDT_ENTRIES];
	cpu_tss_t tss;
} __attribute__((aligned(16)));

/* Pointer-sized on both arches: EX_FIXUP_END (processor.h) */
struct ex_table_entry {
	uintptr_t insn;
	uintptr_t fixup;
};

struct catch_ctx {
	u64 jb[8];	/* setjmp buffer, cstart64.S */
	struct ex_result result;
};

extern char isr_stubs[];
extern u64 boot_gdt[];
extern struct ex_table_entry __ex_table_start[], __ex_table_end[];
int setjmp(u64 *jb) __attribute__((returns_twice));
#ifdef __x86_64__
void longjmp(u64 *jb, int val) __attribute__((noreturn));
#else
/* cstart32.S: arguments in EAX and EDX (see do_exception()) */
void longjmp(u64 *jb, int val) __attribute__((noreturn, regparm(3)));
#endif

static struct idt_gate idt[256] __attribute__((aligned(16)));
static exception_handler_t handlers[256];
static struct cpu_desc cpu_desc[MAX_CPUS];
static u8 ist_stacks[MAX_CPUS][IST_STACK_SIZE] __attribute__((aligned(16)));

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

void set_idt_entry(unsigned vector, void *handler_addr, unsigned dpl,
		   unsigned ist)
{
	u64 a = (uintptr_t)handler_addr;
	struct idt_gate *g = &idt[vector & 0xff];

	g->offset0 = a & 0xffff;
	g->selector = KERNEL_CS;
	g->type_attr = GATE_PRESENT | ((dpl & 3) << 5) | GATE_INTERRUPT;
	g->offset1 = (a >> 16) & 0xffff;
#ifdef __x86_64__
	g->ist = ist & 7;
	g->offset2 = a >> 32;
	g->reserved = 0;
#else
	(void)ist;
	g->ist = 0;
#endif
}

void reset_idt_entry(unsigned vector)
{
	unsigned ist = 0;

	if (vector == NMI_VECTOR || vector == DF_VECTOR || vector == MC_VECTOR)
		ist = IST_CRITICAL;
	set_idt_entry(vector, isr_stubs + vector * STUB_SIZE, 0, ist);
}

void idt_init(void)
{
	unsigned v;

	for (v = 0; v < 256; v++)
		reset_idt_entry(v);
}

void cpu_desc_init(unsigned cpu)
{
	struct cpu_desc *d = &cpu_desc[cpu];
	u64 base = (uintptr_t)&d->tss;
	u64 limit = sizeof(d->tss) - 1;
	struct desc_ptr gdtr = { sizeof(d->gdt) - 1, (uintptr_t)d->gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	unsigned i;

	for (i = 0; i < GDT_ENTRIES; i++)
		d->gdt[i] = boot_gdt[i];
	memset(&d->tss, 0, sizeof(d->tss));
#ifdef __x86_64__
	d->tss.ist[IST_CRITICAL - 1] = (uintptr_t)ist_stacks[cpu] +
				       IST_STACK_SIZE;
#else
	/* the ring 0 stack for an interrupt from ring 3 (SDM vol 3, 6.12.1) */
	d->tss.esp0 = (uintptr_t)ist_stacks[cpu] + IST_STACK_SIZE;
	d->tss.ss0 = KERNEL_DS;
#endif
	/* no I/O permission bitmap: base beyond the limit, SDM vol 1, 19.5.2 */
	d->tss.iomap_base = sizeof(d->tss);

	/* SDM vol 3, 8.2.3 (figure 8-4): 16-byte TSS descriptor */
	d->gdt[TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			      ((u64)DESC_TSS_AVAIL << 40) |
			      (((limit >> 16) & 0xf) << 48) |
			      (((base >> 24) & 0xff) << 56);
#ifdef __x86_64__
	d->gdt[TSS_SEL / 8 + 1] = base >> 32;
#else
	/* SDM vol 3, 3.4.5 (figure 3-8): GS reaches this CPU's percpu. */
	base = (uintptr_t)percpu_of(cpu);
	limit = sizeof(struct percpu) - 1;
	d->gdt[PERCPU_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				 ((u64)DESC_DATA_RW << 40) |
				 ((u64)DESC_DB << 52) |
				 (((base >> 24) & 0xff) << 56);
#endif

	asm volatile("lgdt %0" :: "m"(gdtr) : "memory");
	asm volatile("ltr %w0" :: "r"(TSS_SEL) : "memory");
	asm volatile("lidt %0" :: "m"(idtr) : "memory");
#ifdef __i386__
	asm volatile("mov %0, %%gs" :: "r"(PERCPU_SEL) : "memory");
#endif
}

cpu_tss_t *this_cpu_tss(void)
{
	return &cpu_desc[this_cpu()->cpu].tss;
}

exception_handler_t handle_exception(u8 vector, exception_handler_t handler)
{
	exception_handler_t old = handlers[vector];

	handlers[vector] = handler;
	return old;
}

const char *exception_mnemonic(unsigned vector)
{
	static const char *const names[32] = {
		[DE_VECTOR] = "#DE", [DB_VECTOR] = "#DB", [NMI_VECTOR] = "NMI",
		[BP_VECTOR] = "#BP", [OF_VECTOR] = "#OF", [BR_VECTOR] = "#BR",
		[UD_VECTOR] = "#UD", [NM_VECTOR] = "#NM", [DF_VECTOR] = "#DF",
		[TS_VECTOR] = "#TS", [NP_VECTOR] = "#NP", [SS_VECTOR] = "#SS",
		[GP_VECTOR] = "#GP", [PF_VECTOR] = "#PF", [MF_VECTOR] = "#MF",
		[AC_VECTOR] = "#AC", [MC_VECTOR] = "#MC", [XM_VECTOR] = "#XM",
		[VE_VECTOR] = "#VE", [CP_VECTOR] = "#CP",
	};

	if (vector < 32 && names[vector])
		return names[vector];
	return vector < 32 ? "reserved" : "vector";
}

struct ex_result run_catching(void (*fn)(void *), void *arg)
{
	struct percpu *c = this_cpu();
	struct catch_ctx ctx;
	void *outer = c->catch_ctx;

	memset(&ctx, 0, sizeof(ctx));
	if (setjmp(ctx.jb) == 0) {
		c->catch_ctx = &ctx;
		fn(arg);
	}
	c->catch_ctx = outer;
	return ctx.result;
}

static void unhandled(struct ex_regs *regs)
{
	printf("Unhandled %s %s (vector %lu) on CPU %u at rip %#lx: "
	       "error code %#lx, cr2 %#lx, rsp %#lx, rflags %#lx\n",
	       regs->vector < 32 ? "exception" : "interrupt",
	       exception_mnemonic(regs->vector), (unsigned long)regs->vector,
	       this_cpu()->cpu, (unsigned long)regs->rip,
	       (unsigned long)regs->error_code, (unsigned long)read_cr2(),
	       (unsigned long)regs->rsp, (unsigned long)regs->rflags);
	abort();
}

void do_exception(struct ex_regs *regs);

void do_exception(struct ex_regs *regs)
{
	struct percpu *c = this_cpu();
	struct ex_table_entry *e;
	exception_handler_t h;

	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == regs->rip) {
			c->ex_vector = regs->vector;
			c->ex_error_code = regs->error_code;
			c->ex_cr2 = read_cr2();
			c->ex_rip = regs->rip;
			regs->rip = e->fixup;
			return;
		}
	}

	h = handlers[regs->vector & 0xff];
	if (h) {
		h(regs);
		return;
	}

	if (c->catch_ctx && regs->vector < 32) {
		struct catch_ctx *ctx = c->catch_ctx;

		ctx->result.raised = true;
		ctx->result.vector = regs->vector;
		ctx->result.error_code = regs->error_code;
		ctx->result.cr2 = read_cr2();
		ctx->result.rip = regs->rip;
		/* Resume in longjmp(ctx->jb, 1) after IRET restores RFLAGS. */
#ifdef __x86_64__
		regs->rdi = (uintptr_t)ctx->jb;
		regs->rsi = 1;
#else
		regs->rax = (uintptr_t)ctx->jb;
		regs->rdx = 1;
#endif
		regs->rip = (uintptr_t)longjmp;
		/* From ring 3 (usermode.c): resume in ring 0, RFLAGS fixed
		 * bit only (the caller restores its own). */
		if (regs->cs & 3) {
			regs->cs = KERNEL_CS;
			regs->rflags = X86_EFLAGS_FIXED;
#ifdef __x86_64__
			/* IRETQ pops SS:RSP at any CPL (SDM vol 3, 6.14.3);
			 * longjmp replaces the ring 3 RSP at once. */
			regs->ss = KERNEL_DS;
#endif
			/* i386: an IRET that stays at CPL 0 pops EIP, CS and
			 * EFLAGS only (SDM vol 2A, IRET), so the ring 3 ESP
			 * and SS the CPU pushed (6.12.1) stay behind on the
			 * TSS.ESP0 stack, which longjmp leaves. */
		}
		return;
	}

	unhandled(regs);
}
