/*
 * MSRs across a live migration: values a guest kernel sets once at boot
 * and relies on for ever (the SYSENTER and SYSCALL entry points, FS and
 * kernel GS bases, TSC_AUX, PAT, TSC_ADJUST) must read back the same on
 * the destination. MSR numbers: SDM vol 4, chapter 2 (lib/x86/msr.h).
 *
 * test_args: drop   change LSTAR on the destination only, as a lost
 *                   MSR would: that check must FAIL.
 */
#include "libcflat.h"
#include "migrate.h"
#include "x86/msr.h"
#include "x86/processor.h"

struct msr_case {
	const char *name;
	u32 index;
	u64 value;		/* written before the migration */
	struct cpuid_feature needs;
	bool needs_lm;		/* the 64-bit MSRs: long mode capable CPU */
	bool ok;		/* written without a fault */
	u64 old;
};

/* Values with bits in both halves, canonical where the MSR holds an
 * address (SDM vol 4, 2.1: LSTAR, CSTAR, FS/GS bases #GP otherwise). */
#define MSR_CASE(n, i, v, f, lm) \
	{ .name = (n), .index = (i), .value = (v), .needs = f, .needs_lm = (lm) }

static struct msr_case cases[] = {
	MSR_CASE("SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x10, X86_FEATURE_SEP, false),
	MSR_CASE("SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0xffff8000c0de0000ull, X86_FEATURE_SEP, true),
	MSR_CASE("SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0xffff8000c0de1000ull, X86_FEATURE_SEP, true),
	MSR_CASE("STAR", MSR_STAR, 0x0023001000000000ull, X86_FEATURE_SYSCALL, false),
	MSR_CASE("LSTAR", MSR_LSTAR, 0xffff8000c0de2000ull, X86_FEATURE_SYSCALL, true),
	MSR_CASE("CSTAR", MSR_CSTAR, 0xffff8000c0de3000ull, X86_FEATURE_SYSCALL, true),
	MSR_CASE("SFMASK", MSR_SFMASK, 0x47700, X86_FEATURE_SYSCALL, false),
	MSR_CASE("KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0x00007f00c0de4000ull, X86_FEATURE_LM, true),
	MSR_CASE("FS_BASE", MSR_FS_BASE, 0x00007f00c0de5000ull, X86_FEATURE_LM, true),
	MSR_CASE("TSC_AUX", MSR_TSC_AUX, 0x5a5a1234, X86_FEATURE_RDTSCP, false),
	/* PAT: eight valid memory types, not the reset value (SDM vol 3,
	 * 12.12.2: 0007040600070406H) */
	MSR_CASE("PAT", MSR_IA32_CR_PAT, 0x0006050400070106ull, CPUID_FEATURE(1, 0, EDX, 16, "CPUID.01H:EDX[16] (PAT)"), false),
	MSR_CASE("TSC_ADJUST", MSR_IA32_TSC_ADJUST, 0x1000000, X86_FEATURE_TSC_ADJUST, false),
};

int main(int argc, char **argv)
{
	bool drop = argc > 1 && !strcmp(argv[1], "drop");
	u32 aux = 0;

	report_prefix_push("migration-msr");
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct msr_case *c = &cases[i];
		u64 got = 0;
		int vec;

		if (!this_cpu_has(c->needs)) {
			report_skip("%s: no %s", c->name, c->needs.name);
			continue;
		}
		if (c->needs_lm && !this_cpu_has(X86_FEATURE_LM)) {
			report_skip("%s: holds a 64-bit address, no %s", c->name,
				    X86_FEATURE_LM.name);
			continue;
		}
		/* SYSENTER_ESP/EIP are 32 bits wide on AMD (APM vol 2,
		 * 6.1.1), and KVM on AMD keeps only those bits of an
		 * AMD-vendor guest's value (svm.c, sysenter_esp_hi): the
		 * upper half is Intel's (SDM vol 4, table 2-2) */
		if ((c->index == MSR_IA32_SYSENTER_ESP ||
		     c->index == MSR_IA32_SYSENTER_EIP) &&
		    !cpu_is_intel())
			c->value &= 0xffffffffu;
		rdmsr_safe(c->index, &c->old);
		vec = wrmsr_safe(c->index, c->value);
		if (!vec)
			vec = rdmsr_safe(c->index, &got);
		/* what does not hold here says nothing about the migration */
		c->ok = !vec && got == c->value;
		report(c->ok, "%s: reads back %#llx before the migration (got %#llx, vector %d)",
		       c->name, (unsigned long long)c->value,
		       (unsigned long long)got, vec);
	}
	migrate();
	if (drop)
		wrmsr(MSR_LSTAR, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct msr_case *c = &cases[i];
		u64 got;
		int vec;

		if (!c->ok)
			continue;
		vec = rdmsr_safe(c->index, &got);
		report(!vec && got == c->value, "%s after the migration (got %#llx, vector %d; want %#llx)",
		       c->name, (unsigned long long)got, vec,
		       (unsigned long long)c->value);
		/* put back what the runtime may rely on (PAT, TSC) */
		wrmsr_safe(c->index, c->old);
	}
	if (this_cpu_has(X86_FEATURE_RDTSCP)) {
		/* RDTSCP reads TSC_AUX too (SDM vol 2B, RDTSCP) */
		wrmsr(MSR_TSC_AUX, 0x77);
		migrate();
		rdtscp(&aux);
		report(aux == 0x77, "RDTSCP's TSC_AUX after a second migration (got %#x, want 0x77)",
		       aux);
	} else {
		report_skip("RDTSCP: no %s", X86_FEATURE_RDTSCP.name);
	}
	report_prefix_pop();
	return report_summary();
}
