/*
 * Hyper-V partition reference time (TLFS "Partition Reference Counter"
 * and "Partition Reference Time Enlightenment", see lib/x86/hyperv.h):
 * HV_X64_MSR_TIME_REF_COUNT counts 100 ns units and never goes back; the
 * reference TSC page, once enabled, gives the same time from RDTSC.
 */
#include "libcflat.h"
#include "x86/hyperv.h"
#include "x86/processor.h"
#include "x86/vm.h"

#define READS		10000
/* Page and MSR are computed separately by the hypervisor: allow them
 * 10 us (100 units) of disagreement. */
#define SLACK		100

static void test_ref_count(void)
{
	u64 prev = rdmsr(HV_X64_MSR_TIME_REF_COUNT), t, first = prev;
	unsigned i, backwards = 0;

	for (i = 0; i < READS; i++) {
		t = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		backwards += t < prev;
		prev = t;
	}
	report(!backwards && prev > first, "TIME_REF_COUNT: %u reads, %u "
	       "went backwards (want 0), advanced %llu (want > 0)", READS,
	       backwards, (unsigned long long)(prev - first));
}

static void test_tsc_page(void)
{
	struct hv_ref_tsc_page *page = alloc_page();
	u64 msr = virt_to_phys(page) | HV_PAGE_ENABLE, back;
	u64 before, t, after, prev = 0;
	unsigned i, bad = 0, backwards = 0;
	u32 seq;

	wrmsr(HV_X64_MSR_REFERENCE_TSC, msr);
	back = rdmsr(HV_X64_MSR_REFERENCE_TSC);
	report(back == msr, "REFERENCE_TSC reads back %#llx (want %#llx)",
	       (unsigned long long)back, (unsigned long long)msr);

	seq = READ_ONCE(page->tsc_sequence);
	if (!seq) {
		/* Permitted: the host cannot offer a stable TSC. */
		report_skip("TSC page: sequence 0, the hypervisor says to use "
			    "TIME_REF_COUNT instead");
		goto out;
	}
	report_info("TSC page: sequence %u scale %#llx offset %lld", seq,
		    (unsigned long long)page->tsc_scale,
		    (long long)page->tsc_offset);
	for (i = 0; i < READS; i++) {
		before = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		if (!hv_ref_tsc_read(page, &t)) {
			report_fail("TSC page: sequence became 0 at read %u", i);
			goto out;
		}
		after = rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		backwards += t < prev;
		prev = t;
		if ((t + SLACK < before || t > after + SLACK) && !bad++)
			report_info("page time %llu outside MSR reads [%llu, "
				    "%llu]", (unsigned long long)t,
				    (unsigned long long)before,
				    (unsigned long long)after);
	}
	report(!backwards, "TSC page time: %u reads, %u went backwards "
	       "(want 0)", READS, backwards);
	report(!bad, "TSC page time within %u units of TIME_REF_COUNT read "
	       "around it: %u of %u outside", SLACK, bad, READS);
out:
	wrmsr(HV_X64_MSR_REFERENCE_TSC, 0);
}

int main(void)
{
	static const unsigned bits[] = {
		HV_ACCESS_TIME_REF_COUNT, HV_ACCESS_REFERENCE_TSC,
	};
	static const char *const names[] = {
		"partition reference counter", "reference TSC page",
	};

	report_prefix_push("hyperv_clock");
	if (!hv_require(bits, ARRAY_SIZE(bits), names))
		return report_summary();
	test_ref_count();
	test_tsc_page();
	return report_summary();
}
