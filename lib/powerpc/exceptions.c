// SPDX-License-Identifier: GPL-2.0-only
/* Interrupt dispatch: a handler per vector, run_catching(), and the
 * failure text for an interrupt nobody expected. */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/smp.h"

BUILD_BUG_ON(sizeof(struct pt_regs) != PT_SIZE);
BUILD_BUG_ON(offsetof(struct pt_regs, nip) != PT_NIP);
BUILD_BUG_ON(offsetof(struct pt_regs, msr) != PT_MSR);
BUILD_BUG_ON(offsetof(struct pt_regs, ctr) != PT_CTR);
BUILD_BUG_ON(offsetof(struct pt_regs, link) != PT_LR);
BUILD_BUG_ON(offsetof(struct pt_regs, xer) != PT_XER);
BUILD_BUG_ON(offsetof(struct pt_regs, ccr) != PT_CR);
BUILD_BUG_ON(offsetof(struct pt_regs, dar) != PT_DAR);
BUILD_BUG_ON(offsetof(struct pt_regs, dsisr) != PT_DSISR);
BUILD_BUG_ON(offsetof(struct pt_regs, trap) != PT_TRAP);
BUILD_BUG_ON(EXC_STACK_DROP % 16);

#define NR_VECS		(VEC_MAX / 0x20)

static struct {
	exception_fn fn;
	void *data;
} handlers[NR_VECS];

/* Per CPU: run_catching() in progress, and what it caught. */
static struct {
	bool active;
	int vec;
	struct pt_regs regs;
} catching[NR_CPUS_MAX];

void do_exception(struct pt_regs *regs);

static const struct {
	int vec;
	const char *name;
} names[] = {
	{ VEC_SYSTEM_RESET, "system reset" },
	{ VEC_MACHINE_CHECK, "machine check" },
	{ VEC_DATA_STORAGE, "data storage" },
	{ VEC_DATA_SEGMENT, "data segment" },
	{ VEC_INST_STORAGE, "instruction storage" },
	{ VEC_INST_SEGMENT, "instruction segment" },
	{ VEC_EXTERNAL, "external" },
	{ VEC_ALIGNMENT, "alignment" },
	{ VEC_PROGRAM, "program" },
	{ VEC_FP_UNAVAILABLE, "floating-point unavailable" },
	{ VEC_DECREMENTER, "decrementer" },
	{ 0x980, "hypervisor decrementer" },
	{ VEC_DOORBELL, "directed privileged doorbell" },
	{ VEC_SYSCALL, "system call" },
	{ VEC_TRACE, "trace" },
	{ VEC_PERF_MONITOR, "performance monitor" },
	{ VEC_VEC_UNAVAILABLE, "vector unavailable" },
	{ VEC_VSX_UNAVAILABLE, "VSX unavailable" },
	{ VEC_FAC_UNAVAILABLE, "facility unavailable" },
};

const char *exception_name(int vec)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].vec == vec)
			return names[i].name;
	return "unknown";
}

exception_fn handle_exception(int vec, exception_fn fn, void *data)
{
	exception_fn old;
	int slot = vec / 0x20;

	assert_msg(vec > 0 && vec < VEC_MAX && !(vec % 0x20),
		   "no vector %#x", vec);
	old = handlers[slot].fn;
	handlers[slot].data = data;
	__atomic_store_n(&handlers[slot].fn, fn, __ATOMIC_RELEASE);
	return old;
}

/* Interrupts that come from outside the instruction stream: they go to
 * their handlers even inside run_catching(). */
static bool is_async(int vec)
{
	return vec == VEC_EXTERNAL || vec == VEC_DECREMENTER ||
	       vec == VEC_DOORBELL || vec == VEC_PERF_MONITOR ||
	       vec == VEC_SYSTEM_RESET;
}

static void unhandled(struct pt_regs *regs)
{
	int vec = (int)regs->trap;

	printf("FAIL: unexpected %s interrupt (vector %#x) on CPU %d: "
	       "SRR0 %#lx SRR1 %#lx DAR %#lx DSISR %#lx LR %#lx\n",
	       exception_name(vec), vec, smp_id(),
	       (unsigned long)regs->nip, (unsigned long)regs->msr,
	       (unsigned long)regs->dar, (unsigned long)regs->dsisr,
	       (unsigned long)regs->link);
	abort();
}

void do_exception(struct pt_regs *regs)
{
	int vec = (int)regs->trap, cpu = smp_id();
	exception_fn fn;

	if (catching[cpu].active && !is_async(vec)) {
		catching[cpu].active = false;
		catching[cpu].vec = vec;
		catching[cpu].regs = *regs;
		/* sc leaves SRR0 past itself already (Book III, System Call Interrupt) */
		if (vec != VEC_SYSCALL)
			regs->nip += 4;
		return;
	}
	fn = __atomic_load_n(&handlers[vec / 0x20].fn, __ATOMIC_ACQUIRE);
	if (!fn)
		unhandled(regs);
	fn(regs, handlers[vec / 0x20].data);
}

int run_catching(void (*fn)(void *arg), void *arg, struct pt_regs *regs)
{
	int cpu = smp_id();

	catching[cpu].vec = 0;
	catching[cpu].active = true;
	barrier();
	fn(arg);
	barrier();
	catching[cpu].active = false;
	if (regs && catching[cpu].vec)
		*regs = catching[cpu].regs;
	return catching[cpu].vec;
}
