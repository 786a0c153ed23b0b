/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) into every file of the host-side test
 * tests/guest-libc, and only there.
 *
 * The guest library defines printf, malloc, strlen, exit... with the names C
 * gives them, because the guest has no other libc and GCC emits calls to
 * memcpy/memset by those names.  Linked into a hosted test binary they would
 * replace glibc's own (which glibc, the dynamic loader and the startup code
 * call too), so here every public name is renamed to kut_<name> before any
 * line of the library or the test is read.  Guest builds never see this file
 * and keep the plain names.  The test itself talks to the host only through
 * write(2) and setjmp, whose names are not renamed.
 */
#ifndef GUEST_LIBC_RENAME_H
#define GUEST_LIBC_RENAME_H

#define strlen		kut_strlen
#define strnlen		kut_strnlen
#define strcmp		kut_strcmp
#define strncmp		kut_strncmp
#define strchr		kut_strchr
#define strrchr		kut_strrchr
#define strcpy		kut_strcpy
#define strncpy		kut_strncpy
#define strcat		kut_strcat
#define strstr		kut_strstr
#define memset		kut_memset
#define memcpy		kut_memcpy
#define memmove		kut_memmove
#define memcmp		kut_memcmp
#define memchr		kut_memchr

#define vsnprintf	kut_vsnprintf
#define snprintf	kut_snprintf
#define vprintf		kut_vprintf
#define printf		kut_printf
#define puts		kut_puts
#define putchar		kut_putchar

#define strtol		kut_strtol
#define strtoul		kut_strtoul
#define strtoll		kut_strtoll
#define strtoull	kut_strtoull
#define atoi		kut_atoi
#define atol		kut_atol

#define exit		kut_exit
#define abort		kut_abort

#define malloc		kut_malloc
#define free		kut_free
#define calloc		kut_calloc
#define realloc		kut_realloc
#define memalign	kut_memalign

/* ctype.h's inline functions would clash with glibc's macros of that name. */
#define isdigit		kut_isdigit
#define islower		kut_islower
#define isupper		kut_isupper
#define isalpha		kut_isalpha
#define isalnum		kut_isalnum
#define isxdigit	kut_isxdigit
#define isspace		kut_isspace
#define tolower		kut_tolower
#define toupper		kut_toupper

#define __argc		kut_argc
#define __argv		kut_argv

#endif /* GUEST_LIBC_RENAME_H */
