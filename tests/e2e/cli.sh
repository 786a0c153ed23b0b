#!/bin/bash
# End-to-end: the command line: selection by name, glob and group, --list,
# --dry-run, --help/--version, and the exit status of usage and config
# errors.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

nothing_ran()
{
	[ ! -s "$E2E/state/pids" ]
}

# result_names: the names on the result lines, sorted, on one line.
result_names()
{
	sed -nE 's/^(not )?ok [0-9]+ - ([^ #]+).*/\2/p' "$E2E/out" | sort | tr '\n' ' '
}

names_are()
{
	local got
	got=$(result_names)
	[ "$got" = "$1" ] && return 0
	diag "got names: $got" "want: $1"
	return 1
}

# --- help and version ---------------------------------------------------
kut_raw --help
check "help_exits_0" rc_is 0
check "help_prints_usage_on_stdout" out_has "[Uu]sage"
check "help_mentions_dry_run" out_has "--dry-run"
kut_raw -h
check "short_h_exits_0" rc_is 0
kut_raw --version
check "version_exits_0" rc_is 0
check "version_prints_a_version_number" out_has "[0-9]+\.[0-9]+"
kut_raw -V
check "short_v_upper_exits_0" rc_is 0
kut --no-such-option
check "unknown_option_exits_2" rc_is 2
check "unknown_option_is_named_on_stderr" err_has "no-such-option"
check "unknown_option_runs_nothing" nothing_ran

# --- --list -------------------------------------------------------------
kut --list
check "list_exits_0" rc_is 0
check "list_runs_nothing" nothing_ran
check "list_shows_the_default_set" out_has "pass-again"
# issue 16 item 13: every test, as the man page says, nodefault ones marked
check "list_without_names_shows_nodefault_tests" out_has "^hang-long-1 "
check "list_marks_nodefault_tests" out_has "^sleeper-1 .*\(nodefault: not in the default set\)\$"
check "list_does_not_mark_default_tests" bash -c "! grep -aE '^pass .*nodefault' '$E2E/out'"
cat >"$E2E/wide.cfg" <<'EOS'
[short]
file = pass.flat

[a-rather-long-test-name-for-the-table]
file = pass.flat
smp = 4,sockets=2,cores=2,threads=1,maxcpus=8
groups = one-group another-group
EOS
kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/wide.cfg" \
	--arch x86_64 --accel tcg --list
