/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupts (Power ISA v3.0B Book III, Interrupts): one handler per vector. A
 * handler sees the saved state and may change it (skip the faulting
 * instruction with regs->nip += 4); returning resumes at regs->nip with
 * regs->msr. A vector without a handler ends the test with a FAIL line
 * naming the vector, SRR0, SRR1, DAR and DSISR.
 */
#ifndef POWERPC_EXCEPTIONS_H
#define POWERPC_EXCEPTIONS_H

#include "powerpc/processor.h"
#include "powerpc/ptregs.h"

/* Vector offsets, Book III, Interrupts (Table "Interrupt vectors") */
#define VEC_SYSTEM_RESET	0x100
#define VEC_MACHINE_CHECK	0x200
#define VEC_DATA_STORAGE	0x300
#define VEC_DATA_SEGMENT	0x380
#define VEC_INST_STORAGE	0x400
#define VEC_INST_SEGMENT	0x480
#define VEC_EXTERNAL		0x500
#define VEC_ALIGNMENT		0x600
#define VEC_PROGRAM		0x700
#define VEC_FP_UNAVAILABLE	0x800
#define VEC_DECREMENTER		0x900
#define VEC_DOORBELL		0xa00
#define VEC_SYSCALL		0xc00
#define VEC_TRACE		0xd00
#define VEC_PERF_MONITOR	0xf00
#define VEC_VEC_UNAVAILABLE	0xf20
#define VEC_VSX_UNAVAILABLE	0xf40
#define VEC_FAC_UNAVAILABLE	0xf60
#define VEC_MAX			0x1000

/* SRR1 program-interrupt reasons, Book III, Program Interrupt */
#define SRR1_PROG_FP		PPC_BIT(43)
#define SRR1_PROG_ILLEGAL	PPC_BIT(44)
#define SRR1_PROG_PRIV		PPC_BIT(45)
#define SRR1_PROG_TRAP		PPC_BIT(46)

typedef void (*exception_fn)(struct pt_regs *regs, void *data);

/* Install @fn for @vec (NULL removes it); returns the previous one. */
exception_fn handle_exception(int vec, exception_fn fn, void *data);

/*
 * Run @fn(@arg) and return the vector it raised (0 for none). A raising
 * instruction is skipped; @regs, when not NULL, receives the state the
 * interrupt saved. Handlers installed for the vector are not called.
 */
int run_catching(void (*fn)(void *arg), void *arg, struct pt_regs *regs);

/* The name of @vec for messages ("program", "alignment"...). */
const char *exception_name(int vec);

#endif
