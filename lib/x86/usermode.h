/*
 * Running a function at CPL 3 (ring 3), in 64-bit mode (i386: 32-bit
 * protected mode), on the USER_CS and USER_DS segments (layout.h).
 *
 * The function cannot print: the serial port needs I/O privilege (IOPL
 * is 0, SDM vol 1, 19.5.1), so it leaves its results in memory for the
 * caller to report. It runs with interrupts disabled. An exception it
 * raises ends it, as in run_catching(): the CPU enters ring 0 on the
 * TSS's RSP0 stack (SDM vol 3, 6.14.4; i386: ESP0, 6.12.1) and the
 * exception is returned, unless a handler installed with
 * handle_exception() takes it.
 *
 * While it runs, the image (code, data, bss) is mapped user-accessible;
 * the previous U/S bits are put back afterwards. Tests that turn on
 * CR4.SMEP or CR4.SMAP must turn them off around the call. One CPU at a
 * time.
 */
#ifndef X86_USERMODE_H
#define X86_USERMODE_H

#include "libcflat.h"
#include "x86/desc.h"

/* The DPL 3 interrupt gate the ring 3 side leaves through. */
#define USERMODE_RETURN_VECTOR	0xee

/* Run fn(arg) at CPL 3; .raised tells whether it ended in an exception. */
struct ex_result run_in_usermode(void (*fn)(void *), void *arg);

#endif
