// SPDX-License-Identifier: GPL-2.0-only
/* RTAS calls through the KVMPPC_H_RTAS hcall (PAPR, RTAS argument buffer call format). */
#include "libcflat.h"
#include <libfdt.h>
#include "devicetree.h"
#include "powerpc/hcall.h"
#include "powerpc/rtas.h"
#include "powerpc/smp.h"

/* PAPR, RTAS argument buffer: token, nargs, nret, then the inputs and the outputs, each a
 * big-endian 32-bit cell. One buffer: calls are serialised by the lock
 * (PAPR, RTAS asks the OS to serialise most services anyway). */
static struct {
	u32 token;
	u32 nargs;
	u32 nret;
	u32 args[RTAS_MAX_ARGS];
} __aligned(16) rtas_buf;
static struct spinlock rtas_lock;

int rtas_token(const char *name)
{
	int node = fdt_path_offset(dt_fdt(), "/rtas");
	const void *p;
	int len;

	if (node < 0)
		return -1;
	p = dt_get_prop(node, name, &len);
	if (!p || len != 4)
		return -1;
	return (int)dt_u32(p);
}

static u32 to_be32(u32 v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

int rtas_call(int token, int nargs, int nret, int *ret, ...)
{
	va_list ap;
	int i, status;

	if (token < 0)
		return RTAS_NOT_SUPPORTED;
	assert(nargs >= 0 && nret >= 1 && nargs + nret <= RTAS_MAX_ARGS);
	spin_lock(&rtas_lock);
	rtas_buf.token = to_be32(token);
	rtas_buf.nargs = to_be32(nargs);
	rtas_buf.nret = to_be32(nret);
	va_start(ap, ret);
	for (i = 0; i < nargs; i++)
		rtas_buf.args[i] = to_be32(va_arg(ap, int));
	va_end(ap);
	for (i = 0; i < nret; i++)
		rtas_buf.args[nargs + i] = 0;
	/* real mode: the buffer's address is its real address */
	hcall_status(KVMPPC_H_RTAS, (unsigned long)&rtas_buf);
	status = (int)to_be32(rtas_buf.args[nargs]);
	for (i = 1; ret && i < nret; i++)
		ret[i - 1] = (int)to_be32(rtas_buf.args[nargs + i]);
	spin_unlock(&rtas_lock);
	return status;
}

void rtas_stop_self(void)
{
	/* Never returns when it works: no lock, a buffer of its own
	 * (PAPR, stop-self lets stop-self run alongside other calls). */
	u32 buf[4] __aligned(16) = {
		to_be32(rtas_token("stop-self")), to_be32(0), to_be32(1), 0,
	};

	hcall_status(KVMPPC_H_RTAS, (unsigned long)buf);
}

void rtas_power_off(void)
{
	/* inputs: power-on mask, two cells, none: no event powers the machine back on (PAPR, RTAS power-off) */
	rtas_call_named("power-off", 2, 1, NULL, 0, 0);
}
