/* A minimal TAP harness for the launcher's unit tests: one test case per
 * function, named after the behaviour it checks.
 *
 *	static void cfg_rejects_duplicate_section(void) { ... EXPECT(...); }
 *	int main(void) { RUN(cfg_rejects_duplicate_section); return unit_done(); }
 */
#ifndef KUT_UNIT_HARNESS_H
#define KUT_UNIT_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned unit_cases, unit_failed_cases;
static bool unit_case_ok;

#define EXPECT(cond, ...)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			unit_case_ok = false;                                \
			printf("# %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
		}                                                            \
	} while (0)

static inline bool unit_streq(const char *got, const char *want)
{
	return got && !strcmp(got, want);
}

static inline bool unit_strhas(const char *got, const char *want)
{
	return got && strstr(got, want);
}

static inline const char *unit_s(const char *s)
{
	return s ? s : "(null)";
}

#define EXPECT_STR(got, want)                                                \
	EXPECT(unit_streq((got), (want)), "got '%s', want '%s'", unit_s(got), (want))

/* @got contains @want */
#define EXPECT_HAS(got, want)                                                \
	EXPECT(unit_strhas((got), (want)), "got '%s', want it to contain '%s'", \
	       unit_s(got), (want))

#define EXPECT_INT(got, want)                                                \
	EXPECT((long long)(got) == (long long)(want), "got %lld, want %lld", \
	       (long long)(got), (long long)(want))

#define RUN(fn) unit_run(#fn, fn)

static inline void unit_run(const char *name, void (*fn)(void))
{
	unit_case_ok = true;
	fflush(stdout);
	fn();
	unit_cases++;
	if (!unit_case_ok)
		unit_failed_cases++;
	printf("%sok %u - %s\n", unit_case_ok ? "" : "not ", unit_cases, name);
	fflush(stdout);
}

static inline int unit_done(void)
{
	printf("1..%u\n", unit_cases);
	return unit_failed_cases ? 1 : 0;
}

#endif
