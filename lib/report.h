/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report API: one line per assertion, which the launcher parses.
 *
 *   PASS: apic: x2apic: self IPI
 *   ^tag  ^prefixes joined by ": "  ^message
 *
 * Tags are PASS, FAIL, SKIP, XFAIL, XPASS and INFO; with no prefixes pushed
 * the line is "PASS: message".  INFO lines are not tests.  Safe to call from
 * any CPU: counters, prefixes and the line itself are updated as one unit.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>

/* Prefixes longer than this in total are cut (push/pop still pair up). */
#define REPORT_PREFIX_MAX	256
#define REPORT_PREFIX_DEPTH	16

/* PASS if @cond else FAIL; returns @cond. */
bool report(bool cond, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));
void report_pass(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void report_fail(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
/* Say why: report_skip("no x2APIC: CPUID.1:ECX[21] clear"). */
void report_skip(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void report_info(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));

/*
 * For a known bug: when @xfail is true a false @cond is XFAIL (expected,
 * not a failure) and a true @cond is XPASS (counted as an unexpected
 * failure, so the known-bug marker gets removed); when @xfail is false this
 * is report().  Returns @cond.
 */
bool report_xfail(bool xfail, bool cond, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));

void report_prefix_push(const char *prefix);
void report_prefix_pushf(const char *fmt, ...)
	__attribute__((format(__printf__, 1, 2)));
void report_prefix_pop(void);

/*
 * Prints "SUMMARY: N tests, F unexpected failures, X expected failures,
 * S skipped" (N counts PASS, FAIL, XFAIL, XPASS and SKIP; F counts FAIL and
 * XPASS) and returns main()'s exit status:
 *   1                  any FAIL or XPASS;
 *   REPORT_STATUS_SKIP every test was skipped, or no test ran at all (a
 *                      test that verified nothing must not look like a pass;
 *                      the launcher shows it as SKIP, it is not hidden);
 *   0                  otherwise.
 */
#define REPORT_STATUS_SKIP	77
int report_summary(void);

#endif /* REPORT_H */
