#!/bin/bash
# End-to-end tests of --host-kernel (docs/host-kernel.md) against a fake
# outer QEMU (tests/fake-qemu/fake-host-qemu.pl) that reads the initramfs
# the launcher built and acts out the guest: results, crashes, a dead
# QEMU, a failed setup. A fake kernel image and fake modules (ELF objects
# with a .modinfo section, as a real module has) stand in for a kernel
# package; the real boot is `make check-kvm`.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
e2e_setup

REL=6.1.0-fake-amd64
KROOT=$E2E/kroot
KERNEL=$KROOT/boot/vmlinuz-$REL
MODDIR=$KROOT/lib/modules/$REL
HOSTQEMU=$E2E/bin/fake-host-qemu
cp "$top_srcdir/tests/fake-qemu/fake-host-qemu.pl" "$HOSTQEMU"
chmod 755 "$HOSTQEMU"

# A bzImage as far as the boot protocol goes: "HdrS" at 0x202, the
# kernel_version pointer at 0x20e (+0x200) to the version string.
mkdir -p "$KROOT/boot"
perl -e '
	my $img = "\0" x 4096;
	substr($img, 0x202, 4) = "HdrS";
	substr($img, 0x20e, 2) = pack("v", 0x300 - 0x200);
	my $v = "'"$REL"' (fake\@example.org) #1 SMP\0";
	substr($img, 0x300, length $v) = $v;
	print $img;' >"$KERNEL"

# mkmod PATH DEPENDS: an ELF relocatable with .modinfo "depends=DEPENDS".
mkmod()
{
	mkdir -p "$(dirname "$1")"
	printf 'static const char modinfo[] __attribute__((section(".modinfo"), used)) =\n"license=GPL\\0depends=%s\\0";\n' "$2" |
		${CC:-cc} -x c -c -o "$1" - || {
		echo "Bail out! cannot compile a fake module with ${CC:-cc}"
		exit 1
	}
}
mkmod "$MODDIR/kernel/drivers/virtio/virtio.ko" ""
mkmod "$MODDIR/kernel/drivers/virtio/virtio_ring.ko" ""
mkmod "$MODDIR/kernel/drivers/virtio/virtio_pci.ko" "virtio_ring,virtio"
mkmod "$MODDIR/kernel/drivers/char/virtio_console.ko" "virtio,virtio_ring"
mkmod "$MODDIR/kernel/net/9p/9pnet.ko" ""
mkmod "$MODDIR/kernel/net/9p/9pnet_virtio.ko" "virtio,9pnet,virtio_ring"
mkmod "$MODDIR/kernel/fs/9p/9p.ko" "9pnet,fscache"
mkmod "$MODDIR/kernel/virt/lib/irqbypass.ko" ""
mkmod "$MODDIR/kernel/arch/x86/kvm/kvm.ko" "irqbypass"
mkmod "$MODDIR/kernel/arch/x86/kvm/kvm-amd.ko" "kvm,ccp"
mkmod "$MODDIR/kernel/arch/x86/kvm/kvm-intel.ko" "kvm"
mkmod "$MODDIR/kernel/drivers/crypto/ccp/ccp.ko" ""
# fscache is built in, as modules.builtin says
echo "kernel/fs/fscache/fscache.ko" >"$MODDIR/modules.builtin"

# kut_host MODE ARGS...: the launcher with --host-kernel on the fakes.
kut_host()
{
	local mode=$1
	shift
	: >"$E2E/state/hostboots"
	E2E_ENV=(KUT_HOST_QEMU="$HOSTQEMU" KUT_HOST_ACCEL=tcg
		KUT_E2E_STATE="$E2E/state" KUT_FAKE_HOST="$mode")
	kut_raw --host-kernel "$KERNEL" --qemu "$FAKE" --images "$E2E/img" \
		--config "$CFG" --arch x86_64 --log-dir "$E2E/logs" \
		--expect "$E2E/no-expectations.txt" "$@"
	E2E_ENV=()
}

boots()
{
	grep -c . "$E2E/state/hostboots"
}

boot_asked()
{
	[ "$(sed -n "$1p" "$E2E/state/hostboots")" = "$2" ]
}

initrd_has()
{
	grep -qxF -- "$1" "$E2E/state/initrd-files"
}

