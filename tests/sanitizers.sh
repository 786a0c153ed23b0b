#!/bin/bash
# Runs the host-side tests (launcher unit tests and end-to-end tests) twice,
# each time in a build tree of its own made from this source tree, with no
# guest arch:
#   1. the launcher and its unit tests built with ASan and UBSan, any report
#      fatal (halt_on_error, abort_on_error);
#   2. a plain -O1 -g build, the launcher and the unit tests run under
#      valgrind memcheck (definite leaks count as errors).
# Exits 0 when both runs pass and neither tool reported anything.
#
# usage: tests/sanitizers.sh [WORKDIR]
#   WORKDIR holds the two build trees and the valgrind logs; it is kept when
#   given, a temporary directory removed at the end otherwise.
# env:  SANITIZERS_JOBS (make -j, default: online CPUs); SANITIZERS_SKIP_VALGRIND=1 or
#       SANITIZERS_SKIP_ASAN=1 to run one half only.
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
	work=$1
	mkdir -p "$work" || exit 2
	work=$(cd "$work" && pwd)
	keep=1
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/kut-sanitizers.XXXXXX") || exit 2
	keep=0
fi
# shellcheck disable=SC2317 # called by the trap
cleanup()
{
	[ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say()
{
	printf 'sanitizers: %s\n' "$*"
}

# Out-of-tree builds need a source tree that is not configured in place
# (README's first command builds in the source tree): work from a clean copy.
if [ -e "$srcdir/config.status" ]; then
	say "$srcdir is configured in place; building from a clean copy"
	mkdir -p "$work/src" || exit 2
	if git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$srcdir" && git ls-files -z --cached --others \
			--exclude-standard | xargs -0 tar cf -) |
			(cd "$work/src" && tar xf -) || exit 2
	else
		make -s -C "$srcdir" distdir distdir="$work/src" || exit 2
	fi
	srcdir=$work/src
fi

if [ ! -x "$srcdir/configure" ]; then
	say "running autogen.sh in $srcdir"
	(cd "$srcdir" && ./autogen.sh) || exit 2
fi

# configure_tree DIR CFLAGS: a build tree without guests. The option that
# leaves guests out is --enable-arches=none.
configure_tree()
{
	mkdir -p "$1"
	(cd "$1" && "$srcdir/configure" -q --enable-arches=none \
		CC="${SANITIZERS_CC:-gcc}" CFLAGS="$2") >"$1.configure.log" 2>&1 || {
		say "configure failed in $1:"
		tail -n 30 "$1.configure.log"
		return 1
	}
}

# build_and_check DIR: make, then make check; on failure print the test logs
# that failed.
build_and_check()
{
	local d=$1 rc
	(cd "$d" && make -j"$jobs" >"$d.make.log" 2>&1) || {
		say "build failed in $d:"
		tail -n 40 "$d.make.log"
		return 1
	}
	(cd "$d" && make -j"$jobs" check >"$d.check.log" 2>&1)
	rc=$?
	grep -E '^(# )?(TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$d.check.log" | tail -n 8
	if [ $rc -ne 0 ]; then
		say "make check failed in $d; failing tests:"
		find "$d" -name '*.trs' -exec grep -lE '^:test-result: (FAIL|ERROR|XPASS)' {} + |
			while read -r trs; do
				log=${trs%.trs}.log
				echo "---- $log"
				grep -aE '^(not ok|#|Bail out)|(ERROR|runtime error|Sanitizer)' "$log" | head -n 60
			done
	fi
	return $rc
}

status=0
jobs=${SANITIZERS_JOBS:-$(nproc 2>/dev/null || echo 1)}

# --- 1. ASan + UBSan ----------------------------------------------------------
if [ "${SANITIZERS_SKIP_ASAN:-0}" != 1 ]; then
	say "ASan+UBSan build in $work/asan"
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1"
	export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
	if configure_tree "$work/asan" \
		"-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"; then
		build_and_check "$work/asan" || status=1
		# A report that did not reach a test's verdict still counts.
		if grep -rlaE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
			--include='*.log' "$work/asan/tests" 2>/dev/null | grep -q .; then
			say "sanitizer reports found in:"
			grep -rlaE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
				--include='*.log' "$work/asan/tests"
			status=1
		fi
	else
		status=1
	fi
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi

# --- 2. valgrind ------------------------------------------------------------
if [ "${SANITIZERS_SKIP_VALGRIND:-0}" != 1 ]; then
	if ! command -v valgrind >/dev/null; then
		say "valgrind is not installed (package valgrind)"
		status=1
	else
		say "valgrind run in $work/valgrind"
		vglogs=$work/valgrind-logs
		rm -rf "$vglogs"
		mkdir -p "$vglogs"
		vg="$(command -v valgrind) -q --error-exitcode=99 --leak-check=full"
		vg="$vg --errors-for-leak-kinds=definite --show-leak-kinds=definite"
		vg="$vg --track-fds=no --log-file=$vglogs/vg.%p.log"
		if configure_tree "$work/valgrind" "-g -O1"; then
			# The e2e scripts put $KUT_WRAPPER before the launcher and
			# skip the cases that time or measure it; LOG_COMPILER runs
			# the unit test programs under valgrind too.
			KUT_WRAPPER=$vg LOG_COMPILER=$vg build_and_check "$work/valgrind" ||
				status=1
			# With -q, valgrind writes a log only to report something.
			errs=$(find "$vglogs" -name '*.log' -size +0c)
			if [ -n "$errs" ]; then
				say "valgrind reported errors:"
				for f in $errs; do
					echo "---- $f"
					head -n 40 "$f"
				done
				status=1
			fi
			say "valgrind: $(find "$vglogs" -name '*.log' | wc -l) processes checked, $(echo "$errs" | grep -c .) with errors"
		else
			status=1
		fi
	fi
fi

if [ $status -eq 0 ]; then
	say "PASS: no sanitizer or valgrind error"
else
	say "FAIL: see above"
fi
exit $status
