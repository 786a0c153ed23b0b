/*
 * Several CPUs (PAPR, RTAS processor control calls): work runs on each; an
 * inter-processor interrupt (XICS H_IPI) reaches exactly its target as an
 * external interrupt with source 2; a CPU that stops itself with RTAS
 * stop-self is seen stopped by query-cpu-stopped-state and runs again
 * after start-cpu, which refuses a CPU that runs or waits in H_CEDE.
 */
#include "libcflat.h"
#include "powerpc/exceptions.h"
#include "powerpc/hcall.h"
#include "powerpc/processor.h"
#include "powerpc/rtas.h"
#include "powerpc/smp.h"
#include "powerpc/xics.h"

#define WAIT_US		(30 * 1000 * 1000)	/* generous: a loaded host */
/* query-cpu-stopped-state outputs (PAPR, query-cpu-stopped-state) */
#define CPU_STATE_STOPPED	0
#define CPU_STATE_STOPPING	1
#define CPU_STATE_RUNNING	2

extern char secondary_entry[];

static int ran[NR_CPUS_MAX];
static int ipis[NR_CPUS_MAX];
static long last_xirr[NR_CPUS_MAX];

static void count_run(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ran[smp_id()], 1, __ATOMIC_SEQ_CST);
}

static void external(struct pt_regs *regs, void *data)
{
	int me = smp_id();
	long xirr = xics_xirr();

	(void)regs;
	(void)data;
	last_xirr[me] = xirr;
	if (xirr >= 0 && XIRR_SOURCE(xirr) == XICS_IPI_SOURCE) {
		/* withdraw the request, then end the interrupt */
		xics_ipi(cpus[me].server, XICS_PRIO_NONE);
		ipis[me]++;
	}
	if (xirr >= 0)
		xics_eoi((u32)xirr);
}

static bool wait_for(volatile int *p, int want)
{
	u64 t0 = get_tb();

	while (*p < want) {
		if (get_tb() - t0 > WAIT_US * (tb_hz / 1000000))
			return false;
		cpu_relax();
	}
	return true;
}

static void await_ipi(void *arg)
{
	(void)arg;
	xics_cppr(XICS_PRIO_NONE);
	local_irq_enable();
	wait_for(&ipis[smp_id()], 1);
	local_irq_disable();
}

static void test_on_cpus(void)
{
	int i, bad = 0;

	on_cpus(count_run, NULL);
	for (i = 0; i < nr_cpus; i++)
		bad += ran[i] != 1;
	report(!bad, "on_cpus: each of %d CPUs ran once (%d did not)",
	       nr_cpus, bad);
}

static void test_ipi(int target)
{
	long ret;

	ipis[target] = 0;
	last_xirr[target] = -1;
	on_cpu_async(target, await_ipi, NULL);
	udelay(1000);
	ret = xics_ipi(cpus[target].server, XICS_PRIO_MOST + 5);
	on_cpu_wait(target);
	/* the sender opens its own window: an IPI wrongly raised here
	 * would be taken now and counted */
	xics_cppr(XICS_PRIO_NONE);
	local_irq_enable();
	udelay(1000);
	local_irq_disable();
	xics_cppr(XICS_PRIO_MOST);
	report(ret == H_SUCCESS && ipis[target] == 1,
	       "IPI to CPU %d (server %u): H_IPI %ld, taken %d time(s), "
	       "XIRR %#lx (want source %d)", target, cpus[target].server,
	       ret, ipis[target], last_xirr[target], XICS_IPI_SOURCE);
	report(ipis[0] == 0, "the sender, taking interrupts for 1 ms after, "
	       "took none (%d)", ipis[0]);
}

