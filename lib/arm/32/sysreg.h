/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AArch32 (ARMv7 with LPAE and the Virtualization Extensions, as a
 * Cortex-A15) system registers through CP15 (Arm ARM DDI 0487, AArch32; DDI
 * 0406C). MRC/MCR for 32-bit registers, MRRC/MCRR for 64-bit ones.
 */
#ifndef ARM32_SYSREG_H
#define ARM32_SYSREG_H

#define cp15_read32(op1, crn, crm, op2) ({				\
	u32 __v;							\
	__asm__ __volatile__("mrc p15, " #op1 ", %0, " #crn ", " #crm	\
			     ", " #op2 : "=r"(__v) :: "memory");	\
	__v;								\
})
#define cp15_write32(v, op1, crn, crm, op2)				\
	__asm__ __volatile__("mcr p15, " #op1 ", %0, " #crn ", " #crm	\
			     ", " #op2 :: "r"((u32)(v)) : "memory")
#define cp15_read64(op1, crm) ({					\
	u64 __v;							\
	__asm__ __volatile__("mrrc p15, " #op1 ", %Q0, %R0, " #crm	\
			     : "=r"(__v) :: "memory");			\
	__v;								\
})
#define cp15_write64(v, op1, crm)					\
	__asm__ __volatile__("mcrr p15, " #op1 ", %Q0, %R0, " #crm	\
			     :: "r"((u64)(v)) : "memory")

static inline u64 mpidr_read(void)	{ return cp15_read32(0, c0, c0, 5); }
static inline u64 midr_read(void)	{ return cp15_read32(0, c0, c0, 0); }
static inline u64 ctr_read(void)	{ return cp15_read32(0, c0, c0, 1); }

/* TPIDRPRW: the PL1-only thread ID register holds the per-CPU pointer. */
static inline void percpu_ptr_write(void *p) { cp15_write32(p, 0, c13, c0, 4); }
static inline void *percpu_ptr_read(void)
{
	return (void *)cp15_read32(0, c13, c0, 4);
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("cpsie i" ::: "memory");
}
static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cpsid i" ::: "memory");
}

/* Generic timer (Arm ARM, AArch32 CNTV_CTL and friends). */
static inline u32 cntfrq_read(void)	{ return cp15_read32(0, c14, c0, 0); }
static inline u64 cntvct_read(void)	{ isb(); return cp15_read64(1, c14); }
static inline u64 cntpct_read(void)	{ isb(); return cp15_read64(0, c14); }
static inline u32 cntv_ctl_read(void)	{ return cp15_read32(0, c14, c3, 1); }
static inline void cntv_ctl_write(u32 v) { cp15_write32(v, 0, c14, c3, 1); isb(); }
static inline u64 cntv_cval_read(void)	{ return cp15_read64(3, c14); }
static inline void cntv_cval_write(u64 v) { cp15_write64(v, 3, c14); isb(); }
static inline s32 cntv_tval_read(void)	{ return (s32)cp15_read32(0, c14, c3, 0); }
static inline void cntv_tval_write(s32 v) { cp15_write32(v, 0, c14, c3, 0); isb(); }
static inline u32 cntp_ctl_read(void)	{ return cp15_read32(0, c14, c2, 1); }
static inline void cntp_ctl_write(u32 v) { cp15_write32(v, 0, c14, c2, 1); isb(); }
static inline u64 cntp_cval_read(void)	{ return cp15_read64(2, c14); }
static inline void cntp_cval_write(u64 v) { cp15_write64(v, 2, c14); isb(); }
static inline s32 cntp_tval_read(void)	{ return (s32)cp15_read32(0, c14, c2, 0); }
static inline void cntp_tval_write(s32 v) { cp15_write32(v, 0, c14, c2, 0); isb(); }

/* GICv3 CPU interface, AArch32 encodings (IHI 0069, 12.2). */
static inline u32 icc_sre_read(void)	{ return cp15_read32(0, c12, c12, 5); }
static inline void icc_sre_write(u32 v)	{ cp15_write32(v, 0, c12, c12, 5); isb(); }
static inline void icc_pmr_write(u32 v)	{ cp15_write32(v, 0, c4, c6, 0); }
static inline u32 icc_pmr_read(void)	{ return cp15_read32(0, c4, c6, 0); }
static inline void icc_igrpen1_write(u32 v) { cp15_write32(v, 0, c12, c12, 7); isb(); }
static inline u32 icc_iar1_read(void)	{ u32 v = cp15_read32(0, c12, c12, 0); dsb(sy); return v; }
static inline void icc_eoir1_write(u32 v) { cp15_write32(v, 0, c12, c12, 1); isb(); }
static inline void icc_dir_write(u32 v)	{ cp15_write32(v, 0, c12, c11, 1); isb(); }
static inline void icc_sgi1r_write(u64 v) { cp15_write64(v, 0, c12); isb(); }
static inline u32 icc_ctlr_read(void)	{ return cp15_read32(0, c12, c12, 4); }
static inline u32 icc_rpr_read(void)	{ return cp15_read32(0, c12, c11, 3); }

#endif
