/* Unit tests of the TAP output (launcher/tap.c). */
#include <stdlib.h>

#include "tap.h"
#include "unit-harness.h"

static char *out;

/* The TAP for @r as test number 3. */
static const char *tap_of(const struct test_result *r)
{
	size_t len;
	FILE *f;

	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return "(open_memstream failed)";
	tap_result(f, 3, r);
	fclose(f);
	return out;
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

static void result_ran(struct test_result *r, enum verdict_kind kind, const char *reason)
{
	memset(r, 0, sizeof(*r));
	r->name = "eventinj";
	r->ran = true;
	r->accel = ACCEL_KVM;
	r->secs = 0.214;
	r->verdict.kind = kind;
	r->verdict.reason = reason ? strdup(reason) : NULL;
	r->end.kind = END_EXITED;
	r->end.code = 1;
}

/* issue 16 item 6: anything after the name but a directive is part of
 * the name for prove, tap-parser and Automake's driver */
static void tap_pass_line_is_the_name_alone_with_accel_and_time_in_yaml(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_PASS, NULL);
	EXPECT_STR(tap_of(&r), "ok 3 - eventinj\n  ---\n  accel: kvm\n  duration_s: 0.21\n"
			       "  qemu_exit: 1\n  ...\n");
	test_result_free(&r);
}

static void tap_outer_layer_goes_into_the_yaml(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_PASS, NULL);
	r.outer = OUTER_TCG;
	EXPECT_HAS(tap_of(&r), "ok 3 - eventinj\n  ---\n  accel: kvm\n  duration_s: 0.21\n  outer: tcg\n");
	r.outer = OUTER_NONE;
	EXPECT(!strstr(tap_of(&r), "outer:"), "outer on a real host:\n%s", out);
	test_result_free(&r);
}

static void tap_skip_directive_comes_first(void)
{
	struct test_result r = { .name = "pmu", .verdict = { .kind = VERDICT_SKIP } };

	r.verdict.reason = strdup("check: /sys/x holds 'N', want 'Y'");
	EXPECT_STR(tap_of(&r), "ok 3 - pmu # SKIP check: /sys/x holds 'N', want 'Y'\n"
			       "  ---\n  accel: none\n  duration_s: 0.00\n  ...\n");
	test_result_free(&r);
}

static void tap_skip_after_run_keeps_the_reason_alone(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_SKIP, "no x2APIC");
	EXPECT_HAS(tap_of(&r), "ok 3 - eventinj # SKIP no x2APIC\n  ---\n  accel: kvm\n");
	test_result_free(&r);
}

static void tap_known_failure_is_not_ok_todo_with_yaml(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_KNOWN, "kvm_pvm: movbe");
	tap_of(&r);
	EXPECT(starts_with(out, "not ok 3 - eventinj # TODO kvm_pvm: movbe\n  ---\n"),
	       "got:\n%s", out);
	test_result_free(&r);
}

static void tap_fixed_known_failure_is_ok_todo(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_FIXED, "was broken");
	r.verdict.note = strdup("passed although on the expect list (k:1)");
	EXPECT_HAS(tap_of(&r), "ok 3 - eventinj # TODO was broken\n");
	EXPECT(strncmp(out, "not ", 4), "got:\n%s", out);
	test_result_free(&r);
}

