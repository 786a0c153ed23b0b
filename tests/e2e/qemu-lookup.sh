#!/bin/bash
# End-to-end: where the launcher finds QEMU and the images (--qemu, $QEMU,
# $PATH; --images, $KUT_IMAGES), and the exit status 3 with one clear line
# when there is no QEMU.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

one_line_on_stderr()
{
	[ "$(grep -cv '^==' "$E2E/err")" -eq 1 ]
}

fake_ran()
{
	[ -s "$E2E/state/pids" ]
}

# kut_lookup ARGS...: the launcher with the fake catalog and images but no
# --qemu, and $QEMU unset.
kut_lookup()
{
	kut_raw --images "$E2E/img" --config "$CFG" --arch x86_64 \
		--accel tcg --log-dir "$E2E/logs" "$@"
}

# --- --qemu naming a file that is not there --------------------------------
kut_raw --qemu /nonexistent/qemu-system-x86_64 --images "$E2E/img" \
	--config "$CFG" --arch x86_64 --accel tcg pass
check "qemu_option_missing_file_exits_3" rc_is 3
check "qemu_option_missing_file_says_so_in_one_line" one_line_on_stderr
check "qemu_option_missing_file_names_the_path" err_has "/nonexistent/qemu-system-x86_64"
check "qemu_option_missing_file_prints_no_results" \
	bash -c "! grep -aqE '^(not )?ok ' '$E2E/out'"

# --- nothing on $PATH -----------------------------------------------------
mkdir -p "$E2E/empty-path"
if [ -e /usr/libexec/qemu-kvm ]; then
	skip "no_qemu_on_path_exits_3" "/usr/libexec/qemu-kvm exists on this host (the last fallback)"
else
	E2E_ENV=(-u QEMU "PATH=$E2E/empty-path")
	kut_lookup pass
	E2E_ENV=()
	check "no_qemu_on_path_exits_3" rc_is 3
	check "no_qemu_on_path_says_so_in_one_line" one_line_on_stderr
	check "no_qemu_on_path_names_the_binary_it_looked_for" err_has "qemu-system-x86_64"
	check "no_qemu_on_path_names_the_package" err_has "qemu-system-x86|qemu-kvm|package"
fi

# --- found on $PATH, in $QEMU, precedence --------------------------------
: >"$E2E/state/pids"
E2E_ENV=(-u QEMU "PATH=$E2E/bin:/usr/bin:/bin")
kut_lookup pass
E2E_ENV=()
check "qemu_found_on_path_runs" tap_ok pass
check "qemu_found_on_path_is_the_first_on_path" fake_ran

: >"$E2E/state/pids"
E2E_ENV=("QEMU=$FAKE" "PATH=$E2E/empty-path")
kut_lookup pass
E2E_ENV=()
check "qemu_env_variable_is_used" tap_ok pass
check "qemu_env_variable_ran_the_fake" fake_ran

E2E_ENV=("QEMU=/nonexistent/qemu")
kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$CFG" --arch x86_64 \
	--accel tcg --log-dir "$E2E/logs" pass
E2E_ENV=()
check "qemu_option_wins_over_qemu_env" tap_ok pass

# --- accelerator ---------------------------------------------------------
kut_accel()
{
	kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$CFG" \
		--arch x86_64 --log-dir "$E2E/logs" "$@"
}
kut_accel --accel banana pass
check "accel_unknown_is_a_usage_error" rc_is 2
kut_accel --arch banana --accel tcg pass
check "arch_unknown_is_a_usage_error" rc_is 2
if [ -e /dev/kvm ]; then
	skip "accel_kvm_without_dev_kvm_exits_3" "/dev/kvm exists here"
	skip "accel_auto_without_dev_kvm_uses_tcg" "/dev/kvm exists here"
else
	kut_accel --accel kvm pass
	check "accel_kvm_without_dev_kvm_exits_3" rc_is 3
	check "accel_kvm_without_dev_kvm_says_so_in_one_line" one_line_on_stderr
	kut_accel --accel auto pass
	check "accel_auto_without_dev_kvm_uses_tcg" yaml_has pass "accel: tcg"
fi

# --- images from $KUT_IMAGES ------------------------------------------------
E2E_ENV=("KUT_IMAGES=$E2E/img")
kut_raw --qemu "$FAKE" --config "$CFG" --arch x86_64 --accel tcg \
	--log-dir "$E2E/logs" pass
E2E_ENV=()
check "kut_images_env_variable_is_used" tap_ok pass

mkdir -p "$E2E/other-img"
E2E_ENV=("KUT_IMAGES=$E2E/other-img")
kut pass
E2E_ENV=()
check "images_option_wins_over_kut_images" tap_ok pass

e2e_finish
