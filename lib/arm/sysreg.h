/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * System registers, barriers and the generic timer, under one set of names
 * on both arches: AArch64 reads them with MRS/MSR, AArch32 with MRC/MCR and
 * MRRC/MCRR (Arm ARM DDI 0487). Shared code and tests use only the
 * functions named here; the encodings live in 32/ and 64/.
 */
#ifndef ARM_SYSREG_H
#define ARM_SYSREG_H

#include "libcflat.h"

#define isb()		__asm__ __volatile__("isb" ::: "memory")
#define dsb(opt)	__asm__ __volatile__("dsb " #opt ::: "memory")
#define dmb(opt)	__asm__ __volatile__("dmb " #opt ::: "memory")
#define wfi()		__asm__ __volatile__("wfi" ::: "memory")
#define wfe()		__asm__ __volatile__("wfe" ::: "memory")
#define sev()		__asm__ __volatile__("sev" ::: "memory")

#ifdef __aarch64__
#include "arm/64/sysreg.h"
#else
#include "arm/32/sysreg.h"
#endif

/* Generic timer CNT{P,V}_CTL bits (Arm ARM, CNTV_CTL_EL0). */
#define CNT_CTL_ENABLE	(1u << 0)
#define CNT_CTL_IMASK	(1u << 1)
#define CNT_CTL_ISTATUS	(1u << 2)

#endif
