#!/bin/bash
# End-to-end: tests/check-kvm.sh's verdict, which CI gates on. A stand-in
# for the launcher prints a canned TAP stream and exits with a chosen
# status, as `kvm-unit-tests --host-kernel` would after a run: passes,
# skips and known failures are fine, a crash of the outer guest after its
# retries (exit 4) is reported and fine, an unexplained "not ok" is not
# (even beside a crash), and a run that cannot start is an error.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

CHECK_KVM=$top_srcdir/tests/check-kvm.sh
FAKE_KUT=$E2E/bin/fake-kut
cat >"$FAKE_KUT" <<'EOF'
#!/bin/bash
# fake launcher: the TAP in $FAKE_TAP, exit status $FAKE_RC
cat "$FAKE_TAP"
exit "$FAKE_RC"
EOF
chmod 755 "$FAKE_KUT"
KERNEL=$E2E/vmlinuz-fake
: >"$KERNEL"

ok_lines='ok 1 - selftest
ok 2 - pcid # SKIP CPUID.01H:ECX[17] (PCID) clear
not ok 3 - xsave # TODO a known deviation'
crash_lines='not ok 4 - debug
  ---
  reason: "host kernel crashed: the outer QEMU died of signal 11"
  ...'
fail_lines='not ok 5 - apic
  ---
  reason: "1 assertion failed"
  ...'

# run_check TAP-BODY RC: check-kvm.sh on x86_64 with the fake launcher.
run_check()
{
	{
		echo "TAP version 13"
		echo "1..$(printf '%s\n' "$1" | grep -cE '^(not )?ok [0-9]')"
		printf '%s\n' "$1"
	} >"$E2E/fake.tap"
	e2e_cmd="check-kvm.sh fake-kut x86_64 (launcher exit $2)"
	FAKE_TAP=$E2E/fake.tap FAKE_RC=$2 KUT_HOST_KERNEL=$KERNEL \
		CHECK_KVM_LOGS=$E2E/logs/check-kvm \
		bash "$CHECK_KVM" "$FAKE_KUT" x86_64 >"$E2E/out" 2>"$E2E/err"
	rc=$?
}

run_check "$ok_lines" 0
check "passes, skips and known failures: exit 0" rc_is 0
check "the summary counts them" out_has \
	'x86_64: 3 tests: 1 passed, 1 skipped, 1 known failures, 0 unexplained not ok, 0 cut short'

run_check "$ok_lines
$crash_lines" 4
check "a crash after the retries (launcher exit 4): exit 0" rc_is 0
check "the crash is reported" out_has 'the host kernel crashed after 2 retries'
check "the summary counts the crashed test apart" out_has \
	'0 unexplained not ok, 1 cut short by host kernel crashes'

run_check "$ok_lines
$fail_lines" 1
check "an unexplained not ok: exit 1" rc_is 1
check "the failing test is named" out_has 'check-kvm:   not ok 5 - apic'

run_check "$ok_lines
$crash_lines
$fail_lines" 4
check "an unexplained not ok beside a crash fails even with exit 4" rc_is 1

run_check "" 3
check "a run that cannot start (launcher exit 3): exit 3" rc_is 3

e2e_cmd="check-kvm.sh with no kernel"
KUT_HOST_KERNEL=$E2E/no-such-kernel CHECK_KVM_LOGS=$E2E/logs/check-kvm \
	bash "$CHECK_KVM" "$FAKE_KUT" x86_64 >"$E2E/out" 2>"$E2E/err"
rc=$?
check "no kernel: exit 3" rc_is 3

e2e_finish
