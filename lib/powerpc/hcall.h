/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypervisor calls (PAPR, hypervisor calls): sc 1 with the call
 * number in r3 and arguments in r4..r12; the status comes back in r3 and
 * results in r4..r12 (PAPR, hypervisor call interface, "hcall ABI").
 */
#ifndef POWERPC_HCALL_H
#define POWERPC_HCALL_H

#include "libcflat.h"

/* Call numbers (PAPR, hypervisor call functions) */
#define H_REMOVE		0x04
#define H_ENTER			0x08
#define H_READ			0x0c
#define H_PROTECT		0x18
#define H_SET_SPRG0		0x24
#define H_SET_DABR		0x28
#define H_PAGE_INIT		0x2c
#define H_LOGICAL_CI_LOAD	0x3c
#define H_LOGICAL_CI_STORE	0x40
#define H_GET_TERM_CHAR		0x54
#define H_PUT_TERM_CHAR		0x58
#define H_EOI			0x64
#define H_CPPR			0x68
#define H_IPI			0x6c
#define H_IPOLL			0x70
#define H_XIRR			0x74
#define H_REGISTER_VPA		0xdc
#define H_CEDE			0xe0
#define H_CONFER		0xe4
#define H_PROD			0xe8
#define H_RANDOM		0x300
#define H_SET_MODE		0x31c
#define H_REGISTER_PROC_TBL	0x37c
/* QEMU/KVM's private call behind the RTAS entry (qemu's spapr.h,
 * KVMPPC_H_RTAS): the argument buffer's real address in r4. */
#define KVMPPC_H_RTAS		0xf000

/* Return codes (PAPR, hypervisor call interface) */
#define H_SUCCESS		0
#define H_BUSY			1
#define H_HARDWARE		(-1)
#define H_FUNCTION		(-2)
#define H_PRIVILEGE		(-3)
#define H_PARAMETER		(-4)
#define H_BAD_MODE		(-5)
#define H_NOT_FOUND		(-7)
#define H_RESOURCE		(-16)
#define H_UNSUPPORTED_FLAG	(-256)

/* H_PAGE_INIT flags, flags bits 40, 41, 48, 49 (PAPR, H_PAGE_INIT) */
#define H_ICACHE_INVALIDATE	(1ULL << (63 - 40))
#define H_ICACHE_SYNCHRONIZE	(1ULL << (63 - 41))
#define H_ZERO_PAGE		(1ULL << (63 - 48))
#define H_COPY_PAGE		(1ULL << (63 - 49))

/* H_SET_MODE resource 4: interrupt endianness (PAPR, H_SET_MODE) */
#define H_SET_MODE_RESOURCE_LE	4
#define H_SET_MODE_ENDIAN_BIG	0
#define H_SET_MODE_ENDIAN_LITTLE 1

/* H_REGISTER_VPA subfunctions, flags bits 16:18 (PAPR, H_REGISTER_VPA) */
#define H_VPA_REGISTER		(1ULL << 45)
#define H_VPA_REGISTER_SLB	(3ULL << 45)
#define H_VPA_REGISTER_DTL	(2ULL << 45)
#define H_VPA_DEREGISTER	(5ULL << 45)

/*
 * @ret (when not NULL) receives r4..r12 (9 values); returns r3. Every
 * volatile register may be clobbered by the hypervisor.
 */
long hcall(unsigned long nr, unsigned long *ret, int nargs, ...);

/* The call when only its status matters: up to 9 arguments. */
#define hcall_status(nr, ...)						\
	hcall((nr), NULL, hcall_nargs_(__VA_ARGS__), ##__VA_ARGS__)
#define hcall_nargs_(...)						\
	hcall_count_(0, ##__VA_ARGS__, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define hcall_count_(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, n, ...) n

/* Whether /rtas/ibm,hypertas-functions lists @set (e.g. "hcall-sprg0"). */
bool hcall_set_present(const char *set);
/* Whether H_RANDOM is offered: the hcall-random set, or (QEMU's way of
 * saying it) an "ibm,random" node. */
bool hcall_random_present(void);

#endif
