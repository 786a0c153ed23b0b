/*
 * Per-CPU state, reached through the GS segment base (IA32_GS_BASE, SDM
 * vol 3, 3.4.4): every CPU points GS at its own struct percpu, so a
 * single instruction finds the current CPU's slot without an APIC read.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include "libcflat.h"

/* Value of ex_vector when nothing has been raised since it was cleared. */
#define EX_NONE			(~0ull)

/* Byte offsets used from assembler; desc.c checks them with static asserts. */
#ifdef __x86_64__
#define PERCPU_SELF		0
#define PERCPU_CPU		8
#define PERCPU_EX_VECTOR	16
#define PERCPU_EX_ERROR_CODE	24
#else
/* i386: 4-byte pointers, and the i386 ABI aligns u64 members to 4. GS is
 * a segment whose base is this CPU's struct percpu (desc.c). */
#define PERCPU_SELF		0
#define PERCPU_CPU		4
#define PERCPU_EX_VECTOR	12
#define PERCPU_EX_ERROR_CODE	20
#endif

#ifndef __ASSEMBLER__

struct percpu {
	struct percpu *self;
	u32 cpu;		/* index 0..nr_cpus-1, 0 is the BSP */
	u32 apic_id;
	/* last exception caught by a fixup or run_catching() */
	u64 ex_vector;
	u64 ex_error_code;
	u64 ex_cr2;
	u64 ex_rip;
	void *catch_ctx;	/* innermost run_catching() context */
	bool x2apic;		/* this CPU's APIC is in x2APIC mode */
	bool online;
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("mov %%gs:%c1, %0" : "=r"(p) : "i"(PERCPU_SELF));
	return p;
}

#endif
#endif
