#!/bin/sh
# A stand-in for qemu-system-<arch> that the end-to-end tests point the
# launcher at with --qemu. It boots nothing: it picks a behaviour from the
# name of the image given with -kernel (<mode>.flat) and acts out what a
# guest or a broken QEMU would do, so every verdict path of the launcher can
# be driven without a real guest.
#
# State: when the image sits at <root>/img/<arch>/<mode>.flat and <root>/state
# exists, the fake appends its pid to <root>/state/pids (the tests check that
# every pid listed there is gone after the launcher exits) and argv-echo
# writes its argv there. $KUT_E2E_STATE overrides <root>/state.
#
# Exit status of a guest that wrote STATUS to the isa-debug-exit device is
# (STATUS << 1) | 1, as QEMU's device does it.

kernel=
prev=
for arg in "$@"; do
	if [ "$prev" = -kernel ]; then
		kernel=$arg
	fi
	prev=$arg
done

# The launcher may probe QEMU (version, accelerators, machines) once per run.
if [ -z "$kernel" ]; then
	for arg in "$@"; do
		case $arg in
		-version | --version)
			# $KUT_FAKE_QEMU_VERSION: the version to claim; each
			# probe is counted in $KUT_E2E_STATE/version-probes
			if [ -n "${KUT_E2E_STATE:-}" ] && [ -d "$KUT_E2E_STATE" ]; then
				echo $$ >>"$KUT_E2E_STATE/version-probes"
			fi
			echo "QEMU emulator version ${KUT_FAKE_QEMU_VERSION:-7.2.0} (kvm-unit-tests fake)"
			echo "Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers"
			exit 0
			;;
		help | \?)
			echo "Accelerators supported in QEMU binary:"
			echo "tcg"
			echo "kvm"
			exit 0
			;;
		esac
	done
	echo "fake-qemu: no -kernel given (argv: $*)" >&2
	exit 1
fi

mode=${kernel##*/}
mode=${mode%.flat}
state=${KUT_E2E_STATE:-${kernel%/*/*/*}/state}
if [ -d "$state" ]; then
	echo $$ >>"$state/pids"
fi

# No core files from the crash modes.
# shellcheck disable=SC3045 # dash and bash both have it
ulimit -c 0 2>/dev/null || :

summary()
{
	# summary TOTAL FAILED XFAILED SKIPPED STATUS
	echo "SUMMARY: $1 tests, $2 unexpected failures, $3 expected failures, $4 skipped"
	echo "EXIT: STATUS=$5"
	exit $((($5 << 1) | 1))
}

case $mode in
pass)
	echo "fake guest: booting"
	echo "PASS: fake: first assertion"
	echo "PASS: fake: sub: second assertion"
	echo "INFO: fake: just a note"
	summary 2 0 0 0 0
	;;
fail)
	echo "PASS: fake: works"
	echo "FAIL: fake: broken thing (got 1, want 2)"
	echo "PASS: fake: works again"
	summary 3 1 0 0 1
	;;
fail-two)
	echo "FAIL: fake: movbe: emulated (got 0, want 1)"
	echo "FAIL: fake: other: broken (got 3, want 4)"
	echo "PASS: fake: fine"
	summary 3 2 0 0 1
	;;
xfail)
	echo "PASS: fake: fine"
	echo "XFAIL: fake: known broken"
	summary 2 0 1 0 0
	;;
skip)
	echo "SKIP: fake: no such feature: CPUID.1:ECX[99] clear"
	summary 1 0 0 1 77
	;;
sleep2)
	# Start and end times in ns go to <state>/sleep-intervals, so a test
	# can tell overlapping runs from sequential ones without timing the
	# whole launcher (which a loaded machine stretches).
	if [ -d "$state" ]; then
		t0=$(date +%s%N)
		sleep 2
		echo "$t0 $(date +%s%N)" >>"$state/sleep-intervals"
	else
		sleep 2
	fi
	echo "PASS: fake: slept 2 s"
	summary 1 0 0 0 0
	;;
hang)
	echo "PASS: fake: about to hang"
	exec sleep 1000000
	;;
hang-noterm)
	# Only SIGKILL ends it: SIGTERM kills the current sleep at most (when
	# sent to the process group) and the loop starts another.
	trap '' TERM INT HUP
	echo "PASS: fake: about to hang, deaf to SIGTERM"
	while :; do
		sleep 1
	done
	;;
flood)
	# 200 MiB of report lines: far past the launcher's output cap.
	echo "PASS: fake: flood begins"
	yes "PASS: fake: flood: 0123456789012345678901234567890123456789012345678901234567890123456789" |
		head -c 209715200
	summary 1 0 0 0 0
	;;
