/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one header a test includes: the compiler's freestanding types, the
 * small macros every test wants, and the arch-neutral guest library
 * (formatted output, strings, number parsing, heap, report API, argv).
 */
#ifndef LIBCFLAT_H
#define LIBCFLAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Short fixed-width names, as hardware manuals and Linux use them. */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#include "limits.h"

#define __unused		__attribute__((unused))
#define __noreturn		__attribute__((noreturn))
#define __packed		__attribute__((packed))
#define __aligned(x)		__attribute__((aligned(x)))
#define __printf(fmt, args)	__attribute__((format(__printf__, fmt, args)))
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* @a must be a power of two; the result has the type of @x. */
#define ALIGN_UP(x, a)		(((x) + ((__typeof__(x))(a) - 1)) & \
				 ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Compile-time check that evaluates to nothing. */
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), #cond)

#define barrier()		__asm__ __volatile__("" ::: "memory")

/* Single-copy accesses the compiler may neither tear, merge nor elide. */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

#define KiB			(1UL << 10)
#define MiB			(1UL << 20)
#define GiB			(1ULL << 30)

#include "libc.h"
#include "ctype.h"
#include "console.h"
#include "alloc.h"
#include "report.h"
#include "argv.h"
#include "assert.h"
#include "bitops.h"
#include "spinlock.h"

#endif /* LIBCFLAT_H */
