/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tiny libc: C standard semantics unless a comment says otherwise.
 * There is no errno and no floating point.
 */
#ifndef LIBC_H
#define LIBC_H

#include <stdarg.h>
#include <stddef.h>

/* string.c; GCC may emit calls to memcpy/memmove/memset/memcmp itself. */
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);
char *strcat(char *dest, const char *src);
char *strstr(const char *haystack, const char *needle);
void *memset(void *s, int c, size_t n);
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

/*
 * printf.c.  Conversions: d i u x X o p s c %; flags - 0 + space #;
 * width and precision (also *); sizes hh h l ll z j t.  %p prints "0x"
 * and lowercase hex; %s of NULL prints "(null)".
 * printf(), puts() and putchar() each reach the console as one unit: no
 * other CPU's output lands inside it, whatever its length.
 * puts() appends a newline, as in C.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
int vprintf(const char *fmt, va_list ap)
	__attribute__((format(__printf__, 1, 0)));
int printf(const char *fmt, ...)
	__attribute__((format(__printf__, 1, 2)));
int puts(const char *s);
int putchar(int c);

/*
 * stdlib.c.  Bases 0 and 2..36; overflow clamps to the type's limits
 * (there is no errno to set).
 */
long strtol(const char *s, char **endptr, int base);
unsigned long strtoul(const char *s, char **endptr, int base);
long long strtoll(const char *s, char **endptr, int base);
unsigned long long strtoull(const char *s, char **endptr, int base);
int atoi(const char *s);
long atol(const char *s);

/*
 * exit.c.  exit() prints "EXIT: STATUS=<code>" (the last line the launcher
 * reads) and stops the machine through arch_exit().  abort() ends the test
 * with status 1.
 */
void exit(int code) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));

/* Implemented by the arch: stop the machine with status @code. */
void arch_exit(int code) __attribute__((noreturn));

#endif /* LIBC_H */
