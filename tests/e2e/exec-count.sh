#!/bin/bash
# End-to-end: QEMU is started once per test that runs and never to probe
# it (issue 7): strace -f counts the execve(2)s of the QEMU binary during a
# run, a --list and a --dry-run. Skipped without strace or ptrace.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

STRACE=$(command -v strace)
if [ -z "$STRACE" ]; then
	skip "qemu_execs_equal_tests_run" "no strace"
	e2e_finish
	exit
fi
if ! "$STRACE" -f -qq -e trace=execve -o /dev/null true 2>/dev/null; then
	skip "qemu_execs_equal_tests_run" "strace cannot trace here (ptrace denied?)"
	e2e_finish
	exit
fi
if under_wrapper; then
	skip "qemu_execs_equal_tests_run" "exec count under $KUT_WRAPPER"
	e2e_finish
	exit
fi

# qemu_execs: execve(2)s of the fake QEMU that succeeded. strace -ff
# writes one file per process: with a single -o file, two execve(2)s at
# once (-j 2) are split into "<unfinished ...>" and "resumed" lines that
# the pattern would miss.
qemu_execs()
{
	cat "$E2E"/trace.* | grep -c "execve(\"$FAKE\", .* = 0\$"
}

traced()
{
	rm -f "$E2E"/trace.*
	KUT_WRAPPER="$STRACE -ff -qq -e trace=execve -o $E2E/trace" kut "$@"
}

# pass, fail, xfail, skip (a guest that skips still boots) and one test the
# launcher skips before starting anything (arch).
traced -j 2 pass fail xfail skip
check "four_tests_run_four_qemus" test "$(qemu_execs)" -eq 4
check "the_run_gives_four_results" test "$(count_results)" -eq 4

traced -j 1 -g good
n=$(count_results)
check "a_group_run_starts_one_qemu_per_result" test "$(qemu_execs)" -eq "$n"

traced --list
check "list_starts_no_qemu" test "$(qemu_execs)" -eq 0
traced --dry-run pass fail
check "dry_run_starts_no_qemu" test "$(qemu_execs)" -eq 0

e2e_finish
