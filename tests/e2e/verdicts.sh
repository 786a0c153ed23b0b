#!/bin/bash
# End-to-end: the verdict the launcher gives for each way a guest (or QEMU)
# can end, and how it shows it in TAP.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# --- a passing guest -----------------------------------------------------
kut pass
check "passing_guest_exits_0" rc_is 0
check "passing_guest_is_ok" tap_ok pass
check "tap_starts_with_version_13" \
	test "$(head -n 1 "$E2E/out")" = "TAP version 13"
plan_before_results()
{
	awk '/^1\.\.[0-9]+/ { print "plan"; exit } /^(not )?ok / { print "result"; exit }' \
		"$E2E/out" | grep -qx plan
}
check "plan_comes_before_the_first_result" plan_before_results
check "plan_counts_one_test" plan_is 1
# issue 16 item 6: the name alone, so that it is the same on every run
check "result_line_is_the_test_name_alone" out_has "^ok 1 - pass\$"
check "yaml_names_the_accel" yaml_has pass "accel: tcg"
check "yaml_names_the_duration" yaml_has pass "duration_s: [0-9]+\.[0-9]+"
check "summary_comment_ends_the_tap" \
	bash -c "tail -n 1 '$E2E/out' | grep -qx '# 1 test: 1 passed, 0 failed, 0 skipped, 0 known failures'"
check "guest_assertions_are_indented_subtests" \
	out_has "^ +ok [0-9]+ - .*first assertion"
check "info_lines_are_not_counted_as_assertions" \
	bash -c "! grep -aqE '^ +(not )?ok [0-9]+ .*just a note' '$E2E/out'"

# --- a failing guest -----------------------------------------------------
kut fail
check "failing_guest_exits_1" rc_is 1
check "failing_guest_is_not_ok" tap_not_ok fail
check "failing_assertion_is_a_not_ok_subtest" \
	out_has "^ +not ok [0-9]+ - .*broken thing \(got 1, want 2\)"
yaml_has()
{
	yaml_of "$1" | grep -aqiE -- "$2"
}
check "failure_yaml_names_the_failing_line" yaml_has fail "broken thing"
check "failure_yaml_shows_the_qemu_argv" yaml_has fail "qemu-system-x86_64"
check "failure_yaml_shows_the_kernel" yaml_has fail "img/x86_64/fail\.flat"
check "failure_yaml_shows_the_exit_status" yaml_has fail "status"
log_mentions()
{
	grep -raq -- "$1" "$E2E/logs"
}
check "log_dir_keeps_the_full_guest_output" log_mentions "broken thing (got 1, want 2)"

# --- verbose streams the guest output to stderr ----------------------------
kut -v pass
check "verbose_streams_guest_output_to_stderr" err_has "first assertion"
check "verbose_keeps_stdout_valid_tap" tap_ok pass

# --- skip and expected failure -------------------------------------------
kut skip
check "status_77_exits_0" rc_is 0
check "status_77_is_tap_skip" tap_directive skip SKIP
kut xfail
check "expected_failure_in_guest_is_ok" tap_ok xfail
check "expected_failure_in_guest_exits_0" rc_is 0

# --- where the status comes from ------------------------------------------
kut exit0-no-status
check "exit_0_without_status_line_is_not_ok" tap_not_ok exit0-no-status
check "exit_0_without_status_line_exits_1" rc_is 1
kut status-from-line
check "status_line_is_used_when_exit_device_was_not" tap_ok status-from-line
kut status-mismatch
check "exit_device_status_wins_over_the_status_line" tap_not_ok status-mismatch

# --- QEMU exits, a child of it keeps the output pipe open ------------------
E2E_SAFETY_TIMEOUT=30 kut exit-leave-child
check "exit_leaving_a_child_is_judged_by_the_exit" tap_ok exit-leave-child
if under_wrapper; then
	skip "exit_leaving_a_child_does_not_wait_for_its_eof" "timing under $KUT_WRAPPER"
else
	check "exit_leaving_a_child_does_not_wait_for_its_eof" elapsed_below 10000