static void tap_failure_has_yaml_block_with_argv_status_and_lines(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_FAIL, "1 assertion failed, first: nmi");
	r.verdict.have_status = true;
	r.verdict.status = 1;
	r.end.code = 3;
	strv_push(&r.argv, "qemu-system-x86_64");
	strv_push(&r.argv, "-append");
	strv_push(&r.argv, "a \"b\"");
	guest_output_line(&r.gout, "FAIL: eventinj: nmi (got 1, want 2)");
	guest_output_line(&r.gout, "INFO: eventinj: took 12 cycles");
	guest_stderr_line(&r.gout, "qemu-system-x86_64: warning: x");
	tap_of(&r);
	EXPECT_HAS(out, "not ok 3 - eventinj\n  ---\n");
	EXPECT_HAS(out, "  reason: \"1 assertion failed, first: nmi\"\n");
	EXPECT_HAS(out, "  status: 1\n");
	EXPECT_HAS(out, "  qemu_exit: 3\n");
	EXPECT_HAS(out, "  argv:\n    - \"qemu-system-x86_64\"\n    - \"-append\"\n    - \"a \\\"b\\\"\"\n");
	/* Perl's YAMLish would read "- eventinj: ..." as a mapping */
	EXPECT_HAS(out, "  failures:\n    - \"eventinj\\x3a nmi (got 1, want 2)\"\n");
	EXPECT_HAS(out, "  info:\n    - \"eventinj\\x3a took 12 cycles\"\n");
	EXPECT_HAS(out, "  stderr:\n    - \"qemu-system-x86_64\\x3a warning: x\"\n");
	EXPECT_HAS(out, "\n  ...\n");
	test_result_free(&r);
}

static void tap_pass_with_info_lines_has_yaml(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_PASS, NULL);
	guest_output_line(&r.gout, "PASS: a");
	guest_output_line(&r.gout, "INFO: vmexit: cpuid 1234 cycles");
	tap_of(&r);
	EXPECT_HAS(out, "ok 3 - eventinj\n  ---\n");
	EXPECT_HAS(out, "  info:\n    - \"vmexit\\x3a cpuid 1234 cycles\"\n");
	EXPECT(!strstr(out, "argv:"), "argv on a pass:\n%s", out);
	test_result_free(&r);
}

static void tap_assertions_form_an_indented_subtest_before_the_test(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_FAIL, "x");
	guest_output_line(&r.gout, "PASS: a: one");
	guest_output_line(&r.gout, "INFO: not a test point");
	guest_output_line(&r.gout, "SKIP: a: two");
	guest_output_line(&r.gout, "FAIL: a: three");
	guest_output_line(&r.gout, "XFAIL: a: four");
	guest_output_line(&r.gout, "XPASS: a: five");
	tap_of(&r);
	EXPECT(starts_with(out,
			"    # Subtest: eventinj\n"
			"    1..5\n"
			"    ok 1 - a: one\n"
			"    ok 2 - a: two # SKIP\n"
			"    not ok 3 - a: three\n"
			"    not ok 4 - a: four # TODO expected failure (XFAIL)\n"
			"    not ok 5 - a: five (XPASS: passed, expected to fail)\n"
			"not ok 3 - eventinj\n"), "got:\n%s", out);
	test_result_free(&r);
}

static void tap_escapes_hash_and_control_characters_in_descriptions(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_PASS, NULL);
	guest_output_line(&r.gout, "PASS: a # SKIP not really\x01 \\");
	EXPECT_HAS(tap_of(&r), "    ok 1 - a \\# SKIP not really? \\\\\n");
	test_result_free(&r);
}

static void tap_yaml_escapes_bytes_that_are_not_utf8(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_FAIL, "bad \xff byte, good \xc3\xa9, tab\t");
	EXPECT_HAS(tap_of(&r), "  reason: \"bad \\xff byte, good \xc3\xa9, tab\\t\"\n");
	test_result_free(&r);
}

static void tap_known_assertion_is_todo_in_subtest(void)
{
	struct expect_entry e = { .reason = "movbe" };
	struct test_result r;

	result_ran(&r, VERDICT_KNOWN, "movbe");
	guest_output_line(&r.gout, "FAIL: emulator: movbe");
	r.gout.lines[0].known = &e;
	EXPECT_HAS(tap_of(&r), "    not ok 1 - emulator: movbe # TODO movbe\n");
	test_result_free(&r);
}

