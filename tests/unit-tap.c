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

static void tap_pass_line_carries_accel_and_time_after_hash(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_PASS, NULL);
	EXPECT_STR(tap_of(&r), "ok 3 - eventinj # accel=kvm 0.21s\n");
	test_result_free(&r);
}

static void tap_skip_directive_comes_first(void)
{
	struct test_result r = { .name = "pmu", .verdict = { .kind = VERDICT_SKIP } };

	r.verdict.reason = strdup("check: /sys/x holds 'N', want 'Y'");
	EXPECT_STR(tap_of(&r), "ok 3 - pmu # SKIP check: /sys/x holds 'N', want 'Y'\n");
	test_result_free(&r);
}

static void tap_skip_after_run_puts_accel_in_reason(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_SKIP, "no x2APIC");
	EXPECT_STR(tap_of(&r), "ok 3 - eventinj # SKIP no x2APIC (accel=kvm 0.21s)\n");
	test_result_free(&r);
}

static void tap_known_failure_is_not_ok_todo_with_yaml(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_KNOWN, "kvm_pvm: movbe");
	tap_of(&r);
	EXPECT(starts_with(out, "not ok 3 - eventinj # TODO kvm_pvm: movbe (accel=kvm 0.21s)\n  ---\n"),
	       "got:\n%s", out);
	test_result_free(&r);
}

static void tap_fixed_known_failure_is_ok_todo(void)
{
	struct test_result r;

	result_ran(&r, VERDICT_FIXED, "was broken");
	r.verdict.note = strdup("passed although on the expect list (k:1)");
	EXPECT_HAS(tap_of(&r), "ok 3 - eventinj # TODO was broken (accel=kvm 0.21s)\n");
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
	EXPECT_HAS(out, "not ok 3 - eventinj # accel=kvm 0.21s\n  ---\n");
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
	EXPECT_HAS(out, "ok 3 - eventinj # accel=kvm 0.21s\n  ---\n");
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
			"not ok 3 - eventinj # accel=kvm 0.21s\n"), "got:\n%s", out);
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
	tap_begin(f, 7);
	tap_bail_out(f, "interrupted");
	fclose(f);
	EXPECT_STR(out, "TAP version 13\n1..7\nBail out! interrupted\n");
}

int main(void)
{
	RUN(tap_pass_line_carries_accel_and_time_after_hash);
	RUN(tap_skip_directive_comes_first);
	RUN(tap_skip_after_run_puts_accel_in_reason);
	RUN(tap_known_failure_is_not_ok_todo_with_yaml);
	RUN(tap_fixed_known_failure_is_ok_todo);
	RUN(tap_failure_has_yaml_block_with_argv_status_and_lines);
	RUN(tap_pass_with_info_lines_has_yaml);
	RUN(tap_assertions_form_an_indented_subtest_before_the_test);
	RUN(tap_escapes_hash_and_control_characters_in_descriptions);
	RUN(tap_yaml_escapes_bytes_that_are_not_utf8);
	RUN(tap_known_assertion_is_todo_in_subtest);
	RUN(tap_plan_and_bail_out);
	free(out);
	return unit_done();
}
