#!/bin/bash
# End-to-end: where logs go when no --log-dir is given (issue 16 items 10-12).
# A build-tree launcher keeps them beside its build tree, never in the
# folder it is run from, and creates nothing before a test runs; an
# installed one without HOME and XDG_STATE_HOME says it keeps no logs; each
# arch has its own folder (i386 and x86_64 have tests of the same names).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# A build tree of our own: the launcher with a config.status beside it, so
# that its logs/ lands in $E2E/bt, not in the real build tree.
mkdir -p "$E2E/bt"
cp "$KUT" "$E2E/bt/kvm-unit-tests"
: >"$E2E/bt/config.status"
# An installed launcher: no config.status beside it.
mkdir -p "$E2E/inst/bin"
cp "$KUT" "$E2E/inst/bin/kvm-unit-tests"

# kut_at LAUNCHER ARGS...: LAUNCHER with the fake QEMU, images and catalog,
# no --log-dir.
kut_at()
{
	local saved=$KUT
	KUT=$1
	shift
	kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$CFG" \
		--accel tcg --no-default-expect "$@"
	KUT=$saved
}

cwd_is_empty()
{
	[ -z "$(ls -A "$E2E/cwd")" ] && return 0
	diag "left in the cwd: $(ls -A "$E2E/cwd")"
	return 1
}

# --- item 10: nothing in the cwd, nothing before it is needed ---------------
kut_at "$E2E/bt/kvm-unit-tests" --arch x86_64 --no-such-option
check "usage_error_creates_nothing_in_the_cwd" cwd_is_empty
check "usage_error_creates_no_log_folder" test ! -e "$E2E/bt/logs"
kut_at "$E2E/bt/kvm-unit-tests" --arch x86_64 no-such-test
check "unknown_test_creates_no_log_folder" test ! -e "$E2E/bt/logs"
kut_at "$E2E/bt/kvm-unit-tests" --arch x86_64 --list
check "list_creates_no_log_folder" test ! -e "$E2E/bt/logs"
kut_at "$E2E/bt/kvm-unit-tests" --arch x86_64 --dry-run pass
check "dry_run_creates_no_log_folder" test ! -e "$E2E/bt/logs"
kut_at "$E2E/bt/kvm-unit-tests" --arch x86_64 pass
check "build_tree_run_passes" tap_ok pass
check "build_tree_run_writes_nothing_in_the_cwd" cwd_is_empty
check "build_tree_logs_go_beside_the_build_tree" test -f "$E2E/bt/logs/x86_64/pass.log"
check "yaml_names_the_absolute_log" yaml_has pass "log: \"$E2E/bt/logs/x86_64/pass\\.log\""

# --- item 12: per arch ----------------------------------------------------------
mkdir -p "$E2E/img/i386"
cp "$E2E/img/x86_64/pass.flat" "$E2E/img/i386/"
kut_at "$E2E/bt/kvm-unit-tests" --arch i386 pass
check "i386_logs_have_their_own_folder" test -f "$E2E/bt/logs/i386/pass.log"
check "i386_durations_have_their_own_file" grep -q "^pass " "$E2E/bt/logs/i386/.durations"
i386_log_is_i386()
{
	grep -q "qemu-system-x86_64.*-kernel .*img/i386/pass\\.flat" "$E2E/bt/logs/i386/pass.log" &&
		grep -q "img/x86_64/pass\\.flat" "$E2E/bt/logs/x86_64/pass.log"
}
check "x86_64_log_survives_an_i386_run" i386_log_is_i386
kut_at "$E2E/bt/kvm-unit-tests" --arch x86_64 --log-dir "$E2E/given" pass
check "log_dir_given_gets_an_arch_folder" test -f "$E2E/given/x86_64/pass.log"

# --- item 11: no HOME, no XDG_STATE_HOME ------------------------------------------
E2E_ENV=(-u HOME -u XDG_STATE_HOME)
kut_at "$E2E/inst/bin/kvm-unit-tests" --arch x86_64 pass fail
E2E_ENV=()
check "no_home_still_runs" tap_ok pass
check "no_home_warns_that_no_logs_are_kept" \
	err_has "no log folder: neither XDG_STATE_HOME nor HOME is set; no logs kept"
check "no_home_warns_once" test "$(grep -c 'no log folder' "$E2E/err")" -eq 1
check "no_home_writes_nothing_in_the_cwd" cwd_is_empty
E2E_ENV=(-u HOME XDG_STATE_HOME=relative/state)
kut_at "$E2E/inst/bin/kvm-unit-tests" --arch x86_64 pass
E2E_ENV=()
check "relative_xdg_state_home_without_home_warns" \
	err_has "no log folder: XDG_STATE_HOME is not absolute and HOME is not set"
E2E_ENV=(-u XDG_STATE_HOME HOME="$E2E/home")
kut_at "$E2E/inst/bin/kvm-unit-tests" --arch x86_64 pass
E2E_ENV=()
check "installed_logs_go_to_home_state" test -f "$E2E/home/.local/state/kvm-unit-tests/x86_64/pass.log"
check "installed_with_home_gives_no_warning" bash -c "! grep -q 'no log folder' '$E2E/err'"

e2e_finish
