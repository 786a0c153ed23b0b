#!/bin/sh
# Runs one libFuzzer harness for `make fuzz` and prints one closing line:
#   fuzz: NAME: RUNS executions in SECS s, corpus N inputs, no crash
# usage: fuzz/run.sh BINARY SEED_DIR WORK_DIR ARTIFACT_DIR SECONDS [RUNS]
#   RUNS, when given, replaces the time budget (libFuzzer -runs).
# Exits with libFuzzer's status: nonzero on a crash, leak or timeout, whose
# input is then in ARTIFACT_DIR (see fuzz/fuzz.mk for what to do with it).
set -u
bin=$1 seeds=$2 work=$3 artifacts=$4 secs=$5 runs=${6:-}
name=${bin##*/}

mkdir -p "$work" "$artifacts" || exit 2
if [ -n "$runs" ]; then
	budget=-runs=$runs
else
	budget=-max_total_time=$secs
fi
log=$artifacts/$name.log
# -timeout: one input taking 10 s is a hang; -print_final_stats for the figures.
"$bin" "$budget" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$artifacts/$name-" "$work" "$seeds" >"$log" 2>&1
rc=$?
done_line=$(grep -a '^Done [0-9]* runs in' "$log" | tail -n 1)
execs=$(grep -a '^stat::number_of_executed_units:' "$log" | tail -n 1 | awk '{print $2}')
took=$(echo "$done_line" | awk '{print $5}')
corpus=$(find "$work" -type f | wc -l)
if [ $rc -eq 0 ]; then
	echo "fuzz: $name: ${execs:-?} executions in ${took:-?} s, corpus $corpus inputs, no crash"
else
	echo "fuzz: $name: FAILED (status $rc) after ${execs:-?} executions; log $log:"
	grep -a -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 20
fi
exit $rc
