# Shared by the end-to-end tests of the launcher: sourced, not run.
#
# Each test script sources this file, calls e2e_setup, runs the launcher
# through kut (or kut_bg) against the fake QEMU, states what it saw with
# ok/not_ok/skip and ends with e2e_finish, which prints the plan.
#
# Environment:
#   KUT          the launcher (make check exports it; else $top_builddir or
#                the current directory is searched)
#   KUT_WRAPPER  words put before $KUT, e.g. a valgrind command line
#                (tests/sanitizers.sh); timing and memory checks then skip
#   top_srcdir   the source tree (default: two levels above this file)
#
# Every launcher run gets TMPDIR=$E2E/tmp, a --log-dir under $E2E and cwd
# $E2E/cwd, so nothing spills into the build tree; e2e_finish checks that
# $E2E/tmp is empty and that no fake QEMU survived.

# shellcheck shell=bash

e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$e2e_dir/../.." && pwd)}"
: "${top_builddir:=.}"
if [ -z "${KUT:-}" ]; then
	if [ -x "$top_builddir/kvm-unit-tests" ]; then
		KUT=$top_builddir/kvm-unit-tests
	else
		KUT=./kvm-unit-tests
	fi
fi
case $KUT in
/*) ;;
*) KUT=$(pwd)/$KUT ;;
esac
KUT_WRAPPER=${KUT_WRAPPER:-}
E2E_ENV=()
# Absolute, so that a test may run the launcher with a PATH of its own.
E2E_TIMEOUT=$(command -v timeout)

e2e_n=0
e2e_failed=0
E2E=
# A string no other process on the machine has in its environment: every
# process the launcher starts inherits it, so /proc/*/environ finds leftovers.
E2E_MARKER=kut-e2e-$$-$RANDOM$RANDOM

# --- TAP ------------------------------------------------------------------

diag()
{
	printf '%s\n' "$@" | sed 's/^/# /'
}

# diag_file FILE [MAX_LINES]: show (the head of) a file as TAP comments.
diag_file()
{
	[ -f "$1" ] || return 0
	echo "# --- $1"
	head -n "${2:-40}" "$1" | cut -c1-300 | tr -d '\000' | sed 's/^/#   /'
}

ok()
{
	e2e_n=$((e2e_n + 1))
	echo "ok $e2e_n - $1"
}

not_ok()
{
	e2e_n=$((e2e_n + 1))
	e2e_failed=$((e2e_failed + 1))
	echo "not ok $e2e_n - $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	diag "launcher: ${e2e_cmd:-}"
	diag "exit status: ${rc:-?}, elapsed: ${elapsed_ms:-?} ms"
	diag_file "$E2E/out"
	diag_file "$E2E/err" 20
	return 0
}

skip()
{
	e2e_n=$((e2e_n + 1))
	echo "ok $e2e_n - $1 # SKIP $2"
}

# check NAME CONDITION-COMMAND... : ok when the command succeeds.
check()
{
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "failed: $*"
	fi
}

under_wrapper()
{
	[ -n "$KUT_WRAPPER" ]
}

# --- setup and teardown ---------------------------------------------------

e2e_cleanup()
{
	local pid
	if [ -n "$E2E" ] && [ -d "$E2E" ]; then
		for pid in $(e2e_marked_pids) $(e2e_live_state_pids); do
			kill -KILL "$pid" 2>/dev/null
		done
		rm -rf "$E2E"
	fi
}

e2e_setup()
{
	local m
	E2E=$(mktemp -d "${TMPDIR:-/tmp}/kut-e2e.XXXXXX") || {
		echo "Bail out! mktemp failed"
		exit 1
	}
	trap e2e_cleanup EXIT
	trap 'e2e_cleanup; exit 130' INT TERM
	mkdir -p "$E2E/img/x86_64" "$E2E/state" "$E2E/tmp" "$E2E/logs" \
		"$E2E/bin" "$E2E/cwd"
	FAKE=$E2E/bin/qemu-system-x86_64
	cp "$top_srcdir/tests/fake-qemu/fake-qemu.sh" "$FAKE"
	chmod 755 "$FAKE"
	for m in pass fail fail-two xfail skip sleep2 hang hang-noterm flood \
		segv exit0-no-status status-from-line status-mismatch malformed \
		malformed-fail kvm-internal-error argv-echo hang-closed-stdout \
		exit-leave-child flood-stderr warn-located; do
		echo "fake image: $m" >"$E2E/img/x86_64/$m.flat"
	done
	CFG=$top_srcdir/tests/e2e/fake.cfg
	: >"$E2E/no-expectations.txt"
	if [ ! -x "$KUT" ]; then
		echo "Bail out! launcher not found: $KUT (set KUT or run from the build tree)"
		exit 1
	fi
}

