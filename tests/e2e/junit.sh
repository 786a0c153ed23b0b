#!/bin/bash
# End-to-end: --junit FILE writes the results as JUnit XML beside the TAP.
# The report must validate against tests/junit.xsd (the Ant/Jenkins shape,
# checked with xmllint), count what the TAP counts, and carry each skip's
# and failure's reason and the log tail, whatever bytes the guest printed.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

XSD=$top_srcdir/tests/junit.xsd
J=$E2E/report.xml
have_xmllint=false
command -v xmllint >/dev/null 2>&1 && have_xmllint=true
no_xmllint="xmllint not installed (Debian: libxml2-utils)"

# xpath EXPR: the string value of an XPath expression over the report.
xpath()
{
	xmllint --xpath "$1" "$J" 2>/dev/null
}

xpath_is()
{
	local got
	got=$(xpath "$1")
	[ "$got" = "$2" ] && return 0
	diag "xpath $1: got '$got', want '$2'"
	return 1
}

valid_report()
{
	xmllint --noout --schema "$XSD" "$J" 2>"$E2E/xmllint.err" && return 0
	diag_file "$E2E/xmllint.err"
	diag_file "$J" 60
	return 1
}

# count_tap KIND: top-level TAP results of one kind (ok, fail, skip).
count_tap()
{
	case $1 in
	all) grep -acE '^(not )?ok [0-9]+ ' "$E2E/out" ;;
	fail) grep -aE '^not ok [0-9]+ ' "$E2E/out" | grep -acvE '# *TODO' ;;
	skip) grep -acE '^(not )?ok [0-9]+ .*# *(SKIP|TODO)' "$E2E/out" | tr -d ' ' ;;
	esac
}

# --- a mixed run: pass, fail, skip, known failure, timeout, crash ----------
printf 'fail fail-two * the fake fails this on purpose\n' >"$E2E/known.txt"
kut --expect "$E2E/known.txt" --junit "$J" \
	pass fail skip xfail fail-two hang segv
check "junit_run_exits_1_on_failure" rc_is 1
check "junit_file_is_written" test -s "$J"
check "stdout_stays_tap" test "$(head -n 1 "$E2E/out")" = "TAP version 13"
if $have_xmllint; then
	check "junit_validates_against_the_schema" valid_report
	check "one_testcase_per_test" xpath_is 'count(//testcase)' "$(count_tap all)"
	check "suite_counts_tests" xpath_is 'string(/testsuites/testsuite/@tests)' 7
	check "suite_counts_failures_as_tap_does" \
		xpath_is 'string(/testsuites/testsuite/@failures)' "$(count_tap fail)"
	check "failure_elements_match_the_count" xpath_is 'count(//testcase/failure)' 3
	check "suite_counts_skips_and_known_failures" \
		xpath_is 'string(/testsuites/testsuite/@skipped)' "$(count_tap skip)"
	check "skipped_elements_match_the_count" xpath_is 'count(//testcase/skipped)' 2
	check "root_totals_match_the_suite" \
		xpath_is 'string(/testsuites/@failures)' 3
	same_names_as_tap()
	{
		local xml tap
		xml=$(xmllint --xpath '//testcase/@name' "$J" | sed 's/.*name="\(.*\)"/\1/')
		tap=$(grep -aE '^(not )?ok [0-9]+ ' "$E2E/out" | sed -E 's/^(not )?ok [0-9]+ - ([^ ]+).*/\2/')
		[ "$xml" = "$tap" ] && return 0
		diag "junit names: $xml" "tap names: $tap"
		return 1
	}
	check "testcases_are_the_tap_tests_in_tap_order" same_names_as_tap
	check "classname_names_the_arch" \
		xpath_is 'string(//testcase[1]/@classname)' kvm-unit-tests.x86_64
	check "passing_test_has_no_outcome_element" \
		xpath_is 'count(//testcase[@name="pass"]/*[not(self::properties)])' 0
	check "testcase_property_accel" \
		xpath_is 'string(//testcase[@name="pass"]/properties/property[@name="accel"]/@value)' tcg
	duration_matches_time()
	{
		local t d
		t=$(xpath 'string(//testcase[@name="pass"]/@time)')
		d=$(xpath 'string(//testcase[@name="pass"]/properties/property[@name="duration"]/@value)')
		[ -n "$t" ] && [ "$t" = "$d" ]
	}
	check "testcase_property_duration_is_its_time" duration_matches_time
	check "suite_property_arch" \
		xpath_is 'string(/testsuites/testsuite/properties/property[@name="arch"]/@value)' x86_64
	check "failure_message_is_the_reason" \
		bash -c "xmllint --xpath 'string(//testcase[@name=\"fail\"]/failure/@message)' '$J' | grep -q 'broken thing'"
	check "failure_text_quotes_the_failing_line" \
		bash -c "xmllint --xpath 'string(//testcase[@name=\"fail\"]/failure)' '$J' | grep -qF 'FAIL: fake: broken thing (got 1, want 2)'"
	check "failure_text_has_the_qemu_argv" \
		bash -c "xmllint --xpath 'string(//testcase[@name=\"fail\"]/failure)' '$J' | grep -q -- '-kernel .*fail\.flat'"
	check "timeout_failure_type" xpath_is 'string(//testcase[@name="hang"]/failure/@type)' timeout
	check "timeout_failure_has_the_output_tail" \
		bash -c "xmllint --xpath 'string(//testcase[@name=\"hang\"]/failure)' '$J' | grep -q 'about to hang'"
	check "crash_failure_type" xpath_is 'string(//testcase[@name="segv"]/failure/@type)' crash
	check "skip_message_is_the_reason" \
		bash -c "xmllint --xpath 'string(//testcase[@name=\"skip\"]/skipped/@message)' '$J' | grep -q 'CPUID'"
	check "known_failure_is_skipped_with_its_reason" \
		bash -c "xmllint --xpath 'string(//testcase[@name=\"fail-two\"]/skipped/@message)' '$J' | grep -q '^known failure: the fake fails this on purpose'"
