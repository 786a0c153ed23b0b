/*
 * KVM's paravirtual interface as a guest sees it: the CPUID leaves, the
 * MSRs and the hypercall ABI. Facts from Linux Documentation/virt/kvm/
 * x86/cpuid.rst, msr.rst and hypercalls.rst, and the error numbers from
 * include/uapi/linux/kvm_para.h.
 */
#ifndef X86_KVM_PARA_H
#define X86_KVM_PARA_H

#include "libcflat.h"
#include "x86/processor.h"

/*
 * cpuid.rst: leaf 0x40000000 returns "KVMKVMKVM\0\0\0" in EBX:ECX:EDX.
 * With Hyper-V enlightenments QEMU moves KVM's leaves up by 0x100, so
 * look in every 0x100 block of the hypervisor range.
 */
#define KVM_CPUID_BASE_FIRST	0x40000000u
#define KVM_CPUID_BASE_LAST	0x4000ff00u
#define KVM_SIGNATURE_EBX	0x4b4d564bu	/* "KVMK" */
#define KVM_SIGNATURE_ECX	0x564b4d56u	/* "VMKV" */
#define KVM_SIGNATURE_EDX	0x0000004du	/* "M\0\0\0" */

/* Offset of the features leaf from the base; bits of its EAX. */
#define KVM_CPUID_FEATURES		1
#define KVM_FEATURE_CLOCKSOURCE		0
#define KVM_FEATURE_CLOCKSOURCE2	3
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT 24

/* msr.rst */
#define MSR_KVM_WALL_CLOCK_NEW		0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW		0x4b564d01
#define KVM_SYSTEM_TIME_ENABLE		1ull	/* bit 0 of the MSR */

/* hypercalls.rst: number in RAX, arguments in RBX, RCX, RDX, RSI,
 * result in RAX; kvm_para.h: errors are negated. */
#define KVM_ENOSYS		1000
#define KVM_EPERM		1

/* Base of KVM's CPUID leaves, or 0 when no KVM signature is found. */
static inline u32 kvm_cpuid_base(void)
{
	u32 base;
	struct cpuid r;

	if (!this_cpu_has(X86_FEATURE_HYPERVISOR))
		return 0;
	for (base = KVM_CPUID_BASE_FIRST; base <= KVM_CPUID_BASE_LAST;
	     base += 0x100) {
		r = cpuid(base);
		if (r.b == KVM_SIGNATURE_EBX && r.c == KVM_SIGNATURE_ECX &&
		    r.d == KVM_SIGNATURE_EDX)
			return base;
	}
	return 0;
}

/* KVM_CPUID_FEATURES EAX bit @bit; false without KVM. */
static inline bool kvm_para_has_feature(unsigned bit)
{
	u32 base = kvm_cpuid_base();

	/* Not bounded by the base leaf's EAX: older KVMs left it 0. */
	if (!base)
		return false;
	return (cpuid(base + KVM_CPUID_FEATURES).a >> bit) & 1;
}

#endif
