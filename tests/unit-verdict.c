/* Unit tests of the verdict logic (launcher/verdict.c): guest output and
 * QEMU's end to PASS, FAIL, SKIP or a known failure. */
#include <stdlib.h>

#include "verdict.h"
#include "unit-harness.h"

static struct guest_output g;
static struct verdict v;
static struct expect_list expect;

/* Feeds @lines (separated by '\n') as guest output, ends the run as @kind
 * with @code, decides for an x86 (exit device) run under @accel. */
static void run(const char *lines, enum run_end_kind kind, int code)
{
	struct run_end end = { .kind = kind, .code = code, .timeout = 90, .cap = 16 };
	struct verdict_ctx ctx = {
		.test = "t", .arch = ARCH_X86_64, .accel = ACCEL_TCG,
		.exit_device = true, .expect = &expect,
	};
	char *copy = strdup(lines), *save = NULL;

	guest_output_free(&g);
	verdict_free(&v);
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		guest_output_line(&g, l);
	free(copy);
	if (kind == END_FATAL)
		end.detail = strdup("KVM internal error. Suberror: 1");
	verdict_decide(&g, &end, &ctx, &v);
	free(end.detail);
}

static void use_expect(const char *text)
{
	char err[256];

	expect_free(&expect);
	if (expect_parse("k", text, strlen(text), false, &expect, err, sizeof(err)) < 0)
		printf("# bad expect text: %s\n", err);
}

/* isa-debug-exit: QEMU's exit code for guest status n */
#define DEV(n) (((n) << 1) | 1)

