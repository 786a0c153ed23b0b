/*
 * Hyper-V enlightenments as a guest sees them, from Microsoft's
 * Hypervisor Top Level Functional Specification (TLFS) 6.0, cited by
 * section title: "Feature Discovery" (CPUID), "Partition Reference
 * Counter", "Partition Reference Time Enlightenment" (the reference TSC
 * page), "Virtual Interrupt Controller"/"SynIC" and "Synthetic Timers".
 * KVM implements them when QEMU is given the hv-* CPU flags.
 */
#ifndef X86_HYPERV_H
#define X86_HYPERV_H

#include "libcflat.h"
#include "x86/processor.h"

/* TLFS "Feature Discovery": leaf 0x40000000 EBX:ECX:EDX "Microsoft Hv", leaf
 * 0x40000001 EAX "Hv#1". */
#define HV_CPUID_VENDOR		0x40000000u
#define HV_CPUID_INTERFACE	0x40000001u
#define HV_CPUID_FEATURES	0x40000003u
#define HV_SIGNATURE_EBX	0x7263694du	/* "Micr" */
#define HV_SIGNATURE_ECX	0x666f736fu	/* "osof" */
#define HV_SIGNATURE_EDX	0x76482074u	/* "t Hv" */
#define HV_INTERFACE_HV1	0x31237648u	/* "Hv#1" */

/* HV_CPUID_FEATURES EAX, the partition's privilege mask (TLFS "Partition
 * Privilege Flags") */
#define HV_ACCESS_TIME_REF_COUNT	1	/* AccessPartitionReferenceCounter */
#define HV_ACCESS_SYNIC			2	/* AccessSynicRegs */
#define HV_ACCESS_STIMER		3	/* AccessSyntheticTimerRegs */
#define HV_ACCESS_HYPERCALL		5	/* AccessHypercallMsrs */
#define HV_ACCESS_VP_INDEX		6	/* AccessVpIndex */
#define HV_ACCESS_REFERENCE_TSC		9	/* AccessPartitionReferenceTsc */

/* Synthetic MSRs (TLFS appendix "Hypervisor Synthetic MSRs") */
#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_VP_INDEX		0x40000002
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_SCONTROL		0x40000080
#define HV_X64_MSR_SVERSION		0x40000081
#define HV_X64_MSR_SIEFP		0x40000082
#define HV_X64_MSR_SIMP			0x40000083
#define HV_X64_MSR_EOM			0x40000084
#define HV_X64_MSR_SINT0		0x40000090	/* SINT0..15 */
#define HV_X64_MSR_STIMER0_CONFIG	0x400000b0	/* then COUNT; 4 pairs */
#define HV_X64_MSR_STIMER0_COUNT	0x400000b1

#define HV_MSR_SINT(n)			(HV_X64_MSR_SINT0 + (n))
#define HV_MSR_STIMER_CONFIG(n)		(HV_X64_MSR_STIMER0_CONFIG + 2 * (n))
#define HV_MSR_STIMER_COUNT(n)		(HV_X64_MSR_STIMER0_COUNT + 2 * (n))

/* Guest OS ID (TLFS "Reporting the Guest OS Identity"): bit 63 marks
 * an open-source OS; any nonzero value enables the hypercall interface. */
#define HV_GUEST_OS_ID_OPEN_SOURCE	(1ull << 63)

/* Page-address MSRs (REFERENCE_TSC, SIMP, SIEFP): bit 0 enables, bits
 * 63:12 are the guest physical page. */
#define HV_PAGE_ENABLE			1ull

/* SCONTROL bit 0; SVERSION reads 1 (TLFS "SynIC MSRs"). */
#define HV_SCONTROL_ENABLE		1ull
#define HV_SVERSION			1ull
/* SINTx (TLFS "SINTx Registers"): vector 7:0, masked 16, auto-EOI 17;
 * the reset value has only the mask bit set. */
#define HV_SINT_VECTOR_MASK		0xffull
#define HV_SINT_MASKED			(1ull << 16)
#define HV_SINT_AUTO_EOI		(1ull << 17)

/* Synthetic timer config (TLFS "Synthetic Timer Configuration
 * Register"): enable 0, periodic 1, lazy 2, auto-enable 3, SINTx 19:16. */
#define HV_STIMER_ENABLE		(1ull << 0)
#define HV_STIMER_PERIODIC		(1ull << 1)
#define HV_STIMER_SINT(n)		((u64)(n) << 16)

/* Reference time unit: 100 ns (TLFS "Partition Reference Counter"). */
#define HV_REF_TIME_PER_SEC		10000000ull

