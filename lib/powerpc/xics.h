/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The XICS interrupt presentation hcalls (PAPR, interrupt support hcalls, "Interrupt
 * Support hcalls"): an inter-processor interrupt is source 2, raised by
 * writing a priority into the target's MFRR with H_IPI, presented as an
 * external interrupt (vector 0x500), accepted with H_XIRR and ended with
 * H_EOI.
 */
#ifndef POWERPC_XICS_H
#define POWERPC_XICS_H

#include "libcflat.h"
#include "powerpc/hcall.h"

#define XICS_IPI_SOURCE		2	/* PAPR, interrupt support hcalls */
#define XICS_PRIO_MOST		0	/* most favoured priority */
#define XICS_PRIO_NONE		0xff	/* MFRR: no IPI; CPPR: all enabled */
#define XIRR_SOURCE(x)		((x) & 0xffffff)
#define XIRR_CPPR(x)		(((x) >> 24) & 0xff)

static inline long xics_ipi(u32 server, u8 prio)
{
	return hcall_status(H_IPI, (unsigned long)server, (unsigned long)prio);
}

static inline long xics_cppr(u8 prio)
{
	return hcall_status(H_CPPR, (unsigned long)prio);
}

/* Accept the most favoured pending interrupt: the XIRR, or -1. */
static inline long xics_xirr(void)
{
	unsigned long ret[9];

	if (hcall(H_XIRR, ret, 0) != H_SUCCESS)
		return -1;
	return (long)(ret[0] & 0xffffffff);
}

static inline long xics_eoi(u32 xirr)
{
	return hcall_status(H_EOI, (unsigned long)xirr);
}

#endif
