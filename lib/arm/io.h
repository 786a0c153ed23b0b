/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device register access: single accesses of the named width (a device
 * must see exactly one access, never a torn or merged one), ordered against
 * normal memory by DSB/DMB as the Arm ARM's device-memory rules want
 * (Device memory accesses are ordered among themselves only).
 */
#ifndef ARM_IO_H
#define ARM_IO_H

#include "libcflat.h"
#include "arm/sysreg.h"

static inline u8 raw_readb(const volatile void *a)
{
	return *(const volatile u8 *)a;
}
static inline u16 raw_readw(const volatile void *a)
{
	return *(const volatile u16 *)a;
}
static inline u32 raw_readl(const volatile void *a)
{
	return *(const volatile u32 *)a;
}
static inline u64 raw_readq(const volatile void *a)
{
	return *(const volatile u64 *)a;
}
static inline void raw_writeb(u8 v, volatile void *a)
{
	*(volatile u8 *)a = v;
}
static inline void raw_writew(u16 v, volatile void *a)
{
	*(volatile u16 *)a = v;
}
static inline void raw_writel(u32 v, volatile void *a)
{
	*(volatile u32 *)a = v;
}
static inline void raw_writeq(u64 v, volatile void *a)
{
#ifdef __aarch64__
	*(volatile u64 *)a = v;
#else
	/* strd is one 64-bit single-copy atomic access with LPAE (DDI 0406C,
	 * single-copy atomicity) */
	__asm__ __volatile__("strd %Q0, %R0, [%1]" :: "r"(v), "r"(a) : "memory");
#endif
}

/* Reads complete before later normal-memory accesses; writes after earlier
 * ones. ARMv7 has no load-only DMB. */
#ifdef __aarch64__
#define io_rmb()	dmb(oshld)
#else
#define io_rmb()	dmb(osh)
#endif
#define readb(a)	({ u8 __v = raw_readb(a); io_rmb(); __v; })
#define readw(a)	({ u16 __v = raw_readw(a); io_rmb(); __v; })
#define readl(a)	({ u32 __v = raw_readl(a); io_rmb(); __v; })
#define readq(a)	({ u64 __v = raw_readq(a); io_rmb(); __v; })
#define writeb(v, a)	({ dmb(oshst); raw_writeb(v, a); })
#define writew(v, a)	({ dmb(oshst); raw_writew(v, a); })
#define writel(v, a)	({ dmb(oshst); raw_writel(v, a); })
#define writeq(v, a)	({ dmb(oshst); raw_writeq(v, a); })

/* Map @size bytes of device registers at physical @phys (identity, Device
 * nGnRnE); returns the address to use. lib/arm/mmu.c. */
void *ioremap(u64 phys, size_t size);

#endif
