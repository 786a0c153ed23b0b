#!/bin/bash
# End-to-end: the launcher's TAP is read the same way by three independent
# consumers: Automake's tap-driver.sh, Perl's prove (TAP::Harness) and
# node-tap-parser in strict mode. The run mixes a pass, a failure (with its
# YAML block and subtests), a skip and a known failure (TODO).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# The mix: 4 tests, 1 real failure, 1 skip, 1 TODO.
printf '%s\n' "fail fail-two * a known failure for the TODO case" >"$E2E/known.txt"
kut --expect "$E2E/known.txt" pass fail skip fail-two
cp "$E2E/out" "$E2E/mixed.tap"
check "mixed_run_exits_1" rc_is 1
kut -g good
cp "$E2E/out" "$E2E/good.tap"
check "passing_run_exits_0" rc_is 0

# --- Automake's tap-driver.sh ----------------------------------------------
tap_driver=
for f in "$top_srcdir/build-aux/tap-driver.sh" /usr/share/automake-*/tap-driver.sh; do
	if [ -f "$f" ]; then
		tap_driver=$f
		break
	fi
done

# trs_count RESULT TRS: how many ":test-result: RESULT" lines.
trs_count()
{
	grep -c "^:test-result: $1" "$2"
}

run_tap_driver()
{
	env AM_TAP_AWK="${AWK:-awk}" "${BASH:-bash}" "$tap_driver" \
		--test-name "$1" --log-file "$E2E/$1.log" --trs-file "$E2E/$1.trs" \
		--color-tests no --enable-hard-errors yes --expect-failure no \
		-- cat "$E2E/$1.tap" >"$E2E/$1.driver-out" 2>&1
}

if [ -z "$tap_driver" ]; then
	skip "tap_driver_counts_the_mixed_run" "no tap-driver.sh (build-aux/ or automake)"
else
	run_tap_driver mixed
	trs=$E2E/mixed.trs
	tap_driver_counts()
	{
		local got
		got="pass=$(trs_count PASS "$trs") fail=$(trs_count FAIL "$trs")"
		got="$got skip=$(trs_count SKIP "$trs") xfail=$(trs_count XFAIL "$trs")"
		got="$got error=$(trs_count ERROR "$trs") xpass=$(trs_count XPASS "$trs")"
		[ "$got" = "pass=1 fail=1 skip=1 xfail=1 error=0 xpass=0" ] && return 0
		diag "tap-driver.sh: got $got" "want pass=1 fail=1 skip=1 xfail=1 error=0 xpass=0"
		diag_file "$E2E/mixed.driver-out"
		return 1
	}
	check "tap_driver_counts_the_mixed_run" tap_driver_counts
	check "tap_driver_fails_the_mixed_run" grep -q '^:global-test-result: FAIL' "$trs"
	run_tap_driver good
	check "tap_driver_passes_the_passing_run" \
		grep -q '^:global-test-result: PASS' "$E2E/good.trs"
	check "tap_driver_finds_no_error_in_the_passing_run" \
		test "$(trs_count ERROR "$E2E/good.trs")" = 0
fi

# --- prove (TAP::Harness) ---------------------------------------------------
if ! command -v prove >/dev/null; then
	skip "prove_counts_the_mixed_run" "prove (perl) is not installed"