else
	skip "junit_validates_against_the_schema" "$no_xmllint"
fi

# --- guest output that is not XML-safe --------------------------------------
kut --junit "$J" malformed-fail
if $have_xmllint; then
	check "control_bytes_and_bad_utf8_keep_the_report_valid" valid_report
	check "garbage_guest_is_one_failure" \
		xpath_is 'string(/testsuites/testsuite/@failures)' 1
else
	skip "control_bytes_and_bad_utf8_keep_the_report_valid" "$no_xmllint"
fi
check "report_has_no_raw_control_bytes" \
	bash -c "! LC_ALL=C grep -aqP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' '$J'"

# --- an all-pass run, and errors ----------------------------------------------
kut --junit "$J" -g good
check "all_pass_exits_0" rc_is 0
if $have_xmllint; then
	check "all_pass_report_validates" valid_report
	check "all_pass_has_no_failures" xpath_is 'string(/testsuites/@failures)' 0
else
	skip "all_pass_report_validates" "$no_xmllint"
fi

# --- the suite's time is the run's wall time (issue 16 item 8) -------------------
# Two 2 s sleepers side by side: the run takes about 2 s, the cases 4 s.
kut --junit "$J" -j 2 sleeper-1 sleeper-2
if $have_xmllint; then
	suite_time_is_wall_time()
	{
		local suite sum
		suite=$(xpath 'string(/testsuites/testsuite/@time)')
		sum=$(xpath 'sum(//testcase/@time)')
		awk -v s="$suite" -v t="$sum" 'BEGIN { exit !(s > 0 && s < 0.8 * t) }' && return 0
		diag "suite time $suite, sum of the cases $sum: want the wall time, below the sum"
		return 1
	}
	check "suite_time_is_the_wall_time_not_the_sum" suite_time_is_wall_time
else
	skip "suite_time_is_the_wall_time_not_the_sum" "$no_xmllint"
fi

kut --junit "$E2E/no/such/dir/report.xml" pass
check "unwritable_junit_path_is_a_usage_error" rc_is 2
check "unwritable_junit_path_names_the_file" err_has "--junit .*no/such/dir/report.xml"
check "unwritable_junit_path_runs_nothing" bash -c "! grep -aq '^ok ' '$E2E/out'"

e2e_finish
