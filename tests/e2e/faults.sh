#!/bin/bash
# End-to-end fault tests (issue 8; outcomes in kvm-unit-tests(1), FAULTS):
# what the launcher does when the world around a test breaks.
#   - QEMU killed by SIGKILL mid-test (from outside, as the OOM killer does)
#   - a guest that writes nothing, exiting or hanging
#   - a real guest that triple-faults (x86/triplefault.c, real QEMU, TCG)
#   - /dev/kvm unusable (KUT_KVM_DEVICE points the probe elsewhere)
#   - a log folder that cannot be created, or is full (a tiny tmpfs)
#   - a test image missing, empty or truncated (real QEMU for the latter)
# In each case the other tests of the run still run and report.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# A fake QEMU of our own for the fault modes; any other image goes to the
# shared fake (tests/fake-qemu/fake-qemu.sh).
FAULT_QEMU=$E2E/bin/qemu-faults
cat >"$FAULT_QEMU" <<EOS
#!/bin/sh
kernel=
prev=
for arg in "\$@"; do
	[ "\$prev" = -kernel ] && kernel=\$arg
	prev=\$arg
done
case \${kernel##*/} in
killme.flat)
	echo \$\$ >>"$E2E/state/pids"
	echo "PASS: faults: before the kill"
	echo \$\$ >"$E2E/state/killme.pid"
	sleep 60
	;;
silent.flat)
	echo \$\$ >>"$E2E/state/pids"
	exit 0
	;;
silent-hang.flat)
	echo \$\$ >>"$E2E/state/pids"
	sleep 60
	;;
*)
	exec "$FAKE" "\$@"
	;;
esac
EOS
chmod 755 "$FAULT_QEMU"
for m in killme silent silent-hang; do
	echo "fake image: $m" >"$E2E/img/x86_64/$m.flat"
done
: >"$E2E/img/x86_64/empty.flat"

FCFG=$E2E/faults.cfg
cat >"$FCFG" <<'EOS'
[pass]
file = pass.flat

[killme]
file = killme.flat

[silent]
file = silent.flat

[silent-hang]
file = silent-hang.flat
timeout = 1

[missing]
file = no-such-image.flat

[needs-kvm]
file = pass.flat
accel = kvm
EOS

kut_faults()
{
	kut_raw --qemu "$FAULT_QEMU" --images "$E2E/img" --config "$FCFG" \
		--arch x86_64 --log-dir "$E2E/logs" \
		--no-default-expect "$@"
}

# reason_has NAME ERE: the YAML reason of NAME's result matches.
reason_has()
{
	yaml_of "$1" | grep -aE '^ +reason:' | grep -qaE -- "$2"
}

