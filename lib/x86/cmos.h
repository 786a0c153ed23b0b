/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PC's CMOS RAM and MC146818 RTC registers, through the index port
 * (0x70) and the data port (0x71). Bit 7 of the index is the NMI mask on
 * real chipsets; these accessors leave it clear.
 */
#ifndef X86_CMOS_H
#define X86_CMOS_H

#include "libcflat.h"
#include "x86/processor.h"

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

static inline u8 cmos_read(u8 reg)
{
	outb(reg, CMOS_INDEX);
	return inb(CMOS_DATA);
}

static inline void cmos_write(u8 reg, u8 val)
{
	outb(reg, CMOS_INDEX);
	outb(val, CMOS_DATA);
}

#endif
