// SPDX-License-Identifier: GPL-2.0-only
/* CPUs from the device tree, started through PSCI CPU_ON on first use. */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/mmu.h"
#include "arm/psci.h"
#include "arm/setup.h"
#include "arm/smp.h"

#define CPU_STACK_SIZE	(16 * KiB)

BUILD_BUG_ON(offsetof(struct cpu, stack_top) != CPU_STACK_TOP);

unsigned nr_cpus = 1;
static struct cpu cpus[MAX_CPUS];
void (*secondary_init_hook)(void);

struct cpu *cpu_of(unsigned cpu)
{
	assert_msg(cpu < nr_cpus, "CPU %u of %u", cpu, nr_cpus);
	return &cpus[cpu];
}

u64 cpu_mpidr(unsigned cpu)
{
	return cpu_of(cpu)->mpidr;
}

int cpu_by_mpidr(u64 mpidr)
{
	for (unsigned i = 0; i < nr_cpus; i++)
		if (cpus[i].mpidr == (mpidr & MPIDR_AFF_MASK))
			return i;
	return -1;
}

bool cpu_online(unsigned cpu)
{
	return cpu_of(cpu)->online;
}

#ifndef __aarch64__
void arm_set_mode_stacks(void *top);	/* lib/arm/32/entry.S */
#endif

/* The exception modes' scratch (arm only: AArch64 has one EL1 stack). */
static void mode_stacks_init(struct cpu *cpu)
{
#ifndef __aarch64__
	arm_set_mode_stacks(&cpu->exc_scratch[ARRAY_SIZE(cpu->exc_scratch)]);
#else
	(void)cpu;
#endif
}

void smp_early_init(void)
{
	mode_stacks_init(&cpus[0]);
	cpus[0].online = 1;
	cpus[0].mpidr = mpidr_read() & MPIDR_AFF_MASK;
	percpu_ptr_write(&cpus[0]);
}

static void add_cpu(int node, u64 id, void *data)
{
	unsigned *n = data;

	(void)node;
	if (*n >= MAX_CPUS)
		return;
	/* the boot CPU is number 0 wherever the DT lists it */
	if ((id & MPIDR_AFF_MASK) == cpus[0].mpidr) {
		cpus[0].id = 0;
		return;
	}
	if (*n == 0)
		*n = 1;
	cpus[*n].mpidr = id & MPIDR_AFF_MASK;
	cpus[*n].id = *n;
	(*n)++;
}

void smp_init(void)
{
	unsigned n = 0;

	dt_for_each_cpu(add_cpu, &n);
	nr_cpus = n ? n : 1;
}

void setup_secondary(void *arg)
{
	struct cpu *cpu = arg;

	percpu_ptr_write(cpu);
	mode_stacks_init(cpu);
	mmu_enable_this_cpu();
	if (secondary_init_hook)
		secondary_init_hook();
	cpu->online = 1;
	dsb(ish);
	sev();
	for (;;) {
		void (*fn)(void *);
		void *data;

		while (!(fn = cpu->work))
			wfe();
		data = cpu->work_data;
		cpu->work = NULL;
		fn(data);
		dmb(ish);
		cpu->busy = 0;
		dsb(ish);
		sev();
	}
}

int smp_boot_cpu(unsigned n)
{
	struct cpu *cpu = cpu_of(n);
	int ret;

	if (cpu->online)
		return 0;
	if (!cpu->stack_top) {
		char *stack = memalign(16, CPU_STACK_SIZE);

		assert(stack);
		cpu->stack_top = (uintptr_t)stack + CPU_STACK_SIZE;
	}
	/* it reads its struct cpu and pushes to its stack with the MMU (and
	 * so its caches) off: no dirty line of ours may cover either */
	dcache_clean_inval_range((uintptr_t)cpu, (uintptr_t)(cpu + 1));
	dcache_clean_inval_range(cpu->stack_top - CPU_STACK_SIZE,
				 cpu->stack_top);
	ret = psci_cpu_on(cpu->mpidr, virt_to_phys(secondary_entry),
			  (uintptr_t)cpu);
	if (ret)
		return ret;
	while (!cpu->online)
		wfe();
	return 0;
}

void smp_mark_offline(unsigned n)
{
	struct cpu *cpu = cpu_of(n);

	cpu->online = 0;
	cpu->work = NULL;
	cpu->busy = 0;
}

bool cpu_idle(unsigned n)
{
	return !cpu_of(n)->busy;
}

void wait_cpu_idle(unsigned n)
{
	while (cpu_of(n)->busy)
		wfe();
}

void on_cpu_async(unsigned n, void (*fn)(void *), void *data)
{
	struct cpu *cpu = cpu_of(n);
	int ret;

	if (n == smp_id()) {
		fn(data);
		return;
	}
	ret = smp_boot_cpu(n);
	assert_msg(!ret, "PSCI CPU_ON of CPU %u: %d", n, ret);
	wait_cpu_idle(n);
	cpu->busy = 1;
	cpu->work_data = data;
	dmb(ish);
	cpu->work = fn;
	dsb(ish);
	sev();
}

void on_cpu(unsigned n, void (*fn)(void *), void *data)
{
	on_cpu_async(n, fn, data);
	wait_cpu_idle(n);
}

void on_cpus(void (*fn)(void *), void *data)
{
	unsigned self = smp_id();

	for (unsigned i = 0; i < nr_cpus; i++)
		if (i != self)
			on_cpu_async(i, fn, data);
	fn(data);
	for (unsigned i = 0; i < nr_cpus; i++)
		wait_cpu_idle(i);
}
