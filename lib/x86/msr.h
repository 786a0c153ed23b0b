/*
 * Model-specific register indices and bits used by the x86 runtime and
 * tests. Numbers come from the Intel SDM vol 4 ("Model-Specific
 * Registers"), chapter 2, table 2-2 (architectural MSRs), and the AMD APM
 * vol 2, appendix A.
 */
#ifndef X86_MSR_H
#define X86_MSR_H

#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_APIC_BASE		0x0000001b
#define MSR_IA32_TSC_ADJUST		0x0000003b
#define MSR_IA32_MTRRCAP		0x000000fe
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_MISC_ENABLE		0x000001a0	/* Intel only */
/* Variable-range MTRR pair n (n < IA32_MTRRCAP.VCNT), SDM vol 3, 13.11.2.3 */
#define MSR_IA32_MTRR_PHYSBASE(n)	(0x00000200 + 2 * (n))
#define MSR_IA32_MTRR_PHYSMASK(n)	(0x00000201 + 2 * (n))
#define MSR_IA32_MTRR_FIX64K_00000	0x00000250
#define MSR_IA32_MTRR_FIX16K_80000	0x00000258
#define MSR_IA32_MTRR_FIX16K_A0000	0x00000259
#define MSR_IA32_MTRR_FIX4K_C0000	0x00000268	/* ... F8000 at 0x26f */
#define MSR_IA32_CR_PAT			0x00000277
#define MSR_IA32_MTRR_DEF_TYPE		0x000002ff
#define MSR_IA32_PKRS			0x000006e1	/* bits 63:32 reserved */

/* x2APIC registers: MSR 0x800 + (xAPIC MMIO offset >> 4), SDM vol 3, 11.12.1 */
#define MSR_X2APIC_BASE			0x00000800

#define MSR_EFER			0xc0000080
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SFMASK			0xc0000084
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102
#define MSR_TSC_AUX			0xc0000103

/* IA32_APIC_BASE bits, SDM vol 3, 11.4.4 and 11.12.1 */
#define APIC_BASE_BSP			(1ull << 8)
#define APIC_BASE_EXTD			(1ull << 10)	/* x2APIC mode */
#define APIC_BASE_EN			(1ull << 11)

/* IA32_EFER bits, SDM vol 3, 2.2.1 (table 2-1) */
#define EFER_SCE			(1ull << 0)
#define EFER_LME			(1ull << 8)
#define EFER_LMA			(1ull << 10)
#define EFER_NXE			(1ull << 11)
/* AMD-only bits (APM vol 2, 3.1.7); reserved on Intel. */
#define EFER_SVME			(1ull << 12)
#define EFER_LMSLE			(1ull << 13)
#define EFER_FFXSR			(1ull << 14)
#define EFER_TCE			(1ull << 15)

#endif
