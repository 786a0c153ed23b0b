/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor virtual terminal (spapr-vty) as the console. */
#ifndef POWERPC_CONSOLE_H
#define POWERPC_CONSOLE_H

/* Use the vty /chosen/stdout-path names (default: QEMU's first). */
void console_init(void);
/* One byte from the terminal, or -1 when none is waiting. */
int console_getc(void);

#endif
