/*
 * x86 instructions the tests use directly: CPUID, control registers,
 * MSRs (with #GP-safe variants), the TSC, port I/O and interrupt flag
 * control. Constants cite the SDM volume and section they come from.
 *
 * Section numbers throughout lib/x86 and x86/ follow the Intel SDM as
 * renumbered in 2023 (vol 3: paging is chapter 4, task management 8, MP
 * initialisation 9, IA-32e set-up 10, the APIC 11); older editions put
 * the last four one chapter earlier.
 */
#ifndef X86_PROCESSOR_H
#define X86_PROCESSOR_H

#include "libcflat.h"
#include "x86/msr.h"
#include "x86/percpu.h"

/* Exception vectors, SDM vol 3, 6.3.1 (table 6-1) */
#define DE_VECTOR	0
#define DB_VECTOR	1
#define NMI_VECTOR	2
#define BP_VECTOR	3
#define OF_VECTOR	4
#define BR_VECTOR	5
#define UD_VECTOR	6
#define NM_VECTOR	7
#define DF_VECTOR	8
#define TS_VECTOR	10
#define NP_VECTOR	11
#define SS_VECTOR	12
#define GP_VECTOR	13
#define PF_VECTOR	14
#define MF_VECTOR	16
#define AC_VECTOR	17
#define MC_VECTOR	18
#define XM_VECTOR	19
#define VE_VECTOR	20
#define CP_VECTOR	21

/* #PF error code bits, SDM vol 3, 4.7 (figure 4-12) */
#define PFERR_PRESENT	(1u << 0)
#define PFERR_WRITE	(1u << 1)
#define PFERR_USER	(1u << 2)
#define PFERR_RSVD	(1u << 3)
#define PFERR_FETCH	(1u << 4)

/* CR0, SDM vol 3, 2.5 */
#define X86_CR0_PE	(1ul << 0)
#define X86_CR0_MP	(1ul << 1)
#define X86_CR0_EM	(1ul << 2)
#define X86_CR0_TS	(1ul << 3)
#define X86_CR0_ET	(1ul << 4)
#define X86_CR0_NE	(1ul << 5)
#define X86_CR0_WP	(1ul << 16)
#define X86_CR0_AM	(1ul << 18)
#define X86_CR0_NW	(1ul << 29)
#define X86_CR0_CD	(1ul << 30)
#define X86_CR0_PG	(1ul << 31)

/* CR4, SDM vol 3, 2.5 */
#define X86_CR4_VME	(1ul << 0)
#define X86_CR4_PVI	(1ul << 1)
#define X86_CR4_TSD	(1ul << 2)
#define X86_CR4_DE	(1ul << 3)
#define X86_CR4_PSE	(1ul << 4)
#define X86_CR4_PAE	(1ul << 5)
#define X86_CR4_MCE	(1ul << 6)
#define X86_CR4_PGE	(1ul << 7)
#define X86_CR4_PCE	(1ul << 8)
#define X86_CR4_OSFXSR	(1ul << 9)
#define X86_CR4_OSXMMEXCPT (1ul << 10)
#define X86_CR4_UMIP	(1ul << 11)
#define X86_CR4_LA57	(1ul << 12)
#define X86_CR4_FSGSBASE (1ul << 16)
#define X86_CR4_PCIDE	(1ul << 17)
#define X86_CR4_OSXSAVE	(1ul << 18)
#define X86_CR4_SMEP	(1ul << 20)
#define X86_CR4_SMAP	(1ul << 21)
#define X86_CR4_PKE	(1ul << 22)

/* RFLAGS, SDM vol 1, 3.4.3 */
#define X86_EFLAGS_CF	(1ul << 0)
#define X86_EFLAGS_FIXED (1ul << 1)
#define X86_EFLAGS_ZF	(1ul << 6)
#define X86_EFLAGS_TF	(1ul << 8)
#define X86_EFLAGS_IF	(1ul << 9)
#define X86_EFLAGS_DF	(1ul << 10)
#define X86_EFLAGS_AC	(1ul << 18)

/*
 * CPUID feature bits as (leaf, subleaf, register, bit), SDM vol 2A, CPUID
 * (tables 3-8 and 3-10) and AMD APM vol 3, appendix E.
 */
enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

