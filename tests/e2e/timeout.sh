#!/bin/bash
# End-to-end: a guest that never ends is stopped at its timeout (SIGTERM,
# then SIGKILL after the grace period) and reported as a timeout.
# The fake catalog gives both hanging tests "timeout = 2"; the launcher
# stretches timeouts under TCG, so the base runs use --timeout-factor 0.5
# to stay short. The bounds below are generous on purpose (a loaded CI
# machine, whatever the TCG multiplier is).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

yaml_has()
{
	yaml_of "$1" | grep -aqiE -- "$2"
}

kut --timeout-factor 0.5 hang
hang_ms=$elapsed_ms
check "hang_is_not_ok" tap_not_ok hang
check "hang_exits_1" rc_is 1
check "hang_yaml_says_timeout" yaml_has hang "time ?out|timed out"
check "hang_leaves_no_process" no_leftovers
if under_wrapper; then
	skip "hang_is_not_stopped_before_its_timeout" "timing under $KUT_WRAPPER"
	skip "hang_ends_within_timeout_and_grace" "timing under $KUT_WRAPPER"
else
	check "hang_is_not_stopped_before_its_timeout" \
		test "$elapsed_ms" -ge 900
	check "hang_ends_within_timeout_and_grace" elapsed_below 30000
fi

kut --timeout-factor 0.5 hang-noterm
check "sigterm_deaf_hang_is_not_ok" tap_not_ok hang-noterm
check "sigterm_deaf_hang_yaml_says_timeout" yaml_has hang-noterm "time ?out|timed out"
check "sigterm_deaf_hang_is_killed_with_sigkill" no_leftovers
if under_wrapper; then
	skip "sigterm_deaf_hang_ends_within_timeout_and_grace" "timing under $KUT_WRAPPER"
else
	check "sigterm_deaf_hang_ends_within_timeout_and_grace" elapsed_below 40000
fi

kut --timeout-factor 0.5 hang-closed-stdout
check "hang_with_closed_output_is_not_ok" tap_not_ok hang-closed-stdout
check "hang_with_closed_output_yaml_says_timeout" \
	yaml_has hang-closed-stdout "time ?out|timed out"
check "hang_with_closed_output_leaves_no_process" no_leftovers

if under_wrapper; then
	skip "timeout_factor_1_waits_twice_as_long_as_0_5" "timing under $KUT_WRAPPER"
else
	kut --timeout-factor 1 hang
	# Twice the timeout, less the launcher's own start-up share.
	check "timeout_factor_1_waits_twice_as_long_as_0_5" \
		test "$elapsed_ms" -ge $((hang_ms * 3 / 2))
	check "timeout_factor_1_still_times_out" tap_not_ok hang
fi

kut --timeout-factor banana hang
check "timeout_factor_not_a_number_is_a_usage_error" rc_is 2
kut --timeout-factor -1 hang
check "timeout_factor_negative_is_a_usage_error" rc_is 2

e2e_finish
