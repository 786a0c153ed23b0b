/*
 * Non-maskable interrupts sent through the local APIC (SDM vol 3, 11.6.1,
 * delivery mode 100B): to self and to another CPU, regardless of
 * RFLAGS.IF (6.8.1); blocked from the start of the NMI handler until the
 * next IRET, with one further NMI held pending (6.7.1); and taken inside
 * an exception handler, which does not block NMIs.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define WAIT_CYCLES		(1ull << 29)

static volatile unsigned nmis[MAX_CPUS];
static volatile unsigned depth, max_depth;
static volatile bool nest_test;
static volatile unsigned seen_in_handler;

static void send_nmi(u32 apic_id)
{
	/* The self shorthand allows fixed delivery only (SDM vol 3,
	 * 11.6.1, table 11-2): name the destination instead. */
	apic_icr_write(APIC_DEST_PHYSICAL | APIC_DM_NMI | APIC_INT_ASSERT,
		       apic_id);
}

static bool wait_nmis(unsigned cpu, unsigned want)
{
	u64 start = rdtsc();

	while (nmis[cpu] < want && rdtsc() - start < WAIT_CYCLES)
		pause();
	return nmis[cpu] >= want;
}

static void nmi_handler(struct ex_regs *regs)
{
	unsigned cpu = smp_id();

	(void)regs;
	if (++depth > max_depth)
		max_depth = depth;
	nmis[cpu]++;
	if (nest_test && nmis[cpu] == 1) {
		/* Two more while this one runs: both must wait for the
		 * IRET, and only one can be pending. */
		send_nmi(apic_id());
		send_nmi(apic_id());
		wait_nmis(cpu, 2);
		seen_in_handler = nmis[cpu];
	}
	depth--;
}

static void reset(void)
{
	unsigned i;

	for (i = 0; i < MAX_CPUS; i++)
		nmis[i] = 0;
	depth = max_depth = 0;
	nest_test = false;
	seen_in_handler = 0;
}

static void test_self(void)
{
	bool ok;

	reset();
	send_nmi(apic_id());
	ok = wait_nmis(0, 1);
	report(ok && nmis[0] == 1, "NMI to self with IF=0 (got %u)", nmis[0]);
}

static void test_blocking(void)
{
	unsigned long i;

	/* SDM vol 3, 6.7.1: NMIs are blocked until the handler's IRET. */
	reset();
	nest_test = true;
	send_nmi(apic_id());
	wait_nmis(0, 2);
	for (i = 0; i < 1000; i++)
		pause();
	wait_nmis(0, 3);
	report(seen_in_handler == 1 && max_depth == 1, "NMI during the NMI "
	       "handler held until IRET (got %u in the handler, depth %u)",
	       seen_in_handler, max_depth);
	report(nmis[0] == 2, "one of two blocked NMIs delivered after IRET "
	       "(got %u NMIs in all, want 2)", nmis[0]);
}

static volatile unsigned nmis_in_ud;

static void ud_handler(struct ex_regs *regs)
{
	unsigned before = nmis[0];

	send_nmi(apic_id());
	wait_nmis(0, before + 1);
	nmis_in_ud = nmis[0] - before;
	regs->rip += 2;	/* past the UD2 */
}

static void test_in_exception(void)
{
	/* An exception handler reached through an interrupt gate runs
	 * with IF=0 but NMIs unblocked (6.8.1, 6.7.1). */
	reset();
	nmis_in_ud = 0;
	handle_exception(UD_VECTOR, ud_handler);
	asm volatile("ud2" ::: "memory");
	handle_exception(UD_VECTOR, NULL);
	report(nmis_in_ud == 1, "NMI taken inside a #UD handler (got %u)",
	       nmis_in_ud);
}

static volatile bool spinning, stop_spin;

static void spin_cli(void *data)
{
	(void)data;
	cli();
	spinning = true;
	while (!stop_spin)
		pause();
	spinning = false;
}

static void test_other_cpu(void)
{
	unsigned last = nr_cpus - 1;
	bool ok;

	if (nr_cpus < 2) {
		report_skip("NMI to another CPU needs 2 CPUs (have %u)",
			    nr_cpus);
		return;
	}

	reset();
	send_nmi(cpu_apic_id(last));
	ok = wait_nmis(last, 1);
	report(ok && nmis[last] == 1 && nmis[0] == 0, "NMI to CPU %u, "
	       "halted (got %u there, %u on CPU 0)", last, nmis[last],
	       nmis[0]);

	reset();
	stop_spin = false;
	on_cpu_async(last, spin_cli, NULL);
	while (!spinning)
		pause();
	send_nmi(cpu_apic_id(last));
	ok = wait_nmis(last, 1);
	stop_spin = true;
	wait_cpu_idle(last);
	report(ok && nmis[last] == 1, "NMI to CPU %u, running with IF=0 "
	       "(got %u)", last, nmis[last]);
}

int main(void)
{
	report_prefix_push("nmi");
	handle_exception(NMI_VECTOR, nmi_handler);
	cli();
	test_self();
	test_blocking();
	test_in_exception();
	test_other_cpu();
	return report_summary();
}
