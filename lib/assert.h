/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * assert(): for conditions the test cannot go on without (a failed setup
 * step), not for the behaviour under test, which report() checks.
 * A failure prints "FAIL: <prefixes>: assert failed: file:line: expr" (and
 * ": <message>" for assert_msg()), then ends the test with status 1 through
 * abort().  Never compiled out.  Implemented in report.c.
 */
#ifndef ASSERT_H
#define ASSERT_H

void assert_failed(const char *file, int line, const char *expr,
		   const char *fmt, ...)
	__attribute__((noreturn, format(__printf__, 4, 5)));

#define assert(cond)							\
	do {								\
		if (!(cond))						\
			assert_failed(__FILE__, __LINE__, #cond, NULL);	\
	} while (0)

/* Same, with a message saying what was got and wanted. */
#define assert_msg(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			assert_failed(__FILE__, __LINE__, #cond,	\
				      fmt, ##__VA_ARGS__);		\
	} while (0)

#endif /* ASSERT_H */
