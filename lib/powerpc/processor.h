/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The processor as a pseries guest sees it: MSR bits, SPR numbers and
 * their accessors, the timebase, cache and synchronisation instructions.
 * Bit names follow the Power ISA (v3.0B/v3.1), whose bit 0 is the most
 * significant: MSR bit n is 1 << (63 - n) here.
 */
#ifndef POWERPC_PROCESSOR_H
#define POWERPC_PROCESSOR_H

#include "libcflat.h"

#define PPC_BIT(n)	(1ULL << (63 - (n)))

/* Machine State Register, Power ISA v3.0B Book III, Machine State Register */
#define MSR_SF		PPC_BIT(0)	/* 64-bit mode */
#define MSR_HV		PPC_BIT(3)
#define MSR_TM		PPC_BIT(31)	/* transactional memory available */
#define MSR_TS_MASK	(PPC_BIT(29) | PPC_BIT(30))
#define MSR_VEC		PPC_BIT(38)
#define MSR_VSX		PPC_BIT(40)
#define MSR_EE		PPC_BIT(48)	/* external, decrementer enabled */
#define MSR_PR		PPC_BIT(49)	/* problem state */
#define MSR_FP		PPC_BIT(50)
#define MSR_ME		PPC_BIT(51)
#define MSR_FE0		PPC_BIT(52)
#define MSR_SE		PPC_BIT(53)	/* single-step trace */
#define MSR_BE		PPC_BIT(54)	/* branch trace */
#define MSR_FE1		PPC_BIT(55)
#define MSR_IR		PPC_BIT(58)
#define MSR_DR		PPC_BIT(59)
#define MSR_RI		PPC_BIT(62)
#define MSR_LE		PPC_BIT(63)

/* SPR numbers, Power ISA v3.0B Book III, Move To/From System Register
 * Instructions (the SPR encodings table) */
#define SPR_XER		1
#define SPR_LR		8
#define SPR_CTR		9
#define SPR_DSCR_USER	3
#define SPR_DSCR	17
#define SPR_DSISR	18
#define SPR_DAR		19
#define SPR_DEC		22
#define SPR_SRR0	26
#define SPR_SRR1	27
#define SPR_CFAR	28
#define SPR_AMR		29
#define SPR_PIDR	48
#define SPR_IAMR	61
#define SPR_TFHAR	128
#define SPR_TFIAR	129
#define SPR_TEXASR	130
#define SPR_CTRL_READ	136
#define SPR_CTRL_WRITE	152
#define SPR_FSCR	153
#define SPR_UAMOR	157
#define SPR_PSPB	159
#define SPR_DAWR0	180
#define SPR_DAWRX0	188
#define SPR_CIABR	187
#define SPR_VRSAVE	256
#define SPR_SPRG3_USER	259
#define SPR_TBL_READ	268
#define SPR_TBU_READ	269
#define SPR_SPRG0	272
#define SPR_SPRG1	273
#define SPR_SPRG2	274
#define SPR_SPRG3	275
#define SPR_PVR		287
#define SPR_LPCR	318
#define SPR_SIER	768
#define SPR_MMCR2	769
#define SPR_MMCRA	770
#define SPR_PMC1	771
#define SPR_PMC2	772
#define SPR_PMC3	773
#define SPR_PMC4	774
#define SPR_PMC5	775
#define SPR_PMC6	776
#define SPR_MMCR0	779
#define SPR_SIAR	780
#define SPR_SDAR	781
#define SPR_MMCR1	782
#define SPR_EBBHR	804
#define SPR_EBBRR	805
#define SPR_BESCR	806
#define SPR_TAR		815
#define SPR_PPR		896
#define SPR_PIR		1023

/* Processor Version Register families (PVR[0:15]) */
#define PVR_VER(pvr)	(((pvr) >> 16) & 0xffff)
#define PVR_POWER8E	0x004b
#define PVR_POWER8NVL	0x004c
#define PVR_POWER8	0x004d
#define PVR_POWER9	0x004e
#define PVR_POWER10	0x0080

/* FSCR facility bits (Power ISA v3.0B Book III, Facility Status and Control Register): which
 * problem-state facilities the OS enables. */
#define FSCR_TAR	PPC_BIT(55)
#define FSCR_EBB	PPC_BIT(56)
#define FSCR_TM		PPC_BIT(58)
#define FSCR_DSCR	PPC_BIT(61)

#define mfspr(spr) ({							\
	unsigned long __v;						\
	__asm__ __volatile__("mfspr %0, %1" : "=r"(__v) : "i"(spr));	\
	__v;								\
})

#define mtspr(spr, val)							\
	__asm__ __volatile__("mtspr %0, %1" :: "i"(spr), "r"((unsigned long)(val)) \
			     : "memory")

static inline u64 mfmsr(void)
{
	u64 msr;

	__asm__ __volatile__("mfmsr %0" : "=r"(msr));
	return msr;
}

/* mtmsrd with L=0: every bit the ISA lets the OS change. */
static inline void mtmsr(u64 msr)
{
	__asm__ __volatile__("mtmsrd %0" :: "r"(msr) : "memory");
}

static inline void local_irq_enable(void)
{
	/* mtmsrd L=1 changes only EE and RI (Book III, mtmsrd) */
	__asm__ __volatile__("mtmsrd %0, 1" :: "r"(MSR_EE | MSR_RI) : "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("mtmsrd %0, 1" :: "r"(MSR_RI) : "memory");
}

/* The 64-bit timebase, Book II, Time Base (mftb is mfspr 268). */
static inline u64 get_tb(void)
{
	return mfspr(SPR_TBL_READ);
}

static inline void sync(void)
{
	__asm__ __volatile__("sync" ::: "memory");
}

static inline void isync(void)
{
	__asm__ __volatile__("isync" ::: "memory");
}

static inline void cpu_relax(void)
{
	/* or 1,1,1: lower this thread's priority while spinning
	 * (Book II, Program Priority Register, Program Priority). */
	__asm__ __volatile__("or 1,1,1; or 2,2,2" ::: "memory");
}

/* Timebase ticks per second, from /cpus/<cpu>/timebase-frequency; a
 * default when the tree has none (then tb_hz_from_dt is false). */
extern u64 tb_hz;
extern bool tb_hz_from_dt;

/* Spin for @us microseconds of timebase. */
void udelay(u64 us);

#endif
