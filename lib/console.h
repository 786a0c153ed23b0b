/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The console: one hook each arch implements, and the locked writer the
 * library uses so that output from several CPUs never interleaves mid-line.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

/*
 * Implemented by the arch (lib/x86/serial.c, lib/arm/pl011.c, ...): write
 * the NUL-terminated @s to the console, translating nothing.  The library
 * only calls it with the console lock held, so it never runs concurrently
 * with itself; the arch must not call printf() from inside it.
 */
void console_puts(const char *s);

/*
 * Implemented by the arch: the next byte waiting on the console's input,
 * or -1 when there is none.  Never waits.  lib/migrate.c reads the
 * launcher's go-on byte through it (DESIGN.md, "Migration").
 */
int console_getc(void);

/* Write @s under the console lock, as one unit. */
void console_print(const char *s);

/*
 * For abort paths: like console_print(), but gives up waiting for the lock
 * after a while and writes anyway, since this CPU may be the one holding it.
 */
void console_print_emergency(const char *s);

#endif /* CONSOLE_H */
