/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPUs: the device tree's /cpus children, numbered 0..nr_cpus-1 with the
 * boot CPU as 0 (numbers are not MPIDRs: cpu_mpidr()). Secondaries stay off
 * until first asked for work; then PSCI CPU_ON starts them and they wait
 * for work posted with on_cpu() / on_cpu_async() / on_cpus().
 */
#ifndef ARM_SMP_H
#define ARM_SMP_H

#include "libcflat.h"
#include "arm/sysreg.h"
#include "arm/exceptions.h"

#define MAX_CPUS	64

struct jmpbuf {
	unsigned long r[16];
};

struct cpu {
	unsigned id;			/* offset 0 */
	unsigned pad;
	uintptr_t stack_top;		/* CPU_STACK_TOP: entry.S reads it */
	u64 mpidr;			/* affinity fields, from the DT reg */
	volatile int online;
	void (*volatile work)(void *);
	void *volatile work_data;
	volatile int busy;
	struct jmpbuf *catch_buf;
	struct exc_info *catch_info;
	int in_user;
	u32 exc_scratch[4];		/* arm: the exception stubs' scratch */
};

extern unsigned nr_cpus;

static inline struct cpu *this_cpu(void)
{
	return percpu_ptr_read();
}

static inline unsigned smp_id(void)
{
	return this_cpu()->id;
}

struct cpu *cpu_of(unsigned cpu);
u64 cpu_mpidr(unsigned cpu);
/* The CPU number of @mpidr's affinity, or -1. */
int cpu_by_mpidr(u64 mpidr);
/* MPIDR affinity fields (Aff3 on aarch64 only), without U/MT bits. */
#define MPIDR_AFF_MASK	0xff00ffffffull

/* Start @cpu now (PSCI CPU_ON); 0 or the PSCI error. */
int smp_boot_cpu(unsigned cpu);
bool cpu_online(unsigned cpu);
/* A CPU the test turned off itself (PSCI CPU_OFF) is offline again. */
void smp_mark_offline(unsigned cpu);

/* Run fn(data) on @cpu (starting it if needed) and wait until it returns;
 * directly if @cpu is the caller. */
void on_cpu(unsigned cpu, void (*fn)(void *), void *data);
void on_cpu_async(unsigned cpu, void (*fn)(void *), void *data);
/* Every CPU, the caller included; waits for all. */
void on_cpus(void (*fn)(void *), void *data);
void wait_cpu_idle(unsigned cpu);
bool cpu_idle(unsigned cpu);

/* entry.S */
int arm_setjmp(struct jmpbuf *buf) __attribute__((returns_twice));
void arm_longjmp(struct jmpbuf *buf, int val) __attribute__((noreturn));
void arm_enter_user(void (*fn)(void *), void *arg, void *sp)
	__attribute__((noreturn));
extern char secondary_entry[], user_return[];

#endif
