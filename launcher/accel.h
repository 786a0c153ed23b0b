/* Accelerators, and whether KVM is usable here. */
#ifndef KUT_ACCEL_H
#define KUT_ACCEL_H

#include <stddef.h>

#include "arch.h"

enum accel {
	ACCEL_AUTO,	/* KVM when usable for the guest arch, else TCG */
	ACCEL_KVM,
	ACCEL_TCG,
};

const char *accel_name(enum accel a);
/* "kvm", "tcg", "auto" -> accel; -1 otherwise. */
int accel_from_name(const char *name);

/*
 * Whether KVM can run @guest on this host: same arch family, /dev/kvm opens
 * read-write, KVM_GET_API_VERSION is 12, KVM_CREATE_VM succeeds, and on x86
 * the CPU has hardware virtualization (accel_x86_hw_virt(), with
 * $KUT_CPUINFO and $KUT_SYS_MODULE standing in for /proc/cpuinfo and
 * /sys/module in tests). Returns 1, or 0 with @why saying what was missing.
 */
int accel_kvm_usable(enum arch host, enum arch guest, const char *dev,
		     char *why, size_t whylen);

/*
 * On an x86 host, whether the KVM behind /dev/kvm can run ordinary guests:
 * that needs the CPU's hardware virtualization, VMX or SVM, which shows as
 * the "vmx" or "svm" flag in @cpuinfo (/proc/cpuinfo). Without it, /dev/kvm
 * comes from a module such as kvm_pvm (PVM, a KVM that runs only guest
 * kernels built for it), whose VMs open and start but fail our guests.
 * @sysmod (/sys/module) names the module in @why. Returns 1 when a flag is
 * there or @cpuinfo cannot be read (nothing known against it), else 0.
 */
int accel_x86_hw_virt(const char *cpuinfo, const char *sysmod, char *why,
		      size_t whylen);

#endif