/* Reference TSC page (TLFS "Format of the Reference TSC Page"). A
 * sequence of 0 tells the guest to use the TIME_REF_COUNT MSR instead. */
struct hv_ref_tsc_page {
	u32 tsc_sequence;
	u32 reserved;
	u64 tsc_scale;
	s64 tsc_offset;
} __attribute__((packed));

/* SynIC message page: one 256-byte slot per SINT (TLFS "SIM Page"). */
#define HV_MESSAGE_NONE			0x00000000u
#define HV_MESSAGE_TIMER_EXPIRED	0x80000010u
#define HV_MESSAGE_FLAG_PENDING		1u

struct hv_message {
	u32 type;
	u8 payload_size;
	u8 flags;
	u16 reserved;
	u64 origin;
	u64 payload[30];
} __attribute__((packed));

/* Payload of HV_MESSAGE_TIMER_EXPIRED (TLFS "Synthetic Timer Expiration
 * Message"). */
struct hv_timer_message {
	u32 timer_index;
	u32 reserved;
	u64 expiration_time;
	u64 delivery_time;
} __attribute__((packed));

/* True when CPUID says Hyper-V's "Hv#1" interface is offered. */
static inline bool hv_present(void)
{
	struct cpuid r;

	if (!this_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	r = cpuid(HV_CPUID_VENDOR);
	if (r.b != HV_SIGNATURE_EBX || r.c != HV_SIGNATURE_ECX ||
	    r.d != HV_SIGNATURE_EDX || r.a < HV_CPUID_FEATURES)
		return false;
	return cpuid(HV_CPUID_INTERFACE).a == HV_INTERFACE_HV1;
}

/* Bit @bit of the privilege mask (HV_CPUID_FEATURES EAX). */
static inline bool hv_has_access(unsigned bit)
{
	return hv_present() && ((cpuid(HV_CPUID_FEATURES).a >> bit) & 1);
}

/*
 * Reports a skip naming what is missing and returns false unless Hyper-V
 * is there with every privilege bit in @bits. For the tests' main().
 */
static inline bool hv_require(const unsigned *bits, unsigned n,
			      const char *const *names)
{
	char hv[13];
	unsigned i;

	if (!hv_present()) {
		cpuid_hypervisor_signature(hv);
		report_skip("no Hyper-V interface: CPUID.40000000H signature "
			    "\"%s\", want \"Microsoft Hv\" with \"Hv#1\"", hv);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!hv_has_access(bits[i])) {
			report_skip("no %s: CPUID.40000003H:EAX[%u] clear",
				    names[i], bits[i]);
			return false;
		}
	}
	return true;
}

/* (a * b) >> 64 without a 128-bit type */
static inline u64 hv_mul_hi64(u64 a, u64 b)
{
	u64 alo = a & 0xffffffffu, ahi = a >> 32;
	u64 blo = b & 0xffffffffu, bhi = b >> 32;
	u64 lo_lo = alo * blo, hi_lo = ahi * blo, lo_hi = alo * bhi;
	u64 mid = (lo_lo >> 32) + (hi_lo & 0xffffffffu) +
		  (lo_hi & 0xffffffffu);

	return ahi * bhi + (hi_lo >> 32) + (lo_hi >> 32) + (mid >> 32);
}

/*
 * Reference time from the TSC page (TLFS "Reference Time
 * Calculation"): ((TSC * scale) >> 64) + offset, retried while the
 * sequence changes. False when the page says
 * to fall back to the MSR (sequence 0).
 */
static inline bool hv_ref_tsc_read(const volatile struct hv_ref_tsc_page *p,
				   u64 *time)
{
	u32 seq;
	u64 scale, tsc;
	s64 offset;

	do {
		seq = p->tsc_sequence;
		if (!seq)
			return false;
		barrier();
		scale = p->tsc_scale;
		offset = p->tsc_offset;
		asm volatile("lfence" ::: "memory");
		tsc = rdtsc();
		barrier();
	} while (p->tsc_sequence != seq);
	*time = hv_mul_hi64(tsc, scale) + (u64)offset;
	return true;
}

/*
 * The calling CPU's SynIC (lib/x86/hyperv.c): enable it with a message
 * page and an event-flags page, route SINT @sint to @vector (unmasked,
 * no auto-EOI); then the message slot of a SINT, and the end of a
 * message (TLFS "Message Buffers": clear the type, then write EOM when
 * another message is pending).
 */
void hv_synic_enable(unsigned sint, u8 vector);
void hv_synic_disable(void);
volatile struct hv_message *hv_synic_message(unsigned sint);
void hv_message_done(volatile struct hv_message *m);

#endif