struct cpuid_feature {
	u32 leaf;
	u32 subleaf;
	enum cpuid_reg reg;
	u8 bit;
	const char *name;	/* "CPUID.01H:ECX[21] (x2APIC)", for skips */
};

#define CPUID_FEATURE(l, s, r, b, n) \
	((struct cpuid_feature){ (l), (s), CPUID_##r, (b), (n) })

#define X86_FEATURE_SSE3	CPUID_FEATURE(1, 0, ECX, 0, "CPUID.01H:ECX[0] (SSE3)")
#define X86_FEATURE_VMX		CPUID_FEATURE(1, 0, ECX, 5, "CPUID.01H:ECX[5] (VMX)")
#define X86_FEATURE_PCID	CPUID_FEATURE(1, 0, ECX, 17, "CPUID.01H:ECX[17] (PCID)")
#define X86_FEATURE_X2APIC	CPUID_FEATURE(1, 0, ECX, 21, "CPUID.01H:ECX[21] (x2APIC)")
#define X86_FEATURE_MOVBE	CPUID_FEATURE(1, 0, ECX, 22, "CPUID.01H:ECX[22] (MOVBE)")
#define X86_FEATURE_TSC_DEADLINE CPUID_FEATURE(1, 0, ECX, 24, "CPUID.01H:ECX[24] (TSC-deadline)")
#define X86_FEATURE_XSAVE	CPUID_FEATURE(1, 0, ECX, 26, "CPUID.01H:ECX[26] (XSAVE)")
#define X86_FEATURE_HYPERVISOR	CPUID_FEATURE(1, 0, ECX, 31, "CPUID.01H:ECX[31] (hypervisor)")
#define X86_FEATURE_DE		CPUID_FEATURE(1, 0, EDX, 2, "CPUID.01H:EDX[2] (DE)")
#define X86_FEATURE_PSE		CPUID_FEATURE(1, 0, EDX, 3, "CPUID.01H:EDX[3] (PSE)")
#define X86_FEATURE_TSC		CPUID_FEATURE(1, 0, EDX, 4, "CPUID.01H:EDX[4] (TSC)")
#define X86_FEATURE_MSR		CPUID_FEATURE(1, 0, EDX, 5, "CPUID.01H:EDX[5] (MSR)")
#define X86_FEATURE_PAE		CPUID_FEATURE(1, 0, EDX, 6, "CPUID.01H:EDX[6] (PAE)")
#define X86_FEATURE_APIC	CPUID_FEATURE(1, 0, EDX, 9, "CPUID.01H:EDX[9] (APIC)")
#define X86_FEATURE_SEP		CPUID_FEATURE(1, 0, EDX, 11, "CPUID.01H:EDX[11] (SYSENTER/SYSEXIT)")
#define X86_FEATURE_MTRR	CPUID_FEATURE(1, 0, EDX, 12, "CPUID.01H:EDX[12] (MTRR)")
#define X86_FEATURE_PGE		CPUID_FEATURE(1, 0, EDX, 13, "CPUID.01H:EDX[13] (PGE)")
#define X86_FEATURE_PAT		CPUID_FEATURE(1, 0, EDX, 16, "CPUID.01H:EDX[16] (PAT)")
#define X86_FEATURE_PSE36	CPUID_FEATURE(1, 0, EDX, 17, "CPUID.01H:EDX[17] (PSE-36)")
#define X86_FEATURE_FSGSBASE	CPUID_FEATURE(7, 0, EBX, 0, "CPUID.07H.0:EBX[0] (FSGSBASE)")
#define X86_FEATURE_TSC_ADJUST	CPUID_FEATURE(7, 0, EBX, 1, "CPUID.07H.0:EBX[1] (IA32_TSC_ADJUST)")
#define X86_FEATURE_SMEP	CPUID_FEATURE(7, 0, EBX, 7, "CPUID.07H.0:EBX[7] (SMEP)")
#define X86_FEATURE_SMAP	CPUID_FEATURE(7, 0, EBX, 20, "CPUID.07H.0:EBX[20] (SMAP)")
#define X86_FEATURE_UMIP	CPUID_FEATURE(7, 0, ECX, 2, "CPUID.07H.0:ECX[2] (UMIP)")
#define X86_FEATURE_PKU		CPUID_FEATURE(7, 0, ECX, 3, "CPUID.07H.0:ECX[3] (PKU)")
#define X86_FEATURE_LA57	CPUID_FEATURE(7, 0, ECX, 16, "CPUID.07H.0:ECX[16] (LA57)")
#define X86_FEATURE_SVM		CPUID_FEATURE(0x80000001, 0, ECX, 2, "CPUID.80000001H:ECX[2] (SVM)")
#define X86_FEATURE_SYSCALL	CPUID_FEATURE(0x80000001, 0, EDX, 11, "CPUID.80000001H:EDX[11] (SYSCALL)")
#define X86_FEATURE_NX		CPUID_FEATURE(0x80000001, 0, EDX, 20, "CPUID.80000001H:EDX[20] (NX)")
#define X86_FEATURE_GBPAGES	CPUID_FEATURE(0x80000001, 0, EDX, 26, "CPUID.80000001H:EDX[26] (1-GByte pages)")
#define X86_FEATURE_RDTSCP	CPUID_FEATURE(0x80000001, 0, EDX, 27, "CPUID.80000001H:EDX[27] (RDTSCP)")
#define X86_FEATURE_LM		CPUID_FEATURE(0x80000001, 0, EDX, 29, "CPUID.80000001H:EDX[29] (long mode)")
#define X86_FEATURE_INVARIANT_TSC CPUID_FEATURE(0x80000007, 0, EDX, 8, "CPUID.80000007H:EDX[8] (invariant TSC)")

struct cpuid {
	u32 a, b, c, d;
};

static inline struct cpuid cpuid_indexed(u32 leaf, u32 subleaf)
{
	struct cpuid r;

	asm volatile("cpuid"
		     : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
		     : "0"(leaf), "2"(subleaf));
	return r;
}

static inline struct cpuid cpuid(u32 leaf)
{
	return cpuid_indexed(leaf, 0);
}

/* True when the feature's leaf exists (SDM vol 2A, CPUID: leaf 0/80000000H
 * EAX give the highest leaf) and its bit is set. */
static inline bool this_cpu_has(struct cpuid_feature f)
{
	u32 max = cpuid(f.leaf & 0x80000000u).a;
	struct cpuid r;
	u32 reg;

	if (f.leaf > max)
		return false;
	r = cpuid_indexed(f.leaf, f.subleaf);
	switch (f.reg) {
	case CPUID_EAX: reg = r.a; break;
	case CPUID_EBX: reg = r.b; break;
	case CPUID_ECX: reg = r.c; break;
	default:	reg = r.d; break;
	}
	return (reg >> f.bit) & 1;
}

/*
 * True when the CPU vendor string (CPUID.0: EBX, EDX, ECX, SDM vol 2A
 * CPUID) is @name: "GenuineIntel", "AuthenticAMD", "HygonGenuine". A few
 * architectural rules differ by vendor, and a test follows the vendor the
 * guest sees.
 */
static inline bool cpu_vendor_is(const char *name)
{
	struct cpuid r = cpuid(0);
	char v[13];
	unsigned i;

	for (i = 0; i < 4; i++) {
		v[i] = r.b >> (8 * i);
		v[4 + i] = r.d >> (8 * i);
		v[8 + i] = r.c >> (8 * i);
	}
	v[12] = 0;
	return !strcmp(v, name);
}

/* The vendor whose manual a guest follows: Intel's SDM. */
static inline bool cpu_is_intel(void)
{
	return cpu_vendor_is("GenuineIntel");
}

/*
 * AMD's APM: AuthenticAMD, and HygonGenuine, whose CPUs are AMD's Zen
 * cores and follow the APM where it differs from the SDM (KVM groups the
 * two the same way: guest_cpuid_is_amd_or_hygon()).
 */
static inline bool cpu_is_amd(void)
{
	return cpu_vendor_is("AuthenticAMD") || cpu_vendor_is("HygonGenuine");
}

/*
 * Hypervisor vendor from CPUID leaf 0x40000000 EBX:ECX:EDX ("KVMKVMKVM",
 * "TCGTCGTCGTCG", ...), or "" when CPUID.01H:ECX[31] says there is none.
 * For INFO lines that help triage a failure.
 */
static inline void cpuid_hypervisor_signature(char out[13])
{
	struct cpuid r;
	unsigned i;

	out[0] = 0;
	if (!this_cpu_has(X86_FEATURE_HYPERVISOR))
		return;
	r = cpuid(0x40000000);
	for (i = 0; i < 4; i++) {
		out[i] = r.b >> (8 * i);
		out[4 + i] = r.c >> (8 * i);
		out[8 + i] = r.d >> (8 * i);
	}
	out[12] = 0;
}

/* Physical address width, CPUID.80000008H:EAX[7:0]; 36 when absent
 * (SDM vol 3, 4.1.4). */
static inline unsigned cpuid_maxphyaddr(void)
{
	if (cpuid(0x80000000).a < 0x80000008)
		return 36;
	return cpuid(0x80000008).a & 0xff;
}

/* Control registers are 32 bits wide on i386, 64 on x86_64: unsigned
 * long is both. */
static inline unsigned long read_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr0(unsigned long v)
{
	asm volatile("mov %0, %%cr0" :: "r"(v) : "memory");
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	asm volatile("mov %%cr2, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr2(unsigned long v)
{
	asm volatile("mov %0, %%cr2" :: "r"(v) : "memory");
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	asm volatile("mov %%cr3, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr3(unsigned long v)
{
	asm volatile("mov %0, %%cr3" :: "r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr4(unsigned long v)
{
	asm volatile("mov %0, %%cr4" :: "r"(v) : "memory");
}

/* CR8 exists only in 64-bit mode (SDM vol 3, 2.5). */
#ifdef __x86_64__
static inline unsigned long read_cr8(void)
{
	unsigned long v;

	asm volatile("mov %%cr8, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr8(unsigned long v)
{
	asm volatile("mov %0, %%cr8" :: "r"(v) : "memory");
}
#endif

static inline unsigned long read_rflags(void)
{
	unsigned long v;

	asm volatile("pushf; pop %0" : "=r"(v) :: "memory");
	return v;
}

static inline u64 rdmsr(u32 index)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
	return lo | ((u64)hi << 32);
}

static inline void wrmsr(u32 index, u64 val)
{
	asm volatile("wrmsr"
		     :: "a"((u32)val), "d"((u32)(val >> 32)), "c"(index)
		     : "memory");
}

/*
 * Exception fixups: an instruction at label 1 that faults resumes at
 * label 2 instead of reaching an unhandled-exception abort. The vector
 * and error code land in this CPU's struct percpu (see desc.c).
 * EX_FIXUP_BEGIN clears the record; the caller then reads it back with
 * exception_vector().
 */
#ifdef __x86_64__
#define EX_FIXUP_BEGIN \
	"movq $-1, %%gs:" __stringify_x86(PERCPU_EX_VECTOR) "\n\t"
#define EX_FIXUP_END \
	".pushsection .ex_table, \"a\"\n\t" \
	".balign 8\n\t" \
	".quad 1b, 2b\n\t" \
	".popsection\n\t"
#else
/* i386: the u64 record is two dwords; table entries are 32-bit. */
#define EX_FIXUP_BEGIN \
	"movl $-1, %%gs:" __stringify_x86(PERCPU_EX_VECTOR) "\n\t" \
	"movl $-1, %%gs:" __stringify_x86(PERCPU_EX_VECTOR) "+4\n\t"
#define EX_FIXUP_END \
	".pushsection .ex_table, \"a\"\n\t" \
	".balign 4\n\t" \
	".long 1b, 2b\n\t" \
	".popsection\n\t"
#endif
#define __stringify_x86_1(x) #x
#define __stringify_x86(x) __stringify_x86_1(x)

/*
 * For extended inline asm shared by both x86 arches: a label's address
 * as a memory operand (RIP-relative in 64-bit mode, absolute in 32-bit
 * mode) and the stack pointer register.
 */
#ifdef __x86_64__
#define ASM_IP_REL(label)	label "(%%rip)"
#define ASM_SP			"%%rsp"
#else
#define ASM_IP_REL(label)	label
#define ASM_SP			"%%esp"
#endif

/* Vector raised by the last EX_FIXUP-protected instruction, or -1. */
static inline int exception_vector(void)
{
	unsigned long v;

	/* vectors and error codes fit the low 32 bits (i386 reads only
	 * those) */
	asm volatile("mov %%gs:%c1, %0" : "=r"(v) : "i"(PERCPU_EX_VECTOR));
	return v == (unsigned long)EX_NONE ? -1 : (int)v;
}

static inline u64 exception_error_code(void)
{
	unsigned long v;

	asm volatile("mov %%gs:%c1, %0"
		     : "=r"(v) : "i"(PERCPU_EX_ERROR_CODE));
	return v;
}

/*
 * Run one instruction @insn under an exception fixup; the rest of the
 * arguments are its extended-asm operands from the first ':' on. Yields 0
 * when it completed, else the vector it raised; for instructions that
 * never raise #DE, so that 0 is unambiguous.
 */
#define EX_FIXUP_INSN(insn, ...)					\
({									\
	int __ex_vec;							\
									\
	asm volatile(EX_FIXUP_BEGIN					\
		     "1: " insn "\n\t"					\
		     "2:\n\t"						\
		     EX_FIXUP_END					\
		     __VA_ARGS__);					\
	__ex_vec = exception_vector();					\
	__ex_vec < 0 ? 0 : __ex_vec;					\
})

/*
 * Instructions that report a fault instead of dying: 0 on success, else
 * the vector raised (GP_VECTOR for a reserved MSR index or bit, SDM vol
 * 2B, RDMSR/WRMSR "Protected Mode Exceptions"; for a reserved control
 * register bit, MOV to/from Control Registers; for a bad XCR index or
 * value, XGETBV/XSETBV; #UD while CR4.OSXSAVE is clear). A value read is
 * 0 after a fault.
 */
static inline int rdmsr_safe(u32 index, u64 *val)
{
	u32 lo = 0, hi = 0;
	int vec = EX_FIXUP_INSN("rdmsr", : "+a"(lo), "+d"(hi) : "c"(index)
				: "memory");

	*val = lo | ((u64)hi << 32);
	return vec;
}

static inline int wrmsr_safe(u32 index, u64 val)
{
	return EX_FIXUP_INSN("wrmsr", :: "a"((u32)val),
			     "d"((u32)(val >> 32)), "c"(index) : "memory");
}

static inline int write_cr0_safe(unsigned long v)
{
	return EX_FIXUP_INSN("mov %0, %%cr0", :: "r"(v) : "memory");
}

static inline int write_cr3_safe(unsigned long v)
{
	return EX_FIXUP_INSN("mov %0, %%cr3", :: "r"(v) : "memory");
}

static inline int write_cr4_safe(unsigned long v)
{
	return EX_FIXUP_INSN("mov %0, %%cr4", :: "r"(v) : "memory");
}

static inline int xgetbv_safe(u32 index, u64 *val)
{
	u32 lo = 0, hi = 0;
	int vec = EX_FIXUP_INSN("xgetbv", : "+a"(lo), "+d"(hi) : "c"(index)
				: "memory");

	*val = lo | ((u64)hi << 32);
	return vec;
}

static inline int xsetbv_safe(u32 index, u64 val)
{
	return EX_FIXUP_INSN("xsetbv", :: "a"((u32)val),
			     "d"((u32)(val >> 32)), "c"(index) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return lo | ((u64)hi << 32);
}

/* RDTSCP also returns IA32_TSC_AUX in ECX (SDM vol 2B, RDTSCP). */
static inline u64 rdtscp(u32 *aux)
{
	u32 lo, hi, c;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c) :: "memory");
	if (aux)
		*aux = c;
	return lo | ((u64)hi << 32);
}

static inline void outb(u8 v, u16 port)
{
	asm volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outw(u16 v, u16 port)
{
	asm volatile("outw %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(u32 v, u16 port)
{
	asm volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" ::: "memory");
}

/* STI delays interrupt recognition by one instruction (SDM vol 2B, STI),
 * so an interrupt arriving between the two still wakes the HLT. */
static inline void safe_halt(void)
{
	asm volatile("sti; hlt" ::: "memory");
}

static inline void pause(void)
{
	asm volatile("pause" ::: "memory");
}

static inline void invlpg(const volatile void *va)
{
	asm volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline void mb(void)
{
	asm volatile("mfence" ::: "memory");
}

#endif
