/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The frame lib/arm/32/entry.S saves on the SVC stack for every exception,
 * and the vector offsets (DDI 0406C, the exception vectors: reset,
 * undefined, supervisor call, prefetch abort, data abort, -, IRQ, FIQ).
 */
#ifndef ARM32_PTREGS_H
#define ARM32_PTREGS_H

#define S_R0		0
#define S_SP		52
#define S_LR		56
#define S_PC		60
#define S_CPSR		64
#define S_FRAME		72

#define VEC_RESET	0
#define VEC_UNDEF	1
#define VEC_SVC		2
#define VEC_PABT	3
#define VEC_DABT	4
#define VEC_HYP		5
#define VEC_IRQ		6
#define VEC_FIQ		7
#define VEC_COUNT	8

/* CPSR mode field values (DDI 0406C, CPSR.M) */
#define MODE_USR	0x10
#define MODE_FIQ	0x11
#define MODE_IRQ	0x12
#define MODE_SVC	0x13
#define MODE_ABT	0x17
#define MODE_UND	0x1b
#define MODE_SYS	0x1f
#define PSR_F		(1 << 6)
#define PSR_I		(1 << 7)
#define PSR_A		(1 << 8)
#define PSR_MODE_MASK	0x1f

#define CPU_STACK_TOP	8

#define SVC_USER_RETURN	0xcafe

#ifndef __ASSEMBLER__
struct pt_regs {
	u32 regs[13];
	u32 sp;
	u32 lr;
	u32 pc;
	u32 cpsr;
	u32 pad;
};
#endif

#endif
