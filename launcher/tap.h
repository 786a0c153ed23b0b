/* TAP version 13 on stdout: one test point per selected test named after
 * the test alone, the guest's assertions as an indented subtest, a YAML
 * block after every test point, a summary comment at the end; or, with
 * --brief, one plain line per test for people. */
#ifndef KUT_TAP_H
#define KUT_TAP_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

enum tap_style {
	TAP_FULL,	/* TAP 13 with subtests and YAML */
	TAP_BRIEF,	/* --brief: one line per test, not TAP */
};

/* What the summary line counts. */
struct tap_counts {
	size_t passed;
	size_t failed;
	size_t skipped;
	size_t known;		/* known failures: not ok # TODO */
	size_t fixed;		/* on the list, yet passed: ok # TODO */
};

void tap_begin(FILE *out, enum tap_style style, size_t plan);
/*
 *   ok 1 - selftest                         + YAML: accel, duration_s
 *   not ok 2 - eventinj                     + YAML: reason, argv, failures...
 *   ok 3 - pmu # SKIP check: /sys/...: holds 'N', want 'Y'
 *   not ok 4 - emulator # TODO kvm_pvm: movbe
 *   ok 5 - apic # TODO fixed bug            (on the list, passed)
 * The description is the test's name alone, so that TAP consumers key on
 * a name that is the same on every run; what changes from run to run (the
 * accelerator, the time, the outer layer) goes into the YAML block.
 */
void tap_result(FILE *out, unsigned num, const struct test_result *r);
/*   PASS   selftest (tcg, 0.21s)
 *   FAIL   eventinj (tcg, 1.02s): 1 assertion failed, ... [logs/eventinj.log] */
void tap_brief_result(FILE *out, const struct test_result *r);
void tap_print(FILE *out, enum tap_style style, unsigned num,
	       const struct test_result *r);
void tap_count(struct tap_counts *c, const struct test_result *r);
/* "# 57 tests: 20 passed, 0 failed, 12 skipped, 25 known failures", with
 * ", 1 fixed" and ", 3 not run" when there are any. */
void tap_summary(FILE *out, size_t planned, const struct tap_counts *c);
void tap_bail_out(FILE *out, enum tap_style style, const char *why);

#endif
