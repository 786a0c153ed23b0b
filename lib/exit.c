// SPDX-License-Identifier: GPL-2.0-only
/* Ending the test: exit() and abort(). */
#include "libcflat.h"

/* Set by the first abort(); an abort while aborting must not loop. */
static int aborting;

void exit(int code)
{
	printf("EXIT: STATUS=%d\n", code);
	arch_exit(code);
}

void abort(void)
{
	if (__atomic_exchange_n(&aborting, 1, __ATOMIC_SEQ_CST)) {
		/*
		 * Printing may be what failed, or the console lock may be
		 * held by the CPU that aborted first: stop without it.
		 */
		arch_exit(1);
	}
	console_print_emergency("ABORT: test aborted\nEXIT: STATUS=1\n");
	arch_exit(1);
}