static void tap_plan_and_bail_out(void)
{
	size_t len;
	FILE *f;

	free(out);
	f = open_memstream(&out, &len);
	tap_begin(f, TAP_FULL, 7);
	tap_bail_out(f, TAP_FULL, "interrupted");
	fclose(f);
	EXPECT_STR(out, "TAP version 13\n1..7\nBail out! interrupted\n");
}

static void tap_summary_counts_every_verdict(void)
{
	struct tap_counts c = { 0 };
	struct test_result r;
	enum verdict_kind kinds[] = {
		VERDICT_PASS, VERDICT_PASS, VERDICT_FAIL, VERDICT_SKIP,
		VERDICT_KNOWN, VERDICT_KNOWN, VERDICT_KNOWN, VERDICT_FIXED,
	};
	size_t len;
	FILE *f;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		result_ran(&r, kinds[i], NULL);
		tap_count(&c, &r);
		test_result_free(&r);
	}
	free(out);
	f = open_memstream(&out, &len);
	tap_summary(f, 8, &c);
	tap_summary(f, 10, &c);
	memset(&c, 0, sizeof(c));
	c.passed = 1;
	tap_summary(f, 1, &c);
	fclose(f);
	EXPECT_STR(out, "# 8 tests: 2 passed, 1 failed, 1 skipped, 3 known failures, 1 fixed\n"
			"# 10 tests: 2 passed, 1 failed, 1 skipped, 3 known failures, 1 fixed, 2 not run\n"
			"# 1 test: 1 passed, 0 failed, 0 skipped, 0 known failures\n");
}

static const char *brief_of(const struct test_result *r)
{
	size_t len;
	FILE *f;

	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	tap_print(f, TAP_BRIEF, 3, r);
	fclose(f);
	return out;
}

static void tap_brief_is_one_line_per_test_without_subtests(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_PASS, NULL);
	guest_output_line(&r.gout, "PASS: a: one");
	EXPECT_STR(brief_of(&r), "PASS   eventinj (kvm, 0.21s)\n");
	test_result_free(&r);
	result_ran(&r, VERDICT_FAIL, "1 assertion failed, first: nmi");
	r.log_path = strdup("logs/eventinj.log");
	guest_output_line(&r.gout, "FAIL: eventinj: nmi");
	EXPECT_STR(brief_of(&r), "FAIL   eventinj (kvm, 0.21s): 1 assertion failed, first: nmi [logs/eventinj.log]\n");
	test_result_free(&r);
	memset(&r, 0, sizeof(r));
	r.name = "pmu";
	r.verdict.kind = VERDICT_SKIP;
	r.verdict.reason = strdup("no PMU");
	EXPECT_STR(brief_of(&r), "SKIP   pmu: no PMU\n");
	test_result_free(&r);
	result_ran(&r, VERDICT_KNOWN, "movbe");
	EXPECT_STR(brief_of(&r), "KNOWN  eventinj (kvm, 0.21s): movbe\n");
	test_result_free(&r);
}

int main(void)
{
	RUN(tap_pass_line_is_the_name_alone_with_accel_and_time_in_yaml);
	RUN(tap_outer_layer_goes_into_the_yaml);
	RUN(tap_skip_directive_comes_first);
	RUN(tap_skip_after_run_keeps_the_reason_alone);
	RUN(tap_known_failure_is_not_ok_todo_with_yaml);
	RUN(tap_fixed_known_failure_is_ok_todo);
	RUN(tap_failure_has_yaml_block_with_argv_status_and_lines);
	RUN(tap_pass_with_info_lines_has_yaml);
	RUN(tap_assertions_form_an_indented_subtest_before_the_test);
	RUN(tap_escapes_hash_and_control_characters_in_descriptions);
	RUN(tap_yaml_escapes_bytes_that_are_not_utf8);
	RUN(tap_known_assertion_is_todo_in_subtest);
	RUN(tap_plan_and_bail_out);
	RUN(tap_summary_counts_every_verdict);
	RUN(tap_brief_is_one_line_per_test_without_subtests);
	free(out);
	return unit_done();
}