flood-stderr)
	# The same, on stderr: QEMU's own messages count against the cap too.
	echo "PASS: fake: flood on stderr begins"
	yes "qemu-system-x86_64: warning: 0123456789012345678901234567890123456789012345678901234567890123456789" |
		head -c 209715200 >&2
	summary 1 0 0 0 0
	;;
segv)
	echo "PASS: fake: before the crash"
	kill -SEGV $$
	sleep 5
	exit 0
	;;
exit0-no-status)
	echo "fake guest: booting, and then nothing"
	exit 0
	;;
status-from-line)
	# QEMU ends without the exit device (exit 0), the guest said STATUS=0.
	echo "PASS: fake: fine"
	echo "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped"
	echo "EXIT: STATUS=0"
	exit 0
	;;
status-mismatch)
	# The exit device says 1 (exit 3), the line says 0: the device wins.
	echo "PASS: fake: fine"
	echo "SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped"
	echo "EXIT: STATUS=0"
	exit 3
	;;
malformed | malformed-fail)
	printf 'PASS:no space after the colon\n'
	printf 'PAS: fake: misspelt\n'
	printf 'pass: fake: lower case\n'
	printf '  PASS: fake: indented\n'
	printf 'PASS: \n'
	printf 'FAIL\n'
	printf 'SUMMARY: lots of tests, some failures\n'
	printf 'EXIT: STATUS=banana\n'
	printf 'EXIT: STATUS=\n'
	printf 'binary \000\001\002\377\376 bytes \033[31mred\033[0m\n'
	printf 'carriage return\r\n'
	# TAP that must not reach the launcher's stdout as TAP.
	printf 'Bail out! said the guest\n'
	printf 'ok 99 - injected by the guest\n'
	printf 'not ok 98 - injected by the guest\n'
	printf '1..1000\n'
	printf 'TAP version 13\n'
	# A 1 MiB line: long, but well under the output cap.
	head -c 1048576 /dev/zero | tr '\000' x
	printf '\n'
	if [ "$mode" = malformed-fail ]; then
		printf 'FAIL: fake: real failure among the garbage\n'
		printf 'PASS: fake: partial line without newline'
		exit 3
	fi
	printf 'PASS: fake: partial line without newline'
	exit 1
	;;
hang-closed-stdout)
	# Says nothing more and closes its output, but does not exit: only the
	# timeout can end it, not an end of file.
	echo "PASS: fake: closing stdout and stderr"
	exec >/dev/null 2>&1
	exec sleep 1000000
	;;
exit-leave-child)
	# Exits with a verdict but leaves a child holding the output pipe
	# open: the launcher must not wait for that child's end of file.
	echo "PASS: fake: leaving a child behind"
	sleep 1000000 &
	[ -d "$state" ] && echo $! >>"$state/pids"
	summary 1 0 0 0 0
	;;
kvm-internal-error)
	echo "PASS: fake: before the error"
	echo "KVM internal error. Suberror: 1" >&2
	echo "extra data[0]: 0x0000000000000000" >&2
	echo "emulation failure" >&2
	echo "RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000000" >&2
	# Real QEMU stops the vCPU and waits for a monitor that never comes.
	exec sleep 1000000
	;;
warn-located)
	# QEMU's warnings while it parses an option carry the option as a
	# location; KVM prints this one when -smp exceeds the host's CPUs.
	echo "qemu-system-x86_64: -accel kvm: warning: Number of SMP cpus requested (4) exceeds the recommended cpus supported by KVM (2)" >&2
	echo "qemu-system-x86_64: -cpu qemu64,+rdpid: warning: host doesn't support requested feature: CPUID.07H:ECX.rdpid [bit 22]" >&2
	sleep 1
	echo "PASS: fake: ran after the warnings"
	summary 1 0 0 0 0
	;;
argv-echo)
	if [ -d "$state" ]; then
		printf '%s\0' "$0" "$@" >"$state/argv"
	fi
	# What the launcher let this process inherit, into the test's log
	# (no redirection here: the shell's descriptors stay as they came).
	echo "INFO: fake: descriptors:"
	ls -l "/proc/$$/fd"
	echo "PASS: fake: argv recorded"
	summary 1 0 0 0 0
	;;
script-*)
	# The image's own lines after the first are the guest's output, then a
	# failing exit (for expect-list tests that need given FAIL lines).
	tail -n +2 "$kernel"
	summary 1 1 0 0 1
	;;
*)
	echo "fake-qemu: unknown mode '$mode' (from -kernel $kernel)" >&2
	exit 1
	;;
esac