static void verdict_pass_on_status_0(void)
{
	run("PASS: a: one\nPASS: a: two\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_PASS);
	EXPECT(v.have_status && v.status == 0, "status %d", v.status);
}

static void verdict_fail_on_status_1(void)
{
	run("EXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "exit status 1");
}

static void verdict_skip_on_status_77(void)
{
	run("SKIP: a: no x2APIC (CPUID.1:ECX[21] clear)\nEXIT: STATUS=77", END_EXITED, DEV(77));
	EXPECT_INT(v.kind, VERDICT_SKIP);
	EXPECT_STR(v.reason, "a: no x2APIC (CPUID.1:ECX[21] clear)");
}

static void verdict_skip_on_status_77_without_skip_line(void)
{
	run("EXIT: STATUS=77", END_EXITED, DEV(77));
	EXPECT_INT(v.kind, VERDICT_SKIP);
	EXPECT_STR(v.reason, "the guest skipped (status 77)");
}

/* found by fuzz/verdict.c: an empty SKIP line gave an empty reason */
static void verdict_skip_on_status_77_with_empty_skip_line(void)
{
	run("SKIP: \nEXIT: STATUS=77", END_EXITED, DEV(77));
	EXPECT_INT(v.kind, VERDICT_SKIP);
	EXPECT_STR(v.reason, "the guest skipped (status 77)");
}

static void verdict_fail_on_fail_line_with_status_0(void)
{
	run("PASS: a\nFAIL: b: c (got 1, want 2)\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "1 assertion failed, first: b: c (got 1, want 2)");
}

static void verdict_fail_on_fail_line_with_status_77(void)
{
	run("FAIL: b\nEXIT: STATUS=77", END_EXITED, DEV(77));
	EXPECT_INT(v.kind, VERDICT_FAIL);
}

static void verdict_fail_on_xpass_line(void)
{
	run("XPASS: b: fixed\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "1 unexpected pass, first: b: fixed");
}

static void verdict_xfail_line_is_no_failure(void)
{
	run("PASS: a\nXFAIL: b\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_PASS);
}

static void verdict_skip_when_every_assertion_skipped(void)
{
	run("SKIP: a\nSKIP: b: last\nINFO: x\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_SKIP);
	EXPECT_STR(v.reason, "all 2 assertions skipped, last: b: last");
}

static void verdict_pass_with_some_skips(void)
{
	run("SKIP: a\nPASS: b\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_PASS);
}

static void verdict_fail_without_any_status(void)
{
	run("PASS: a", END_EXITED, 1);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "no EXIT line and QEMU exited 1");
	EXPECT(!v.have_status, "status %d", v.status);
}

/* an empty image: QEMU's own line is the only hint (tests/e2e/faults.sh) */
static void verdict_fail_without_status_names_qemu_last_stderr_line(void)
{
	struct run_end end = { .kind = END_EXITED, .code = 1 };
	struct verdict_ctx ctx = {
		.test = "t", .arch = ARCH_X86_64, .accel = ACCEL_TCG,
		.exit_device = true, .expect = &expect,
	};

	guest_output_free(&g);
	verdict_free(&v);
	guest_stderr_line(&g, "qemu-system-x86_64: -m 1: warning: x");
	guest_stderr_line(&g, "qemu: could not load kernel 'e.flat': Success");
	verdict_decide(&g, &end, &ctx, &v);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "no EXIT line and QEMU exited 1: qemu: could not load kernel 'e.flat': Success");
}

static void verdict_fail_when_guest_resets_without_status(void)
{
	run("PASS: a", END_EXITED, 0);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_HAS(v.reason, "no EXIT line and QEMU exited 0");
}

static void verdict_exit_code_1_counts_only_with_exit_line(void)
{
	run("PASS: a\nEXIT: STATUS=0", END_EXITED, 1);
	EXPECT_INT(v.kind, VERDICT_PASS);
}

static void verdict_status_from_exit_line_without_exit_device(void)
{
	struct run_end end = { .kind = END_EXITED, .code = 0 };
	struct verdict_ctx ctx = { .test = "t", .arch = ARCH_AARCH64, .accel = ACCEL_TCG };

	guest_output_free(&g);
	verdict_free(&v);
	guest_output_line(&g, "PASS: a");
	guest_output_line(&g, "EXIT: STATUS=3");
	verdict_decide(&g, &end, &ctx, &v);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_INT(v.status, 3);
	EXPECT_STR(v.reason, "exit status 3");
}

static void verdict_exit_device_wins_over_exit_line(void)
{
	run("EXIT: STATUS=0", END_EXITED, DEV(2));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_INT(v.status, 2);
	EXPECT_HAS(v.note, "EXIT line says 0, exit device 2");
}

static void verdict_fail_on_timeout(void)
{
	run("PASS: a", END_TIMEOUT, 0);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "timeout after 90s");
}

static void verdict_fail_on_flood(void)
{
	run("PASS: a\nEXIT: STATUS=0", END_FLOOD, 0);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "output flood: more than 16 bytes");
}

static void verdict_fail_on_crash_by_signal(void)
{
	run("PASS: a", END_SIGNALED, 11);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_HAS(v.reason, "QEMU killed by signal 11");
}

static void verdict_fail_on_fatal_qemu_line(void)
{
	run("PASS: a", END_FATAL, 0);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "KVM internal error. Suberror: 1");
}

static void verdict_linger_takes_status_from_exit_line(void)
{
	run("PASS: a\nEXIT: STATUS=0", END_LINGER, 0);
	EXPECT_INT(v.kind, VERDICT_PASS);
	EXPECT_HAS(v.note, "did not exit");
}

static void verdict_ignores_report_words_not_at_line_start(void)
{
	run("  FAIL: indented\nxPASS: x\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_PASS);
	EXPECT_INT(g.n, 0);
}

static void verdict_ignores_malformed_exit_line(void)
{
	run("PASS: a\nEXIT: STATUS=zero\nEXIT: STATUS=0", END_EXITED, 1);
	EXPECT_INT(v.kind, VERDICT_PASS);
}

static void verdict_known_failure_by_test(void)
{
	use_expect("fail t accel=tcg TCG lacks the feature\n");
	run("FAIL: a\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_KNOWN);
	EXPECT_STR(v.reason, "TCG lacks the feature");
	EXPECT_HAS(v.note, "1 assertion failed");
	run("PASS: a", END_TIMEOUT, 0);
	EXPECT_INT(v.kind, VERDICT_KNOWN);
	expect_free(&expect);
}

static void verdict_known_failure_by_assertion_glob(void)
{
	use_expect("fail \"t/emulator: movbe*\" * movbe emulation (SDM vol 2)\n");
	run("PASS: emulator: add\nFAIL: emulator: movbe: load\nFAIL: emulator: movbe: store\nEXIT: STATUS=1",
	    END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_KNOWN);
	EXPECT_STR(v.reason, "movbe emulation (SDM vol 2)");
	EXPECT(g.lines[1].known && g.lines[2].known, "lines not marked");
	EXPECT(!g.lines[0].known, "PASS line marked");
	expect_free(&expect);
}

static void verdict_unlisted_assertion_keeps_failure(void)
{
	use_expect("fail \"t/emulator: movbe*\" * movbe emulation\n");
	run("FAIL: emulator: movbe: load\nFAIL: emulator: cmpxchg\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT(g.lines[0].known && !g.lines[1].known, "marks");
	/* the reason names the unlisted failure, not the known one first */
	EXPECT_STR(v.reason, "1 assertion failed (and 1 known), first: emulator: cmpxchg");
	expect_free(&expect);
}

static void verdict_assertion_glob_does_not_cover_a_crash(void)
{
	use_expect("fail \"t/emulator: movbe*\" * movbe emulation\n");
	run("FAIL: emulator: movbe: load", END_SIGNALED, 6);
	EXPECT_INT(v.kind, VERDICT_FAIL);
	expect_free(&expect);
}

/* an abort after known failures: the rest of the test never ran */
static void verdict_assertion_glob_does_not_cover_an_abort(void)
{
	use_expect("fail \"t/emulator: movbe*\" * movbe emulation\n");
	run("PASS: emulator: add\nFAIL: emulator: movbe: load\n"
	    "Unhandled #GP at rip 0x4010a2, error code 0\n"
	    "ABORT: test aborted\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "the guest aborted after 2 report lines: "
		   "Unhandled #GP at rip 0x4010a2, error code 0");
	EXPECT(g.lines[1].known, "the known FAIL line is still marked");
	expect_free(&expect);
}

static void verdict_abort_without_failures_fails(void)
{
	run("ABORT: test aborted\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	EXPECT_STR(v.reason, "the guest aborted after 0 report lines");
}

static void verdict_abort_is_covered_by_a_whole_test_entry(void)
{
	use_expect("fail t accel=tcg the whole test is known to crash\n");
	run("ABORT: test aborted\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_KNOWN);
	EXPECT_STR(v.reason, "the whole test is known to crash");
	expect_free(&expect);
}

static void verdict_known_failure_elsewhere_does_not_apply(void)
{
	use_expect("fail t accel=kvm kvm_pvm only\nfail other * not this test\n");
	run("FAIL: a\nEXIT: STATUS=1", END_EXITED, DEV(1));
	EXPECT_INT(v.kind, VERDICT_FAIL);
	expect_free(&expect);
}

static void verdict_known_failure_that_passes_is_fixed(void)
{
	use_expect("fail t * was broken\n");
	run("PASS: a\nEXIT: STATUS=0", END_EXITED, DEV(0));
	EXPECT_INT(v.kind, VERDICT_FIXED);
	EXPECT_STR(v.reason, "was broken");
	EXPECT_HAS(v.note, "k:1");
	expect_free(&expect);
}

static void verdict_keeps_report_lines_bounded(void)
{
	guest_output_free(&g);
	for (int i = 0; i < GUEST_MAX_REPORT_LINES + 100; i++)
		guest_output_line(&g, "PASS: many");
	EXPECT_INT(g.n, GUEST_MAX_REPORT_LINES);
	EXPECT_INT(g.dropped, 100);
	EXPECT_INT(g.counts[REPORT_PASS], GUEST_MAX_REPORT_LINES + 100);
}

static void verdict_keeps_only_a_tail_of_output(void)
{
	char line[32];
	unsigned n = 0;
	char last[32] = "";

	guest_output_free(&g);
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		guest_output_line(&g, line);
	}
	EXPECT_INT(g.out_tail.n, GUEST_TAIL_LINES);
	for (size_t i = 0; i < GUEST_TAIL_LINES; i++) {
		const char *l = g.out_tail.v[(g.out_tail.next + i) % GUEST_TAIL_LINES];

		n++;
		snprintf(last, sizeof(last), "%s", l);
	}
	EXPECT_INT(n, GUEST_TAIL_LINES);
	EXPECT_STR(last, "line 99");
}

static void verdict_recognises_fatal_qemu_lines(void)
{
	EXPECT(qemu_fatal_line("qemu-system-x86_64", "KVM internal error. Suberror: 1"), "kvm");
	EXPECT(qemu_fatal_line("qemu-system-x86_64", "emulation failure"), "emul");
	EXPECT(qemu_fatal_line("qemu-system-x86_64",
			       "qemu-system-x86_64: -device foo: 'foo' is not a valid device model name"),
	       "error_report");
	EXPECT(!qemu_fatal_line("qemu-system-x86_64",
				"qemu-system-x86_64: warning: TCG doesn't support requested feature"),
	       "warning");
	EXPECT(!qemu_fatal_line("qemu-system-x86_64",
				"qemu-system-x86_64: -accel kvm: warning: Number of SMP cpus "
				"requested (4) exceeds the recommended cpus supported by KVM (2)"),
	       "warning at an option");
	EXPECT(!qemu_fatal_line("qemu-system-x86_64",
				"qemu-system-x86_64: -cpu qemu64,+rdpid: info: a note"),
	       "info at an option");
	EXPECT(qemu_fatal_line("qemu-system-x86_64",
			       "qemu-system-x86_64: -smp 4,sockets=3: Invalid CPU topology"),
	       "error at an option");
	EXPECT(!qemu_fatal_line("qemu-system-x86_64", "qemu-system-x86_64x: foo"), "prefix");
	EXPECT(!qemu_fatal_line("qemu-system-x86_64", "an ordinary line"), "ordinary");
}

int main(void)
{
	RUN(verdict_pass_on_status_0);
	RUN(verdict_fail_on_status_1);
	RUN(verdict_skip_on_status_77);
	RUN(verdict_skip_on_status_77_without_skip_line);
	RUN(verdict_skip_on_status_77_with_empty_skip_line);
	RUN(verdict_fail_on_fail_line_with_status_0);
	RUN(verdict_fail_on_fail_line_with_status_77);
	RUN(verdict_fail_on_xpass_line);
	RUN(verdict_xfail_line_is_no_failure);
	RUN(verdict_skip_when_every_assertion_skipped);
	RUN(verdict_pass_with_some_skips);
	RUN(verdict_fail_without_any_status);
	RUN(verdict_fail_without_status_names_qemu_last_stderr_line);
	RUN(verdict_fail_when_guest_resets_without_status);
	RUN(verdict_exit_code_1_counts_only_with_exit_line);
	RUN(verdict_status_from_exit_line_without_exit_device);
	RUN(verdict_exit_device_wins_over_exit_line);
	RUN(verdict_fail_on_timeout);
	RUN(verdict_fail_on_flood);
	RUN(verdict_fail_on_crash_by_signal);
	RUN(verdict_fail_on_fatal_qemu_line);
	RUN(verdict_linger_takes_status_from_exit_line);
	RUN(verdict_ignores_report_words_not_at_line_start);
	RUN(verdict_ignores_malformed_exit_line);
	RUN(verdict_known_failure_by_test);
	RUN(verdict_known_failure_by_assertion_glob);
	RUN(verdict_unlisted_assertion_keeps_failure);
	RUN(verdict_assertion_glob_does_not_cover_a_crash);
	RUN(verdict_assertion_glob_does_not_cover_an_abort);
	RUN(verdict_abort_without_failures_fails);
	RUN(verdict_abort_is_covered_by_a_whole_test_entry);
	RUN(verdict_known_failure_elsewhere_does_not_apply);
	RUN(verdict_known_failure_that_passes_is_fixed);
	RUN(verdict_keeps_report_lines_bounded);
	RUN(verdict_keeps_only_a_tail_of_output);
	RUN(verdict_recognises_fatal_qemu_lines);
	guest_output_free(&g);
	verdict_free(&v);
	return unit_done();
}
