// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUs from the device tree, secondaries started through RTAS start-cpu
 * (PAPR, start-cpu), work handed over through struct cpu.
 */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"
#include "powerpc/rtas.h"
#include "powerpc/smp.h"

#define SECONDARY_STACK	(32 * 1024)
/* How long a secondary may take to come up before setup gives up. */
#define START_TIMEOUT_US	(30 * 1000 * 1000)

struct cpu cpus[NR_CPUS_MAX];
int nr_cpus;

extern char secondary_entry[];	/* entry.S */
void secondary_main(struct cpu *self) __attribute__((noreturn));

struct cpu_scan {
	u32 boot;
	bool boot_seen;
};

/* One core node: every thread it lists (PAPR, CPU node properties,
 * ibm,ppc-interrupt-server#s), the reg value alone when absent. */
static void add_core(int node, u64 id, void *data)
{
	struct cpu_scan *scan = data;
	const u32 *servers;
	int len, i, n;

	servers = dt_get_prop(node, "ibm,ppc-interrupt-server#s", &len);
	n = servers ? len / 4 : 1;
	for (i = 0; i < n; i++) {
		u32 server = servers ? dt_u32(&servers[i]) : (u32)id;
		struct cpu *c;

		if (nr_cpus >= NR_CPUS_MAX) {
			printf("INFO: more than %d CPUs, the rest unused\n",
			       NR_CPUS_MAX);
			return;
		}
		if (server == scan->boot && !scan->boot_seen) {
			/* the boot CPU is cpus[0]: move whoever is there */
			cpus[nr_cpus] = cpus[0];
			cpus[nr_cpus].id = nr_cpus;
			c = &cpus[0];
			scan->boot_seen = true;
		} else {
			c = &cpus[nr_cpus];
			c->id = nr_cpus;
		}
		c->server = server;
		nr_cpus++;
	}
}

static void start_cpu(struct cpu *c)
{
	int ret;
	u64 t0;

	c->stack = memalign(SECONDARY_STACK, SECONDARY_STACK);
	assert(c->stack);
	c->stack_top = (u64)(uintptr_t)c->stack + SECONDARY_STACK;
	sync();
	ret = rtas_call_named("start-cpu", 3, 1, NULL, (int)c->server,
			      (int)(uintptr_t)secondary_entry,
			      (int)(uintptr_t)c);
	assert_msg(ret == RTAS_SUCCESS, "start-cpu %u: status %d", c->server,
		   ret);
	t0 = get_tb();
	while (!READ_ONCE(c->online)) {
		cpu_relax();
		assert_msg(get_tb() - t0 < START_TIMEOUT_US * (tb_hz / 1000000),
			   "CPU %d (server %u) never came up", c->id,
			   c->server);
	}
}

void smp_init(void)
{
	struct cpu_scan scan = {
		.boot = fdt_boot_cpuid_phys(dt_fdt()),
	};
	int i;

	nr_cpus = 0;
	dt_for_each_cpu(add_core, &scan);
	if (!nr_cpus)
		nr_cpus = 1;
	cpus[0].id = 0;
	cpus[0].online = 1;
	__asm__ __volatile__("mr 13, %0" :: "r"(&cpus[0]));
	for (i = 1; i < nr_cpus; i++)
		start_cpu(&cpus[i]);
}

/*
 * An idle secondary cedes its thread to the hypervisor (PAPR, H_CEDE)
 * rather than spin: under TCG a spinning vCPU is a host thread at 100%.
 * on_cpu_async() wakes it with H_PROD, whose prod flag (QEMU
 * hw/ppc/spapr_hcall.c, h_prod/h_cede) makes the next H_CEDE return at
 * once when the thread had not ceded yet. QEMU 7.2 TCG clears that flag
 * whenever the thread re-enters its execution loop (spapr_cpu_exec_enter()
 * in hw/ppc/spapr.c), and H_PROD's own kick makes a running thread do
 * that: a prod that lands between the thread's check of busy and its
 * H_CEDE is lost, and the thread slept for ever (atomics hung in about 1
 * run in 50). So on_cpu_async() prods again every REPROD_US until the
 * thread has taken the work (taken moves): a ceded thread always wakes
 * from a prod. H_CEDE returns with MSR[EE] set; work starts with it
 * clear, as on CPU 0.
 */
#define REPROD_US	1000

void secondary_main(struct cpu *self)
{
	void (*fn)(void *);

	__atomic_store_n(&self->online, 1, __ATOMIC_RELEASE);
	for (;;) {
		while (!__atomic_load_n(&self->busy, __ATOMIC_ACQUIRE)) {
			hcall_status(H_CEDE);
			local_irq_disable();
		}
		fn = self->work;
		__atomic_store_n(&self->taken, self->taken + 1,
				 __ATOMIC_RELEASE);
		fn(self->work_data);
		__atomic_store_n(&self->busy, 0, __ATOMIC_RELEASE);
	}
}

void on_cpu_async(int cpu, void (*fn)(void *data), void *data)
{
	struct cpu *c = &cpus[cpu];
	u64 t0, reprod = REPROD_US * (tb_hz / 1000000);
	u32 taken;

	assert_msg(cpu >= 0 && cpu < nr_cpus, "on_cpu: no CPU %d", cpu);
	assert_msg(cpu != smp_id(), "on_cpu_async: CPU %d is the caller", cpu);
	while (__atomic_load_n(&c->busy, __ATOMIC_ACQUIRE))
		cpu_relax();
	taken = __atomic_load_n(&c->taken, __ATOMIC_ACQUIRE);
	c->work = fn;
	c->work_data = data;
	__atomic_store_n(&c->busy, 1, __ATOMIC_RELEASE);
	hcall_status(H_PROD, (unsigned long)c->server);
	t0 = get_tb();
	while (__atomic_load_n(&c->taken, __ATOMIC_ACQUIRE) == taken) {
		if (get_tb() - t0 > reprod) {
			hcall_status(H_PROD, (unsigned long)c->server);
			t0 = get_tb();
		}
		cpu_relax();
	}
}

void on_cpu_wait(int cpu)
{
	while (__atomic_load_n(&cpus[cpu].busy, __ATOMIC_ACQUIRE))
		cpu_relax();
}

void on_cpu(int cpu, void (*fn)(void *data), void *data)
{
	if (cpu == smp_id()) {
		fn(data);
		return;
	}
	on_cpu_async(cpu, fn, data);
	on_cpu_wait(cpu);
}

void on_cpus(void (*fn)(void *data), void *data)
{
	int i, me = smp_id();

	for (i = 0; i < nr_cpus; i++)
		if (i != me)
			on_cpu_async(i, fn, data);
	fn(data);
	for (i = 0; i < nr_cpus; i++)
		if (i != me)
			on_cpu_wait(i);
}
