// SPDX-License-Identifier: GPL-2.0-only
/* The console: the vty /chosen/stdout-path names, written through
 * H_PUT_TERM_CHAR and read through H_GET_TERM_CHAR (PAPR, H_PUT_TERM_CHAR and H_GET_TERM_CHAR). */
#include <libfdt.h>
#include "libcflat.h"
#include "devicetree.h"
#include "powerpc/console.h"
#include "powerpc/hcall.h"

/* QEMU's first spapr-vty until the device tree says otherwise
 * (SPAPR_VIO_REG_BASE in QEMU's hw/ppc/spapr_vio.c). */
#define VTY_DEFAULT_TERMNO	0x71000000
/* H_PUT_TERM_CHAR takes up to 16 bytes in r6, r7 */
#define TERM_CHUNK		16

static unsigned long termno = VTY_DEFAULT_TERMNO;

void console_init(void)
{
	int node = dt_get_stdout();
	const void *reg;
	int len;

	if (node < 0)
		return;
	reg = dt_get_prop(node, "reg", &len);
	if (reg && len >= 4)
		termno = dt_u32(reg);
}

/* The bytes go in r6, r7 first byte most significant (PAPR, H_PUT_TERM_CHAR),
 * whatever the partition's byte order. */
static unsigned long pack(const char *s, int n)
{
	unsigned long v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | (i < n ? (unsigned char)s[i] : 0);
	return v;
}

static void put_chunk(const char *s, int n)
{
	long ret;

	do {
		ret = hcall_status(H_PUT_TERM_CHAR, termno, (unsigned long)n,
				   pack(s, n), n > 8 ? pack(s + 8, n - 8) : 0UL);
	} while (ret == H_BUSY);
}

void console_puts(const char *s)
{
	size_t n = strlen(s);

	/* bytes as they are: the launcher reads lines ended by LF */
	for (; n > TERM_CHUNK; n -= TERM_CHUNK, s += TERM_CHUNK)
		put_chunk(s, TERM_CHUNK);
	if (n)
		put_chunk(s, (int)n);
}

int console_getchar(void)
{
	unsigned long ret[9];

	/* r4 = count, r5/r6 = the bytes, first byte most significant */
	if (hcall(H_GET_TERM_CHAR, ret, 1, termno) != H_SUCCESS || !ret[0])
		return -1;
	return (int)(ret[1] >> 56);
}
