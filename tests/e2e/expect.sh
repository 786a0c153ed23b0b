#!/bin/bash
# End-to-end: --expect FILE (known failures and skips, contract.md): a
# matching "fail" entry turns a failure into TAP "# TODO reason", a "skip"
# entry into "# SKIP reason" without running QEMU; entries whose WHERE does
# not hold, or whose assertion glob does not cover every failure, change
# nothing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# expect_file NAME LINE...: write $E2E/NAME.
expect_file()
{
	local f=$E2E/$1
	shift
	printf '%s\n' "$@" >"$f"
}

tap_reason()
{
	tap_line "$1" | grep -qF -- "$2"
}

no_todo()
{
	tap_not_ok "$1" && ! tap_directive "$1" TODO
}

nothing_ran()
{
	[ ! -s "$E2E/state/pids" ]
}

# --- fail entries -----------------------------------------------------------
expect_file known.txt "# known failures" "fail  fail  *  upstream bug 1234: broken thing"
kut --expect "$E2E/known.txt" fail
check "known_failure_is_tap_todo" tap_directive fail TODO
check "known_failure_todo_carries_the_reason" tap_reason fail "upstream bug 1234: broken thing"
check "known_failure_is_still_not_ok" tap_not_ok fail
check "known_failure_alone_exits_0" rc_is 0

expect_file where-kvm.txt "fail fail accel=kvm only under KVM"
kut --expect "$E2E/where-kvm.txt" fail
check "fail_entry_for_another_accel_does_not_apply" no_todo fail
check "fail_entry_for_another_accel_exits_1" rc_is 1

expect_file where-arch.txt "fail fail arch=aarch64,accel=tcg only on aarch64"
kut --expect "$E2E/where-arch.txt" fail
check "fail_entry_for_another_arch_does_not_apply" no_todo fail
check "fail_entry_for_another_arch_exits_1" rc_is 1

expect_file where-both.txt "fail fail arch=x86_64,accel=tcg x86_64 under TCG"
kut --expect "$E2E/where-both.txt" fail
check "fail_entry_whose_where_holds_applies" tap_directive fail TODO

expect_file glob-name.txt 'fail "fail*" * every fail test'
kut --expect "$E2E/glob-name.txt" fail fail-two
check "test_name_glob_covers_fail" tap_directive fail TODO
check "test_name_glob_covers_fail_two" tap_directive fail-two TODO
check "test_name_glob_run_exits_0" rc_is 0

expect_file partial.txt 'fail "fail-two/fake: movbe: *" * movbe is emulated badly'
kut --expect "$E2E/partial.txt" fail-two
check "assertion_glob_not_covering_every_failure_is_a_real_failure" rc_is 1
check "assertion_glob_not_covering_every_failure_has_no_todo" no_todo fail-two

expect_file both.txt 'fail "fail-two/fake: movbe: *" * movbe is emulated badly' \
	'fail "fail-two/*broken (got 3, want 4)" * the other one'
kut --expect "$E2E/both.txt" fail-two
check "assertion_globs_covering_every_failure_make_todo" tap_directive fail-two TODO
check "assertion_globs_covering_every_failure_exit_0" rc_is 0

# --- skip entries -----------------------------------------------------------
: >"$E2E/state/pids"
expect_file skip.txt "skip pass * host lacks the frobnicator"
kut --expect "$E2E/skip.txt" pass
check "skip_entry_is_tap_skip" tap_directive pass SKIP
check "skip_entry_carries_the_reason" tap_reason pass "host lacks the frobnicator"
check "skip_entry_does_not_run_qemu" nothing_ran
check "skip_entry_exits_0" rc_is 0

# --- several files, markdown -------------------------------------------------
kut --expect "$E2E/known.txt" --expect "$E2E/skip.txt" pass fail
check "expect_is_repeatable_first_file" tap_directive fail TODO
check "expect_is_repeatable_second_file" tap_directive pass SKIP

cat >"$E2E/known.md" <<'EOF'
# Known failures

Prose outside the fenced block is not read, even when it looks like an entry:

skip pass * this line is prose

```expect
# why: the fake's broken thing
fail fail * tracked in the markdown file
```

```sh
skip pass-again * a block of another language
```
EOF
kut --expect "$E2E/known.md" pass pass-again fail
check "markdown_expect_block_applies" tap_directive fail TODO
ran_plainly()
{
	tap_ok "$1" && ! tap_directive "$1" SKIP
}
check "markdown_prose_is_ignored" ran_plainly pass
check "markdown_other_fenced_blocks_are_ignored" ran_plainly pass-again

