// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exception dispatch shared by both arches: handlers per vector and per
 * exception class, run_catching() and run_in_user().
 */
#include "libcflat.h"
#include "arm/exceptions.h"
#include "arm/smp.h"

#define USER_STACK_SIZE	(16 * KiB)
#define NR_EC		64

static exception_fn vector_handlers[VEC_COUNT];
static exception_fn ec_handlers[2][NR_EC];

void install_vector_handler(unsigned vector, exception_fn fn)
{
	assert(vector < VEC_COUNT);
	vector_handlers[vector] = fn;
}

void install_ec_handler(bool user, unsigned ec, exception_fn fn)
{
	assert(ec < NR_EC);
	ec_handlers[user][ec] = fn;
}

static const char *const kind_names[] = {
	[EXC_NONE] = "none", [EXC_UNDEF] = "undefined instruction",
	[EXC_SVC] = "supervisor call", [EXC_PABT] = "prefetch abort",
	[EXC_DABT] = "data abort", [EXC_BKPT] = "breakpoint",
	[EXC_WATCH] = "watchpoint", [EXC_SSTEP] = "software step",
	[EXC_BRK] = "breakpoint instruction", [EXC_IRQ] = "IRQ",
	[EXC_FIQ] = "FIQ", [EXC_SERROR] = "SError",
	[EXC_OTHER] = "other",
};

const char *exc_kind_name(enum exc_kind kind)
{
	return (unsigned)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

void exc_describe(const struct exc_info *info, char *buf, size_t size)
{
	bool abort = info->kind == EXC_DABT || info->kind == EXC_PABT ||
		     info->kind == EXC_WATCH;
	char fsc[64] = "";

	if (abort)
		snprintf(fsc, sizeof(fsc), ", FSC %#x: %s%s", info->fsc,
			 exc_fsc_name(info->fsc),
			 info->write ? ", write" : "");
	snprintf(buf, size,
		 "%s from %s, vector %u, syndrome %#x (EC %#x%s), FAR %#lx, "
		 "PC %#lx", exc_kind_name(info->kind),
		 info->user ? "user" : "kernel", info->vector, info->syndrome,
		 info->ec, fsc, (unsigned long)info->far,
		 (unsigned long)info->pc);
}

void do_exception(struct pt_regs *regs, unsigned vector)
{
	struct cpu *cpu = this_cpu();
	struct exc_info info;
	exception_fn fn = NULL;
	char desc[200];

	exc_decode(regs, vector, &info);
	if (info.kind == EXC_SVC && info.user && info.imm == SVC_USER_RETURN &&
	    cpu->in_user) {
		info.kind = EXC_NONE;
		*cpu->catch_info = info;
		arm_longjmp(cpu->catch_buf, 1);
	}
#ifdef __aarch64__
	if (info.kind != EXC_IRQ && info.kind != EXC_FIQ &&
	    info.kind != EXC_SERROR)
		fn = ec_handlers[info.user][info.ec];
#endif
	if (!fn)
		fn = vector_handlers[vector];
	if (fn) {
		fn(regs, &info);
		return;
	}
	if (cpu->catch_buf) {
		*cpu->catch_info = info;
		arm_longjmp(cpu->catch_buf, 1);
	}
	exc_describe(&info, desc, sizeof(desc));
	printf("FAIL: unhandled exception on CPU %u: %s\n", cpu->id, desc);
	abort();
}

enum exc_kind run_catching(void (*fn)(void *), void *arg, struct exc_info *info)
{
	struct cpu *cpu = this_cpu();
	struct jmpbuf buf, *old_buf = cpu->catch_buf;
	struct exc_info *old_info = cpu->catch_info;

	memset(info, 0, sizeof(*info));
	cpu->catch_info = info;
	cpu->catch_buf = &buf;
	if (arm_setjmp(&buf) == 0)
		fn(arg);
	cpu->catch_buf = old_buf;
	cpu->catch_info = old_info;
	return info->kind;
}

enum exc_kind run_in_user(void (*fn)(void *), void *arg, struct exc_info *info)
{
	struct cpu *cpu = this_cpu();
	struct jmpbuf buf, *old_buf = cpu->catch_buf;
	struct exc_info *old_info = cpu->catch_info;
	char *stack = memalign(16, USER_STACK_SIZE);

	assert(stack);
	memset(info, 0, sizeof(*info));
	cpu->catch_info = info;
	cpu->catch_buf = &buf;
	if (arm_setjmp(&buf) == 0) {
		cpu->in_user = 1;
		arm_enter_user(fn, arg, stack + USER_STACK_SIZE);
	}
	cpu->in_user = 0;
	cpu->catch_buf = old_buf;
	cpu->catch_info = old_info;
	free(stack);
	return info->kind;
}
