/* SPDX-License-Identifier: GPL-2.0-only */
/* ESR_ELx exception classes and fields (Arm ARM,
 * ESR_EL1.EC). On arm the same numbers appear in HSR, which a PL1 guest
 * never sees; they are used here to name aarch64 syndromes only. */
#ifndef ARM_ESR_H
#define ARM_ESR_H

#define ESR_EC_SHIFT		26
#define ESR_EC(esr)		(((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL			(1u << 25)
#define ESR_ISS(esr)		((esr) & 0x1ffffff)
#define ESR_WNR			(1u << 6)	/* data abort ISS: write */
#define ESR_FSC_MASK		0x3f

#define ESR_EC_UNKNOWN		0x00
#define ESR_EC_WFX		0x01
#define ESR_EC_FP_ACCESS	0x07
#define ESR_EC_ILLEGAL		0x0e
#define ESR_EC_SVC64		0x15
#define ESR_EC_SYS64		0x18
#define ESR_EC_SVE		0x19
#define ESR_EC_IABT_LOW		0x20
#define ESR_EC_IABT_CUR		0x21
#define ESR_EC_PC_ALIGN		0x22
#define ESR_EC_DABT_LOW		0x24
#define ESR_EC_DABT_CUR		0x25
#define ESR_EC_SP_ALIGN		0x26
#define ESR_EC_FP_EXC64		0x2c
#define ESR_EC_SERROR		0x2f
#define ESR_EC_BKPT_LOW		0x30
#define ESR_EC_BKPT_CUR		0x31
#define ESR_EC_SSTEP_LOW	0x32
#define ESR_EC_SSTEP_CUR	0x33
#define ESR_EC_WATCH_LOW	0x34
#define ESR_EC_WATCH_CUR	0x35
#define ESR_EC_BRK64		0x3c

#endif
