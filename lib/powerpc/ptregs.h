/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The state an interrupt saves (entry.S) and a handler sees: layout shared
 * by the assembler and C, checked by exceptions.c.
 */
#ifndef POWERPC_PTREGS_H
#define POWERPC_PTREGS_H

#define PT_GPR(n)	(8 * (n))
#define PT_NIP		(8 * 32)	/* SRR0 */
#define PT_MSR		(8 * 33)	/* SRR1 */
#define PT_CTR		(8 * 34)
#define PT_LR		(8 * 35)
#define PT_XER		(8 * 36)
#define PT_CR		(8 * 37)
#define PT_DAR		(8 * 38)
#define PT_DSISR	(8 * 39)
#define PT_TRAP		(8 * 40)	/* the vector */
#define PT_SIZE		(8 * 42)	/* keeps 16-byte alignment */

/* ELFv2 (both endiannesses here): back chain, CR, LR, TOC save words. */
#define STACK_FRAME_MIN	32
/* ELFv2 ABI, the stack frame's protected zone: leaf code may use 288
 * bytes below r1. */
#define STACK_RED_ZONE	288
/* What an interrupt takes below the interrupted r1. */
#define EXC_FRAME	(STACK_FRAME_MIN + PT_SIZE)
#define EXC_STACK_DROP	(STACK_RED_ZONE + EXC_FRAME)

#ifndef __ASSEMBLER__
#include "libcflat.h"

struct pt_regs {
	u64 gpr[32];
	u64 nip;
	u64 msr;
	u64 ctr;
	u64 link;
	u64 xer;
	u64 ccr;
	u64 dar;
	u64 dsisr;
	u64 trap;
	u64 pad;
};
#endif

#endif
