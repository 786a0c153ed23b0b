// SPDX-License-Identifier: GPL-2.0-only
/*
 * Division by zero in libgcc's 64-bit division helpers lands here (Run-time
 * ABI for the Arm Architecture, IHI 0043, 4.3.2); libgcc's own versions
 * would raise(SIGFPE), which a guest does not have.
 */
#include "libcflat.h"

int __aeabi_idiv0(int ret);
long long __aeabi_ldiv0(long long ret);

int __aeabi_idiv0(int ret)
{
	(void)ret;
	printf("FAIL: integer division by zero\n");
	abort();
}

long long __aeabi_ldiv0(long long ret)
{
	(void)ret;
	printf("FAIL: integer division by zero\n");
	abort();
}
