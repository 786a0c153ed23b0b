#!/bin/bash
# End-to-end: -j N runs up to N QEMUs at once. Two fake guests that each
# sleep 2 s record when they started and ended: at -j 2 the two intervals
# overlap, at -j 1 they do not. Overlap, not the launcher's wall time, is
# what is checked, so a loaded machine does not turn this red.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# 0 when the two intervals in sleep-intervals overlap, 1 when not.
intervals_overlap()
{
	awk 'NR == 1 { s1 = $1; e1 = $2 } NR == 2 { s2 = $1; e2 = $2 }
	     END { exit !(NR == 2 && s1 < e2 && s2 < e1) }' \
		"$E2E/state/sleep-intervals"
}
intervals_apart()
{
	test "$(wc -l <"$E2E/state/sleep-intervals")" -eq 2 && ! intervals_overlap
}

rm -f "$E2E/state/sleep-intervals"
kut -j 2 -g sleepers
check "j2_both_sleepers_are_ok" bash -c "grep -acE '^ok [0-9]+ - sleeper-[12]' '$E2E/out' | grep -qx 2"
check "j2_runs_two_sleepers_at_once" intervals_overlap

rm -f "$E2E/state/sleep-intervals"
kut -j 1 sleeper-1 sleeper-2
check "j1_runs_them_one_after_the_other" intervals_apart
check "j1_both_sleepers_are_ok" bash -c "grep -acE '^ok [0-9]+ - sleeper-[12]' '$E2E/out' | grep -qx 2"

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