# --- QEMU version, kernel version and outer conditions ---------------------
# The fake claims $KUT_FAKE_QEMU_VERSION and counts its --version probes in
# $E2E/state/version-probes.
probes()
{
	if [ -f "$E2E/state/version-probes" ]; then
		wc -l <"$E2E/state/version-probes"
	else
		echo 0
	fi
}
expect_file qemu-old.txt "fail fail qemu<8.0 fixed in QEMU 8.0"
rm -rf "$E2E/logs" "$E2E/state/version-probes"
E2E_ENV=(KUT_E2E_STATE="$E2E/state" KUT_FAKE_QEMU_VERSION=7.2.0)
kut --expect "$E2E/qemu-old.txt" fail
check "qemu_lt_holds_on_an_older_qemu" tap_directive fail TODO
check "qemu_version_probed_once" test "$(probes)" -eq 1
check "qemu_version_is_cached_in_the_log_folder" grep -q " 7\.2\.0 $FAKE\$" "$E2E/logs/x86_64/.qemu-versions"
kut --expect "$E2E/qemu-old.txt" fail pass
check "qemu_version_cache_spares_the_probe" test "$(probes)" -eq 1
check "qemu_lt_still_holds_from_the_cache" tap_directive fail TODO
# a new binary at the same path (other mtime, other size): probed again
sleep 0.01
echo "# rebuilt" >>"$FAKE"
E2E_ENV=(KUT_E2E_STATE="$E2E/state" KUT_FAKE_QEMU_VERSION=10.0.2)
kut --expect "$E2E/qemu-old.txt" fail
check "qemu_changed_binary_is_probed_again" test "$(probes)" -eq 2
check "qemu_lt_does_not_hold_on_a_newer_qemu" no_todo fail
check "qemu_lt_on_a_newer_qemu_exits_1" rc_is 1
expect_file qemu-range.txt "fail fail qemu>=10.0,qemu<10.1 only in 10.0.x"
kut --expect "$E2E/qemu-range.txt" fail
check "qemu_range_holds_inside" tap_directive fail TODO
E2E_ENV=(KUT_E2E_STATE="$E2E/state" KUT_FAKE_QEMU_VERSION=garbage)
rm -f "$E2E/logs/x86_64/.qemu-versions"
kut --expect "$E2E/qemu-range.txt" fail
check "qemu_unknown_version_holds_no_condition" no_todo fail
check "qemu_unknown_version_is_said" err_has "QEMU version unknown"
E2E_ENV=(KUT_E2E_STATE="$E2E/state")
rm -f "$E2E/state/version-probes"
kut --expect "$E2E/where-both.txt" fail
check "no_qemu_condition_no_probe" test "$(probes)" -eq 0

expect_file kernel.txt "fail fail kernel>=2.6 any kernel since 2.6" "fail pass kernel<2.6 no kernel this old"
kut --expect "$E2E/kernel.txt" fail pass
check "kernel_ge_holds_on_this_kernel" tap_directive fail TODO
check "kernel_lt_does_not_hold_on_this_kernel" ran_plainly pass

expect_file outer.txt "fail fail outer=tcg only nested in TCG"
E2E_ENV=()
kut --expect "$E2E/outer.txt" fail
check "outer_tcg_does_not_hold_on_a_real_host" no_todo fail
E2E_ENV=(KUT_OUTER_ACCEL=tcg)
kut --expect "$E2E/outer.txt" fail
check "outer_tcg_holds_with_KUT_OUTER_ACCEL_tcg" tap_directive fail TODO
E2E_ENV=(KUT_OUTER_ACCEL=xen)
kut --expect "$E2E/outer.txt" fail
check "bad_KUT_OUTER_ACCEL_exits_2" rc_is 2
check "bad_KUT_OUTER_ACCEL_is_named" err_has "KUT_OUTER_ACCEL: 'xen'"
E2E_ENV=()

# --- a host list adds to the shipped one (issue 16 item 9) -------------------
# realmode-idiv-min is a whole-test entry of docs/known-failures.md under TCG.
cat >"$E2E/ship.cfg" <<'EOS'
[realmode-idiv-min]
file = fail.flat

