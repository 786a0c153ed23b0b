#!/bin/bash
# End-to-end: --shard K/N. For N = 1..4, the N shards of a selection are
# disjoint and their results together are exactly the unsharded run's
# (same names, same verdicts); every shard computes the same split on its
# own; a bad K/N is a usage error.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

# Eleven tests with costs (timeouts) that do not split evenly, and every
# verdict kind the fake has that ends quickly.
CFG=$E2E/shard.cfg
declare -A cost
{
	i=0
	for spec in pass:180 fail:90 skip:90 xfail:60 pass:60 pass:60 fail:30 \
		pass:30 skip:10 pass:10 xfail:0; do
		i=$((i + 1))
		printf '[t%02d-%s]\nfile = %s.flat\n' "$i" "${spec%:*}" "${spec%:*}"
		[ "${spec#*:}" = 0 ] || printf 'timeout = %s\n' "${spec#*:}"
	done
} >"$CFG"
i=0
for spec in pass:180 fail:90 skip:90 xfail:60 pass:60 pass:60 fail:30 \
	pass:30 skip:10 pass:10 xfail:0; do
	i=$((i + 1))
	c=${spec#*:}
	cost[$(printf 't%02d-%s' "$i" "${spec%:*}")]=$((c ? c : 90))
done

# results: "ok NAME" / "not ok NAME # DIRECTIVE" per line, numbers and
# times removed, sorted by name.
results()
{
	grep -aE '^(not )?ok [0-9]+ - ' "$E2E/out" |
		sed -E 's/^((not )?ok) [0-9]+ - ([^ ]+)( # (SKIP|TODO))?.*/\1 \3\4/' |
		sort -k2
}

kut -j 2
full_rc=$rc
results >"$E2E/full"
check "unsharded_run_has_all_eleven_results" test "$(wc -l <"$E2E/full")" -eq 11

for n in 1 2 3 4; do
	: >"$E2E/union"
	plans_ok=true
	any_fail=false
	for ((k = 1; k <= n; k++)); do
		kut -j 2 --shard "$k/$n"
		results >>"$E2E/union"
		plan_is "$(count_results)" || plans_ok=false
		[ "$rc" = 1 ] && any_fail=true
		[ "$rc" = 0 ] || [ "$rc" = 1 ] || plans_ok=false
		cp "$E2E/out" "$E2E/out-$k-of-$n"
	done
	sort -k2 "$E2E/union" -o "$E2E/union"
	check "shards_of_${n}_each_print_a_plan_that_matches" $plans_ok
	check "shards_of_${n}_are_disjoint" \
		test -z "$(awk '{print $NF == "SKIP" || $NF == "TODO" ? $(NF - 2) : $NF}' "$E2E/union" | sort | uniq -d)"
	check "shards_of_${n}_together_equal_the_unsharded_run" cmp -s "$E2E/union" "$E2E/full"
	check "shards_of_${n}_fail_exactly_when_the_whole_run_does" \
		test "$any_fail" = "$([ "$full_rc" = 1 ] && echo true || echo false)"
done

# The split is a function of the catalog: the same twice, and the same
# whatever -j or the order of the names on the command line.
kut -j 1 --shard 2/3
results >"$E2E/a"
kut -j 2 --shard 2/3 't1*' 't0*'
results >"$E2E/b"
check "a_shard_is_the_same_whatever_j_and_name_order" cmp -s "$E2E/a" "$E2E/b"

# Balance: greedy longest-first parts of 3 are within the largest single
# cost below the 180 s test (90) of each other.
shard_cost()
{
	local t sum=0
	kut -j 1 --shard "$1/3" --list
	for t in $(awk 'NR > 1 { print $1 }' "$E2E/out"); do
		sum=$((sum + ${cost[$t]}))
	done
	echo "$sum"
}
spread_ok()
{
	local c max=0 min=1000000
	for c in "$@"; do
		[ "$c" -gt "$max" ] && max=$c
		[ "$c" -lt "$min" ] && min=$c
	done
	diag "shard costs: $*"
	[ $((max - min)) -le 90 ] && [ $(($1 + $2 + $3)) -eq 710 ]
}
check "shards_of_3_are_balanced_by_cost" spread_ok "$(shard_cost 1)" "$(shard_cost 2)" "$(shard_cost 3)"

for bad in 0/3 4/3 3/0 x 1/ /2 1/2/3 -1/2; do
	kut --shard "$bad"
	check "shard_${bad//\//_of_}_is_a_usage_error" rc_is 2
done
kut --shard 1/2 --shard
check "shard_without_an_argument_is_a_usage_error" rc_is 2

e2e_finish
