/* SPDX-License-Identifier: GPL-2.0-only */
/* AArch64 system register access (Arm ARM DDI 0487, D19). */
#ifndef ARM64_SYSREG_H
#define ARM64_SYSREG_H

#define read_sysreg(r) ({						\
	u64 __v;							\
	__asm__ __volatile__("mrs %0, " #r : "=r"(__v) :: "memory");	\
	__v;								\
})
#define write_sysreg(v, r)						\
	__asm__ __volatile__("msr " #r ", %x0" :: "rZ"((u64)(v)) : "memory")

/* Registers GAS may not know by name, as S<op0>_<op1>_C<n>_C<m>_<op2>. */
#define ID_AA64PFR1_EL1		S3_0_C0_C4_1
#define ID_AA64ZFR0_EL1		S3_0_C0_C4_4
#define ICC_SRE_EL1		S3_0_C12_C12_5
#define ICC_PMR_EL1		S3_0_C4_C6_0
#define ICC_IGRPEN1_EL1		S3_0_C12_C12_7
#define ICC_IAR1_EL1		S3_0_C12_C12_0
#define ICC_EOIR1_EL1		S3_0_C12_C12_1
#define ICC_DIR_EL1		S3_0_C12_C11_1
#define ICC_SGI1R_EL1		S3_0_C12_C11_5
#define ICC_CTLR_EL1		S3_0_C12_C12_4
#define ICC_BPR1_EL1		S3_0_C12_C12_3
#define ICC_RPR_EL1		S3_0_C12_C11_3
#define ICC_HPPIR1_EL1		S3_0_C12_C12_2

static inline u64 mpidr_read(void)	{ return read_sysreg(mpidr_el1); }
static inline u64 midr_read(void)	{ return read_sysreg(midr_el1); }
static inline u64 ctr_read(void)	{ return read_sysreg(ctr_el0); }

static inline void percpu_ptr_write(void *p)	{ write_sysreg(p, tpidr_el1); }
static inline void *percpu_ptr_read(void)
{
	return (void *)read_sysreg(tpidr_el1);
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("msr daifclr, #2" ::: "memory");
}
static inline void local_irq_disable(void)
{
	__asm__ __volatile__("msr daifset, #2" ::: "memory");
}

/* Generic timer (Arm ARM, the Generic Timer). */
static inline u32 cntfrq_read(void)	{ return read_sysreg(cntfrq_el0); }
static inline u64 cntvct_read(void)	{ isb(); return read_sysreg(cntvct_el0); }
static inline u64 cntpct_read(void)	{ isb(); return read_sysreg(cntpct_el0); }
static inline u32 cntv_ctl_read(void)	{ return read_sysreg(cntv_ctl_el0); }
static inline void cntv_ctl_write(u32 v) { write_sysreg(v, cntv_ctl_el0); isb(); }
static inline u64 cntv_cval_read(void)	{ return read_sysreg(cntv_cval_el0); }
static inline void cntv_cval_write(u64 v) { write_sysreg(v, cntv_cval_el0); isb(); }
static inline s32 cntv_tval_read(void)	{ return (s32)read_sysreg(cntv_tval_el0); }
static inline void cntv_tval_write(s32 v) { write_sysreg((u32)v, cntv_tval_el0); isb(); }
static inline u32 cntp_ctl_read(void)	{ return read_sysreg(cntp_ctl_el0); }
static inline void cntp_ctl_write(u32 v) { write_sysreg(v, cntp_ctl_el0); isb(); }
static inline u64 cntp_cval_read(void)	{ return read_sysreg(cntp_cval_el0); }
static inline void cntp_cval_write(u64 v) { write_sysreg(v, cntp_cval_el0); isb(); }
static inline s32 cntp_tval_read(void)	{ return (s32)read_sysreg(cntp_tval_el0); }
static inline void cntp_tval_write(s32 v) { write_sysreg((u32)v, cntp_tval_el0); isb(); }

/* GICv3 CPU interface (GIC architecture spec IHI 0069, 12.2). */
static inline u32 icc_sre_read(void)	{ return read_sysreg(ICC_SRE_EL1); }
static inline void icc_sre_write(u32 v)	{ write_sysreg(v, ICC_SRE_EL1); isb(); }
static inline void icc_pmr_write(u32 v)	{ write_sysreg(v, ICC_PMR_EL1); }
static inline u32 icc_pmr_read(void)	{ return read_sysreg(ICC_PMR_EL1); }
static inline void icc_igrpen1_write(u32 v) { write_sysreg(v, ICC_IGRPEN1_EL1); isb(); }
static inline u32 icc_iar1_read(void)	{ u32 v = read_sysreg(ICC_IAR1_EL1); dsb(sy); return v; }
static inline void icc_eoir1_write(u32 v) { write_sysreg(v, ICC_EOIR1_EL1); isb(); }
static inline void icc_dir_write(u32 v)	{ write_sysreg(v, ICC_DIR_EL1); isb(); }
static inline void icc_sgi1r_write(u64 v) { write_sysreg(v, ICC_SGI1R_EL1); isb(); }
static inline u32 icc_ctlr_read(void)	{ return read_sysreg(ICC_CTLR_EL1); }
static inline u32 icc_rpr_read(void)	{ return read_sysreg(ICC_RPR_EL1); }

#endif