[fail]
file = fail.flat
EOS
expect_file host.txt "fail fail * the host's own entry"
kut_ship()
{
	kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/ship.cfg" \
		--arch x86_64 --accel tcg --log-dir "$E2E/logs" "$@"
}
kut_ship --expect "$E2E/host.txt" realmode-idiv-min fail
check "host_list_entry_applies" tap_directive fail TODO
check "shipped_list_still_applies_beside_a_host_list" tap_directive realmode-idiv-min TODO
check "host_list_plus_shipped_list_exits_0" rc_is 0
kut_ship --expect "$E2E/host.txt" --no-default-expect realmode-idiv-min fail
check "no_default_expect_drops_the_shipped_list" no_todo realmode-idiv-min
check "no_default_expect_keeps_the_host_list" tap_directive fail TODO
check "no_default_expect_run_exits_1" rc_is 1

expect_file stale.txt "fail fail * fine" "fail no-such-test * a typo" 'fail "gone-*/x: y" accel=tcg stale'
kut --expect "$E2E/stale.txt" fail
check "entry_naming_no_test_is_a_warning" err_has "warning: .*stale\.txt:2: 'no-such-test' matches no test of"
check "glob_naming_no_test_is_a_warning" err_has "warning: .*stale\.txt:3: 'gone-\*' matches no test of"
check "entry_naming_a_test_gives_no_warning" bash -c "! grep -q 'stale\.txt:1' '$E2E/err'"
check "unmatched_entries_do_not_stop_the_run" tap_directive fail TODO

for a in x86_64 i386; do
	kut_raw --qemu "$FAKE" --arch "$a" --list --no-default-expect \
		--expect "$top_srcdir/docs/known-failures.md"
	check "shipped_list_names_only_${a}_catalog_tests" bash -c "! grep -q warning '$E2E/err'"
done

# issue 16 item 3: every shipped entry carries its QEMU range, and a fixed
# one stops applying on a QEMU that has the fix.
no_entry_without_qemu_range()
{
	local bad
	bad=$(awk '/^```expect/ { on = 1; next } /^```/ { on = 0 }
		on && /^(fail|skip) / && !/qemu[<>=]/' "$top_srcdir/docs/known-failures.md")
	[ -z "$bad" ] && return 0
	diag "entries without a qemu condition:" "$bad"
	return 1
}
check "every_shipped_entry_has_a_qemu_range" no_entry_without_qemu_range
cat >"$E2E/cx8.cfg" <<'EOS'
[cmpxchg8b]
file = script-cx8.flat
arch = i386
EOS
mkdir -p "$E2E/img/i386"
printf 'fake image\nFAIL: cmpxchg8b: locked: CF unaffected (got 0, want 1)\n' \
	>"$E2E/img/i386/script-cx8.flat"
for v in 7.2.0:TODO 9.2.3:TODO 10.0.13:none 10.1.0:none; do
	E2E_ENV=(KUT_FAKE_QEMU_VERSION="${v%:*}")
	rm -rf "$E2E/logs"
	kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/cx8.cfg" \
		--arch i386 --accel tcg --log-dir "$E2E/logs" cmpxchg8b
	if [ "${v#*:}" = TODO ]; then
		check "shipped_cmpxchg8b_entry_holds_on_qemu_${v%:*}" tap_directive cmpxchg8b TODO
	else
		check "shipped_cmpxchg8b_entry_is_fixed_on_qemu_${v%:*}" no_todo cmpxchg8b
	fi
done
E2E_ENV=()

printf '# Known failures\n\nfail fail * prose only, no fence\n' >"$E2E/nofence.md"
kut --expect "$E2E/nofence.md" fail
check "markdown_list_without_expect_fence_exits_2" rc_is 2
check "markdown_list_without_expect_fence_says_so" err_has "nofence\.md:[0-9]+: no \`\`\`expect block"

# --- malformed files --------------------------------------------------------
expect_file no-reason.txt "# a comment" "fail fail *"
kut --expect "$E2E/no-reason.txt" fail
check "expect_entry_without_reason_exits_2" rc_is 2
check "expect_entry_without_reason_names_file_and_line" err_has "no-reason\.txt:2"

expect_file bad-kind.txt "flaky fail * sometimes"
kut --expect "$E2E/bad-kind.txt" fail
check "expect_unknown_kind_exits_2" rc_is 2
check "expect_unknown_kind_names_file_and_line" err_has "bad-kind\.txt:1"

expect_file bad-where.txt "fail fail colour=blue reason"
kut --expect "$E2E/bad-where.txt" fail
check "expect_unknown_where_exits_2" rc_is 2

kut --expect "$E2E/no-such-file.txt" fail
check "expect_missing_file_exits_2" rc_is 2
check "expect_missing_file_is_named" err_has "no-such-file\.txt"

e2e_finish
