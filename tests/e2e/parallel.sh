#!/bin/bash
# End-to-end: -j N runs up to N QEMUs at once. Two guests that each sleep
# 2 s take about 2 s at -j 2 and about 4 s at -j 1.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

if under_wrapper; then
	skip "j2_runs_two_sleepers_at_once" "timing under $KUT_WRAPPER"
else
	kut -j 2 -g sleepers
	check "j2_both_sleepers_are_ok" bash -c "grep -acE '^ok [0-9]+ - sleeper-[12]' '$E2E/out' | grep -qx 2"
	check "j2_runs_two_sleepers_at_once" elapsed_below 3500

	kut -j 1 sleeper-1 sleeper-2
	check "j1_runs_them_one_after_the_other" test "$elapsed_ms" -ge 3900
	check "j1_both_sleepers_are_ok" bash -c "grep -acE '^ok [0-9]+ - sleeper-[12]' '$E2E/out' | grep -qx 2"
fi

kut -j 2 pass fail skip pass-again
check "j2_mixed_run_exits_1" rc_is 1
check "j2_plan_matches_the_result_lines" plan_is "$(count_results)"
numbered_once()
{
	test "$(grep -aoE '^(not )?ok [0-9]+' "$E2E/out" | awk '{print $NF}' | sort -n | tr '\n' ' ')" = "1 2 3 4 "
}
check "j2_numbers_each_result_once" numbered_once

kut -j 0 pass
check "j0_is_a_usage_error" rc_is 2
kut -j banana pass
check "j_not_a_number_is_a_usage_error" rc_is 2

e2e_finish