# Pids of processes that inherited this script's marker (the launcher, the
# fakes and their children), except ones that are already zombies.
e2e_marked_pids()
{
	local f pid
	grep -lzxF "KUT_E2E_MARKER=$E2E_MARKER" /proc/[0-9]*/environ 2>/dev/null |
		while read -r f; do
			pid=${f#/proc/}
			pid=${pid%/environ}
			[ "$pid" = "$$" ] && continue
			grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && continue
			echo "$pid"
		done
}

# Pids the fakes recorded that are still alive (not zombies).
e2e_live_state_pids()
{
	local pid
	[ -f "$E2E/state/pids" ] || return 0
	while read -r pid; do
		[ -d "/proc/$pid" ] || continue
		grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && continue
		echo "$pid"
	done <"$E2E/state/pids"
}

# no_leftovers: true when no fake QEMU (nor anything they started) lives.
# A process killed a moment ago may still be on its way out: wait up to 2 s.
no_leftovers()
{
	local i left
	for i in 1 2 3 4 5 6 7 8 9 10; do
		left="$(e2e_marked_pids) $(e2e_live_state_pids)"
		[ -z "${left// /}" ] && return 0
		sleep 0.2
	done
	diag "processes left behind:"
	for i in $left; do
		diag "  $i: $(tr '\000' ' ' <"/proc/$i/cmdline" 2>/dev/null)"
	done
	return 1
}

tmp_is_empty()
{
	local left
	left=$(find "$E2E/tmp" -mindepth 1 2>/dev/null)
	[ -z "$left" ] && return 0
	diag "left in TMPDIR:" "$left"
	return 1
}

# e2e_finish: the checks every script ends with, then the plan.
e2e_finish()
{
	check "no fake QEMU process outlives the launcher" no_leftovers
	check "no temp file left in TMPDIR" tmp_is_empty
	echo "1..$e2e_n"
	[ "$e2e_failed" -eq 0 ]
}

# --- running the launcher -------------------------------------------------

now_ms()
{
	local t
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# kut ARGS...: run the launcher on the fake QEMU and fake images, with the
# fake catalog, under a 120 s safety net. Sets rc, elapsed_ms; stdout in
# $E2E/out, stderr in $E2E/err.
# kut_raw ARGS...: the same without the default options.
# E2E_ENV: an array of extra environment words for env(1) ("-u", "QEMU",
# "PATH=..."), empty by default.
# --no-default-expect keeps the project's known-failures.md out of these runs.
kut()
{
	kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$CFG" \
		--arch x86_64 --accel tcg --log-dir "$E2E/logs" \
		--no-default-expect "$@"
}

kut_raw()
{
	local t0
	e2e_cmd="$KUT_WRAPPER $KUT $*"
	t0=$(now_ms)
	# shellcheck disable=SC2086 # KUT_WRAPPER is a list of words
	(cd "$E2E/cwd" && exec env "${E2E_ENV[@]}" TMPDIR="$E2E/tmp" \
		KUT_E2E_MARKER="$E2E_MARKER" \
		"$E2E_TIMEOUT" -k 5 "${E2E_SAFETY_TIMEOUT:-120}" \
		$KUT_WRAPPER "$KUT" "$@") >"$E2E/out" 2>"$E2E/err" </dev/null
	rc=$?
	elapsed_ms=$(($(now_ms) - t0))
}

# --- reading the launcher's TAP --------------------------------------------

# tap_line NAME: the launcher's result line for test NAME.
tap_line()
{
	grep -aE "^(not )?ok [0-9]+ - $1( |\$)" "$E2E/out" | head -n 1
}

tap_ok()
{
	tap_line "$1" | grep -q '^ok '
}

tap_not_ok()
{
	tap_line "$1" | grep -q '^not ok '
}

# tap_directive NAME WORD: the result line carries "# WORD" (SKIP, TODO).
tap_directive()
{
	tap_line "$1" | grep -qiE "# *$2( |\$)"
}

# yaml_of NAME: the YAML block that follows NAME's result line.
yaml_of()
{
	awk -v name="$1" '
		!inblk && $0 ~ ("^(not )?ok [0-9]+ - " name "( |$)") { found = 1; next }
		found && !inblk && /^ +---/ { inblk = 1; next }
		inblk && /^ +\.\.\.[ ]*$/ { exit }
		inblk { print; next }
		found && /^(not )?ok [0-9]/ { exit }
	' "$E2E/out"
}

# yaml_has NAME REGEX: NAME's YAML block has a line matching REGEX.
yaml_has()
{
	yaml_of "$1" | grep -aqE -- "$2"
}

out_has()
{
	grep -aqE -- "$1" "$E2E/out"
}

err_has()
{
	grep -aqE -- "$1" "$E2E/err"
}

rc_is()
{
	[ "$rc" = "$1" ]
}

elapsed_below()
{
	[ "$elapsed_ms" -lt "$1" ]
}

# plan_is N: a "1..N" plan line.
plan_is()
{
	grep -aqx "1\.\.$1" "$E2E/out"
}

# count_results: the number of top-level result lines.
count_results()
{
	grep -acE '^(not )?ok [0-9]+' "$E2E/out"
}
