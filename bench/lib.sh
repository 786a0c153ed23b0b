# Shared by bench/boot, bench/suite and bench/check-time: sourced, not run.
#
# Every benchmark measures its rows in one run, interleaved (row 1, row 2,
# ..., row 1, row 2, ...) so that a change in the machine's load hits every
# row alike, keeps each sample in $bench_work/<row>, and prints medians and
# ratios against a baseline row measured in the same run.

# shellcheck shell=bash

# bench_setup NAME: a work folder removed on exit.
bench_setup()
{
	bench_name=$1
	bench_work=$(mktemp -d "${TMPDIR:-/tmp}/kut-bench-$1.XXXXXX") || exit 2
	# shellcheck disable=SC2064 # expand now
	trap "rm -rf '$bench_work'" EXIT
	trap 'exit 130' INT TERM
	echo "$bench_name: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; $("${QEMU:-qemu-system-x86_64}" --version 2>/dev/null | head -n 1)"
}

bench_die()
{
	echo "$bench_name: $*" >&2
	exit 2
}

now_ns()
{
	date +%s%N
}

# bench_abs PATH: PATH made absolute.
bench_abs()
{
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}

# bench_dry_argv KUT TEST [OPTIONS...]: sets the array qemu_argv to the
# QEMU command line the launcher builds for TEST.
bench_dry_argv()
{
	local kut=$1 test=$2 line
	shift 2
	line=$("$kut" "$@" --dry-run "$test" 2>/dev/null | grep -- '-kernel' | head -n 1)
	[ -n "$line" ] || bench_die "'$kut --dry-run $test' gave no QEMU command line"
	eval "qemu_argv=($line)"
}

# bench_without WORD ARGV...: prints ARGV, NUL-separated, without WORD and
# the word after it (e.g. -bios and its file).
bench_without()
{
	local drop=$1 skip=0 a
	shift
	for a in "$@"; do
		if [ "$skip" = 1 ]; then
			skip=0
			continue
		fi
		if [ "$a" = "$drop" ]; then
			skip=1
			continue
		fi
		printf '%s\0' "$a"
	done
}

# bench_with_machine TYPE ARGV...: prints ARGV, NUL-separated, with the
# word after -machine replaced by TYPE.
bench_with_machine()
{
	local type=$1 next=0 a
	shift
	for a in "$@"; do
		if [ "$next" = 1 ]; then
			a=$type
			next=0
		fi
		[ "$a" = -machine ] && next=1
		printf '%s\0' "$a"
	done
}

# bench_time ROW COMMAND...: runs COMMAND (stdin /dev/null, output to
# $bench_work/ROW.out) and appends its wall time in ms to $bench_work/ROW
# and the CPU time (user + system) it and its children used to ROW.cpu:
# on a loaded machine the CPU time still compares rows fairly.
# Returns COMMAND's status.
bench_time()
{
	local row=$1 t0 t1 cpu st
	shift
	t0=$(now_ns)
	cpu=$( {
		TIMEFORMAT='%3U %3S'
		time "$@" </dev/null >"$bench_work/$row.out" 2>&1
		echo $? >"$bench_work/$row.status"
	} 2>&1)
	t1=$(now_ns)
	st=$(cat "$bench_work/$row.status")
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>"$bench_work/$row"
	echo "$cpu" | awk '{ printf "%.3f\n", ($1 + $2) * 1000 }' >>"$bench_work/$row.cpu"
	return "$st"
}

# bench_first_line ROW COMMAND...: like bench_time, and also appends to
# ROW.first the ms until COMMAND's first line of standard output.
bench_first_line()
{
	local row=$1 t0 t1 t2 line
	shift
	t0=$(now_ns)
	{
		IFS= read -r line
		t1=$(now_ns)
		cat >/dev/null
		t2=$(now_ns)
		awk -v a="$t0" -v b="$t1" -v c="$t2" -v row="$bench_work/$row" 'BEGIN {
			printf "%.3f\n", (b - a) / 1e6 >> (row ".first")
			printf "%.3f\n", (c - a) / 1e6 >> row
		}'
	} < <("$@" </dev/null 2>/dev/null)
	wait
}

# bench_median ROW: the median of ROW's samples (ms).
bench_median()
{
	sort -g "$bench_work/$1" | awk '{ v[NR] = $1 } END {
		if (!NR) { print "nan"; exit }
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_count()
{
	wc -l <"$bench_work/$1" | tr -d ' '
}

# bench_ratio A B: A / B with two decimals.
bench_ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'
}

# bench_row LABEL ROW BASE_MS: one result line, the ratio against BASE_MS.
bench_row()
{
	local m
	m=$(bench_median "$2")
	printf '  %-44s %9.1f ms  x%s  (median of %s)\n' "$1" "$m" \
		"$(bench_ratio "$m" "$3")" "$(bench_count "$2")"
}

# bench_verdict NAME HOLDS DETAIL: PASS or MISS against a target.
bench_verdict()
{
	if [ "$2" = 1 ]; then
		echo "  target $1: PASS ($3)"
	else
		echo "  target $1: MISS ($3)"
		bench_missed=1
	fi
}
# shellcheck disable=SC2034 # read by the scripts that source this file
bench_missed=0

# bench_kvm_status: "usable", or why not.
bench_kvm_status()
{
	if [ ! -e /dev/kvm ]; then
		echo "unavailable (no /dev/kvm)"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "unavailable (/dev/kvm is not read-write for $(id -un))"
	else
		echo usable
	fi
}