else
	prove --exec cat "$E2E/mixed.tap" >"$E2E/prove.out" 2>&1
	prove_rc=$?
	prove_counts()
	{
		grep -q 'Failed 1/4 subtests' "$E2E/prove.out" && return 0
		diag_file "$E2E/prove.out"
		return 1
	}
	check "prove_counts_the_mixed_run" prove_counts
	check "prove_fails_the_mixed_run" test "$prove_rc" -ne 0
	no_parse_error()
	{
		! grep -qi "parse error" "$E2E/prove.out"
	}
	check "prove_finds_no_parse_error_in_the_mixed_run" no_parse_error
	# TAP::Parser's own counters, for the skip and the TODO.
	perl_counts=$(perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({ source => $ARGV[0] });
		1 while $p->next;
		printf "tests=%d failed=%d skipped=%d todo=%d errors=%d\n",
			$p->tests_run, scalar($p->failed), scalar($p->skipped),
			scalar($p->todo), scalar($p->parse_errors);
	' "$E2E/mixed.tap" 2>&1)
	check "tap_parser_perl_counts_the_mixed_run" \
		test "$perl_counts" = "tests=4 failed=1 skipped=1 todo=1 errors=0"
	[ "$perl_counts" = "tests=4 failed=1 skipped=1 todo=1 errors=0" ] ||
		diag "TAP::Parser: $perl_counts"
	# issue 16 item 6: the name TAP::Parser reads is the test's alone
	perl_names=$(perl -MTAP::Parser -e '
		my $p = TAP::Parser->new({ source => $ARGV[0] });
		my @n;
		while (my $r = $p->next) {
			next unless $r->is_test;
			(my $d = $r->description) =~ s/^- //;
			push @n, $d;
		}
		print join(",", @n), "\n";
	' "$E2E/mixed.tap" 2>&1)
	check "tap_parser_perl_reads_the_bare_test_names" \
		test "$perl_names" = "pass,fail,fail-two,skip"
	[ "$perl_names" = "pass,fail,fail-two,skip" ] || diag "TAP::Parser names: $perl_names"
	prove --exec cat "$E2E/good.tap" >"$E2E/prove-good.out" 2>&1
	check "prove_passes_the_passing_run" test $? -eq 0
fi

# --- node-tap-parser, strict -----------------------------------------------
# Debian's node-tap-parser lives in /usr/share/nodejs, which a Node.js from
# elsewhere does not search by default.
node_tap_parser()
{
	NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH} tap-parser "$@"
}
if ! command -v tap-parser >/dev/null || ! command -v node >/dev/null ||
	! node_tap_parser --help >/dev/null 2>&1; then
	skip "node_tap_parser_counts_the_mixed_run" "node-tap-parser is not installed or does not run"
else
	# The last JSON event is ["complete", {...}]: print its counters.
	node_counts()
	{
		# shellcheck disable=SC2016 # JavaScript, not shell
		node_tap_parser -j 0 --strict <"$1" | node -e '
			let s = "";
			process.stdin.on("data", (d) => { s += d; });
			process.stdin.on("end", () => {
				const ev = JSON.parse(s);
				const c = ev.filter((e) => e[0] === "complete").pop()[1];
				const bad = ev.filter((e) => e[0] === "assert" && !e[1].ok &&
					!e[1].todo && !e[1].skip);
				console.log(`ok=${c.ok} count=${c.count} failures=${bad.length} ` +
					`skip=${c.skip} todo=${c.todo} bailout=${c.bailout}`);
			});'
	}
	got=$(node_counts "$E2E/mixed.tap" 2>&1)
	want="ok=false count=4 failures=1 skip=1 todo=1 bailout=false"
	check "node_tap_parser_counts_the_mixed_run" test "$got" = "$want"
	[ "$got" = "$want" ] || diag "tap-parser: got $got" "want $want"
	# shellcheck disable=SC2016 # JavaScript, not shell
	got=$(node_tap_parser -j 0 --strict <"$E2E/mixed.tap" | node -e '
		let s = "";
		process.stdin.on("data", (d) => { s += d; });
		process.stdin.on("end", () => {
			const n = JSON.parse(s).filter((e) => e[0] === "assert")
				.map((e) => e[1].name);
			console.log(n.join(","));
		});' 2>&1)
	check "node_tap_parser_reads_the_bare_test_names" test "$got" = "pass,fail,fail-two,skip"
	[ "$got" = "pass,fail,fail-two,skip" ] || diag "tap-parser names: $got"
	node_tap_parser --strict -s <"$E2E/mixed.tap"
	check "node_tap_parser_fails_the_mixed_run" test $? -ne 0
	node_tap_parser --strict -s <"$E2E/good.tap"
	strict_rc=$?
	check "node_tap_parser_strict_passes_the_passing_run" test "$strict_rc" -eq 0
	[ "$strict_rc" -eq 0 ] || node_tap_parser --strict -t <"$E2E/good.tap" | sed 's/^/# /'
	got=$(node_counts "$E2E/good.tap" 2>&1)
	check "node_tap_parser_counts_the_passing_run" \
		test "$got" = "ok=true count=3 failures=0 skip=0 todo=0 bailout=false"
fi

e2e_finish