wait_for_file()
{
	local tries=300
	while [ "$tries" -gt 0 ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# --- QEMU killed by SIGKILL mid-test -----------------------------------------
rm -f "$E2E/state/killme.pid"
e2e_cmd="$KUT_WRAPPER $KUT -j 2 killme pass; SIGKILL to the killme QEMU"
# shellcheck disable=SC2086 # KUT_WRAPPER is a list of words
(cd "$E2E/cwd" && exec env TMPDIR="$E2E/tmp" KUT_E2E_MARKER="$E2E_MARKER" \
	"$E2E_TIMEOUT" -k 5 120 $KUT_WRAPPER "$KUT" --qemu "$FAULT_QEMU" \
	--images "$E2E/img" --config "$FCFG" --arch x86_64 --accel tcg \
	--log-dir "$E2E/logs" --no-default-expect \
	-j 2 killme pass) >"$E2E/out" 2>"$E2E/err" </dev/null &
bg=$!
if wait_for_file "$E2E/state/killme.pid"; then
	kill -KILL "$(cat "$E2E/state/killme.pid")"
else
	diag "the killme fake did not start in 30 s"
fi
wait "$bg"
rc=$?
check "sigkilled_qemu_fails_the_run" rc_is 1
check "sigkilled_qemu_is_not_ok" tap_not_ok killme
check "sigkilled_qemu_reason_names_the_signal" reason_has killme "killed by signal 9 \(Killed\)"
check "sigkilled_qemu_keeps_the_lines_before" out_has "^ +ok [0-9]+ - faults: before the kill"
check "sigkilled_qemu_other_test_runs" tap_ok pass
check "sigkilled_qemu_leaves_no_process" no_leftovers

# --- a guest that writes nothing ---------------------------------------------
kut_faults --accel tcg silent silent-hang pass
check "silent_guest_fails_the_run" rc_is 1
check "silent_guest_exiting_is_not_ok" tap_not_ok silent
check "silent_guest_exiting_reason" reason_has silent "no EXIT line and QEMU exited 0"
check "silent_guest_hanging_is_not_ok" tap_not_ok silent-hang
check "silent_guest_hanging_times_out" reason_has silent-hang "timeout after 2s"
check "silent_guest_other_test_runs" tap_ok pass
check "silent_guest_leaves_no_process" no_leftovers

# --- a real guest that triple-faults -----------------------------------------
tf_image=$(dirname "$KUT")/images/x86_64/triplefault.flat
if [ ! -f "$tf_image" ]; then
	skip "triplefault_is_not_ok" "no $tf_image (x86_64 guests not built)"
	skip "triplefault_reason_says_reset" "no $tf_image"
elif ! command -v qemu-system-x86_64 >/dev/null; then
	skip "triplefault_is_not_ok" "qemu-system-x86_64 is not installed"
	skip "triplefault_reason_says_reset" "qemu-system-x86_64 is not installed"
else
	kut_raw --accel tcg --log-dir "$E2E/logs" --no-default-expect \
		triplefault exit0
	check "triplefault_is_not_ok" tap_not_ok triplefault
	check "triplefault_reason_says_reset" reason_has triplefault \
		"no EXIT line and QEMU exited 0: the guest reset"
	check "triplefault_other_test_runs" tap_ok exit0
fi

# --- /dev/kvm unusable -----------------------------------------------------------
# Root opens any mode, so the probe is pointed at a path that cannot be a
# KVM device: a name under a regular file (ENOTDIR), and /dev/null (opens,
# but KVM_GET_API_VERSION fails).
for dev in "$E2E/no-expectations.txt/kvm" /dev/null; do
	tag=$([ "$dev" = /dev/null ] && echo devnull || echo enotdir)
	E2E_ENV=("KUT_KVM_DEVICE=$dev")
	kut_faults --accel auto pass needs-kvm
	check "kvm_unusable_${tag}_auto_runs_under_tcg" yaml_has pass "accel: tcg"
	check "kvm_unusable_${tag}_auto_says_so" err_has "note: KVM not usable \\($dev: .*\\); running under TCG"
	check "kvm_unusable_${tag}_kvm_only_test_skips" tap_directive needs-kvm SKIP
	check "kvm_unusable_${tag}_kvm_only_test_says_why" out_has "needs-kvm # SKIP .*needs KVM.*$dev"
	kut_faults --accel kvm pass
	check "kvm_unusable_${tag}_accel_kvm_exits_3" rc_is 3
	check "kvm_unusable_${tag}_accel_kvm_names_the_device" err_has "^kvm-unit-tests: --accel kvm: $dev: "
	E2E_ENV=()
done

# --- a log folder that cannot be written -------------------------------------
kut_raw --qemu "$FAULT_QEMU" --images "$E2E/img" --config "$FCFG" \
	--arch x86_64 --accel tcg --log-dir "$E2E/no-expectations.txt/logs" \
	--no-default-expect pass
check "log_dir_unusable_still_passes" rc_is 0
check "log_dir_unusable_result_on_stdout" tap_ok pass
check "log_dir_unusable_warns_once" test "$(grep -c 'no logs kept' "$E2E/err")" -eq 1
check "log_dir_unusable_names_the_folder" err_has "log folder .*/no-expectations.txt/logs/x86_64: Not a directory"

full=$E2E/full
mkdir -p "$full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=16k kut-e2e-full "$full" 2>/dev/null; then
	trap 'umount "$full" 2>/dev/null; e2e_cleanup' EXIT
	dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null
	kut_raw --qemu "$FAULT_QEMU" --images "$E2E/img" --config "$FCFG" \
		--arch x86_64 --accel tcg --log-dir "$full/logs" \
		--no-default-expect pass
	check "log_dir_full_still_passes" rc_is 0
	check "log_dir_full_result_on_stdout" tap_ok pass
	check "log_dir_full_says_the_log_is_incomplete" err_has "pass\.log: No space left on device; the log is incomplete"
	umount "$full"
	trap e2e_cleanup EXIT
else
	skip "log_dir_full_still_passes" "cannot mount a small tmpfs here (needs root)"
	skip "log_dir_full_result_on_stdout" "cannot mount a small tmpfs"
	skip "log_dir_full_says_the_log_is_incomplete" "cannot mount a small tmpfs"
fi

# --- a test image missing, empty or truncated ----------------------------------
kut_faults --accel tcg missing pass
check "image_missing_fails" tap_not_ok missing
check "image_missing_names_the_file" yaml_has missing "reason: .*no-such-image\.flat"
check "image_missing_other_test_runs" tap_ok pass

sel_image=$(dirname "$KUT")/images/x86_64/selftest.flat
if [ -f "$sel_image" ] && command -v qemu-system-x86_64 >/dev/null; then
	mkdir -p "$E2E/real-img/x86_64"
	head -c 512 "$sel_image" >"$E2E/real-img/x86_64/selftest.flat"
	: >"$E2E/real-img/x86_64/exit0.flat"
	cp "$(dirname "$KUT")/images/x86_64/sieve.flat" "$E2E/real-img/x86_64/sieve.flat" 2>/dev/null
	kut_raw --accel tcg --images "$E2E/real-img" --log-dir "$E2E/logs" \
		--no-default-expect selftest exit0 sieve
	check "image_truncated_is_not_ok" tap_not_ok selftest
	check "image_truncated_reason_is_qemus" reason_has selftest "Error (while )?loading"
	check "image_empty_is_not_ok" tap_not_ok exit0
	check "image_empty_reason_is_qemus" reason_has exit0 "could not load kernel"
	check "image_broken_other_test_runs" tap_ok sieve
else
	skip "image_truncated_is_not_ok" "no x86_64 images or no qemu-system-x86_64"
	skip "image_truncated_reason_is_qemus" "no x86_64 images or no qemu-system-x86_64"
	skip "image_empty_is_not_ok" "no x86_64 images or no qemu-system-x86_64"
	skip "image_empty_reason_is_qemus" "no x86_64 images or no qemu-system-x86_64"
	skip "image_broken_other_test_runs" "no x86_64 images or no qemu-system-x86_64"
fi

e2e_finish