static void stop_self(void *arg)
{
	(void)arg;
	__atomic_store_n(&this_cpu()->online, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&this_cpu()->busy, 0, __ATOMIC_RELEASE);
	/* stop-self returns only if it failed, or if something woke the
	 * stopped thread: QEMU TCG's H_PROD does (h_prod() clears halted),
	 * and on_cpu_async() may send one late (lib/powerpc/smp.c): stop
	 * again, start-cpu enters elsewhere */
	for (;;)
		rtas_stop_self();
}

static int stopped_state(int cpu)
{
	int state = -1, status;

	status = rtas_call_named("query-cpu-stopped-state", 1, 2, &state,
				 (int)cpus[cpu].server);
	return status == RTAS_SUCCESS ? state : -100 + status;
}

static volatile int spin_release;

static void spin_busy(void *arg)
{
	(void)arg;
	while (!spin_release)
		cpu_relax();
}

static int start_cpu_again(int cpu)
{
	return rtas_call_named("start-cpu", 3, 1, NULL, (int)cpus[cpu].server,
			       (int)(uintptr_t)secondary_entry,
			       (int)(uintptr_t)&cpus[cpu]);
}

/*
 * PAPR, query-cpu-stopped-state and start-cpu: only a thread that
 * stop-self stopped (or that never started) is in the RTAS stopped state
 * and may be started; a thread that runs, or waits in H_CEDE (as our idle
 * secondaries do), is not.
 */
static void test_stop_start(int cpu)
{
	u64 t0;
	int state, status;

	if (rtas_token("stop-self") < 0 ||
	    rtas_token("query-cpu-stopped-state") < 0) {
		report_skip("no stop-self or query-cpu-stopped-state in /rtas");
		return;
	}
	udelay(10000);	/* let it go back to H_CEDE */
	state = stopped_state(cpu);
	report(state == CPU_STATE_RUNNING, "CPU %d idle in H_CEDE: not in the "
	       "RTAS stopped state (state %d, want %d)", cpu, state,
	       CPU_STATE_RUNNING);
	status = start_cpu_again(cpu);
	report(status != RTAS_SUCCESS, "start-cpu of a CPU in H_CEDE fails "
	       "(status %d, want nonzero)", status);
	if (status == RTAS_SUCCESS)	/* it re-entered secondary_main */
		udelay(10000);

	spin_release = 0;
	on_cpu_async(cpu, spin_busy, NULL);
	udelay(1000);
	state = stopped_state(cpu);
	report(state == CPU_STATE_RUNNING, "CPU %d running: not stopped (state "
	       "%d, want %d)", cpu, state, CPU_STATE_RUNNING);
	status = start_cpu_again(cpu);
	report(status != RTAS_SUCCESS, "start-cpu of a running CPU fails "
	       "(status %d, want nonzero)", status);
	spin_release = 1;
	on_cpu_wait(cpu);

	on_cpu_async(cpu, stop_self, NULL);
	t0 = get_tb();
	do {
		state = stopped_state(cpu);
	} while (state != CPU_STATE_STOPPED &&
		 get_tb() - t0 < WAIT_US * (tb_hz / 1000000));
	report(state == CPU_STATE_STOPPED, "after stop-self: stopped (state "
	       "%d, want %d)", state, CPU_STATE_STOPPED);
	if (state != CPU_STATE_STOPPED)
		return;
	status = start_cpu_again(cpu);
	report(status == RTAS_SUCCESS && wait_for(&cpus[cpu].online, 1),
	       "start-cpu brings it back (status %d, online %d)", status,
	       cpus[cpu].online);
	ran[cpu] = 0;
	on_cpu(cpu, count_run, NULL);
	report(ran[cpu] == 1, "and it runs work again");
}

int main(void)
{
	int i;

	report_prefix_push("smp");
	if (nr_cpus < 2) {
		report_skip("one CPU: run with smp >= 2");
		return report_summary();
	}
	handle_exception(VEC_EXTERNAL, external, NULL);
	test_on_cpus();
	for (i = 1; i < nr_cpus; i++)
		test_ipi(i);
	test_stop_start(nr_cpus - 1);
	return report_summary();
}
