// SPDX-License-Identifier: GPL-2.0-only
/* sc 1 with up to nine arguments (PAPR, hypervisor call interface). */
#include "libcflat.h"
#include "powerpc/hcall.h"

#define HCALL_REGS	9	/* r4..r12 */

long hcall(unsigned long nr, unsigned long *ret, int nargs, ...)
{
	unsigned long a[HCALL_REGS] = { 0 };
	va_list ap;
	int i;

	va_start(ap, nargs);
	for (i = 0; i < nargs && i < HCALL_REGS; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);

	register unsigned long r3 __asm__("r3") = nr;
	register unsigned long r4 __asm__("r4") = a[0];
	register unsigned long r5 __asm__("r5") = a[1];
	register unsigned long r6 __asm__("r6") = a[2];
	register unsigned long r7 __asm__("r7") = a[3];
	register unsigned long r8 __asm__("r8") = a[4];
	register unsigned long r9 __asm__("r9") = a[5];
	register unsigned long r10 __asm__("r10") = a[6];
	register unsigned long r11 __asm__("r11") = a[7];
	register unsigned long r12 __asm__("r12") = a[8];

	/* PAPR, hypervisor call interface: r0, r3-r12, CTR, XER and CR0-1, CR5-7 are volatile
	 * across the call. */
	__asm__ __volatile__("sc 1"
			     : "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
			       "+r"(r7), "+r"(r8), "+r"(r9), "+r"(r10),
			       "+r"(r11), "+r"(r12)
			     :
			     : "r0", "ctr", "xer", "cr0", "cr1", "cr5",
			       "cr6", "cr7", "memory");
	if (ret) {
		ret[0] = r4;
		ret[1] = r5;
		ret[2] = r6;
		ret[3] = r7;
		ret[4] = r8;
		ret[5] = r9;
		ret[6] = r10;
		ret[7] = r11;
		ret[8] = r12;
	}
	return (long)r3;
}
