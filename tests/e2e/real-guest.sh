#!/bin/bash
# End-to-end smoke test with a real guest: the built x86_64 selftest image
# under the real qemu-system-x86_64 (TCG), through the embedded catalog and
# the images beside the launcher. Skipped, with the reason, when either is
# missing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

image=$(dirname "$KUT")/images/x86_64/selftest.flat
qemu=$(command -v qemu-system-x86_64)
if [ ! -f "$image" ]; then
	skip "selftest_under_tcg_exits_0" "no $image (x86_64 guests not built)"
	skip "selftest_under_tcg_is_ok" "no $image"
	skip "selftest_tap_is_valid" "no $image"
elif [ -z "$qemu" ]; then
	skip "selftest_under_tcg_exits_0" "qemu-system-x86_64 is not installed"
	skip "selftest_under_tcg_is_ok" "qemu-system-x86_64 is not installed"
	skip "selftest_tap_is_valid" "qemu-system-x86_64 is not installed"
else
	kut_raw --accel tcg --log-dir "$E2E/logs" selftest
	check "selftest_under_tcg_exits_0" rc_is 0
	check "selftest_under_tcg_is_ok" tap_ok selftest
	check "selftest_names_tcg" yaml_has selftest "accel: tcg"
	check "selftest_has_guest_assertions" out_has "^ +ok [0-9]+ "
	tap_is_valid()
	{
		if command -v prove >/dev/null; then
			prove --exec cat "$E2E/out" >"$E2E/prove.out" 2>&1 || {
				diag_file "$E2E/prove.out"
				return 1
			}
		fi
		if command -v tap-parser >/dev/null; then
			NODE_PATH=/usr/share/nodejs tap-parser --strict -s <"$E2E/out" ||
				return 1
		fi
		return 0
	}
	check "selftest_tap_is_valid" tap_is_valid
fi

e2e_finish
