#!/bin/bash
# End-to-end: the exact argv the launcher gives QEMU. The fake's argv-echo
# mode writes its argv, NUL-separated, to $E2E/state/argv. The [argv-echo]
# test of fake.cfg has smp = 3, test_args full of shell syntax and two
# extra_params options.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

args=()
read_argv()
{
	args=()
	[ -f "$E2E/state/argv" ] || return 0
	mapfile -d '' -t args <"$E2E/state/argv"
}

# value_of OPTION: the word after the first OPTION in the argv.
value_of()
{
	local i
	for ((i = 0; i < ${#args[@]} - 1; i++)); do
		if [ "${args[i]}" = "$1" ]; then
			printf '%s' "${args[i + 1]}"
			return 0
		fi
	done
	return 1
}

has_word()
{
	local a
	for a in "${args[@]}"; do
		[ "$a" = "$1" ] && return 0
	done
	return 1
}

# has_sequence WORD...: the words appear in this order, next to each other.
has_sequence()
{
	local i j n=$#
	local want=("$@")
	for ((i = 0; i + n <= ${#args[@]}; i++)); do
		for ((j = 0; j < n; j++)); do
			[ "${args[i + j]}" = "${want[j]}" ] || continue 2
		done
		return 0
	done
	return 1
}

value_is()
{
	local got
	got=$(value_of "$1")
	[ "$got" = "$2" ] && return 0
	diag "$1: got '$got', want '$2'"
	return 1
}

show_argv()
{
	diag "argv:"
	printf '  [%s]\n' "${args[@]}" | sed 's/^/# /'
}

rm -f "$E2E/state/argv"
kut argv-echo
read_argv
check "argv_echo_test_is_ok" tap_ok argv-echo
check "qemu_is_executed_directly" test "${args[0]:-}" = "$FAKE"
check "kernel_is_the_image_path" value_is -kernel "$E2E/img/x86_64/argv-echo.flat"
smp_is_3()
{
	case $(value_of -smp) in
	3 | 3,* | cpus=3 | cpus=3,*) return 0 ;;
	esac
	diag "-smp: got '$(value_of -smp)', want 3"
	return 1
}
check "smp_comes_from_the_config" smp_is_3
# test_args are sh-style words (kvm-unit-tests.cfg(5)): the quotes go, the
# words are joined by one blank, and the ; > | * stay literal.
check "test_args_reach_append_as_joined_words" \
	value_is -append 'first two  words say "hi" x;true>out|*'
check "test_args_are_not_run_by_a_shell" test ! -e "$E2E/cwd/out"
accel_is_tcg()
{
	value_is -accel tcg && return 0
	case $(value_of -machine) in
	*accel=tcg*) return 0 ;;
	esac
	return 1
}
check "accel_tcg_is_passed" accel_is_tcg
check "nodefaults_is_passed" has_word -nodefaults
check "exit_device_is_isa_debug_exit_at_0xf4" \
	has_sequence -device isa-debug-exit,iobase=0xf4,iosize=0x4
check "extra_params_are_split_into_words" \
	has_sequence -cpu qemu64,+x2apic -global kvm-pit.lost_tick_policy=discard
extra_params_after_defaults()
{
	local i cpu=-1 kernel=-1
	for ((i = 0; i < ${#args[@]}; i++)); do
		[ "${args[i]}" = -cpu ] && cpu=$i
		[ "${args[i]}" = -kernel ] && kernel=$i
	done
	[ "$cpu" -gt "$kernel" ]
}
check "extra_params_come_after_the_launcher_options" extra_params_after_defaults
no_empty_word()
{
	local a
	for a in "${args[@]}"; do
		[ -n "$a" ] || return 1
	done
}
check "extra_params_blank_runs_make_no_empty_words" no_empty_word
tap_ok argv-echo || show_argv

# fd_list FILE: "FD TARGET" for each line of an `ls -l /proc/PID/fd` in FILE.
fd_list()
{
	sed -nE 's/.* ([0-9]+) -> (.*)$/\1 \2/p' "$1"
}

# QEMU may inherit what the launcher itself inherited (the control run lists
# those: the same kind of shell, started the way the tests start the
# launcher), its stdio and the script the fake's shell reads; anything more
# is a descriptor the launcher leaked.
kut -v argv-echo
# shellcheck disable=SC2016 # $$ is the inner shell's
(cd "$E2E/cwd" && exec env TMPDIR="$E2E/tmp" "$E2E_TIMEOUT" -k 5 60 \
	sh -c 'ls -l /proc/$$/fd; :') >"$E2E/control-fds" 2>&1 </dev/null
no_leaked_fd()
{
	local fd target leaked=
	while read -r fd target; do
		case $fd in 0 | 1 | 2) continue ;; esac
		[ "$target" = "$FAKE" ] && continue
		fd_list "$E2E/control-fds" | grep -q "^$fd " && continue
		leaked="$leaked $fd->$target"
	done < <(fd_list "$E2E/err")
	[ -z "$leaked" ] && return 0
	diag "descriptors QEMU got from the launcher:$leaked"
	return 1
}
if under_wrapper; then
	# valgrind hands its own log descriptors down to the children.
	skip "qemu_inherits_no_descriptor_of_the_launcher" "descriptors under $KUT_WRAPPER"
else
	check "qemu_inherits_no_descriptor_of_the_launcher" no_leaked_fd
fi
stdin_is_dev_null_or_a_pipe()
{
	fd_list "$E2E/err" | grep -qE '^0 (/dev/null|pipe:)' && return 0
	diag "stdin: $(fd_list "$E2E/err" | grep '^0 ')"
	return 1
}
check "qemu_stdin_is_dev_null_or_a_pipe" stdin_is_dev_null_or_a_pipe

# The dry run prints the same command.
kut -n argv-echo
dry_run_matches()
{
	local w
	for w in "$FAKE" -kernel -smp -nodefaults "x2apic"; do
		grep -aqF -- "$w" "$E2E/out" || {
			diag "dry run lacks '$w'"
			return 1
		}
	done
}
check "dry_run_shows_the_argv_that_runs" dry_run_matches

# An expansion only a shell could do: the test is skipped, naming it, and
# QEMU does not run.
rm -f "$E2E/state/argv"
kut needs-shell
check "test_args_needing_a_shell_is_skipped" tap_directive needs-shell SKIP
skip_names_expansion()
{
	# shellcheck disable=SC2016 # the literal text
	tap_line needs-shell | grep -qF '$HOME'
}
check "test_args_needing_a_shell_names_the_expansion" skip_names_expansion
check "test_args_needing_a_shell_runs_nothing" test ! -e "$E2E/state/argv"

rm -f "$E2E/state/argv"
kut argv-echo-plain
read_argv
smp_defaults_to_1()
{
	case $(value_of -smp) in
	1 | 1,* | cpus=1 | cpus=1,*) return 0 ;;
	esac
	diag "-smp: got '$(value_of -smp)', want 1"
	return 1
}
check "smp_defaults_to_1" smp_defaults_to_1
memory_is_256_mib()
{
	case $(value_of -m) in
	256 | 256M | size=256 | size=256M) return 0 ;;
	esac
	diag "-m: got '$(value_of -m)', want 256"
	return 1
}
check "memory_is_256_mib" memory_is_256_mib
check "serial_is_stdio" value_is -serial stdio

# --- upstream-format values (issue 16 item 17) -------------------------------
cat >"$E2E/upstream.cfg" <<'EOS'
[capped-smp]
file = argv-echo.flat
smp = $((($MAX_SMP < 8)?$MAX_SMP:8))
accel = tcg,thread=single
EOS
rm -f "$E2E/state/argv"
kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/upstream.cfg" \
	--arch x86_64 --accel tcg --log-dir "$E2E/logs" --no-default-expect capped-smp
read_argv
cpus=$(getconf _NPROCESSORS_ONLN)
check "upstream_cfg_runs" tap_ok capped-smp
check "smp_arithmetic_is_evaluated_over_max_smp" value_is -smp "$((cpus < 8 ? cpus : 8))"
check "accel_options_reach_qemu" value_is -accel tcg,thread=single
kut_raw --qemu "$FAKE" --images "$E2E/img" --config "$E2E/upstream.cfg" \
	--arch x86_64 --accel tcg --list
check "list_shows_the_smp_expression" grep -qF '$((($MAX_SMP < 8)?$MAX_SMP:8))' "$E2E/out"

e2e_finish
