/*
 * Hyper-V synthetic interrupt controller (TLFS "SynIC MSRs", "SINTx
 * Registers", "SIM Page"; see lib/x86/hyperv.h): SVERSION reads 1, SINTs
 * come out of reset masked, the control and page MSRs hold what is
 * written, and on every CPU a message posted to a SINT (by a synthetic
 * timer) lands in that CPU's message page and raises the SINT's vector.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/hyperv.h"
#include "x86/processor.h"
#include "x86/smp.h"

#define TEST_SINT	2
#define TEST_VECTOR	0xe3
#define MAX_TEST_CPUS	16
/* Timer 1 ms ahead; wait for its message at most 1 s. */
#define TIMER_DELAY	(HV_REF_TIME_PER_SEC / 1000)
#define WAIT_LIMIT	HV_REF_TIME_PER_SEC

static volatile unsigned irqs[MAX_TEST_CPUS];

static void sint_handler(struct ex_regs *regs)
{
	(void)regs;
	irqs[smp_id()]++;
	apic_eoi();
}

static void test_registers(void)
{
	u64 v;

	v = rdmsr(HV_X64_MSR_SVERSION);
	report(v == HV_SVERSION, "SVERSION %#llx (want %#llx)",
	       (unsigned long long)v, HV_SVERSION);
	v = rdmsr(HV_MSR_SINT(TEST_SINT));
	report(v == HV_SINT_MASKED, "SINT%u after reset %#llx (want masked, "
	       "%#llx)", TEST_SINT, (unsigned long long)v, HV_SINT_MASKED);

	hv_synic_enable(TEST_SINT, TEST_VECTOR);
	v = rdmsr(HV_X64_MSR_SCONTROL);
	report(v == HV_SCONTROL_ENABLE, "SCONTROL %#llx (want %#llx)",
	       (unsigned long long)v, HV_SCONTROL_ENABLE);
	v = rdmsr(HV_X64_MSR_SIMP);
	report(v & HV_PAGE_ENABLE, "SIMP %#llx has the enable bit",
	       (unsigned long long)v);
	v = rdmsr(HV_MSR_SINT(TEST_SINT));
	report(v == TEST_VECTOR, "SINT%u %#llx (want vector %#x, unmasked)",
	       TEST_SINT, (unsigned long long)v, TEST_VECTOR);
	hv_synic_disable();
}

struct delivery {
	int ok;		/* 1 when the message and interrupt arrived */
	u32 type;	/* message type found */
	unsigned irqs;
};

static void deliver_here(void *data)
{
	struct delivery *d = &((struct delivery *)data)[smp_id()];
	volatile struct hv_message *m;
	u64 start;

	hv_synic_enable(TEST_SINT, TEST_VECTOR);
	m = hv_synic_message(TEST_SINT);
	start = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	wrmsr(HV_MSR_STIMER_COUNT(0), start + TIMER_DELAY);
	wrmsr(HV_MSR_STIMER_CONFIG(0),
	      HV_STIMER_ENABLE | HV_STIMER_SINT(TEST_SINT));
	sti();
	while (!irqs[smp_id()] &&
	       rdmsr(HV_X64_MSR_TIME_REF_COUNT) - start < WAIT_LIMIT)
		pause();
	d->irqs = irqs[smp_id()];
	d->type = m->type;
	d->ok = d->irqs == 1 && d->type == HV_MESSAGE_TIMER_EXPIRED;
	hv_message_done(m);
	wrmsr(HV_MSR_STIMER_CONFIG(0), 0);
	hv_synic_disable();
}

static void test_delivery(void)
{
	struct delivery d[MAX_TEST_CPUS] = { 0 };
	unsigned cpu;

	if (!hv_has_access(HV_ACCESS_STIMER)) {
		report_skip("message delivery: no synthetic timers: "
			    "CPUID.40000003H:EAX[%u] clear", HV_ACCESS_STIMER);
		return;
	}
	handle_exception(TEST_VECTOR, sint_handler);
	on_cpus(deliver_here, d);
	handle_exception(TEST_VECTOR, NULL);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		report(d[cpu].ok, "CPU %u: timer message on SINT%u: type %#x "
		       "(want %#x), vector %#x raised %u times (want 1)", cpu,
		       TEST_SINT, d[cpu].type, HV_MESSAGE_TIMER_EXPIRED,
		       TEST_VECTOR, d[cpu].irqs);
}

int main(void)
{
	static const unsigned bits[] = {
		HV_ACCESS_SYNIC, HV_ACCESS_TIME_REF_COUNT,
	};
	static const char *const names[] = {
		"SynIC", "partition reference counter",
	};

	report_prefix_push("hyperv_synic");
	if (!hv_require(bits, ARRAY_SIZE(bits), names))
		return report_summary();
	if (nr_cpus > MAX_TEST_CPUS) {
		report_skip("%u CPUs, the test handles %u", nr_cpus,
			    MAX_TEST_CPUS);
		return report_summary();
	}
	test_registers();
	test_delivery();
	return report_summary();
}
