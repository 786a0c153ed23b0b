/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Performance Monitors Extension (Arm ARM, PMUv3; DDI 0406C,
 * PMUv1/v2), the same accessors on both arches: PMCR, the enable/overflow/
 * interrupt set and clear registers, PMSELR with PMXEVTYPER/PMXEVCNTR for
 * the event counters, PMCCNTR, PMSWINC and PMCEID0/1.
 */
#ifndef ARM_PMU_H
#define ARM_PMU_H

#include "libcflat.h"
#include "arm/sysreg.h"

#define PMCR_E		(1u << 0)
#define PMCR_P		(1u << 1)	/* reset event counters */
#define PMCR_C		(1u << 2)	/* reset the cycle counter */
#define PMCR_LC		(1u << 6)	/* 64-bit cycle counter overflow */
#define PMCR_N(p)	(((p) >> 11) & 0x1f)
#define PMU_CYCLE_IDX	31

/* Common architectural event numbers (Arm ARM, the PMU event list) */
#define EV_SW_INCR	0x00
#define EV_INST_RETIRED	0x08
#define EV_CPU_CYCLES	0x11
#define EV_MEM_ACCESS	0x13
#define EV_CHAIN	0x1e

#ifdef __aarch64__
#define PMU_RW(name, reg)						\
static inline u64 name##_read(void) { return read_sysreg(reg); }	\
static inline void name##_write(u64 v) { write_sysreg(v, reg); isb(); }
PMU_RW(pmcr, pmcr_el0)
PMU_RW(pmcntenset, pmcntenset_el0)
PMU_RW(pmcntenclr, pmcntenclr_el0)
PMU_RW(pmovsclr, pmovsclr_el0)
PMU_RW(pmovsset, pmovsset_el0)
PMU_RW(pmintenset, pmintenset_el1)
PMU_RW(pmintenclr, pmintenclr_el1)
PMU_RW(pmselr, pmselr_el0)
PMU_RW(pmxevtyper, pmxevtyper_el0)
PMU_RW(pmxevcntr, pmxevcntr_el0)
PMU_RW(pmccntr, pmccntr_el0)
PMU_RW(pmccfiltr, pmccfiltr_el0)
PMU_RW(pmuserenr, pmuserenr_el0)
static inline void pmswinc_write(u64 v) { write_sysreg(v, pmswinc_el0); }
static inline u64 pmceid0_read(void) { return read_sysreg(pmceid0_el0); }
static inline u64 pmceid1_read(void) { return read_sysreg(pmceid1_el0); }
/* ID_AA64DFR0_EL1.PMUVer (11:8): 1 PMUv3, 4.. later; 0 none, 0xf IMPDEF */
static inline unsigned pmu_version(void)
{
	unsigned v = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;

	return v == 0xf ? 0 : v;
}
#define PMU_V3		1
#define PMU_ID_FIELD	"ID_AA64DFR0_EL1.PMUVer"
#else
#define PMU_RW(name, crm, op2)						\
static inline u64 name##_read(void) { return cp15_read32(0, c9, crm, op2); } \
static inline void name##_write(u64 v) { cp15_write32(v, 0, c9, crm, op2); isb(); }
PMU_RW(pmcr, c12, 0)
PMU_RW(pmcntenset, c12, 1)
PMU_RW(pmcntenclr, c12, 2)
PMU_RW(pmovsclr, c12, 3)
PMU_RW(pmselr, c12, 5)
PMU_RW(pmccntr, c13, 0)
PMU_RW(pmxevtyper, c13, 1)
PMU_RW(pmxevcntr, c13, 2)
PMU_RW(pmuserenr, c14, 0)
PMU_RW(pmintenset, c14, 1)
PMU_RW(pmintenclr, c14, 2)
PMU_RW(pmovsset, c14, 3)
static inline void pmswinc_write(u64 v) { cp15_write32(v, 0, c9, c12, 4); }
static inline u64 pmceid0_read(void) { return cp15_read32(0, c9, c12, 6); }
static inline u64 pmceid1_read(void) { return cp15_read32(0, c9, c12, 7); }
/* ID_DFR0.PerfMon (27:24): 1 PMUv1, 2 PMUv2, 3 PMUv3; 0xf none
 * (DDI 0406C, ID_DFR0). PMUv3 counts from 3 here, as PMUVer 1 on aarch64. */
static inline unsigned pmu_version(void)
{
	unsigned v = (cp15_read32(0, c0, c1, 2) >> 24) & 0xf;

	return v == 0xf ? 0 : v;
}
#define PMU_V3		3
#define PMU_ID_FIELD	"ID_DFR0.PerfMon"
#endif

static inline void pmu_select(unsigned idx)
{
	pmselr_write(idx);
}

static inline void pmevtyper_write(unsigned idx, u32 ev)
{
	pmselr_write(idx);
	pmxevtyper_write(ev);
}

static inline u32 pmevtyper_read(unsigned idx)
{
	pmselr_write(idx);
	return pmxevtyper_read();
}

static inline void pmevcntr_write(unsigned idx, u32 v)
{
	pmselr_write(idx);
	pmxevcntr_write(v);
}

static inline u32 pmevcntr_read(unsigned idx)
{
	pmselr_write(idx);
	return pmxevcntr_read();
}

/* Is common event @ev implemented (PMCEID0/1, D11.x)? Events 0-63. */
static inline bool pmu_event_supported(unsigned ev)
{
	return ev < 32 ? pmceid0_read() >> ev & 1 :
			 ev < 64 ? pmceid1_read() >> (ev - 32) & 1 : false;
}

#endif
