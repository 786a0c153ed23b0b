/*
 * The pvclock per-CPU time structure KVM fills in when a guest writes
 * its address to MSR_KVM_SYSTEM_TIME_NEW (Linux Documentation/virt/kvm/
 * x86/msr.rst): system time in ns = system_time + scaled (TSC -
 * tsc_timestamp), read under a version that is odd while the host
 * updates it.
 */
#ifndef X86_PVCLOCK_H
#define X86_PVCLOCK_H

#include "libcflat.h"
#include "x86/processor.h"

struct pvclock_vcpu_time_info {
	u32 version;
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags;
	u8 pad[2];
} __attribute__((packed));

struct pvclock_wall_clock {
	u32 version;
	u32 sec;
	u32 nsec;
} __attribute__((packed));

/* flags, msr.rst */
#define PVCLOCK_TSC_STABLE_BIT	(1u << 0)
#define PVCLOCK_GUEST_STOPPED	(1u << 1)

/* msr.rst: shift the TSC delta by tsc_shift (right when negative), then
 * multiply by tsc_to_system_mul as a 32.32 fixed-point fraction. */
static inline u64 pvclock_scale(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	/* (delta * mul) >> 32 without a 128-bit type */
	return (((delta & 0xffffffffu) * mul) >> 32) + (delta >> 32) * mul;
}

/*
 * Nanoseconds from @p: retried until the version is even and unchanged
 * across the read. *@flags (may be NULL) gets the flags of that read.
 */
static inline u64 pvclock_read(const volatile struct pvclock_vcpu_time_info *p,
			       u8 *flags)
{
	u32 version;
	u64 ns, tsc, stamp, sys;
	u32 mul;
	s8 shift;
	u8 f;

	do {
		version = p->version;
		barrier();
		stamp = p->tsc_timestamp;
		sys = p->system_time;
		mul = p->tsc_to_system_mul;
		shift = p->tsc_shift;
		f = p->flags;
		/* LFENCE keeps RDTSC after the loads above (SDM vol 2B,
		 * RDTSC: "not a serializing instruction") */
		asm volatile("lfence" ::: "memory");
		tsc = rdtsc();
		barrier();
	} while ((version & 1) || version != p->version);
	ns = sys + pvclock_scale(tsc - stamp, mul, shift);
	if (flags)
		*flags = f;
	return ns;
}

#endif
