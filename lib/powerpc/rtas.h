/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run-Time Abstraction Services (PAPR, RTAS): a call names its token (from the
 * /rtas node's properties), its input and output counts, and passes a
 * big-endian argument buffer in real memory. QEMU and KVM take the buffer
 * through the KVMPPC_H_RTAS hcall, which is all the RTAS "code" SLOF
 * instantiates, so we call it directly.
 */
#ifndef POWERPC_RTAS_H
#define POWERPC_RTAS_H

#include "libcflat.h"

#define RTAS_MAX_ARGS		16

/* RTAS status values, PAPR, RTAS status values (Table "RTAS Status Word Values") */
#define RTAS_SUCCESS		0
#define RTAS_HW_ERROR		(-1)
#define RTAS_BUSY		(-2)
#define RTAS_PARAM_ERROR	(-3)
#define RTAS_NOT_SUPPORTED	(-3)	/* same value: "parameter error" */

/* The token of RTAS service @name, or -1 when /rtas does not offer it. */
int rtas_token(const char *name);

/*
 * Call @token with @nargs inputs from the varargs (each an int) and
 * @nret outputs; outputs 1.. go to @ret[0..nret-2]; returns output 0 (the
 * status). A token of -1 returns RTAS_NOT_SUPPORTED without calling.
 */
int rtas_call(int token, int nargs, int nret, int *ret, ...);

/* rtas_call() by service name. */
#define rtas_call_named(name, nargs, nret, ret, ...)			\
	rtas_call(rtas_token(name), (nargs), (nret), (ret), ##__VA_ARGS__)

/* stop-self (PAPR, stop-self) for the calling CPU: returns only if the
 * call failed. Safe while another CPU is inside rtas_call(). */
void rtas_stop_self(void);

/* power-off (PAPR, RTAS power-off): returns only if the call failed. */
void rtas_power_off(void);

#endif