# here_column_is_aligned: "runs with" starts at the same column on every line,
# and where the header says HERE.
here_column_is_aligned()
{
	local cols
	cols=$(awk 'NR == 1 { print index($0, "HERE"); next }
		{ print index($0, "runs with") }' "$E2E/out" | sort -u)
	[ "$(echo "$cols" | wc -l)" = 1 ] && [ "$cols" != 0 ] && return 0
	diag "HERE at columns: $cols"
	return 1
}
check "list_columns_hold_a_long_smp_value" here_column_is_aligned
check "list_shows_the_whole_smp_value" out_has " 4,sockets=2,cores=2,threads=1,maxcpus=8 "
kut --list -a
lists_every_test()
{
	local t missing=
	while read -r t; do
		grep -aqw -- "$t" "$E2E/out" || missing="$missing $t"
	done < <(sed -n 's/^\[\(.*\)\]$/\1/p' "$CFG")
	[ -z "$missing" ] && return 0
	diag "not listed:$missing"
	return 1
}
check "list_all_names_every_test_of_the_config" lists_every_test
check "list_all_shows_groups" out_has "sleepers"
kut -l
check "short_l_exits_0" rc_is 0

# --- selection ----------------------------------------------------------
: >"$E2E/state/pids"
kut
check "no_names_runs_the_default_set" names_are "fail pass pass-again skip xfail "
check "default_set_with_a_failure_exits_1" rc_is 1

kut -g good
check "group_selects_its_members" names_are "pass pass-again xfail "
kut --group sleepers -n
check "long_group_option_selects_its_members" rc_is 0
kut 'pass*'
check "glob_selects_matching_tests" names_are "pass pass-again "
kut pass skip
check "names_select_those_tests" names_are "pass skip "
check "names_exit_0_without_failures" rc_is 0
kut pass pass 'pass*'
check "a_test_named_twice_runs_once" names_are "pass pass-again "
kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$CFG" --arch x86_64 \
	--accel tcg --log-dir "$E2E/new/deep/logs" pass
log_dir_created()
{
	[ -n "$(find "$E2E/new/deep/logs" -type f 2>/dev/null)" ]
}
check "log_dir_is_created_with_its_parents" log_dir_created
kut -a -n
check "all_includes_nodefault_tests" out_has "hang-noterm\.flat"
kut -g no-such-group
check "unknown_group_exits_2" rc_is 2

: >"$E2E/state/pids"
kut pas
check "unknown_test_exits_2" rc_is 2
check "unknown_test_is_named_on_stderr" err_has "pas"
check "unknown_test_suggests_the_closest_name" err_has "pass"
check "unknown_test_runs_nothing" nothing_ran
kut hang-noterms
check "unknown_test_suggests_hang_noterm" err_has "hang-noterm"

# --- dry run ------------------------------------------------------------
: >"$E2E/state/pids"
kut -n pass argv-echo
check "dry_run_exits_0" rc_is 0
check "dry_run_runs_nothing" nothing_ran
check "dry_run_writes_no_argv_file" test ! -e "$E2E/state/argv"
check "dry_run_prints_the_kernel_path" out_has "-kernel '?$E2E/img/x86_64/pass\.flat"
check "dry_run_prints_the_qemu_path" out_has "$FAKE"
check "dry_run_prints_smp" out_has "-smp '?3"
check "dry_run_prints_one_command_per_test" \
	test "$(grep -ac -- '-kernel' "$E2E/out")" = 2
kut --dry-run hang
check "long_dry_run_does_not_wait_for_the_timeout" elapsed_below 10000
check "long_dry_run_runs_nothing" nothing_ran

# --- config errors ------------------------------------------------------
bad_cfg()
{
	printf '%s\n' "$@" >"$E2E/bad.cfg"
}
kut_bad_cfg()
{
	kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/bad.cfg" \
		--arch x86_64 --accel tcg --log-dir "$E2E/logs" -a
}

bad_cfg "[a]" "file = pass.flat" "colour = blue"
kut_bad_cfg
check "config_unknown_key_exits_2" rc_is 2
check "config_unknown_key_names_file_and_line" err_has "bad\.cfg:3"
check "config_unknown_key_names_the_key" err_has "colour"

bad_cfg "[a]" "file = pass.flat" "" "[a]" "file = fail.flat"
kut_bad_cfg
check "config_duplicate_section_exits_2" rc_is 2
check "config_duplicate_section_names_file_and_line" err_has "bad\.cfg:4"

bad_cfg "# comment" "[a]" "file = pass.flat" "smp = two"
kut_bad_cfg
check "config_bad_number_exits_2" rc_is 2
check "config_bad_number_names_file_and_line" err_has "bad\.cfg:4"

bad_cfg "file = pass.flat" "[a]"
kut_bad_cfg
check "config_key_outside_section_exits_2" rc_is 2
check "config_key_outside_section_names_file_and_line" err_has "bad\.cfg:1"

bad_cfg "[a" "file = pass.flat"
kut_bad_cfg
check "config_unclosed_section_exits_2" rc_is 2
check "config_unclosed_section_names_file_and_line" err_has "bad\.cfg:1"

bad_cfg "[a]" "file = pass.flat" "timeout = -5"
kut_bad_cfg
check "config_negative_timeout_exits_2" rc_is 2

kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/no-such.cfg" \
	--arch x86_64 --accel tcg pass
check "missing_config_file_exits_2" rc_is 2
check "missing_config_file_is_named" err_has "no-such\.cfg"
check "config_error_is_one_line" test "$(wc -l <"$E2E/err")" -le 2

# --- images ---------------------------------------------------------------
kut_raw --qemu "$FAKE" --images "$E2E/no-such-dir" --config "$CFG" \
	--arch x86_64 --accel tcg --log-dir "$E2E/logs" pass
check "images_dir_missing_exits_3" rc_is 3
check "images_dir_missing_names_the_path" err_has "no-such-dir"
check "images_dir_missing_prints_no_results" \
	bash -c "! grep -aqE '^(not )?ok ' '$E2E/out'"

# A dir without this one image (and no other): no image at all is the
# environment's error, exit 3, so a half-built tree never reads as passing
# (tests/e2e/images.sh has the partial cases).
mkdir -p "$E2E/no-images/x86_64"
kut_raw --qemu "$FAKE" --images "$E2E/no-images" --config "$CFG" \
	--arch x86_64 --accel tcg --log-dir "$E2E/logs" pass
check "missing_image_is_not_a_pass" rc_is 3
check "missing_image_error_names_the_folder" err_has "no-images/x86_64"

# --- a closed stdout stops the run (issue 16 item 14) ---------------------------
# hang-long-1 would run for minutes: the reader going away must stop it now.
: >"$E2E/state/pids"
e2e_cmd="$KUT ... -j 1 hang-long-1 hang-long-2 pass | head -n 1"
t0=$(now_ms)
# shellcheck disable=SC2086 # KUT_WRAPPER is a list of words
(cd "$E2E/cwd" && env TMPDIR="$E2E/tmp" KUT_E2E_MARKER="$E2E_MARKER" \
	"$E2E_TIMEOUT" -k 5 60 $KUT_WRAPPER "$KUT" --qemu "$FAKE" --images "$E2E/img" \
	--config "$CFG" --arch x86_64 --accel tcg --log-dir "$E2E/logs" \
	--no-default-expect -j 1 hang-long-1 hang-long-2 pass 2>"$E2E/err"; echo "rc=$?" >"$E2E/pipe-rc") |
	head -n 1 >"$E2E/out"
elapsed_ms=$(($(now_ms) - t0))
rc=$(sed -n 's/^rc=//p' "$E2E/pipe-rc")
if under_wrapper; then
	skip "closed_stdout_stops_promptly" "timing under $KUT_WRAPPER"
else
	check "closed_stdout_stops_promptly" elapsed_below 15000
fi
check "closed_stdout_exits_1" rc_is 1
check "closed_stdout_says_so" err_has "standard output closed: stopped, [0-9]+ of 3 tests not run"
check "closed_stdout_starts_no_more_tests" test "$(wc -l <"$E2E/state/pids")" -le 1
check "closed_stdout_leaves_no_qemu" no_leftovers

e2e_finish
