// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report API (report.h).  A whole line is built in a buffer and printed
 * under the report lock, so the counters, the prefix stack and the order of
 * lines on the console agree even when several CPUs report at once.
 */
#include "libcflat.h"

#define REPORT_LINE_MAX	1024

static struct spinlock report_lock;

/* Prefixes joined by ": ", and where each one ends, to pop it. */
static char prefixes[REPORT_PREFIX_MAX];
static size_t prefix_end[REPORT_PREFIX_DEPTH];
/* May exceed REPORT_PREFIX_DEPTH: pushes past it are dropped but counted. */
static unsigned int prefix_depth;

static unsigned int tests, failures, xfailures, skipped;

static void prefix_push_locked(const char *prefix)
{
	size_t len = prefix_depth ? prefix_end[MIN(prefix_depth,
						   REPORT_PREFIX_DEPTH) - 1] : 0;

	if (prefix_depth < REPORT_PREFIX_DEPTH) {
		if (prefix_depth)
			len += snprintf(prefixes + len, sizeof(prefixes) - len,
					": ");
		len = MIN(len, sizeof(prefixes) - 1);
		len += snprintf(prefixes + len, sizeof(prefixes) - len, "%s",
				prefix);
		prefix_end[prefix_depth] = MIN(len, sizeof(prefixes) - 1);
	}
	prefix_depth++;
}

void report_prefix_push(const char *prefix)
{
	spin_lock(&report_lock);
	prefix_push_locked(prefix);
	spin_unlock(&report_lock);
}

void report_prefix_pushf(const char *fmt, ...)
{
	char buf[REPORT_PREFIX_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	report_prefix_push(buf);
}

void report_prefix_pop(void)
{
	spin_lock(&report_lock);
	assert_msg(prefix_depth > 0, "report_prefix_pop() with no prefix");
	prefix_depth--;
	if (prefix_depth && prefix_depth <= REPORT_PREFIX_DEPTH)
		prefixes[prefix_end[prefix_depth - 1]] = '\0';
	else if (!prefix_depth)
		prefixes[0] = '\0';
	spin_unlock(&report_lock);
}

enum report_kind { R_PASS, R_FAIL, R_SKIP, R_XFAIL, R_XPASS, R_INFO };

static const char *const report_tag[] = {
	[R_PASS] = "PASS",
	[R_FAIL] = "FAIL",
	[R_SKIP] = "SKIP",
	[R_XFAIL] = "XFAIL",
	[R_XPASS] = "XPASS",
	[R_INFO] = "INFO",
};

static void report_line(enum report_kind kind, const char *fmt, va_list ap)
{
	char line[REPORT_LINE_MAX];
	size_t len;

	spin_lock(&report_lock);
	len = snprintf(line, sizeof(line), "%s: %s", report_tag[kind],
		       prefixes);
	len = MIN(len, sizeof(line) - 1);
	/* "PASS: msg" without prefixes, "PASS: prefix" without a message. */
	if (prefixes[0] && fmt[0])
		len += snprintf(line + len, sizeof(line) - len, ": ");
	len = MIN(len, sizeof(line) - 1);
	vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	/* A cut line must still end the line, or the next one joins it. */
	len = strlen(line);
	if (len == sizeof(line) - 1)
		len--;
	line[len] = '\n';
	line[len + 1] = '\0';

	switch (kind) {
	case R_FAIL:
	case R_XPASS:
		failures++;
		tests++;
		break;
	case R_XFAIL:
		xfailures++;
		tests++;
		break;
	case R_SKIP:
		skipped++;
		tests++;
		break;
	case R_PASS:
		tests++;
		break;
	case R_INFO:
		break;
	}
	console_print(line);
	spin_unlock(&report_lock);
}

bool report(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_line(cond ? R_PASS : R_FAIL, fmt, ap);
	va_end(ap);
	return cond;
}

bool report_xfail(bool xfail, bool cond, const char *fmt, ...)
{
	enum report_kind kind;
	va_list ap;

	if (xfail)
		kind = cond ? R_XPASS : R_XFAIL;
	else
		kind = cond ? R_PASS : R_FAIL;
	va_start(ap, fmt);
	report_line(kind, fmt, ap);
	va_end(ap);
	return cond;
}

#define DEFINE_REPORT_KIND(name, kind)				\
	void name(const char *fmt, ...)				\
	{							\
		va_list ap;					\
								\
		va_start(ap, fmt);				\
		report_line(kind, fmt, ap);			\
		va_end(ap);					\
	}

DEFINE_REPORT_KIND(report_pass, R_PASS)
DEFINE_REPORT_KIND(report_fail, R_FAIL)
DEFINE_REPORT_KIND(report_skip, R_SKIP)
DEFINE_REPORT_KIND(report_info, R_INFO)

void assert_failed(const char *file, int line, const char *expr,
		   const char *fmt, ...)
{
	char buf[REPORT_LINE_MAX];
	/* This CPU may hold the report lock (an assert inside a report). */
	unsigned long tries = 10 * 1000 * 1000;
	bool locked = false;
	size_t len;
	va_list ap;

	while (tries-- && !(locked = spin_trylock(&report_lock)))
		barrier();
	len = snprintf(buf, sizeof(buf), "FAIL: %s%sassert failed: %s:%d: %s",
		       prefixes, prefixes[0] ? ": " : "", file, line, expr);
	len = MIN(len, sizeof(buf) - 1);
	if (fmt) {
		len += snprintf(buf + len, sizeof(buf) - len, ": ");
		len = MIN(len, sizeof(buf) - 1);
		va_start(ap, fmt);
		vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
		va_end(ap);
	}
	len = MIN(strlen(buf), sizeof(buf) - 2);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	if (locked) {
		tests++;
		failures++;
		spin_unlock(&report_lock);
	}
	console_print_emergency(buf);
	abort();
}

int report_summary(void)
{
	int status;

	spin_lock(&report_lock);
	printf("SUMMARY: %u tests, %u unexpected failures, %u expected failures, %u skipped\n",
	       tests, failures, xfailures, skipped);
	if (failures)
		status = 1;
	else if (tests == skipped)
		status = REPORT_STATUS_SKIP;
	else
		status = 0;
	spin_unlock(&report_lock);
	return status;
}
