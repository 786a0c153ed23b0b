/*
 * CPUs. Setup starts every CPU QEMU reports (fw_cfg FW_CFG_NB_CPUS) with
 * INIT-SIPI-SIPI; each AP then halts, waiting for work posted with
 * on_cpu() / on_cpu_async() / on_cpus(). CPU numbers are 0..nr_cpus-1,
 * 0 is the BSP; they are not APIC IDs (see cpu_apic_id()).
 */
#ifndef X86_SMP_H
#define X86_SMP_H

#include "libcflat.h"
#include "x86/percpu.h"

extern unsigned nr_cpus;

static inline unsigned smp_id(void)
{
	u32 id;

	asm volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(PERCPU_CPU));
	return id;
}

/* APIC ID the CPU reported when it came up. */
u32 cpu_apic_id(unsigned cpu);
struct percpu *percpu_of(unsigned cpu);

/* Run fn(data) on @cpu and wait until it returns (directly if @cpu is the
 * caller). The target runs it with interrupts enabled. */
void on_cpu(unsigned cpu, void (*fn)(void *), void *data);
/* Same, returning once @cpu has the work; see wait_cpu_idle(). */
void on_cpu_async(unsigned cpu, void (*fn)(void *), void *data);
/* Run fn(data) on every CPU, the caller included; wait for all. */
void on_cpus(void (*fn)(void *), void *data);
bool cpu_idle(unsigned cpu);
void wait_cpu_idle(unsigned cpu);

void smp_init(void);
void percpu_init(unsigned cpu);

#endif
