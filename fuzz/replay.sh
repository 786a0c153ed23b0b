#!/bin/sh
# make check: replays each fuzz harness's seeds (fuzz/corpus/NAME/) and
# fixed crash inputs (fuzz/regress/NAME/) through fuzz/replay-NAME, built
# with the ordinary compiler. TAP, one test point per harness.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"
n=0 failed=0
for name in cfg verdict expect; do
	n=$((n + 1))
	out=$("$top_builddir/fuzz/replay-$name" "$top_srcdir/fuzz/corpus/$name" \
		"$top_srcdir/fuzz/regress/$name" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name: $(echo "$out" | tail -n 1)"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name: replay exited $rc"
		echo "$out" | tail -n 15 | sed 's/^/# /'
	fi
done
echo "1..$n"
[ $failed -eq 0 ]
