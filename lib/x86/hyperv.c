/*
 * SynIC set-up for the Hyper-V tests (see hyperv.h for the TLFS
 * sections). Each CPU has its own SynIC and pages.
 */
#include "libcflat.h"
#include "x86/hyperv.h"
#include "x86/processor.h"
#include "x86/smp.h"
#include "x86/vm.h"

#define HV_MAX_CPUS	16
#define HV_SINT_COUNT	16

static struct {
	volatile struct hv_message *simp;
	void *siefp;
} synic[HV_MAX_CPUS];

void hv_synic_enable(unsigned sint, u8 vector)
{
	unsigned cpu = smp_id();

	assert_msg(cpu < HV_MAX_CPUS && sint < HV_SINT_COUNT,
		   "hv_synic_enable: CPU %u, SINT %u", cpu, sint);
	if (!synic[cpu].simp) {
		synic[cpu].simp = alloc_page();
		synic[cpu].siefp = alloc_page();
	}
	wrmsr(HV_X64_MSR_SIMP,
	      virt_to_phys((void *)synic[cpu].simp) | HV_PAGE_ENABLE);
	wrmsr(HV_X64_MSR_SIEFP, virt_to_phys(synic[cpu].siefp) |
	      HV_PAGE_ENABLE);
	wrmsr(HV_MSR_SINT(sint), vector);
	wrmsr(HV_X64_MSR_SCONTROL, HV_SCONTROL_ENABLE);
}

void hv_synic_disable(void)
{
	unsigned sint;

	for (sint = 0; sint < HV_SINT_COUNT; sint++)
		wrmsr(HV_MSR_SINT(sint), HV_SINT_MASKED);
	wrmsr(HV_X64_MSR_SCONTROL, 0);
	wrmsr(HV_X64_MSR_SIMP, 0);
	wrmsr(HV_X64_MSR_SIEFP, 0);
}

volatile struct hv_message *hv_synic_message(unsigned sint)
{
	BUILD_BUG_ON(sizeof(struct hv_message) != 256);
	return &synic[smp_id()].simp[sint];
}

void hv_message_done(volatile struct hv_message *m)
{
	m->type = HV_MESSAGE_NONE;
	mb();
	if (m->flags & HV_MESSAGE_FLAG_PENDING)
		wrmsr(HV_X64_MSR_EOM, 0);
}
