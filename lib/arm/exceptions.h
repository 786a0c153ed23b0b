/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exceptions, the same API on arm and aarch64.
 *
 * Every exception reaches do_exception() with a struct pt_regs. It goes, in
 * this order, to: a handler for its exception class (aarch64 synchronous
 * exceptions: install_ec_handler()); a handler for its vector
 * (install_vector_handler(), VEC_* in arm/{32,64}/ptregs.h); the
 * run_catching()/run_in_user() in progress on this CPU, which returns the
 * exception to its caller; else the test aborts with the syndrome decoded.
 * A handler returns to the interrupted code, with whatever it changed in
 * @regs (skip the faulting instruction: regs->pc += 4).
 */
#ifndef ARM_EXCEPTIONS_H
#define ARM_EXCEPTIONS_H

#include "libcflat.h"
#ifdef __aarch64__
#include "arm/64/ptregs.h"
#else
#include "arm/32/ptregs.h"
#endif

/* What happened, in terms both arches share. */
enum exc_kind {
	EXC_NONE = 0,
	EXC_UNDEF,	/* undefined instruction (aarch64: EC 0x00) */
	EXC_SVC,	/* SVC from the code under test */
	EXC_PABT,	/* prefetch (instruction) abort */
	EXC_DABT,	/* data abort */
	EXC_BKPT,	/* hardware breakpoint */
	EXC_WATCH,	/* watchpoint */
	EXC_SSTEP,	/* software step */
	EXC_BRK,	/* BRK (aarch64) / BKPT (arm) instruction */
	EXC_IRQ,
	EXC_FIQ,
	EXC_SERROR,	/* SError / asynchronous abort */
	EXC_OTHER,	/* anything else: see the syndrome */
};

struct exc_info {
	enum exc_kind kind;
	unsigned vector;	/* VEC_* */
	bool user;		/* taken from EL0 / PL0 */
	u32 syndrome;		/* aarch64: ESR_EL1; arm: DFSR, IFSR, or 0 */
	unsigned ec;		/* aarch64: ESR_EL1.EC; arm: 0 */
	unsigned fsc;		/* fault status code (DFSC/IFSC; LPAE STATUS) */
	bool write;		/* data abort on a write (WnR) */
	uintptr_t far;		/* faulting address (FAR_EL1, DFAR, IFAR) */
	uintptr_t pc;		/* preferred return address */
	u32 imm;		/* SVC/BRK/BKPT immediate */
};

typedef void (*exception_fn)(struct pt_regs *regs, const struct exc_info *info);

void install_vector_handler(unsigned vector, exception_fn fn);
/* aarch64 only: synchronous exceptions of class @ec, from EL1 (@user false)
 * or EL0 (@user true). */
void install_ec_handler(bool user, unsigned ec, exception_fn fn);

/*
 * Run fn(arg) at EL1/PL1; an exception with no EC/vector handler ends it
 * and is returned in @info (kind EXC_NONE when fn returned). IRQs keep
 * whatever state they had. Returns info->kind.
 */
enum exc_kind run_catching(void (*fn)(void *), void *arg, struct exc_info *info);
/* Same, at EL0/PL0 on a fresh stack; fn and what it touches must be
 * user-accessible (the image and the heap are, devices are not). */
enum exc_kind run_in_user(void (*fn)(void *), void *arg, struct exc_info *info);

const char *exc_kind_name(enum exc_kind kind);
/* One line: kind, vector, syndrome with its fields decoded, FAR, PC. */
void exc_describe(const struct exc_info *info, char *buf, size_t size);

/* Arch parts (lib/arm/{32,64}/exceptions.c). */
void exc_decode(const struct pt_regs *regs, unsigned vector,
		struct exc_info *info);
const char *exc_fsc_name(unsigned fsc);
void do_exception(struct pt_regs *regs, unsigned vector);

/* Fault status codes, LPAE/VMSAv8-64 long-descriptor format (Arm ARM,
 * ESR_EL1 DFSC; DDI 0406C, Long-descriptor DFSR/IFSR status). */
#define FSC_ADDR_SIZE(l)	(0x00 + (l))
#define FSC_TRANSLATION(l)	(0x04 + (l))
#define FSC_ACCESS_FLAG(l)	(0x08 + (l))
#define FSC_PERMISSION(l)	(0x0c + (l))
#define FSC_SYNC_EXTERNAL	0x10
#define FSC_TAG_CHECK		0x11
#define FSC_ALIGNMENT		0x21
#define FSC_DEBUG		0x22

#endif
