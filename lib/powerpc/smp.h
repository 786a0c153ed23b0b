/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPUs of the partition: one struct cpu per hardware thread the device
 * tree lists (/cpus/<core>/ibm,ppc-interrupt-server#s), indexed 0..nr_cpus-1
 * with the boot CPU first. Secondaries are started by RTAS start-cpu
 * (PAPR, start-cpu) during setup and wait for work.
 */
#ifndef POWERPC_SMP_H
#define POWERPC_SMP_H

#include "libcflat.h"

#define NR_CPUS_MAX	64

struct cpu {
	u64 stack_top;		/* first: entry.S reads it */
	int id;			/* index in cpus[] */
	u32 server;		/* the thread's interrupt server number */
	void (*work)(void *data);
	void *work_data;
	int busy;
	int online;
	void *stack;
	u32 taken;		/* work items started, for on_cpu_async() */
};

extern struct cpu cpus[NR_CPUS_MAX];
extern int nr_cpus;

/* This CPU's struct cpu (r13, set by entry.S and setup). */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__("mr %0, 13" : "=r"(c));
	return c;
}

static inline int smp_id(void)
{
	struct cpu *c = this_cpu();

	return c ? c->id : 0;
}

/* Run @fn(@data) on CPU @cpu and wait until it returns. */
void on_cpu(int cpu, void (*fn)(void *data), void *data);
/* Start @fn(@data) on CPU @cpu: returns once that CPU has begun it, not
 * when it ends (on_cpu_wait() waits for that). */
void on_cpu_async(int cpu, void (*fn)(void *data), void *data);
void on_cpu_wait(int cpu);
/* Run @fn(@data) on every CPU, this one included, and wait for all. */
void on_cpus(void (*fn)(void *data), void *data);

/* Setup's part: find the CPUs, start the secondaries. */
void smp_init(void);

#endif
