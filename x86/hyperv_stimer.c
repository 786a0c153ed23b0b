/*
 * Hyper-V synthetic timers (TLFS "Synthetic Timers", "Synthetic Timer
 * Expiration Message"; see lib/x86/hyperv.h): a one-shot timer expires
 * at its count, in reference time, with a message that carries that
 * expiration time and a delivery time not before it, and is disabled
 * after; a periodic timer expires once per period; a disabled timer
 * stays quiet.
 */
#include "libcflat.h"
#include "x86/apic.h"
#include "x86/desc.h"
#include "x86/hyperv.h"
#include "x86/processor.h"

#define TEST_SINT	3
#define TEST_VECTOR	0xe4
#define TIMER		0
#define ONE_SHOT_DELAY	(HV_REF_TIME_PER_SEC / 200)	/* 5 ms */
#define PERIOD		(HV_REF_TIME_PER_SEC / 500)	/* 2 ms */
#define PERIODS		3
#define WAIT_LIMIT	HV_REF_TIME_PER_SEC		/* 1 s */
#define QUIET_TIME	(HV_REF_TIME_PER_SEC / 50)	/* 20 ms */

static volatile unsigned irqs;

static void sint_handler(struct ex_regs *regs)
{
	(void)regs;
	irqs++;
	apic_eoi();
}

static u64 ref_time(void)
{
	return rdmsr(HV_X64_MSR_TIME_REF_COUNT);
}

/* Interrupts on: until irqs reaches @want or @limit units pass. */
static bool wait_irqs(unsigned want, u64 limit)
{
	u64 start = ref_time();

	while (irqs < want)
		if (ref_time() - start > limit)
			return false;
	return true;
}

static const volatile struct hv_timer_message *
timer_payload(volatile struct hv_message *m)
{
	return (const volatile struct hv_timer_message *)m->payload;
}

static void test_one_shot(void)
{
	volatile struct hv_message *m = hv_synic_message(TEST_SINT);
	u64 count, now, config;
	u64 exp, delivery;
	u32 type, index;

	irqs = 0;
	count = ref_time() + ONE_SHOT_DELAY;
	wrmsr(HV_MSR_STIMER_COUNT(TIMER), count);
	wrmsr(HV_MSR_STIMER_CONFIG(TIMER),
	      HV_STIMER_ENABLE | HV_STIMER_SINT(TEST_SINT));
	if (!wait_irqs(1, WAIT_LIMIT)) {
		report_fail("one-shot: no interrupt within 1 s");
		return;
	}
	now = ref_time();
	type = m->type;
	index = timer_payload(m)->timer_index;
	exp = timer_payload(m)->expiration_time;
	delivery = timer_payload(m)->delivery_time;
	hv_message_done(m);
	config = rdmsr(HV_MSR_STIMER_CONFIG(TIMER));

	report(now >= count, "one-shot: interrupt at reference time %llu, "
	       "count %llu (want not before)", (unsigned long long)now,
	       (unsigned long long)count);
	report(type == HV_MESSAGE_TIMER_EXPIRED && index == TIMER,
	       "one-shot: message type %#x (want %#x), timer %u (want %u)",
	       type, HV_MESSAGE_TIMER_EXPIRED, index, TIMER);
	report(exp == count && delivery >= exp,
	       "one-shot: expiration time %llu (want %llu), delivery time "
	       "%llu (want >= expiration)", (unsigned long long)exp,
	       (unsigned long long)count, (unsigned long long)delivery);
	report(!(config & HV_STIMER_ENABLE), "one-shot: disabled after "
	       "expiring (config %#llx)", (unsigned long long)config);
}

static void test_periodic(void)
{
	volatile struct hv_message *m = hv_synic_message(TEST_SINT);
	u64 exp[PERIODS];
	unsigned i, short_gaps = 0, wrong = 0;

	irqs = 0;
	wrmsr(HV_MSR_STIMER_COUNT(TIMER), PERIOD);
	wrmsr(HV_MSR_STIMER_CONFIG(TIMER), HV_STIMER_ENABLE |
	      HV_STIMER_PERIODIC | HV_STIMER_SINT(TEST_SINT));
	for (i = 0; i < PERIODS; i++) {
		if (!wait_irqs(i + 1, WAIT_LIMIT))
			break;
		wrong += m->type != HV_MESSAGE_TIMER_EXPIRED;
		exp[i] = timer_payload(m)->expiration_time;
		if (i && exp[i] < exp[i - 1] + PERIOD)
			short_gaps++;
		hv_message_done(m);
	}
	wrmsr(HV_MSR_STIMER_CONFIG(TIMER), 0);
	report(i == PERIODS && !wrong && !short_gaps,
	       "periodic, %llu units: %u of %u expirations, %u wrong "
	       "message types, %u closer than a period", PERIOD, i, PERIODS,
	       wrong, short_gaps);

	/* A message already posted may still arrive; then none. */
	wait_irqs(irqs + 1, PERIOD * 2);
	hv_message_done(m);
	i = irqs;
	wait_irqs(i + 1, QUIET_TIME);
	report(irqs == i, "disabled: %u interrupts in %llu units (want 0)",
	       irqs - i, QUIET_TIME);
}

int main(void)
{
	static const unsigned bits[] = {
		HV_ACCESS_STIMER, HV_ACCESS_SYNIC, HV_ACCESS_TIME_REF_COUNT,
	};
	static const char *const names[] = {
		"synthetic timers", "SynIC", "partition reference counter",
	};

	report_prefix_push("hyperv_stimer");
	if (!hv_require(bits, ARRAY_SIZE(bits), names))
		return report_summary();
	handle_exception(TEST_VECTOR, sint_handler);
	hv_synic_enable(TEST_SINT, TEST_VECTOR);
	sti();
	test_one_shot();
	test_periodic();
	cli();
	hv_synic_disable();
	handle_exception(TEST_VECTOR, NULL);
	return report_summary();
}
