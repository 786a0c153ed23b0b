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
 * read-write, KVM_GET_API_VERSION is 12 and KVM_CREATE_VM succeeds. Returns
 * 1, or 0 with @why saying what was missing.
 */
int accel_kvm_usable(enum arch host, enum arch guest, const char *dev,
		     char *why, size_t whylen);

#endif
