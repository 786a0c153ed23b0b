#!/bin/bash
# End-to-end: Ctrl-C (SIGINT to the launcher's process group) or SIGTERM to
# the launcher while tests run at -j 4: the children die, the finished
# results are printed, then "Bail out!", and the launcher exits 130.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for()
{
	local tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

fakes_started()
{
	[ "$(wc -l <"$E2E/state/pids" 2>/dev/null || echo 0)" -ge "$1" ]
}

bail_is_last()
{
	[ "$(grep -av '^#' "$E2E/out" | tail -n 1 | cut -c1-9)" = "Bail out!" ]
}

alive()
{
	kill -0 "$1" 2>/dev/null
}

# kut_interrupt SIGNAL group|pid: start "interrupt-pass" and three long
# hangs at -j 2, wait until interrupt-pass has its result and two hangs run,
# then send SIGNAL to the launcher's process group (what a terminal's Ctrl-C
# does) or to its pid only. Sets rc, elapsed_ms (from the signal to the
# exit). interrupt-pass starts first whether the launcher starts tests in
# catalog order or costliest first (its timeout is the largest); each run
# gets a log folder of its own, so no recorded durations change that.
kut_interrupt()
{
	local sig=$1 target=$2 pid t0 logs
	: >"$E2E/state/pids"
	logs=$(mktemp -d "$E2E/logs/interrupt.XXXXXX")
	e2e_cmd="$KUT_WRAPPER $KUT -j 2 interrupt-pass hang-long-1 hang-long-2 hang-long-3; then SIG$sig to the $target"
	# Job control gives the launcher its own process group and leaves
	# SIGINT at its default (a plain background job would ignore it).
	set -m
	# shellcheck disable=SC2086 # KUT_WRAPPER is a list of words
	(cd "$E2E/cwd" && exec env TMPDIR="$E2E/tmp" \
		KUT_E2E_MARKER="$E2E_MARKER" $KUT_WRAPPER "$KUT" \
		--qemu "$FAKE" --images "$E2E/img" --config "$CFG" \
		--arch x86_64 --accel tcg --log-dir "$logs" \
		--no-default-expect --junit "$E2E/int.xml" \
		-j 2 interrupt-pass hang-long-1 hang-long-2 hang-long-3) \
		>"$E2E/out" 2>"$E2E/err" </dev/null &
	pid=$!
	set +m
	# interrupt-pass and one hang, then a second hang in the freed slot.
	if ! wait_for 30 out_has "^ok [0-9]+ - interrupt-pass" || ! wait_for 30 fakes_started 3; then
		diag "the launcher did not start the tests in time"
	fi
	sleep 0.3
	t0=$(now_ms)
	if [ "$target" = group ]; then
		kill -"$sig" -- -"$pid"
	else
		kill -"$sig" "$pid"
	fi
	if ! wait_for 30 eval '! alive '"$pid"; then
		diag "the launcher ignored SIG$sig for 30 s: killing it"
		kill -KILL -- -"$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	elapsed_ms=$(($(now_ms) - t0))
}

# in_flight_in_tap SIG: the two hangs that were running are not ok, their
# reason the interruption.
in_flight_in_tap()
{
	local n=0 t
	for t in hang-long-1 hang-long-2 hang-long-3; do
		tap_not_ok "$t" || continue
		yaml_of "$t" | grep -qE "reason: \"interrupted by SIG$1 after [0-9.]+s, while the test was running\"" ||
			return 1
		n=$((n + 1))
	done
	[ "$n" -eq 2 ] && return 0
	diag "want 2 hangs reported as interrupted, got $n"
	return 1
}

junit_in_flight()
{
	local x=$E2E/int.xml
	[ "$(xmllint --xpath 'count(//testcase/error[@type="interrupted"])' "$x")" = 2 ] &&
		[ "$(xmllint --xpath 'string(/testsuites/testsuite/@errors)' "$x")" = 2 ] &&
		[ "$(xmllint --xpath 'string(/testsuites/testsuite/@failures)' "$x")" = 0 ] &&
		xmllint --xpath 'string(//property[@name="interrupted"]/@value)' "$x" |
		grep -qx "interrupted by SIG$1; 1 test not run" && return 0
	diag_file "$x" 60
	return 1
}

for how in "INT group" "TERM pid" "HUP pid"; do
	read -r sig target <<<"$how"
	name=$(echo "sig${sig}_to_$target" | tr '[:upper:]' '[:lower:]')
	kut_interrupt "$sig" "$target"
	check "${name}_exits_130" rc_is 130
	check "${name}_prints_the_finished_result" tap_ok interrupt-pass
	check "${name}_prints_bail_out" out_has "^Bail out!"
	check "${name}_bail_out_is_the_last_tap_line" bail_is_last
	check "${name}_kills_every_qemu" no_leftovers
	# issue 16 item 2: the tests in flight are in both reports
	check "${name}_tap_has_the_tests_in_flight" in_flight_in_tap "$sig"
	check "${name}_bail_out_names_the_signal" out_has "^Bail out! interrupted by SIG$sig\$"
	check "${name}_summary_counts_the_tests_not_run" \
		out_has "^# 4 tests: 1 passed, 2 failed, 0 skipped, 0 known failures, 1 not run\$"
	if command -v xmllint >/dev/null 2>&1; then
		check "${name}_junit_has_the_tests_in_flight_as_errors" \
			junit_in_flight "$sig"
		check "${name}_junit_validates" xmllint --noout --schema \
			"$top_srcdir/tests/junit.xsd" "$E2E/int.xml"
	else
		skip "${name}_junit_has_the_tests_in_flight_as_errors" "no xmllint"
	fi
	if under_wrapper; then
		skip "${name}_ends_promptly" "timing under $KUT_WRAPPER"
	else
		# A SIGTERM-deaf child may cost the grace period.
		check "${name}_ends_promptly" elapsed_below 20000
	fi
done

e2e_finish
