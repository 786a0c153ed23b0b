/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The frame lib/arm/64/entry.S saves on the EL1 stack for every exception,
 * and the vector numbers (Arm ARM, the exception vector table: it is
 * 16 entries of 0x80 bytes, by where the exception came from).
 */
#ifndef ARM64_PTREGS_H
#define ARM64_PTREGS_H

#define S_X0		0
#define S_X30		240
#define S_SP		248
#define S_PC		256
#define S_PSTATE	264
#define S_ESR		272
#define S_FAR		280
#define S_FRAME		288

#define VEC_EL1T_SYNC	0
#define VEC_EL1T_IRQ	1
#define VEC_EL1T_FIQ	2
#define VEC_EL1T_SERROR	3
#define VEC_EL1H_SYNC	4
#define VEC_EL1H_IRQ	5
#define VEC_EL1H_FIQ	6
#define VEC_EL1H_SERROR	7
#define VEC_EL0_SYNC	8
#define VEC_EL0_IRQ	9
#define VEC_EL0_FIQ	10
#define VEC_EL0_SERROR	11
#define VEC_EL0_32_SYNC	12
#define VEC_EL0_32_IRQ	13
#define VEC_EL0_32_FIQ	14
#define VEC_EL0_32_SERROR 15
#define VEC_COUNT	16

/* struct cpu fields entry.S reads (lib/arm/smp.h checks them) */
#define CPU_STACK_TOP	8

/* SVC immediate that ends run_in_user(): the user function returned */
#define SVC_USER_RETURN	0xcafe

#ifndef __ASSEMBLER__
struct pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;
	u64 pstate;
	u64 esr;
	u64 far;
};
#endif

#endif
