/*
 * MSRs: values written read back; reserved MSR indices and reserved bits
 * raise #GP(0) (SDM vol 2B, WRMSR/RDMSR "Protected Mode Exceptions").
 */
#include "libcflat.h"
#include "x86/processor.h"

struct msr_case {
	const char *name;
	u32 index;
	u64 value;
	struct cpuid_feature feature;
	bool needs_feature;
};

/*
 * Values fit in 32 bits where AMD keeps only 32 (SYSENTER_ESP/EIP, APM
 * vol 2, 6.1.1: qemu64 says AuthenticAMD) and in 16 for SYSENTER_CS,
 * whose bits 63:16 QEMU does not keep.
 */
static const struct msr_case cases[] = {
	{ "IA32_SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x1234,
	  X86_FEATURE_SEP, true },
	{ "IA32_SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0x87654320,
	  X86_FEATURE_SEP, true },
	{ "IA32_SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0x9abcdef0,
	  X86_FEATURE_SEP, true },
	{ "IA32_TSC_AUX", MSR_TSC_AUX, 0x2468ace0,
	  X86_FEATURE_RDTSCP, true },
	{ "IA32_STAR", MSR_STAR, 0x0023001000000000ull,
	  X86_FEATURE_SYSCALL, true },
	{ "IA32_LSTAR", MSR_LSTAR, 0xffff800012345678ull,
	  X86_FEATURE_SYSCALL, true },
	{ "IA32_KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0x00007fff12345000ull,
	  X86_FEATURE_LM, true },
};

static void test_read_back(const struct msr_case *c)
{
	u64 old, got;
	int vec;

	if (c->needs_feature && !this_cpu_has(c->feature)) {
		report_skip("%s: %s clear", c->name, c->feature.name);
		return;
	}
	old = rdmsr(c->index);
	vec = wrmsr_safe(c->index, c->value);
	got = rdmsr(c->index);
	report(!vec && got == c->value,
	       "%s (%#x): wrote %#lx, read %#lx (write raised vector %d)",
	       c->name, c->index, (unsigned long)c->value,
	       (unsigned long)got, vec);
	wrmsr(c->index, old);
}

static void test_efer_nxe(void)
{
	u64 efer = rdmsr(MSR_EFER), got;

	if (!this_cpu_has(X86_FEATURE_NX)) {
		report_skip("EFER.NXE: %s clear", X86_FEATURE_NX.name);
		return;
	}
	wrmsr(MSR_EFER, efer | EFER_NXE);
	got = rdmsr(MSR_EFER);
	report(got == (efer | EFER_NXE), "EFER.NXE set: read %#lx, want %#lx",
	       (unsigned long)got, (unsigned long)(efer | EFER_NXE));
	wrmsr(MSR_EFER, efer & ~EFER_NXE);
	got = rdmsr(MSR_EFER);
	report(got == (efer & ~EFER_NXE),
	       "EFER.NXE clear: read %#lx, want %#lx", (unsigned long)got,
	       (unsigned long)(efer & ~EFER_NXE));
	wrmsr(MSR_EFER, efer);
}

/* Not an architectural MSR on Intel or AMD (SDM vol 4, chapter 2; APM
 * vol 2, appendix A), nor in the hypervisor range 0x40000000-0x400000ff. */
#define MSR_UNDEFINED	0xdeadbeef

static void check_gp(const char *what, int vec)
{
	report(vec == GP_VECTOR && exception_error_code() == 0,
	       "%s: vector %d, error code %#lx; want %d (#GP), 0", what, vec,
	       (unsigned long)exception_error_code(), GP_VECTOR);
}

static void test_reserved(void)
{
	u64 efer = rdmsr(MSR_EFER), val;

	check_gp("rdmsr of undefined MSR 0xdeadbeef",
		 rdmsr_safe(MSR_UNDEFINED, &val));
	check_gp("wrmsr of undefined MSR 0xdeadbeef",
		 wrmsr_safe(MSR_UNDEFINED, 0));
	/* EFER bit 63 is reserved on Intel (SDM vol 3, 2.2.1) and AMD (APM
	 * vol 2, 3.1.7). */
	check_gp("wrmsr EFER with reserved bit 63",
		 wrmsr_safe(MSR_EFER, efer | (1ull << 63)));
	report(rdmsr(MSR_EFER) == efer, "EFER unchanged by that write "
	       "(read %#lx, want %#lx)", (unsigned long)rdmsr(MSR_EFER),
	       (unsigned long)efer);
	if (this_cpu_has(X86_FEATURE_RDTSCP))
		/* TSC_AUX bits 63:32 are reserved (SDM vol 4, table 2-2). */
		check_gp("wrmsr TSC_AUX with bit 32 set",
			 wrmsr_safe(MSR_TSC_AUX, 1ull << 32));
	else
		report_skip("TSC_AUX reserved bits: %s clear",
			    X86_FEATURE_RDTSCP.name);
}

int main(void)
{
	char hv[13];
	unsigned i;

	report_prefix_push("msr");
	cpuid_hypervisor_signature(hv);
	report_info("hypervisor \"%s\"", hv);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		test_read_back(&cases[i]);
	test_efer_nxe();
	test_reserved();
	return report_summary();
}