# modules_in_order A B: module file A is loaded before B.
modules_in_order()
{
	local a b
	a=$(grep -n "^modules: $1" "$E2E/state/initrd-files" | cut -d: -f1)
	b=$(grep -n "^modules: $2" "$E2E/state/initrd-files" | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# --- every test passes ---------------------------------------------------
kut_host pass --junit "$E2E/junit.xml" pass skip fail
check "pass: exit 0" rc_is 0
check "pass: one plan line for the three tests" plan_is 3
check "pass: numbered 1..3 in the outer plan" \
	test "$(grep -acE '^ok [123] - ' "$E2E/out")" = 3
check "pass: each result says KVM nested in TCG" \
	test "$(grep -acx '  outer: tcg' "$E2E/out")" = 3
check "pass: one summary line, the outer one's" \
	eval 'test "$(grep -ac "^# [0-9]* tests:" "$E2E/out")" = 1 && out_has "^# 3 tests: 3 passed, 0 failed"' 
check "pass: the inner subtests come through" out_has '^    ok 1 - pass: thing'
check "pass: no inner TAP header or plan repeated" \
	test "$(grep -acE '^(TAP version|1\.\.)' "$E2E/out")" = 2
check "pass: one boot, asked for the three tests" boot_asked 1 "pass fail skip"
check "pass: the initramfs holds the init" initrd_has init
check "pass: the inner launcher runs with --accel kvm" \
	grep -qxF "argv: kvm" "$E2E/state/initrd-files"
check "pass: the inner launcher gets KUT_OUTER_ACCEL=tcg" \
	initrd_has "env: KUT_OUTER_ACCEL=tcg"
check "pass: the inner launcher logs into the host's log folder" \
	grep -qxF "argv: $E2E/logs" "$E2E/state/initrd-files"
check "pass: the default outer guest: single-threaded TCG, -cpu max, 1 vCPU" \
	eval 'grep "^outer: " "$E2E/state/initrd-files" | grep -q -- "-accel tcg,thread=single -cpu max -smp 1 "'
check "pass: the host's root read-only over 9p, the log folder read-write" \
	eval 'grep "^outer: " "$E2E/state/initrd-files" | grep -q -- "path=/,security_model=none,readonly=on" &&
		grep "^outer: " "$E2E/state/initrd-files" | grep -q -- "path=$E2E/logs,security_model=none,multidevs=remap"'
check "pass: kvm after irqbypass" modules_in_order irqbypass.ko kvm.ko
check "pass: kvm-amd after kvm and ccp" \
	eval 'modules_in_order kvm.ko kvm-amd.ko && modules_in_order ccp.ko kvm-amd.ko'
check "pass: 9p after 9pnet, built-in fscache left out" \
	eval 'modules_in_order 9pnet.ko 9p.ko && ! grep -q fscache "$E2E/state/initrd-files"'
check "pass: the console is kept in the log folder" \
	grep -q 'Linux version 6.1.0-fake' "$E2E/logs/host-kernel.log"
check "pass: JUnit report with the three cases" \
	test "$(grep -c '<testcase ' "$E2E/junit.xml")" = 3
if command -v xmllint >/dev/null 2>&1; then
	check "pass: the JUnit report validates" \
		xmllint --noout --schema "$top_srcdir/tests/junit.xsd" "$E2E/junit.xml"
fi

# --- a failing test ------------------------------------------------------
kut_host fail=fail pass fail
check "fail: exit 1" rc_is 1
check "fail: not ok for the failing test" tap_not_ok fail
check "fail: its YAML comes through" out_has '^  reason: "1 assertion failed"'
check "fail: not called a crash" eval '! out_has "host kernel crashed"'
kut_host fail=fail --brief pass fail
check "fail, --brief: one plain line per test" \
	eval 'grep -qE "^PASS +pass \(kvm, 0.01s\)" "$E2E/out" && grep -qE "^FAIL +fail .*1 assertion failed" "$E2E/out"'
kut_host fail=fail --junit "$E2E/junit.xml" pass fail
check "fail: the JUnit report has its failing assertion" \
	grep -q 'thing (got 1, want 2)' "$E2E/junit.xml"

# --- a panic, no retries -------------------------------------------------
# (catalog order: pass, pass-again, skip)
kut_host panic-after=1 --host-retries 0 pass skip pass-again
check "panic: exit 4 (host kernel crashed, no test failed)" rc_is 4
check "panic: the test before it passed" tap_ok pass
check "panic: the running test is not ok with the panic line" \
	eval 'tap_not_ok pass-again && yaml_of pass-again | grep -q "reason: \"host kernel crashed: Kernel panic - not syncing: corrupted stack end detected inside scheduler\""'
check "panic: the console tail is in its YAML" \
	eval 'yaml_of pass-again | grep -q "CPU: 1 PID: 99"'
check "panic: the test never started is not ok, not run" \
	eval 'tap_not_ok skip && yaml_of skip | grep -q "host kernel crashed: not run (or its result lost), 1 boot crashed"'
check "panic: one boot only" test "$(boots)" = 1
check "panic: said on stderr" err_has 'boot 1: host kernel crashed'

# --- a panic on the first boot, one retry --------------------------------
kut_host panic-after=1,panic-boots=1 --host-retries 1 pass skip pass-again
check "retry: exit 0: the test cut short once passed on the second boot" rc_is 0
check "retry: two boots" test "$(boots)" = 2
check "retry: the second boot runs the cut-short test and the one not yet run" \
	boot_asked 2 "pass-again skip"
check "retry: both passed" eval 'tap_ok pass-again && tap_ok skip'
check "retry: three results, numbered once each" \
	eval 'test "$(count_results)" = 3 && plan_is 3 && out_has "^ok 3 - skip\$"'

# --- a test that kills the kernel every time: cut short twice, reported ----
kut_host panic-on=pass-again pass skip pass-again
check "offender: default retries (2): three boots" test "$(boots)" = 3
check "offender: asked twice for it, then for the rest" \
	eval 'boot_asked 2 "pass-again skip" && boot_asked 3 skip'
check "offender: reported crashed, exit 4" \
	eval 'rc_is 4 && tap_not_ok pass-again && yaml_of pass-again | grep -q "host kernel crashed: Kernel panic"'
check "offender: the others passed" eval 'tap_ok pass && tap_ok skip'

# --- finished tests whose TAP the crash swallowed run again ---------------
kut_host panic-after=1,panic-held=1,panic-boots=1 --host-retries 1 pass skip pass-again
check "held back: the finished test runs again on the next boot" \
	boot_asked 2 "pass pass-again skip"
check "held back: it passes there" tap_ok pass
check "held back: the running test gets its second boot too" \
	eval 'tap_ok pass-again && ! out_has "host kernel crashed"'
kut_host panic-after=1,panic-held=1 --host-retries 0 pass pass-again
check "held back, no retry: its result is lost, said so" \
	eval 'tap_not_ok pass && yaml_of pass | grep -q "not run (or its result lost), 1 boot crashed"'

# --- the outer QEMU dies ---------------------------------------------------
kut_host segv-after=0 --host-retries 0 pass skip
check "segv: exit 4" rc_is 4
check "segv: the running test says the outer QEMU died" \
	eval 'yaml_of pass | grep -q "host kernel crashed: the outer QEMU died of signal 11"'

# --- the guest cannot set up: no retry -------------------------------------
kut_host setup-error --host-retries 2 pass skip
check "setup error: exit 3" rc_is 3
check "setup error: one boot, not retried" test "$(boots)" = 1
check "setup error: the init's message on stderr" \
	err_has 'host kernel setup failed: loading kvm-amd.ko: Invalid argument'
check "setup error: tests not ok with that reason, not as crashes" \
	eval 'tap_not_ok pass && ! out_has "host kernel crashed"'

kut_host inner-exit3 --host-retries 2 pass
check "no KVM inside: exit 3" rc_is 3
check "no KVM inside: the inner launcher's message reaches stderr" \
	err_has '/dev/kvm: No such file'
check "no KVM inside: one boot" test "$(boots)" = 1

# --- SIGTERM while the guest runs --------------------------------------------
# The fake hangs after "boot ok"; the launcher must kill it, remove the
# initramfs (e2e_finish checks TMPDIR) and bail out with 130.
hostboot_started()
{
	[ -s "$E2E/state/hostboots" ]
}
: >"$E2E/state/hostboots"
(cd "$E2E/cwd" && exec env TMPDIR="$E2E/tmp" KUT_E2E_MARKER="$E2E_MARKER" \
	KUT_HOST_QEMU="$HOSTQEMU" KUT_HOST_ACCEL=tcg KUT_E2E_STATE="$E2E/state" \
	KUT_FAKE_HOST=hang $KUT_WRAPPER "$KUT" --host-kernel "$KERNEL" \
	--config "$CFG" --arch x86_64 --log-dir "$E2E/logs" pass) \
	>"$E2E/out" 2>"$E2E/err" </dev/null &
pid=$!
for _ in $(seq 100); do
	hostboot_started && break
	sleep 0.1
done
sleep 0.5
kill -TERM "$pid"
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
check "SIGTERM: exit 130" rc_is 130
check "SIGTERM: Bail out!" out_has '^Bail out! interrupted'

# --- nested in KVM ----------------------------------------------------------
# The outer guest under KVM needs a host KVM with nested virtualization.
# $KUT_CPUINFO and $KUT_SYS_MODULE stand in for /proc/cpuinfo and
# /sys/module (an SVM CPU, kvm_amd nested=Y); /dev/kvm itself must open and
# create a VM, so where it does not this part SKIPs.
mkdir -p "$E2E/sysmod/kvm_amd/parameters"
echo Y >"$E2E/sysmod/kvm_amd/parameters/nested"
printf 'processor\t: 0\nflags\t\t: fpu sse2 svm npt\n' >"$E2E/cpuinfo"
nested_env=(KUT_HOST_QEMU="$HOSTQEMU" KUT_E2E_STATE="$E2E/state"
	KUT_FAKE_HOST=pass KUT_CPUINFO="$E2E/cpuinfo" KUT_SYS_MODULE="$E2E/sysmod")
if "$KUT" --accel kvm --list >/dev/null 2>&1 ||
	KUT_CPUINFO="$E2E/cpuinfo" "$KUT" --accel kvm --list >/dev/null 2>&1; then
	: >"$E2E/state/hostboots"
	E2E_ENV=("${nested_env[@]}")
	kut_raw --host-kernel "$KERNEL" --qemu "$FAKE" --images "$E2E/img" \
		--config "$CFG" --arch x86_64 --log-dir "$E2E/logs" \
		--expect "$E2E/no-expectations.txt" pass
	check "nested in KVM: exit 0" rc_is 0
	check "nested in KVM: the outer QEMU runs -accel kvm -cpu host" \
		eval 'grep "^outer: " "$E2E/state/initrd-files" | grep -q -- "-accel kvm -cpu host "'
	check "nested in KVM: the result says KVM nested in KVM" \
		test "$(grep -acx '  outer: kvm' "$E2E/out")" = 1
	echo N >"$E2E/sysmod/kvm_amd/parameters/nested"
	E2E_ENV=("${nested_env[@]}" KUT_HOST_ACCEL=kvm)
	kut_raw --host-kernel "$KERNEL" --config "$CFG" --arch x86_64 pass
	check "nested=N, KUT_HOST_ACCEL=kvm: exit 3" rc_is 3
	check "nested=N, KUT_HOST_ACCEL=kvm: says nested KVM is not usable" \
		err_has 'KVM with nested virtualization is not usable here'
	E2E_ENV=()
else
	for t in "exit 0" "the outer QEMU runs -accel kvm -cpu host" \
		"the result says KVM nested in KVM" "nested=N: exit 3" \
		"nested=N: says nested KVM is not usable"; do
		skip "nested in KVM: $t" "no /dev/kvm that opens and creates a VM here"
	done
fi

# --- compressed modules ----------------------------------------------------
# Kernels with CONFIG_MODULE_COMPRESS_* ship kvm-amd.ko.xz and the like: the
# launcher reads their dependencies and puts them in plain.
xz -c "$MODDIR/kernel/arch/x86/kvm/kvm-amd.ko" >"$MODDIR/kernel/arch/x86/kvm/kvm-amd.ko.xz" &&
	gzip -c "$MODDIR/kernel/drivers/crypto/ccp/ccp.ko" >"$MODDIR/kernel/drivers/crypto/ccp/ccp.ko.gz" &&
	rm "$MODDIR/kernel/arch/x86/kvm/kvm-amd.ko" "$MODDIR/kernel/drivers/crypto/ccp/ccp.ko"
kut_host pass pass
check "compressed: exit 0" rc_is 0
check "compressed: kvm-amd.ko.xz goes in as kvm-amd.ko, after kvm and ccp" \
	eval 'modules_in_order kvm.ko kvm-amd.ko && modules_in_order ccp.ko kvm-amd.ko'
check "compressed: no compressed name in the initramfs" \
	eval '! grep -qE "\.ko\.(xz|gz)" "$E2E/state/initrd-files"'
printf 'not xz' >"$MODDIR/kernel/drivers/crypto/ccp/ccp.ko.gz"
kut_host pass pass
check "compressed, corrupt: exit 3" rc_is 3
check "compressed, corrupt: names the file and the tool" \
	err_has "ccp.ko.gz: gzip -dc failed"

# --- bad input -----------------------------------------------------------
head -c 4096 /dev/zero >"$E2E/not-a-kernel"
E2E_ENV=(KUT_HOST_QEMU="$HOSTQEMU")
kut_raw --host-kernel "$E2E/not-a-kernel" --config "$CFG" --arch x86_64 pass
check "not a bzImage: exit 2" rc_is 2
check "not a bzImage: says so" err_has 'not an x86 bzImage'
kut_raw --host-kernel "$KERNEL" --host-modules "$KROOT/boot" --config "$CFG" \
	--arch x86_64 pass
check "no modules: exit 3" rc_is 3
check "no modules: names the module and the folder" \
	err_has "module virtio_pci: not found under $KROOT/boot"
E2E_ENV=()
kut_raw --host-retries 1 --config "$CFG" pass
check "--host-retries alone: usage error" rc_is 2
kut_raw --host-kernel "$KERNEL" --accel tcg --config "$CFG" pass
check "--host-kernel with --accel tcg: usage error" rc_is 2

e2e_finish
