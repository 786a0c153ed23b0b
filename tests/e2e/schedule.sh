#!/bin/bash
# End-to-end: scheduling by cost. Tests start longest first (the cfg
# timeout as the hint, then the wall time recorded in LOGDIR/.durations by
# an earlier run), a test takes min(smp, -j) slots of the -j budget, and
# the TAP lines stay in catalog order whatever the start order.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# A QEMU that logs "start|end NS NAME SMP" to $E2E/state/sched, sleeps the
# seconds of its "sleep=S" argument and passes.
SCHED=$E2E/bin/sched-qemu
cat >"$SCHED" <<'EOF'
#!/bin/bash
log=${KUT_E2E_STATE:?}/sched
prev= smp=1 kernel= s=0
for a in "$@"; do
	case $prev in
	-smp) smp=${a%%,*} ;;
	-kernel) kernel=$a ;;
	-append) for w in $a; do case $w in sleep=*) s=${w#sleep=} ;; name=*) name=${w#name=} ;; esac; done ;;
	esac
	prev=$a
done
echo $$ >>"$KUT_E2E_STATE/pids"
echo "start $(date +%s%N) $name $smp" >>"$log"
sleep "$s"
echo "PASS: sched: slept $s"
echo "end $(date +%s%N) $name $smp" >>"$log"
echo "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped"
echo "EXIT: STATUS=0"
exit 1
EOF
chmod 755 "$SCHED"
E2E_ENV=(KUT_E2E_STATE="$E2E/state")

# mkcfg NAME:TIMEOUT:SLEEP:SMP...
mkcfg()
{
	local spec n
	CFG=$E2E/sched.cfg
	: >"$CFG"
	for spec in "$@"; do
		IFS=: read -r n t s c <<<"$spec"
		printf '[%s]\nfile = pass.flat\ntimeout = %s\nsmp = %s\ntest_args = name=%s sleep=%s\n' \
			"$n" "$t" "$c" "$n" "$s" >>"$CFG"
	done
}

sched()
{
	: >"$E2E/state/sched"
	kut --qemu "$SCHED" "$@"
}

start_order()
{
	awk '$1 == "start" { print $3 }' "$E2E/state/sched" | tr '\n' ' '
}

tap_order()
{
	grep -aoE '^(not )?ok [0-9]+ - [^ ]+' "$E2E/out" | awk '{ print $NF }' | tr '\n' ' '
}

# The most slots in use at any moment, from the start and end events.
max_slots()
{
	sort -k2,2n "$E2E/state/sched" |
		awk -v j="$1" '{ w = $4 < j ? $4 : j; used += $1 == "start" ? w : -w; if (used > max) max = used } END { print max + 0 }'
}

mkcfg short:10:0.1:1 mid:50:0.1:1 long:100:0.1:1
sched -j 1 --log-dir "$E2E/logs-order"
check "longest_hint_starts_first" test "$(start_order)" = "long mid short "
check "tap_lines_stay_in_catalog_order" test "$(tap_order)" = "short mid long "
check "all_three_pass" rc_is 0

# The hints say a first; the recorded wall times say b.
mkcfg a:100:0.05:1 b:10:0.8:1
sched -j 1 --log-dir "$E2E/logs-durations"
check "without_durations_the_hint_decides" test "$(start_order)" = "a b "
check "durations_file_records_each_test" \
	test "$(awk '{ print $1 }' "$E2E/logs-durations/x86_64/.durations" 2>/dev/null | sort | tr '\n' ' ')" = "a b "
sched -j 1 --log-dir "$E2E/logs-durations"
check "recorded_durations_decide_the_next_run" test "$(start_order)" = "b a "
check "tap_order_ignores_durations" test "$(tap_order)" = "a b "

# smp counts against -j: two smp=2 tests and two smp=1 tests at -j 2
# never hold more than 2 slots; an smp=4 test still runs at -j 2.
mkcfg w1:100:0.4:2 n1:60:0.4:1 w2:90:0.4:2 n2:50:0.4:1 huge:40:0.2:4
sched -j 2 --log-dir "$E2E/logs-slots"
check "smp_never_overcommits_the_budget" test "$(max_slots 2)" -le 2
check "smp_4_runs_at_j_2" tap_ok huge
check "every_slot_test_passes" rc_is 0
# Long enough sleeps that the two wide tests overlap even on a loaded host.
mkcfg w1:100:2:2 n1:60:0.1:1 w2:90:2:2 n2:50:0.1:1
sched -j 4 --log-dir "$E2E/logs-slots4"
check "j4_runs_two_smp2_tests_together" test "$(max_slots 4)" -ge 4
check "j4_never_overcommits" test "$(max_slots 4)" -le 4

e2e_finish
