/*
 * AP bring-up (SDM vol 3, 9.4.4 "MP Initialization Example": broadcast
 * INIT, then two Startup IPIs) and the per-CPU work slots behind on_cpu().
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/fwcfg.h"
#include "x86/layout.h"
#include "x86/percpu.h"
#include "x86/processor.h"
#include "x86/setup.h"
#include "x86/smp.h"

struct work_slot {
	struct spinlock post_lock;	/* one poster at a time */
	void *data;
	void (*fn)(void *);		/* non-NULL while work is pending */
};

unsigned nr_cpus = 1;
static struct percpu percpus[MAX_CPUS];
static struct work_slot slots[MAX_CPUS];
static unsigned cpus_online;

/* cstart64.S */
extern char sipi_trampoline[], sipi_trampoline_end[];
/* per-AP stacks; cstart64.S picks one by CPU index */
u8 ap_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));

void ap_main(unsigned cpu) __attribute__((noreturn));

struct percpu *percpu_of(unsigned cpu)
{
	assert(cpu < MAX_CPUS);
	return &percpus[cpu];
}

u32 cpu_apic_id(unsigned cpu)
{
	return percpu_of(cpu)->apic_id;
}

void percpu_init(unsigned cpu)
{
	struct percpu *p = &percpus[cpu];

	p->self = p;
	p->cpu = cpu;
	p->ex_vector = EX_NONE;
#ifdef __x86_64__
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)p);
#endif
	/* i386: cpu_desc_init() points GS at p through PERCPU_SEL. */
}

bool cpu_idle(unsigned cpu)
{
	return !__atomic_load_n(&slots[cpu].fn, __ATOMIC_ACQUIRE);
}

void wait_cpu_idle(unsigned cpu)
{
	while (!cpu_idle(cpu))
		pause();
}

void on_cpu_async(unsigned cpu, void (*fn)(void *), void *data)
{
	struct work_slot *s;

	assert_msg(cpu < nr_cpus, "on_cpu: CPU %u, have %u", cpu, nr_cpus);
	s = &slots[cpu];
	if (cpu == smp_id()) {
		fn(data);
		return;
	}
	spin_lock(&s->post_lock);
	wait_cpu_idle(cpu);
	s->data = data;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
	spin_unlock(&s->post_lock);
	apic_send_ipi(cpu_apic_id(cpu), IPI_WAKE_VECTOR);
}

void on_cpu(unsigned cpu, void (*fn)(void *), void *data)
{
	on_cpu_async(cpu, fn, data);
	wait_cpu_idle(cpu);
}

void on_cpus(void (*fn)(void *), void *data)
{
	unsigned cpu, me = smp_id();

	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (cpu != me)
			on_cpu_async(cpu, fn, data);
	fn(data);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		wait_cpu_idle(cpu);
}

static void wake_handler(struct ex_regs *regs)
{
	(void)regs;
	apic_eoi();
}

static __attribute__((noreturn)) void ap_idle_loop(void)
{
	struct work_slot *s = &slots[smp_id()];

	for (;;) {
		void (*fn)(void *);

		cli();
		fn = __atomic_load_n(&s->fn, __ATOMIC_ACQUIRE);
		if (!fn) {
			/* Work posted after the check sends an IPI, which
			 * ends this HLT. */
			safe_halt();
			continue;
		}
		sti();
		fn(s->data);
		__atomic_store_n(&s->fn, NULL, __ATOMIC_RELEASE);
	}
}

void ap_main(unsigned cpu)
{
	struct percpu *p;

	percpu_init(cpu);
	cpu_desc_init(cpu);
	cpu_features_init();
	apic_setup_cpu();
	p = this_cpu();
	p->apic_id = apic_id();
	p->online = true;
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_RELEASE);
	ap_idle_loop();
}

/* Generous: an AP under TCG on a loaded host can take a while. */
#define AP_WAIT_SPINS	(1ull << 32)

void smp_init(void)
{
	u64 spins = 0;
	unsigned want;

	this_cpu()->apic_id = apic_id();
	this_cpu()->online = true;
	cpus_online = 1;
	handle_exception(IPI_WAKE_VECTOR, wake_handler);

	want = fwcfg_nb_cpus();
	if (want > MAX_CPUS) {
		printf("INFO: %u CPUs, using the first %u (MAX_CPUS)\n",
		       want, MAX_CPUS);
		want = MAX_CPUS;
	}
	if (want <= 1)
		return;

	memcpy((void *)TRAMPOLINE_BASE, sipi_trampoline,
	       sipi_trampoline_end - sipi_trampoline);
	/* A second SIPI is ignored by an AP that already left the
	 * wait-for-SIPI state (SDM vol 3, 9.4.4.1). */
	apic_icr_write(APIC_DEST_ALLBUT | APIC_DM_INIT | APIC_INT_ASSERT, 0);
	apic_icr_write(APIC_DEST_ALLBUT | APIC_DM_STARTUP |
		       (TRAMPOLINE_BASE >> 12), 0);
	apic_icr_write(APIC_DEST_ALLBUT | APIC_DM_STARTUP |
		       (TRAMPOLINE_BASE >> 12), 0);

	while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < want) {
		if (++spins == AP_WAIT_SPINS) {
			printf("smp: only %u of %u CPUs came up\n",
			       __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE),
			       want);
			abort();
		}
		pause();
	}
	nr_cpus = want;
}