fi
check "exit_leaving_a_child_kills_the_child" no_leftovers

# --- crashes and garbage --------------------------------------------------
kut segv
check "qemu_killed_by_sigsegv_is_not_ok" tap_not_ok segv
check "qemu_killed_by_sigsegv_exits_1" rc_is 1
check "sigsegv_is_named_in_the_yaml" yaml_has segv "SIGSEGV|signal 11|segmentation|crash"

kut malformed
rc_is_0_or_1()
{
	[ "$rc" = 0 ] || [ "$rc" = 1 ]
}
check "malformed_output_does_not_crash_the_launcher" rc_is_0_or_1
check "malformed_output_still_gets_a_result_line" test -n "$(tap_line malformed)"
no_guest_text_at_column_0()
{
	! grep -aqE '^(PAS|pass|PASS:no|FAIL$|binary|Bail out|ok 99|not ok 98|1\.\.1000|TAP version 13.)' "$E2E/out" &&
		[ "$(grep -ac '^TAP version' "$E2E/out")" = 1 ] &&
		[ "$(grep -acE '^1\.\.[0-9]+' "$E2E/out")" = 1 ]
}
check "malformed_guest_tap_does_not_reach_stdout_as_tap" no_guest_text_at_column_0
tap_is_small()
{
	[ "$(stat -c %s "$E2E/out")" -lt 65536 ]
}
check "malformed_1_mib_line_is_not_copied_whole_into_tap" tap_is_small
kut malformed-fail
check "fail_line_among_garbage_is_not_ok" tap_not_ok malformed-fail
check "fail_line_among_garbage_is_named_in_yaml" \
	yaml_has malformed-fail "real failure among the garbage"

# --- KVM internal error -----------------------------------------------------
kut kvm-internal-error
check "kvm_internal_error_is_not_ok" tap_not_ok kvm-internal-error
if under_wrapper; then
	skip "kvm_internal_error_ends_the_test_at_once" "timing under $KUT_WRAPPER"
else
	# The test's timeout is 60 s; the fake hangs after the message.
	check "kvm_internal_error_ends_the_test_at_once" elapsed_below 10000
fi
check "kvm_internal_error_is_named_in_the_yaml" \
	yaml_has kvm-internal-error "KVM internal error|emulation failure"

# --- QEMU warnings located at an option are not fatal ------------------------
kut warn-located
check "warning_at_an_option_is_not_fatal" tap_ok warn-located

# --- a mixed run ------------------------------------------------------------
kut -g mixed
check "mixed_run_with_a_failure_exits_1" rc_is 1
check "mixed_run_plan_matches_the_result_lines" plan_is "$(count_results)"
check "mixed_run_numbers_results_1_to_n" \
	test "$(grep -aoE '^(not )?ok [0-9]+' "$E2E/out" | awk '{print $NF}' | sort -n | tr '\n' ' ')" = "1 2 3 "
kut -g good
check "run_without_failures_exits_0" rc_is 0

# --- --brief: one plain line per test, and the summary (issue 16 item 7) ---
kut --brief -j 1 pass fail skip
check "brief_exits_like_tap" rc_is 1
check "brief_pass_line" out_has "^PASS +pass \(tcg, [0-9]+\.[0-9]+s\)\$"
check "brief_fail_line_has_the_reason_and_log" \
	out_has "^FAIL +fail \(tcg, [0-9.]+s\): .*broken thing.*\[.*/logs/x86_64/fail\.log\]\$"
check "brief_skip_line" out_has "^SKIP +skip \(tcg, [0-9.]+s\)"
check "brief_has_no_subtests_or_yaml" \
	bash -c "! grep -aqE '^ |^TAP|^1\.\.' '$E2E/out'"
check "brief_is_four_lines" test "$(wc -l <"$E2E/out")" -eq 4
check "brief_ends_with_the_summary" \
	bash -c "tail -n 1 '$E2E/out' | grep -qx '# 3 tests: 1 passed, 1 failed, 1 skipped, 0 known failures'"

e2e_finish
