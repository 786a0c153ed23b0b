/*
 * Every CPU QEMU was given comes up, runs work handed to it, has its own
 * APIC ID and receives fixed IPIs (SDM vol 3, "Local APIC": IPIs with
 * the fixed delivery mode, physical destination), in xAPIC mode and, where
 * CPUID has it, in x2APIC mode.
 *
 * test_args: "smp=<n>", the -smp QEMU was started with.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define IPI_TEST_VECTOR	0x60
#define IPIS_PER_CPU	3
/* Upper bound on polling for an IPI: generous for TCG on a busy host. */
#define IPI_WAIT_SPINS	100000000ul

static u32 seen_apic_id[MAX_CPUS];
static unsigned ran[MAX_CPUS];
static unsigned ipi_count[MAX_CPUS];
static unsigned ud_vector[MAX_CPUS];

static void record_cpu(void *data)
{
	unsigned me = smp_id();

	(void)data;
	seen_apic_id[me] = apic_id();
	__atomic_fetch_add(&ran[me], 1, __ATOMIC_SEQ_CST);
}

static void check_on_cpu_target(void *data)
{
	unsigned *where = data;

	*where = smp_id();
}

static void raise_ud(void *arg)
{
	(void)arg;
	asm volatile("ud2");
}

static void catch_ud(void *data)
{
	(void)data;
	ud_vector[smp_id()] = run_catching(raise_ud, NULL).vector;
}

static void ipi_handler(struct ex_regs *regs)
{
	(void)regs;
	__atomic_fetch_add(&ipi_count[smp_id()], 1, __ATOMIC_SEQ_CST);
	apic_eoi();
}

static bool wait_count(unsigned cpu, unsigned want)
{
	unsigned long spins;

	for (spins = 0; spins < IPI_WAIT_SPINS; spins++) {
		if (__atomic_load_n(&ipi_count[cpu], __ATOMIC_SEQ_CST) >= want)
			return true;
		pause();
	}
	return false;
}

static void send_ipis_to(unsigned cpu)
{
	unsigned i;

	/* One at a time: a second fixed IPI of the same vector that
	 * arrives while the first is still pending in the IRR merges with
	 * it (SDM vol 3, "Interrupt Acceptance for Fixed Interrupts"). */
	for (i = 1; i <= IPIS_PER_CPU; i++) {
		apic_send_ipi(cpu_apic_id(cpu), IPI_TEST_VECTOR);
		if (!wait_count(cpu, i))
			break;
	}
}

static void ipi_to_bsp(void *data)
{
	(void)data;
	apic_send_ipi(cpu_apic_id(0), IPI_TEST_VECTOR);
}

static void test_ipis(void)
{
	unsigned cpu, got;

	report_prefix_push("ipi");
	memset(ipi_count, 0, sizeof(ipi_count));
	handle_exception(IPI_TEST_VECTOR, ipi_handler);
	for (cpu = 1; cpu < nr_cpus; cpu++) {
		send_ipis_to(cpu);
		got = __atomic_load_n(&ipi_count[cpu], __ATOMIC_SEQ_CST);
		report(got == IPIS_PER_CPU,
		       "CPU %u (APIC ID %u) took %u IPIs of vector %#x, want %u",
		       cpu, cpu_apic_id(cpu), got, IPI_TEST_VECTOR,
		       IPIS_PER_CPU);
	}

	if (nr_cpus > 1) {
		/* The BSP runs with interrupts off: the IPI stays pending
		 * until it opens the window. */
		on_cpu(1, ipi_to_bsp, NULL);
		sti();
		wait_count(0, 1);
		cli();
		report(ipi_count[0] == 1,
		       "BSP took %u IPIs from CPU 1, want 1", ipi_count[0]);
	}
	handle_exception(IPI_TEST_VECTOR, NULL);
	report_prefix_pop();
}

static void switch_to_x2apic(void *data)
{
	unsigned me = smp_id();
	bool *ok = data;

	ok[me] = enable_x2apic() && apic_is_x2apic() &&
		 apic_id() == cpu_apic_id(me);
}

/* The same IPIs again with every CPU in x2APIC mode (SDM vol 3, 11.12:
 * MSR access, 32-bit IDs, ICR written as one 64-bit MSR). */
static void test_x2apic(void)
{
	bool ok[MAX_CPUS] = { false };
	unsigned cpu;

	report_prefix_push("x2apic");
	if (!this_cpu_has(X86_FEATURE_X2APIC)) {
		report_skip("%s clear", X86_FEATURE_X2APIC.name);
		report_prefix_pop();
		return;
	}
	on_cpus(switch_to_x2apic, ok);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		report(ok[cpu], "CPU %u in x2APIC mode, APIC ID still %u",
		       cpu, cpu_apic_id(cpu));
	test_ipis();
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	unsigned cpu, other, dups = 0, bad_runs = 0, where;
	long want_cpus = -1;
	int a;

	report_prefix_push("smp");
	for (a = 1; a < argc; a++)
		if (!strncmp(argv[a], "smp=", 4))
			want_cpus = strtol(argv[a] + 4, NULL, 0);
	if (want_cpus < 0)
		report_skip("no smp=<n> argument: CPU count not checked");
	else
		report(nr_cpus == (unsigned long)want_cpus,
		       "%u CPUs up, want %ld", nr_cpus, want_cpus);
	if (nr_cpus < 2)
		report_info("one CPU: nothing to run elsewhere");

	on_cpus(record_cpu, NULL);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		bad_runs += ran[cpu] != 1;
	report(!bad_runs, "on_cpus ran once on each of %u CPUs (%u did not)",
	       nr_cpus, bad_runs);

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		for (other = cpu + 1; other < nr_cpus; other++)
			dups += seen_apic_id[cpu] == seen_apic_id[other];
		if (seen_apic_id[cpu] != cpu_apic_id(cpu))
			report_fail("CPU %u reads APIC ID %u, booted as %u",
				    cpu, seen_apic_id[cpu], cpu_apic_id(cpu));
	}
	report(!dups, "APIC IDs distinct (%u equal pairs)", dups);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		report_info("CPU %u: APIC ID %u", cpu, seen_apic_id[cpu]);

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		where = ~0u;
		on_cpu(cpu, check_on_cpu_target, &where);
		report(where == cpu, "on_cpu(%u) ran on CPU %u", cpu, where);
	}

	on_cpus(catch_ud, NULL);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		report(ud_vector[cpu] == UD_VECTOR,
		       "CPU %u caught ud2 as vector %u, want %u", cpu,
		       ud_vector[cpu], UD_VECTOR);

	test_ipis();
	test_x2apic();
	return report_summary();
}
